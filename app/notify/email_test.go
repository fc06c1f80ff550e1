package notify

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/mail"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	goical "github.com/emersion/go-ical"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/karyakram/karyakram/app/ical"
	"github.com/karyakram/karyakram/app/ical/icaltest"
	"github.com/karyakram/karyakram/app/notify/mailtest"
	"github.com/karyakram/karyakram/schedule"
)

// received is one message as the test SMTP server got it.
type received struct {
	from string
	to   []string
	data []byte
}

// testBackend is a go-smtp backend that records messages and can refuse
// recipients and logins.
type testBackend struct {
	mu        sync.Mutex
	msgs      []received
	rcptErr   map[string]*smtp.SMTPError // by recipient
	user, pwd string                     // required AUTH PLAIN login when user != ""
}

func (b *testBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &testSession{b: b}, nil
}

func (b *testBackend) messages() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.msgs...)
}

type testSession struct {
	b      *testBackend
	authed bool
	cur    received
}

func (s *testSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *testSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.b.user || password != s.b.pwd {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.authed = true
		return nil
	}), nil
}

func (s *testSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.cur = received{from: from}
	return nil
}

func (s *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if e := s.b.rcptErr[to]; e != nil {
		return e
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = data
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, s.cur)
	s.b.mu.Unlock()
	return nil
}

func (s *testSession) Reset()        { s.cur = received{} }
func (s *testSession) Logout() error { return nil }

