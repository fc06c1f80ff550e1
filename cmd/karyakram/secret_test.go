package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

var inviteLinkRE = regexp.MustCompile(`/i/[A-Za-z0-9_-]+`)

// TestInviteLinkSurvivesRestartAndRotation is the new user's case: no
// KARYAKRAM_SECRET. A personal link sent by one run of the server opens
// its RSVP page after a restart, and still after `karyakram secret rotate`
// and another restart.
func TestInviteLinkSurvivesRestartAndRotation(t *testing.T) {
	ctx := context.Background()
	texts := make(chan string, 64)
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		texts <- r.PostForm.Get("text")
	}))
	defer gw.Close()
	dsn := storetest.DSN(t)
	env := map[string]string{"KARYAKRAM_DSN": dsn, "KARYAKRAM_SMS_URL": gw.URL}
	getenv := func(k string) string { return env[k] }

	// The organisation and an event, as an import and an official would
	// make them.
	st, err := store.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.Seed(t, st)
	d1, err := st.FindUnitByCode(ctx, schedule.SystemActor("t"), "D1-A1-M1-C1-S1-B1")
	if err != nil {
		t.Fatal(err)
	}
	start := testclock.Day(3, 11, 0)
	ev, err := st.CreateEvent(ctx, schedule.SystemActor("t"), schedule.Event{UnitID: d1.ID, Type: "meeting", Title: "Booth committee",
		TitleHi: "बूथ समिति", Venue: schedule.Venue{Name: "School"}, Start: start, End: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}

	// First run: it makes and stores the link key, and its outbox sends
	// the invitations with their links.
	base, stop := runServer(t, getenv, "serve")
	if _, err := st.SendInvites(ctx, schedule.SystemActor("t"), ev.Event.ID, store.Audience{UnitIDs: []int64{d1.ID}, Channel: schedule.ChannelSMS}); err != nil {
		t.Fatal(err)
	}
	var link string
	select {
	case text := <-texts:
		link = inviteLinkRE.FindString(text)
	case <-time.After(20 * time.Second):
		t.Fatal("no invitation reached the SMS gateway")
	}
	if link == "" {
		t.Fatal("the invitation has no personal link")
	}
	opens := func(base string) bool {
		t.Helper()
		resp, err := http.Get(base + link)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK && bytes.Contains(body, []byte(`id="rsvp"`))
	}
	if !opens(base) {
		t.Fatal("the link does not open on the server that sent it")
	}
	stop()

	// After a restart, with nothing configured, the same link opens.
	base, stop = runServer(t, getenv, "serve")
	if !opens(base) {
		t.Fatal("the link died with the restart")
	}
	if resp, err := http.Get(base + link[:len(link)-2] + "AA"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("an altered link: %v %v, want 404", resp.StatusCode, err)
	}
	stop()

	// A rotation keeps it working through the grace period.
	var out, errOut strings.Builder
	if err := Run(ctx, []string{"secret", "rotate", "-grace", "240h"}, getenv, &out, &errOut); err != nil {
		t.Fatalf("secret rotate: %v %s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "new link key") {
		t.Errorf("rotate says %q", out.String())
	}
	out.Reset()
	if err := Run(ctx, []string{"secret", "status"}, getenv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if strings.Count(out.String(), "\n") != 2 || !strings.Contains(out.String(), "(pending)") || !strings.Contains(out.String(), "(verifies)") {
		t.Errorf("status:\n%s", out.String())
	}
	keys, _ := st.LinkKeys(ctx)
	for _, k := range keys {
		if strings.Contains(out.String()+errOut.String(), string(k.Secret)) || strings.Contains(out.String()+errOut.String(), hex.EncodeToString(k.Secret)) {
			t.Fatal("a secret was printed")
		}
	}
	base, stop = runServer(t, getenv, "serve")
	defer stop()
	if !opens(base) {
		t.Fatal("the link died with the rotation")
	}
}
