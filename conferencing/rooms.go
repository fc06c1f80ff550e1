package conferencing

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/karyakram/karyakram/schedule"
)

// Room timeouts for mass addresses. A listener room is created well before
// the start; it must survive until people arrive (empty timeout) and close
// soon after everyone has left (departure timeout).
const (
	// DefaultEmptyTimeout keeps a room with nobody in it for this long.
	DefaultEmptyTimeout = 2 * time.Hour
	// DefaultDepartureTimeout closes a room this long after the last
	// participant left.
	DefaultDepartureTimeout = 5 * time.Minute
)

// RoomSpec is a room to ensure.
type RoomSpec struct {
	Name             string
	EmptyTimeout     time.Duration // DefaultEmptyTimeout when zero
	DepartureTimeout time.Duration // DefaultDepartureTimeout when zero
	MaxParticipants  int           // 0 means unlimited
	Metadata         string
}

// RoomInfo is what karyakram needs to know about a live room.
type RoomInfo struct {
	Name             string
	SID              string
	Participants     int
	Publishers       int
	MaxParticipants  int
	EmptyTimeout     time.Duration
	DepartureTimeout time.Duration
	CreatedAt        time.Time
	Metadata         string
}

// Rooms creates, lists and deletes LiveKit rooms through RoomService,
// retrying with exponential backoff while livekit-server is unreachable.
type Rooms struct {
	client  *lksdk.RoomServiceClient
	log     *slog.Logger
	backoff Backoff
}

// NewRooms returns a Rooms for the server in cfg. A nil log discards logs.
func NewRooms(cfg Config, log *slog.Logger, backoff Backoff) (*Rooms, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("conferencing: new rooms: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Rooms{
		client:  lksdk.NewRoomServiceClient(cfg.HTTPURL(), cfg.APIKey, cfg.APISecret),
		log:     log.With("component", "livekit-rooms"),
		backoff: backoff,
	}, nil
}

// Ensure creates the room if it does not exist and returns it. LiveKit's
// CreateRoom is idempotent: an existing room is returned as it is. While the
// server is unreachable the call is retried until ctx ends.
func (r *Rooms) Ensure(ctx context.Context, spec RoomSpec) (RoomInfo, error) {
	if spec.Name == "" {
		return RoomInfo{}, fmt.Errorf("conferencing: ensure room: name is empty")
	}
	req := &livekit.CreateRoomRequest{
		Name:             spec.Name,
		EmptyTimeout:     seconds(spec.EmptyTimeout, DefaultEmptyTimeout),
		DepartureTimeout: seconds(spec.DepartureTimeout, DefaultDepartureTimeout),
		MaxParticipants:  uint32(max(spec.MaxParticipants, 0)),
		Metadata:         spec.Metadata,
	}
	room, err := retry(ctx, r.log, r.backoff, "create room "+spec.Name, func(ctx context.Context) (*livekit.Room, error) {
		return r.client.CreateRoom(ctx, req)
	})
	if err != nil {
		return RoomInfo{}, fmt.Errorf("conferencing: %w", err)
	}
	return roomInfo(room), nil
}

// EnsurePlan ensures the stage and every listener room of an address plan.
// Listener rooms get the plan's RoomLimit; the stage is unlimited. It stops
// at the first room that cannot be created and returns the rooms ensured so
// far with the error, so a caller can show progress and try again later.
func (r *Rooms) EnsurePlan(ctx context.Context, plan schedule.AddressPlan, emptyTimeout, departureTimeout time.Duration) ([]RoomInfo, error) {
	specs := make([]RoomSpec, 0, 1+len(plan.Areas))
	specs = append(specs, RoomSpec{Name: plan.Stage, EmptyTimeout: emptyTimeout, DepartureTimeout: departureTimeout})
	for _, name := range plan.ListenerRooms() {
		specs = append(specs, RoomSpec{Name: name, EmptyTimeout: emptyTimeout, DepartureTimeout: departureTimeout, MaxParticipants: plan.RoomLimit})
	}
	out := make([]RoomInfo, 0, len(specs))
	for _, s := range specs {
		info, err := r.Ensure(ctx, s)
		if err != nil {
			return out, fmt.Errorf("ensure rooms of address %d (%d of %d done): %w", plan.AddressID, len(out), len(specs), err)
		}
		out = append(out, info)
	}
	r.log.InfoContext(ctx, "address rooms ensured", "address", plan.AddressID, "rooms", len(out))
	return out, nil
}

// List returns the live rooms with the given names, or every room when no
// names are given. Rooms that do not exist are left out.
func (r *Rooms) List(ctx context.Context, names ...string) ([]RoomInfo, error) {
	resp, err := retry(ctx, r.log, r.backoff, "list rooms", func(ctx context.Context) (*livekit.ListRoomsResponse, error) {
		return r.client.ListRooms(ctx, &livekit.ListRoomsRequest{Names: names})
	})
	if err != nil {
		return nil, fmt.Errorf("conferencing: %w", err)
	}
	out := make([]RoomInfo, 0, len(resp.GetRooms()))
	for _, room := range resp.GetRooms() {
		out = append(out, roomInfo(room))
	}
	return out, nil
}

