package conferencing

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/livekit/protocol/auth"
)

const (
	testKey    = "devkey"
	testSecret = "secret"
)

func ptr(b bool) *bool { return &b }

// sdkToken mints with the LiveKit Go SDK and returns the token with the
// issue time it used (the SDK reads time.Now itself). It retries when the
// SDK's two time.Now calls straddle a second, so exp-nbf == ttl.
func sdkToken(t testing.TB, c Claims, ttl time.Duration) (string, time.Time) {
	t.Helper()
	for range 5 {
		at := auth.NewAccessToken(testKey, testSecret).SetValidFor(ttl).
			SetIdentity(c.Identity).SetName(c.Name).SetMetadata(c.Metadata).SetAttributes(c.Attributes)
		if c.Video != nil {
			at.SetVideoGrant(c.Video)
		}
		tok, err := at.ToJWT()
		if err != nil {
			t.Fatalf("sdk ToJWT: %v", err)
		}
		parts := strings.Split(tok, ".")
		raw, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatalf("decode sdk payload: %v", err)
		}
		var p struct{ Nbf, Exp int64 }
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatalf("parse sdk payload %s: %v", raw, err)
		}
		if time.Duration(p.Exp-p.Nbf)*time.Second == ttl {
			return tok, time.Unix(p.Nbf, 0)
		}
	}
	t.Fatal("sdk token kept straddling a second boundary")
	return "", time.Time{}
}

func TestMinterMatchesSDKByteForByte(t *testing.T) {
	m, err := NewMinter(testKey, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		c    Claims
	}{
		{"listener", Claims{Identity: "w-1", Name: "Ramesh", Video: &auth.VideoGrant{RoomJoin: true, Room: "addr-7-d12-1", CanSubscribe: ptr(true), CanPublish: ptr(false), CanPublishData: ptr(false)}}},
		{"no identity", Claims{Video: &auth.VideoGrant{RoomCreate: true, RoomList: true}}},
		{"empty grant", Claims{Identity: "x", Video: &auth.VideoGrant{}}},
		{"no grant", Claims{Identity: "x"}},
		{"html and control", Claims{Identity: "a<b>&c", Name: "q\"uote\\ \n\r\t\x00\x1f\x7f", Metadata: `{"k":"<v>"}`, Video: &auth.VideoGrant{Room: "r&<>"}}},
		{"unicode", Claims{Identity: "कार्यकर्ता-१", Name: "ತೆಲುಗು 😀 \u2028\u2029 é", Video: &auth.VideoGrant{RoomJoin: true, Room: "ఘట్టం"}}},
		{"invalid utf8", Claims{Identity: "bad\xff\xfe", Name: "\xc3", Metadata: "ok\xed\xa0\x80"}},
		{"attributes", Claims{Identity: "w", Attributes: map[string]string{"district": "12", "b<": "&", "a": "", "Z": "é", "mandal": "3", "x1": "1", "x2": "2", "x3": "3", "x4": "4", "x5": "5"}}},
		{"every video field", Claims{Identity: "all", Video: &auth.VideoGrant{
			RoomCreate: true, RoomList: true, RoomRecord: true, RoomAdmin: true, RoomJoin: true, Room: "r",
			CanPublish: ptr(true), CanSubscribe: ptr(false), CanPublishData: ptr(true),
			CanPublishSources: []string{"microphone", "camera"}, CanUpdateOwnMetadata: ptr(false),
			IngressAdmin: true, Hidden: true, Recorder: true, Agent: true, CanSubscribeMetrics: ptr(true), DestinationRoom: "d",
		}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, ttl := range []time.Duration{6 * time.Hour, 90 * time.Second} {
				want, at := sdkToken(t, tc.c, ttl)
				got := m.MintClaims(tc.c, at, ttl)
				if got != want {
					t.Errorf("ttl %v:\n got %s\nwant %s\n got payload %s\nwant payload %s", ttl, got, want, payload(t, got), payload(t, want))
				}
			}
		})
	}
}

