package conferencing

import (
	"context"
	"errors"
	"fmt"
	"github.com/karyakram/karyakram/schedule"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livekit/protocol/auth"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/webrtc/v4"
)

// keyframeInterval is how often the relay asks a stage video track for a
// keyframe, so listeners who join mid-speech see video within a few seconds.
const keyframeInterval = 2 * time.Second

// Relay carries a mass address's stage into its listener rooms: it joins
// the stage as a hidden subscriber and republishes every stage track into
// each listener room, so listeners hear (and see) the speaker with no extra
// service. One RTP stream is read from the stage per track and written to
// every listener room's peer connection.
type Relay struct {
	cfg    Config
	minter *Minter
	log    *slog.Logger

	packets atomic.Uint64 // RTP packets read from the stage
	tracks  atomic.Int64  // stage tracks being relayed
}

// NewRelay returns a relay that joins rooms on the server in cfg with
// tokens from minter. A nil log discards logs.
func NewRelay(cfg Config, minter *Minter, log *slog.Logger) (*Relay, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("conferencing: new relay: %w", err)
	}
	if minter == nil {
		return nil, errors.New("conferencing: new relay: minter is nil")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Relay{cfg: cfg, minter: minter, log: log.With("component", "livekit-relay")}, nil
}

// RelayStats is a snapshot of a relay's work.
type RelayStats struct {
	Tracks  int    // stage tracks currently relayed
	Packets uint64 // RTP packets read from the stage so far
}

// Stats returns the relay's counters.
func (r *Relay) Stats() RelayStats {
	return RelayStats{Tracks: int(r.tracks.Load()), Packets: r.packets.Load()}
}

// Run joins the listener rooms, then the stage, and relays until ctx ends;
// then it leaves every room and returns nil. It returns an error if a room
// cannot be joined, or when LiveKit gives up reconnecting one of its
// connections (short outages are resumed by the SDK itself). Serve wraps
// Run with restarts.
func (r *Relay) Run(ctx context.Context, stage string, listenerRooms []string) error {
	if stage == "" || len(listenerRooms) == 0 {
		return errors.New("conferencing: relay: stage and at least one listener room are required")
	}
	yes, no := true, false
	// lost receives the name of a room whose connection LiveKit gave up
	// reconnecting; the relay then stops so Serve can start it afresh.
	lost := make(chan string, len(listenerRooms)+1)
	onLost := func(name string) func() {
		return func() {
			select {
			case lost <- name:
			default:
			}
		}
	}
	var outs []*lksdk.Room
	defer func() {
		for _, o := range outs {
			o.Disconnect()
		}
	}()
	for _, name := range listenerRooms {
		tok := r.minter.MintClaims(Claims{Identity: schedule.RelayIdentity, Name: "Stage", Video: &auth.VideoGrant{
			RoomJoin: true, Room: name, CanPublish: &yes, CanSubscribe: &no, CanPublishData: &no,
		}}, time.Now(), 10*time.Minute)
		outCB := lksdk.NewRoomCallback()
		outCB.OnDisconnected = onLost(name)
		room, err := lksdk.ConnectToRoomWithToken(r.cfg.WebSocketURL(), tok, outCB, lksdk.WithAutoSubscribe(false))
		if err != nil {
			return fmt.Errorf("conferencing: relay: join listener room %s: %w", name, err)
		}
		outs = append(outs, room)
	}

	var wg sync.WaitGroup
	cb := lksdk.NewRoomCallback()
	cb.OnDisconnected = onLost(stage)
	cb.OnTrackSubscribed = func(track *webrtc.TrackRemote, pub *lksdk.RemoteTrackPublication, rp *lksdk.RemoteParticipant) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.forward(ctx, track, pub, rp, outs)
		}()
	}
	tok := r.minter.MintClaims(Claims{Identity: schedule.RelayIdentity, Name: "Relay", Video: &auth.VideoGrant{
		RoomJoin: true, Room: stage, CanPublish: &no, CanSubscribe: &yes, CanPublishData: &no, Hidden: true,
	}}, time.Now(), 10*time.Minute)
	in, err := lksdk.ConnectToRoomWithToken(r.cfg.WebSocketURL(), tok, cb, lksdk.WithAutoSubscribe(true))
	if err != nil {
		return fmt.Errorf("conferencing: relay: join stage %s: %w", stage, err)
	}
	r.log.InfoContext(ctx, "relay running", "stage", stage, "listener_rooms", len(outs))
	var runErr error
	select {
	case <-ctx.Done():
	case name := <-lost:
		runErr = fmt.Errorf("conferencing: relay: connection to room %s lost", name)
	}
	in.Disconnect() // ends every forward loop: ReadRTP fails once the stage connection closes
	wg.Wait()
	r.log.Info("relay stopped", "stage", stage, "packets", r.packets.Load(), "err", runErr)
	return runErr
}

