package mailin_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/karyakram/karyakram/app/mailin"
	"github.com/karyakram/karyakram/app/notify"
	"github.com/karyakram/karyakram/app/notify/mailtest"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/schedule"
)

const replyAddr = "rsvp@mp.example.in"

// logBuffer collects the endpoint's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type fixture struct {
	t      *testing.T
	st     *store.Store
	addr   string
	event  int64
	logs   *logBuffer
	invite map[string]int64 // by attendee address
	sent   int
}

// newFixture: a monthly meeting with two invitees emailed (Hindi and
// English), and the reply endpoint listening on loopback.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	now := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	st.SetClock(func() time.Time { return now })
	storetest.ImportWorkers(t, st, "name,mobile,voter_id,gender,email,language,unit_code,roles\n"+
		"Booth President,9800000004,AAA0000004,F,booth.president@example.in,hi,D1-A1-M1-C1-S1-B1,booth_president\n"+
		"सीता देवी,9811111112,BBB0000002,F,seeta@example.in,en,D1-A1-M1-C1-S1-B2,mann_ki_baat_pramukh\n"+
		"Mohan Lal,9811111113,BBB0000003,M,mohan@example.in,en,D1-A1-M2-C1-S1-B1,\n")
	sys := schedule.SystemActor("t")
	kendra, err := st.FindUnitByCode(ctx, sys, "D1-A1-M1-C1-S1")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 27, 5, 30, 0, 0, time.UTC)
	saved, err := st.CreateEvent(ctx, sys, schedule.Event{UID: "kendra-meeting@karyakram", UnitID: kendra.ID, Type: "meeting", Title: "Kendra meeting",
		Venue: schedule.Venue{Name: "School"}, Start: start, End: start.Add(time.Hour), RRule: "FREQ=MONTHLY;BYDAY=-1SU"})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := st.SendInvites(ctx, sys, saved.Event.ID, store.Audience{UnitIDs: []int64{kendra.ID}, Channel: schedule.ChannelEmail}); err != nil || rep.Enqueued != 2 {
		t.Fatalf("fan-out %+v %v", rep, err)
	}
	f := &fixture{t: t, st: st, event: saved.Event.ID, logs: &logBuffer{}, invite: map[string]int64{}}
	rows, err := st.DB().QueryContext(ctx, "SELECT i.id, w.email FROM invites i JOIN workers w ON w.id = i.worker_id WHERE i.event_id = ?", f.event)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var email string
		if err := rows.Scan(&id, &email); err != nil {
			t.Fatal(err)
		}
		f.invite[strings.ToLower(email)] = id
	}
	rows.Close()
	srv, err := mailin.New(mailin.Config{Recipients: []string{replyAddr}, Domain: "mx.test", MaxBytes: 64 << 10, Recorder: st,
		Log: slog.New(slog.NewTextHandler(f.logs, nil)), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	f.addr = ln.Addr().String()
	return f
}

// send delivers raw to the endpoint over SMTP as a mail server would.
func (f *fixture) send(raw string) error { return sendTo(f.addr, replyAddr, raw) }

// sendTo is a plain-SMTP delivery (the loopback test server has no TLS).
func sendTo(addr, rcpt, raw string) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail("bounce@example.in", []string{rcpt}, strings.NewReader(raw)); err != nil {
		return err
	}
	return c.Quit()
}

// rsvp is the invite's stored answer.
func (f *fixture) rsvp(addr string) string {
	f.t.Helper()
	var a string
	if err := f.st.DB().QueryRowContext(context.Background(), "SELECT rsvp FROM invites WHERE id = ?", f.invite[addr]).Scan(&a); err != nil {
		f.t.Fatal(err)
	}
	return a
}

// last is the newest stored reply.
func (f *fixture) last() store.ReplyRecord {
	f.t.Helper()
	rs, err := f.st.CalendarReplies(context.Background(), storetest.Actor(f.t, f.st, "9800000001"), 1)
	if err != nil || len(rs) == 0 {
		f.t.Fatalf("no reply stored: %v", err)
	}
	return rs[0]
}

