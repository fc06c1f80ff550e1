package conferencing

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/conferencing/lktest"
	"github.com/karyakram/karyakram/schedule"
)

// syncBuffer is a goroutine-safe log sink for asserting on retries.
type syncBuffer = lktest.SyncBuffer

func testConfig(url string) Config {
	return Config{URL: url, APIKey: lktest.APIKey, APISecret: lktest.APISecret}
}

func TestRoomsEnsureListDeletePlan(t *testing.T) {
	srv := lktest.Start(t)
	rooms, err := NewRooms(testConfig(srv.URL()), nil, Backoff{MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	plan, err := schedule.PlanAddress(7, map[int64]int{12: 4500, 3: 10}, 2000)
	if err != nil {
		t.Fatal(err)
	}
	got, err := rooms.EnsurePlan(ctx, plan, 90*time.Minute, 3*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{"addr-7-stage"}, "addr-7-d3-1", "addr-7-d12-1", "addr-7-d12-2", "addr-7-d12-3")
	var names []string
	for _, r := range got {
		names = append(names, r.Name)
	}
	if !slices.Equal(names, want) {
		t.Fatalf("ensured %v, want %v", names, want)
	}
	// Ensure is idempotent: the same room comes back.
	again, err := rooms.Ensure(ctx, RoomSpec{Name: "addr-7-d3-1", MaxParticipants: plan.RoomLimit})
	if err != nil {
		t.Fatal(err)
	}
	if again.SID != got[1].SID {
		t.Errorf("second Ensure gave a new room: %s vs %s", again.SID, got[1].SID)
	}

	listed, err := rooms.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != len(want) {
		t.Fatalf("listed %d rooms, want %d: %+v", len(listed), len(want), listed)
	}
	for _, r := range listed {
		if r.EmptyTimeout != 90*time.Minute || r.DepartureTimeout != 3*time.Minute {
			t.Errorf("%s timeouts on the server: empty %v departure %v", r.Name, r.EmptyTimeout, r.DepartureTimeout)
		}
		wantMax := plan.RoomLimit
		if r.Name == plan.Stage {
			wantMax = 0
		}
		if r.MaxParticipants != wantMax {
			t.Errorf("%s max participants = %d, want %d", r.Name, r.MaxParticipants, wantMax)
		}
	}
	one, err := rooms.List(ctx, "addr-7-d12-2", "no-such-room")
	if err != nil || len(one) != 1 || one[0].Name != "addr-7-d12-2" {
		t.Fatalf("List by name = %+v, %v", one, err)
	}

	if err := rooms.DeletePlan(ctx, plan); err != nil {
		t.Fatal(err)
	}
	if left, err := rooms.List(ctx); err != nil || len(left) != 0 {
		t.Fatalf("after DeletePlan: %+v, %v", left, err)
	}
	if err := rooms.Delete(ctx, "addr-7-stage"); err != nil {
		t.Errorf("deleting a deleted room: %v", err)
	}
}

func TestRoomsEnsureRetriesUntilServerComesUp(t *testing.T) {
	srv := lktest.New(t) // ports reserved, not running yet
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	rooms, err := NewRooms(testConfig(srv.URL()), log, Backoff{Initial: 50 * time.Millisecond, Max: 400 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	type result struct {
		info RoomInfo
		err  error
	}
	done := make(chan result, 1)
	go func() {
		info, err := rooms.Ensure(ctx, RoomSpec{Name: "late-room", MaxParticipants: 50})
		done <- result{info, err}
	}()

	// Creation must be failing and retrying while the server is down.
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(logs.String(), "retrying") < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("no retries logged while the server is down; logs:\n%s", logs.String())
		}
		select {
		case r := <-done:
			t.Fatalf("Ensure returned while the server was down: %+v %v", r.info, r.err)
		case <-time.After(50 * time.Millisecond):
		}
	}

	srv.Start()
	r := <-done
	if r.err != nil {
		t.Fatalf("Ensure after the server came up: %v", r.err)
	}
	if r.info.Name != "late-room" || r.info.MaxParticipants != 50 || r.info.SID == "" {
		t.Errorf("room = %+v", r.info)
	}
	listed, err := rooms.List(ctx, "late-room")
	if err != nil || len(listed) != 1 {
		t.Fatalf("late-room on the server: %+v, %v", listed, err)
	}
	if !strings.Contains(logs.String(), "succeeded after retries") {
		t.Errorf("success after retries not logged:\n%s", logs.String())
	}
}

func TestRoomsGivesUpWhenContextEnds(t *testing.T) {
	srv := lktest.New(t) // never started
	rooms, _ := NewRooms(testConfig(srv.URL()), nil, Backoff{Initial: 20 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := rooms.Ensure(ctx, RoomSpec{Name: "never"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("took %v to give up", time.Since(start))
	}
}

func TestRoomsDoesNotRetryRejectedRequests(t *testing.T) {
	srv := lktest.Start(t)
	cfg := testConfig(srv.URL())
	cfg.APISecret = "wrong-secret"
	rooms, _ := NewRooms(cfg, nil, Backoff{Initial: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	if _, err := rooms.Ensure(ctx, RoomSpec{Name: "x"}); err == nil {
		t.Fatal("Ensure with a wrong secret succeeded")
	}
	if time.Since(start) > 900*time.Millisecond {
		t.Errorf("an auth failure was retried (took %v)", time.Since(start))
	}
}

func TestRoomsModeratorActions(t *testing.T) {
	srv := lktest.Start(t)
	cfg := testConfig(srv.URL())
	rooms, _ := NewRooms(cfg, nil, Backoff{MaxAttempts: 3})
	m, _ := NewMinter(cfg.APIKey, cfg.APISecret)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	speaker := publishSyntheticAudio(ctx, t, srv.WSURL(), m, "mod-room")
	defer speaker.Disconnect()

	var ps []schedule.Participant
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var err error
		if ps, err = rooms.Participants(ctx, "mod-room"); err != nil {
			t.Fatal(err)
		}
		if len(ps) == 1 && len(ps[0].Tracks) == 1 {
			break // the server lists the track once the publisher's media is up
		}
	}
	if len(ps) != 1 || ps[0].Identity != "speaker-1" || ps[0].SIP || len(ps[0].Tracks) != 1 || !ps[0].Tracks[0].Audio || ps[0].Tracks[0].Muted {
		t.Fatalf("participants = %+v", ps)
	}

	if err := rooms.Mute(ctx, "mod-room", "speaker-1", true); err != nil {
		t.Fatal(err)
	}
	ps, _ = rooms.Participants(ctx, "mod-room")
	if len(ps) != 1 || len(ps[0].Tracks) != 1 || !ps[0].Tracks[0].Muted {
		t.Errorf("after Mute: %+v", ps)
	}

	if err := rooms.Remove(ctx, "mod-room", "speaker-1"); err != nil {
		t.Fatal(err)
	}
	if ps, _ = rooms.Participants(ctx, "mod-room"); len(ps) != 0 {
		t.Errorf("after Remove: %+v", ps)
	}
	if err := rooms.Remove(ctx, "mod-room", "nobody"); err == nil {
		t.Error("removing someone absent: want an error")
	}
}
