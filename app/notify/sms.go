package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

// Gateway request formats.
const (
	GatewayForm  = "form"  // POST application/x-www-form-urlencoded
	GatewayJSON  = "json"  // POST application/json
	GatewayQuery = "query" // GET with the fields in the query string
)

// GatewayFields names the request fields a gateway expects; empty names
// take the defaults in parentheses, and Ref "-" leaves the field out.
type GatewayFields struct {
	To      string // ("to") mobile number
	Text    string // ("text") message text, UTF-8
	Unicode string // ("unicode") the UCS-2 flag
	Sender  string // ("sender") sender ID / DLT header
	Ref     string // ("ref") the message key, for the gateway's dedup
}

// HTTPGatewayConfig configures an HTTPGateway for one SMS provider.
type HTTPGatewayConfig struct {
	URL    string
	Format string // GatewayForm (default), GatewayJSON or GatewayQuery
	// APIKeyHeader and APIKey authenticate each request, e.g.
	// "Authorization" and "Bearer …", or "X-Api-Key" and the key.
	APIKeyHeader, APIKey string
	Fields               GatewayFields
	SenderID             string
	// UnicodeTrue and UnicodeFalse are the flag's values in form and query
	// requests ("1" and "0" unless set); JSON uses true and false.
	UnicodeTrue, UnicodeFalse string
	// NoPlus strips the leading "+" of the E.164 number (919876543210).
	NoPlus bool
	// Extra fields sent with every request, e.g. a DLT entity or template
	// ID.
	Extra map[string]string
	// Timeout bounds one request when ctx has no earlier deadline; 0 means
	// 15 s.
	Timeout time.Duration
	// Client is the HTTP client; nil means a new http.Client.
	Client *http.Client
}

// HTTPGateway sends SMS through a provider's HTTP API. Success is any 2xx
// reply. 408, 425 and 429 replies, 5xx replies, timeouts and network errors
// are temporary (with the reply's Retry-After, if any); other 4xx replies
// are permanent.
type HTTPGateway struct {
	cfg HTTPGatewayConfig
}

// NewHTTPGateway checks cfg and returns a gateway.
func NewHTTPGateway(cfg HTTPGatewayConfig) (*HTTPGateway, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, schedule.FieldError("sms gateway url", "%q is not an http(s) URL", cfg.URL)
	}
	switch cfg.Format {
	case "":
		cfg.Format = GatewayForm
	case GatewayForm, GatewayJSON, GatewayQuery:
	default:
		return nil, schedule.FieldError("sms gateway format", "%q is not form, json or query", cfg.Format)
	}
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&cfg.Fields.To, "to")
	def(&cfg.Fields.Text, "text")
	def(&cfg.Fields.Unicode, "unicode")
	def(&cfg.Fields.Sender, "sender")
	def(&cfg.Fields.Ref, "ref")
	def(&cfg.UnicodeTrue, "1")
	def(&cfg.UnicodeFalse, "0")
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	return &HTTPGateway{cfg: cfg}, nil
}

// Send posts m to the gateway.
func (g *HTTPGateway) Send(ctx context.Context, m Message) error {
	req, err := g.request(ctx, m)
	if err != nil {
		return Permanent(fmt.Errorf("sms %s: %w", m.Key, err))
	}
	ctx, cancel := context.WithTimeout(req.Context(), g.cfg.Timeout)
	defer cancel()
	resp, err := g.cfg.Client.Do(req.WithContext(ctx))
	if err != nil {
		return Temporary(fmt.Errorf("sms %s to %s: %w", m.Key, maskNumber(m.To), err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	failure := fmt.Errorf("sms %s to %s: gateway replied %s: %s", m.Key, maskNumber(m.To), resp.Status, strings.TrimSpace(string(body)))
	switch code := resp.StatusCode; {
	case code == http.StatusRequestTimeout, code == http.StatusTooEarly, code == http.StatusTooManyRequests, code >= 500:
		return &SendError{Err: failure, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"))}
	default:
		return Permanent(failure)
	}
}

// request builds the HTTP request for m.
func (g *HTTPGateway) request(ctx context.Context, m Message) (*http.Request, error) {
	to := strings.TrimSpace(m.To)
	if !validE164(to) {
		return nil, schedule.FieldError("mobile", "%q is not an E.164 number like +919876543210", m.To)
	}
	if strings.TrimSpace(m.Text) == "" {
		return nil, schedule.FieldError("text", "the SMS text is empty")
	}
	if g.cfg.NoPlus {
		to = strings.TrimPrefix(to, "+")
	}
	unicode := schedule.CountSMS(m.Text).Unicode()
	f := g.cfg.Fields
	fields := map[string]any{f.To: to, f.Text: m.Text}
	if g.cfg.Format == GatewayJSON {
		fields[f.Unicode] = unicode
	} else if unicode {
		fields[f.Unicode] = g.cfg.UnicodeTrue
	} else {
		fields[f.Unicode] = g.cfg.UnicodeFalse
	}
	if g.cfg.SenderID != "" {
		fields[f.Sender] = g.cfg.SenderID
	}
	if f.Ref != "-" && m.Key != "" {
		fields[f.Ref] = m.Key
	}
	for k, v := range g.cfg.Extra {
		fields[k] = v
	}

	var req *http.Request
	var err error
	switch g.cfg.Format {
	case GatewayJSON:
		body, jerr := json.Marshal(fields)
		if jerr != nil {
			return nil, fmt.Errorf("encode json: %w", jerr)
		}
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, g.cfg.URL, bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
	case GatewayQuery:
		u, _ := url.Parse(g.cfg.URL)
		q := u.Query()
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			q.Set(k, fmt.Sprint(fields[k]))
		}
		u.RawQuery = q.Encode()
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	default:
		form := url.Values{}
		for k, v := range fields {
			form.Set(k, fmt.Sprint(v))
		}
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, g.cfg.URL, strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	if g.cfg.APIKeyHeader != "" {
		req.Header.Set(g.cfg.APIKeyHeader, g.cfg.APIKey)
	}
	if m.Key != "" {
		req.Header.Set("Idempotency-Key", m.Key)
	}
	return req, nil
}

// validE164 accepts "+" and 8 to 15 digits.
func validE164(s string) bool {
	d, ok := strings.CutPrefix(s, "+")
	if !ok || len(d) < 8 || len(d) > 15 {
		return false
	}
	for _, c := range []byte(d) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// maskNumber keeps the last 4 digits of a number for logs and errors.
func maskNumber(s string) string {
	if len(s) <= 4 {
		return "****"
	}
	return strings.Repeat("*", len(s)-4) + s[len(s)-4:]
}

// parseRetryAfter reads a Retry-After in seconds; HTTP dates and junk give 0
// (the caller's backoff applies).
func parseRetryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}