func TestMinterRolesMatchSDK(t *testing.T) {
	m, err := NewMinter(testKey, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	grants := map[Role]*auth.VideoGrant{
		RoleListener:  {RoomJoin: true, Room: "r1", CanSubscribe: ptr(true), CanPublish: ptr(false), CanPublishData: ptr(false)},
		RoleSpeaker:   {RoomJoin: true, Room: "r1", CanSubscribe: ptr(true), CanPublish: ptr(true), CanPublishData: ptr(true)},
		RoleModerator: {RoomJoin: true, Room: "r1", RoomAdmin: true, CanSubscribe: ptr(true), CanPublish: ptr(false), CanPublishData: ptr(true)},
	}
	for role, g := range grants {
		t.Run(role.String(), func(t *testing.T) {
			want, at := sdkToken(t, Claims{Identity: "w-9", Name: "N", Video: g}, DefaultTokenTTL)
			got, err := m.MintAt(TokenRequest{Identity: "w-9", Name: "N", Room: "r1", Role: role}, at)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("\n got %s\nwant %s", payload(t, got), payload(t, want))
			}
			// The SDK's own verifier accepts it and sees the grant.
			v, err := auth.ParseAPIToken(got)
			if err != nil {
				t.Fatal(err)
			}
			claims, err := v.Verify(testSecret)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if claims.Identity != "w-9" || claims.Video.Room != "r1" || claims.Video.GetCanPublish() != (role == RoleSpeaker) {
				t.Errorf("claims after verify: %+v video %+v", claims, claims.Video)
			}
			if role == RoleListener && (claims.Video.GetCanPublishData() || !claims.Video.GetCanSubscribe() || claims.Video.Hidden) {
				t.Errorf("listener grant too wide: %+v", claims.Video)
			}
		})
	}
}

func TestMinterRejectsBadRequests(t *testing.T) {
	if _, err := NewMinter("", "s"); err == nil {
		t.Error("NewMinter with empty key: want error")
	}
	m, _ := NewMinter(testKey, testSecret)
	for _, req := range []TokenRequest{
		{Room: "r", Role: RoleListener},
		{Identity: "w", Role: RoleListener},
		{Identity: "w", Room: "r"},
		{Identity: "w", Room: "r", Role: 99},
	} {
		if tok, err := m.Mint(req); err == nil {
			t.Errorf("Mint(%+v) = %q, want error", req, tok)
		}
	}
}

func TestMinterWrongSecretFailsVerify(t *testing.T) {
	m, _ := NewMinter(testKey, "other-secret")
	tok, err := m.Mint(TokenRequest{Identity: "w", Room: "r", Role: RoleListener})
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.ParseAPIToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(testSecret); err == nil {
		t.Error("token signed with another secret verified")
	}
}

func FuzzMinterMatchesSDK(f *testing.F) {
	f.Add("w-1", "Name", "meta", "room")
	f.Add("<&>", "\x00\xff", "\u2028", "é")
	m, _ := NewMinter(testKey, testSecret)
	f.Fuzz(func(t *testing.T, id, name, meta, room string) {
		c := Claims{Identity: id, Name: name, Metadata: meta, Video: &auth.VideoGrant{RoomJoin: true, Room: room, CanSubscribe: ptr(true)}}
		want, at := sdkToken(t, c, time.Hour)
		if got := m.MintClaims(c, at, time.Hour); got != want {
			t.Errorf("mismatch:\n got %s\nwant %s", payload(t, got), payload(t, want))
		}
	})
}

func payload(t testing.TB, tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "not a JWT: " + tok
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "bad base64: " + err.Error()
	}
	return string(b)
}

func BenchmarkMintListener(b *testing.B) {
	m, _ := NewMinter(testKey, testSecret)
	req := TokenRequest{Identity: "w-1234567", Name: "Ramesh Kumar", Room: "addr-42-d17-3", Role: RoleListener}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Mint(req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSDKToJWTListener(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		at := auth.NewAccessToken(testKey, testSecret).SetIdentity("w-1234567").SetName("Ramesh Kumar").SetValidFor(DefaultTokenTTL)
		at.SetVideoGrant(&auth.VideoGrant{RoomJoin: true, Room: "addr-42-d17-3", CanSubscribe: ptr(true), CanPublish: ptr(false), CanPublishData: ptr(false)})
		if _, err := at.ToJWT(); err != nil {
			b.Fatal(err)
		}
	}
}
