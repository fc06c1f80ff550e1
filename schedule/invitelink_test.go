package schedule

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func testSigner(t testing.TB, current LinkKey, previous ...LinkKey) *Signer {
	t.Helper()
	s, err := NewSigner(current, previous...)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	return s
}

func key(id uint8, fill byte) LinkKey {
	return LinkKey{ID: id, Secret: bytes.Repeat([]byte{fill}, 32)}
}

var linkNow = time.Date(2026, 8, 1, 10, 0, 0, 0, time.UTC)

func TestSignVerifyRoundTrip(t *testing.T) {
	s := testSigner(t, key(1, 'a'))
	tests := []LinkClaims{
		{InviteID: 0, EventID: 0, LinkVersion: 0, Expires: linkNow.Add(time.Minute)},
		{InviteID: 3_000_000, EventID: 12_345, LinkVersion: 1, Expires: linkNow.Add(30 * 24 * time.Hour)},
		{InviteID: 1<<63 - 1, EventID: 1<<63 - 1, LinkVersion: 1<<32 - 1, Expires: time.Date(2099, 12, 31, 23, 59, 0, 0, time.UTC)},
	}
	for _, c := range tests {
		tok, err := s.Sign(c)
		if err != nil {
			t.Fatalf("Sign(%+v): %v", c, err)
		}
		if len(tok) > 56 {
			t.Errorf("token %q is %d chars, over maxLinkToken %d", tok, len(tok), maxLinkToken)
		}
		got, err := s.Verify(tok, linkNow)
		if err != nil {
			t.Fatalf("Verify(%q): %v", tok, err)
		}
		if got != c {
			t.Errorf("Verify(%q) = %+v, want %+v", tok, got, c)
		}
	}
}

func TestSignTruncatesExpiryToMinute(t *testing.T) {
	s := testSigner(t, key(1, 'a'))
	exp := linkNow.Add(90*time.Minute + 59*time.Second)
	tok, err := s.Sign(LinkClaims{InviteID: 7, EventID: 9, Expires: exp})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Verify(tok, linkNow)
	if err != nil {
		t.Fatal(err)
	}
	if want := linkNow.Add(90 * time.Minute); !got.Expires.Equal(want) {
		t.Errorf("Expires = %v, want %v", got.Expires, want)
	}
}

