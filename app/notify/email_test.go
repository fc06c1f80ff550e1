package notify

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
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

func inviteMessage(method string) Message {
	start := time.Date(2026, 9, 12, 13, 0, 0, 0, time.UTC) // 18:30 IST
	subject := "आमंत्रण: ज़िला कार्यसमिति बैठक, 12 सितंबर"
	if method == MethodCancel {
		subject = "निरस्त: ज़िला कार्यसमिति बैठक, 12 सितंबर"
	}
	return Message{
		Key: "invite:42:invite:0:email", Channel: "email", Lang: "hi",
		To: "sunita@example.org", ToName: "सुनीता पटेल",
		Subject: subject,
		Text:    "आदरणीय सुनीता पटेल जी,\n\nआपको ज़िला कार्यसमिति बैठक में आमंत्रित किया जाता है।\nकृपया उत्तर दें: https://k.example.in/i/EcCNtwG5YAGY1J0OTe3vVbKf_xaamg",
		Invitation: &Invitation{
			Method: method, UID: "ev-12345@karyakram", Sequence: 2,
			Start: start, End: start.Add(90 * time.Minute),
			Summary:     "ज़िला कार्यसमिति बैठक, जबलपुर; सत्र 1",
			Location:    "मानस भवन, जबलपुर",
			Description: "एजेंडा:\n1. बूथ समितियाँ\n2. प्रशिक्षण वर्ग का एक बहुत लंबा विवरण जो पचहत्तर ऑक्टेट से बड़ा है ताकि पंक्ति मोड़ी जाए",
			URL:         "https://k.example.in/i/EcCNtwG5YAGY1J0OTe3vVbKf_xaamg",
		},
		Created: mailCreated,
	}
}

// parsedMail is what the tests read back out of a received message.
type parsedMail struct {
	header     mail.Header
	subject    string
	text       string
	calType    string // Content-Type of the calendar part
	calRaw     []byte
	cal        *ical.Calendar
	partTypes  []string
	topMedia   string
	topParams  map[string]string
	messageRaw []byte
}

func parseMail(t *testing.T, raw []byte) parsedMail {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the message: %v\n%s", err, raw)
	}
	p := parsedMail{header: msg.Header, messageRaw: raw}
	dec := new(mime.WordDecoder)
	if p.subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("decode subject: %v", err)
	}
	p.topMedia, p.topParams, err = mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type: %v", err)
	}
	if !strings.HasPrefix(p.topMedia, "multipart/") {
		body, _ := io.ReadAll(msg.Body)
		p.text = string(body)
		return p
	}
	mr := multipart.NewReader(msg.Body, p.topParams["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("next part: %v", err)
		}
		ct := part.Header.Get("Content-Type")
		p.partTypes = append(p.partTypes, ct)
		body, err := io.ReadAll(part) // quoted-printable is decoded by multipart
		if err != nil {
			t.Fatalf("read part %s: %v", ct, err)
		}
		media, _, _ := mime.ParseMediaType(ct)
		switch media {
		case "text/plain":
			p.text = string(body)
		case "text/calendar":
			if part.Header.Get("Content-Transfer-Encoding") != "base64" {
				t.Fatalf("calendar part encoding %q", part.Header.Get("Content-Transfer-Encoding"))
			}
			p.calType = ct
			p.calRaw, err = base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(body)))
			if err != nil {
				t.Fatalf("calendar base64: %v", err)
			}
			p.cal, err = ical.NewDecoder(bytes.NewReader(p.calRaw)).Decode()
			if err != nil {
				t.Fatalf("go-ical cannot parse the calendar: %v\n%s", err, p.calRaw)
			}
		}
	}
	return p
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
	p := parseMail(t, got.data)

	if p.subject != m.Subject {
		t.Errorf("subject %q, want %q", p.subject, m.Subject)
	}
	if raw := p.header.Get("Subject"); !strings.HasPrefix(raw, "=?UTF-8?b?") {
		t.Errorf("raw subject %q is not RFC 2047 B-encoded UTF-8", raw)
	}
	to, err := p.header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "सुनीता पटेल" || to[0].Address != m.To {
		t.Errorf("To = %v, %v", to, err)
	}
	if id := p.header.Get("Message-ID"); id != "<invite.42.invite.0.email@mp.example.in>" {
		t.Errorf("Message-ID %q", id)
	}
	if d, err := p.header.Date(); err != nil || !d.Equal(mailCreated) {
		t.Errorf("Date %v, %v", d, err)
	}
	if p.topMedia != "multipart/alternative" {
		t.Errorf("top type %q, want multipart/alternative", p.topMedia)
	}
	if len(p.partTypes) != 2 || !strings.HasPrefix(p.partTypes[0], "text/plain") {
		t.Errorf("parts %v, want text/plain then text/calendar", p.partTypes)
	}
	if want := strings.ReplaceAll(m.Text, "\n", "\r\n"); p.text != want {
		t.Errorf("text part %q, want %q", p.text, want)
	}
	media, params, _ := mime.ParseMediaType(p.calType)
	if media != "text/calendar" || params["method"] != "REQUEST" || params["charset"] != "UTF-8" {
		t.Errorf("calendar Content-Type %q", p.calType)
	}

	cal := p.cal
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
	checkText("SUMMARY", m.Invitation.Summary)
	checkText("LOCATION", m.Invitation.Location)
	checkText("DESCRIPTION", m.Invitation.Description)
	checkText("UID", m.Invitation.UID)
	checkText("STATUS", "CONFIRMED")
	if start, err := ev.DateTimeStart(time.UTC); err != nil || !start.Equal(m.Invitation.Start) {
		t.Errorf("DTSTART %v, %v", start, err)
	}
	if end, err := ev.DateTimeEnd(time.UTC); err != nil || !end.Equal(m.Invitation.End) {
		t.Errorf("DTEND %v, %v", end, err)
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
	for _, line := range strings.Split(string(p.calRaw), "\r\n") {
		if len(line) > 75 {
			t.Errorf("calendar line of %d octets: %q", len(line), line)
		}
	}
	if !strings.Contains(string(p.calRaw), "\r\n ") {
		t.Error("long DESCRIPTION was not folded")
	}
}