// Delete closes a room, disconnecting everyone in it. Deleting a room that
// does not exist succeeds.
func (r *Rooms) Delete(ctx context.Context, name string) error {
	_, err := retry(ctx, r.log, r.backoff, "delete room "+name, func(ctx context.Context) (*livekit.DeleteRoomResponse, error) {
		resp, err := r.client.DeleteRoom(ctx, &livekit.DeleteRoomRequest{Room: name})
		if isNotFound(err) {
			return resp, nil
		}
		return resp, err
	})
	if err != nil {
		return fmt.Errorf("conferencing: %w", err)
	}
	return nil
}

// DeletePlan deletes every room of an address plan, listener rooms first.
func (r *Rooms) DeletePlan(ctx context.Context, plan schedule.AddressPlan) error {
	for _, name := range append(plan.ListenerRooms(), plan.Stage) {
		if err := r.Delete(ctx, name); err != nil {
			return fmt.Errorf("delete rooms of address %d: %w", plan.AddressID, err)
		}
	}
	return nil
}

func seconds(d, def time.Duration) uint32 {
	if d <= 0 {
		d = def
	}
	return uint32((d + time.Second - 1) / time.Second)
}

func roomInfo(r *livekit.Room) RoomInfo {
	return RoomInfo{
		Name:             r.GetName(),
		SID:              r.GetSid(),
		Participants:     int(r.GetNumParticipants()),
		Publishers:       int(r.GetNumPublishers()),
		MaxParticipants:  int(r.GetMaxParticipants()),
		EmptyTimeout:     time.Duration(r.GetEmptyTimeout()) * time.Second,
		DepartureTimeout: time.Duration(r.GetDepartureTimeout()) * time.Second,
		CreatedAt:        time.Unix(r.GetCreationTime(), 0),
		Metadata:         r.GetMetadata(),
	}
}

// Participants lists who is in a room.
func (r *Rooms) Participants(ctx context.Context, room string) ([]schedule.Participant, error) {
	resp, err := retry(ctx, r.log, r.backoff, "list participants of "+room, func(ctx context.Context) (*livekit.ListParticipantsResponse, error) {
		return r.client.ListParticipants(ctx, &livekit.ListParticipantsRequest{Room: room})
	})
	if err != nil {
		return nil, fmt.Errorf("conferencing: %w", err)
	}
	out := make([]schedule.Participant, 0, len(resp.GetParticipants()))
	for _, p := range resp.GetParticipants() {
		q := schedule.Participant{
			Identity: p.GetIdentity(),
			Name:     p.GetName(),
			SID:      p.GetSid(),
			SIP:      p.GetKind() == livekit.ParticipantInfo_SIP,
			JoinedAt: time.Unix(p.GetJoinedAt(), 0),
		}
		for _, t := range p.GetTracks() {
			q.Tracks = append(q.Tracks, schedule.TrackInfo{SID: t.GetSid(), Audio: t.GetType() == livekit.TrackType_AUDIO, Muted: t.GetMuted()})
		}
		out = append(out, q)
	}
	return out, nil
}

// Remove disconnects a participant from a room (a moderator action). The
// participant can rejoin with a valid token; revoke their link to stop that.
func (r *Rooms) Remove(ctx context.Context, room, identity string) error {
	_, err := retry(ctx, r.log, r.backoff, "remove "+identity+" from "+room, func(ctx context.Context) (*livekit.RemoveParticipantResponse, error) {
		return r.client.RemoveParticipant(ctx, &livekit.RoomParticipantIdentity{Room: room, Identity: identity})
	})
	if err != nil {
		return fmt.Errorf("conferencing: %w", err)
	}
	return nil
}

// Mute mutes (or unmutes) every track a participant publishes (a moderator
// action). Unmuting needs the room to allow remote unmute; muting always
// works.
func (r *Rooms) Mute(ctx context.Context, room, identity string, muted bool) error {
	p, err := retry(ctx, r.log, r.backoff, "get participant "+identity, func(ctx context.Context) (*livekit.ParticipantInfo, error) {
		return r.client.GetParticipant(ctx, &livekit.RoomParticipantIdentity{Room: room, Identity: identity})
	})
	if err != nil {
		return fmt.Errorf("conferencing: mute %s in %s: %w", identity, room, err)
	}
	for _, t := range p.GetTracks() {
		_, err := retry(ctx, r.log, r.backoff, "mute track "+t.GetSid(), func(ctx context.Context) (*livekit.MuteRoomTrackResponse, error) {
			return r.client.MutePublishedTrack(ctx, &livekit.MuteRoomTrackRequest{Room: room, Identity: identity, TrackSid: t.GetSid(), Muted: muted})
		})
		if err != nil {
			return fmt.Errorf("conferencing: mute %s in %s: %w", identity, room, err)
		}
	}
	return nil
}
