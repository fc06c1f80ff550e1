package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/karyakram/karyakram/schedule"
)

// SMTP connection security.
const (
	SMTPPlain    = "plain"    // no TLS (local relay, tests)
	SMTPStartTLS = "starttls" // STARTTLS on a plain connection (port 587)
	SMTPTLS      = "tls"      // implicit TLS (port 465)
)

// SMTPConfig configures an SMTPSender.
type SMTPConfig struct {
	Addr     string // host:port
	Security string // SMTPPlain, SMTPStartTLS or SMTPTLS; "" means SMTPStartTLS
	// TLSConfig overrides the TLS settings; nil uses the host of Addr as
	// the server name.
	TLSConfig *tls.Config
	// Username and Password enable AUTH PLAIN when Username is set.
	Username, Password string
	// From is the envelope and header sender; FromName its display name.
	From, FromName string
	// Organizer is the iCalendar ORGANIZER when an Invitation has none;
	// replies from calendar clients go there. "" means From.
	Organizer Person
	// LocalName is sent in EHLO; "" means "localhost".
	LocalName string
	// MessageIDDomain is the right side of Message-IDs; "" means the
	// domain of From.
	MessageIDDomain string
	// Timeout bounds one whole send when ctx has no earlier deadline;
	// 0 means 60 s.
	Timeout time.Duration
}

// SMTPSender sends email over SMTP, one connection per message. It keeps no
// state between sends and is safe for concurrent use.
type SMTPSender struct {
	cfg SMTPConfig
}

// NewSMTPSender checks cfg and returns a sender.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return nil, schedule.FieldError("smtp addr", "%q is not host:port: %v", cfg.Addr, err)
	}
	if !plainAddress(cfg.From) {
		return nil, schedule.FieldError("smtp from", "%q is not a plain email address", cfg.From)
	}
	switch cfg.Security {
	case "":
		cfg.Security = SMTPStartTLS
	case SMTPPlain, SMTPStartTLS, SMTPTLS:
	default:
		return nil, schedule.FieldError("smtp security", "%q is not plain, starttls or tls", cfg.Security)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 60 * time.Second
	}
	if cfg.MessageIDDomain == "" {
		cfg.MessageIDDomain = cfg.From[strings.LastIndexByte(cfg.From, '@')+1:]
	}
	if cfg.Organizer.Email == "" {
		cfg.Organizer = Person{Name: cfg.FromName, Email: cfg.From}
	}
	return &SMTPSender{cfg: cfg}, nil
}

// Send delivers m. SMTP 5xx replies are permanent failures, 4xx replies
// and network errors temporary.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	raw, err := BuildEmail(s.cfg, m)
	if err != nil {
		return Permanent(fmt.Errorf("build email %s: %w", m.Key, err))
	}
	if err := s.deliver(ctx, m.To, raw); err != nil {
		return classifySMTP(fmt.Errorf("send email %s to %s: %w", m.Key, m.To, err))
	}
	return nil
}

func (s *SMTPSender) deliver(ctx context.Context, to string, raw []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	host, _, _ := net.SplitHostPort(s.cfg.Addr)
	tlsCfg := s.cfg.TLSConfig
	if tlsCfg == nil {
		tlsCfg = &tls.Config{ServerName: host}
	}
	var d net.Dialer
	var conn net.Conn
	var err error
	if s.cfg.Security == SMTPTLS {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: tlsCfg}).DialContext(ctx, "tcp", s.cfg.Addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.cfg.Addr)
	}
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	// The deadline makes every read and write respect ctx; a cancel
	// closes the connection at once.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	var c *smtp.Client
	if s.cfg.Security == SMTPStartTLS {
		c, err = smtp.NewClientStartTLS(conn, tlsCfg)
		if err != nil {
			conn.Close()
			return fmt.Errorf("starttls: %w", err)
		}
	} else {
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	if s.cfg.LocalName != "" {
		if err := c.Hello(s.cfg.LocalName); err != nil {
			return fmt.Errorf("ehlo: %w", err)
		}
	}
	if s.cfg.Username != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.cfg.Username, s.cfg.Password)); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	if err := c.SendMail(s.cfg.From, []string{to}, bytes.NewReader(raw)); err != nil {
		return err
	}
	// The message was accepted; a failed QUIT does not undo that.
	_ = c.Quit()
	return nil
}

