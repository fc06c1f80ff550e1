package lktest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// SIPVersion is the livekit-sip release the harness runs.
const SIPVersion = "v1.8.0"

// SIPServer is one livekit-sip process owned by a test, bridging phone
// calls into the rooms of a Server.
type SIPServer struct {
	tb      testing.TB
	dir     string
	sipPort int
	cmd     *exec.Cmd
	done    chan struct{}
}

// SIPBinaryPath returns where the harness looks for livekit-sip:
// $KARYAKRAM_LIVEKIT_SIP, else the path scripts/livekit-sip.sh uses.
func SIPBinaryPath() string {
	if p := os.Getenv("KARYAKRAM_LIVEKIT_SIP"); p != "" {
		return p
	}
	return filepath.Join(filepath.Dir(BinaryPath()), "livekit-sip-"+SIPVersion)
}

// StartSIP starts livekit-sip for lk, which must run WithRedis (the two
// talk through Redis). It listens for SIP on a free loopback port (UDP and
// TCP) and is stopped when the test ends. The test is skipped with a how-to
// when the binary is missing.
func StartSIP(tb testing.TB, lk *Server) *SIPServer {
	tb.Helper()
	if !lk.opts.redis {
		tb.Fatal("lktest: StartSIP needs a Server started WithRedis")
	}
	bin := SIPBinaryPath()
	if !isExecutable(bin) {
		tb.Skipf("livekit-sip %s not found at %s: run scripts/livekit-sip.sh (or set KARYAKRAM_LIVEKIT_SIP)", SIPVersion, bin)
	}
	port, err := freeTCPPort() // SIP listens on this port over TCP and UDP
	if err != nil {
		tb.Fatal(err)
	}
	rtpStart, err := freeTCPPort()
	if err != nil {
		tb.Fatal(err)
	}
	rtpStart = 20000 + rtpStart%20000
	s := &SIPServer{tb: tb, dir: tb.TempDir(), sipPort: port}
	conf := fmt.Sprintf(`api_key: %s
api_secret: %s
ws_url: %s
redis:
  address: %s
  db: %d
sip_port: %d
listen_ip: 127.0.0.1
nat_1_to_1_ip: 127.0.0.1
rtp_port: %d-%d
logging:
  level: debug
`, APIKey, APISecret, lk.WSURL(), RedisAddr, lk.opts.redisDB, port, rtpStart, rtpStart+200)
	confPath := filepath.Join(s.dir, "sip.yaml")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		tb.Fatal(err)
	}
	logf, err := os.Create(s.LogPath())
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(bin, "--config", confPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Dir = s.dir
	if err := cmd.Start(); err != nil {
		logf.Close()
		tb.Fatalf("lktest: start livekit-sip: %v", err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(s.done) }()
	tb.Cleanup(s.stop)

	// Ready when it has logged that SIP signalling listens and the TCP
	// listener accepts.
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-s.done:
			tb.Fatalf("lktest: livekit-sip exited during startup:\n%s", s.tailLog())
		default:
		}
		if b, _ := os.ReadFile(s.LogPath()); strings.Contains(string(b), "sip signaling listening on") {
			if c, err := net.DialTimeout("tcp", s.Addr(), 200*time.Millisecond); err == nil {
				c.Close()
				return s
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("lktest: livekit-sip not ready on %s after 30s:\n%s", s.Addr(), s.tailLog())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Addr is the SIP signalling address, host:port on loopback.
func (s *SIPServer) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.sipPort) }

// LogPath is the file livekit-sip logs to.
func (s *SIPServer) LogPath() string { return filepath.Join(s.dir, "livekit-sip.log") }

func (s *SIPServer) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

func (s *SIPServer) tailLog() string { return tailFile(s.LogPath()) }
