// Command login-flood measures the login-code limits under a flood
// (docs/benchmarks-security.md): it runs `karyakram serve` (the binary
// given) on a seeded demo organisation, logs officials in at a steady
// pace from their own loopback addresses, and after a quiet phase floods
// POST /login/code from one address (and then from many) with officials'
// numbers. It reports the login SMS each phase sent against the budgets,
// and the latency of the other officials' logins (p50/p99 of POST
// /login/code and of the whole login) in each phase.
//
//	go run ./bench/login -bin /path/to/karyakram -dsn DSN [-seconds 60]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/karyakram/karyakram/app/store"
)

var (
	codeRE   = regexp.MustCompile(`\b(\d{6})\b`)
	csrfRE   = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	startedR = regexp.MustCompile(`is running at (http://\S+)`)
)

// client is one browser at one loopback address.
type client struct {
	base string
	hc   *http.Client
	csrf string
}

func newClient(base, ip string, conns int) *client {
	jar, _ := cookiejar.New(nil)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	return &client{base: base, hc: &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) open() error {
	resp, err := c.hc.Get(c.base + "/login")
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRE.FindSubmatch(b)
	if m == nil {
		return fmt.Errorf("no csrf field on /login")
	}
	c.csrf = string(m[1])
	return nil
}

func (c *client) post(path string, form url.Values) (int, error) {
	form.Set("csrf", c.csrf)
	resp, err := c.hc.PostForm(c.base+path, form)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// sample collects latencies.
type sample struct {
	mu sync.Mutex
	ds []time.Duration
}

func (s *sample) add(d time.Duration) {
	s.mu.Lock()
	s.ds = append(s.ds, d)
	s.mu.Unlock()
}

func (s *sample) pct(p float64) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ds) == 0 {
		return 0
	}
	ds := slices.Clone(s.ds)
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(p*float64(len(ds))))]
}

func (s *sample) n() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ds)
}