// replyCalendar is an iTIP REPLY as Gmail writes one.
func replyCalendar(uid, attendee, partstat string, seq int, extra string) string {
	return "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\nCALSCALE:GREGORIAN\r\nMETHOD:REPLY\r\n" +
		"BEGIN:VEVENT\r\nDTSTART:20261227T053000Z\r\nDTEND:20261227T063000Z\r\nDTSTAMP:20261202T101500Z\r\n" +
		"ORGANIZER;CN=Office:mailto:" + replyAddr + "\r\nUID:" + uid + "\r\n" +
		"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=" + partstat + ";CN=Invitee;X-NUM-GUESTS=0:mailto:" + attendee + "\r\n" +
		extra + fmt.Sprintf("SEQUENCE:%d\r\n", seq) + "STATUS:CONFIRMED\r\nSUMMARY:Kendra meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

// gmailReply wraps a calendar the way Gmail sends a reply: text and the
// calendar as alternatives, and the .ics attached.
func (f *fixture) gmailReply(from, cal string) string {
	f.sent++
	return "From: Invitee <" + from + ">\r\nTo: " + replyAddr + "\r\nSubject: Accepted: Kendra meeting\r\n" +
		fmt.Sprintf("Message-ID: <reply-%d@mail.example>\r\n", f.sent) +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n" +
		"--mix\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n" +
		"--alt\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\n\r\nInvitee has accepted this invitation.\r\n" +
		"--alt\r\nContent-Type: text/calendar; charset=\"UTF-8\"; method=REPLY\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" + cal + "\r\n--alt--\r\n" +
		"--mix\r\nContent-Type: application/ics; name=\"invite.ics\"\r\nContent-Disposition: attachment; filename=\"invite.ics\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		"QkVHSU46VkNBTEVOREFSDQpFTkQ6VkNBTEVOREFSDQo=\r\n--mix--\r\n"
}

// outlookReply is a reply whose whole body is the calendar, base64 encoded.
func (f *fixture) outlookReply(from, cal string) string {
	f.sent++
	var b64 bytes.Buffer
	s := base64.StdEncoding.EncodeToString([]byte(cal))
	for len(s) > 76 {
		b64.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	b64.WriteString(s + "\r\n")
	return "From: \"Invitee\" <" + from + ">\r\nTo: <" + replyAddr + ">\r\nSubject: Declined: Kendra meeting\r\n" +
		fmt.Sprintf("Message-ID: <outlook-%d@mail.example>\r\n", f.sent) +
		"MIME-Version: 1.0\r\nContent-Type: text/calendar; charset=\"utf-8\"; method=REPLY\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64.String()
}

func TestCalendarRepliesChangeRSVPOnlyWhenProven(t *testing.T) {
	f := newFixture(t)
	hi, en := "booth.president@example.in", "seeta@example.in"
	uid := "kendra-meeting@karyakram"
	check := func(name, wantOutcome, addr, wantRSVP string) {
		t.Helper()
		r := f.last()
		if r.Outcome != wantOutcome {
			t.Errorf("%s: outcome %q (%s), want %q", name, r.Outcome, r.Detail, wantOutcome)
		}
		if addr != "" {
			if got := f.rsvp(addr); got != wantRSVP {
				t.Errorf("%s: RSVP of %s is %q, want %q", name, addr, got, wantRSVP)
			}
		}
	}

	// Accept, as Gmail sends it.
	accept := f.gmailReply(hi, replyCalendar(uid, hi, "ACCEPTED", 0, ""))
	if err := f.send(accept); err != nil {
		t.Fatal(err)
	}
	check("accept", store.ReplyApplied, hi, store.RSVPGoing)
	// The same message again (a retrying server): nothing more happens.
	if err := f.send(accept); err != nil {
		t.Fatal(err)
	}
	check("same message again", store.ReplyDuplicate, hi, store.RSVPGoing)

	// Decline, as Outlook sends it (base64 calendar body, upper/lower case).
	if err := f.send(f.outlookReply(en, replyCalendar(uid, "Seeta@Example.in", "DECLINED", 0, ""))); err != nil {
		t.Fatal(err)
	}
	check("outlook decline", store.ReplyApplied, en, store.RSVPNotGoing)
	if err := f.send(f.outlookReply(en, replyCalendar(uid, en, "DECLINED", 0, ""))); err != nil {
		t.Fatal(err)
	}
	check("same answer, new message", store.ReplyUnchanged, en, store.RSVPNotGoing)

	// Replies that prove nothing change nothing.
	for _, c := range []struct {
		name, raw, outcome string
	}{
		{"unknown sender", f.gmailReply("someone.else@example.in", replyCalendar(uid, en, "ACCEPTED", 0, "")), store.ReplyUnknownSender},
		{"unknown event", f.gmailReply(en, replyCalendar("no-such-event@x", en, "ACCEPTED", 0, "")), store.ReplyUnmatched},
		{"not invited by email", f.gmailReply("mohan@example.in", replyCalendar(uid, "mohan@example.in", "ACCEPTED", 0, "")), store.ReplyUnmatched},
		{"one occurrence", f.gmailReply(en, replyCalendar(uid, en, "ACCEPTED", 0, "RECURRENCE-ID;TZID=Asia/Kolkata:20270131T110000\r\n")), store.ReplyOccurrence},
		{"needs action", f.gmailReply(en, replyCalendar(uid, en, "NEEDS-ACTION", 0, "")), store.ReplyUnknownAnswer},
		{"a request, not a reply", f.gmailReply(en, strings.Replace(replyCalendar(uid, en, "ACCEPTED", 0, ""), "METHOD:REPLY", "METHOD:REQUEST", 1)), store.ReplyMalformed},
		{"garbage calendar", f.gmailReply(en, "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:"+en+"\r\n"), store.ReplyMalformed},
		{"two attendees", f.gmailReply(en, strings.Replace(replyCalendar(uid, en, "ACCEPTED", 0, ""), "SEQUENCE", "ATTENDEE;PARTSTAT=DECLINED:mailto:"+hi+"\r\nSEQUENCE", 1)), store.ReplyMalformed},
		{"no calendar at all", "From: " + en + "\r\nTo: " + replyAddr + "\r\nSubject: Out of office\r\nMessage-ID: <ooo@x>\r\n\r\nI am away.\r\n", store.ReplyMalformed},
		{"not even headers", "this is not a message\r\n", store.ReplyMalformed},
	} {
		if err := f.send(c.raw); err != nil {
			t.Fatalf("%s: the endpoint refused the message: %v", c.name, err)
		}
		check(c.name, c.outcome, en, store.RSVPNotGoing)
	}
	if !strings.Contains(f.logs.String(), "outcome=unknown_sender") || !strings.Contains(f.logs.String(), "outcome=malformed") {
		t.Errorf("no log line for refused replies:\n%s", f.logs.String())
	}

	// Oversized: refused with 552, and recorded.
	big := f.gmailReply(en, replyCalendar(uid, en, "ACCEPTED", 0, "DESCRIPTION:"+strings.Repeat("x", 70)+"\r\n"))
	big = strings.Replace(big, "Invitee has accepted this invitation.", strings.Repeat("padding line of a huge message\r\n", 3000), 1)
	err := f.send(big)
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 552 {
		t.Errorf("oversized message: %v, want 552", err)
	}
	check("oversized", store.ReplyOversized, en, store.RSVPNotGoing)

	// Mail for another address is refused at RCPT.
	err = sendTo(f.addr, "someone@mp.example.in", accept)
	if !errors.As(err, &se) || se.Code != 550 {
		t.Errorf("unknown recipient: %v, want 550", err)
	}
}

func TestCalendarReplyAfterAChangeIsStale(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	en := "seeta@example.in"
	// The invitation went out; then the time changed and a change notice
	// (SEQUENCE 1) went out too.
	if _, err := f.st.DB().ExecContext(ctx, "UPDATE outbox SET status = 'sent' WHERE event_id = ?", f.event); err != nil {
		t.Fatal(err)
	}
	rec, err := f.st.FindEventByID(ctx, schedule.SystemActor("t"), f.event)
	if err != nil {
		t.Fatal(err)
	}
	rec.Event.End = rec.Event.End.Add(time.Hour)
	saved, err := f.st.UpdateEvent(ctx, schedule.SystemActor("t"), rec.Event)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.DB().ExecContext(ctx, "UPDATE outbox SET status = 'sent' WHERE event_id = ?", f.event); err != nil {
		t.Fatal(err)
	}
	// An answer to the first invitation (SEQUENCE 0) was given for the old
	// time: it does not prove an answer for the new one.
	if err := f.send(f.gmailReply(en, replyCalendar("kendra-meeting@karyakram", en, "ACCEPTED", 0, ""))); err != nil {
		t.Fatal(err)
	}
	if r := f.last(); r.Outcome != store.ReplyStale || f.rsvp(en) != "" {
		t.Errorf("stale reply: %s (%s), RSVP %q", r.Outcome, r.Detail, f.rsvp(en))
	}
	// The answer to the change notice counts.
	if err := f.send(f.gmailReply(en, replyCalendar("kendra-meeting@karyakram", en, "TENTATIVE", saved.Event.Sequence, ""))); err != nil {
		t.Fatal(err)
	}
	if r := f.last(); r.Outcome != store.ReplyApplied || f.rsvp(en) != store.RSVPMaybe {
		t.Errorf("current reply: %s (%s), RSVP %q", r.Outcome, r.Detail, f.rsvp(en))
	}
	// A cancelled event takes no more answers.
	if _, err := f.st.CancelEvent(ctx, schedule.SystemActor("t"), f.event); err != nil {
		t.Fatal(err)
	}
	if err := f.send(f.gmailReply(en, replyCalendar("kendra-meeting@karyakram", en, "ACCEPTED", 99, ""))); err != nil {
		t.Fatal(err)
	}
	if r := f.last(); r.Outcome != store.ReplyCancelled || f.rsvp(en) != store.RSVPMaybe {
		t.Errorf("reply to a cancelled event: %s, RSVP %q", r.Outcome, f.rsvp(en))
	}
}

// TestReplyToTheRealInvitation answers the invitation karyakram itself
// sends: the calendar client turns its REQUEST into a REPLY to the
// ORGANIZER, and the answer lands on the invite as the /i/ page would put
// it.
func TestReplyToTheRealInvitation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	hi := "booth.president@example.in"
	ev, err := f.st.FindInviteEvent(ctx, schedule.SystemActor("t"), f.event)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := schedule.NewTemplateSet(schedule.MessageConfig{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := notify.Compose(ts, notify.Notice{Key: schedule.InviteKey(f.invite[hi], 0, schedule.ChannelEmail), Event: ev.MessageEvent,
		Link: "https://k.example.in/i/x", To: notify.Recipient{Name: "Booth President", Email: hi, Lang: "hi"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := notify.BuildEmail(notify.SMTPConfig{From: "karyakram@mp.example.in", Organizer: notify.Person{Name: "Office", Email: replyAddr}}, m)
	if err != nil {
		t.Fatal(err)
	}
	inv := mailtest.Go(t, raw)
	// What a client does on "Yes": same UID and SEQUENCE, METHOD:REPLY,
	// only its own ATTENDEE line with PARTSTAT=ACCEPTED, sent to ORGANIZER.
	organizer := regexp.MustCompile(`ORGANIZER[^:]*:mailto:(\S+)`).FindStringSubmatch(strings.ReplaceAll(inv.Calendar, "\r\n ", ""))
	if organizer == nil || organizer[1] != replyAddr {
		t.Fatalf("the invitation's ORGANIZER is %v, want the reply address", organizer)
	}
	unfolded := strings.ReplaceAll(inv.Calendar, "\r\n ", "")
	reply := strings.Replace(unfolded, "METHOD:REQUEST", "METHOD:REPLY", 1)
	reply = strings.ReplaceAll(reply, "PARTSTAT=NEEDS-ACTION;RSVP=TRUE", "PARTSTAT=ACCEPTED")
	if err := f.send(f.gmailReply(hi, reply)); err != nil {
		t.Fatal(err)
	}
	r := f.last()
	if r.Outcome != store.ReplyApplied || f.rsvp(hi) != store.RSVPGoing || r.InviteID != f.invite[hi] || r.EventID != f.event {
		t.Fatalf("reply to the real invitation: %+v, RSVP %q", r, f.rsvp(hi))
	}
	// As the /i/ page leaves it: status rsvp, the time, and an audit line.
	var status string
	var at time.Time
	if err := f.st.DB().QueryRowContext(ctx, "SELECT status, rsvp_at FROM invites WHERE id = ?", f.invite[hi]).Scan(&status, &at); err != nil || status != store.InviteRSVP || at.IsZero() {
		t.Errorf("invite status %q at %v (%v)", status, at, err)
	}
	var audits int
	f.st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'rsvp' AND entity_id = ?", f.invite[hi]).Scan(&audits)
	if audits != 1 {
		t.Errorf("%d audit lines for the RSVP", audits)
	}
}