func TestSMTPCancelIMIP(t *testing.T) {
	be := &testBackend{}
	s := newSender(t, startSMTP(t, be), nil)
	m := inviteMessage(MethodCancel)
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	p := parseMail(t, be.messages()[0].data)
	if _, params, _ := mime.ParseMediaType(p.calType); params["method"] != "CANCEL" {
		t.Errorf("calendar Content-Type %q, want method=CANCEL", p.calType)
	}
	if v := p.cal.Props.Get("METHOD"); v == nil || v.Value != "CANCEL" {
		t.Errorf("METHOD = %v", v)
	}
	ev := p.cal.Events()[0]
	if st, err := ev.Status(); err != nil || st != ical.EventCancelled {
		t.Errorf("STATUS %v, %v", st, err)
	}
	if att := ev.Props.Get("ATTENDEE"); att == nil || att.Params.Get("RSVP") != "" {
		t.Errorf("cancel ATTENDEE %+v should not ask for RSVP", att)
	}
}

func TestSMTPPlainTextWithoutInvitation(t *testing.T) {
	be := &testBackend{}
	s := newSender(t, startSMTP(t, be), nil)
	m := inviteMessage(MethodRequest)
	m.Invitation = nil
	m.Subject = "Reminder: District meeting"
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	p := parseMail(t, be.messages()[0].data)
	if p.topMedia != "text/plain" || p.subject != m.Subject || p.header.Get("Subject") != m.Subject {
		t.Errorf("type %q subject %q (raw %q)", p.topMedia, p.subject, p.header.Get("Subject"))
	}
	if p.header.Get("Content-Transfer-Encoding") != "quoted-printable" {
		t.Errorf("encoding %q", p.header.Get("Content-Transfer-Encoding"))
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
	for _, line := range strings.Split(string(a), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line over 998 octets")
		}
		for _, c := range []byte(line) {
			if c >= 0x80 {
				t.Fatalf("8-bit byte in message line %q", line)
			}
		}
	}
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
		{"uid", func(i *Invitation) { i.UID = " " }},
		{"end before start", func(i *Invitation) { i.End = i.Start }},
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