// classifySMTP marks 5xx SMTP replies permanent and everything else
// (4xx replies, network errors, timeouts) temporary.
func classifySMTP(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 && se.Code < 600 {
		return Permanent(err)
	}
	return Temporary(err)
}

// BuildEmail returns m as an RFC 5322 message: UTF-8 headers encoded per
// RFC 2047, a quoted-printable text/plain body and, when m.Invitation is
// set, a multipart/alternative with a base64 text/calendar part carrying
// the iMIP method (RFC 6047 §2.4). The bytes depend only on cfg and m, so
// a retried send is identical.
func BuildEmail(cfg SMTPConfig, m Message) ([]byte, error) {
	if !plainAddress(m.To) {
		return nil, schedule.FieldError("email", "recipient %q is not a plain email address", m.To)
	}
	if m.Key == "" {
		return nil, schedule.FieldError("email", "message has no idempotency key")
	}
	if cfg.MessageIDDomain == "" {
		cfg.MessageIDDomain = cfg.From[strings.LastIndexByte(cfg.From, '@')+1:]
	}
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", (&mail.Address{Name: cfg.FromName, Address: cfg.From}).String())
	header("To", (&mail.Address{Name: m.ToName, Address: m.To}).String())
	header("Subject", encodeHeader(m.Subject))
	header("Date", m.Created.Format(time.RFC1123Z))
	header("Message-ID", "<"+strings.NewReplacer(":", ".", "@", ".", " ", "").Replace(m.Key)+"@"+cfg.MessageIDDomain+">")
	header("MIME-Version", "1.0")
	if m.Lang != "" {
		header("Content-Language", m.Lang)
	}

	text, err := qpEncode(m.Text)
	if err != nil {
		return nil, fmt.Errorf("encode text: %w", err)
	}
	if m.Invitation == nil {
		header("Content-Type", "text/plain; charset=UTF-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		b.Write(text)
		return b.Bytes(), nil
	}

	inv := *m.Invitation
	if inv.Organizer.Email == "" {
		inv.Organizer = cfg.Organizer
		if inv.Organizer.Email == "" {
			inv.Organizer = Person{Name: cfg.FromName, Email: cfg.From}
		}
	}
	if inv.Attendee.Email == "" {
		inv.Attendee = Person{Name: m.ToName, Email: m.To}
	}
	cal, err := inv.Calendar(m.Created)
	if err != nil {
		return nil, fmt.Errorf("calendar for %s: %w", m.Key, err)
	}
	sum := sha256.Sum256([]byte(m.Key))
	mw := multipart.NewWriter(&b)
	if err := mw.SetBoundary("karyakram-" + hex.EncodeToString(sum[:12])); err != nil {
		return nil, fmt.Errorf("boundary: %w", err)
	}
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	b.WriteString("\r\n")

	pw, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=UTF-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return nil, fmt.Errorf("text part: %w", err)
	}
	pw.Write(text)
	pw, err = mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/calendar; method=" + inv.Method + "; charset=UTF-8"},
		"Content-Transfer-Encoding": {"base64"},
	})
	if err != nil {
		return nil, fmt.Errorf("calendar part: %w", err)
	}
	pw.Write(base64Lines(cal))
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("close multipart: %w", err)
	}
	return b.Bytes(), nil
}

// encodeHeader encodes a UTF-8 header value as RFC 2047 B-words (compact
// for Devanagari), folding between encoded words; ASCII stays as it is.
func encodeHeader(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	enc := mime.BEncoding.Encode("UTF-8", s)
	return strings.ReplaceAll(enc, "?= =?", "?=\r\n =?")
}

func qpEncode(s string) ([]byte, error) {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// base64Lines encodes p as base64 in 76-character CRLF lines (RFC 2045).
func base64Lines(p []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(p)
	var b bytes.Buffer
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	b.WriteString("\r\n")
	return b.Bytes()
}
