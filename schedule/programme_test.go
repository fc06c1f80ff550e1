package schedule

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func sportsProgramme() Programme {
	return Programme{
		ID: 12, Type: "sports", Title: "Khel Utsav", TitleHi: "खेल उत्सव",
		WindowStart: atIST(2025, 5, 4, 0, 0), WindowEnd: atIST(2025, 5, 18, 0, 0),
	}
}

func TestPlanProgrammeIdempotent(t *testing.T) {
	p := sportsProgramme()
	now := atIST(2025, 4, 20, 9, 0)
	units := []int64{103, 101, 102, 101}

	plan, err := PlanProgramme(p, units, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Create) != 3 || plan.Existing != 0 {
		t.Fatalf("first run: %d to create, %d existing", len(plan.Create), plan.Existing)
	}
	e := plan.Create[0]
	if e.UID != "programme-12-unit-101@karyakram" || e.UnitID != 101 || e.ProgrammeID != 12 ||
		e.Status != EventTentative || !e.Start.Equal(atIST(2025, 5, 4, 10, 0)) || e.Duration() != 2*time.Hour ||
		e.Start.Location() != time.UTC || !e.UpdatedAt.Equal(now) {
		t.Errorf("created event %+v", e)
	}
	for _, c := range plan.Create {
		if err := c.Validate(); err != nil {
			t.Errorf("created event invalid: %v", err)
		}
	}
	if !slices.Equal(plan.Unscheduled, []int64{101, 102, 103}) || len(plan.Scheduled) != 0 {
		t.Errorf("unscheduled %v scheduled %v", plan.Unscheduled, plan.Scheduled)
	}

	// Storage saved the events (with IDs, no ProgrammeID on one to show the
	// UID alone is enough); unit 102's committee then scheduled theirs.
	saved := slices.Clone(plan.Create)
	for i := range saved {
		saved[i].ID = int64(i + 1)
	}
	saved[2].ProgrammeID = 0
	saved[1].Start, saved[1].End = atIST(2025, 5, 10, 16, 0), atIST(2025, 5, 10, 18, 0)
	saved[1].Venue = Venue{Name: "Inter college ground"}
	saved[1].Status = EventConfirmed

	again, err := PlanProgramme(p, append(units, 104), saved, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Create) != 1 || again.Create[0].UnitID != 104 || again.Existing != 3 {
		t.Errorf("second run creates %+v, existing %d", again.Create, again.Existing)
	}
	if !slices.Equal(again.Scheduled, []int64{102}) || !slices.Equal(again.Unscheduled, []int64{101, 103, 104}) {
		t.Errorf("scheduled %v unscheduled %v", again.Scheduled, again.Unscheduled)
	}
	// Determinism: the same input gives the same plan.
	a, _ := PlanProgramme(p, units, nil, now)
	if !slices.EqualFunc(a.Create, plan.Create, func(x, y Event) bool { return x.UID == y.UID && x.Start.Equal(y.Start) }) {
		t.Error("plans differ between runs")
	}
}

func TestProgrammeScheduledFor(t *testing.T) {
	p := sportsProgramme()
	ok := Event{Status: EventConfirmed, Venue: Venue{Name: "Ground"}, Start: atIST(2025, 5, 6, 10, 0), End: atIST(2025, 5, 6, 12, 0)}
	tests := []struct {
		name string
		edit func(*Event)
		want bool
	}{
		{"confirmed with venue in window", func(*Event) {}, true},
		{"tentative placeholder", func(e *Event) { e.Status = EventTentative }, false},
		{"no venue yet", func(e *Event) { e.Venue.Name = " " }, false},
		{"cancelled", func(e *Event) { e.Status = EventCancelled }, false},
		{"after the window", func(e *Event) { e.Start, e.End = atIST(2025, 5, 18, 10, 0), atIST(2025, 5, 18, 12, 0) }, false},
	}
	for _, tc := range tests {
		e := ok
		tc.edit(&e)
		if got := p.ScheduledFor(&e); got != tc.want {
			t.Errorf("%s: ScheduledFor = %v", tc.name, got)
		}
		if tc.name == "after the window" && p.CheckEvent(&e) == nil {
			t.Error("CheckEvent accepted an event outside the window")
		}
	}
}

func TestProgrammeValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Programme)
		field string
	}{
		{"unsaved", func(p *Programme) { p.ID = 0 }, "id"},
		{"no type", func(p *Programme) { p.Type = "" }, "type"},
		{"no title", func(p *Programme) { p.Title, p.TitleHi = "", "" }, "title"},
		{"window reversed", func(p *Programme) { p.WindowEnd = p.WindowStart.Add(-time.Hour) }, "window_end"},
		{"proposed outside", func(p *Programme) { p.ProposedStart = atIST(2025, 6, 1, 10, 0) }, "proposed_start"},
	}
	for _, tc := range tests {
		p := sportsProgramme()
		tc.edit(&p)
		errs := ValidationErrors(p.Validate())
		if len(errs) != 1 || errs[0].Field != tc.field {
			t.Errorf("%s: errors %v, want one on %q", tc.name, errs, tc.field)
		}
		if _, err := PlanProgramme(p, []int64{1}, nil, time.Now()); err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: PlanProgramme error %v", tc.name, err)
		}
	}
	if _, err := PlanProgramme(sportsProgramme(), []int64{0, 5}, nil, time.Now()); ErrorCode(err) != EINVALID {
		t.Errorf("unit 0 accepted: %v", err)
	}
}
