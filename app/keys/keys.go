// Package keys holds the server's link keys at run time. They sign invite
// and join links and key login-code hashes, and live in the database
// (link_keys): the first server to start on a database makes one, every
// later start reuses it, so links survive restarts without any setting.
// A Ring reloads them every minute, so a rotation (`karyakram secret
// rotate`) reaches running servers before the new key starts signing.
// Secrets are never logged.
package keys

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

const (
	// ReloadEvery is how often a running server reloads the keys.
	ReloadEvery = time.Minute
	// Propagation is how long after a rotation the new key starts to sign:
	// more than ReloadEvery, so every server verifies its links by then.
	Propagation = 2*ReloadEvery + 30*time.Second
	// DefaultGrace is how long the replaced key keeps verifying after the
	// new one signs: links are sent weeks ahead of an event.
	DefaultGrace = 30 * 24 * time.Hour
)

// Ring is the set of link keys a server uses. Safe for concurrent use.
type Ring struct {
	st     *store.Store
	log    *slog.Logger
	signer *schedule.Signer
	codes  atomic.Pointer[[][]byte] // login-code keys, the current one first
	keys   atomic.Pointer[[]schedule.StoredLinkKey]
}

// Open loads the stored keys, first storing one when the database has none:
// derived from secret (KARYAKRAM_SECRET) when it is set, so links signed by
// servers that used it keep working, else random. The clock is the store's.
func Open(ctx context.Context, st *store.Store, secret string, log *slog.Logger) (*Ring, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	seed := schedule.LinkKeyFromSecret(secret)
	if secret == "" {
		seed = make([]byte, 32)
		if _, err := rand.Read(seed); err != nil {
			return nil, fmt.Errorf("make a link key: %w", err)
		}
	}
	keys, created, err := st.EnsureLinkKey(ctx, seed)
	if err != nil {
		return nil, err
	}
	switch {
	case created && secret != "":
		log.Info("link key stored, derived from KARYAKRAM_SECRET; links and login codes now survive restarts")
	case created:
		log.Info("link key made and stored in the database; links and login codes survive restarts")
	case secret != "" && !hasSecret(keys, schedule.LinkKeyFromSecret(secret)):
		log.Warn("KARYAKRAM_SECRET is not among the stored link keys and is not used; rotate keys with `karyakram secret rotate`")
	}
	r := &Ring{st: st, log: log}
	if err := r.set(keys); err != nil {
		return nil, err
	}
	return r, nil
}

func hasSecret(keys []schedule.StoredLinkKey, secret []byte) bool {
	for _, k := range keys {
		if bytes.Equal(k.Secret, secret) {
			return true
		}
	}
	return false
}

// set installs keys as they stand at the store's now.
func (r *Ring) set(keys []schedule.StoredLinkKey) error {
	cur, prev, err := schedule.LinkKeySet(keys, r.st.Now())
	if err != nil {
		return err
	}
	if r.signer == nil {
		if r.signer, err = schedule.NewSigner(cur, prev...); err != nil {
			return err
		}
	} else if err := r.signer.Rekey(cur, prev...); err != nil {
		return err
	}
	codes := [][]byte{schedule.LoginCodeKey(cur.Secret)}
	for _, k := range prev {
		codes = append(codes, schedule.LoginCodeKey(k.Secret))
	}
	r.codes.Store(&codes)
	r.keys.Store(&keys)
	return nil
}

// Signer signs and verifies links with the current keys; Reload updates
// it in place, so it can be handed out once at wiring time.
func (r *Ring) Signer() *schedule.Signer { return r.signer }

// CodeKeys returns the login-code keys, the current one first
// (auth.CodeKeys).
func (r *Ring) CodeKeys() [][]byte { return *r.codes.Load() }

// Keys returns the stored keys as last loaded.
func (r *Ring) Keys() []schedule.StoredLinkKey { return *r.keys.Load() }

// Reload reads the keys again and applies them at the store's now: a new
// key verifies as soon as it is stored and signs from its SignsFrom; an
// old one stops verifying at its VerifyUntil.
func (r *Ring) Reload(ctx context.Context) error {
	keys, err := r.st.LinkKeys(ctx)
	if err != nil {
		return err
	}
	return r.set(keys)
}

// Run reloads the keys every ReloadEvery until ctx ends.
func (r *Ring) Run(ctx context.Context) {
	t := time.NewTicker(ReloadEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.Reload(ctx); err != nil && ctx.Err() == nil {
				r.log.ErrorContext(ctx, "reload link keys; keeping the loaded ones", "err", err)
			}
		}
	}
}

// Rotate stores a new random key that signs after Propagation; the current
// keys verify until then plus grace. On a database without keys it stores
// the first key, signing at once. It returns the new key and all keys.
func Rotate(ctx context.Context, st *store.Store, actor schedule.Actor, grace time.Duration) (schedule.StoredLinkKey, []schedule.StoredLinkKey, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return schedule.StoredLinkKey{}, nil, fmt.Errorf("make a link key: %w", err)
	}
	keys, created, err := st.EnsureLinkKey(ctx, secret)
	if err != nil || created {
		return keys[len(keys)-1], keys, err
	}
	return st.RotateLinkKey(ctx, actor, secret, Propagation, grace)
}
