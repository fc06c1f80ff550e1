package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/schedule"
)

func workerID(t *testing.T, st *store.Store, voterID string) int64 {
	t.Helper()
	ws, _, err := st.FindWorkers(context.Background(), schedule.SystemActor("test"), schedule.WorkerFilter{Query: voterID})
	if err != nil || len(ws) != 1 {
		t.Fatalf("worker %s: %v (%d found)", voterID, err, len(ws))
	}
	return ws[0].ID
}

// TestScope checks every official level against list/read/write/export on
// units and workers inside and outside their subtree.
func TestScope(t *testing.T) {
	st := storetest.Open(t)
	storetest.Seed(t, st)
	ctx := context.Background()

	officials := map[string]string{"state": "9800000001", "district": "9800000002", "mandal": "9800000003", "booth": "9800000004"}
	// Which units each official may see.
	visible := map[string][]string{
		"state":    {"MP", "D1", "D2", "D1-A1-M1", "D1-A1-M2", "D1-A1-M1-C1-S1-B1", "D1-A1-M1-C1-S1-B2", "D2-A1-M1-C1-S1-B1"},
		"district": {"D1", "D1-A1-M1", "D1-A1-M2", "D1-A1-M1-C1-S1-B1", "D1-A1-M1-C1-S1-B2"},
		"mandal":   {"D1-A1-M1", "D1-A1-M1-C1-S1-B1", "D1-A1-M1-C1-S1-B2"},
		"booth":    {"D1-A1-M1-C1-S1-B1"},
	}
	allUnits := visible["state"]
	// Worker voter IDs and their booths.
	workers := map[string]string{
		"BBB0000001": "D1-A1-M1-C1-S1-B1", "BBB0000002": "D1-A1-M1-C1-S1-B2",
		"BBB0000003": "D1-A1-M2-C1-S1-B1", "BBB0000004": "D2-A1-M1-C1-S1-B1",
	}
	sees := func(level, code string) bool {
		for _, v := range visible[level] {
			if v == code || strings.HasPrefix(code, v+"-") {
				return true
			}
		}
		return false
	}
	for level, mobile := range officials {
		actor := storetest.Actor(t, st, mobile)
		t.Run(level+"/ReadsUnits", func(t *testing.T) {
			for _, code := range allUnits {
				_, err := st.FindUnitByID(ctx, actor, unitID(t, st, code))
				if want := sees(level, code); (err == nil) != want {
					t.Errorf("%s official reading %s: err=%v, want visible=%v", level, code, err, want)
				}
				if err != nil && !schedule.IsNotFound(err) {
					t.Errorf("out of scope read must be not found, got %v", err)
				}
			}
		})
		t.Run(level+"/ListsAndExportsOnlyOwnWorkers", func(t *testing.T) {
			ws, total, err := st.FindWorkers(ctx, actor, schedule.WorkerFilter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if total != len(ws) {
				t.Errorf("total %d, page %d", total, len(ws))
			}
			got := map[string]bool{}
			for _, w := range ws {
				got[w.VoterID] = true
			}
			var exported int
			err = st.EachWorker(ctx, actor, schedule.WorkerFilter{}, func(w schedule.Worker) error { exported++; return nil })
			if err != nil || exported != len(ws) {
				t.Errorf("export gave %d workers (%v), list %d", exported, err, len(ws))
			}
			for voter, booth := range workers {
				if got[voter] != sees(level, booth) {
					t.Errorf("%s official listing %s (booth %s): listed=%v", level, voter, booth, got[voter])
				}
			}
		})
		t.Run(level+"/ReadsAndWritesWorkers", func(t *testing.T) {
			for voter, booth := range workers {
				id := workerID(t, st, voter)
				_, rerr := st.FindWorkerByID(ctx, actor, id)
				work := "checked by " + level
				_, werr := st.UpdateWorker(ctx, actor, id, schedule.WorkerPatch{Work: &work})
				want := sees(level, booth)
				if (rerr == nil) != want || (werr == nil) != want {
					t.Errorf("%s official on %s: read err %v, write err %v, want allowed=%v", level, voter, rerr, werr, want)
				}
				if !want && (!schedule.IsNotFound(rerr) || !schedule.IsNotFound(werr)) {
					t.Errorf("out of scope must look not found: %v / %v", rerr, werr)
				}
			}
		})
	}
	t.Run("DistrictOfficialCannotMoveWorkerOutOfDistrict", func(t *testing.T) {
		actor := storetest.Actor(t, st, "9800000002")
		other := unitID(t, st, "D2-A1-M1-C1-S1-B1")
		_, err := st.UpdateWorker(ctx, actor, workerID(t, st, "BBB0000001"), schedule.WorkerPatch{UnitID: &other})
		if schedule.ErrorCode(err) != schedule.EINVALID {
			t.Fatalf("moving out of scope: %v", err)
		}
	})
	t.Run("DistrictOfficialCannotRenameOwnDistrict", func(t *testing.T) {
		actor := storetest.Actor(t, st, "9800000002")
		_, err := st.UpdateUnitNames(ctx, actor, unitID(t, st, "D1"), "X", "")
		if schedule.ErrorCode(err) != schedule.EFORBIDDEN {
			t.Fatalf("rename own district: %v", err)
		}
		if _, err := st.UpdateUnitNames(ctx, actor, unitID(t, st, "D1-A1-M1"), "Mandal Renamed", "मंडल"); err != nil {
			t.Fatalf("rename mandal inside district: %v", err)
		}
	})
}

func TestMasking(t *testing.T) {
	a := schedule.Actor{Scope: schedule.NewScope("/1/2/")}
	own := a.View(schedule.Worker{Mobile: "+919811111111", VoterID: "BBB0000001", UnitPath: "/1/2/5/"})
	if own.Mobile != "+919811111111" || own.VoterID != "BBB0000001" {
		t.Errorf("own worker masked: %+v", own)
	}
	other := a.View(schedule.Worker{Mobile: "+919811111111", VoterID: "BBB0000001", UnitPath: "/1/3/"})
	if other.Mobile != "+91******1111" || other.VoterID != "BBB*****01" {
		t.Errorf("other worker not masked: %+v", other)
	}
}

func TestCountsAndChildren(t *testing.T) {
	st := storetest.Open(t)
	storetest.Seed(t, st)
	ctx := context.Background()
	sys := schedule.SystemActor("test")
	n, err := st.CountWorkers(ctx, sys, unitID(t, st, "D1"))
	if err != nil || n != 6 {
		t.Fatalf("D1 workers = %d, %v; want 6", n, err)
	}
	kids, err := st.Children(ctx, sys, unitID(t, st, "MP"))
	if err != nil || len(kids) != 2 {
		t.Fatalf("children of MP: %v %v", kids, err)
	}
	byCode := map[string]schedule.UnitCount{}
	for _, k := range kids {
		byCode[k.Code] = k
	}
	if byCode["D1"].Workers != 6 || byCode["D2"].Workers != 2 || byCode["D1"].Children != 1 {
		t.Errorf("counts: %+v", byCode)
	}
	byDepth, err := st.UnitCountsByDepth(ctx, schedule.Unit{Path: kids[0].Path, Code: "x"})
	if err != nil || byDepth[6] == 0 {
		t.Errorf("booths under first district: %v %v", byDepth, err)
	}
}

func TestWorkerSearch(t *testing.T) {
	st := storetest.Open(t)
	storetest.Seed(t, st)
	ctx := context.Background()
	sys := schedule.SystemActor("test")
	for _, tt := range []struct{ q, want string }{
		{"राम", "राम कुमार"},
		{"mohan", "Mohan Lal"},
		{"98111 11112", "सीता देवी"},
		{"bbb0000004", "Geeta Bai"},
	} {
		ws, _, err := st.FindWorkers(ctx, sys, schedule.WorkerFilter{Query: tt.q})
		if err != nil || len(ws) != 1 || ws[0].Name != tt.want {
			t.Errorf("search %q: %v %v", tt.q, ws, err)
		}
	}
	ws, _, _ := st.FindWorkers(ctx, sys, schedule.WorkerFilter{Role: "president"})
	if len(ws) != 3 {
		t.Errorf("presidents: %d", len(ws))
	}
}

func TestAuditRecordsChanges(t *testing.T) {
	st := storetest.Open(t)
	storetest.Seed(t, st)
	ctx := context.Background()
	actor := storetest.Actor(t, st, "9800000003")
	work := "booth survey"
	if _, err := st.UpdateWorker(ctx, actor, workerID(t, st, "BBB0000001"), schedule.WorkerPatch{Work: &work}); err != nil {
		t.Fatal(err)
	}
	entries, err := st.FindAudit(ctx, actor, 10)
	if err != nil || len(entries) == 0 {
		t.Fatalf("audit: %v %v", entries, err)
	}
	e := entries[0]
	if e.ActorName != "Mandal President" || e.Action != "update" || !strings.Contains(e.Detail, "booth survey") {
		t.Errorf("audit entry: %+v", e)
	}
	// The other district's official does not see the mandal's changes.
	other, _ := st.FindAudit(ctx, storetest.Actor(t, st, "9800000005"), 10)
	for _, o := range other {
		if o.ID == e.ID {
			t.Errorf("audit entry leaked to another district")
		}
	}
}

func TestCreateWorkerRejectsDuplicateVoterID(t *testing.T) {
	st := storetest.Open(t)
	storetest.Seed(t, st)
	ctx := context.Background()
	_, err := st.CreateWorker(ctx, schedule.SystemActor("t"), schedule.Worker{Name: "Dup", VoterID: "BBB0000001", UnitID: unitID(t, st, "D1"), Active: true})
	if schedule.ErrorCode(err) != schedule.ECONFLICT {
		t.Fatalf("duplicate voter ID: %v", err)
	}
	var de *schedule.Error
	if !errors.As(err, &de) {
		t.Fatal("not a domain error")
	}
}
