package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/schedule"
)

// workerByMobile is the worker holding mobile (10 digits), as the system
// sees it.
func workerByMobile(t *testing.T, st *store.Store, mobile string) schedule.Worker {
	t.Helper()
	m, _ := schedule.NormaliseMobile(mobile)
	ws, _, err := st.FindWorkers(context.Background(), schedule.SystemActor("t"), schedule.WorkerFilter{Query: m})
	if err != nil || len(ws) != 1 {
		t.Fatalf("worker with mobile %s: %v %v", mobile, ws, err)
	}
	return ws[0]
}

// TestMobileIsOneLogin: a mobile number is a person's login, so it
// belongs to one worker. An official cannot put another official's mobile
// on a worker of their own branch (the probe's takeover), and refusals
// name the holder only inside the official's own area.
func TestMobileIsOneLogin(t *testing.T) {
	ctx := context.Background()
	booth := unitID // alias for readability below

	t.Run("TakeoverThroughACopiedMobileIsRefused", func(t *testing.T) {
		st := storetest.Open(t)
		storetest.Seed(t, st)
		attacker := storetest.Actor(t, st, "9800000004") // booth president, booth D1-A1-M1-C1-S1-B1
		w, err := st.CreateWorker(ctx, attacker, schedule.Worker{Name: "Decoy", Mobile: "9800000003", Active: true, UnitID: booth(t, st, "D1-A1-M1-C1-S1-B1")})
		if schedule.ErrorCode(err) != schedule.ECONFLICT {
			t.Fatalf("creating a worker with the mandal president's mobile: %+v %v, want a conflict", w, err)
		}
		if strings.Contains(err.Error(), "Mandal President") || strings.Contains(err.Error(), "D1-A1-M1") {
			t.Errorf("the refusal names a record outside the booth: %v", err)
		}
		// The same through an edit of a worker the attacker may edit.
		ram := workerByMobile(t, st, "9811111111")
		mobile := "9800000003"
		if _, err := st.UpdateWorker(ctx, attacker, ram.ID, schedule.WorkerPatch{Mobile: &mobile}); schedule.ErrorCode(err) != schedule.ECONFLICT {
			t.Fatalf("moving the mandal president's mobile onto a booth worker: %v", err)
		}
		// The victim's own login still lands in the victim's own area.
		victim := storetest.Actor(t, st, "9800000003")
		mandal, _ := st.FindUnitByCode(ctx, schedule.SystemActor("t"), "D1-A1-M1")
		if victim.Name != "Mandal President" || !victim.Scope.Covers(mandal.Path) {
			t.Fatalf("the mandal president logs in as %+v", victim)
		}
	})

	t.Run("InsideTheAreaTheRefusalNamesTheHolder", func(t *testing.T) {
		st := storetest.Open(t)
		storetest.Seed(t, st)
		mandal := storetest.Actor(t, st, "9800000003")
		_, err := st.CreateWorker(ctx, mandal, schedule.Worker{Name: "Second Sita", Mobile: "9811111112", Active: true, UnitID: booth(t, st, "D1-A1-M1-C1-S1-B1")})
		if schedule.ErrorCode(err) != schedule.ECONFLICT || !strings.Contains(err.Error(), "सीता देवी") {
			t.Fatalf("duplicate of a mobile inside the mandal: %v, want a conflict naming सीता देवी", err)
		}
		_, err = st.CreateWorker(ctx, mandal, schedule.Worker{Name: "Second Sita", VoterID: "BBB0000002", Active: true, UnitID: booth(t, st, "D1-A1-M1-C1-S1-B1")})
		if schedule.ErrorCode(err) != schedule.ECONFLICT || !strings.Contains(err.Error(), "सीता देवी") {
			t.Fatalf("duplicate of a voter ID inside the mandal: %v, want a conflict naming सीता देवी", err)
		}
	})

	t.Run("OutsideTheAreaTheRefusalRevealsNothingMore", func(t *testing.T) {
		st := storetest.Open(t)
		storetest.Seed(t, st)
		d1 := storetest.Actor(t, st, "9800000002")
		for _, w := range []schedule.Worker{
			{Name: "Copy", Mobile: "9811111114", Active: true},  // Geeta Bai, D2
			{Name: "Copy", VoterID: "BBB0000004", Active: true}, // Geeta Bai's voter ID
		} {
			w.UnitID = booth(t, st, "D1-A1-M1-C1-S1-B1")
			_, err := st.CreateWorker(ctx, d1, w)
			if schedule.ErrorCode(err) != schedule.ECONFLICT || !strings.Contains(err.Error(), "another area") {
				t.Fatalf("%+v: %v, want 'registered in another area'", w, err)
			}
			if strings.Contains(err.Error(), "Geeta") || strings.Contains(err.Error(), "D2") {
				t.Errorf("the refusal names the record in D2: %v", err)
			}
		}
		// The state office sees that the district official hit records
		// of another area, in the audit log.
		entries, err := st.FindAudit(ctx, storetest.Actor(t, st, "9800000001"), 50)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, e := range entries {
			if e.Action == "out_of_area_match" && e.ActorName == "District President" {
				found++
			}
		}
		if found != 2 {
			t.Errorf("%d out_of_area_match audit entries, want 2: %+v", found, entries)
		}
	})

	t.Run("OutOfAreaProbesAreLimited", func(t *testing.T) {
		st := storetest.Open(t)
		storetest.Seed(t, st)
		st.SetProbeBudget(5)
		d1 := storetest.Actor(t, st, "9800000002")
		b1 := booth(t, st, "D1-A1-M1-C1-S1-B1")
		var err error
		for i := 0; i < 5; i++ {
			_, err = st.CreateWorker(ctx, d1, schedule.Worker{Name: "Probe", Mobile: "9811111114", Active: true, UnitID: b1})
			if schedule.ErrorCode(err) != schedule.ECONFLICT {
				t.Fatalf("probe %d: %v", i, err)
			}
		}
		// Over the budget, identity changes pause for this official: a
		// number nobody holds is refused too, so the answer tells nothing.
		for _, m := range []string{"9811111114", "9833333333"} {
			if _, err = st.CreateWorker(ctx, d1, schedule.Worker{Name: "Probe", Mobile: m, Active: true, UnitID: b1}); schedule.ErrorCode(err) != schedule.ELIMIT {
				t.Fatalf("after the budget, mobile %s: %v, want rate-limited", m, err)
			}
		}
		// Edits that keep the mobile and voter ID go on.
		ram := workerByMobile(t, st, "9811111111")
		same, work := "9811111111", "voter slips"
		if _, err := st.UpdateWorker(ctx, d1, ram.ID, schedule.WorkerPatch{Mobile: &same, Work: &work}); err != nil {
			t.Errorf("an edit keeping the mobile, while paused: %v", err)
		}
		// Other officials and other fields are not affected.
		if _, err := st.CreateWorker(ctx, d1, schedule.Worker{Name: "No identity", Active: true, UnitID: b1}); err != nil {
			t.Errorf("a worker without mobile or voter ID: %v", err)
		}
		mandal := storetest.Actor(t, st, "9800000003")
		if _, err := st.CreateWorker(ctx, mandal, schedule.Worker{Name: "Fresh", Mobile: "9833333334", Active: true, UnitID: b1}); err != nil {
			t.Errorf("another official: %v", err)
		}
	})

	// Should a database ever hold one mobile twice (the key dropped by
	// hand), login refuses the number instead of picking the lowest id,
	// which is what let the probe's booth worker receive the mandal
	// president's login.
	t.Run("LoginRefusesAnAmbiguousMobile", func(t *testing.T) {
		st := storetest.Open(t)
		storetest.Seed(t, st)
		db := st.DB()
		for _, q := range []string{
			"DROP INDEX workers_mobile_key",
			"UPDATE workers SET mobile = '+919800000003' WHERE voter_id = 'BBB0000001'", // राम कुमार, booth B1
		} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if a, err := st.ActorByMobile(ctx, "+919800000003"); err == nil {
			t.Fatalf("a mobile held by two workers logs in as %+v", a)
		}
		if a, err := st.ActorByMobile(ctx, "+919800000002"); err != nil || a.Name != "District President" {
			t.Errorf("an unambiguous mobile: %+v %v", a, err)
		}
	})

	t.Run("AnOfficialAboveCannotBeTakenOverFromBelow", func(t *testing.T) {
		st := storetest.Open(t)
		storetest.Seed(t, st)
		sys := schedule.SystemActor("t")
		// The mandal president's own record sits in booth B1 (where they
		// vote); their role is at the mandal.
		mp := workerByMobile(t, st, "9800000003")
		b1 := booth(t, st, "D1-A1-M1-C1-S1-B1")
		if _, err := st.UpdateWorker(ctx, sys, mp.ID, schedule.WorkerPatch{UnitID: &b1}); err != nil {
			t.Fatal(err)
		}
		attacker := storetest.Actor(t, st, "9800000004")
		mine := "9844444444"
		if _, err := st.UpdateWorker(ctx, attacker, mp.ID, schedule.WorkerPatch{Mobile: &mine}); schedule.ErrorCode(err) != schedule.EFORBIDDEN {
			t.Errorf("booth president changing the mandal president's mobile: %v, want forbidden", err)
		}
		off := false
		if _, err := st.UpdateWorker(ctx, attacker, mp.ID, schedule.WorkerPatch{Active: &off}); schedule.ErrorCode(err) != schedule.EFORBIDDEN {
			t.Errorf("booth president deactivating the mandal president: %v, want forbidden", err)
		}
		if err := st.RemoveRole(ctx, attacker, mp.ID, "president", booth(t, st, "D1-A1-M1")); schedule.ErrorCode(err) == "" {
			t.Errorf("booth president removed the mandal president's role at the mandal")
		}
		if a := storetest.Actor(t, st, "9800000003"); len(a.Scope.Roots) != 1 {
			t.Errorf("mandal president's scope after the attempts: %+v", a.Scope)
		}
		// The mandal president's own level may still edit the record.
		if _, err := st.UpdateWorker(ctx, storetest.Actor(t, st, "9800000002"), mp.ID, schedule.WorkerPatch{Work: &mine}); err != nil {
			t.Errorf("district president editing the mandal president: %v", err)
		}
	})
}

