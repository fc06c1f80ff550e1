package conferencing

import (
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/karyakram/karyakram/conferencing/lktest"
)

// sippPcapDir holds the RTP captures Debian's sip-tester ships (G.711
// audio and RFC 2833 DTMF digits).
const sippPcapDir = "/usr/share/sip-tester"

// bridgeCallScenario dials the bridge, waits for the PIN prompt, keys the
// PIN and '#' as RFC 2833 events, plays G.711 audio, then hangs up.
func bridgeCallScenario(pin string, talk time.Duration) string {
	var dtmf strings.Builder
	for _, d := range pin + "#" {
		name := string(d)
		if d == '#' {
			name = "pound"
		}
		fmt.Fprintf(&dtmf, `  <nop><action><exec play_pcap_audio="%s/dtmf_2833_%s.pcap"/></action></nop>
  <pause milliseconds="400"/>
`, sippPcapDir, name)
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
` + dtmf.String() + `  <nop><action><exec play_pcap_audio="` + sippPcapDir + `/g711a.pcap"/></action></nop>
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

func TestRealCallThroughAudioBridge(t *testing.T) {
	sippBin, err := exec.LookPath("sipp")
	if err != nil {
		t.Skip("sipp not installed (apt-get install sip-tester)")
	}
	if _, err := os.Stat(filepath.Join(sippPcapDir, "g711a.pcap")); err != nil {
		t.Skipf("sipp RTP captures missing in %s", sippPcapDir)
	}

	wh, _ := NewWebhooks(lktest.APIKey, lktest.APISecret, nil)
	turnout := newPresenceLog()
	hooks := httptest.NewServer(wh.Handler(turnout.record))
	defer hooks.Close()

	lk := lktest.Start(t, lktest.WithRedis(), lktest.WithWebhooks(hooks.URL))
	sipSrv := lktest.StartSIP(t, lk)
	cfg := testConfig(lk.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	rooms, _ := NewRooms(cfg, nil, Backoff{MaxAttempts: 3})
	if _, err := rooms.Ensure(ctx, RoomSpec{Name: "addr-7-d12-1"}); err != nil {
		t.Fatal(err)
	}
	sip, _ := NewSIPClient(cfg, nil, Backoff{MaxAttempts: 3})
	const number, pin = "+918000000012", "4829"
	if _, _, err := sip.EnsureBridge(ctx, Bridge{Name: "addr-7-d12", Number: number, Room: "addr-7-d12-1", PIN: pin}); err != nil {
		t.Fatal(err)
	}

	// A wrong PIN: livekit-sip says so and hangs up; nobody joins the room.
	wrong := startSippCall(ctx, t, sippBin, sipSrv.Addr(), number, "0000", 8*time.Second)
	select {
	case <-wrong.done: // sipp fails on the unexpected BYE; that is the point
	case <-time.After(40 * time.Second):
		wrong.dumpLogs(t, sipSrv)
		t.Fatal("call with a wrong PIN was not hung up within 40s")
	}
	if resp, err := lksdk.NewRoomServiceClient(lk.URL(), cfg.APIKey, cfg.APISecret).ListParticipants(ctx, &livekit.ListParticipantsRequest{Room: "addr-7-d12-1"}); err != nil || len(resp.GetParticipants()) != 0 {
		t.Fatalf("after a wrong PIN the room has %v (err %v)", resp.GetParticipants(), err)
	}
	if !strings.Contains(readFile(sipSrv.LogPath()), `"wrong-pin"`) && !strings.Contains(readFile(sipSrv.LogPath()), "wrong pin") {
		t.Errorf("livekit-sip did not reject the wrong PIN:\n%s", lastN(readFile(sipSrv.LogPath()), 3000))
	}
	if n := turnout.count(); n != 0 {
		t.Errorf("turnout recorded %d presences after a wrong PIN: %+v", n, turnout.seen)
	}

	call := startSippCall(ctx, t, sippBin, sipSrv.Addr(), number, pin, 8*time.Second)
	out, sippDone := call.out, call.done
	dumpLogs := func() { call.dumpLogs(t, sipSrv) }

	// The caller, PIN accepted, shows up in the district's listener room as a
	// SIP participant publishing the call's audio.
	rs := lksdk.NewRoomServiceClient(lk.URL(), cfg.APIKey, cfg.APISecret)
	var caller *livekit.ParticipantInfo
	deadline := time.Now().Add(40 * time.Second)
	for caller == nil {
		if time.Now().After(deadline) {
			dumpLogs()
			t.Fatalf("no SIP participant in addr-7-d12-1 after 40s; sipp output:\n%s", out.String())
		}
		resp, err := rs.ListParticipants(ctx, &livekit.ListParticipantsRequest{Room: "addr-7-d12-1"})
		if err == nil {
			for _, p := range resp.GetParticipants() {
				// Joined and publishing the phone audio into the room.
				if strings.HasPrefix(p.GetIdentity(), "sip_") && len(p.GetTracks()) > 0 && p.GetTracks()[0].GetType() == livekit.TrackType_AUDIO {
					caller = p
				}
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	if caller.GetKind() != livekit.ParticipantInfo_SIP {
		t.Errorf("caller kind = %v, want SIP", caller.GetKind())
	}

	// And is counted in turnout through the webhook.
	timeout := time.After(20 * time.Second)
	for counted := false; !counted; {
		select {
		case p := <-turnout.ch:
			counted = p.Kind == Joined && p.SIP && p.Room == "addr-7-d12-1" && p.Identity == caller.GetIdentity()
		case <-timeout:
			t.Fatalf("no SIP join webhook for %s; got %+v", caller.GetIdentity(), turnout.seen)
		}
	}

	if err := <-sippDone; err != nil {
		dumpLogs()
		t.Errorf("sipp: %v\n%s", err, out.String())
	}
}

// sippCall is one sipp run dialling a bridge.
type sippCall struct {
	dir  string
	out  *syncBuffer
	done chan error
}

func startSippCall(ctx context.Context, t *testing.T, sippBin, addr, number, pin string, talk time.Duration) *sippCall {
	t.Helper()
	c := &sippCall{dir: t.TempDir(), out: &syncBuffer{}, done: make(chan error, 1)}
	scenario := filepath.Join(c.dir, "call.xml")
	if err := os.WriteFile(scenario, []byte(bridgeCallScenario(pin, talk)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, sippBin, addr,
		"-sf", scenario, "-s", number, "-m", "1", "-t", "u1",
		"-i", "127.0.0.1", "-p", strconv.Itoa(freeUDPPort(t)), "-mi", "127.0.0.1", "-mp", strconv.Itoa(freeUDPPort(t)),
		"-nostdin", "-timeout", "60s", "-timeout_error", "-trace_err", "-trace_msg")
	cmd.Dir = c.dir
	cmd.Stdout, cmd.Stderr = c.out, c.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- cmd.Wait() }()
	return c
}

func (c *sippCall) dumpLogs(t *testing.T, sipSrv *lktest.SIPServer) {
	t.Helper()
	msgs, _ := filepath.Glob(filepath.Join(c.dir, "*_messages.log"))
	for _, m := range msgs {
		t.Logf("sipp messages %s:\n%s", m, lastN(readFile(m), 3000))
	}
	t.Logf("livekit-sip log:\n%s", lastN(readFile(sipSrv.LogPath()), 6000))
}

func readFile(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}

func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

func lastN(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
