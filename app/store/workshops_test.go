package store_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/seed"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/schedule"
	"github.com/karyakram/karyakram/schedule/roster"
)

// seedAllDistricts adds the fixture's remaining districts (beyond the two
// of storetest.SmallTree) as district units under MP.
func seedAllDistricts(t *testing.T, st *store.Store) {
	t.Helper()
	ds, err := seed.Districts()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("code,parent_code,level,name,name_hi\n")
	for i, d := range ds {
		if d.Name == "Gwalior Nagar" || d.Name == "Bhopal Nagar" {
			continue
		}
		fmt.Fprintf(&b, "X%02d,MP,district,%s,%s\n", i+1, d.Name, d.NameHi)
	}
	storetest.ImportUnits(t, st, b.String())
}

func fixtureRoster(t *testing.T) []roster.RosterRow {
	t.Helper()
	f, err := os.Open("../../schedule/roster/testdata/mp-workshops-2022-01.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := roster.ReadRosterCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestWorkshopSeriesPublish(t *testing.T) {
	st := storetest.Open(t)
	storetest.Seed(t, st)
	seedAllDistricts(t, st)
	ctx := context.Background()
	state := storetest.Actor(t, st, "9800000001")
	district := storetest.Actor(t, st, "9800000002")

	if _, _, err := st.WorkshopDefaults(ctx, district, nil, 6); schedule.ErrorCode(err) != schedule.EFORBIDDEN {
		t.Fatalf("district official building a series: %v, want forbidden", err)
	}
	w, missing, err := st.WorkshopDefaults(ctx, state, nil, 6)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Districts) != 57 || len(missing) != 0 || len(w.Spec.Hosts) != 52 {
		t.Fatalf("defaults: %d districts (missing %v), %d hosts; want 57, none, 52", len(w.Districts), missing, len(w.Spec.Hosts))
	}
	// Gwalior Nagar (D1) has two presidents in its subtree (district and
	// mandal); Bhopal Nagar one; districts without role holders count 1.
	att := map[string]int{}
	for _, d := range w.Districts {
		att[d.Name] = d.Attendees
	}
	if att["Gwalior Nagar"] != 2 || att["Bhopal Nagar"] != 1 || att["Sagar"] != 1 {
		t.Errorf("attendance: Gwalior Nagar %d, Bhopal Nagar %d, Sagar %d; want 2, 1, 1", att["Gwalior Nagar"], att["Bhopal Nagar"], att["Sagar"])
	}
	if h, ok := w.HostByName("Gwalior"); !ok || h.UnitID != storetestUnit(t, st, "D1") {
		t.Errorf("Gwalior's host unit %d, want Gwalior Nagar", h.UnitID)
	}
	w.Title, w.TitleHi = "Digital working workshops", "डिजिटल कार्य प्रशिक्षण कार्यशाला"
	w.Spec.Dates, w.Spec.TeamsPerDate = []string{"2022-01-05", "2022-01-06"}, []int{9, 5}

	bad := w
	bad.Spec.TeamsPerDate = []int{9}
	if _, err := st.CreateWorkshopSeries(ctx, state, bad); err == nil || !strings.Contains(err.Error(), "teams_per_date") {
		t.Fatalf("bad teams accepted: %v", err)
	}
	created, err := st.CreateWorkshopSeries(ctx, state, w)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.FindWorkshopSeries(ctx, district, created.ID); !schedule.IsNotFound(err) {
		t.Fatalf("district official reads the series: %v", err)
	}

	rows := fixtureRoster(t)
	in := created.Instance()
	rep, err := roster.Check(ctx, in, rows)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Valid {
		t.Fatalf("fixture roster invalid under the stored series: %+v", rep.Violations)
	}
	asg := make([]roster.Assignment, len(rows))
	for i, r := range rows {
		asg[i] = roster.Assignment{Date: r.Date, Host: r.Host, District: r.District}
	}
	if err := st.SaveWorkshopRoster(ctx, state, created.ID, asg, nil, rep, "fixture"); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveWorkshopRoster(ctx, state, created.ID, []roster.Assignment{{Date: "2022-01-05", Host: "Gwalior", District: "Atlantis"}}, nil, nil, "hand"); err == nil || !strings.Contains(err.Error(), "Atlantis") {
		t.Fatalf("unknown district accepted: %v", err)
	}

	now := time.Date(2021, 12, 20, 9, 0, 0, 0, time.UTC)
	pub, err := st.PublishWorkshopSeries(ctx, state, created.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if pub.Created != 14 || len(pub.Events) != 14 {
		t.Fatalf("first publish: %+v, want 14 created", pub)
	}
	again, err := st.PublishWorkshopSeries(ctx, state, created.ID, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if again.Created != 0 || again.Updated != 0 || again.Cancelled != 0 || len(again.Events) != 14 {
		t.Fatalf("re-publish: %+v, want nothing new", again)
	}
	for i, e := range pub.Events {
		if again.Events[i] != e {
			t.Fatalf("re-publish changed event %d: %+v vs %+v", i, again.Events[i], e)
		}
		rec, err := st.FindEventByID(ctx, state, e.EventID)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Type != "training" || rec.Venue.Name != e.Host || rec.Start.In(schedule.Zone{}.Location()).Format("2006-01-02") != e.Date || !strings.HasPrefix(roster.HQTown(rec.UnitName), e.Host) {
			t.Errorf("event %d: type %s venue %s start %s unit %s; want training at %s on %s", e.EventID, rec.Type, rec.Venue.Name, rec.Start, rec.UnitName, e.Host, e.Date)
		}
	}

	// Move Gwalior Nagar from Gwalior to Bhopal: the two events change, no new one.
	for i := range asg {
		if asg[i].District == "Bhind" {
			asg[i].Host, asg[i].Date = "Bhopal", "2022-01-05"
			for _, r := range rows {
				if r.Host == "Bhopal" {
					asg[i].Date = r.Date
				}
			}
		}
	}
	if err := st.SaveWorkshopRoster(ctx, state, created.ID, asg, nil, nil, "hand"); err != nil {
		t.Fatal(err)
	}
	moved, err := st.PublishWorkshopSeries(ctx, state, created.ID, now.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if moved.Created != 0 || moved.Updated != 2 || moved.Cancelled != 0 {
		t.Fatalf("publish after a move: %+v, want 2 updated", moved)
	}

	mine, err := st.MyWorkshopAssignments(ctx, district)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 1 || mine[0].District != "Gwalior Nagar" || mine[0].Host != "Gwalior" || mine[0].EventID == 0 || mine[0].HostHi != "ग्वालियर" {
		t.Fatalf("district official's assignments: %+v", mine)
	}
}

func storetestUnit(t *testing.T, st *store.Store, code string) int64 {
	t.Helper()
	u, err := st.FindUnitByCode(context.Background(), schedule.SystemActor("t"), code)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