// startSMTP runs a real SMTP server on a loopback port until the test ends.
func startSMTP(t *testing.T, be *testBackend) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(be)
	srv.Domain = "mx.test"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func newSender(t *testing.T, addr string, mod func(*SMTPConfig)) *SMTPSender {
	t.Helper()
	cfg := SMTPConfig{
		Addr: addr, Security: SMTPPlain,
		From: "karyakram@mp.example.in", FromName: "प्रदेश कार्यालय",
		Organizer: Person{Name: "प्रदेश कार्यालय", Email: "office@mp.example.in"},
		Timeout:   5 * time.Second,
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := NewSMTPSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var mailCreated = time.Date(2026, 9, 1, 4, 30, 0, 0, time.UTC)

const unsubscribeURL = "https://k.example.in/u/EcCNtwG5YAGY1J0OTe3vVbKf_xaamg"

// seriesEvent is a monthly "last Sunday, 11:00 IST" meeting with one
// skipped and one moved occurrence.
func seriesEvent() schedule.Event {
	start := time.Date(2026, 9, 27, 5, 30, 0, 0, time.UTC) // Sun 27 Sep 2026, 11:00 IST
	return schedule.Event{
		ID: 12345, UID: "ev-12345@karyakram", Type: "meeting", Title: "District working committee", TitleHi: "ज़िला कार्यसमिति बैठक",
		Venue: schedule.Venue{Name: "मानस भवन, जबलपुर"}, Start: start, End: start.Add(90 * time.Minute),
		Status: schedule.EventConfirmed, Sequence: 2, RRule: "FREQ=MONTHLY;BYDAY=-1SU;COUNT=6",
		ExDates: []time.Time{time.Date(2026, 10, 25, 5, 30, 0, 0, time.UTC)},
		Overrides: []schedule.Override{{RecurrenceID: time.Date(2026, 11, 29, 5, 30, 0, 0, time.UTC),
			Start: time.Date(2026, 11, 29, 8, 30, 0, 0, time.UTC), End: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)}},
	}
}

func inviteMessage(method string) Message {
	start := time.Date(2026, 9, 12, 13, 0, 0, 0, time.UTC) // 18:30 IST
	subject := "आमंत्रण: ज़िला कार्यसमिति बैठक, 12 सितंबर"
	status := schedule.EventConfirmed
	if method == MethodCancel {
		subject = "निरस्त: ज़िला कार्यसमिति बैठक, 12 सितंबर"
		status = schedule.EventCancelled
	}
	return Message{
		Key: "invite:42:invite:0:email", Channel: "email", Lang: "hi",
		To: "sunita@example.org", ToName: "सुनीता पटेल",
		Subject: subject,
		Text:    "आदरणीय सुनीता पटेल जी,\n\nआपको ज़िला कार्यसमिति बैठक में आमंत्रित किया जाता है।\nकृपया उत्तर दें: https://k.example.in/i/EcCNtwG5YAGY1J0OTe3vVbKf_xaamg",
		Invitation: &Invitation{
			Method: method, Lang: "hi",
			Event: schedule.Event{UID: "ev-12345@karyakram", Sequence: 2, Start: start, End: start.Add(90 * time.Minute),
				TitleHi: "ज़िला कार्यसमिति बैठक, जबलपुर; सत्र 1", Venue: schedule.Venue{Name: "मानस भवन, जबलपुर"}, Status: status},
			Description: "एजेंडा:\n1. बूथ समितियाँ\n2. प्रशिक्षण वर्ग का एक बहुत लंबा विवरण जो पचहत्तर ऑक्टेट से बड़ा है ताकि पंक्ति मोड़ी जाए",
			URL:         "https://k.example.in/i/EcCNtwG5YAGY1J0OTe3vVbKf_xaamg",
		},
		Unsubscribe: unsubscribeURL,
		Created:     mailCreated,
	}
}

// readBoth parses raw with both mail readers, checks they agree and that
// the transport form is clean, and returns what they read.
func readBoth(t *testing.T, raw []byte) mailtest.Mail {
	t.Helper()
	mailtest.Lines(t, raw)
	g := mailtest.Go(t, raw)
	p := mailtest.Python(t, raw)
	if len(p.Defects) > 0 {
		t.Errorf("python's email package found defects: %v", p.Defects)
	}
	p.Defects = nil
	// Python's address parser keeps the folding space between two encoded
	// words of a display name (RFC 2047 §6.2 says to drop it; Go and mail
	// clients do): compare names with runs of spaces collapsed.
	p.FromName, p.ToName = strings.Join(strings.Fields(p.FromName), " "), strings.Join(strings.Fields(p.ToName), " ")
	gv, pv := reflect.ValueOf(g), reflect.ValueOf(p)
	for i := range gv.NumField() {
		if a, b := gv.Field(i).Interface(), pv.Field(i).Interface(); !reflect.DeepEqual(a, b) {
			t.Errorf("the two MIME readers disagree on %s:\n go     %q\n python %q", gv.Type().Field(i).Name, a, b)
		}
	}
	return g
}

func TestSMTPInviteWithIMIP(t *testing.T) {
	be := &testBackend{}
	addr := startSMTP(t, be)
	s := newSender(t, addr, nil)
	m := inviteMessage(MethodRequest)
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := be.messages()
	if len(msgs) != 1 {
		t.Fatalf("server got %d messages, want 1", len(msgs))
	}
	got := msgs[0]
	if got.from != "karyakram@mp.example.in" || len(got.to) != 1 || got.to[0] != m.To {
		t.Errorf("envelope from %q to %v", got.from, got.to)
	}
	r := readBoth(t, got.data)
	if r.Subject != m.Subject || r.ToName != "सुनीता पटेल" || r.ToAddr != m.To || r.FromName != "प्रदेश कार्यालय" {
		t.Errorf("subject %q to %q <%s> from %q", r.Subject, r.ToName, r.ToAddr, r.FromName)
	}
	if want := "multipart/mixed(multipart/alternative(text/plain,text/html,text/calendar),application/ics)"; r.Structure != want {
		t.Errorf("structure %s, want %s", r.Structure, want)
	}
	h := r.Header
	if h["Message-ID"] != "<invite.42.invite.0.email@mp.example.in>" || h["Auto-Submitted"] != "auto-generated" ||
		h["List-Unsubscribe"] != "<"+unsubscribeURL+">" || h["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" ||
		h["Content-Language"] != "hi" {
		t.Errorf("headers %v", h)
	}
	if d, err := mail.ParseDate(h["Date"]); err != nil || !d.Equal(mailCreated) {
		t.Errorf("Date %q: %v", h["Date"], err)
	}
	if !strings.HasPrefix(r.Text, m.Text+"\n") || !strings.HasSuffix(strings.TrimSpace(r.Text), "ऐसे ईमेल बंद करने के लिए:\n"+unsubscribeURL) {
		t.Errorf("text part %q", r.Text)
	}
	for _, want := range []string{`<html lang="hi">`, "आपको ज़िला कार्यसमिति बैठक में आमंत्रित किया जाता है।",
		`<a href="https://k.example.in/i/EcCNtwG5YAGY1J0OTe3vVbKf_xaamg">`, `<a href="` + unsubscribeURL + `"`, "Noto Sans Devanagari"} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, r.HTML)
		}
	}
	if r.CalendarMethod != "REQUEST" || r.AttachmentName != "invite.ics" || string(r.Attachment) != r.Calendar {
		t.Errorf("calendar method %q, attachment %q (same as inline: %v)", r.CalendarMethod, r.AttachmentName, string(r.Attachment) == r.Calendar)
	}

	cal := icaltest.Go(t, []byte(r.Calendar))
	if v := cal.Props.Get("METHOD"); v == nil || v.Value != "REQUEST" {
		t.Errorf("METHOD = %v", v)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("%d VEVENTs", len(evs))
	}
	ev := evs[0]
	checkText := func(name, want string) {
		t.Helper()
		got, err := ev.Props.Text(name)
		if err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
	checkText("SUMMARY", m.Invitation.Event.TitleHi)
	checkText("LOCATION", "मानस भवन, जबलपुर")
	checkText("DESCRIPTION", m.Invitation.Description)
	checkText("UID", "ev-12345@karyakram")
	checkText("STATUS", "CONFIRMED")
	if p := ev.Props.Get("DTSTART"); p == nil || p.Value != "20260912T183000" || p.Params.Get("TZID") != "Asia/Kolkata" {
		t.Errorf("DTSTART %+v, want 18:30 on the Asia/Kolkata clock", p)
	}
	if seq, err := ev.Props.Get("SEQUENCE").Int(); err != nil || seq != 2 {
		t.Errorf("SEQUENCE %d, %v", seq, err)
	}
	org := ev.Props.Get("ORGANIZER")
	if org == nil || org.Value != "mailto:office@mp.example.in" || org.Params.Get("CN") != "प्रदेश कार्यालय" {
		t.Errorf("ORGANIZER %+v", org)
	}
	att := ev.Props.Get("ATTENDEE")
	if att == nil || att.Value != "mailto:"+m.To || att.Params.Get("RSVP") != "TRUE" ||
		att.Params.Get("PARTSTAT") != "NEEDS-ACTION" || att.Params.Get("CN") != "सुनीता पटेल" {
		t.Errorf("ATTENDEE %+v", att)
	}
	js := icaltest.JS(t, []byte(r.Calendar), 3)
	if js.Method != "REQUEST" || len(js.Events) != 1 {
		t.Fatalf("ical.js: %+v", js)
	}
	e := js.Events[0]
	if e.Start != "2026-09-12T13:00:00.000Z" || e.End != "2026-09-12T14:30:00.000Z" || e.StartTZID != "Asia/Kolkata" ||
		e.Organizer == nil || e.Organizer.Value != "mailto:office@mp.example.in" || len(e.Attendees) != 1 ||
		!strings.EqualFold(e.Attendees[0].RSVP, "true") || e.Attendees[0].CN != "सुनीता पटेल" || e.URL != m.Invitation.URL {
		t.Errorf("ical.js reads %+v %+v %+v", e.Start, e.Organizer, e.Attendees)
	}
	for _, line := range strings.Split(r.Calendar, "\r\n") {
		if len(line) > 75 {
			t.Errorf("calendar line of %d octets: %q", len(line), line)
		}
	}
}