// TestImportKeepsOneMobilePerPerson: imports apply the same rule, row by
// row, with the same words inside and outside the importer's area.
func TestImportKeepsOneMobilePerPerson(t *testing.T) {
	ctx := context.Background()
	const header = "name,mobile,voter_id,gender,unit_code,roles\n"
	importAs := func(t *testing.T, st *store.Store, actor schedule.Actor, csv string) (store.ImportReport, error) {
		t.Helper()
		return st.ImportWorkers(ctx, actor, strings.NewReader(header+csv), nil)
	}
	t.Run("SameMobileTwiceInTheFile", func(t *testing.T) {
		st := storetest.Open(t)
		storetest.Seed(t, st)
		rep, err := importAs(t, st, schedule.SystemActor("t"), "A,9822222221,CCC0000001,F,D1,\nB,9822222221,CCC0000002,F,D1,\n")
		if schedule.ErrorCode(err) != schedule.EINVALID || len(rep.List) != 1 || rep.List[0].Line != 3 || rep.List[0].Column != "mobile" {
			t.Fatalf("two people with one mobile: %+v %v", rep.List, err)
		}
	})
	t.Run("MobileOfSomeoneInTheArea", func(t *testing.T) {
		st := storetest.Open(t)
		storetest.Seed(t, st)
		rep, err := importAs(t, st, storetest.Actor(t, st, "9800000002"), "Copy,9811111112,CCC0000001,F,D1-A1-M1-C1-S1-B1,\n")
		if schedule.ErrorCode(err) != schedule.EINVALID || len(rep.List) != 1 || !strings.Contains(rep.List[0].Reason, "सीता देवी") {
			t.Fatalf("row with सीता देवी's mobile: %+v %v", rep.List, err)
		}
	})
	t.Run("MobileOfSomeoneElsewhere", func(t *testing.T) {
		st := storetest.Open(t)
		storetest.Seed(t, st)
		rep, err := importAs(t, st, storetest.Actor(t, st, "9800000002"),
			"Copy,9811111114,CCC0000001,F,D1-A1-M1-C1-S1-B1,\nSecond,,BBB0000004,F,D1-A1-M1-C1-S1-B1,\n")
		if schedule.ErrorCode(err) != schedule.EINVALID || len(rep.List) != 2 {
			t.Fatalf("rows matching Geeta Bai of D2: %+v %v", rep.List, err)
		}
		for _, e := range rep.List {
			if !strings.Contains(e.Reason, "another area") || strings.Contains(e.Reason, "Geeta") {
				t.Errorf("line %d: %q", e.Line, e.Reason)
			}
		}
	})
	t.Run("ProbesByImportAreLimited", func(t *testing.T) {
		st := storetest.Open(t)
		storetest.Seed(t, st)
		st.SetProbeBudget(1)
		rep, err := importAs(t, st, storetest.Actor(t, st, "9800000002"),
			"Copy,9811111114,CCC0000001,F,D1-A1-M1-C1-S1-B1,\nSecond,,BBB0000004,F,D1-A1-M1-C1-S1-B1,\n")
		if schedule.ErrorCode(err) != schedule.ELIMIT {
			t.Fatalf("a file with more out-of-area matches than the budget: %+v %v, want rate-limited", rep.List, err)
		}
		for _, e := range rep.List {
			if strings.Contains(e.Reason, "another area") {
				t.Errorf("over the budget, line %d is still named: %q", e.Line, e.Reason)
			}
		}
	})
	// Two rows that match one record elsewhere, one by voter ID and one by
	// mobile, must not be reported as "the same person": that would tell
	// the importer that this voter ID and this mobile belong together,
	// beyond the uniform "another area" answer, and over the budget it
	// would still flag the rows.
	t.Run("RowsMatchingOnePersonElsewhereAreNotLinked", func(t *testing.T) {
		const file = "Copy,,BBB0000004,F,D1-A1-M1-C1-S1-B1,\nOther,9811111114,,F,D1-A1-M1-C1-S1-B2,\n" // both Geeta Bai of D2
		for _, budget := range []int{store.DefaultProbeBudget, 1} {
			st := storetest.Open(t)
			storetest.Seed(t, st)
			st.SetProbeBudget(budget)
			rep, err := importAs(t, st, storetest.Actor(t, st, "9800000002"), file)
			if err == nil {
				t.Fatalf("budget %d: rows matching Geeta Bai of D2 were imported: %+v", budget, rep)
			}
			for _, e := range rep.List {
				if !strings.Contains(e.Reason, "another area") || strings.Contains(e.Reason, "same person") || strings.Contains(e.Reason, "line ") {
					t.Errorf("budget %d, line %d: %q: only the uniform answer may flag a row matching a record elsewhere", budget, e.Line, e.Reason)
				}
			}
			if budget == 1 && (schedule.ErrorCode(err) != schedule.ELIMIT || len(rep.List) != 0) {
				t.Errorf("over the budget: %v, rows %+v; want rate-limited naming no row", err, rep.List)
			}
		}
		// Inside the area the same two rows are named as one person.
		st := storetest.Open(t)
		storetest.Seed(t, st)
		rep, _ := importAs(t, st, storetest.Actor(t, st, "9800000002"),
			"Copy,,BBB0000001,M,D1-A1-M1-C1-S1-B1,\nOther,9811111111,,M,D1-A1-M1-C1-S1-B2,\n") // both राम कुमार of D1
		if len(rep.List) != 1 || !strings.Contains(rep.List[0].Reason, "same person") {
			t.Errorf("two rows for राम कुमार in the area: %+v", rep.List)
		}
	})
	t.Run("SwappingTwoMobilesInOneFile", func(t *testing.T) {
		st := storetest.Open(t)
		storetest.Seed(t, st)
		rep, err := importAs(t, st, schedule.SystemActor("t"),
			"राम कुमार,9811111112,BBB0000001,M,D1-A1-M1-C1-S1-B1,\nसीता देवी,9811111111,BBB0000002,F,D1-A1-M1-C1-S1-B2,\n")
		if err != nil || rep.Updated != 2 {
			t.Fatalf("swap: %+v %v", rep, err)
		}
		if w := workerByMobile(t, st, "9811111112"); w.Name != "राम कुमार" {
			t.Errorf("9811111112 now belongs to %s", w.Name)
		}
	})
	t.Run("AVoterIDJoinsTheRecordWithTheSameMobile", func(t *testing.T) {
		st := storetest.Open(t)
		storetest.Seed(t, st)
		sys := schedule.SystemActor("t")
		w, err := st.CreateWorker(ctx, sys, schedule.Worker{Name: "Mobile Only", Mobile: "9855555555", Active: true, UnitID: unitID(t, st, "D1")})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := importAs(t, st, sys, "Mobile Only,9855555555,DDD0000001,M,D1,\n")
		if err != nil || rep.Updated != 1 || rep.Inserted != 0 {
			t.Fatalf("import adding a voter ID: %+v %v", rep, err)
		}
		if got, _ := st.FindWorkerByID(ctx, sys, w.ID); got.VoterID != "DDD0000001" {
			t.Errorf("voter ID %q", got.VoterID)
		}
	})
}

