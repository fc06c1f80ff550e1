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

// BuildEmail returns m as an RFC 5322 message a person's mail client shows
// well and a bulk-mail filter accepts:
//
//   - headers UTF-8 as RFC 2047 encoded words folded to 76 characters,
//     never inside a grapheme cluster (writeHeader);
//   - Auto-Submitted: auto-generated (RFC 3834), so auto-responders stay
//     quiet; for bulk notices (m.Unsubscribe set) List-Unsubscribe and
//     List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058);
//   - multipart/alternative of a quoted-printable text/plain part and an
//     HTML part built from the same text (htmlBody);
//   - with an invitation, the iMIP text/calendar part (RFC 6047 §2.4) as a
//     third alternative, and the same calendar again as an invite.ics
//     attachment for clients that ignore inline calendars, the two inside
//     multipart/mixed.
//
// The bytes depend only on cfg and m, so a retried send is identical.
func BuildEmail(cfg SMTPConfig, m Message) ([]byte, error) {
	if !plainAddress(m.To) {
		return nil, schedule.FieldError("email", "recipient %q is not a plain email address", m.To)
	}
	if m.Key == "" {
		return nil, schedule.FieldError("email", "message has no idempotency key")
	}
	if strings.ContainsAny(m.Unsubscribe, " \t\r\n<>\"") {
		return nil, schedule.FieldError("email", "unsubscribe URL %q has forbidden characters", m.Unsubscribe)
	}
	if cfg.MessageIDDomain == "" {
		cfg.MessageIDDomain = cfg.From[strings.LastIndexByte(cfg.From, '@')+1:]
	}
	var cal []byte
	inv := m.Invitation
	if inv != nil {
		i := *inv
		if i.Organizer.Email == "" {
			i.Organizer = cfg.Organizer
			if i.Organizer.Email == "" {
				i.Organizer = Person{Name: cfg.FromName, Email: cfg.From}
			}
		}
		if i.Attendee.Email == "" {
			i.Attendee = Person{Name: m.ToName, Email: m.To}
		}
		var err error
		if cal, err = i.Calendar(m.Created); err != nil {
			return nil, fmt.Errorf("calendar for %s: %w", m.Key, err)
		}
		inv = &i
	}
	textBody := m.Text
	note := schedule.UnsubscribeNote(m.Lang)
	if m.Unsubscribe != "" {
		textBody = strings.TrimRight(textBody, "\n") + "\n\n--\n" + note + "\n" + m.Unsubscribe
	}
	text, textEnc, err := encodeBody(textBody)
	if err != nil {
		return nil, fmt.Errorf("encode text: %w", err)
	}
	htmlText := m.HTML
	if htmlText == "" {
		htmlText = htmlBody(m.Text, m.Lang, m.Subject, note, m.Unsubscribe)
	}
	htmlPart, htmlEnc, err := encodeBody(htmlText)
	if err != nil {
		return nil, fmt.Errorf("encode html: %w", err)
	}

	var b bytes.Buffer
	b.Grow(len(text) + len(htmlPart) + 2*base64LinesLen(len(cal)) + 4096)
	writeAddressHeader(&b, "From", cfg.FromName, cfg.From)
	writeAddressHeader(&b, "To", m.ToName, m.To)
	writeHeader(&b, "Subject", m.Subject)
	b.WriteString("Date: " + m.Created.Format(time.RFC1123Z) + "\r\n")
	b.WriteString("Message-ID: <" + messageIDPart.Replace(m.Key) + "@" + cfg.MessageIDDomain + ">\r\n")
	b.WriteString("MIME-Version: 1.0\r\n")
	if m.Lang != "" {
		b.WriteString("Content-Language: " + m.Lang + "\r\n")
	}
	b.WriteString("Auto-Submitted: auto-generated\r\n")
	b.WriteString("X-Auto-Response-Suppress: All\r\n")
	if m.Unsubscribe != "" {
		writeTokens(&b, "List-Unsubscribe", []string{"<" + m.Unsubscribe + ">"})
		b.WriteString("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
	}

	sum := sha256.Sum256([]byte(m.Key))
	boundary := "kk-" + hex.EncodeToString(sum[:12])
	alt := multipart.NewWriter(&b)
	if err := alt.SetBoundary(boundary + "-alt"); err != nil {
		return nil, fmt.Errorf("boundary: %w", err)
	}
	var mixed *multipart.Writer
	if inv != nil {
		mixed = multipart.NewWriter(&b)
		if err := mixed.SetBoundary(boundary + "-mix"); err != nil {
			return nil, fmt.Errorf("boundary: %w", err)
		}
		writeTokens(&b, "Content-Type", []string{"multipart/mixed;", "boundary=" + mixed.Boundary()})
		b.WriteString("\r\n")
		if _, err := mixed.CreatePart(textproto.MIMEHeader{
			"Content-Type": {mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": alt.Boundary()})},
		}); err != nil {
			return nil, fmt.Errorf("alternative part: %w", err)
		}
	} else {
		writeTokens(&b, "Content-Type", []string{"multipart/alternative;", "boundary=" + alt.Boundary()})
		b.WriteString("\r\n")
	}
	type part struct {
		ctype, enc string
		body       []byte
	}
	parts := []part{
		{"text/plain; charset=UTF-8", textEnc, text},
		{"text/html; charset=UTF-8", htmlEnc, htmlPart},
	}
	if inv != nil {
		parts = append(parts, part{"text/calendar; method=" + inv.Method + "; charset=UTF-8", "base64", base64Lines(cal)})
	}
	for _, p := range parts {
		pw, err := alt.CreatePart(textproto.MIMEHeader{"Content-Type": {p.ctype}, "Content-Transfer-Encoding": {p.enc}})
		if err != nil {
			return nil, fmt.Errorf("%s part: %w", p.ctype, err)
		}
		pw.Write(p.body)
	}
	if err := alt.Close(); err != nil {
		return nil, fmt.Errorf("close alternative: %w", err)
	}
	if inv != nil {
		pw, err := mixed.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {mime.FormatMediaType("application/ics", map[string]string{"name": "invite.ics"})},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": "invite.ics"})},
			"Content-Transfer-Encoding": {"base64"},
		})
		if err != nil {
			return nil, fmt.Errorf("attachment: %w", err)
		}
		pw.Write(base64Lines(cal))
		if err := mixed.Close(); err != nil {
			return nil, fmt.Errorf("close mixed: %w", err)
		}
	}
	return b.Bytes(), nil
}