// TestRecurringInvitationCarriesTheSeries: the invitation of a series is
// the series, exactly as the feed has it (same UID, RRULE, EXDATE and the
// moved occurrence), read back by both calendar parsers.
func TestRecurringInvitationCarriesTheSeries(t *testing.T) {
	ev := seriesEvent()
	m := inviteMessage(MethodRequest)
	m.Invitation.Event = ev
	raw, err := BuildEmail(SMTPConfig{From: "k@mp.example.in", FromName: "Office"}, m)
	if err != nil {
		t.Fatal(err)
	}
	r := readBoth(t, raw)
	feed, err := ical.Render(&ical.Feed{Name: "feed", Lang: "hi", Now: mailCreated, Events: []schedule.Event{ev}})
	if err != nil {
		t.Fatal(err)
	}
	inv := icaltest.JS(t, []byte(r.Calendar), 10)
	sub := icaltest.JS(t, feed, 10)
	if len(inv.Events) != 2 || len(sub.Events) != 2 {
		t.Fatalf("invitation has %d VEVENTs, feed %d; want the series and its moved occurrence", len(inv.Events), len(sub.Events))
	}
	for i := range inv.Events {
		a, b := inv.Events[i], sub.Events[i]
		if a.UID != b.UID || a.RRule != b.RRule || !slices.Equal(a.ExDates, b.ExDates) || a.Start != b.Start || a.End != b.End ||
			a.Sequence != b.Sequence || !slices.Equal(a.Occurrences, b.Occurrences) || (a.RecurrenceID == nil) != (b.RecurrenceID == nil) ||
			a.RecurrenceID != nil && *a.RecurrenceID != *b.RecurrenceID {
			t.Errorf("VEVENT %d differs:\n invitation %+v\n feed       %+v", i, a, b)
		}
		if len(a.Attendees) != 1 || a.Organizer == nil {
			t.Errorf("VEVENT %d lacks ORGANIZER/ATTENDEE: %+v", i, a)
		}
	}
	master := inv.Events[0]
	// Last Sundays at 11:00 IST: 27 Sep, (25 Oct skipped), 29 Nov (moved,
	// its own VEVENT), 27 Dec, 31 Jan, 28 Feb: COUNT=6 includes the skip.
	want := []string{"2026-09-27T05:30:00.000Z", "2026-11-29T05:30:00.000Z", "2026-12-27T05:30:00.000Z", "2027-01-31T05:30:00.000Z", "2027-02-28T05:30:00.000Z"}
	if master.RRule != "FREQ=MONTHLY;COUNT=6;BYDAY=-1SU" || !slices.Equal(master.ExDates, []string{"2026-10-25T05:30:00.000Z"}) ||
		!slices.Equal(master.Occurrences, want) {
		t.Errorf("series as ical.js reads it: rule %q exdates %v occurrences %v", master.RRule, master.ExDates, master.Occurrences)
	}
	moved := inv.Events[1]
	if moved.RecurrenceID == nil || *moved.RecurrenceID != "2026-11-29T05:30:00.000Z" || moved.Start != "2026-11-29T08:30:00.000Z" {
		t.Errorf("moved occurrence %+v", moved)
	}
	g := icaltest.Go(t, []byte(r.Calendar))
	gev := g.Events()
	if len(gev) != 2 || gev[0].Props.Get("RRULE") == nil || gev[0].Props.Get("EXDATE") == nil || gev[1].Props.Get("RECURRENCE-ID") == nil {
		t.Errorf("go-ical reads %d events; RRULE/EXDATE/RECURRENCE-ID missing", len(gev))
	}
}

