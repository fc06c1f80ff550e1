package web_test

import (
	"context"
	"fmt"
	"github.com/karyakram/karyakram/app/bridges"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/internal/testtool"
	"github.com/karyakram/karyakram/schedule"
)

// bridgedAddress creates a mass address at MP, optionally with an
// event-wide bridge and district bridges, invites every worker by SMS and
// returns the event id, the bridges by unit code and the invitees by name.
func bridgedAddress(t *testing.T, st *store.Store, eventWide, districtBridges bool) (int64, map[string]store.BridgeRecord, map[string]store.Invitee) {
	t.Helper()
	ctx := context.Background()
	state := storetest.Actor(t, st, "9800000001")
	start := testclock.Now().Add(72 * time.Hour).Truncate(time.Minute)
	saved, err := st.CreateEvent(ctx, state, schedule.Event{UnitID: unitID(t, st, "MP"), Type: store.AddressEventType,
		Title: "State address", TitleHi: "प्रदेश संबोधन", Start: start, End: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	ev := saved.Event.ID
	if eventWide {
		if err := st.SaveInviteSettings(ctx, state, ev, store.InviteSettings{BridgeNumber: "+917550001111", BridgePIN: "909090"}); err != nil {
			t.Fatal(err)
		}
	}
	a, err := st.CreateAddress(ctx, state, store.AddressInput{EventID: ev, Speakers: "State President"})
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]store.BridgeRecord{}
	if districtBridges {
		pool, err := schedule.ParseBridgeNumbers("+91755400xxxx")
		if err != nil {
			t.Fatal(err)
		}
		rep, err := bridges.Provision(ctx, st, state, a.ID, "", pool, nil, testclock.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range rep.Bridges {
			byCode[b.UnitCode] = b
		}
		if byCode["D1"].PIN == "" || byCode["D2"].PIN == "" || byCode["D1"].PIN == byCode["D2"].PIN {
			t.Fatalf("byCode = %+v", byCode)
		}
	}
	if _, err := st.SendInvites(ctx, state, ev, store.Audience{UnitIDs: []int64{unitID(t, st, "MP")}, Channel: schedule.ChannelSMS}); err != nil {
		t.Fatal(err)
	}
	people, err := st.Invitees(ctx, state, ev, 100)
	if err != nil || len(people) != 9 {
		t.Fatalf("invitees %d %v", len(people), err)
	}
	byName := map[string]store.Invitee{}
	for _, p := range people {
		byName[p.Name] = p
	}
	return ev, byCode, byName
}

// rsvpBridge opens the RSVP page of invite p and returns the bridge line's
// number and PIN ("" when the page shows none) and the join button's link.
func rsvpBridge(t *testing.T, e *env, signer *schedule.Signer, ev int64, p store.Invitee) (number, pin, join string) {
	t.Helper()
	tok, err := signer.Sign(schedule.LinkClaims{InviteID: p.InviteID, EventID: ev, LinkVersion: 1, Expires: testclock.Now().Add(30 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(e.srv.URL + "/i/" + tok)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("RSVP page of %s: %d %v", p.Name, resp.StatusCode, err)
	}
	join, _ = doc.Find("#join").Attr("href")
	if join != "/j/"+tok {
		t.Errorf("RSVP page of %s: join link %q, want the personal /j/ link", p.Name, join)
	}
	return doc.Find("#bridge a").Text(), doc.Find("#bridge-pin").Text(), join
}

// The RSVP page and the invite letters of a mass address show each
// worker's own district's bridge; people outside every district get the
// event-wide one.
func TestAddressRSVPAndLettersShowOwnBridge(t *testing.T) {
	e, signer := newInviteEnv(t)
	ev, bridges, people := bridgedAddress(t, e.st, true, true)
	d1, d2 := bridges["D1"], bridges["D2"]
	want := map[string]store.BridgeRecord{
		"District President": d1, "Mandal President": d1, "Mohan Lal": d1,
		"Other District President": d2, "Geeta Bai": d2,
		"State Office": {Number: "+917550001111", PIN: "909090"},
	}
	for name, b := range want {
		number, pin, _ := rsvpBridge(t, e, signer, ev, people[name])
		if number != b.Number || pin != b.PIN {
			t.Errorf("RSVP page of %s shows %q PIN %q, want %s PIN %s", name, number, pin, b.Number, b.PIN)
		}
	}

	b := e.browser()
	b.login("9800000001")
	resp, body := b.getRaw(fmt.Sprintf("/events/%d/invites/letters.pdf?lang=en", ev))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("letters: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	testtool.Program(t, "pdftotext") // skips when absent: the PINs are read from the PDF's text
	text := pdfText(t, body)
	pages := strings.Split(text, "\f")
	found := 0
	for name, b := range want {
		for _, page := range pages {
			if !strings.Contains(page, "Dear "+name+",") {
				continue
			}
			found++
			if !strings.Contains(page, b.Number) || !strings.Contains(page, b.PIN) {
				t.Errorf("letter to %s lacks %s PIN %s:\n%s", name, b.Number, b.PIN, page)
			}
			for _, other := range []string{d1.PIN, d2.PIN, "909090"} {
				if other != b.PIN && strings.Contains(page, other) {
					t.Errorf("letter to %s carries another bridge's PIN %s", name, other)
				}
			}
			if !strings.Contains(page, "/j/") {
				t.Errorf("letter to %s has no join link:\n%s", name, page)
			}
		}
	}
	if found != len(want) {
		t.Fatalf("found %d of %d letters in %d pages", found, len(want), len(pages))
	}
}

// Without district bridges the RSVP page shows the event-wide bridge, and
// with none at all no bridge line (but still the join button).
func TestAddressRSVPBridgeFallback(t *testing.T) {
	e, signer := newInviteEnv(t)
	ev, _, people := bridgedAddress(t, e.st, true, false)
	for _, name := range []string{"District President", "Geeta Bai"} {
		if number, pin, _ := rsvpBridge(t, e, signer, ev, people[name]); number != "+917550001111" || pin != "909090" {
			t.Errorf("%s: bridge %q PIN %q, want the event-wide one", name, number, pin)
		}
	}
	ev, _, people = bridgedAddress(t, e.st, false, false)
	for _, name := range []string{"District President", "Geeta Bai"} {
		if number, pin, _ := rsvpBridge(t, e, signer, ev, people[name]); number != "" || pin != "" {
			t.Errorf("%s: bridge %q PIN %q, want none", name, number, pin)
		}
	}
}

// The template editor lists the mass address's built-in templates, with
// the join link and the dial-in.
func TestTemplateEditorListsAddressTemplates(t *testing.T) {
	e, _ := newInviteEnv(t)
	b := e.browser()
	b.login("9800000001")
	_, doc := b.get("/messages/templates")
	found := false
	doc.Find("tbody tr").Each(func(_ int, row *goquery.Selection) {
		if href, _ := row.Find("a").Attr("href"); strings.Contains(href, "type=address&kind=invite&channel=sms&lang=en") {
			found = true
			if body := row.Find("small").Last().Text(); !strings.Contains(body, "{{.Link}}") || !strings.Contains(body, "dial {{.BridgeNumber}}, PIN {{.BridgePIN}}") {
				t.Errorf("address/invite/sms/en row shows %q", body)
			}
		}
	})
	if !found {
		t.Fatal("the editor does not list address/invite/sms/en")
	}
	// Its preview shows a join link and a sample dial-in.
	resp, doc := b.post("/messages/templates", url.Values{"type": {"address"}, "kind": {"invite"}, "channel": {"sms"}, "lang": {"hi"},
		"body": {"{{.Name}} जी, {{.Title}}: {{.Link}}{{if .BridgeNumber}} या डायल करें {{.BridgeNumber}}, पिन {{.BridgePIN}}{{end}}"}, "action": {"preview"}})
	if got := doc.Find("#preview pre").Text(); resp.StatusCode != 200 || !strings.Contains(got, "/j/") || !strings.Contains(got, "डायल करें +917554000012, पिन 482913") {
		t.Fatalf("preview: %d %q", resp.StatusCode, got)
	}
}