// TestMigrationRefusesDuplicateMobiles plays a database from before
// mobiles were unique: the migration refuses, naming every duplicate, and
// passes once someone decided who keeps each number.
func TestMigrationRefusesDuplicateMobiles(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	db := st.DB()
	for _, q := range []string{
		"DROP INDEX workers_mobile_key",
		"CREATE INDEX workers_mobile_idx ON workers (mobile)",
		"DELETE FROM bun_migrations WHERE name = '" + store.UniqueMobilesMigration + "'",
		"UPDATE workers SET mobile = '+919800000003' WHERE voter_id IN ('BBB0000001', 'BBB0000004')",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	_, err := st.Migrate(ctx)
	if err == nil {
		t.Fatal("the migration accepted three workers with one mobile")
	}
	for _, want := range []string{"+919800000003", "Mandal President", "राम कुमार", "Geeta Bai", "karyakram mobiles"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal does not name %q:\n%v", want, err)
		}
	}
	dups, err := st.DuplicateMobiles(ctx)
	if err != nil || len(dups) != 1 || len(dups[0].Workers) != 3 {
		t.Fatalf("DuplicateMobiles: %+v %v", dups, err)
	}
	for _, w := range dups[0].Workers {
		if w.Name != "Mandal President" {
			if err := st.ClearMobile(ctx, schedule.SystemActor("mobiles"), w.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatalf("after the duplicates were cleared: %v", err)
	}
	_, err = db.ExecContext(ctx, fmt.Sprintf("UPDATE workers SET mobile = '+919800000003' WHERE voter_id = '%s'", "BBB0000001"))
	if err == nil {
		t.Error("the database accepts a duplicate mobile after the migration")
	}
}