func TestSMTPCancelIMIP(t *testing.T) {
	be := &testBackend{}
	s := newSender(t, startSMTP(t, be), nil)
	m := inviteMessage(MethodCancel)
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	r := readBoth(t, be.messages()[0].data)
	if r.CalendarMethod != "CANCEL" {
		t.Errorf("calendar method %q, want CANCEL", r.CalendarMethod)
	}
	cal := icaltest.Go(t, []byte(r.Calendar))
	if v := cal.Props.Get("METHOD"); v == nil || v.Value != "CANCEL" {
		t.Errorf("METHOD = %v", v)
	}
	ev := cal.Events()[0]
	if st, err := ev.Status(); err != nil || st != goical.EventCancelled {
		t.Errorf("STATUS %v, %v", st, err)
	}
	if att := ev.Props.Get("ATTENDEE"); att == nil || att.Params.Get("RSVP") != "" {
		t.Errorf("cancel ATTENDEE %+v should not ask for RSVP", att)
	}
}

func TestSMTPWithoutInvitation(t *testing.T) {
	be := &testBackend{}
	s := newSender(t, startSMTP(t, be), nil)
	m := inviteMessage(MethodRequest)
	m.Invitation = nil
	m.Unsubscribe = ""
	m.Subject = "Reminder: District meeting"
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	raw := be.messages()[0].data
	r := readBoth(t, raw)
	if r.Structure != "multipart/alternative(text/plain,text/html)" || r.Subject != m.Subject {
		t.Errorf("structure %s subject %q", r.Structure, r.Subject)
	}
	if _, ok := r.Header["List-Unsubscribe"]; ok || strings.Contains(r.Text, "ईमेल बंद") {
		t.Error("a message without an unsubscribe link shows one")
	}
	if !bytes.Contains(raw, []byte("\r\nSubject: Reminder: District meeting\r\n")) {
		t.Error("an ASCII subject was encoded")
	}
}

