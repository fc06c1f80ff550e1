package main

import (
	"context"
	"fmt"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// seedDemoCalendar gives the demo something to look at: the monthly radio
// address listening for the whole state (last Sunday, 11:00 IST), a
// district workshop next week, and a statewide "cluster sports day"
// programme run for every cluster, starting next Monday for two weeks.
func seedDemoCalendar(ctx context.Context, st *store.Store, zone schedule.Zone, now time.Time) error {
	sys := schedule.SystemActor("demo")
	state, err := st.FindUnitByCode(ctx, sys, "MP")
	if err != nil {
		return err
	}
	district, err := st.FindUnitByCode(ctx, sys, "D01")
	if err != nil {
		return err
	}
	today := zone.Today(now)
	listening := lastSundayAfter(today).Add(11 * time.Hour)
	events := []schedule.Event{
		{UnitID: state.ID, Type: "listening", Title: "Mann Ki Baat listening", TitleHi: "मन की बात श्रवण",
			Venue: schedule.Venue{Name: "Every booth"}, Start: listening, End: listening.Add(time.Hour),
			RRule: "FREQ=MONTHLY;BYDAY=-1SU"},
		{UnitID: district.ID, Type: "training", Title: "Digital working workshop", TitleHi: "डिजिटल कार्यप्रणाली कार्यशाला",
			Venue: schedule.Venue{Name: "Gwalior", Geo: &schedule.LatLon{Lat: 26.22, Lon: 78.18}},
			Start: today.AddDate(0, 0, 7).Add(10 * time.Hour), End: today.AddDate(0, 0, 7).Add(17 * time.Hour)},
	}
	for _, e := range events {
		if _, err := st.CreateEvent(ctx, sys, e); err != nil {
			return fmt.Errorf("demo event %q: %w", e.Title, err)
		}
	}
	daysToMonday := (8 - int(today.Weekday())) % 7
	if daysToMonday == 0 {
		daysToMonday = 7
	}
	monday := today.AddDate(0, 0, daysToMonday)
	p, err := st.CreateProgramme(ctx, sys, store.ProgrammeRecord{
		Programme: schedule.Programme{Type: "sports", Title: "Cluster sports day", TitleHi: "क्लस्टर खेल दिवस",
			WindowStart: monday, WindowEnd: monday.AddDate(0, 0, 14)},
		LevelDepth: 4, RootUnitID: state.ID,
	})
	if err != nil {
		return fmt.Errorf("demo programme: %w", err)
	}
	if _, err := st.RunProgramme(ctx, sys, p.ID); err != nil {
		return fmt.Errorf("run demo programme: %w", err)
	}
	return nil
}

// lastSundayAfter returns the last Sunday of day's month, or of the next
// month when that has passed.
func lastSundayAfter(day time.Time) time.Time {
	for m := 0; ; m++ {
		first := time.Date(day.Year(), day.Month()+time.Month(m)+1, 1, 0, 0, 0, 0, day.Location())
		last := first.AddDate(0, 0, -1)
		last = last.AddDate(0, 0, -int(last.Weekday()))
		if !last.Before(day) {
			return last
		}
	}
}
