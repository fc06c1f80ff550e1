package schedule

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"slices"
	"time"
)

// The keys that sign invite and join links (and key login-code hashes) are
// made once and kept in the database, so links outlive restarts. Rotation
// adds a key and lets the old ones verify for a grace period:
//
//   - the new key signs from SignsFrom, a little after it is stored, so
//     every running server has loaded it (and so verifies its links) before
//     any server signs with it;
//   - the key it replaces keeps verifying until the new one's SignsFrom
//     plus the grace period; then it is gone, and so are its links.

// StoredLinkKey is one link key as kept in the database.
type StoredLinkKey struct {
	ID     uint8 // carried in every token; unique among the keys still verifying
	Secret []byte
	// SignsFrom is when the key becomes the signing key.
	SignsFrom time.Time
	// VerifyUntil is when its links stop working; zero while it is the
	// newest key.
	VerifyUntil time.Time
}

// Verifies reports whether links signed with k still verify at now.
func (k StoredLinkKey) Verifies(now time.Time) bool {
	return k.VerifyUntil.IsZero() || now.Before(k.VerifyUntil)
}

// LinkKeySet returns, at now, the key that signs (the one whose SignsFrom
// came last) and every other key whose links still verify (including a
// newer key not signing yet, which other servers may already use).
func LinkKeySet(keys []StoredLinkKey, now time.Time) (current LinkKey, previous []LinkKey, err error) {
	cur := -1
	for i, k := range keys {
		if !k.Verifies(now) || k.SignsFrom.After(now) {
			continue
		}
		if cur < 0 || k.SignsFrom.After(keys[cur].SignsFrom) {
			cur = i
		}
	}
	if cur < 0 {
		return LinkKey{}, nil, Errorf(EINVALID, "no link key signs at %s; run `karyakram secret rotate`", now.UTC().Format(time.RFC3339))
	}
	for i, k := range keys {
		if i != cur && k.Verifies(now) {
			previous = append(previous, LinkKey{ID: k.ID, Secret: k.Secret})
		}
	}
	return LinkKey{ID: keys[cur].ID, Secret: keys[cur].Secret}, previous, nil
}

// RotateLinkKeys adds a key with secret that signs from now+propagation;
// every key without an end then verifies until that moment plus grace.
// Keys that no longer verify at now are dropped. It returns the new set and
// the new key; it fails when all MaxLinkKeyID+1 key IDs are still in use.
func RotateLinkKeys(keys []StoredLinkKey, secret []byte, now time.Time, propagation, grace time.Duration) ([]StoredLinkKey, StoredLinkKey, error) {
	if len(secret) < MinLinkKeyLen {
		return nil, StoredLinkKey{}, FieldError("secret", "secret is %d bytes, need at least %d", len(secret), MinLinkKeyLen)
	}
	if propagation < 0 || grace < 0 {
		return nil, StoredLinkKey{}, FieldError("grace", "propagation %v and grace %v must not be negative", propagation, grace)
	}
	var used [MaxLinkKeyID + 1]bool
	out := make([]StoredLinkKey, 0, len(keys)+1)
	for _, k := range keys {
		if k.Verifies(now) {
			out = append(out, k)
			used[k.ID] = true
		}
	}
	id := slices.Index(used[:], false)
	if id < 0 {
		return nil, StoredLinkKey{}, Errorf(ECONFLICT, "all %d link key IDs are still in their grace period; wait until one ends or rotate with a shorter -grace", MaxLinkKeyID+1)
	}
	nk := StoredLinkKey{ID: uint8(id), Secret: secret, SignsFrom: now.Add(propagation)}
	for i := range out {
		if out[i].VerifyUntil.IsZero() {
			out[i].VerifyUntil = nk.SignsFrom.Add(grace)
		}
	}
	return append(out, nk), nk, nil
}

// LinkKeyFromSecret derives a link key from a configured secret string
// (KARYAKRAM_SECRET), the way servers before stored keys did, so links
// they signed keep working when that secret seeds the first stored key.
func LinkKeyFromSecret(secret string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("karyakram invite links v1"))
	return m.Sum(nil)
}

// LoginCodeKey derives the key that hashes login codes from a link key,
// so one rotation renews both and neither key can stand in for the other.
func LoginCodeKey(linkSecret []byte) []byte {
	m := hmac.New(sha256.New, linkSecret)
	m.Write([]byte("karyakram login codes v1"))
	return m.Sum(nil)
}

// String describes k without its secret, for logs and `secret status`.
func (k StoredLinkKey) String() string {
	until := "no end"
	if !k.VerifyUntil.IsZero() {
		until = k.VerifyUntil.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("key %d: signs from %s, verifies until %s", k.ID, k.SignsFrom.UTC().Format(time.RFC3339), until)
}
