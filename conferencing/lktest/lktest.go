// Package lktest runs a real livekit-server for tests: on loopback, on free
// ports, with the dev key pair (devkey/secret), optionally backed by Redis
// (needed for the SIP APIs) and sending webhooks to given URLs.
//
// The binary comes from $KARYAKRAM_LIVEKIT_SERVER or from the cache that
// scripts/livekit-server.sh fills. The harness never builds it (that takes
// minutes); when it is missing the test is skipped with one line naming the
// script.
package lktest

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/karyakram/karyakram/internal/testtool"
)

// Version is the livekit-server release the harness runs.
const Version = "v1.13.5"

// Dev credentials livekit-server uses in --dev mode.
const (
	APIKey    = "devkey"
	APISecret = "secret"
)

// RedisAddr is where WithRedis expects a Redis server.
const RedisAddr = "127.0.0.1:6379"

// Option configures a Server.
type Option func(*options)

type options struct {
	redis    bool
	redisDB  int
	webhooks []string
}

// WithRedis backs the server with Redis at RedisAddr, database 0, which is
// flushed (FLUSHDB) before the server starts and after it stops. The test
// is skipped if Redis is unreachable.
func WithRedis() Option { return func(o *options) { o.redis = true } }

// WithWebhooks makes the server POST webhook events, signed with the dev
// key, to the given URLs.
func WithWebhooks(urls ...string) Option {
	return func(o *options) { o.webhooks = append(o.webhooks, urls...) }
}

// Server is one livekit-server process owned by a test.
type Server struct {
	tb       testing.TB
	bin      string
	dir      string
	opts     options
	httpPort int

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd exits
	log  *os.File
}

// Start is New followed by (*Server).Start: a running server, stopped when
// the test ends.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := New(tb, opts...)
	s.Start()
	return s
}

// New prepares a server (binary found, ports picked, config written)
// without starting it, so a test can know its URL while it is still down.
// The server is stopped, if running, when the test ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	var o options
	for _, f := range opts {
		f(&o)
	}
	bin := findBinary(tb)
	holdMachine(tb)
	if o.redis {
		if err := flushRedis(o.redisDB); err != nil {
			testtool.RedisDown(tb, RedisAddr, err)
		}
	}
	s := &Server{tb: tb, bin: bin, dir: tb.TempDir(), opts: o}
	if err := s.writeConfig(); err != nil {
		tb.Fatalf("lktest: %v", err)
	}
	tb.Cleanup(func() {
		s.Stop()
		if o.redis {
			if err := flushRedis(o.redisDB); err != nil {
				tb.Logf("lktest: flush redis after test: %v", err)
			}
		}
	})
	return s
}

// URL is the server's HTTP base URL (Twirp APIs), e.g. http://127.0.0.1:41234.
func (s *Server) URL() string { return "http://127.0.0.1:" + strconv.Itoa(s.httpPort) }

// WSURL is the server's signalling URL for clients, e.g. ws://127.0.0.1:41234.
func (s *Server) WSURL() string { return "ws://127.0.0.1:" + strconv.Itoa(s.httpPort) }

// PID is the server process id, or 0 when it is not running.
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// LogPath is the file the server's stdout and stderr go to.
func (s *Server) LogPath() string { return filepath.Join(s.dir, "livekit-server.log") }

func (s *Server) writeConfig() error {
	httpPort, err := freeTCPPort()
	if err != nil {
		return err
	}
	tcpPort, err := freeTCPPort()
	if err != nil {
		return err
	}
	udpPort, err := freeUDPPort()
	if err != nil {
		return err
	}
	s.httpPort = httpPort
	var b strings.Builder
	fmt.Fprintf(&b, "port: %d\n", httpPort)
	b.WriteString("rtc:\n")
	fmt.Fprintf(&b, "  tcp_port: %d\n", tcpPort)
	fmt.Fprintf(&b, "  udp_port: %d\n", udpPort)
	b.WriteString("  node_ip: 127.0.0.1\n  use_external_ip: false\n  enable_loopback_candidate: true\n")
	if s.opts.redis {
		fmt.Fprintf(&b, "redis:\n  address: %s\n  db: %d\n", RedisAddr, s.opts.redisDB)
	}
	if len(s.opts.webhooks) > 0 {
		fmt.Fprintf(&b, "webhook:\n  api_key: %s\n  urls:\n", APIKey)
		for _, u := range s.opts.webhooks {
			fmt.Fprintf(&b, "    - %s\n", strconv.Quote(u))
		}
	}
	if err := os.WriteFile(filepath.Join(s.dir, "livekit.yaml"), []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("write livekit config: %w", err)
	}
	return nil
}

