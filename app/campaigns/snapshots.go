// Package campaigns runs what campaigns need besides pages: the daily
// snapshot of every campaign's readiness, which makes the burn-up chart
// real history rather than today's rows recomputed.
package campaigns

import (
	"context"
	"log/slog"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// DefaultEvery is how often the job rewrites today's snapshot: the last
// run of a day stands as that day's figure.
const DefaultEvery = time.Hour

// Snapshots records every campaign's standing for today, now and then
// every Every, until its context ends. A run rewrites today's rows in one
// transaction per campaign, so a crash leaves the previous run's day.
type Snapshots struct {
	Store *store.Store
	Zone  schedule.Zone
	Every time.Duration
	Log   *slog.Logger
}

// Run snapshots until ctx ends.
func (j Snapshots) Run(ctx context.Context) {
	every := j.Every
	if every <= 0 {
		every = DefaultEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := j.Once(ctx); err != nil && ctx.Err() == nil {
			j.Log.Error("campaign snapshots", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Once snapshots every campaign for today on the organisation's calendar.
func (j Snapshots) Once(ctx context.Context) error {
	sys := schedule.SystemActor("campaign-snapshots")
	cs := store.NewCampaigns(j.Store)
	list, err := cs.List(ctx, sys)
	if err != nil {
		return err
	}
	today := schedule.CivilDay(j.Store.Now(), j.Zone)
	for _, c := range list {
		if today.After(c.Target.AddDate(0, 0, 30)) {
			continue // a month past its date, the campaign's history is closed
		}
		start := time.Now()
		n, err := cs.Snapshot(ctx, sys, c.ID, today)
		if err != nil {
			return err
		}
		j.Log.Info("campaign snapshot", "campaign", c.ID, "day", today.Format(time.DateOnly), "units", n, "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}
