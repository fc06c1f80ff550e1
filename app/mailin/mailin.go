// Package mailin is karyakram's inbound mail endpoint: an SMTP server
// (github.com/emersion/go-smtp, already used to send) that receives the
// calendar replies (iTIP REPLY, RFC 6047) that Gmail's, Outlook's and
// Apple's "Yes / No / Maybe" buttons send to an invitation's organiser
// address, and hands each to the store, which changes the invitee's RSVP
// when the reply proves it and keeps a record of every message either way.
//
// Why an SMTP endpoint rather than polling an IMAP mailbox: replies take
// effect when they arrive, not at the next poll; there are no mailbox
// credentials to keep and no mail left to delete; it needs no new
// dependency; and it is exercised in tests exactly as in production, by a
// real SMTP client talking to the real server. The organiser address (e.g.
// rsvp@mp.example.in) is pointed at it with an MX record or a forwarding
// rule of the organisation's mail server; the endpoint accepts mail only
// for that address and only up to MaxBytes.
package mailin

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/karyakram/karyakram/app/ical"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// DefaultMaxBytes is the largest message accepted: calendar replies are a
// few KiB; anything this large is not one.
const DefaultMaxBytes = 256 << 10

// Recorder stores a reply and applies what it proves (*store.Store).
type Recorder interface {
	RecordCalendarReply(ctx context.Context, r store.InboundReply) (store.ReplyRecord, error)
}

// Config configures the endpoint.
type Config struct {
	// Recipients are the addresses mail is accepted for: the ORGANIZER of
	// the invitations (replies go there). At least one.
	Recipients []string
	// Domain is the name the server greets with; "" means "localhost".
	Domain   string
	MaxBytes int64 // 0 means DefaultMaxBytes
	// Zone is the organisation's time zone (floating RECURRENCE-IDs).
	Zone     schedule.Zone
	Recorder Recorder
	Log      *slog.Logger
	Now      func() time.Time // nil means time.Now
	// Timeout bounds each read and write on a connection; 0 means 60 s.
	Timeout time.Duration
	// TLSConfig, when set, offers STARTTLS to sending servers.
	TLSConfig *tls.Config
}

// Server is the running endpoint.
type Server struct {
	cfg  Config
	smtp *smtp.Server
	rcpt map[string]bool
}

// New checks cfg and returns a server; call Serve.
func New(cfg Config) (*Server, error) {
	if cfg.Recorder == nil {
		return nil, errors.New("mailin: a Recorder is required")
	}
	if len(cfg.Recipients) == 0 {
		return nil, schedule.FieldError("reply address", "name the address calendar replies are sent to")
	}
	s := &Server{cfg: cfg, rcpt: map[string]bool{}}
	for _, r := range cfg.Recipients {
		r = strings.ToLower(strings.TrimSpace(r))
		if !ical.PlainAddress(r) {
			return nil, schedule.FieldError("reply address", "%q is not an email address", r)
		}
		s.rcpt[r] = true
	}
	if s.cfg.MaxBytes <= 0 {
		s.cfg.MaxBytes = DefaultMaxBytes
	}
	if s.cfg.Log == nil {
		s.cfg.Log = slog.New(slog.DiscardHandler)
	}
	if s.cfg.Now == nil {
		s.cfg.Now = time.Now
	}
	if s.cfg.Timeout <= 0 {
		s.cfg.Timeout = 60 * time.Second
	}
	srv := smtp.NewServer(s)
	srv.Domain = cfg.Domain
	if srv.Domain == "" {
		srv.Domain = "localhost"
	}
	// The protocol limit is generous so an oversized message is read to
	// its end (bounded) and recorded, rather than cut off unrecorded.
	srv.MaxMessageBytes = 4 * s.cfg.MaxBytes
	srv.MaxRecipients = 10
	srv.ReadTimeout, srv.WriteTimeout = s.cfg.Timeout, s.cfg.Timeout
	srv.TLSConfig = cfg.TLSConfig
	srv.ErrorLog = slogLogger{s.cfg.Log}
	s.smtp = srv
	return s, nil
}

