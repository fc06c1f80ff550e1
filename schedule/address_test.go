package schedule

import (
	"fmt"
	"slices"
	"testing"
)

func TestPlanAddress(t *testing.T) {
	tests := []struct {
		name     string
		audience map[int64]int
		cap      int
		want     map[int64]int // area → rooms
		limit    int
	}{
		{"default cap", map[int64]int{12: 4500, 7: 2000, 30: 1}, 0, map[int64]int{7: 1, 12: 3, 30: 1}, 2203},
		{"zero audience still gets a room", map[int64]int{5: 0}, 100, map[int64]int{5: 1}, 153},
		{"exact multiple", map[int64]int{5: 300}, 100, map[int64]int{5: 3}, 153},
		{"one over", map[int64]int{5: 301}, 100, map[int64]int{5: 4}, 153},
		{"cap of one", map[int64]int{1: 3}, 1, map[int64]int{1: 3}, 54},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PlanAddress(42, tt.audience, tt.cap)
			if err != nil {
				t.Fatal(err)
			}
			if p.Stage != "addr-42-stage" {
				t.Errorf("stage = %q", p.Stage)
			}
			if p.RoomLimit != tt.limit {
				t.Errorf("room limit = %d, want %d", p.RoomLimit, tt.limit)
			}
			got := map[int64]int{}
			var prev int64
			for _, a := range p.Areas {
				if a.AreaID <= prev {
					t.Errorf("areas not sorted: %d after %d", a.AreaID, prev)
				}
				prev = a.AreaID
				got[a.AreaID] = len(a.Rooms)
				if a.Audience != tt.audience[a.AreaID] {
					t.Errorf("area %d audience = %d", a.AreaID, a.Audience)
				}
				for i, r := range a.Rooms {
					if want := fmt.Sprintf("addr-42-d%d-%d", a.AreaID, i+1); r != want {
						t.Errorf("room %d of area %d = %q, want %q", i, a.AreaID, r, want)
					}
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("rooms per area = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPlanAddressListsRoomsInOrder(t *testing.T) {
	p, err := PlanAddress(9, map[int64]int{3: 2500, 1: 10}, 2000)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"addr-9-d1-1", "addr-9-d3-1", "addr-9-d3-2"}
	if got := p.ListenerRooms(); !slices.Equal(got, want) {
		t.Errorf("ListenerRooms = %v, want %v", got, want)
	}
	// Deterministic: the same input gives the same plan.
	q, _ := PlanAddress(9, map[int64]int{1: 10, 3: 2500}, 2000)
	if !slices.Equal(q.ListenerRooms(), want) {
		t.Errorf("second plan differs: %v", q.ListenerRooms())
	}
}

func TestPlanAddressRejectsBadInput(t *testing.T) {
	tests := []struct {
		name     string
		id       int64
		audience map[int64]int
		cap      int
		code     Code
		field    string
	}{
		{"no areas", 1, nil, 0, EINVALID, "audience"},
		{"negative audience", 1, map[int64]int{2: -1}, 0, EINVALID, "audience"},
		{"bad area id", 1, map[int64]int{0: 5}, 0, EINVALID, "audience"},
		{"bad address id", 0, map[int64]int{2: 5}, 0, EINVALID, "address_id"},
		{"cap too big", 1, map[int64]int{2: 5}, MaxListenersPerRoom + 1, EINVALID, "listeners_per_room"},
		{"negative cap", 1, map[int64]int{2: 5}, -3, EINVALID, "listeners_per_room"},
		{"too many rooms", 1, map[int64]int{2: MaxRoomsPerAddress + 1}, 1, ETOOLARGE, "audience"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := PlanAddress(tt.id, tt.audience, tt.cap)
			if ErrorCode(err) != tt.code {
				t.Fatalf("err = %v (code %q), want code %q", err, ErrorCode(err), tt.code)
			}
			if e := err.(*Error); e.Field != tt.field {
				t.Errorf("field = %q, want %q", e.Field, tt.field)
			}
		})
	}
}

func TestRoomForIsStableAndStaysInArea(t *testing.T) {
	p, err := PlanAddress(42, map[int64]int{12: 4500, 7: 100}, 2000)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		worker, area int64
	}{{1, 12}, {2, 12}, {999999, 12}, {1, 7}, {-5, 7}}
	for _, tt := range tests {
		r1, err := p.RoomFor(tt.worker, tt.area)
		if err != nil {
			t.Fatal(err)
		}
		r2, _ := p.RoomFor(tt.worker, tt.area)
		if r1 != r2 {
			t.Errorf("worker %d: %q then %q", tt.worker, r1, r2)
		}
		a, _ := p.Area(tt.area)
		if !slices.Contains(a.Rooms, r1) {
			t.Errorf("worker %d of area %d got %q outside the area's rooms %v", tt.worker, tt.area, r1, a.Rooms)
		}
	}
	if r, _ := p.RoomFor(5, 7); r != "addr-42-d7-1" {
		t.Errorf("single-room area: %q", r)
	}
	if _, err := p.RoomFor(1, 99); !IsNotFound(err) {
		t.Errorf("unknown area: err = %v, want not found", err)
	}
}

func TestRoomIndexSpreadsEvenly(t *testing.T) {
	// 45,000 workers over 23 rooms, with sequential and strided ids: no room
	// goes over the mean by more than the 10% headroom RoomLimit allows, and
	// none is starved.
	for _, stride := range []int64{1, 23, 1000} {
		const workers, rooms = 45000, 23
		counts := make([]int, rooms)
		for i := int64(0); i < workers; i++ {
			counts[RoomIndex(100000+i*stride, rooms)]++
		}
		mean := workers / rooms
		for r, c := range counts {
			if c < mean*90/100 || c > mean*110/100 {
				t.Errorf("stride %d: room %d has %d workers, mean %d", stride, r, c, mean)
			}
		}
	}
	if RoomIndex(7, 0) != 0 || RoomIndex(7, 1) != 0 {
		t.Error("RoomIndex with n<=1 must be 0")
	}
}

// Pinned values: changing the mix would move workers between rooms of a
// running address.
func TestRoomIndexPinned(t *testing.T) {
	got := []int{RoomIndex(1, 10), RoomIndex(2, 10), RoomIndex(12345, 10), RoomIndex(-1, 7)}
	want := []int{9, 0, 3, 0}
	if !slices.Equal(got, want) {
		t.Errorf("RoomIndex pinned values = %v, want %v", got, want)
	}
}

func TestListenerIdentity(t *testing.T) {
	for _, id := range []int64{1, 42, 3_000_000, 1<<62 + 5} {
		got, ok := ParseListenerIdentity(ListenerIdentity(id))
		if !ok || got != id {
			t.Errorf("ParseListenerIdentity(ListenerIdentity(%d)) = %d, %v", id, got, ok)
		}
	}
	for _, s := range []string{"", "w", "w-12", "w012", "w12x", "s-12", "sip_+919800000001", "relay", "W12", "w+12", "w99999999999999999999"} {
		if id, ok := ParseListenerIdentity(s); ok {
			t.Errorf("ParseListenerIdentity(%q) = %d, want not a listener", s, id)
		}
	}
	if SpeakerIdentity(7) == ListenerIdentity(7) {
		t.Error("speaker and listener identities collide")
	}
}
