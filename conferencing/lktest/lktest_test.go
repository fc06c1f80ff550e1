package lktest

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestStartServesHTTPAndStops(t *testing.T) {
	s := Start(t)
	resp, err := http.Get(s.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "OK") {
		t.Fatalf("GET / = %d %q", resp.StatusCode, body)
	}
	s.Stop()
	if _, err := http.Get(s.URL() + "/"); err == nil {
		t.Fatal("server still answering after Stop")
	}
	s.Start() // restart on the same ports
	if _, err := http.Get(s.URL() + "/"); err != nil {
		t.Fatalf("after restart: %v", err)
	}
}

func TestTwoServersDoNotCollide(t *testing.T) {
	a, b := Start(t), Start(t)
	if a.URL() == b.URL() {
		t.Fatalf("both servers on %s", a.URL())
	}
}

func TestWithRedis(t *testing.T) {
	s := Start(t, WithRedis())
	if _, err := http.Get(s.URL() + "/"); err != nil {
		t.Fatal(err)
	}
}
