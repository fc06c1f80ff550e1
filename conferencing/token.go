package conferencing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/livekit/protocol/auth"
)

// DefaultTokenTTL is how long a minted token is valid when the request does
// not say. Tokens are only needed to join; LiveKit keeps a joined
// participant connected past expiry and refreshes the token itself.
const DefaultTokenTTL = 10 * time.Minute

// Role is what a participant may do in a room.
type Role int

// Roles. Listener is the zero-risk default for the millions joining a mass
// address: subscribe only, no publishing of media or data.
const (
	// RoleListener may subscribe only: canSubscribe true, canPublish false,
	// canPublishData false, visible to others (hidden false).
	RoleListener Role = iota + 1
	// RoleSpeaker may publish audio, video and data and subscribe.
	RoleSpeaker
	// RoleModerator is a room admin (mute, remove) who subscribes and may
	// send data but does not publish media.
	RoleModerator
)

// String returns the role's lower-case name.
func (r Role) String() string {
	switch r {
	case RoleListener:
		return "listener"
	case RoleSpeaker:
		return "speaker"
	case RoleModerator:
		return "moderator"
	}
	return "Role(" + strconv.Itoa(int(r)) + ")"
}

// TokenRequest is one participant's ticket into one room.
type TokenRequest struct {
	Identity string // unique per room, e.g. schedule.ListenerIdentity(12345) = "w12345"
	Name     string // display name, optional
	Room     string
	Role     Role
	Metadata string            // optional, opaque to LiveKit
	Attrs    map[string]string // optional participant attributes
	TTL      time.Duration     // validity; DefaultTokenTTL when zero
}

// Claims is the subset of LiveKit's auth.ClaimGrants the Minter can encode.
// Fields mirror auth.ClaimGrants; Video uses the SDK's own grant type so
// every video permission can be expressed.
type Claims struct {
	Identity   string
	Name       string
	Metadata   string
	Attributes map[string]string
	Video      *auth.VideoGrant
}

// Minter mints LiveKit access tokens (JWT, HS256) fast. Its output is
// byte-identical to auth.AccessToken.ToJWT from the LiveKit Go SDK for the
// same claims and the same second: the claims JSON is written directly in
// the order and escaping go-jose produces (top-level and nested keys sorted,
// HTML-escaped strings), the header segment is precomputed, and HMAC states
// are pooled. A Minter is safe for concurrent use.
type Minter struct {
	apiKey string
	secret []byte
	now    func() time.Time
	pool   sync.Pool // of *mintState
}

// mintState is the per-call scratch space, pooled.
type mintState struct {
	mac     hash.Hash
	payload []byte
	out     []byte
	sum     [sha256.Size]byte
}

// jwtHeader is base64url({"alg":"HS256","typ":"JWT"}) followed by the dot,
// exactly as go-jose serialises the protected header.
const jwtHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."

// MinterOption configures a Minter.
type MinterOption func(*Minter)

// WithClock makes the Minter read the time from now instead of time.Now.
func WithClock(now func() time.Time) MinterOption {
	return func(m *Minter) { m.now = now }
}

// NewMinter returns a Minter signing with the given API key pair.
func NewMinter(apiKey, apiSecret string, opts ...MinterOption) (*Minter, error) {
	if apiKey == "" || apiSecret == "" {
		return nil, errors.New("conferencing: new minter: API key and secret are required")
	}
	m := &Minter{apiKey: apiKey, secret: []byte(apiSecret), now: time.Now}
	for _, o := range opts {
		o(m)
	}
	m.pool.New = func() any {
		return &mintState{
			mac:     hmac.New(sha256.New, m.secret),
			payload: make([]byte, 0, 512),
			out:     make([]byte, 0, 1024),
		}
	}
	return m, nil
}

// Mint returns a token for req, valid from now for req.TTL.
func (m *Minter) Mint(req TokenRequest) (string, error) {
	return m.MintAt(req, m.now())
}

// MintAt is Mint with an explicit issue time (nbf).
func (m *Minter) MintAt(req TokenRequest, now time.Time) (string, error) {
	if req.Identity == "" {
		return "", errors.New("conferencing: mint token: identity is empty")
	}
	if req.Room == "" {
		return "", fmt.Errorf("conferencing: mint token for %q: room is empty", req.Identity)
	}
	yes, no := true, false
	v := auth.VideoGrant{RoomJoin: true, Room: req.Room}
	switch req.Role {
	case RoleListener:
		v.CanSubscribe, v.CanPublish, v.CanPublishData = &yes, &no, &no
	case RoleSpeaker:
		v.CanSubscribe, v.CanPublish, v.CanPublishData = &yes, &yes, &yes
	case RoleModerator:
		v.RoomAdmin = true
		v.CanSubscribe, v.CanPublish, v.CanPublishData = &yes, &no, &yes
	default:
		return "", fmt.Errorf("conferencing: mint token for %q: unknown role %d", req.Identity, int(req.Role))
	}
	c := Claims{Identity: req.Identity, Name: req.Name, Metadata: req.Metadata, Attributes: req.Attrs, Video: &v}
	ttl := req.TTL
	if ttl <= 0 {
		ttl = DefaultTokenTTL
	}
	return m.mint(&c, now, ttl), nil
}

