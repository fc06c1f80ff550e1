package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/internal/testclock"
)

// TestJoinThroughLinkCountsInTurnout joins two workers of one mandal
// through their /j/ links, reports their joins with the identity the join
// page put in their LiveKit tokens (as livekit-server would), and checks
// that turnout counts both in their own mandal, not only in the room's
// district.
func TestJoinThroughLinkCountsInTurnout(t *testing.T) {
	ctx := context.Background()
	je := newJoinEnv(t)
	now := testclock.Now()
	open, invites := je.address("turnout@test", now.Add(5*time.Minute), "")
	if err := je.dir.Refresh(ctx, now); err != nil {
		t.Fatal(err)
	}
	m1 := unitID(t, je.st, "D1-A1-M1")
	joined := 0
	for id, inv := range invites {
		if mandal, _ := je.st.FindUnitByID(ctx, je.state, m1); !strings.HasPrefix(inv.UnitPath, mandal.Path) || joined == 2 {
			continue
		}
		code, doc, _ := je.open("/j/"+je.link(open.EventID, id, now.Add(24*time.Hour)), "en")
		tok := doc.Find("#join").AttrOr("data-token", "")
		// The fake minter writes "lk:<identity>@<room>".
		identity, room, ok := strings.Cut(strings.TrimPrefix(tok, "lk:"), "@")
		if code != 200 || !ok {
			t.Fatalf("join page %d, token %q", code, tok)
		}
		if _, err := je.st.RecordPresence(ctx, store.PresenceEvent{EventID: fmt.Sprintf("J%d", id), Joined: true, Room: room, Identity: identity, At: now}); err != nil {
			t.Fatal(err)
		}
		joined++
	}
	if joined != 2 {
		t.Fatalf("found %d invites in D1-A1-M1, want 2", joined)
	}
	tu, err := je.st.Turnout(ctx, je.state, open.ID, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	if tu.Total.Joined != 2 {
		t.Errorf("total joined %d, want 2", tu.Total.Joined)
	}
	for _, r := range tu.Mandals {
		if r.Code == "D1-A1-M1" && r.Joined != 2 {
			t.Errorf("mandal D1-A1-M1 joined %d of %d invited, want 2: joins through /j/ are not counted where the worker belongs", r.Joined, r.Invited)
		}
	}
}

// TestRevokedJoinLinkStopsAtOnce: an official revokes an invitation on
// its page; this server refuses the worker's join link right after (the
// directory reloads in the background), without waiting for the
// scheduler's tick. Other servers refuse it at their next tick, at most
// addresses.DefaultTick later (docs/security.md).
func TestRevokedJoinLinkStopsAtOnce(t *testing.T) {
	ctx := context.Background()
	je := newJoinEnv(t)
	now := testclock.Now()
	open, invites := je.address("revoke@test", now.Add(5*time.Minute), "")
	if err := je.dir.Refresh(ctx, now); err != nil {
		t.Fatal(err)
	}
	var id int64
	for k := range invites {
		id = k
		break
	}
	link := "/j/" + je.link(open.EventID, id, now.Add(24*time.Hour))
	if code, _, _ := je.open(link, "en"); code != 200 {
		t.Fatalf("before the revocation: %d", code)
	}
	state := je.browser()
	state.login("9800000001")
	if resp, _ := state.post(fmt.Sprintf("/invites/%d/revoke", id), url.Values{"back": {fmt.Sprintf("/events/%d/invites", open.EventID)}}); resp.StatusCode != 200 {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, _, _ := je.open(link, "en")
		if code == 403 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the revoked link still answers %d five seconds later", code)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
