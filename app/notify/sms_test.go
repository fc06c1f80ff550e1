package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// gatewayHit is one request as the fake gateway saw it.
type gatewayHit struct {
	method, contentType, apiKey, idem string
	query                             url.Values
	form                              url.Values
	json                              map[string]any
}

// fakeGateway records requests and answers with status (and Retry-After).
func fakeGateway(t *testing.T, status int, retryAfter string, delay time.Duration) (*httptest.Server, func() []gatewayHit) {
	t.Helper()
	var mu sync.Mutex
	var hits []gatewayHit
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := gatewayHit{method: r.Method, contentType: r.Header.Get("Content-Type"), apiKey: r.Header.Get("X-Api-Key"),
			idem: r.Header.Get("Idempotency-Key"), query: r.URL.Query()}
		body, _ := io.ReadAll(r.Body)
		switch h.contentType {
		case "application/json":
			if err := json.Unmarshal(body, &h.json); err != nil {
				t.Errorf("gateway got bad JSON %q: %v", body, err)
			}
		case "application/x-www-form-urlencoded":
			h.form, _ = url.ParseQuery(string(body))
		}
		mu.Lock()
		hits = append(hits, h)
		mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
		io.WriteString(w, `{"status":"x"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []gatewayHit {
		mu.Lock()
		defer mu.Unlock()
		return append([]gatewayHit(nil), hits...)
	}
}

func newGateway(t *testing.T, url string, mod func(*HTTPGatewayConfig)) *HTTPGateway {
	t.Helper()
	cfg := HTTPGatewayConfig{URL: url, APIKeyHeader: "X-Api-Key", APIKey: "k-123", SenderID: "KRYKRM",
		Extra: map[string]string{"dlt_template_id": "1107161234567890123"}}
	if mod != nil {
		mod(&cfg)
	}
	g, err := NewHTTPGateway(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

const hindiSMS = "सुनीता पटेल जी, बूथ सशक्तिकरण संवाद: 12 सितंबर, शाम 6:30 बजे। https://k.example.in/i/EcCN"

func smsMessage(text string) Message {
	return Message{Key: "invite:42:invite:0:sms", Channel: "sms", To: "+919876543210", Text: text}
}

func TestHTTPGatewayBodies(t *testing.T) {
	tests := []struct {
		name   string
		format string
		text   string
		check  func(t *testing.T, h gatewayHit)
	}{
		{"form hindi", GatewayForm, hindiSMS, func(t *testing.T, h gatewayHit) {
			if h.method != http.MethodPost || h.form.Get("to") != "+919876543210" || h.form.Get("text") != hindiSMS ||
				h.form.Get("unicode") != "1" || h.form.Get("sender") != "KRYKRM" || h.form.Get("ref") != "invite:42:invite:0:sms" ||
				h.form.Get("dlt_template_id") != "1107161234567890123" {
				t.Errorf("form %v", h.form)
			}
		}},
		{"form english", GatewayForm, "Reminder: meeting at 6:30 pm {Bhopal}", func(t *testing.T, h gatewayHit) {
			if h.form.Get("unicode") != "0" || h.form.Get("text") != "Reminder: meeting at 6:30 pm {Bhopal}" {
				t.Errorf("form %v", h.form)
			}
		}},
		{"json hindi", GatewayJSON, hindiSMS, func(t *testing.T, h gatewayHit) {
			if h.method != http.MethodPost || h.json["text"] != hindiSMS || h.json["unicode"] != true || h.json["to"] != "+919876543210" {
				t.Errorf("json %v", h.json)
			}
		}},
		{"json english", GatewayJSON, "Hello", func(t *testing.T, h gatewayHit) {
			if h.json["unicode"] != false {
				t.Errorf("json unicode %v", h.json["unicode"])
			}
		}},
		{"query", GatewayQuery, hindiSMS, func(t *testing.T, h gatewayHit) {
			if h.method != http.MethodGet || h.query.Get("text") != hindiSMS || h.query.Get("unicode") != "1" {
				t.Errorf("query %v", h.query)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, hits := fakeGateway(t, http.StatusOK, "", 0)
			g := newGateway(t, srv.URL+"/send?account=7", func(c *HTTPGatewayConfig) { c.Format = tt.format })
			if err := g.Send(context.Background(), smsMessage(tt.text)); err != nil {
				t.Fatalf("Send: %v", err)
			}
			h := hits()
			if len(h) != 1 {
				t.Fatalf("%d requests", len(h))
			}
			if h[0].apiKey != "k-123" || h[0].idem != "invite:42:invite:0:sms" {
				t.Errorf("api key %q idempotency %q", h[0].apiKey, h[0].idem)
			}
			if h[0].query.Get("account") != "7" {
				t.Errorf("URL query lost: %v", h[0].query)
			}
			tt.check(t, h[0])
		})
	}
}

func TestHTTPGatewayCustomFields(t *testing.T) {
	srv, hits := fakeGateway(t, http.StatusAccepted, "", 0)
	g := newGateway(t, srv.URL, func(c *HTTPGatewayConfig) {
		c.Fields = GatewayFields{To: "mobiles", Text: "message", Unicode: "type", Sender: "senderid", Ref: "-"}
		c.UnicodeTrue, c.UnicodeFalse = "unicode", "normal"
		c.NoPlus = true
	})
	if err := g.Send(context.Background(), smsMessage(hindiSMS)); err != nil {
		t.Fatal(err)
	}
	f := hits()[0].form
	if f.Get("mobiles") != "919876543210" || f.Get("message") != hindiSMS || f.Get("type") != "unicode" || f.Get("senderid") != "KRYKRM" || f.Has("ref") || f.Has("to") {
		t.Errorf("form %v", f)
	}
}

func TestHTTPGatewayErrorClassification(t *testing.T) {
	tests := []struct {
		status     int
		retryAfter string
		permanent  bool
		wantRetry  time.Duration
	}{
		{http.StatusBadRequest, "", true, 0},
		{http.StatusUnauthorized, "", true, 0},
		{http.StatusForbidden, "", true, 0},
		{http.StatusUnprocessableEntity, "", true, 0},
		{http.StatusRequestTimeout, "", false, 0},
		{http.StatusTooManyRequests, "30", false, 30 * time.Second},
		{http.StatusInternalServerError, "", false, 0},
		{http.StatusBadGateway, "", false, 0},
		{http.StatusServiceUnavailable, "120", false, 2 * time.Minute},
		{http.StatusServiceUnavailable, "Wed, 21 Oct 2015 07:28:00 GMT", false, 0},
	}
	for _, tt := range tests {
		srv, _ := fakeGateway(t, tt.status, tt.retryAfter, 0)
		err := newGateway(t, srv.URL, nil).Send(context.Background(), smsMessage("Hello"))
		if err == nil {
			t.Errorf("%d: no error", tt.status)
			continue
		}
		if IsPermanent(err) != tt.permanent || RetryAfter(err) != tt.wantRetry {
			t.Errorf("%d: permanent=%v retryAfter=%v, want %v %v (%v)", tt.status, IsPermanent(err), RetryAfter(err), tt.permanent, tt.wantRetry, err)
		}
		if strings.Contains(err.Error(), "9876543210") {
			t.Errorf("%d: error shows the full number: %v", tt.status, err)
		}
	}
}

func TestHTTPGatewayTimeoutAndBadInput(t *testing.T) {
	srv, hits := fakeGateway(t, http.StatusOK, "", 2*time.Second)
	g := newGateway(t, srv.URL, func(c *HTTPGatewayConfig) { c.Timeout = 100 * time.Millisecond })
	err := g.Send(context.Background(), smsMessage("Hello"))
	if err == nil || IsPermanent(err) {
		t.Errorf("timeout: err = %v, want temporary", err)
	}

	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	if err := newGateway(t, down.URL, nil).Send(context.Background(), smsMessage("Hello")); err == nil || IsPermanent(err) {
		t.Errorf("gateway down: err = %v, want temporary", err)
	}

	n := len(hits())
	for _, m := range []Message{
		{Key: "k", To: "9876543210", Text: "no plus"},
		{Key: "k", To: "+91abc", Text: "letters"},
		{Key: "k", To: "+919876543210", Text: "  "},
	} {
		if err := g.Send(context.Background(), m); err == nil || !IsPermanent(err) {
			t.Errorf("%+v: err = %v, want permanent", m, err)
		}
	}
	if len(hits()) != n {
		t.Error("invalid messages reached the gateway")
	}
}

func TestNewHTTPGatewayRejectsBadConfig(t *testing.T) {
	for _, cfg := range []HTTPGatewayConfig{
		{URL: "ftp://x/y"},
		{URL: "not a url"},
		{URL: "https://gw.example/send", Format: "xml"},
	} {
		if _, err := NewHTTPGateway(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}
