// Command outbox-crash measures what a kill -9 of the server costs in
// duplicate messages (docs/benchmarks-security.md): it queues invitations
// by SMS, runs `karyakram serve` (the binary given) with the SMS gateway
// pointed at a local fake that counts deliveries by Idempotency-Key,
// kills the server with SIGKILL in the middle of the drain several times,
// restarts it, and at the end reports messages, deliveries, duplicates and
// losses.
//
//	go run ./bench/outbox -bin /path/to/karyakram [-dsn DSN] [-invites N] [-kills K]
//
// Between a kill and the restart the leases of what the dead server held
// are expired (UPDATE … SET next_attempt_at = now), as if the restart came
// after the lease: the count of duplicates is the same, the run shorter.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// gateway is a fake SMS gateway counting deliveries per idempotency key.
type gateway struct {
	mu    sync.Mutex
	seen  map[string]int
	total int
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	key := r.Header.Get("Idempotency-Key")
	g.mu.Lock()
	g.seen[key]++
	g.total++
	g.mu.Unlock()
	w.Write([]byte(`{"status":"accepted"}`))
}

func (g *gateway) counts() (unique, total int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.seen), g.total
}

func main() {
	bin := flag.String("bin", "", "karyakram binary to test (required)")
	dsn := flag.String("dsn", "", "database (default: a SQLite file in a temporary directory)")
	units := flag.String("units", "D01,D02,D03,D04,D05", "comma-separated codes of the units whose workers are invited")
	kills := flag.Int("kills", 5, "how many times the server is killed mid-drain")
	minGap, maxGap := flag.Int("min-gap", 100, "fewest deliveries between kills"), flag.Int("max-gap", 600, "most deliveries between kills")
	flag.Parse()
	if *bin == "" {
		log.Fatal("-bin is required")
	}
	tmp, err := os.MkdirTemp("", "kk-outbox-crash-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	if *dsn == "" {
		*dsn = filepath.Join(tmp, "bench.db")
	}
	ctx := context.Background()
	run := func(args ...string) {
		cmd := exec.Command(*bin, args...)
		cmd.Env = append(os.Environ(), "KARYAKRAM_DSN="+*dsn)
		if out, err := cmd.CombinedOutput(); err != nil {
			log.Fatalf("%s %v: %v\n%s", *bin, args, err, out)
		}
	}
	run("migrate")
	run("seed", "-scale", "demo")

	st, err := store.Open(ctx, *dsn, nil)
	if err != nil {
		log.Fatal(err)
	}
	sys := schedule.SystemActor("bench")
	var ids []int64
	for _, code := range strings.Split(*units, ",") {
		u, err := st.FindUnitByCode(ctx, sys, strings.TrimSpace(code))
		if err != nil {
			log.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	root, err := st.FindUnitByCode(ctx, sys, "MP")
	if err != nil {
		log.Fatal(err)
	}
	start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	ev, err := st.CreateEvent(ctx, sys, schedule.Event{UnitID: root.ID, Type: "meeting", Title: "State meeting", TitleHi: "प्रदेश बैठक",
		Venue: schedule.Venue{Name: "District office"}, Start: start, End: start.Add(2 * time.Hour)})
	if err != nil {
		log.Fatal(err)
	}
	rep, err := st.SendInvites(ctx, sys, ev.Event.ID, store.Audience{UnitIDs: ids, Channel: schedule.ChannelSMS})
	if err != nil {
		log.Fatal(err)
	}
	n := rep.Enqueued
	fmt.Printf("queued %d invitations by SMS (units %s, %s, %s)\n", n, *units, map[bool]string{true: "PostgreSQL", false: "SQLite"}[st.Postgres()], *bin)

	gw := &gateway{seen: map[string]int{}}
	srv := httptest.NewServer(gw)
	defer srv.Close()

	serve := func() (*exec.Cmd, error) {
		cmd := exec.Command(*bin, "serve", "-addr", "127.0.0.1:0")
		cmd.Env = append(os.Environ(), "KARYAKRAM_DSN="+*dsn, "KARYAKRAM_SMS_URL="+srv.URL+"/send", "KARYAKRAM_BASE_URL=https://k.example.in")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		out, err := cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		logf, err := os.Create(filepath.Join(tmp, "serve.log"))
		if err != nil {
			return nil, err
		}
		cmd.Stderr = logf
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "is running at") {
				go io.Copy(io.Discard, out)
				return cmd, nil
			}
		}
		cmd.Process.Kill()
		cmd.Wait()
		b, _ := os.ReadFile(logf.Name())
		return nil, fmt.Errorf("serve did not start:\n%s", b)
	}
	waitFor := func(deliveries int, limit time.Duration) bool {
		for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if _, total := gw.counts(); total >= deliveries {
				return true
			}
			if unique, _ := gw.counts(); unique == n {
				return false
			}
		}
		return false
	}
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 14))
	began := time.Now()
	for k := 1; k <= *kills; k++ {
		cmd, err := serve()
		if err != nil {
			log.Fatal(err)
		}
		_, before := gw.counts()
		gap := *minGap + rnd.IntN(*maxGap-*minGap+1)
		if !waitFor(before+gap, 5*time.Minute) {
			log.Printf("kill %d: the drain finished before %d more deliveries", k, gap)
		}
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		counts, _ := st.OutboxCounts(ctx)
		// The dead server's leases run out (fast-forwarded).
		res, err := st.DB().ExecContext(ctx, "UPDATE outbox SET next_attempt_at = ? WHERE status = 'sending'", time.Now().UTC())
		if err != nil {
			log.Fatal(err)
		}
		held, _ := res.RowsAffected()
		unique, total := gw.counts()
		fmt.Printf("kill %d after %d more deliveries: %d unique, %d total (%d duplicates so far); the dead server held %d claimed messages (outbox: %v)\n",
			k, total-before, unique, total, total-unique, held, counts)
	}
	cmd, err := serve()
	if err != nil {
		log.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		c, err := st.OutboxCounts(ctx)
		if err != nil {
			log.Fatal(err)
		}
		if c[store.OutboxQueued]+c[store.OutboxSending] == 0 {
			break
		}
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	cmd.Wait()
	unique, total := gw.counts()
	counts, _ := st.OutboxCounts(ctx)
	fmt.Printf("RESULT messages=%d delivered_unique=%d deliveries=%d duplicates=%d lost=%d kills=%d took=%s outbox=%v\n",
		n, unique, total, total-unique, n-unique, *kills, time.Since(began).Round(time.Second), counts)
}
