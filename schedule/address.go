package schedule

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Mass address room plan.
//
// One LiveKit room must fit on one media node, so a mass address is a stage
// room (speakers, moderators, the relay) plus many listener rooms fed from
// the stage. Listener rooms are assigned by area: each area (a district, or
// any unit level the office chooses) gets its own rooms, so a district's
// workers land together and turnout rolls up the organisation tree.
//
// The rule is deliberately simple to explain to an office bearer:
//
//   - every area in scope gets ceil(expected audience / per-room cap) rooms,
//     and at least one, even if its expected audience is 0;
//   - rooms are named addr-<address>-stage and addr-<address>-d<area>-<n>,
//     n counting from 1;
//   - a worker always lands in the same room of their area: the room number
//     is a fixed mix of the worker id, modulo the number of rooms.
//
// Because assignment hashes worker ids, rooms fill evenly but not exactly;
// RoomLimit leaves headroom above the cap for that.

// Listener room sizing.
const (
	// DefaultListenersPerRoom is the per-room listener cap when none is set.
	DefaultListenersPerRoom = 2000
	// MaxListenersPerRoom is the largest cap accepted: LiveKit's own
	// benchmarks put a few thousand listeners per room on a 16-core node.
	MaxListenersPerRoom = 10000
	// MaxRoomsPerAddress bounds a plan (100 million listeners at the default cap).
	MaxRoomsPerAddress = 50000
)

// AddressPlan is the set of LiveKit rooms for one mass address.
type AddressPlan struct {
	AddressID int64
	// Cap is the number of listeners each listener room is sized for.
	Cap int
	// RoomLimit is the hard participant limit to configure on each listener
	// room: Cap plus headroom for uneven hashing (10% of Cap or 50, whichever
	// is larger: over four standard deviations at any cap), plus the relay
	// and two moderators.
	RoomLimit int
	// Stage is the speakers' room.
	Stage string
	// Areas lists each area's rooms, sorted by area id.
	Areas []AreaRooms
}

// AreaRooms is one area's share of a plan.
type AreaRooms struct {
	AreaID   int64
	Audience int      // expected listeners
	Rooms    []string // listener room names, n = 1..len
}

// StageRoomName is the name of an address's stage room.
func StageRoomName(addressID int64) string {
	return "addr-" + strconv.FormatInt(addressID, 10) + "-stage"
}

// ListenerRoomName is the name of an area's n-th listener room (n from 1).
func ListenerRoomName(addressID, areaID int64, n int) string {
	return "addr-" + strconv.FormatInt(addressID, 10) + "-d" + strconv.FormatInt(areaID, 10) + "-" + strconv.Itoa(n)
}

// Participant identities in LiveKit rooms. The join page mints listener
// tokens with ListenerIdentity and turnout reads LiveKit's webhooks with
// ParseListenerIdentity, so both sides use this one definition.
const (
	listenerIdentityPrefix = "w"
	speakerIdentityPrefix  = "s-"
)

// ListenerIdentity is the participant identity of a worker in a listener
// room: "w<worker id>".
func ListenerIdentity(workerID int64) string {
	return string(AppendListenerIdentity(nil, workerID))
}

// AppendListenerIdentity appends ListenerIdentity(workerID) to b (the join
// page builds it without allocating).
func AppendListenerIdentity(b []byte, workerID int64) []byte {
	return strconv.AppendInt(append(b, listenerIdentityPrefix...), workerID, 10)
}

