package schedule

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
)

// Invite links are personal, signed and checked without a database: the
// token carries everything the RSVP page needs to find the invite, and a
// truncated HMAC-SHA256 proves the server made it.
//
// Token layout before base64url (no padding) encoding:
//
//	byte 0      format version (high 4 bits) | key ID (low 4 bits)
//	uvarint     invite ID
//	uvarint     event ID
//	uvarint     event link version
//	uvarint     expiry, minutes since the Unix epoch (UTC)
//	10 bytes    HMAC-SHA256(key, "karyakram/invite/v1\x00" || preceding bytes)[:10]
//
// A typical token (invite 3,000,000, event 12,345, version 1, expiry in
// 2026) is 22 bytes, 30 characters; the largest valid one is 42 bytes, 56
// characters. "https://k.example.in/i/" plus a token stays near 53
// characters: a Hindi SMS (67 UTF-16 units a segment) keeps most of its
// room for the message.

const (
	// linkFormat is the token format version carried in the high nibble of
	// the first byte.
	linkFormat = 1
	// LinkMACSize is the number of HMAC-SHA256 bytes kept in a token
	// (80 bits).
	LinkMACSize = 10
	// MaxLinkKeyID is the largest key ID a LinkKey may have (4 bits).
	MaxLinkKeyID = 15
	// MinLinkKeyLen is the shortest secret a LinkKey accepts.
	MinLinkKeyLen = 32
	// maxLinkPayload is the largest possible payload: header byte, three
	// 10-byte uvarints (uint64) and one 5-byte uvarint (uint32).
	maxLinkPayload = 1 + 3*binary.MaxVarintLen64 + binary.MaxVarintLen32
	// maxLinkToken is the longest valid token in characters.
	maxLinkToken = (maxLinkPayload + LinkMACSize) * 4 / 3
	// sha256Block is SHA-256's block size, the HMAC pad length.
	sha256Block = 64
	// linkDomain separates invite-link MACs from any other use of the key.
	linkDomain = "karyakram/invite/v1\x00"
)

// LinkClaims is what an invite link asserts. Verify returns it so the caller
// can check revocation: an invite revoked individually, or an event whose
// current link version is greater than LinkVersion (bumping the event's
// version revokes all its links at once).
type LinkClaims struct {
	InviteID    int64 // must be >= 0
	EventID     int64 // must be >= 0
	LinkVersion uint32
	// Expires is when the link stops working; tokens keep minute
	// precision, so Sign truncates it to the minute.
	Expires time.Time
}

// LinkKey is one HMAC secret with the ID that tokens carry so keys can be
// rotated: sign with the new key while still accepting the previous ones.
type LinkKey struct {
	ID     uint8
	Secret []byte
}

// Signer signs and verifies invite-link tokens. It is safe for concurrent
// use: its keys are read-only precomputed state, swapped whole by Rekey.
type Signer struct {
	keys atomic.Pointer[signerKeys]
}

// signerKeys is one generation of a Signer's keys.
type signerKeys struct {
	current uint8
	keys    [MaxLinkKeyID + 1]*linkKeyState
}

// linkKeyState holds the HMAC inner and outer pad blocks for one key, so
// each MAC is two sha256.Sum256 calls over stack buffers and allocates
// nothing.
type linkKeyState struct {
	ipad, opad [sha256Block]byte
}

// NewSigner returns a Signer that signs with current and verifies tokens
// made with current or any of previous. Key IDs must be unique and at most
// MaxLinkKeyID, secrets at least MinLinkKeyLen bytes.
func NewSigner(current LinkKey, previous ...LinkKey) (*Signer, error) {
	s := &Signer{}
	if err := s.Rekey(current, previous...); err != nil {
		return nil, err
	}
	return s, nil
}