// TestHeaderFoldingKeepsGraphemes: a long Hindi subject and display name
// become encoded words of at most 75 characters on lines of at most 76,
// each word holding whole grapheme clusters, and read back unchanged.
func TestHeaderFoldingKeepsGraphemes(t *testing.T) {
	long := strings.Repeat("कार्यक्रम श्रद्धांजलि क्षत्रिय ", 6) + "— ज़िला कार्यसमिति"
	m := inviteMessage(MethodRequest)
	m.Subject, m.ToName = long, "रामेश्वर प्रसाद विश्वकर्मा (मंडल अध्यक्ष, ग्वालियर ग्रामीण)"
	raw, err := BuildEmail(SMTPConfig{From: "k@mp.example.in", FromName: "मध्य प्रदेश प्रदेश कार्यालय कार्यक्रम विभाग"}, m)
	if err != nil {
		t.Fatal(err)
	}
	r := readBoth(t, raw)
	if r.Subject != long || r.ToName != m.ToName {
		t.Errorf("read back subject %q to %q", r.Subject, r.ToName)
	}
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	words := regexp.MustCompile(`=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=`).FindAllStringSubmatch(string(head), -1)
	if len(words) < 6 {
		t.Fatalf("only %d encoded words", len(words))
	}
	for _, w := range words {
		if len(w[0]) > 75 {
			t.Errorf("encoded word of %d characters", len(w[0]))
		}
		b, err := base64.StdEncoding.DecodeString(w[1])
		if err != nil || !utf8.Valid(b) {
			t.Fatalf("word %s: %v", w[0], err)
		}
		// A word starting mid-cluster would begin with a mark or a
		// consonant joined to the previous word by a virama.
		text := string(b)
		first := text[:schedule.FirstGrapheme(text)]
		if r, _ := utf8.DecodeRuneInString(text); unicode.In(r, unicode.Mn, unicode.Mc) {
			t.Errorf("word %q starts with a combining mark", text)
		}
		if strings.HasPrefix(text, "्") || first == "" {
			t.Errorf("word %q starts inside a conjunct", text)
		}
		if last, _ := utf8.DecodeLastRuneInString(text); last == '्' {
			t.Errorf("word %q ends with a virama: the conjunct is split", text)
		}
	}
}