// MintClaims signs arbitrary claims valid from now for ttl (the SDK's
// default of 6 hours when ttl is zero, as auth.AccessToken does). It exists
// for server-side tokens and for checking byte-identity with the SDK.
func (m *Minter) MintClaims(c Claims, now time.Time, ttl time.Duration) string {
	if ttl <= 0 {
		ttl = 6 * time.Hour
	}
	return m.mint(&c, now, ttl)
}

func (m *Minter) mint(c *Claims, now time.Time, ttl time.Duration) string {
	st := m.pool.Get().(*mintState)
	defer m.pool.Put(st)

	st.payload = appendClaimsJSON(st.payload[:0], m.apiKey, now.Unix(), now.Add(ttl).Unix(), c)

	n := len(jwtHeader) + base64.RawURLEncoding.EncodedLen(len(st.payload))
	out := append(st.out[:0], jwtHeader...)
	out = base64.RawURLEncoding.AppendEncode(out, st.payload)

	st.mac.Reset()
	st.mac.Write(out[:n])
	sum := st.mac.Sum(st.sum[:0])

	out = append(out, '.')
	out = base64.RawURLEncoding.AppendEncode(out, sum)
	st.out = out
	return string(out)
}

// appendClaimsJSON writes the claims object the way go-jose's jwt builder
// does for auth.AccessToken: jwt.Claims and auth.ClaimGrants are merged
// into one map, so keys come out sorted bytewise, and strings use go-jose's
// HTML-safe escaping after a decode round trip (invalid UTF-8 becomes a raw
// U+FFFD).
func appendClaimsJSON(b []byte, iss string, nbf, exp int64, c *Claims) []byte {
	b = append(b, '{')
	first := true
	key := func(b []byte, k string) []byte {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, k...)
		return append(b, '"', ':')
	}
	if len(c.Attributes) > 0 {
		b = key(b, "attributes")
		b = appendStringMap(b, c.Attributes)
	}
	b = key(b, "exp")
	b = strconv.AppendInt(b, exp, 10)
	if c.Identity != "" {
		b = key(b, "identity")
		b = appendJSONString(b, c.Identity)
	}
	b = key(b, "iss")
	b = appendJSONString(b, iss)
	if c.Metadata != "" {
		b = key(b, "metadata")
		b = appendJSONString(b, c.Metadata)
	}
	if c.Name != "" {
		b = key(b, "name")
		b = appendJSONString(b, c.Name)
	}
	b = key(b, "nbf")
	b = strconv.AppendInt(b, nbf, 10)
	if c.Identity != "" {
		b = key(b, "sub")
		b = appendJSONString(b, c.Identity)
	}
	if c.Video != nil {
		b = key(b, "video")
		b = appendVideoGrant(b, c.Video)
	}
	return append(b, '}')
}

// appendVideoGrant writes the grant with its keys sorted, omitting empty
// values as the SDK's omitempty tags do.
func appendVideoGrant(b []byte, v *auth.VideoGrant) []byte {
	b = append(b, '{')
	first := true
	key := func(b []byte, k string) []byte {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, k...)
		return append(b, '"', ':')
	}
	flag := func(b []byte, k string, on bool) []byte {
		if on {
			b = key(b, k)
			b = append(b, "true"...)
		}
		return b
	}
	ptr := func(b []byte, k string, p *bool) []byte {
		if p != nil {
			b = key(b, k)
			b = strconv.AppendBool(b, *p)
		}
		return b
	}
	str := func(b []byte, k, s string) []byte {
		if s != "" {
			b = key(b, k)
			b = appendJSONString(b, s)
		}
		return b
	}
	b = flag(b, "agent", v.Agent)
	b = ptr(b, "canPublish", v.CanPublish)
	b = ptr(b, "canPublishData", v.CanPublishData)
	if len(v.CanPublishSources) > 0 {
		b = key(b, "canPublishSources")
		b = append(b, '[')
		for i, s := range v.CanPublishSources {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		b = append(b, ']')
	}
	b = ptr(b, "canSubscribe", v.CanSubscribe)
	b = ptr(b, "canSubscribeMetrics", v.CanSubscribeMetrics)
	b = ptr(b, "canUpdateOwnMetadata", v.CanUpdateOwnMetadata)
	b = str(b, "destinationRoom", v.DestinationRoom)
	b = flag(b, "hidden", v.Hidden)
	b = flag(b, "ingressAdmin", v.IngressAdmin)
	b = flag(b, "recorder", v.Recorder)
	b = str(b, "room", v.Room)
	b = flag(b, "roomAdmin", v.RoomAdmin)
	b = flag(b, "roomCreate", v.RoomCreate)
	b = flag(b, "roomJoin", v.RoomJoin)
	b = flag(b, "roomList", v.RoomList)
	b = flag(b, "roomRecord", v.RoomRecord)
	return append(b, '}')
}

// appendStringMap writes m with keys sorted bytewise, as encoding/json and
// go-jose sort map keys.
func appendStringMap(b []byte, m map[string]string) []byte {
	var small [8]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, m[k])
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s like go-jose's json encoder applied to the
// decoded form of its own output: <, >, & and control characters are
// \u00XX-escaped (except \n, \r, \t, \\ and \"), U+2028/U+2029 are escaped,
// and invalid UTF-8 bytes become a raw U+FFFD (the first encoding writes
// \ufffd, the decode turns it into the character, the final encoding
// writes the character as is).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if 0x20 <= c && c != '\\' && c != '"' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