// Rekey replaces the signer's keys, as NewSigner sets them, while it is in
// use (a key rotation picked up by a running server). On error the old
// keys stay.
func (s *Signer) Rekey(current LinkKey, previous ...LinkKey) error {
	ks := &signerKeys{current: current.ID}
	for i, k := range append([]LinkKey{current}, previous...) {
		field := "link key"
		if i > 0 {
			field = fmt.Sprintf("previous link key %d", i)
		}
		if k.ID > MaxLinkKeyID {
			return FieldError(field, "key ID %d is above %d", k.ID, MaxLinkKeyID)
		}
		if len(k.Secret) < MinLinkKeyLen {
			return FieldError(field, "secret is %d bytes, need at least %d", len(k.Secret), MinLinkKeyLen)
		}
		if ks.keys[k.ID] != nil {
			return FieldError(field, "key ID %d is used twice", k.ID)
		}
		ks.keys[k.ID] = newLinkKeyState(k.Secret)
	}
	s.keys.Store(ks)
	return nil
}

func newLinkKeyState(secret []byte) *linkKeyState {
	var k [sha256Block]byte
	if len(secret) > sha256Block {
		sum := sha256.Sum256(secret)
		copy(k[:], sum[:])
	} else {
		copy(k[:], secret)
	}
	st := &linkKeyState{}
	for i := range k {
		st.ipad[i] = k[i] ^ 0x36
		st.opad[i] = k[i] ^ 0x5c
	}
	return st
}

// mac computes HMAC-SHA256(key, linkDomain || payload) without allocating.
func (st *linkKeyState) mac(payload []byte) [sha256.Size]byte {
	var inner [sha256Block + len(linkDomain) + maxLinkPayload]byte
	n := copy(inner[:], st.ipad[:])
	n += copy(inner[n:], linkDomain)
	n += copy(inner[n:], payload)
	ih := sha256.Sum256(inner[:n])
	var outer [sha256Block + sha256.Size]byte
	copy(outer[:], st.opad[:])
	copy(outer[sha256Block:], ih[:])
	return sha256.Sum256(outer[:])
}

// Sign returns the token for c, signed with the current key. Expires is
// truncated to the minute and must lie after the Unix epoch.
func (s *Signer) Sign(c LinkClaims) (string, error) {
	if c.InviteID < 0 || c.EventID < 0 {
		return "", FieldError("link", "invite ID %d and event ID %d must not be negative", c.InviteID, c.EventID)
	}
	if c.Expires.Unix() <= 0 {
		return "", FieldError("expires", "invite link expiry %v is not a valid time", c.Expires)
	}
	var buf [maxLinkPayload + LinkMACSize]byte
	ks := s.keys.Load()
	buf[0] = linkFormat<<4 | ks.current
	n := 1
	n += binary.PutUvarint(buf[n:], uint64(c.InviteID))
	n += binary.PutUvarint(buf[n:], uint64(c.EventID))
	n += binary.PutUvarint(buf[n:], uint64(c.LinkVersion))
	n += binary.PutUvarint(buf[n:], uint64(c.Expires.Unix()/60))
	sum := ks.keys[ks.current].mac(buf[:n])
	n += copy(buf[n:], sum[:LinkMACSize])
	return base64.RawURLEncoding.EncodeToString(buf[:n]), nil
}