func main() {
	bin := flag.String("bin", "", "karyakram binary (required)")
	dsn := flag.String("dsn", "", "database (default: SQLite in a temporary directory)")
	seconds := flag.Int("seconds", 60, "length of each phase")
	pace := flag.Duration("pace", 500*time.Millisecond, "one official's login every pace, during every phase")
	conns := flag.Int("conns", 32, "the flood's concurrent connections")
	floodRate := flag.Int("flood-rate", 0, "the flood's requests per second (0: as fast as the connections go, like wrk)")
	budget := flag.Int("sms-per-hour", 1000, "KARYAKRAM_LOGIN_SMS_PER_HOUR for the run")
	flag.Parse()
	if *bin == "" {
		log.Fatal("-bin is required")
	}
	tmp, err := os.MkdirTemp("", "kk-login-flood-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	if *dsn == "" {
		*dsn = filepath.Join(tmp, "bench.db")
	}
	env := append(os.Environ(), "KARYAKRAM_DSN="+*dsn, fmt.Sprintf("KARYAKRAM_LOGIN_SMS_PER_HOUR=%d", *budget))
	run := func(args ...string) {
		cmd := exec.Command(*bin, args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			log.Fatalf("%s %v: %v\n%s", *bin, args, err, out)
		}
	}
	run("migrate")
	run("seed", "-scale", "demo")
	ctx := context.Background()
	st, err := store.Open(ctx, *dsn, nil)
	if err != nil {
		log.Fatal(err)
	}
	var officials []string
	rows, err := st.DB().QueryContext(ctx, `SELECT DISTINCT w.mobile FROM workers w JOIN worker_roles r ON r.worker_id = w.id
		JOIN roles ro ON ro.key = r.role_key WHERE ro.official AND w.mobile IS NOT NULL ORDER BY w.mobile`)
	if err != nil {
		log.Fatal(err)
	}
	for rows.Next() {
		var m string
		rows.Scan(&m)
		officials = append(officials, m)
	}
	rows.Close()
	// Legitimate users and attackers use different officials' numbers.
	half := len(officials) / 2
	legit, targets := officials[:half], officials[half:]

	cmd := exec.Command(*bin, "serve", "-addr", "127.0.0.1:0")
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, _ := cmd.StdoutPipe()
	logf, _ := os.Create(filepath.Join(tmp, "serve.log"))
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	defer func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM); cmd.Wait() }()
	buf := make([]byte, 4096)
	var base string
	for got := ""; base == ""; {
		n, err := out.Read(buf)
		if err != nil {
			b, _ := os.ReadFile(logf.Name())
			log.Fatalf("serve did not start: %v\n%s", err, b)
		}
		got += string(buf[:n])
		if m := startedR.FindStringSubmatch(got); m != nil {
			base = m[1]
		}
	}
	go io.Copy(io.Discard, out)

	smsSince := func(t time.Time, mobiles []string) int {
		var n int
		q := "SELECT COUNT(*) FROM sms_log WHERE purpose = 'otp' AND at >= ?"
		args := []any{t.UTC()}
		if mobiles != nil {
			q += " AND mobile IN (?" + strings.Repeat(",?", len(mobiles)-1) + ")"
			for _, m := range mobiles {
				args = append(args, m)
			}
		}
		if err := st.DB().QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			log.Fatal(err)
		}
		return n
	}
	fmt.Printf("officials %d (legit %d, targets %d); server %s; phase %d s; legit login every %v; flood %d connections at %s; SMS budget %d/h; load average %s\n",
		len(officials), len(legit), len(targets), base, *seconds, *pace, *conns, map[bool]string{true: fmt.Sprintf("%d requests/s", *floodRate), false: "full speed"}[*floodRate > 0], *budget, loadavg())

	// legitimate logins at a steady pace, each official from their own
	// address, for the length of a phase.
	var next atomic.Int64
	legitPhase := func(stop <-chan struct{}) (codeLat, loginLat *sample, failed *atomic.Int64) {
		codeLat, loginLat, failed = &sample{}, &sample{}, &atomic.Int64{}
		var wg sync.WaitGroup
		t := time.NewTicker(*pace)
		defer t.Stop()
		for {
			select {
			case <-stop:
				wg.Wait()
				return
			case <-t.C:
			}
			i := int(next.Add(1))
			mobile := legit[i%len(legit)]
			ip := fmt.Sprintf("127.1.%d.%d", (i/250)%250, i%250+1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := newClient(base, ip, 1)
				if err := c.open(); err != nil {
					failed.Add(1)
					return
				}
				t0 := time.Now()
				code, err := c.post("/login/code", url.Values{"mobile": {mobile}})
				codeLat.add(time.Since(t0))
				if err != nil || code != 200 {
					failed.Add(1)
					return
				}
				var body string
				if err := st.DB().QueryRowContext(ctx, "SELECT body FROM sms_log WHERE mobile = ? ORDER BY id DESC LIMIT 1", mobile).Scan(&body); err != nil {
					failed.Add(1)
					return
				}
				m := codeRE.FindStringSubmatch(body)
				t1 := time.Now()
				code, err = c.post("/login/verify", url.Values{"mobile": {mobile}, "code": {m[1]}})
				loginLat.add(time.Since(t1) + t1.Sub(t0))
				if err != nil || code != http.StatusSeeOther {
					failed.Add(1)
				}
			}()
		}
	}
	// flood posts /login/code with target numbers from addrs until stop.
	flood := func(stop <-chan struct{}, addrs []string) (sent, limited *atomic.Int64) {
		sent, limited = &atomic.Int64{}, &atomic.Int64{}
		var wg sync.WaitGroup
		var ticks chan struct{}
		if *floodRate > 0 {
			// Open loop: requests are due at a fixed rate; a due request
			// no connection is free for is skipped, not queued.
			ticks = make(chan struct{})
			go func() {
				t := time.NewTicker(time.Second / time.Duration(*floodRate))
				defer t.Stop()
				for {
					select {
					case <-stop:
						return
					case <-t.C:
						select {
						case ticks <- struct{}{}:
						default:
						}
					}
				}
			}()
		}
		for i := 0; i < *conns; i++ {
			c := newClient(base, addrs[i%len(addrs)], 1)
			if err := c.open(); err != nil {
				log.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				rnd := rand.New(rand.NewPCG(uint64(i), 7))
				for {
					select {
					case <-stop:
						return
					default:
					}
					if ticks != nil {
						select {
						case <-stop:
							return
						case <-ticks:
						}
					}
					code, err := c.post("/login/code", url.Values{"mobile": {targets[rnd.IntN(len(targets))]}})
					if err != nil {
						continue
					}
					sent.Add(1)
					if code == http.StatusTooManyRequests {
						limited.Add(1)
					}
				}
			}()
		}
		go func() { <-stop; wg.Wait() }()
		return sent, limited
	}
	phase := func(name string, addrs []string) {
		stop := make(chan struct{})
		began := time.Now()
		var sent, limited *atomic.Int64
		if addrs != nil {
			sent, limited = flood(stop, addrs)
		}
		done := make(chan struct{})
		var codeLat, loginLat *sample
		var failed *atomic.Int64
		go func() { codeLat, loginLat, failed = legitPhase(stop); close(done) }()
		time.Sleep(time.Duration(*seconds) * time.Second)
		close(stop)
		<-done
		time.Sleep(200 * time.Millisecond)
		line := fmt.Sprintf("PHASE %-22s legit logins %4d (failed %d): /login/code p50 %6.1f ms p99 %6.1f ms; whole login p50 %6.1f ms p99 %6.1f ms",
			name, loginLat.n(), failed.Load(), ms(codeLat.pct(0.5)), ms(codeLat.pct(0.99)), ms(loginLat.pct(0.5)), ms(loginLat.pct(0.99)))
		if addrs != nil {
			line += fmt.Sprintf("; flood %d requests (%.0f/s, %d refused 429) from %d address(es): %d login SMS sent to its targets",
				sent.Load(), float64(sent.Load())/time.Since(began).Seconds(), limited.Load(), len(addrs), smsSince(began, targets))
		}
		fmt.Println(line + "; load average " + loadavg())
	}
	phase("quiet", nil)
	phase("flood, one address", []string{"127.0.0.9"})
	phase("quiet again", nil)
	// Last: a flood from many addresses spends the statewide budget, after
	// which everyone's codes pause until the hour ends (the trade-off of a
	// cost cap): the legit logins of this phase then fail.
	var many []string
	for i := 1; i <= 250; i++ {
		many = append(many, fmt.Sprintf("127.2.0.%d", i))
	}
	*conns = max(*conns, 64)
	phase("flood, 250 addresses", many)
	var total int
	st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM sms_log WHERE purpose = 'otp'").Scan(&total)
	fmt.Printf("RESULT login SMS sent in all: %d (the budget is %d an hour; legit logins take their share)\n", total, *budget)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
