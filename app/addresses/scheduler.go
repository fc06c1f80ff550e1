package addresses

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// Scheduler defaults.
const (
	// DefaultRoomLead is how long before the start the rooms are created.
	DefaultRoomLead = 30 * time.Minute
	// DefaultTick is how often the scheduler looks at the addresses and
	// refreshes the join directory.
	DefaultTick = 15 * time.Second
	// ensureTimeout bounds one attempt to create an address's rooms; the
	// conferencing client retries with backoff inside it while
	// livekit-server is down, and the next tick starts a new attempt.
	ensureTimeout = 2 * time.Minute
)

// SchedulerStore is what the scheduler needs of the store.
type SchedulerStore interface {
	Loader
	SetAddressRooms(ctx context.Context, id int64, state, errMsg string, now time.Time) error
}

// SchedulerConfig configures a Scheduler.
type SchedulerConfig struct {
	Store      SchedulerStore
	Conference schedule.Conference
	Directory  *Directory // refreshed every tick; may be nil
	// Lead is how long before the start rooms are created
	// (DefaultRoomLead when 0); rooms are deleted after the end plus the
	// directory's grace (DefaultJoinGrace when no directory).
	Lead time.Duration
	Tick time.Duration // DefaultTick when 0
	Log  *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Scheduler creates each address's rooms ahead of its start, records their
// state, runs the relay while the address is on and deletes the rooms
// after the end. State lives in the database, so a restarted scheduler
// picks up where the last one stopped.
type Scheduler struct {
	cfg   SchedulerConfig
	grace time.Duration

	mu       sync.Mutex
	ensuring map[int64]bool
	relays   map[int64]context.CancelFunc
	wg       sync.WaitGroup
}

// NewScheduler returns a scheduler; Run starts it.
func NewScheduler(cfg SchedulerConfig) (*Scheduler, error) {
	if cfg.Store == nil || cfg.Conference == nil {
		return nil, fmt.Errorf("address scheduler: store and conference are required")
	}
	if cfg.Lead <= 0 {
		cfg.Lead = DefaultRoomLead
	}
	if cfg.Tick <= 0 {
		cfg.Tick = DefaultTick
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	grace := DefaultJoinGrace
	if cfg.Directory != nil {
		grace = cfg.Directory.grace
	}
	return &Scheduler{cfg: cfg, grace: grace, ensuring: map[int64]bool{}, relays: map[int64]context.CancelFunc{}}, nil
}

// Run ticks until ctx ends, then stops the relays and waits for them.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		if err := s.Tick(ctx, s.cfg.Now()); err != nil && ctx.Err() == nil {
			s.cfg.Log.ErrorContext(ctx, "address scheduler tick", "err", err)
		}
		select {
		case <-ctx.Done():
			s.Stop()
			return
		case <-t.C:
		}
	}
}

// Stop stops every relay and waits for background work.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	for id, cancel := range s.relays {
		cancel()
		delete(s.relays, id)
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// Relaying reports whether the relay of address id runs.
func (s *Scheduler) Relaying(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.relays[id]
	return ok
}

// Tick looks at every active address once at now: creates rooms that are
// due (in the background, so one slow address does not hold up the
// others), starts relays of ready addresses and closes ended ones.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) error {
	if s.cfg.Directory != nil {
		if err := s.cfg.Directory.Refresh(ctx, now); err != nil {
			s.cfg.Log.ErrorContext(ctx, "refresh join directory", "err", err)
		}
	}
	as, err := s.cfg.Store.ActiveAddresses(ctx, now.Add(-s.grace))
	if err != nil {
		return err
	}
	for _, a := range as {
		closes := a.Event.End.Add(s.grace)
		switch {
		case a.Event.Cancelled || !now.Before(closes):
			s.close(ctx, a, now)
		case !now.Before(a.Event.Start.Add(-s.cfg.Lead)):
			if a.RoomState == store.RoomsReady {
				s.startRelay(ctx, a)
			} else {
				s.ensure(ctx, a)
			}
		}
	}
	return nil
}

func (s *Scheduler) ensure(ctx context.Context, a store.MassAddress) {
	s.mu.Lock()
	if s.ensuring[a.ID] {
		s.mu.Unlock()
		return
	}
	s.ensuring[a.ID] = true
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() { s.mu.Lock(); delete(s.ensuring, a.ID); s.mu.Unlock() }()
		log := s.cfg.Log.With("address", a.ID, "rooms", len(a.Plan.ListenerRooms())+1)
		if err := s.cfg.Store.SetAddressRooms(ctx, a.ID, store.RoomsCreating, "", s.cfg.Now()); err != nil {
			log.ErrorContext(ctx, "record room state", "err", err)
			return
		}
		actx, cancel := context.WithTimeout(ctx, ensureTimeout)
		err := s.cfg.Conference.EnsureRooms(actx, a.Plan)
		cancel()
		state, msg := store.RoomsReady, ""
		if err != nil {
			state, msg = store.RoomsFailed, err.Error()
			log.WarnContext(ctx, "address rooms not created; retrying next tick", "err", err)
		} else {
			log.InfoContext(ctx, "address rooms ready")
		}
		if err := s.cfg.Store.SetAddressRooms(context.WithoutCancel(ctx), a.ID, state, msg, s.cfg.Now()); err != nil {
			log.ErrorContext(ctx, "record room state", "err", err)
		}
	}()
}

func (s *Scheduler) startRelay(ctx context.Context, a store.MassAddress) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.relays[a.ID]; ok {
		return
	}
	rctx, cancel := context.WithCancel(ctx)
	s.relays[a.ID] = cancel
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.cfg.Log.InfoContext(ctx, "address relay started", "address", a.ID, "listener_rooms", len(a.Plan.ListenerRooms()))
		s.cfg.Conference.Relay(rctx, a.Plan)
	}()
}

func (s *Scheduler) close(ctx context.Context, a store.MassAddress, now time.Time) {
	s.mu.Lock()
	if cancel, ok := s.relays[a.ID]; ok {
		cancel()
		delete(s.relays, a.ID)
	}
	busy := s.ensuring[a.ID]
	s.mu.Unlock()
	if busy || a.RoomState == store.RoomsClosed {
		return
	}
	if a.RoomState != store.RoomsPlanned {
		dctx, cancel := context.WithTimeout(ctx, ensureTimeout)
		err := s.cfg.Conference.DeleteRooms(dctx, a.Plan)
		cancel()
		if err != nil {
			s.cfg.Log.WarnContext(ctx, "address rooms not deleted; retrying next tick", "address", a.ID, "err", err)
			return
		}
	}
	if err := s.cfg.Store.SetAddressRooms(ctx, a.ID, store.RoomsClosed, "", now); err != nil {
		s.cfg.Log.ErrorContext(ctx, "record room state", "address", a.ID, "err", err)
		return
	}
	s.cfg.Log.InfoContext(ctx, "address closed", "address", a.ID)
}
