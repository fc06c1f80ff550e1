package lktest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/karyakram/karyakram/internal/testtool"
)

// SippPcapDir holds the RTP captures Debian's sip-tester ships (G.711
// audio and RFC 2833 DTMF digits) that DialWithPIN plays.
const SippPcapDir = "/usr/share/sip-tester"

// RequireSipp skips the test, saying how to install it, when sipp or its
// RTP captures are missing, and otherwise returns the sipp binary's path.
// Call it before starting servers so a skip costs nothing.
func RequireSipp(tb testing.TB) string {
	tb.Helper()
	bin := testtool.Program(tb, "sipp")
	if _, err := os.Stat(filepath.Join(SippPcapDir, "g711a.pcap")); err != nil {
		tb.Skipf("sipp RTP captures missing in %s: run %s (Debian package sip-tester)", SippPcapDir, testtool.AptScript)
	}
	return bin
}

// SippCall is one sipp run dialling a bridge number on a SIPServer.
type SippCall struct {
	dir  string
	out  *SyncBuffer
	done chan error
}

// DialWithPIN starts sipp calling number on sip: it waits for the PIN
// prompt, keys pin and '#' as RFC 2833 events, plays G.711 audio for talk,
// then hangs up. The call runs in the background until it ends or ctx is
// done; Done reports how sipp exited. sipp traces its messages and errors
// into a temporary directory that DumpLogs prints. The test is skipped when
// sipp is missing (see RequireSipp).
func DialWithPIN(ctx context.Context, tb testing.TB, sip *SIPServer, number, pin string, talk time.Duration) *SippCall {
	tb.Helper()
	bin := RequireSipp(tb)
	c := &SippCall{dir: tb.TempDir(), out: &SyncBuffer{}, done: make(chan error, 1)}
	scenario := filepath.Join(c.dir, "call.xml")
	if err := os.WriteFile(scenario, []byte(pinCallScenario(pin, talk)), 0o600); err != nil {
		tb.Fatal(err)
	}
	sigPort, err := freeUDPPort()
	if err != nil {
		tb.Fatal(err)
	}
	mediaPort, err := freeUDPPort()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, bin, sip.Addr(),
		"-sf", scenario, "-s", number, "-m", "1", "-t", "u1",
		"-i", "127.0.0.1", "-p", strconv.Itoa(sigPort), "-mi", "127.0.0.1", "-mp", strconv.Itoa(mediaPort),
		"-nostdin", "-timeout", "60s", "-timeout_error", "-trace_err", "-trace_msg")
	cmd.Dir = c.dir
	cmd.Stdout, cmd.Stderr = c.out, c.out
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { c.done <- cmd.Wait() }()
	return c
}

// Done receives sipp's exit error (nil when the scenario passed) once.
func (c *SippCall) Done() <-chan error { return c.done }

// Output is what sipp has printed so far.
func (c *SippCall) Output() string { return c.out.String() }

// DumpLogs logs the tail of sipp's message traces and of sip's log.
func (c *SippCall) DumpLogs(tb testing.TB, sip *SIPServer) {
	tb.Helper()
	msgs, _ := filepath.Glob(filepath.Join(c.dir, "*_messages.log"))
	for _, m := range msgs {
		b, _ := os.ReadFile(m)
		tb.Logf("sipp messages %s:\n%s", m, lastN(b, 3000))
	}
	b, _ := os.ReadFile(sip.LogPath())
	tb.Logf("livekit-sip log:\n%s", lastN(b, 6000))
}

func lastN(b []byte, n int) string {
	return string(b[max(0, len(b)-n):])
}

// pinCallScenario is the sipp scenario DialWithPIN runs.
func pinCallScenario(pin string, talk time.Duration) string {
	var dtmf strings.Builder
	for _, d := range pin + "#" {
		name := string(d)
		if d == '#' {
			name = "pound"
		}
		fmt.Fprintf(&dtmf, `  <nop><action><exec play_pcap_audio="%s/dtmf_2833_%s.pcap"/></action></nop>
  <pause milliseconds="400"/>
`, SippPcapDir, name)
	}
	return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="karyakram audio bridge call">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Worker" <sip:+919800000001@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: sip:+919800000001@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=worker 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
      a=sendrecv
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Worker" <sip:+919800000001@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: sip:+919800000001@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <pause milliseconds="4000"/>
` + dtmf.String() + `  <nop><action><exec play_pcap_audio="` + SippPcapDir + `/g711a.pcap"/></action></nop>
  <pause milliseconds="` + strconv.Itoa(int(talk/time.Millisecond)) + `"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Worker" <sip:+919800000001@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: sip:+919800000001@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" crlf="true"/>
</scenario>
`
}

// SyncBuffer is a goroutine-safe bytes.Buffer for process output and log
// sinks that tests read while something else writes.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
