package web_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/karyakram/karyakram/app/ical"
	"github.com/karyakram/karyakram/app/ical/icaltest"
	"github.com/karyakram/karyakram/app/notify"
	"github.com/karyakram/karyakram/app/notify/mailtest"
	"github.com/karyakram/karyakram/app/outbox"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/schedule"
)

// inbox is a real SMTP server in the test process that keeps what it gets.
type inbox struct {
	mu   sync.Mutex
	msgs map[string][][]byte // by recipient
}

func (b *inbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &inboxSession{b: b}, nil }

// take returns and forgets the messages to addr.
func (b *inbox) take(addr string) [][]byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.msgs[addr]
	delete(b.msgs, addr)
	return m
}

type inboxSession struct {
	b  *inbox
	to []string
}

func (s *inboxSession) AuthMechanisms() []string             { return nil }
func (s *inboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *inboxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *inboxSession) Reset()        { s.to = nil }
func (s *inboxSession) Logout() error { return nil }
func (s *inboxSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	for _, to := range s.to {
		s.b.msgs[to] = append(s.b.msgs[to], data)
	}
	return nil
}

func startInbox(t *testing.T) (*inbox, string) {
	t.Helper()
	b := &inbox{msgs: map[string][][]byte{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(b)
	srv.Domain = "mx.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return b, ln.Addr().String()
}

// readMail parses raw with Go's and Python's MIME readers and checks they
// agree on everything a reader sees.
func readMail(t *testing.T, raw []byte) mailtest.Mail {
	t.Helper()
	mailtest.Lines(t, raw)
	g, p := mailtest.Go(t, raw), mailtest.Python(t, raw)
	if len(p.Defects) > 0 {
		t.Errorf("python email defects: %v", p.Defects)
	}
	if g.Subject != p.Subject || g.Text != p.Text || g.HTML != p.HTML || g.Calendar != p.Calendar ||
		!bytes.Equal(g.Attachment, p.Attachment) || g.Structure != p.Structure || g.ToAddr != p.ToAddr ||
		g.Header["List-Unsubscribe"] != p.Header["List-Unsubscribe"] {
		t.Errorf("the MIME readers disagree:\n go     %+v\n python %+v", g, p)
	}
	return g
}

var unsubRE = regexp.MustCompile(`^<(https?://[^>]+/u/[^>]+)>$`)

// TestEmailInvitationsEndToEnd follows a recurring meeting's invitations
// by email from fan-out through the outbox and a real SMTP server to what
// two mail readers and two calendar parsers see; one invitee unsubscribes
// with the one-click link, gets no change notice but still logs in with a
// code; the other gets the change notice with the new end time.
func TestEmailInvitationsEndToEnd(t *testing.T) {
	ctx := context.Background()
	signer, err := schedule.NewSigner(schedule.LinkKey{ID: 1, Secret: bytes.Repeat([]byte("s"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, web.Config{Invite: web.InviteConfig{Signer: signer}})
	now := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	e.st.SetClock(func() time.Time { return now })
	// The booth president (an official, Hindi) and सीता देवी (English) have email.
	storetest.ImportWorkers(t, e.st, "name,mobile,voter_id,gender,email,language,unit_code,roles\n"+
		"Booth President,9800000004,AAA0000004,F,booth.president@example.in,hi,D1-A1-M1-C1-S1-B1,booth_president\n"+
		"सीता देवी,9811111112,BBB0000002,F,Seeta@Example.in,en,D1-A1-M1-C1-S1-B2,mann_ki_baat_pramukh\n")
	sys := schedule.SystemActor("t")
	kendra := unitID(t, e.st, "D1-A1-M1-C1-S1")
	start := time.Date(2026, 12, 27, 5, 30, 0, 0, time.UTC) // Sun 27 Dec 2026, 11:00 IST
	saved, err := e.st.CreateEvent(ctx, sys, schedule.Event{UnitID: kendra, Type: "meeting",
		Title: "Kendra meeting", TitleHi: "केंद्र बैठक", Venue: schedule.Venue{Name: "Panchayat Bhawan"},
		Start: start, End: start.Add(90 * time.Minute), RRule: "FREQ=MONTHLY;BYDAY=-1SU;COUNT=6",
		ExDates: []time.Time{time.Date(2027, 1, 31, 5, 30, 0, 0, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
	ev := saved.Event.ID
	rep, err := e.st.SendInvites(ctx, sys, ev, store.Audience{UnitIDs: []int64{kendra}, Channel: schedule.ChannelEmail})
	if err != nil || rep.Enqueued != 2 {
		t.Fatalf("fan-out %+v %v", rep, err)
	}

	box, addr := startInbox(t)
	sender, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: addr, Security: notify.SMTPPlain,
		From: "karyakram@mp.example.in", FromName: "प्रदेश कार्यालय", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := e.st.LoadTemplateSet(ctx, schedule.MessageConfig{})
	if err != nil {
		t.Fatal(err)
	}
	drain := func() {
		t.Helper()
		d, err := outbox.New(outbox.Config{Store: e.st, Senders: map[schedule.MessageChannel]notify.Sender{schedule.ChannelEmail: sender},
			Templates: ts, Signer: signer, BaseURL: e.srv.URL, ReminderEvery: -1, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Drain(ctx); err != nil {
			t.Fatal(err)
		}
	}
	drain()

	rec, err := e.st.FindEventByID(ctx, sys, ev)
	if err != nil {
		t.Fatal(err)
	}
	feed, err := ical.Render(&ical.Feed{Name: "kendra", Now: now, Events: []schedule.Event{rec.Event}})
	if err != nil {
		t.Fatal(err)
	}
	feedJS := icaltest.JS(t, feed, 10)

	hiMail := box.take("booth.president@example.in")
	enMail := box.take("Seeta@Example.in")
	if len(hiMail) != 1 || len(enMail) != 1 {
		t.Fatalf("got %d Hindi and %d English invitations, want one each", len(hiMail), len(enMail))
	}
	hi, en := readMail(t, hiMail[0]), readMail(t, enMail[0])
	for _, c := range []struct {
		m    mailtest.Mail
		want []string
	}{
		{hi, []string{"दिनांक: रविवार, 27 दिसंबर 2026", "समय: सुबह 11:00 बजे से दोपहर 12:30 बजे तक", "दोहराव: हर महीने का अंतिम रविवार, 6 बार"}},
		{en, []string{"Date: Sun, 27 Dec 2026", "Time: 11:00 am to 12:30 pm IST", "Repeats: every last Sunday, 6 times"}},
	} {
		for _, w := range c.want {
			if !strings.Contains(c.m.Text, w) || !strings.Contains(c.m.HTML, w) {
				t.Errorf("%s: text or HTML lacks %q:\n%s", c.m.ToAddr, w, c.m.Text)
			}
		}
		if c.m.Structure != "multipart/mixed(multipart/alternative(text/plain,text/html,text/calendar),application/ics)" ||
			c.m.CalendarMethod != "REQUEST" || string(c.m.Attachment) != c.m.Calendar {
			t.Errorf("%s: structure %s method %s", c.m.ToAddr, c.m.Structure, c.m.CalendarMethod)
		}
		// The invitation carries the series exactly as the feed does.
		inv := icaltest.JS(t, []byte(c.m.Calendar), 10)
		if len(inv.Events) != 1 || len(feedJS.Events) != 1 {
			t.Fatalf("invitation %d VEVENTs, feed %d", len(inv.Events), len(feedJS.Events))
		}
		a, b := inv.Events[0], feedJS.Events[0]
		if a.UID != b.UID || a.RRule != b.RRule || !slices.Equal(a.ExDates, b.ExDates) || !slices.Equal(a.Occurrences, b.Occurrences) || a.Start != b.Start {
			t.Errorf("%s: invitation series %+v\nfeed series %+v", c.m.ToAddr, a, b)
		}
		if len(a.Occurrences) != 5 || a.Occurrences[1] != "2027-02-28T05:30:00.000Z" {
			t.Errorf("occurrences as ical.js expands them: %v", a.Occurrences)
		}
		if g := icaltest.Go(t, []byte(c.m.Calendar)); g.Events()[0].Props.Get("RRULE") == nil {
			t.Error("go-ical sees no RRULE")
		}
	}

	// The personal page says the meeting repeats; its "add to calendar"
	// file is the same series.
	link := regexp.MustCompile(`http://\S+/i/[A-Za-z0-9_-]+`).FindString(en.Text)
	if _, doc := e.browser().get(strings.TrimPrefix(link, e.srv.URL) + "?"); !strings.Contains(doc.Find("#repeats").Text(), "every last Sunday") &&
		!strings.Contains(doc.Find("#repeats").Text(), "हर महीने का अंतिम रविवार") {
		t.Errorf("the RSVP page does not say the event repeats: %q", doc.Find("#repeats").Text())
	}
	icsResp, err := http.Get(link + "/event.ics")
	if err != nil {
		t.Fatal(err)
	}
	ics, _ := io.ReadAll(icsResp.Body)
	icsResp.Body.Close()
	if js := icaltest.JS(t, ics, 10); len(js.Events) != 1 || js.Events[0].RRule != feedJS.Events[0].RRule ||
		!slices.Equal(js.Events[0].Occurrences, feedJS.Events[0].Occurrences) || js.Events[0].UID != feedJS.Events[0].UID {
		t.Errorf("/i/…/event.ics: %+v\nfeed %+v", js.Events, feedJS.Events)
	}

	// One click from the Hindi reader's mail client: no cookies, no CSRF.
	u := unsubRE.FindStringSubmatch(hi.Header["List-Unsubscribe"])
	if u == nil || hi.Header["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
		t.Fatalf("List-Unsubscribe %q", hi.Header["List-Unsubscribe"])
	}
	resp, err := http.Post(u[1], "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("one-click unsubscribe: %d", resp.StatusCode)
	}
	if out, _ := e.st.EmailOptedOut(ctx, "BOOTH.PRESIDENT@example.in"); !out {
		t.Fatal("the address is not recorded as unsubscribed")
	}
	// Opening the link in a browser later shows the page, not an error.
	if resp, doc := e.browser().get(strings.TrimPrefix(u[1], e.srv.URL)); resp.StatusCode != 200 || doc.Find("form#unsubscribe").Length() != 1 {
		t.Errorf("unsubscribe page: %d", resp.StatusCode)
	}

	// The meeting now ends at 13:00: the change notice reaches only the
	// subscribed invitee, and says the new and the old end time.
	rec.Event.End = start.Add(2 * time.Hour)
	if _, err := e.st.UpdateEvent(ctx, sys, rec.Event); err != nil {
		t.Fatal(err)
	}
	drain()
	if got := box.take("booth.president@example.in"); len(got) != 0 {
		t.Errorf("the unsubscribed address got %d more emails", len(got))
	}
	changed := box.take("Seeta@Example.in")
	if len(changed) != 1 {
		t.Fatalf("change notices to the subscribed invitee: %d", len(changed))
	}
	ch := readMail(t, changed[0])
	for _, w := range []string{"New time: 11:00 am to 1:00 pm IST", "Previously: Sun, 27 Dec 2026, 11:00 am to 12:30 pm", "Repeats: every last Sunday, 6 times"} {
		if !strings.Contains(ch.Text, w) {
			t.Errorf("change notice lacks %q:\n%s", w, ch.Text)
		}
	}
	if js := icaltest.JS(t, []byte(ch.Calendar), 3); js.Events[0].End != "2026-12-27T07:30:00.000Z" || js.Events[0].Sequence < 1 {
		t.Errorf("change notice calendar: %+v", js.Events[0])
	}

	// A new invitation by email leaves the unsubscribed person out; they
	// still get their login code (SMS) and can log in.
	saved2, err := e.st.CreateEvent(ctx, sys, schedule.Event{UnitID: kendra, Type: "meeting", Title: "Second meeting",
		Venue: schedule.Venue{Name: "School"}, Start: start.AddDate(0, 0, 7), End: start.AddDate(0, 0, 7).Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	rep, err = e.st.SendInvites(ctx, sys, saved2.Event.ID, store.Audience{UnitIDs: []int64{kendra}, Channel: schedule.ChannelEmail})
	if err != nil || rep.Enqueued != 1 {
		t.Errorf("second fan-out %+v %v: want only the subscribed invitee", rep, err)
	}
	drain()
	if got := box.take("booth.president@example.in"); len(got) != 0 {
		t.Errorf("the unsubscribed address got a new invitation")
	}
	e.browser().login("9800000004")
}

// TestCalendarRepliesPage: the state office reads every reply with what
// became of it, in Hindi; a district official only those for their events.
func TestCalendarRepliesPage(t *testing.T) {
	e := newEnv(t, web.Config{})
	ctx := context.Background()
	if _, err := e.st.RecordCalendarReply(ctx, store.InboundReply{From: "x@example.in", Attendee: "x@example.in", UID: "nope@x",
		PartStat: "ACCEPTED", MessageID: "<a@x>"}); err != nil {
		t.Fatal(err)
	}
	state := e.browser()
	state.login("9800000001")
	resp, doc := state.get("/replies")
	if resp.StatusCode != 200 || doc.Find("#replies tr.outcome-unmatched").Length() != 1 {
		t.Fatalf("state office: %d %q", resp.StatusCode, doc.Find("main").Text())
	}
	if got := doc.Find("#replies tr.outcome-unmatched td").Eq(3).Text(); !strings.Contains(got, "मेल खाता आमंत्रण नहीं") {
		t.Errorf("outcome in Hindi: %q", got)
	}
	district := e.browser()
	district.login("9800000002")
	if _, doc := district.get("/replies"); doc.Find("#replies tr").Length() != 0 || doc.Find("#no-replies").Length() != 1 {
		t.Error("a district official sees a reply that matches no event of theirs")
	}
}
