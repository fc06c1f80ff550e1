package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/schedule"
)

// TestInviteScreenShowsSMSSizeAndCost: before sending SMS invitations the
// screen shows, per language, the segments of the longest message and the
// total with its cost; a long venue is shortened by whole words; a message
// that cannot fit the budget is sent only after the sender accepts it.
func TestInviteScreenShowsSMSSizeAndCost(t *testing.T) {
	ctx := context.Background()
	signer, err := schedule.NewSigner(schedule.LinkKey{ID: 1, Secret: bytes.Repeat([]byte("s"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	e := newEnv(t, web.Config{Now: func() time.Time { return now }, Invite: web.InviteConfig{Signer: signer, BaseURL: "https://k.example.in"}})
	e.st.SetClock(func() time.Time { return now })
	sys := schedule.SystemActor("t")
	d1 := unitID(t, e.st, "D1")
	start := time.Date(2026, 12, 27, 5, 30, 0, 0, time.UTC)
	mk := func(title, venue string) int64 {
		saved, err := e.st.CreateEvent(ctx, sys, schedule.Event{UnitID: d1, Type: "meeting", Title: title, TitleHi: title,
			Venue: schedule.Venue{Name: venue}, Start: start, End: start.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return saved.Event.ID
	}
	long := mk("जिला कार्यसमिति की विस्तारित बैठक एवं प्रशिक्षण वर्ग, द्वितीय सत्र",
		"श्री अटल बिहारी वाजपेयी सुशासन एवं नीति विश्लेषण संस्थान का मुख्य सभागार, अरेरा हिल्स, भोपाल")
	b := e.browser()
	b.login("9800000001")
	_, doc := b.get(fmt.Sprintf("/events/%d/invite?units=D1&channel=sms", long))
	if doc.Find("#sms-cost tr.sms-lang").Length() == 0 {
		t.Fatalf("no SMS cost table:\n%s", doc.Find("main").Text())
	}
	per := doc.Find("#sms-cost tr.sms-lang .per-message").First().Text()
	if per != "3" && per != "2" {
		t.Errorf("segments per message %q, want within the budget of 3", per)
	}
	if line := doc.Find("#sms-cost-line").Text(); !strings.Contains(line, "₹") || !strings.Contains(line, "₹0.20") {
		t.Errorf("cost line %q", line)
	}
	if doc.Find("#sms-shortened").Length() != 1 || !strings.Contains(doc.Find("#sms-sample").Text(), "…") {
		t.Errorf("the long venue is not shortened: %q", doc.Find("#sms-sample").Text())
	}
	if doc.Find("#over-budget").Length() != 0 {
		t.Error("a message within budget asks for confirmation")
	}

	// A title that is one endless word cannot be cut: the send asks first.
	huge := mk(strings.Repeat("अ", 200), strings.Repeat("ब", 200))
	_, doc = b.get(fmt.Sprintf("/events/%d/invite?units=D1&channel=sms", huge))
	if doc.Find("#sms-over").Length() != 1 || doc.Find("#over-budget").Length() != 1 {
		t.Fatalf("an over-budget SMS is not flagged:\n%s", doc.Find("#preview").Text())
	}
	form := url.Values{"units": {"D1"}, "channel": {"sms"}}
	resp, doc := b.post(fmt.Sprintf("/events/%d/invite", huge), form)
	if resp.StatusCode != http.StatusConflict || doc.Find("#problem").Length() != 1 || doc.Find("#report").Length() != 0 {
		t.Fatalf("unconfirmed over-budget send: %d %q", resp.StatusCode, doc.Find("#problem").Text())
	}
	if c, _ := e.st.InviteCounts(ctx, sys, huge); c.Total != 0 {
		t.Fatalf("an unconfirmed send invited %d people", c.Total)
	}
	form.Set("over_budget", "1")
	resp, doc = b.post(fmt.Sprintf("/events/%d/invite", huge), form)
	if resp.StatusCode != 200 || doc.Find("#report").Length() != 1 {
		t.Fatalf("confirmed send: %d %q", resp.StatusCode, doc.Find("#problem").Text())
	}
	// In Hindi.
	b.get("/lang/hi?next=/")
	_, doc = b.get(fmt.Sprintf("/events/%d/invite?units=D1&channel=sms", long))
	if got := doc.Find("#sms-cost-title").Text(); got != "SMS का आकार और लागत" {
		t.Errorf("Hindi heading %q", got)
	}
}