// Verify checks token's signature and expiry at now and returns its claims.
// It needs no database; the caller still checks revocation with
// LinkClaims.CheckRevoked.
//
// Errors: an altered, truncated or unknown-key token gives an EUNAUTH
// *Error (IsLinkInvalid); a genuine but expired token gives an EFORBIDDEN
// *Error (IsLinkExpired) together with its claims, so the page can say
// which event the expired link was for. Verify allocates only on error.
func (s *Signer) Verify(token string, now time.Time) (LinkClaims, error) {
	if len(token) < 4 || len(token) > maxLinkToken {
		return LinkClaims{}, errLinkInvalid("wrong length")
	}
	// The decoder skips \r and \n; refuse them (and anything else outside
	// the alphabet) so exactly one string verifies per token.
	var src [maxLinkToken]byte
	for i := 0; i < len(token); i++ {
		b := token[i]
		if !('A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '-' || b == '_') {
			return LinkClaims{}, errLinkInvalid("not base64url")
		}
		src[i] = b
	}
	var buf [maxLinkPayload + LinkMACSize + 3]byte
	n, err := base64.RawURLEncoding.Strict().Decode(buf[:], src[:len(token)])
	if err != nil || n < 1+4+LinkMACSize {
		return LinkClaims{}, errLinkInvalid("not base64url")
	}
	if buf[0]>>4 != linkFormat {
		return LinkClaims{}, errLinkInvalid("unknown format")
	}
	key := s.keys.Load().keys[buf[0]&0x0f]
	if key == nil {
		return LinkClaims{}, errLinkInvalid("unknown key")
	}
	payload, tag := buf[:n-LinkMACSize], buf[n-LinkMACSize:n]
	sum := key.mac(payload)
	if subtle.ConstantTimeCompare(sum[:LinkMACSize], tag) != 1 {
		return LinkClaims{}, errLinkInvalid("bad signature")
	}
	var c LinkClaims
	var fields [4]uint64
	rest := payload[1:]
	for i := range fields {
		v, m := binary.Uvarint(rest)
		if m <= 0 {
			return LinkClaims{}, errLinkInvalid("bad field")
		}
		fields[i], rest = v, rest[m:]
	}
	if len(rest) != 0 || fields[0] > 1<<63-1 || fields[1] > 1<<63-1 || fields[2] > 1<<32-1 || fields[3] > 1<<40 {
		return LinkClaims{}, errLinkInvalid("bad field")
	}
	c.InviteID, c.EventID, c.LinkVersion = int64(fields[0]), int64(fields[1]), uint32(fields[2])
	c.Expires = time.Unix(int64(fields[3])*60, 0).UTC()
	if !now.Before(c.Expires) {
		// The claims carry Expires, for a page to say when in the
		// reader's language and the organisation's zone.
		return c, newLinkError(linkExpired, "expired", "this invite link has expired")
	}
	return c, nil
}

// linkProblem says why a link was refused.
type linkProblem uint8

const (
	linkInvalid linkProblem = iota + 1
	linkExpired
	linkRevoked
)

// linkError is the error of a refused link. It unwraps to the domain *Error
// (EUNAUTH for an invalid link, EFORBIDDEN for an expired or revoked one)
// so ErrorCode and ErrorMessage work; why is a detail for logs only.
type linkError struct {
	problem linkProblem
	why     string
	domain  *Error
}

func newLinkError(p linkProblem, why, message string) error {
	code := EFORBIDDEN
	if p == linkInvalid {
		code = EUNAUTH
	}
	return &linkError{problem: p, why: why, domain: &Error{Code: code, Field: "link", Message: message}}
}

func errLinkInvalid(why string) error {
	return newLinkError(linkInvalid, why, "this invite link is not valid; it may have been copied incompletely or altered")
}

func (e *linkError) Error() string { return e.domain.Error() + " (" + e.why + ")" }

func (e *linkError) Unwrap() error { return e.domain }

func isLinkProblem(err error, p linkProblem) bool {
	var e *linkError
	return errors.As(err, &e) && e.problem == p
}

// IsLinkInvalid reports whether err refuses a tampered, truncated or
// unknown-key token.
func IsLinkInvalid(err error) bool { return isLinkProblem(err, linkInvalid) }

// IsLinkExpired reports whether err refuses a genuine but expired token.
func IsLinkExpired(err error) bool { return isLinkProblem(err, linkExpired) }

// IsLinkRevoked reports whether err is CheckRevoked's refusal.
func IsLinkRevoked(err error) bool { return isLinkProblem(err, linkRevoked) }

// CheckRevoked returns an EFORBIDDEN error (IsLinkRevoked) if the link was
// revoked: the invite itself was revoked, or the event's current link
// version is newer than the one in the link.
func (c LinkClaims) CheckRevoked(eventLinkVersion uint32, inviteRevoked bool) error {
	if inviteRevoked {
		return newLinkError(linkRevoked, "invite revoked", "this invitation has been withdrawn")
	}
	if c.LinkVersion < eventLinkVersion {
		return newLinkError(linkRevoked, fmt.Sprintf("event link version %d < %d", c.LinkVersion, eventLinkVersion),
			"this invite link has been replaced; please use the newest message you received")
	}
	return nil
}

// InviteURL returns the personal link for token under baseURL
// (e.g. "https://k.example.in"): baseURL + "/i/" + token.
func InviteURL(baseURL, token string) string {
	return strings.TrimRight(baseURL, "/") + "/i/" + token
}
