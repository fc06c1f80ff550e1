package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/karyakram/karyakram/app/auth"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/app/web"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Feed tokens are stored hashed and invite links are credentials: the
// request log must not write them out (calendar apps poll feeds hourly, so
// every subscriber's token would sit in the logs).
func TestRequestLogLeavesOutTokens(t *testing.T) {
	st := storetest.Open(t)
	storetest.Seed(t, st)
	var out lockedBuffer
	log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	au := auth.New(st, auth.LogSender{Store: st, Log: log}, []byte("k"), auth.DefaultPolicy(), log)
	s, err := web.New(st, au, web.Config{}, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	ctx := context.Background()
	d1 := storetest.Actor(t, st, "9800000002")
	tok, _, err := st.CreateFeedToken(ctx, d1, store.FeedUnit, unitID(t, st, "D1"), "en")
	if err != nil {
		t.Fatal(err)
	}
	rsvp := "Q2hhbmdlZEJ5VGhlUmV2aWV3ZXJfX19fX19fX19fX19f"
	for path, want := range map[string]int{"/feeds/" + tok + ".ics": 200, "/i/" + rsvp: 404, "/i/" + rsvp + "/event.ics": 404} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
	logged := out.String()
	if !strings.Contains(logged, "request") {
		t.Fatalf("nothing logged:\n%s", logged)
	}
	for _, secret := range []string{tok, rsvp} {
		if strings.Contains(logged, secret) {
			t.Errorf("the log contains the token %q:\n%s", secret, logged)
		}
	}
}
