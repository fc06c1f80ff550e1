package schedule

import (
	"bytes"
	"testing"
	"time"
)

func secretOf(b byte) []byte { return bytes.Repeat([]byte{b}, MinLinkKeyLen) }

// TestRotationKeepsOldLinksForTheGracePeriod follows one rotation through
// time: before the switch the old key signs and the new one already
// verifies; after it the new key signs and the old one verifies until the
// grace period ends, and then its links die.
func TestRotationKeepsOldLinksForTheGracePeriod(t *testing.T) {
	t0 := time.Date(2030, 3, 1, 10, 0, 0, 0, time.UTC)
	keys := []StoredLinkKey{{ID: 1, Secret: secretOf('a'), SignsFrom: t0}}
	cur, prev, err := LinkKeySet(keys, t0)
	if err != nil || cur.ID != 1 || len(prev) != 0 {
		t.Fatalf("one key: %v %v %v", cur, prev, err)
	}
	signer, err := NewSigner(cur, prev...)
	if err != nil {
		t.Fatal(err)
	}
	claims := LinkClaims{InviteID: 7, EventID: 3, LinkVersion: 1, Expires: t0.AddDate(1, 0, 0)}
	oldLink, _ := signer.Sign(claims)

	rotatedAt := t0.Add(time.Hour)
	keys, nk, err := RotateLinkKeys(keys, secretOf('b'), rotatedAt, 2*time.Minute, 72*time.Hour)
	if err != nil || nk.ID == 1 || len(keys) != 2 {
		t.Fatalf("rotate: %+v %v %v", keys, nk, err)
	}
	at := func(now time.Time) (string, error) {
		t.Helper()
		cur, prev, err := LinkKeySet(keys, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := signer.Rekey(cur, prev...); err != nil {
			t.Fatal(err)
		}
		newLink, _ := signer.Sign(claims)
		_, err = signer.Verify(oldLink, now)
		return newLink, err
	}
	// Before the switch: still signing with the old key, which verifies.
	if l, err := at(rotatedAt.Add(time.Minute)); err != nil || l != oldLink {
		t.Fatalf("before the switch: old link %v, new links signed with another key: %v", err, l != oldLink)
	}
	// After it: new links carry the new key; the old link still works.
	newLink, err := at(rotatedAt.Add(3 * time.Minute))
	if err != nil || newLink == oldLink {
		t.Fatalf("after the switch: old link %v, signing key unchanged: %v", err, newLink == oldLink)
	}
	if _, err := signer.Verify(newLink, rotatedAt.Add(3*time.Minute)); err != nil {
		t.Fatalf("new link: %v", err)
	}
	// Near the end of the grace period the old link works; after, it is invalid.
	if _, err := at(nk.SignsFrom.Add(72*time.Hour - time.Minute)); err != nil {
		t.Fatalf("within grace: %v", err)
	}
	if _, err := at(nk.SignsFrom.Add(72 * time.Hour)); !IsLinkInvalid(err) {
		t.Fatalf("after grace: %v, want an invalid link", err)
	}
}

func TestRotateLinkKeysReusesIDsAndRefusesWhenAllAreInGrace(t *testing.T) {
	t0 := time.Date(2030, 3, 1, 10, 0, 0, 0, time.UTC)
	keys := []StoredLinkKey{{ID: 0, Secret: secretOf('a'), SignsFrom: t0}}
	now := t0
	for i := 1; i <= MaxLinkKeyID; i++ {
		now = now.Add(time.Hour)
		var err error
		var nk StoredLinkKey
		if keys, nk, err = RotateLinkKeys(keys, secretOf(byte('a'+i)), now, time.Minute, 30*24*time.Hour); err != nil || int(nk.ID) != i {
			t.Fatalf("rotation %d: id %d, %v", i, nk.ID, err)
		}
	}
	if _, _, err := RotateLinkKeys(keys, secretOf('z'), now.Add(time.Hour), time.Minute, time.Hour); ErrorCode(err) != ECONFLICT {
		t.Fatalf("17th key while all 16 verify: %v", err)
	}
	// Once the first key's grace is over, its ID is free again.
	later := t0.Add(40 * 24 * time.Hour)
	keys, nk, err := RotateLinkKeys(keys, secretOf('z'), later, time.Minute, time.Hour)
	if err != nil || nk.ID != 0 {
		t.Fatalf("after grace: id %d %v", nk.ID, err)
	}
	for _, k := range keys {
		if !k.Verifies(later) {
			t.Errorf("%v kept though it no longer verifies", k)
		}
	}
	if _, _, err := RotateLinkKeys(nil, []byte("short"), later, 0, 0); ErrorCode(err) != EINVALID {
		t.Errorf("short secret: %v", err)
	}
	if _, _, err := LinkKeySet(nil, later); err == nil {
		t.Error("no keys: no error")
	}
}

func TestDerivedKeysDiffer(t *testing.T) {
	link := LinkKeyFromSecret("server secret")
	if bytes.Equal(link, LinkKeyFromSecret("other")) || bytes.Equal(link, LoginCodeKey(link)) || len(link) < MinLinkKeyLen {
		t.Fatal("derived keys collide or are short")
	}
	k := StoredLinkKey{ID: 3, Secret: link, SignsFrom: time.Unix(0, 0)}
	if s := k.String(); bytes.Contains([]byte(s), link) || s != "key 3: signs from 1970-01-01T00:00:00Z, verifies until no end" {
		t.Errorf("String() = %q", s)
	}
}
