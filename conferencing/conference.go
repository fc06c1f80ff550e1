package conferencing

// Conference is what the address scheduler and the join page need of
// LiveKit: room creation with mass-address timeouts, the stage relay,
// listener and speaker tokens.

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

// ListenerTokenTTL is how long a join page's LiveKit token is valid: long
// enough to tap "Listen" after the page loads; a connected listener stays
// connected past it, and a page that keeps failing reloads for a new one.
const ListenerTokenTTL = 10 * time.Minute

// Conference implements schedule.Conference against one livekit-server.
type Conference struct {
	cfg     Config
	rooms   *Rooms
	minter  *Minter
	log     *slog.Logger
	backoff Backoff
	public  string
}

// NewConference returns a Conference for the server in cfg.
func NewConference(cfg Config, log *slog.Logger) (*Conference, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := Backoff{Initial: 500 * time.Millisecond, Max: 15 * time.Second}
	rooms, err := NewRooms(cfg, log, b)
	if err != nil {
		return nil, fmt.Errorf("livekit rooms: %w", err)
	}
	minter, err := NewMinter(cfg.APIKey, cfg.APISecret)
	if err != nil {
		return nil, fmt.Errorf("livekit tokens: %w", err)
	}
	return &Conference{cfg: cfg, rooms: rooms, minter: minter, log: log, backoff: b}, nil
}

// EnsureRooms creates the stage and listener rooms (max participants =
// the plan's RoomLimit) with the default empty and departure timeouts.
func (c *Conference) EnsureRooms(ctx context.Context, plan schedule.AddressPlan) error {
	_, err := c.rooms.EnsurePlan(ctx, plan, DefaultEmptyTimeout, DefaultDepartureTimeout)
	return err
}

// DeleteRooms deletes every room of the plan.
func (c *Conference) DeleteRooms(ctx context.Context, plan schedule.AddressPlan) error {
	return c.rooms.DeletePlan(ctx, plan)
}

// Relay runs a Relay for the plan until ctx ends.
func (c *Conference) Relay(ctx context.Context, plan schedule.AddressPlan) {
	r, err := NewRelay(c.cfg, c.minter, c.log)
	if err != nil {
		c.log.ErrorContext(ctx, "address relay", "address", plan.AddressID, "err", err)
		return
	}
	r.Serve(ctx, plan.Stage, plan.ListenerRooms(), c.backoff)
}

var _ schedule.Conference = (*Conference)(nil)

// MintListener returns a subscribe-only token for identity in room.
func (c *Conference) MintListener(identity, room string, now time.Time) (string, error) {
	return c.minter.MintAt(TokenRequest{Identity: identity, Room: room, Role: RoleListener, TTL: ListenerTokenTTL}, now)
}

// Rooms returns the underlying room client (moderation, tests).
func (c *Conference) Rooms() *Rooms { return c.rooms }

// ConferenceFromConfig returns a Conference for cfg, or nil when cfg is empty (mass
// addresses off). Browsers connect to publicURL when set (LiveKit behind a
// different public name), else to cfg.URL.
func ConferenceFromConfig(cfg Config, publicURL string, log *slog.Logger) (*Conference, error) {
	if cfg.URL == "" && cfg.APIKey == "" && cfg.APISecret == "" {
		return nil, nil
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("LiveKit URL/key/secret: %w", err)
	}
	c, err := NewConference(cfg, log)
	if err != nil {
		return nil, err
	}
	c.public = cfg.WebSocketURL()
	if publicURL != "" {
		c.public = Config{URL: publicURL, APIKey: cfg.APIKey, APISecret: cfg.APISecret}.WebSocketURL()
	}
	return c, nil
}

// PublicURL is the ws(s):// address browsers connect to.
func (c *Conference) PublicURL() string {
	if c.public != "" {
		return c.public
	}
	return c.cfg.WebSocketURL()
}

// URL is the livekit-server address karyakram talks to.
func (c *Conference) URL() string { return c.cfg.URL }

// SpeakerTokenTTL is how long a stage console's LiveKit token is valid:
// enough to allow the microphone and tap "Go live"; a connected speaker
// stays connected past it, and a retry reloads the console for a new one.
const SpeakerTokenTTL = 5 * time.Minute

// MintSpeaker returns a publishing token (audio, video, data) for identity,
// shown to others as name, in room (the address's stage).
func (c *Conference) MintSpeaker(identity, name, room string, now time.Time) (string, error) {
	return c.minter.MintAt(TokenRequest{Identity: identity, Name: name, Room: room, Role: RoleSpeaker, TTL: SpeakerTokenTTL}, now)
}