// Serve runs the relay until ctx ends, starting it again with backoff
// whenever it cannot join its rooms or loses a connection for good (for
// example while livekit-server restarts). It returns when ctx ends.
func (r *Relay) Serve(ctx context.Context, stage string, listenerRooms []string, b Backoff) {
	for n := 1; ; n++ {
		started := time.Now()
		err := r.Run(ctx, stage, listenerRooms)
		if ctx.Err() != nil {
			return
		}
		if time.Since(started) > time.Minute {
			n = 1 // it ran fine for a while: start the backoff over
		}
		wait := b.delay(n)
		r.log.WarnContext(ctx, "relay down, restarting", "stage", stage, "attempt", n, "wait", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// forward republishes one stage track into every listener room and copies
// its RTP packets until the stage track ends or ctx ends.
func (r *Relay) forward(ctx context.Context, track *webrtc.TrackRemote, pub *lksdk.RemoteTrackPublication, rp *lksdk.RemoteParticipant, outs []*lksdk.Room) {
	log := r.log.With("speaker", rp.Identity(), "track", pub.SID(), "kind", track.Kind().String())
	local, err := webrtc.NewTrackLocalStaticRTP(track.Codec().RTPCodecCapability, "relay-"+pub.SID(), rp.Identity())
	if err != nil {
		log.ErrorContext(ctx, "create relay track", "err", err)
		return
	}
	type published struct {
		room *lksdk.Room
		sid  string
	}
	var pubs []published
	for _, out := range outs {
		lp, err := out.LocalParticipant.PublishTrack(local, &lksdk.TrackPublicationOptions{Name: pub.Name(), Source: pub.Source()})
		if err != nil {
			log.ErrorContext(ctx, "publish relay track", "room", out.Name(), "err", err)
			continue
		}
		pubs = append(pubs, published{out, lp.SID()})
	}
	defer func() {
		for _, p := range pubs {
			if err := p.room.LocalParticipant.UnpublishTrack(p.sid); err != nil {
				log.Warn("unpublish relay track", "room", p.room.Name(), "err", err)
			}
		}
	}()
	r.tracks.Add(1)
	defer r.tracks.Add(-1)
	log.InfoContext(ctx, "relaying track", "rooms", len(pubs), "codec", track.Codec().MimeType)

	if track.Kind() == webrtc.RTPCodecTypeVideo {
		done := make(chan struct{})
		defer close(done)
		go func() {
			t := time.NewTicker(keyframeInterval)
			defer t.Stop()
			for {
				rp.WritePLI(track.SSRC())
				select {
				case <-done:
					return
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}

	writeErrLogged := false
	for {
		pkt, _, err := track.ReadRTP()
		if err != nil {
			log.InfoContext(ctx, "stage track ended", "err", err)
			return
		}
		r.packets.Add(1)
		// Header extension ids were negotiated on the stage connection and
		// mean nothing on the listener connections: drop them.
		pkt.Header.Extension = false
		pkt.Header.Extensions = nil
		if err := local.WriteRTP(pkt); err != nil && !errors.Is(err, io.ErrClosedPipe) && !writeErrLogged {
			log.WarnContext(ctx, "write relayed packet (logged once per track)", "err", err)
			writeErrLogged = true
		}
	}
}
