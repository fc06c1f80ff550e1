package schedule

import (
	"context"
	"errors"
	"time"
)

// What the product knows of people in conference rooms, whoever runs the
// rooms (LiveKit, through conferencing): who joined or left (turnout), who
// is in a room (moderation), and the relay's own identity.

// PresenceKind says whether a participant arrived or went.
type PresenceKind string

// Presence kinds.
const (
	Joined PresenceKind = "joined"
	Left   PresenceKind = "left"
)

// Presence is a participant joining or leaving a room, as turnout needs it.
type Presence struct {
	EventID  string // the conference's event id; webhooks are at-least-once, dedupe on it
	Kind     PresenceKind
	Room     string
	Identity string
	Name     string
	At       time.Time
	SIP      bool // joined by phone through an audio bridge
}

// ErrBusy, wrapped in the error of recording a presence, means "not taken
// for now" (a full queue): the conference should deliver it again.
var ErrBusy = errors.New("presence receiver busy")

// Participant is someone in a room, as moderators and turnout see them.
type Participant struct {
	Identity string
	Name     string
	SID      string
	SIP      bool // joined by phone
	JoinedAt time.Time
	Tracks   []TrackInfo
}

// TrackInfo is one published track.
type TrackInfo struct {
	SID   string
	Audio bool
	Muted bool
}

// RelayIdentity is the participant identity the relay uses in the stage
// (hidden there) and in every listener room (where it publishes); it is
// not an audience member.
const RelayIdentity = "stage-relay"

// Conference is the conference side of a mass address (LiveKit in
// production: conferencing.Conference, wired in cmd): the rooms of its
// plan and the relay from the stage into the listener rooms. Its methods
// must be idempotent.
type Conference interface {
	// EnsureRooms creates the stage and listener rooms of plan.
	EnsureRooms(ctx context.Context, plan AddressPlan) error
	// DeleteRooms deletes them.
	DeleteRooms(ctx context.Context, plan AddressPlan) error
	// Relay carries the stage into the listener rooms until ctx ends,
	// restarting itself after failures.
	Relay(ctx context.Context, plan AddressPlan)
}
