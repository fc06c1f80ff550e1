package e2e_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/addresses"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// Page-weight budgets, in bytes transferred over the network (headers and
// compressed bodies, every subresource included), for a worker opening a
// link on a cheap phone over a weak network.
const (
	joinPageBudget = 250_000
	rsvpPageBudget = 30_000
)

// pageWeight is what the browser fetched for the current page.
type pageWeight struct {
	Complete  bool `json:"complete"`
	Transfer  int  `json:"transfer"` // all bytes over the network
	Resources []struct {
		Name     string `json:"name"`
		Transfer int    `json:"transfer"`
		Encoded  int    `json:"encoded"`
		Decoded  int    `json:"decoded"`
	} `json:"resources"`
}

// weighJS sums the transfer sizes the browser's resource timing reports for
// the document and everything it loaded (0 for what came from the cache).
const weighJS = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource').map(e => ({name: new URL(e.name).pathname, transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize}));
  return {complete: document.readyState === 'complete' && !!nav && nav.loadEventEnd > 0,
    transfer: (nav ? nav.transferSize : 0) + res.reduce((s, r) => s + r.transfer, 0), resources: res};
})()`

// weigh opens url in a fresh navigation and returns its weight once loaded.
func weigh(ctx context.Context, t *testing.T, br *browser, url string) pageWeight {
	t.Helper()
	br.Navigate(ctx, url)
	var w pageWeight
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if err := br.Eval(ctx, weighJS, &w); err == nil && w.Complete {
			return w
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not finish loading: %+v", url, w)
		}
	}
}

// TestWorkerPagesStayWithinTheirWeight opens a worker's join page (with the
// livekit-client chunk it needs) and RSVP page in Chromium with an empty
// cache, in Hindi, and fails when the bytes transferred exceed the budget;
// a second visit must take the scripts from the cache.
func TestWorkerPagesStayWithinTheirWeight(t *testing.T) {
	br := startBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	log := slog.New(slog.DiscardHandler)
	st, state, a := stateAddress(ctx, t, "State address", "प्रदेश संबोधन")
	d1, _ := st.FindUnitByCode(ctx, state, "D1")
	if err := st.SaveInviteSettings(ctx, state, a.EventID, store.InviteSettings{BridgeNumber: "+917554000000", BridgePIN: "123456"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SendInvites(ctx, state, a.EventID, store.Audience{UnitIDs: []int64{d1.ID}, Channel: schedule.ChannelSMS}); err != nil {
		t.Fatal(err)
	}
	var inv store.AddressInvite
	if err := st.EachAddressInvite(ctx, a.EventID, func(r *store.AddressInvite) error { inv = *r; return nil }); err != nil || inv.InviteID == 0 {
		t.Fatalf("no invite: %v", err)
	}
	// LiveKit is not needed to weigh the page: a stand-in minter, and a
	// server address nothing listens on.
	dir := addresses.NewDirectory(st, 0, 0, log)
	if err := dir.Refresh(ctx, testclock.Now()); err != nil {
		t.Fatal(err)
	}
	mint := func(identity, room string, now time.Time) (string, error) { return "stand-in-token", nil }
	srv, signer := joinServer(t, st, web.JoinConfig{Directory: dir, Mint: mint, LiveKitURL: "ws://127.0.0.1:9"}, log)
	hs := httptest.NewServer(srv)
	defer hs.Close()
	token, err := signer.Sign(schedule.LinkClaims{InviteID: inv.InviteID, EventID: a.EventID, LinkVersion: 1, Expires: testclock.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}

	join := weigh(ctx, t, br, hs.URL+"/j/"+token+"?lang=hi")
	artifacts := os.Getenv("KARYAKRAM_ARTIFACTS")
	if artifacts != "" {
		if err := br.Screenshot(ctx, filepath.Join(artifacts, "join-page-hi.png")); err != nil {
			t.Log(err)
		}
	}
	report := fmt.Sprintf("join page (Hindi, empty cache): %d bytes transferred (budget %d)\n", join.Transfer, joinPageBudget)
	var chunk string
	scripts := 0 // the favicon counts in the bytes, but Chromium fetches it only sometimes
	for _, r := range join.Resources {
		if r.Name != "/favicon.ico" {
			scripts++
		}
		report += fmt.Sprintf("  %s: %d transferred, %d encoded, %d decoded\n", r.Name, r.Transfer, r.Encoded, r.Decoded)
		if strings.HasPrefix(r.Name, "/static/chunk-") {
			chunk = r.Name
			if r.Encoded >= r.Decoded {
				t.Errorf("%s arrived uncompressed (%d of %d bytes)", r.Name, r.Encoded, r.Decoded)
			}
		}
	}
	if chunk == "" || scripts != 2 {
		t.Errorf("join page loaded %+v, want its module and the livekit-client chunk", join.Resources)
	}
	if join.Transfer > joinPageBudget {
		t.Errorf("join page transfers %d bytes, over its %d budget", join.Transfer, joinPageBudget)
	}

	rsvp := weigh(ctx, t, br, hs.URL+"/i/"+token+"?lang=hi")
	report += fmt.Sprintf("RSVP page (Hindi): %d bytes transferred (budget %d), %d subresources\n", rsvp.Transfer, rsvpPageBudget, len(rsvp.Resources))
	if rsvp.Transfer > rsvpPageBudget || rsvp.Transfer == 0 {
		t.Errorf("RSVP page transfers %d bytes, budget %d", rsvp.Transfer, rsvpPageBudget)
	}

	// Back on the join page: the scripts come from the cache.
	again := weigh(ctx, t, br, hs.URL+"/j/"+token+"?lang=hi")
	for _, r := range again.Resources {
		if r.Transfer != 0 {
			t.Errorf("second visit fetched %s again (%d bytes): not cached", r.Name, r.Transfer)
		}
	}
	report += fmt.Sprintf("join page again (warm cache): %d bytes transferred\n", again.Transfer)
	t.Log("\n" + report)
	if artifacts != "" {
		_ = os.WriteFile(filepath.Join(artifacts, "page-weight.txt"), []byte(report), 0o644)
	}
}
