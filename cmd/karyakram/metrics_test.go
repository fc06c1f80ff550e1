package main

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestMetricsOnTheAdminListener(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "karyakram_http_requests_total 1\n") })
	addr, stop, err := serveMetrics("127.0.0.1:0", h, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "karyakram_http_requests_total") {
		t.Fatalf("admin /metrics: %d %q", resp.StatusCode, body)
	}
	if resp, err := http.Get("http://" + addr + "/"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the admin listener serves more than /metrics: %v %v", resp.StatusCode, err)
	}
}
