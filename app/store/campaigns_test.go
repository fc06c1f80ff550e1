package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// boothCampaign is a small version of the booth rule on the seed
// tree: 3 members, a president (verified), a WhatsApp and a labharthi
// pramukh.
func boothCampaign(t *testing.T, st *store.Store, unitCode string) schedule.Campaign {
	t.Helper()
	return schedule.Campaign{Title: "Digital booth", TitleHi: "डिजिटल बूथ", UnitID: unitIDOf(t, st, unitCode),
		Target: schedule.CivilDay(testclock.Now(), schedule.Zone{}).AddDate(0, 0, 30),
		Rules: schedule.CampaignRules{Levels: []schedule.LevelRule{{Level: schedule.LevelBooth, Members: 3,
			Roles:    []schedule.RoleCount{{Role: "booth_president", Count: 1}, {Role: "whatsapp_pramukh", Count: 1}, {Role: "labharthi_pramukh", Count: 1}},
			Verified: []string{"booth_president"}}}}}
}

func unitIDOf(t *testing.T, st *store.Store, code string) int64 {
	t.Helper()
	u, err := st.FindUnitByCode(context.Background(), schedule.SystemActor("test"), code)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func TestCampaigns(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	cs := store.NewCampaigns(st)
	state := storetest.Actor(t, st, "9800000001")
	d1 := storetest.Actor(t, st, "9800000002")
	d2 := storetest.Actor(t, st, "9800000005")
	booth := storetest.Actor(t, st, "9800000004")
	names := schedule.RoleNamesOf(schedule.DefaultRoles())

	t.Run("RulesNamingUnknownRolesAreRefused", func(t *testing.T) {
		c := boothCampaign(t, st, "MP")
		c.Rules.Levels[0].Roles = append(c.Rules.Levels[0].Roles, schedule.RoleCount{Role: "chai_pramukh", Count: 1})
		_, err := cs.Create(ctx, state, c)
		if schedule.ErrorCode(err) != schedule.EINVALID || !strings.Contains(err.Error(), `"chai_pramukh"`) {
			t.Fatalf("got %v, want invalid naming chai_pramukh", err)
		}
	})
	t.Run("OutOfScopeCreateIsRefused", func(t *testing.T) {
		_, err := cs.Create(ctx, d2, boothCampaign(t, st, "D1"))
		if schedule.ErrorCode(err) != schedule.EINVALID {
			t.Fatalf("D2 creating at D1: %v, want refused", err)
		}
	})

	c, err := cs.Create(ctx, state, boothCampaign(t, st, "MP"))
	if err != nil {
		t.Fatal(err)
	}
	d1c, err := cs.Create(ctx, d1, boothCampaign(t, st, "D1"))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("Visibility", func(t *testing.T) {
		for _, tc := range []struct {
			who   string
			a     schedule.Actor
			want  int // campaigns listed
			where string
		}{
			{"state", state, 2, "MP"}, {"district", d1, 2, "D1"}, {"other district", d2, 1, "D2"}, {"booth", booth, 2, "D1-A1-M1-C1-S1-B1"},
		} {
			list, err := cs.List(ctx, tc.a)
			if err != nil || len(list) != tc.want {
				t.Errorf("%s lists %d campaigns (%v), want %d", tc.who, len(list), err, tc.want)
			}
			got, err := cs.Find(ctx, tc.a, c.ID)
			if err != nil {
				t.Fatalf("%s: %v", tc.who, err)
			}
			u, err := cs.Where(ctx, tc.a, got, 0)
			if err != nil || u.Code != tc.where {
				t.Errorf("%s's dashboard opens at %s (%v), want %s", tc.who, u.Code, err, tc.where)
			}
		}
		if _, err := cs.Find(ctx, d2, d1c.ID); !schedule.IsNotFound(err) {
			t.Errorf("D2 finds D1's campaign: %v", err)
		}
		if _, err := cs.Where(ctx, d2, c, unitIDOf(t, st, "D1")); !schedule.IsNotFound(err) {
			t.Errorf("D2 opens the state campaign at D1: %v", err)
		}
		if _, err := cs.Snapshot(ctx, d1, c.ID, schedule.CivilDay(testclock.Now(), schedule.Zone{})); !schedule.IsNotFound(err) {
			t.Errorf("a district snapshots the whole state's campaign: %v", err)
		}
	})

	b1 := func() schedule.Evaluated {
		t.Helper()
		u, err := cs.Where(ctx, booth, c, 0)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := cs.Evaluate(ctx, booth, c, u)
		if err != nil || len(ev) != 1 {
			t.Fatalf("booth evaluates %d units: %v", len(ev), err)
		}
		return ev[0]
	}
	t.Run("ReadinessFromTheRecords", func(t *testing.T) {
		// B1: the booth president and a WhatsApp pramukh; nobody verified.
		got := schedule.RenderArg(schedule.English, b1().Msgs(names))
		if want := "2/3 members, no Labharthi pramukh, Booth president unverified"; got != want {
			t.Fatalf("B1 says %q, want %q", got, want)
		}
		// The president logs in (their code proves the mobile) and a
		// labharthi pramukh is recorded.
		if err := st.MarkMobileVerified(ctx, booth, "+919800000004"); err != nil {
			t.Fatal(err)
		}
		storetest.ImportWorkers(t, st, "name,mobile,voter_id,gender,unit_code,roles,work\nLabh Pramukh,9811111120,BBB0000020,F,D1-A1-M1-C1-S1-B1,labharthi_pramukh,\n")
		if e := b1(); !e.Ready || e.Members != 3 {
			t.Fatalf("B1 after the fixes: %+v, want ready with 3 members", e)
		}
		// A new mobile is not verified.
		if _, err := st.UpdateWorker(ctx, state, booth.WorkerID, schedule.WorkerPatch{Mobile: ptr("9811111121")}); err != nil {
			t.Fatal(err)
		}
		if got := schedule.RenderArg(schedule.English, b1().Msgs(names)); got != "Booth president unverified" {
			t.Fatalf("after a mobile change B1 says %q", got)
		}
		if err := st.MarkMobileVerified(ctx, booth, "+919811111121"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("RollUpAndScope", func(t *testing.T) {
		u, _ := cs.Where(ctx, d1, c, 0)
		ev, err := cs.Evaluate(ctx, d1, c, u)
		if err != nil {
			t.Fatal(err)
		}
		// D1 has three booths; B1 is ready.
		ready := 0
		for _, e := range ev {
			if !schedule.IsWithin(e.Unit.Path, u.Path) {
				t.Errorf("D1's evaluation holds %s outside D1", e.Unit.Code)
			}
			if e.Ready {
				ready++
			}
		}
		if len(ev) != 3 || ready != 1 {
			t.Fatalf("D1: %d booths, %d ready; want 3, 1", len(ev), ready)
		}
		levels, _ := st.Levels(ctx)
		kids, _ := st.Children(ctx, d1, u.ID)
		var ku []schedule.Unit
		for _, k := range kids {
			ku = append(ku, k.Unit)
		}
		roll := schedule.RollUp(ku, ev, levels, 3)
		if len(roll) != 1 || roll[0].Main().Ready != 1 || roll[0].Main().Total != 3 {
			t.Fatalf("D1's assembly: %+v, want 1/3 booths", roll)
		}
		resp, err := cs.Responsibles(ctx, d2, []int64{unitIDOf(t, st, "D1-A1-M1-C1-S1-B1"), unitIDOf(t, st, "D2")})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp[unitIDOf(t, st, "D1-A1-M1-C1-S1-B1")]) != 0 || len(resp[unitIDOf(t, st, "D2")]) != 1 {
			t.Errorf("D2 asked for officials of D1's booth and D2: %+v", resp)
		}
	})

	t.Run("FieldsAndExtrasAreCounted", func(t *testing.T) {
		fc := boothCampaign(t, st, "D1-A1-M1-C1-S1-B1")
		fc.Rules.Levels[0].Fields = []string{schedule.FieldVoterID, schedule.FieldGender, schedule.FieldSocial}
		fc.Rules.Levels[0].Extras = []string{schedule.ExtraSocial, schedule.ExtraAllVerified}
		fc, err := cs.Create(ctx, state, fc)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := cs.Where(ctx, booth, fc, 0)
		ev, err := cs.Evaluate(ctx, booth, fc, u)
		if err != nil || len(ev) != 1 {
			t.Fatalf("%d units, %v", len(ev), err)
		}
		// Three members, all with voter IDs and genders, none with a
		// social handle; only the president's mobile verified.
		got := schedule.RenderArg(schedule.English, ev[0].Msgs(names))
		var ex []schedule.Msg
		for _, g := range ev[0].Extras {
			ex = append(ex, g.Msg(names))
		}
		extras := schedule.RenderArg(schedule.English, ex)
		if got != "0/3 records with social media handle" || extras != "0/3 with a social media handle, 1/3 mobiles verified" {
			t.Fatalf("B1 says %q, extras %q", got, extras)
		}
	})

	t.Run("SnapshotsAreIdempotentAndKeepTheirRuleVersion", func(t *testing.T) {
		today := schedule.CivilDay(testclock.Now(), schedule.Zone{})
		for i := 0; i < 2; i++ { // a rerun of the day writes the same rows
			n, err := cs.Snapshot(ctx, schedule.SystemActor("snapshot"), c.ID, today)
			if err != nil {
				t.Fatal(err)
			}
			// MP, D1, D2, 2 assemblies, 3 mandals, 3 clusters, 3 kendras, 4 booths.
			if n != 18 {
				t.Fatalf("run %d wrote %d units, want 18", i+1, n)
			}
		}
		var rows int
		if err := st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM campaign_snapshots WHERE campaign_id = ?", c.ID).Scan(&rows); err != nil || rows != 18 {
			t.Fatalf("%d snapshot rows after two runs (%v), want 18", rows, err)
		}
		rules := c.Rules
		rules.Levels[0].Members = 1
		c2, err := cs.SetRules(ctx, state, c.ID, rules)
		if err != nil || c2.Rules.Version != 2 {
			t.Fatalf("new rules: version %d, %v", c2.Rules.Version, err)
		}
		if _, err := cs.SetRules(ctx, d1, c.ID, rules); !schedule.IsNotFound(err) {
			t.Errorf("a district changes the state's rules: %v", err)
		}
		if _, err := cs.Snapshot(ctx, state, c.ID, today.AddDate(0, 0, 1)); err != nil {
			t.Fatal(err)
		}
		mp, _ := cs.Where(ctx, state, c2, 0)
		hist, versions, err := cs.History(ctx, state, c2, mp)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 2 || hist[0].Total != 4 || hist[0].Ready != 1 || versions[0] != 1 || versions[1] != 2 || !hist[0].Day.Equal(today) {
			t.Fatalf("history %+v versions %v, want day 1 at 1/4 on v1, day 2 on v2", hist, versions)
		}
		found, _ := cs.Find(ctx, booth, c.ID)
		if found.Rules.Version != 2 || found.Rules.Levels[0].Members != 1 {
			t.Errorf("campaign rules now %+v, want version 2", found.Rules)
		}
	})
}

func ptr[T any](v T) *T { return &v }
