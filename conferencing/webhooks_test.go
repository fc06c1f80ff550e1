package conferencing

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/karyakram/karyakram/schedule"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/livekit/protocol/auth"
	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/karyakram/karyakram/conferencing/lktest"
)

// signedWebhook builds a request the way livekit-server signs webhooks:
// a JWT from key/secret whose sha256 claim is the body's digest.
func signedWebhook(t *testing.T, key, secret string, body []byte) *http.Request {
	t.Helper()
	sum := sha256.Sum256(body)
	tok, err := auth.NewAccessToken(key, secret).SetValidFor(5 * time.Minute).
		SetSha256(base64.StdEncoding.EncodeToString(sum[:])).ToJWT()
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/webhooks/livekit", strings.NewReader(string(body)))
	r.Header.Set("Authorization", tok)
	r.Header.Set("Content-Type", "application/webhook+json")
	return r
}

func eventJSON(t *testing.T, ev *livekit.WebhookEvent) []byte {
	t.Helper()
	b, err := protojson.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type presenceLog struct {
	mu   sync.Mutex
	seen []schedule.Presence
	ch   chan schedule.Presence
}

func newPresenceLog() *presenceLog { return &presenceLog{ch: make(chan schedule.Presence, 100)} }

func (l *presenceLog) record(_ context.Context, p schedule.Presence) error {
	l.mu.Lock()
	l.seen = append(l.seen, p)
	l.mu.Unlock()
	l.ch <- p
	return nil
}

func (l *presenceLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.seen)
}

func TestWebhooksHandlerVerifiesAndMaps(t *testing.T) {
	wh, err := NewWebhooks(testKey, testSecret, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := newPresenceLog()
	h := wh.Handler(rec.record)

	joined := eventJSON(t, &livekit.WebhookEvent{
		Event: "participant_joined", Id: "EV_1", CreatedAt: 1790000000,
		Room:        &livekit.Room{Name: "addr-7-d12-1"},
		Participant: &livekit.ParticipantInfo{Identity: "sip_+919800000000", Name: "Phone", Kind: livekit.ParticipantInfo_SIP},
	})
	tests := []struct {
		name     string
		req      *http.Request
		status   int
		recorded bool
	}{
		{"wrong secret", signedWebhook(t, testKey, "not-the-secret", joined), http.StatusUnauthorized, false},
		{"unknown key", signedWebhook(t, "otherkey", testSecret, joined), http.StatusUnauthorized, false},
		{"no auth header", httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(joined))), http.StatusUnauthorized, false},
		{"garbage token", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(joined)))
			r.Header.Set("Authorization", "not.a.jwt")
			return r
		}(), http.StatusUnauthorized, false},
		{"tampered body", func() *http.Request {
			r := signedWebhook(t, testKey, testSecret, joined)
			r.Body = io.NopCloser(strings.NewReader(strings.Replace(string(joined), "addr-7-d12-1", "addr-7-d12-2", 1)))
			return r
		}(), http.StatusUnauthorized, false},
		{"GET", httptest.NewRequest(http.MethodGet, "/", nil), http.StatusMethodNotAllowed, false},
		{"signed but not JSON", signedWebhook(t, testKey, testSecret, []byte("{nope")), http.StatusBadRequest, false},
		{"other event", signedWebhook(t, testKey, testSecret, eventJSON(t, &livekit.WebhookEvent{Event: "room_started", Room: &livekit.Room{Name: "r"}})), http.StatusOK, false},
		{"valid join", signedWebhook(t, testKey, testSecret, joined), http.StatusOK, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := rec.count()
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tt.req)
			if w.Code != tt.status {
				t.Errorf("status = %d, want %d (%s)", w.Code, tt.status, w.Body.String())
			}
			if got := rec.count() > before; got != tt.recorded {
				t.Errorf("recorded = %v, want %v", got, tt.recorded)
			}
		})
	}
	want := schedule.Presence{EventID: "EV_1", Kind: schedule.Joined, Room: "addr-7-d12-1", Identity: "sip_+919800000000", Name: "Phone", At: time.Unix(1790000000, 0), SIP: true}
	if got := rec.seen[len(rec.seen)-1]; got != want {
		t.Errorf("presence = %+v, want %+v", got, want)
	}

	// A failing store gives 500 so LiveKit retries.
	h500 := wh.Handler(func(context.Context, schedule.Presence) error { return errors.New("db down") })
	w := httptest.NewRecorder()
	h500.ServeHTTP(w, signedWebhook(t, testKey, testSecret, joined))
	if w.Code != http.StatusInternalServerError {
		t.Errorf("failing store: status %d, want 500", w.Code)
	}
	// A busy receiver gives 503 with Retry-After, also retried.
	h503 := wh.Handler(func(context.Context, schedule.Presence) error { return fmt.Errorf("queue full: %w", schedule.ErrBusy) })
	w = httptest.NewRecorder()
	h503.ServeHTTP(w, signedWebhook(t, testKey, testSecret, joined))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("busy receiver: status %d, Retry-After %q, want 503 with one", w.Code, w.Header().Get("Retry-After"))
	}
}

func TestWebhooksFromLiveServer(t *testing.T) {
	wh, err := NewWebhooks(lktest.APIKey, lktest.APISecret, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := newPresenceLog()
	hooks := httptest.NewServer(wh.Handler(rec.record))
	defer hooks.Close()

	srv := lktest.Start(t, lktest.WithWebhooks(hooks.URL+"/webhooks/livekit"))
	m, _ := NewMinter(lktest.APIKey, lktest.APISecret)
	tok, err := m.Mint(TokenRequest{Identity: "w-501", Name: "Sita", Room: "hook-room", Role: RoleListener})
	if err != nil {
		t.Fatal(err)
	}
	room, err := lksdk.ConnectToRoomWithToken(srv.WSURL(), tok, &lksdk.RoomCallback{}, lksdk.WithAutoSubscribe(false))
	if err != nil {
		t.Fatal(err)
	}
	joinedAt := time.Now()

	wait := func(kind schedule.PresenceKind) schedule.Presence {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for {
			select {
			case p := <-rec.ch:
				if p.Kind == kind && p.Identity == "w-501" {
					return p
				}
			case <-timeout:
				t.Fatalf("no %s webhook for w-501 within 20s; got %+v", kind, rec.seen)
			}
		}
	}
	p := wait(schedule.Joined)
	if p.Room != "hook-room" || p.Name != "Sita" || p.SIP || p.EventID == "" {
		t.Errorf("joined presence = %+v", p)
	}
	if d := p.At.Sub(joinedAt); d < -5*time.Second || d > 5*time.Second {
		t.Errorf("joined at %v, connected at %v", p.At, joinedAt)
	}
	room.Disconnect()
	if p := wait(schedule.Left); p.Room != "hook-room" {
		t.Errorf("left presence = %+v", p)
	}
}