// encodeBody encodes a text part for 7-bit transport: quoted-printable
// when it is mostly ASCII (English stays readable in the raw message),
// base64 when it is mostly not (Devanagari, whose every UTF-8 byte
// quoted-printable would triple), with CRLF line ends either way.
func encodeBody(s string) (body []byte, encoding string, err error) {
	high := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			high++
		}
	}
	if high*3 < len(s) {
		body, err = qpEncode(s)
		return body, "quoted-printable", err
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
	return base64Lines([]byte(s)), "base64", nil
}

// messageIDPart makes an idempotency key the left part of a Message-ID.
var messageIDPart = strings.NewReplacer(":", ".", "@", ".", " ", "")

func qpEncode(s string) ([]byte, error) {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
	var b bytes.Buffer
	b.Grow(3*len(s) + len(s)/25 + 16) // worst case: every byte =XX, soft breaks
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
	enc := make([]byte, base64.StdEncoding.EncodedLen(len(p)))
	base64.StdEncoding.Encode(enc, p)
	out := make([]byte, 0, base64LinesLen(len(p)))
	for len(enc) > 76 {
		out = append(out, enc[:76]...)
		out = append(out, '\r', '\n')
		enc = enc[76:]
	}
	out = append(out, enc...)
	return append(out, '\r', '\n')
}

// base64LinesLen is the length of base64Lines for n bytes.
func base64LinesLen(n int) int {
	e := base64.StdEncoding.EncodedLen(n)
	return e + 2*(e/76+1)
}