// Serve accepts connections on ln until Close.
func (s *Server) Serve(ln net.Listener) error {
	err := s.smtp.Serve(ln)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops the server.
func (s *Server) Close() error { return s.smtp.Close() }

// NewSession implements smtp.Backend.
func (s *Server) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: s, remote: c.Conn().RemoteAddr().String()}, nil
}

type session struct {
	s      *Server
	remote string
	from   string
	rcpts  int
}

func (ss *session) Mail(from string, opts *smtp.MailOptions) error {
	ss.from = from
	if opts != nil && opts.Size > ss.s.cfg.MaxBytes {
		ss.record(store.InboundReply{MailFrom: from, Size: opts.Size, Outcome: store.ReplyOversized,
			Problem: fmt.Sprintf("announced size %d bytes is over the limit of %d", opts.Size, ss.s.cfg.MaxBytes)})
		return errTooLarge(ss.s.cfg.MaxBytes)
	}
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !ss.s.rcpt[strings.ToLower(strings.TrimSpace(to))] {
		ss.s.cfg.Log.Warn("calendar reply endpoint: mail for an unknown recipient refused", "to", to, "from", ss.from, "remote", ss.remote)
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox here"}
	}
	ss.rcpts++
	return nil
}

func (ss *session) Data(r io.Reader) (err error) {
	max := ss.s.cfg.MaxBytes
	raw, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return err // the connection failed or passed the protocol limit
	}
	if int64(len(raw)) > max {
		n, _ := io.Copy(io.Discard, r) // bounded by the protocol limit
		size := int64(len(raw)) + n
		in := store.InboundReply{MailFrom: ss.from, Size: size, Outcome: store.ReplyOversized,
			Problem: fmt.Sprintf("%d bytes is over the limit of %d", size, max)}
		fillHeaders(&in, raw)
		ss.record(in)
		return errTooLarge(max)
	}
	defer func() {
		if p := recover(); p != nil { // never take the endpoint down
			ss.s.cfg.Log.Error("calendar reply endpoint: panic reading a message", "panic", p, "from", ss.from)
			err = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "temporary failure, try again later"}
		}
	}()
	in := Read(raw, ss.s.cfg.Zone)
	in.MailFrom = ss.from
	if _, err := ss.record(in); err != nil {
		// Not stored: ask the sending server to retry later.
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "temporary failure, try again later"}
	}
	return nil
}

// record stores in and logs the outcome.
func (ss *session) record(in store.InboundReply) (store.ReplyRecord, error) {
	in.ReceivedAt = ss.s.cfg.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec, err := ss.s.cfg.Recorder.RecordCalendarReply(ctx, in)
	if err != nil {
		ss.s.cfg.Log.Error("calendar reply not stored", "err", err, "from", in.From, "mail_from", in.MailFrom, "remote", ss.remote)
		return rec, err
	}
	level := slog.LevelInfo
	if rec.Outcome != store.ReplyApplied && rec.Outcome != store.ReplyUnchanged && rec.Outcome != store.ReplyDuplicate {
		level = slog.LevelWarn
	}
	ss.s.cfg.Log.Log(context.Background(), level, "calendar reply", "outcome", rec.Outcome, "detail", rec.Detail, "id", rec.ID,
		"uid", rec.UID, "attendee", rec.Attendee, "partstat", rec.PartStat, "from", rec.From, "remote", ss.remote)
	return rec, nil
}

func (ss *session) Reset()        { ss.from, ss.rcpts = "", 0 }
func (ss *session) Logout() error { return nil }

func errTooLarge(max int64) error {
	return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4},
		Message: fmt.Sprintf("message too large: calendar replies are accepted up to %d bytes", max)}
}

