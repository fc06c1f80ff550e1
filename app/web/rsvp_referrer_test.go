package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// The RSVP page's address is the invitee's credential and the page links
// out (Google Calendar, a join address): every answer from /i/<token>,
// not only the first GET, must tell the browser not to send it on.
func TestRSVPPagesSendNoReferrer(t *testing.T) {
	e, signer := newInviteEnv(t)
	ctx := context.Background()
	ev := createEvent(t, e.st, "D1", testclock.Now().Add(72*time.Hour))
	if _, err := e.st.SendInvites(ctx, schedule.SystemActor("t"), ev, store.Audience{UnitIDs: []int64{unitID(t, e.st, "D1")}, Channel: schedule.ChannelSMS}); err != nil {
		t.Fatal(err)
	}
	rows, _, err := e.st.ListInvites(ctx, schedule.SystemActor("t"), ev, store.InviteFilter{})
	if err != nil || len(rows) == 0 {
		t.Fatal(err)
	}
	tok, err := signer.Sign(schedule.LinkClaims{InviteID: rows[0].ID, EventID: ev, LinkVersion: 1, Expires: testclock.Now().Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	anon := e.browser()
	resp, _ := anon.get("/i/" + tok)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("GET: %d, Referrer-Policy %q", resp.StatusCode, resp.Header.Get("Referrer-Policy"))
	}
	resp, _ = anon.post("/i/"+tok, url.Values{"rsvp": {store.RSVPGoing}})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("POST: %d, Referrer-Policy %q", resp.StatusCode, resp.Header.Get("Referrer-Policy"))
	}
}
