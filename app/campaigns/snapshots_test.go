package campaigns_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/karyakram/karyakram/app/campaigns"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

func TestSnapshotsRecordTodayOncePerCampaign(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	sys := schedule.SystemActor("test")
	mp, err := st.FindUnitByCode(ctx, sys, "MP")
	if err != nil {
		t.Fatal(err)
	}
	today := schedule.CivilDay(testclock.Now(), schedule.Zone{})
	rules := schedule.CampaignRules{Levels: []schedule.LevelRule{{Level: schedule.LevelBooth, Members: 1}}}
	cs := store.NewCampaigns(st)
	live, err := cs.Create(ctx, sys, schedule.Campaign{Title: "Live", UnitID: mp.ID, Target: today.AddDate(0, 0, 10), Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.Create(ctx, sys, schedule.Campaign{Title: "Long over", UnitID: mp.ID, Start: today.AddDate(0, 0, -90), Target: today.AddDate(0, 0, -40), Rules: rules}); err != nil {
		t.Fatal(err)
	}
	job := campaigns.Snapshots{Store: st, Log: slog.New(slog.DiscardHandler)}
	for i := 0; i < 2; i++ {
		if err := job.Once(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var rows, days, other int
	db := st.DB()
	db.QueryRowContext(ctx, "SELECT COUNT(*), COUNT(DISTINCT day) FROM campaign_snapshots WHERE campaign_id = ?", live.ID).Scan(&rows, &days)
	db.QueryRowContext(ctx, "SELECT COUNT(*) FROM campaign_snapshots WHERE campaign_id <> ?", live.ID).Scan(&other)
	// 18 units in the seed tree, today only; the campaign long over is left alone.
	if rows != 18 || days != 1 || other != 0 {
		t.Fatalf("%d rows over %d days for the live campaign, %d for the old one; want 18, 1, 0", rows, days, other)
	}
	u, _ := cs.Where(ctx, sys, live, 0)
	hist, _, err := cs.History(ctx, sys, live, u)
	if err != nil || len(hist) != 1 || !hist[0].Day.Equal(today) || hist[0].Total != 4 || hist[0].Ready != 4 {
		t.Fatalf("history %+v (%v), want today with 4 of 4 booths (each has a member)", hist, err)
	}
}