// Read parses one inbound message into what the store needs: headers, and
// the iTIP REPLY of its calendar part (text/calendar or an .ics
// attachment, at any depth). A message without a readable REPLY comes
// back with Problem set and Outcome ReplyMalformed.
func Read(raw []byte, zone schedule.Zone) store.InboundReply {
	in := store.InboundReply{Size: int64(len(raw)), Raw: raw}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		in.Problem, in.Outcome = "not an email message: "+err.Error(), store.ReplyMalformed
		return in
	}
	fillFrom(&in, msg.Header)
	cal, err := findCalendar(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0)
	if err != nil {
		in.Problem, in.Outcome = err.Error(), store.ReplyMalformed
		return in
	}
	if cal == nil {
		in.Problem, in.Outcome = "the message has no calendar part (text/calendar or .ics)", store.ReplyMalformed
		return in
	}
	r, err := ical.ParseReply(cal, zone)
	if err != nil {
		in.Problem, in.Outcome = "unreadable calendar reply: "+schedule.ErrorMessage(err), store.ReplyMalformed
		return in
	}
	in.UID, in.RecurrenceID, in.Sequence, in.Attendee, in.PartStat = r.UID, r.RecurrenceID, r.Sequence, r.Attendee, r.PartStat
	return in
}

// fillHeaders reads what it can of the headers of a message that is not
// parsed further (oversized).
func fillHeaders(in *store.InboundReply, raw []byte) {
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	if msg, err := mail.ReadMessage(bytes.NewReader(append(head, "\r\n\r\n"...))); err == nil {
		fillFrom(in, msg.Header)
	}
}

func fillFrom(in *store.InboundReply, h mail.Header) {
	in.MessageID = strings.TrimSpace(h.Get("Message-ID"))
	if a, err := mail.ParseAddress(h.Get("From")); err == nil {
		in.From = strings.ToLower(a.Address)
	}
}

// maxPartDepth and maxParts bound the MIME walk of untrusted mail.
const (
	maxPartDepth = 8
	maxParts     = 64
)

var errNoParts = errors.New("too many MIME parts")

// findCalendar returns the decoded calendar of the first text/calendar or
// application/ics part (or nil).
func findCalendar(ctype, cte string, body io.Reader, depth int) ([]byte, error) {
	media, params, err := mime.ParseMediaType(ctype)
	if ctype == "" {
		media, err = "text/plain", nil
	}
	if err != nil {
		return nil, fmt.Errorf("bad Content-Type %q", clip(ctype))
	}
	switch {
	case strings.HasPrefix(media, "multipart/"):
		if depth >= maxPartDepth {
			return nil, errors.New("MIME parts nested too deep")
		}
		mr := multipart.NewReader(body, params["boundary"])
		for i := 0; ; i++ {
			if i == maxParts {
				return nil, errNoParts
			}
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil, nil
			}
			if err != nil {
				return nil, fmt.Errorf("bad MIME structure: %v", err)
			}
			cal, err := findCalendar(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1)
			if err != nil || cal != nil {
				return cal, err
			}
		}
	case media == "text/calendar" || media == "application/ics":
		var r io.Reader = body
		switch strings.ToLower(strings.TrimSpace(cte)) {
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, &lineStripper{r: body})
		case "quoted-printable":
			r = quotedprintable.NewReader(body)
		}
		data, err := io.ReadAll(r)
		if err != nil {
			return nil, fmt.Errorf("cannot decode the calendar part (%s): %v", cte, err)
		}
		return data, nil
	}
	return nil, nil
}

// lineStripper drops CR and LF, for base64 bodies.
type lineStripper struct{ r io.Reader }

func (l *lineStripper) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if c != '\r' && c != '\n' {
			p[j] = c
			j++
		}
	}
	if j == 0 && err == nil && n > 0 {
		return l.Read(p)
	}
	return j, err
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// slogLogger routes go-smtp's own log lines into slog.
type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Printf(format string, v ...any) {
	l.log.Warn("calendar reply endpoint: " + fmt.Sprintf(format, v...))
}

func (l slogLogger) Println(v ...any) { l.log.Warn("calendar reply endpoint: " + fmt.Sprintln(v...)) }
