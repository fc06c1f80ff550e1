package conferencing

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/karyakram/karyakram/conferencing/lktest"
)

// TestRelayCapacity measures what one relay costs per listener room: CPU of
// this process (relay + one synthetic Opus speaker) and of livekit-server,
// for several room counts, audio only. It is a measurement, not a timed
// test: it runs only with KARYAKRAM_RELAY_BENCH=1 and logs a table.
//
//	KARYAKRAM_RELAY_BENCH=1 go test ./conferencing/ -run TestRelayCapacity -v -timeout 20m
func TestRelayCapacity(t *testing.T) {
	if os.Getenv("KARYAKRAM_RELAY_BENCH") == "" {
		t.Skip("set KARYAKRAM_RELAY_BENCH=1 to measure relay capacity")
	}
	counts := []int{1, 25, 100}
	if v := os.Getenv("KARYAKRAM_RELAY_ROOMS"); v != "" {
		counts = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(f)
			if err != nil {
				t.Fatal(err)
			}
			counts = append(counts, n)
		}
	}
	const window = 10 * time.Second
	// Per-room figures are marginal: the increase over the first (smallest)
	// count divided by the extra rooms, so the speaker and fixed costs drop out.
	var lines []string
	var base0, baseS float64
	for i, n := range counts {
		self, server := measureRelay(t, n, window)
		if i == 0 {
			base0, baseS = self, server
			lines = append(lines, fmt.Sprintf("| %4d | %6.1f%% | – | %6.1f%% | – |", n, self, server))
			continue
		}
		extra := float64(n - counts[0])
		lines = append(lines, fmt.Sprintf("| %4d | %6.1f%% | %5.3f%% | %6.1f%% | %5.3f%% |",
			n, self, (self-base0)/extra, server, (server-baseS)/extra))
	}
	t.Logf("\nCPU in %% of one core, audio only (one Opus track, 50 packets/s)\n| rooms | relay+speaker process | per extra room | livekit-server | per extra room |\n|---|---|---|---|---|\n%s", strings.Join(lines, "\n"))
}

// measureRelay runs a speaker, a relay into n rooms and returns CPU use of
// this process and of livekit-server, in percent of one core, over window.
func measureRelay(t *testing.T, n int, window time.Duration) (self, server float64) {
	srv := lktest.Start(t)
	defer srv.Stop()
	cfg := testConfig(srv.URL())
	m, _ := NewMinter(cfg.APIKey, cfg.APISecret)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	rooms := make([]string, n)
	for i := range rooms {
		rooms[i] = fmt.Sprintf("cap-%d", i+1)
	}
	speaker := publishSyntheticAudio(ctx, t, srv.WSURL(), m, "cap-stage")
	defer speaker.Disconnect()
	relay, _ := NewRelay(cfg, m, nil)
	done := make(chan error, 1)
	go func() { done <- relay.Run(ctx, "cap-stage", rooms) }()
	defer func() { cancel(); <-done }()

	deadline := time.Now().Add(time.Duration(30+n) * time.Second)
	for relay.Stats().Tracks < 1 || relay.Stats().Packets < 100 {
		if time.Now().After(deadline) {
			t.Fatalf("relay into %d rooms not running: %+v", n, relay.Stats())
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // settle

	selfCPU := func() time.Duration {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	s0, v0, w0 := selfCPU(), procCPU(t, srv.PID()), time.Now()
	time.Sleep(window)
	s1, v1, w1 := selfCPU(), procCPU(t, srv.PID()), time.Now()
	wall := float64(w1.Sub(w0))
	return 100 * float64(s1-s0) / wall, 100 * float64(v1-v0) / wall
}

// procCPU reads utime+stime of a process from /proc (Linux).
func procCPU(t *testing.T, pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	const clkTck = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / clkTck
}