func TestTypicalTokenLength(t *testing.T) {
	s := testSigner(t, key(1, 'a'))
	tok, err := s.Sign(LinkClaims{InviteID: 3_000_000, EventID: 12_345, LinkVersion: 1, Expires: linkNow.Add(60 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) != 30 {
		t.Errorf("typical token %q has %d chars, want 30", tok, len(tok))
	}
	link := InviteURL("https://karyakram.example.in/", tok)
	if want := "https://karyakram.example.in/i/" + tok; link != want {
		t.Errorf("InviteURL = %q, want %q", link, want)
	}
}

// The MAC must be a real HMAC-SHA256 (checked against crypto/hmac), so any
// other implementation holding the key can verify tokens.
func TestMACMatchesCryptoHMAC(t *testing.T) {
	for _, secret := range [][]byte{bytes.Repeat([]byte{'k'}, 32), bytes.Repeat([]byte{'L'}, 100)} {
		s := testSigner(t, LinkKey{ID: 3, Secret: secret})
		tok, err := s.Sign(LinkClaims{InviteID: 42, EventID: 7, LinkVersion: 2, Expires: linkNow.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil {
			t.Fatal(err)
		}
		payload, tag := raw[:len(raw)-LinkMACSize], raw[len(raw)-LinkMACSize:]
		h := hmac.New(sha256.New, secret)
		h.Write([]byte(linkDomain))
		h.Write(payload)
		if want := h.Sum(nil)[:LinkMACSize]; !bytes.Equal(tag, want) {
			t.Errorf("secret len %d: tag %x, crypto/hmac gives %x", len(secret), tag, want)
		}
		if raw[0] != 0x13 {
			t.Errorf("header byte %#x, want format 1 key 3 = 0x13", raw[0])
		}
	}
}

func TestVerifyErrors(t *testing.T) {
	s := testSigner(t, key(2, 'a'))
	claims := LinkClaims{InviteID: 1234, EventID: 56, LinkVersion: 3, Expires: linkNow.Add(time.Hour)}
	good, err := s.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(tok string, i int) string {
		b := []byte(tok)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	other := testSigner(t, key(2, 'b'))
	forged, _ := other.Sign(claims)
	unknownKey := testSigner(t, key(9, 'a'))
	unknown, _ := unknownKey.Sign(claims)

	tests := []struct {
		name    string
		token   string
		now     time.Time
		expired bool
		code    Code
	}{
		{"empty", "", linkNow, false, EUNAUTH},
		{"short", "abc", linkNow, false, EUNAUTH},
		{"too long", strings.Repeat("A", 200), linkNow, false, EUNAUTH},
		{"not base64", strings.Replace(good, good[3:4], "*", 1), linkNow, false, EUNAUTH},
		{"padded", good + "=", linkNow, false, EUNAUTH},
		{"truncated", good[:len(good)-1], linkNow, false, EUNAUTH},
		{"extended", good + "A", linkNow, false, EUNAUTH},
		{"flipped first", flip(good, 0), linkNow, false, EUNAUTH},
		{"flipped middle", flip(good, len(good)/2), linkNow, false, EUNAUTH},
		{"flipped last", flip(good, len(good)-1), linkNow, false, EUNAUTH},
		{"other secret", forged, linkNow, false, EUNAUTH},
		{"unknown key id", unknown, linkNow, false, EUNAUTH},
		{"expired exactly", good, claims.Expires, true, EFORBIDDEN},
		{"expired later", good, claims.Expires.Add(48 * time.Hour), true, EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Verify(tt.token, tt.now)
			if err == nil {
				t.Fatalf("Verify succeeded with %+v", got)
			}
			if IsLinkExpired(err) != tt.expired || IsLinkInvalid(err) == tt.expired {
				t.Errorf("IsLinkExpired=%v IsLinkInvalid=%v, want expired=%v (err %v)", IsLinkExpired(err), IsLinkInvalid(err), tt.expired, err)
			}
			if c := ErrorCode(err); c != tt.code {
				t.Errorf("ErrorCode = %q, want %q", c, tt.code)
			}
			if msg := ErrorMessage(err); msg == "internal error" || !strings.HasPrefix(msg, "link: ") {
				t.Errorf("ErrorMessage = %q, want a user-facing link message", msg)
			}
			if tt.expired && got != claims {
				t.Errorf("expired Verify returned claims %+v, want %+v", got, claims)
			}
			if !tt.expired && got != (LinkClaims{}) {
				t.Errorf("invalid Verify returned claims %+v, want none", got)
			}
		})
	}
}

func TestKeyRotation(t *testing.T) {
	old := testSigner(t, key(1, 'o'))
	rotated := testSigner(t, key(2, 'n'), key(1, 'o'))
	dropped := testSigner(t, key(2, 'n'))
	c := LinkClaims{InviteID: 5, EventID: 6, Expires: linkNow.Add(time.Hour)}
	oldTok, _ := old.Sign(c)
	newTok, _ := rotated.Sign(c)
	if oldTok == newTok {
		t.Fatal("rotated signer made the same token as the old one")
	}
	for _, tc := range []struct {
		name  string
		s     *Signer
		tok   string
		valid bool
	}{
		{"old token, rotated signer", rotated, oldTok, true},
		{"new token, rotated signer", rotated, newTok, true},
		{"new token, old signer", old, newTok, false},
		{"old token, old key dropped", dropped, oldTok, false},
	} {
		_, err := tc.s.Verify(tc.tok, linkNow)
		if (err == nil) != tc.valid {
			t.Errorf("%s: err = %v, want valid=%v", tc.name, err, tc.valid)
		}
	}
}

func TestNewSignerRejectsBadKeys(t *testing.T) {
	tests := []struct {
		name     string
		current  LinkKey
		previous []LinkKey
		field    string
	}{
		{"short secret", LinkKey{ID: 1, Secret: []byte("short")}, nil, "link key"},
		{"id too big", LinkKey{ID: 16, Secret: bytes.Repeat([]byte{1}, 32)}, nil, "link key"},
		{"duplicate id", key(1, 'a'), []LinkKey{key(1, 'b')}, "previous link key 1"},
	}
	for _, tt := range tests {
		_, err := NewSigner(tt.current, tt.previous...)
		var e *Error
		if !errors.As(err, &e) || e.Code != EINVALID || e.Field != tt.field {
			t.Errorf("%s: err = %#v, want EINVALID on field %q", tt.name, err, tt.field)
		}
	}
}

func TestSignRejectsBadClaims(t *testing.T) {
	s := testSigner(t, key(1, 'a'))
	for _, c := range []LinkClaims{
		{InviteID: -1, Expires: linkNow},
		{EventID: -5, Expires: linkNow},
		{InviteID: 1},
	} {
		if _, err := s.Sign(c); ErrorCode(err) != EINVALID {
			t.Errorf("Sign(%+v) err = %v, want EINVALID", c, err)
		}
	}
}

func TestCheckRevoked(t *testing.T) {
	c := LinkClaims{InviteID: 1, EventID: 2, LinkVersion: 3}
	tests := []struct {
		name          string
		eventVersion  uint32
		inviteRevoked bool
		revoked       bool
	}{
		{"current", 3, false, false},
		{"event version older (never lowered)", 2, false, false},
		{"event version bumped", 4, false, true},
		{"invite revoked", 3, true, true},
	}
	for _, tt := range tests {
		err := c.CheckRevoked(tt.eventVersion, tt.inviteRevoked)
		if IsLinkRevoked(err) != tt.revoked {
			t.Errorf("%s: err = %v, want revoked=%v", tt.name, err, tt.revoked)
		}
		if tt.revoked && (ErrorCode(err) != EFORBIDDEN || IsLinkExpired(err) || IsLinkInvalid(err)) {
			t.Errorf("%s: err %v has code %q or wrong kind", tt.name, err, ErrorCode(err))
		}
	}
}

func TestVerifyDoesNotAllocate(t *testing.T) {
	s := testSigner(t, key(1, 'a'))
	tok, _ := s.Sign(LinkClaims{InviteID: 3_000_000, EventID: 12_345, LinkVersion: 1, Expires: linkNow.Add(time.Hour)})
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := s.Verify(tok, linkNow); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Verify allocates %v times per call, want 0", allocs)
	}
}

func FuzzVerify(f *testing.F) {
	s := testSigner(f, key(1, 'a'))
	for _, c := range []LinkClaims{
		{InviteID: 1, EventID: 1, Expires: linkNow.Add(time.Hour)},
		{InviteID: 3_000_000, EventID: 12_345, LinkVersion: 7, Expires: linkNow.Add(-time.Hour)},
	} {
		tok, _ := s.Sign(c)
		f.Add(tok)
	}
	f.Add("")
	f.Add("EQ")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := s.Verify(tok, linkNow)
		switch {
		case err == nil:
			// Anything accepted must be exactly what we would sign.
			again, serr := s.Sign(c)
			if serr != nil || again != tok {
				t.Fatalf("accepted %q as %+v, but Sign gives %q (%v)", tok, c, again, serr)
			}
		case IsLinkExpired(err):
			again, _ := s.Sign(c)
			if again != tok {
				t.Fatalf("expired %q re-signs as %q", tok, again)
			}
		case !IsLinkInvalid(err):
			t.Fatalf("Verify(%q) error %v is neither expired nor invalid", tok, err)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	s := testSigner(b, key(1, 'a'))
	tok, _ := s.Sign(LinkClaims{InviteID: 3_000_000, EventID: 12_345, LinkVersion: 1, Expires: linkNow.Add(time.Hour)})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Verify(tok, linkNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	s := testSigner(b, key(1, 'a'))
	c := LinkClaims{InviteID: 3_000_000, EventID: 12_345, LinkVersion: 1, Expires: linkNow.Add(time.Hour)}
	b.ReportAllocs()
	for b.Loop() {
		c.InviteID++
		if _, err := s.Sign(c); err != nil {
			b.Fatal(err)
		}
	}
}
