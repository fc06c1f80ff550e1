package conferencing

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/livekit/protocol/auth"
	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/karyakram/karyakram/conferencing/lktest"
)

// twirpCall posts a JSON Twirp request with the given bearer token and
// returns the HTTP status.
func twirpCall(t *testing.T, base, method, token, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/twirp/livekit.RoomService/"+method, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestLiveServerAcceptsMintedTokens(t *testing.T) {
	srv := lktest.Start(t)
	m, err := NewMinter(lktest.APIKey, lktest.APISecret)
	if err != nil {
		t.Fatal(err)
	}

	// A server-side token with room-create rights drives RoomService.
	admin := m.MintClaims(Claims{Video: &auth.VideoGrant{RoomCreate: true, RoomList: true}}, time.Now(), time.Minute)
	if code := twirpCall(t, srv.URL(), "CreateRoom", admin, `{"name":"tok-room"}`); code != http.StatusOK {
		t.Fatalf("CreateRoom with minted admin token: HTTP %d", code)
	}
	// The same call signed with a wrong secret is refused.
	other, _ := NewMinter(lktest.APIKey, "not-the-secret")
	bad := other.MintClaims(Claims{Video: &auth.VideoGrant{RoomCreate: true}}, time.Now(), time.Minute)
	if code := twirpCall(t, srv.URL(), "CreateRoom", bad, `{"name":"tok-room-2"}`); code != http.StatusUnauthorized {
		t.Fatalf("CreateRoom with wrongly signed token: HTTP %d, want 401", code)
	}

	// Participants join with role tokens and get exactly the role's permissions.
	rooms := lksdk.NewRoomServiceClient(srv.URL(), lktest.APIKey, lktest.APISecret)
	for _, tc := range []struct {
		role                            Role
		publish, subscribe, data, admin bool
	}{
		{RoleListener, false, true, false, false},
		{RoleSpeaker, true, true, true, false},
	} {
		identity := "w-" + tc.role.String()
		tok, err := m.Mint(TokenRequest{Identity: identity, Name: "Test " + tc.role.String(), Room: "tok-room", Role: tc.role})
		if err != nil {
			t.Fatal(err)
		}
		room, err := lksdk.ConnectToRoomWithToken(srv.WSURL(), tok, &lksdk.RoomCallback{}, lksdk.WithAutoSubscribe(false))
		if err != nil {
			t.Fatalf("%s joins with minted token: %v", tc.role, err)
		}
		defer room.Disconnect()
		p, err := rooms.GetParticipant(context.Background(), &livekit.RoomParticipantIdentity{Room: "tok-room", Identity: identity})
		if err != nil {
			t.Fatalf("get participant %s: %v", identity, err)
		}
		perm := p.GetPermission()
		if perm.GetCanPublish() != tc.publish || perm.GetCanSubscribe() != tc.subscribe || perm.GetCanPublishData() != tc.data || perm.GetHidden() {
			t.Errorf("%s permissions on the server: %+v", tc.role, perm)
		}
		if p.GetName() != "Test "+tc.role.String() {
			t.Errorf("%s name on the server: %q", tc.role, p.GetName())
		}
	}
}