// ParseListenerIdentity returns the worker ID of a listener identity; ok is
// false for any other identity (phone callers, the relay, speakers).
func ParseListenerIdentity(identity string) (workerID int64, ok bool) {
	digits, found := strings.CutPrefix(identity, listenerIdentityPrefix)
	if !found || digits == "" || digits[0] < '1' || digits[0] > '9' {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	return id, err == nil
}

// SpeakerIdentity is the participant identity of an official speaking from
// the stage console: "s-<worker id>".
func SpeakerIdentity(workerID int64) string {
	return speakerIdentityPrefix + strconv.FormatInt(workerID, 10)
}

// PlanAddress plans the rooms of a mass address from the expected audience
// per area (area id → listeners) and the per-room cap (0 means
// DefaultListenersPerRoom). The plan is deterministic: the same input always
// gives the same rooms in the same order.
func PlanAddress(addressID int64, audience map[int64]int, perRoomCap int) (AddressPlan, error) {
	if addressID <= 0 {
		return AddressPlan{}, FieldError("address_id", "must be a positive id, got %d", addressID)
	}
	if perRoomCap == 0 {
		perRoomCap = DefaultListenersPerRoom
	}
	if perRoomCap < 1 || perRoomCap > MaxListenersPerRoom {
		return AddressPlan{}, FieldError("listeners_per_room", "must be between 1 and %d, got %d", MaxListenersPerRoom, perRoomCap)
	}
	if len(audience) == 0 {
		return AddressPlan{}, FieldError("audience", "no areas in scope")
	}
	ids := make([]int64, 0, len(audience))
	for id, n := range audience {
		if id <= 0 {
			return AddressPlan{}, FieldError("audience", "area id must be positive, got %d", id)
		}
		if n < 0 {
			return AddressPlan{}, FieldError("audience", "area %d: expected audience must not be negative, got %d", id, n)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)

	p := AddressPlan{
		AddressID: addressID,
		Cap:       perRoomCap,
		RoomLimit: perRoomCap + max((perRoomCap+9)/10, 50) + 3,
		Stage:     StageRoomName(addressID),
		Areas:     make([]AreaRooms, 0, len(ids)),
	}
	total := 0
	for _, id := range ids {
		n := max(1, (audience[id]+perRoomCap-1)/perRoomCap)
		total += n
		if total > MaxRoomsPerAddress {
			return AddressPlan{}, &Error{Code: ETOOLARGE, Field: "audience",
				Message: fmt.Sprintf("plan needs more than %d listener rooms; raise the per-room cap or narrow the scope", MaxRoomsPerAddress)}
		}
		rooms := make([]string, n)
		for i := range rooms {
			rooms[i] = ListenerRoomName(addressID, id, i+1)
		}
		p.Areas = append(p.Areas, AreaRooms{AreaID: id, Audience: audience[id], Rooms: rooms})
	}
	return p, nil
}

// ListenerRooms returns every listener room name, area by area.
func (p AddressPlan) ListenerRooms() []string {
	var out []string
	for _, a := range p.Areas {
		out = append(out, a.Rooms...)
	}
	return out
}

// Area returns the rooms of one area.
func (p AddressPlan) Area(areaID int64) (AreaRooms, bool) {
	i, ok := slices.BinarySearchFunc(p.Areas, areaID, func(a AreaRooms, id int64) int {
		switch {
		case a.AreaID < id:
			return -1
		case a.AreaID > id:
			return 1
		}
		return 0
	})
	if !ok {
		return AreaRooms{}, false
	}
	return p.Areas[i], true
}

// RoomFor picks the listener room of a worker in an area: always the same
// room for the same worker, spread evenly over the area's rooms. It fails
// with ENOTFOUND when the area is not in the plan.
func (p AddressPlan) RoomFor(workerID, areaID int64) (string, error) {
	a, ok := p.Area(areaID)
	if !ok {
		return "", Errorf(ENOTFOUND, "area %d is not in the audience of address %d", areaID, p.AddressID)
	}
	return a.Rooms[RoomIndex(workerID, len(a.Rooms))], nil
}

// RoomIndex maps a worker id to one of n rooms (0-based) with the
// SplitMix64 finaliser, so consecutive or strided ids still spread evenly.
// It returns 0 when n < 1.
func RoomIndex(workerID int64, n int) int {
	if n <= 1 {
		return 0
	}
	x := uint64(workerID)
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return int(x % uint64(n))
}
