package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/turnout"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/conferencing"
	"github.com/karyakram/karyakram/conferencing/lktest"
	"github.com/karyakram/karyakram/schedule"
)

// storeLater is a turnout.Recorder whose store is set once the test
// environment (which opens it) exists.
type storeLater struct{ st *store.Store }

func (l *storeLater) RecordPresenceBatch(ctx context.Context, evs []store.PresenceEvent) (int, error) {
	return l.st.RecordPresenceBatch(ctx, evs)
}

// postWebhook sends body as livekit-server would, signed with key/secret
// unless forged, and returns the response.
func postWebhook(t *testing.T, url, body string, forged bool) *http.Response {
	t.Helper()
	tok, err := lktest.WebhookAuth("devkey", "secret", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if forged {
		tok += "x"
	}
	req, _ := http.NewRequest(http.MethodPost, url+"/webhooks/livekit", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/webhook+json")
	req.Header.Set("Authorization", tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestWebhookThroughIngest(t *testing.T) {
	wh, err := conferencing.NewWebhooks("devkey", "secret", nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &storeLater{}
	in, err := turnout.New(turnout.Config{Store: rec, FlushEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, web.Config{Turnout: web.TurnoutConfig{Webhooks: wh, Ingest: in}})
	rec.st = e.st
	ctx := context.Background()
	_, addr := addressOf(t, e.st)
	room := schedule.ListenerRoomName(addr, unitID(t, e.st, "D1"), 1)
	count := func() int {
		var n int
		if err := e.st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM presence").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	joined := func(id, ident string) string {
		return `{"event":"participant_joined","id":"` + id + `","createdAt":"1790000000","room":{"name":"` + room + `"},"participant":{"identity":"` + ident + `"}}`
	}
	if resp := postWebhook(t, e.srv.URL, joined("EV_F", "w1"), true); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged webhook: %d, want 401", resp.StatusCode)
	}
	for _, id := range []string{"EV_1", "EV_2", "EV_1"} {
		if resp := postWebhook(t, e.srv.URL, joined(id, "sip_"+id), false); resp.StatusCode != http.StatusOK {
			t.Fatalf("webhook %s: %d, want 200", id, resp.StatusCode)
		}
	}
	if n := count(); n != 0 {
		t.Fatalf("%d rows before the flush: the webhook should only queue", n)
	}
	if err := in.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Errorf("%d rows after close, want 2 (EV_1 delivered twice)", n)
	}
	// closed (shutting down): 503, LiveKit retries elsewhere or later
	resp := postWebhook(t, e.srv.URL, joined("EV_3", "w3"), false)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("webhook after close: %d, want 503 with Retry-After", resp.StatusCode)
	}
	if st := in.Stats(); st.Queued != 3 || st.Rejected != 1 || st.Flushed != 3 {
		t.Errorf("ingest stats %+v", st)
	}
}