// Start starts the process and waits until it answers HTTP. It fails the
// test if the server does not come up within 30 seconds.
func (s *Server) Start() {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		s.tb.Fatal("lktest: server already running")
	}
	logf, err := os.OpenFile(s.LogPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		s.tb.Fatalf("lktest: open log: %v", err)
	}
	cmd := exec.Command(s.bin, "--dev", "--bind", "127.0.0.1", "--config", filepath.Join(s.dir, "livekit.yaml"))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Dir = s.dir
	if err := cmd.Start(); err != nil {
		logf.Close()
		s.tb.Fatalf("lktest: start %s: %v", s.bin, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.cmd, s.done, s.log = cmd, done, logf

	deadline := time.Now().Add(30 * time.Second)
	client := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-done:
			s.cmd = nil
			logf.Close()
			s.tb.Fatalf("lktest: livekit-server exited during startup:\n%s", s.tailLog())
		default:
		}
		resp, err := client.Get(s.URL() + "/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			s.stopLocked()
			s.tb.Fatalf("lktest: livekit-server not ready on %s after 30s (last error %v):\n%s", s.URL(), err, s.tailLog())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop terminates the server (SIGTERM; a second SIGTERM, which forces, after
// 300ms; SIGKILL after 5 more seconds) and
// waits for it to exit. Stopping a stopped server does nothing; a stopped
// server can be started again on the same ports.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopLocked()
}

func (s *Server) stopLocked() {
	if s.cmd == nil {
		return
	}
	// livekit-server drains on the first signal and forces on the second.
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(300 * time.Millisecond):
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	}
	s.log.Close()
	s.cmd, s.done, s.log = nil, nil, nil
}

func (s *Server) tailLog() string { return tailFile(s.LogPath()) }

// tailFile is the last 4000 bytes of the log at path, or why there is none.
func tailFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// BinaryPath returns where the harness looks for livekit-server:
// $KARYAKRAM_LIVEKIT_SERVER, else the path scripts/livekit-server.sh uses.
func BinaryPath() string {
	if p := os.Getenv("KARYAKRAM_LIVEKIT_SERVER"); p != "" {
		return p
	}
	cache := os.Getenv("KARYAKRAM_CACHE")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache", "karyakram")
	}
	return filepath.Join(cache, "bin", "livekit-server-"+Version)
}

// findBinary returns the livekit-server binary or skips the test. It never
// builds one: a build takes minutes and would eat go test's timeout, so
// scripts/livekit-server.sh does it before the tests run.
func findBinary(tb testing.TB) string {
	tb.Helper()
	p := BinaryPath()
	if !isExecutable(p) {
		tb.Skipf("livekit-server %s not found at %s: run scripts/livekit-server.sh (or set KARYAKRAM_LIVEKIT_SERVER)", Version, p)
	}
	return p
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// Ports are picked below the kernel's ephemeral range. A port picked with
// ":0" comes from that range, where between the pick and livekit-server's
// own bind any outgoing connection on the machine may take it (seen in CI:
// "listen tcp :42799: bind: address already in use"). Below it only other
// listeners compete, and a port is never handed out twice in one process.
var picked = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

func freeTCPPort() (int, error) {
	return pickPort("tcp", func(p int) error {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err == nil {
			l.Close()
		}
		return err
	})
}

func freeUDPPort() (int, error) {
	return pickPort("udp", func(p int) error {
		c, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(p))
		if err == nil {
			c.Close()
		}
		return err
	})
}

func pickPort(network string, free func(port int) error) (int, error) {
	lo, hi := 20000, ephemeralLow()-1
	picked.Lock()
	defer picked.Unlock()
	for range 500 {
		p := lo + rand.IntN(hi-lo+1)
		if picked.ports[p] || free(p) != nil {
			continue
		}
		picked.ports[p] = true
		return p, nil
	}
	return 0, fmt.Errorf("pick free %s port: none free in %d-%d", network, lo, hi)
}

// ephemeralLow is the first port of the kernel's ephemeral range (Linux's
// default 32768 when it cannot be read or leaves no room below).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil && n > 21000 {
				return n
			}
		}
	}
	return 32768
}

// flushRedis selects db and runs FLUSHDB over a raw RESP connection.
func flushRedis(db int) error {
	c, err := net.DialTimeout("tcp", RedisAddr, 2*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	dbs := strconv.Itoa(db)
	cmd := fmt.Sprintf("*2\r\n$6\r\nSELECT\r\n$%d\r\n%s\r\n*1\r\n$7\r\nFLUSHDB\r\n", len(dbs), dbs)
	if _, err := c.Write([]byte(cmd)); err != nil {
		return fmt.Errorf("send FLUSHDB: %w", err)
	}
	r := bufio.NewReader(c)
	for range 2 {
		line, err := r.ReadBytes('\n')
		if err != nil {
			return fmt.Errorf("read redis reply: %w", err)
		}
		if !bytes.HasPrefix(line, []byte("+OK")) {
			return fmt.Errorf("redis replied %q", bytes.TrimSpace(line))
		}
	}
	return nil
}