func TestBuildEmailDeterministic(t *testing.T) {
	cfg := SMTPConfig{From: "karyakram@mp.example.in", FromName: "Office"}
	a, err := BuildEmail(cfg, inviteMessage(MethodRequest))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := BuildEmail(cfg, inviteMessage(MethodRequest))
	if !bytes.Equal(a, b) {
		t.Error("two builds of the same message differ; a retry would send different bytes")
	}
	mailtest.Lines(t, a)
}

func TestSMTPErrorsClassified(t *testing.T) {
	be := &testBackend{
		rcptErr: map[string]*smtp.SMTPError{
			"gone@example.org": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"},
			"busy@example.org": {Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"},
		},
		user: "karyakram", pwd: "s3cret",
	}
	addr := startSMTP(t, be)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closedAddr := ln.Addr().String()
	ln.Close()
	auth := func(c *SMTPConfig) { c.Username, c.Password = "karyakram", "s3cret" }

	tests := []struct {
		name      string
		sender    *SMTPSender
		to        string
		permanent bool
		ok        bool
	}{
		{"authenticated ok", newSender(t, addr, auth), "sunita@example.org", false, true},
		{"unknown user 550", newSender(t, addr, auth), "gone@example.org", true, false},
		{"greylisted 451", newSender(t, addr, auth), "busy@example.org", false, false},
		{"wrong password 535", newSender(t, addr, func(c *SMTPConfig) { c.Username, c.Password = "karyakram", "x" }), "sunita@example.org", true, false},
		{"connection refused", newSender(t, closedAddr, nil), "sunita@example.org", false, false},
		{"bad recipient address", newSender(t, addr, auth), "not an address", true, false},
	}
	for _, tt := range tests {
		m := inviteMessage(MethodRequest)
		m.To = tt.to
		err := tt.sender.Send(context.Background(), m)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok=%v", tt.name, err, tt.ok)
			continue
		}
		if err != nil && IsPermanent(err) != tt.permanent {
			t.Errorf("%s: IsPermanent = %v, want %v (%v)", tt.name, IsPermanent(err), tt.permanent, err)
		}
	}
	if n := len(be.messages()); n != 1 {
		t.Errorf("server accepted %d messages, want 1", n)
	}
}

func TestSMTPContextCancelled(t *testing.T) {
	// A server that accepts the connection and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			io.Copy(io.Discard, c)
		}
	}()
	s := newSender(t, ln.Addr().String(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = s.Send(ctx, inviteMessage(MethodRequest))
	if err == nil || IsPermanent(err) {
		t.Fatalf("silent server: err = %v, want a temporary error", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("Send took %v after the context expired", el)
	}
	var se *SendError
	if !errors.As(err, &se) {
		t.Errorf("error %T is not a *SendError", err)
	}
}

func TestInvitationValidate(t *testing.T) {
	base := *inviteMessage(MethodRequest).Invitation
	base.Organizer = Person{Email: "o@x.in"}
	base.Attendee = Person{Email: "a@x.in"}
	tests := []struct {
		name string
		mod  func(*Invitation)
	}{
		{"method", func(i *Invitation) { i.Method = "PUBLISH" }},
		{"uid", func(i *Invitation) { i.Event.UID = " " }},
		{"end before start", func(i *Invitation) { i.Event.End = i.Event.Start }},
		{"organizer", func(i *Invitation) { i.Organizer.Email = "x" }},
		{"attendee injection", func(i *Invitation) { i.Attendee.Email = "a@x.in\r\nATTENDEE:mailto:b@y" }},
		{"url", func(i *Invitation) { i.URL = "https://x/\r\nX:y" }},
	}
	if _, err := base.Calendar(mailCreated); err != nil {
		t.Fatalf("valid invitation: %v", err)
	}
	for _, tt := range tests {
		inv := base
		tt.mod(&inv)
		if _, err := inv.Calendar(mailCreated); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
}
