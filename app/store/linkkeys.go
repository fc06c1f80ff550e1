package store

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// linkKeyRow is a row of link_keys (schedule.StoredLinkKey).
type linkKeyRow struct {
	bun.BaseModel `bun:"table:link_keys"`
	ID            int64      `bun:"id,pk,autoincrement"`
	KeyID         int16      `bun:"key_id"`
	Secret        string     `bun:"secret"`
	SignsFrom     time.Time  `bun:"signs_from"`
	VerifyUntil   *time.Time `bun:"verify_until"`
	CreatedAt     time.Time  `bun:"created_at"`
}

func (r linkKeyRow) key() (schedule.StoredLinkKey, error) {
	secret, err := hex.DecodeString(r.Secret)
	if err != nil {
		return schedule.StoredLinkKey{}, fmt.Errorf("link key %d: stored secret is not hex", r.KeyID)
	}
	k := schedule.StoredLinkKey{ID: uint8(r.KeyID), Secret: secret, SignsFrom: r.SignsFrom.UTC()}
	if r.VerifyUntil != nil {
		k.VerifyUntil = r.VerifyUntil.UTC()
	}
	return k, nil
}

// LinkKeys returns the stored link keys, oldest first.
func (s *Store) LinkKeys(ctx context.Context) ([]schedule.StoredLinkKey, error) {
	keys, _, err := s.linkKeys(ctx, s.db)
	return keys, err
}

func (s *Store) linkKeys(ctx context.Context, db bun.IDB) ([]schedule.StoredLinkKey, []linkKeyRow, error) {
	var rows []linkKeyRow
	if err := db.NewSelect().Model(&rows).OrderExpr("signs_from, id").Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("load link keys: %w", err)
	}
	keys := make([]schedule.StoredLinkKey, len(rows))
	for i, r := range rows {
		k, err := r.key()
		if err != nil {
			return nil, nil, err
		}
		keys[i] = k
	}
	return keys, rows, nil
}

// lockLinkKeys serialises key changes between servers starting at once
// (SQLite transactions already take the write lock when they begin).
func (s *Store) lockLinkKeys(ctx context.Context, tx bun.Tx) error {
	if !s.Postgres() {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "LOCK TABLE link_keys IN EXCLUSIVE MODE"); err != nil {
		return fmt.Errorf("lock link keys: %w", err)
	}
	return nil
}

// EnsureLinkKey stores secret as the first link key (ID 1, signing from
// now) when there is none, and returns the stored keys and whether it
// stored one. Servers call it at start, so the first one to start on a
// database makes the key that every later start reuses.
func (s *Store) EnsureLinkKey(ctx context.Context, secret []byte) ([]schedule.StoredLinkKey, bool, error) {
	var keys []schedule.StoredLinkKey
	var created bool
	err := s.inTx(ctx, func(tx bun.Tx) error {
		if err := s.lockLinkKeys(ctx, tx); err != nil {
			return err
		}
		var err error
		if keys, _, err = s.linkKeys(ctx, tx); err != nil || len(keys) > 0 {
			return err
		}
		now := s.now().UTC()
		k := schedule.StoredLinkKey{ID: 1, Secret: secret, SignsFrom: now}
		if len(secret) < schedule.MinLinkKeyLen {
			return schedule.FieldError("secret", "link key is %d bytes, need at least %d", len(secret), schedule.MinLinkKeyLen)
		}
		r := linkKeyRow{KeyID: int16(k.ID), Secret: hex.EncodeToString(secret), SignsFrom: now, CreatedAt: now}
		if _, err := tx.NewInsert().Model(&r).Exec(ctx); err != nil {
			return fmt.Errorf("store the first link key: %w", err)
		}
		if err := s.audit(ctx, tx, schedule.SystemActor("server"), "create", "link_key", r.ID, "/", k.String()); err != nil {
			return err
		}
		keys, created = []schedule.StoredLinkKey{k}, true
		return nil
	})
	return keys, created, err
}

// RotateLinkKey adds secret as a new link key that signs from
// now+propagation; the keys without an end verify until then plus grace,
// and keys past their end are deleted (schedule.RotateLinkKeys). It returns
// the new key and the whole set.
func (s *Store) RotateLinkKey(ctx context.Context, actor schedule.Actor, secret []byte, propagation, grace time.Duration) (schedule.StoredLinkKey, []schedule.StoredLinkKey, error) {
	var nk schedule.StoredLinkKey
	var keys []schedule.StoredLinkKey
	err := s.inTx(ctx, func(tx bun.Tx) error {
		if err := s.lockLinkKeys(ctx, tx); err != nil {
			return err
		}
		old, rows, err := s.linkKeys(ctx, tx)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		if keys, nk, err = schedule.RotateLinkKeys(old, secret, now, propagation, grace); err != nil {
			return err
		}
		for i, r := range rows {
			k := old[i]
			switch {
			case !k.Verifies(now):
				if _, err := tx.NewDelete().Model((*linkKeyRow)(nil)).Where("id = ?", r.ID).Exec(ctx); err != nil {
					return fmt.Errorf("delete link key %d: %w", k.ID, err)
				}
			case k.VerifyUntil.IsZero():
				until := nk.SignsFrom.Add(grace)
				if _, err := tx.NewUpdate().Model((*linkKeyRow)(nil)).Set("verify_until = ?", until).Where("id = ?", r.ID).Exec(ctx); err != nil {
					return fmt.Errorf("end link key %d: %w", k.ID, err)
				}
			}
		}
		r := linkKeyRow{KeyID: int16(nk.ID), Secret: hex.EncodeToString(secret), SignsFrom: nk.SignsFrom, CreatedAt: now}
		if _, err := tx.NewInsert().Model(&r).Exec(ctx); err != nil {
			return fmt.Errorf("store link key: %w", err)
		}
		return s.audit(ctx, tx, actor, "rotate", "link_key", r.ID, "/", schedule.Msgf("%s; the others verify links until %s", nk.String(), nk.SignsFrom.Add(grace)))
	})
	return nk, keys, err
}
