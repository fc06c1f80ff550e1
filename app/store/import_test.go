package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/internal/testtool"
	"github.com/karyakram/karyakram/schedule"
)

func countAll(t *testing.T, st *store.Store) int {
	t.Helper()
	n, err := st.CountWorkers(context.Background(), schedule.SystemActor("t"), unitID(t, st, "MP"))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWorkerImport(t *testing.T) {
	ctx := context.Background()
	sys := schedule.SystemActor("test")
	header := "name,mobile,voter_id,gender,unit_code,roles\n"
	good := "Asha,9822222221,CCC0000001,F,D1-A1-M1-C1-S1-B1,committee_member\n"
	cases := []struct {
		name      string
		csv       string
		wantLine  int
		wantCol   string
		wantInMsg string
	}{
		{"RejectsUnknownColumn", "name,phone,unit_code\nA,1,B\n", 0, "", `unknown column "phone"`},
		{"RejectsMissingColumn", "name,mobile\nA,9822222222\n", 0, "", "missing column(s): unit_code"},
		{"RejectsBadMobile", header + good + "Bad,12345,CCC0000002,F,D1-A1-M1-C1-S1-B1,\n", 3, "mobile", "not a 10-digit"},
		{"RejectsBadVoterID", header + good + "Bad,9822222223,12AB,F,D1-A1-M1-C1-S1-B1,\n", 3, "voter_id", "EPIC"},
		{"RejectsUnknownBooth", header + good + "Bad,9822222224,CCC0000003,F,NOPE,\n", 3, "unit_code", `unknown unit "NOPE"`},
		{"RejectsUnknownRole", header + good + "Bad,9822222225,CCC0000004,F,D1-A1-M1-C1-S1-B1,king\n", 3, "roles", `unknown role "king"`},
		{"RejectsDuplicateVoterIDInFile", header + good + "Again,9822222226,CCC0000001,F,D1-A1-M1-C1-S1-B1,\n", 3, "voter_id", "appears 2 times"},
		{"RejectsInvalidUTF8", header + good + "Bad\xff,9822222227,CCC0000005,F,D1-A1-M1-C1-S1-B1,\n", 3, "name", "UTF-8"},
		{"RejectsWrongFieldCount", header + good + "Bad,9822222228\n", 3, "", "has 2 fields"},
		{"RejectsRowWithoutIdentity", header + good + "Nobody,,,F,D1-A1-M1-C1-S1-B1,\n", 3, "voter_id", "voter ID or a mobile"},
		{"RejectsBadQuote", header + good + "\"Bad,9822222229,CCC0000006,F,D1-A1-M1-C1-S1-B1,\n", 3, "", "quote"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			st := storetest.Open(t)
			storetest.Seed(t, st)
			before := countAll(t, st)
			rep, err := st.ImportWorkers(ctx, sys, strings.NewReader(tt.csv), nil)
			if schedule.ErrorCode(err) != schedule.EINVALID {
				t.Fatalf("err = %v, want invalid", err)
			}
			if after := countAll(t, st); after != before {
				t.Errorf("workers %d -> %d: a failed import wrote rows", before, after)
			}
			if rep.Inserted != 0 || rep.Updated != 0 {
				t.Errorf("report claims writes: %+v", rep)
			}
			if tt.wantLine == 0 {
				if !strings.Contains(err.Error(), tt.wantInMsg) {
					t.Errorf("error %q lacks %q", err, tt.wantInMsg)
				}
				return
			}
			if len(rep.List) != 1 {
				t.Fatalf("want exactly one row error, got %v", rep.List)
			}
			e := rep.List[0]
			if e.Line != tt.wantLine || e.Column != tt.wantCol || !strings.Contains(e.Reason, tt.wantInMsg) {
				t.Errorf("row error %+v, want line %d column %q containing %q", e, tt.wantLine, tt.wantCol, tt.wantInMsg)
			}
		})
	}

	t.Run("ReportsFirstHundredOfManyErrors", func(t *testing.T) {
		st := storetest.Open(t)
		storetest.Seed(t, st)
		var b strings.Builder
		b.WriteString(header)
		for i := 0; i < 250; i++ {
			b.WriteString("X,123,,F,D1,\n")
		}
		rep, err := st.ImportWorkers(ctx, sys, strings.NewReader(b.String()), nil)
		if err == nil || rep.Total != 250 || len(rep.List) != schedule.MaxReportedRowErrors {
			t.Fatalf("total %d listed %d err %v", rep.Total, len(rep.List), err)
		}
	})

	t.Run("ReimportIsIdempotentAndUpdates", func(t *testing.T) {
		st := storetest.Open(t)
		storetest.Seed(t, st)
		before := countAll(t, st)
		file := header + good + "Mobile Only,9822222230,,M,D1-A1-M1-C1-S1-B2,whatsapp_pramukh\n"
		rep, err := st.ImportWorkers(ctx, sys, strings.NewReader(file), nil)
		if err != nil || rep.Inserted != 2 || rep.Updated != 0 {
			t.Fatalf("first import: %+v %v", rep, err)
		}
		rep, err = st.ImportWorkers(ctx, sys, strings.NewReader(file), nil)
		if err != nil || rep.Inserted != 0 || rep.Updated != 0 {
			t.Fatalf("re-importing the same file must change nothing: %+v %v", rep, err)
		}
		if got := countAll(t, st); got != before+2 {
			t.Fatalf("workers %d, want %d", got, before+2)
		}
		// A changed name and booth is an update of the same person.
		moved := header + "Asha Devi,9822222221,ccc0000001,F,D1-A1-M2-C1-S1-B1,\n"
		if rep, err := st.ImportWorkers(ctx, sys, strings.NewReader(moved), nil); err != nil || rep.Updated != 1 || rep.Inserted != 0 {
			t.Fatalf("changed row: %+v %v", rep, err)
		}
		w, err := st.FindWorkerByID(ctx, sys, workerID(t, st, "CCC0000001"))
		if err != nil || w.Name != "Asha Devi" || w.UnitID != unitID(t, st, "D1-A1-M2-C1-S1-B1") {
			t.Fatalf("updated worker %+v %v", w, err)
		}
		if len(w.Roles) != 1 || w.Roles[0].RoleKey != "committee_member" {
			t.Errorf("roles kept: %+v", w.Roles)
		}
	})

	t.Run("MandalOfficialCannotImportIntoAnotherMandal", func(t *testing.T) {
		st := storetest.Open(t)
		storetest.Seed(t, st)
		actor := storetest.Actor(t, st, "9800000003")
		file := header + good + "Far,9822222231,CCC0000009,M,D1-A1-M2-C1-S1-B1,\n"
		rep, err := st.ImportWorkers(ctx, actor, strings.NewReader(file), nil)
		if err == nil || len(rep.List) != 1 || rep.List[0].Line != 3 || rep.List[0].Column != "unit_code" {
			t.Fatalf("want line 3 unit error, got %+v %v", rep.List, err)
		}
		// Re-registering a worker of another district by voter ID is refused.
		steal := header + "Geeta,9822222232,BBB0000004,F,D1-A1-M1-C1-S1-B1,\n"
		rep, err = st.ImportWorkers(ctx, actor, strings.NewReader(steal), nil)
		if err == nil || len(rep.List) != 1 || !strings.Contains(rep.List[0].Reason, "another area") || strings.Contains(rep.List[0].Reason, "Geeta") {
			t.Fatalf("want outside-area error, got %+v %v", rep.List, err)
		}
	})

	t.Run("ProgressIsReported", func(t *testing.T) {
		st := storetest.Open(t)
		storetest.Seed(t, st)
		var b strings.Builder
		b.WriteString(header)
		for i := 0; i < 25_000; i++ {
			b.WriteString("W,,DDD")
			b.WriteString(strings.Repeat("0", 7-len(itoa(i))) + itoa(i))
			b.WriteString(",M,D1-A1-M1-C1-S1-B1,\n")
		}
		var seen []int
		rep, err := st.ImportWorkers(ctx, sys, strings.NewReader(b.String()), func(n int) { seen = append(seen, n) })
		if err != nil || rep.Inserted != 25_000 {
			t.Fatalf("import: %+v %v", rep.RowErrors, err)
		}
		if len(seen) != 2 || seen[1] != 20_000 {
			t.Errorf("progress calls %v", seen)
		}
	})
}

func itoa(i int) string {
	const digits = "0123456789"
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{digits[i%10]}, b...)
	}
	return string(b)
}

func TestUnitImport(t *testing.T) {
	ctx := context.Background()
	sys := schedule.SystemActor("test")
	cases := []struct{ name, csv, col, msg string }{
		{"RejectsUnknownParent", "code,parent_code,level,name\nX1,NOPE,district,X\n", "parent_code", `unknown parent unit "NOPE"`},
		{"RejectsWrongLevel", "code,parent_code,level,name\nX1,MP,mandal,X\n", "level", "must sit under a assembly"},
		{"RejectsUnknownLevel", "code,parent_code,level,name\nX1,MP,county,X\n", "level", `unknown level "county"`},
		{"RejectsDuplicateCode", "code,parent_code,level,name\nX1,MP,district,X\nX1,MP,district,Y\n", "code", "appears twice"},
		{"RejectsMove", "code,parent_code,level,name\nD1-A1,D2,assembly,Gwalior East\n", "parent_code", "moving units"},
		{"RejectsMissingName", "code,parent_code,level,name\nX1,MP,district,\n", "name", "is required"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			st := storetest.Open(t)
			storetest.ImportUnits(t, st, storetest.SmallTree)
			rep, err := st.ImportUnits(ctx, sys, strings.NewReader(tt.csv), nil)
			if err == nil || len(rep.List) == 0 {
				t.Fatalf("want an error, got %+v", rep)
			}
			e := rep.List[len(rep.List)-1]
			if e.Column != tt.col || !strings.Contains(e.Reason, tt.msg) {
				t.Errorf("got %+v, want column %s with %q", e, tt.col, tt.msg)
			}
			if _, err := st.FindUnitByCode(ctx, sys, "X1"); !schedule.IsNotFound(err) {
				t.Errorf("failed import left unit X1: %v", err)
			}
		})
	}
	t.Run("ReimportRenamesAndAddsNothingTwice", func(t *testing.T) {
		st := storetest.Open(t)
		storetest.ImportUnits(t, st, storetest.SmallTree)
		rep, err := st.ImportUnits(ctx, sys, strings.NewReader(storetest.SmallTree), nil)
		if err != nil || rep.Inserted != 0 || rep.Updated != 0 {
			t.Fatalf("re-import: %+v %v", rep, err)
		}
		rep, err = st.ImportUnits(ctx, sys, strings.NewReader("code,parent_code,level,name,name_hi\nD1,MP,district,Gwalior City,ग्वालियर शहर\nD3,MP,district,Indore,इंदौर\n"), nil)
		if err != nil || rep.Inserted != 1 || rep.Updated != 1 {
			t.Fatalf("rename+add: %+v %v", rep, err)
		}
		u, _ := st.FindUnitByCode(ctx, sys, "D1")
		if u.Name != "Gwalior City" || u.NameHi != "ग्वालियर शहर" {
			t.Errorf("renamed: %+v", u)
		}
		d3, _ := st.FindUnitByCode(ctx, sys, "D3")
		mp, _ := st.FindUnitByCode(ctx, sys, "MP")
		if d3.Path != schedule.ChildPath(mp.Path, d3.ID) {
			t.Errorf("path %q under %q", d3.Path, mp.Path)
		}
		// New units created afterwards get fresh IDs (the sequence moved on).
		created, err := st.CreateUnit(ctx, sys, schedule.Unit{ParentID: mp.ID, Code: "D4", Name: "Ujjain"})
		if err != nil || created.ID <= d3.ID {
			t.Errorf("create after import: %+v %v", created, err)
		}
	})
}

// TestBulkImportRebuildsIndexesAndKeys forces the Postgres bulk path on a
// small file: constraints and indexes must all be back afterwards, and a
// failing bulk import must leave them untouched.
func TestBulkImportRebuildsIndexesAndKeys(t *testing.T) {
	st := storetest.Open(t)
	if !st.Postgres() {
		testtool.PostgresOnly(t, "the bulk index rebuild")
	}
	storetest.Seed(t, st)
	st.SetBulkRows(1)
	ctx := context.Background()
	catalogue := func() string {
		var defs []string
		err := st.DB().NewRaw(`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('workers', 'worker_roles')
			UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid IN ('workers'::regclass, 'worker_roles'::regclass)
			ORDER BY 1`).Scan(ctx, &defs)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(defs, "\n")
	}
	before := catalogue()
	if !strings.Contains(before, "workers_unit_path_idx") || !strings.Contains(before, "FOREIGN KEY (unit_id)") {
		t.Fatalf("unexpected catalogue:\n%s", before)
	}
	sys := schedule.SystemActor("t")
	file := "name,mobile,voter_id,unit_code,roles\nBulk One,9866666661,FFF0000001,D1,committee_member\nSita Devi,9811111112,BBB0000002,D1-A1-M1-C1-S1-B2,\n"
	rep, err := st.ImportWorkers(ctx, sys, strings.NewReader(file), nil)
	if err != nil || rep.Inserted != 1 || rep.Updated != 1 {
		t.Fatalf("bulk import: %+v %v", rep, err)
	}
	if after := catalogue(); after != before {
		t.Errorf("catalogue changed:\nbefore %s\nafter  %s", before, after)
	}
	// The unique key is enforced again.
	if _, err := st.CreateWorker(ctx, sys, schedule.Worker{Name: "Dup", VoterID: "FFF0000001", UnitID: unitID(t, st, "D1"), Active: true}); schedule.ErrorCode(err) != schedule.ECONFLICT {
		t.Errorf("unique voter ID after rebuild: %v", err)
	}
	// A bulk import that fails in the merge rolls the DDL back too.
	bad := "name,mobile,voter_id,unit_code,roles\nX,9866666662,FFF0000002,D1,\nY,9866666663,FFF0000002,D1,\n"
	if _, err := st.ImportWorkers(ctx, sys, strings.NewReader(bad), nil); err == nil {
		t.Fatal("duplicate voter IDs accepted")
	}
	if after := catalogue(); after != before {
		t.Errorf("failed import changed the catalogue")
	}
}

// workerCatalogue lists the indexes and constraints of the worker tables
// (PostgreSQL), so a test can see that an import put every one back.
func workerCatalogue(t *testing.T, st *store.Store) string {
	t.Helper()
	if !st.Postgres() {
		return ""
	}
	var defs []string
	err := st.DB().NewRaw(`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('workers', 'worker_roles')
		UNION ALL SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated FROM pg_constraint
			WHERE conrelid IN ('workers'::regclass, 'worker_roles'::regclass) OR confrelid = 'workers'::regclass
		ORDER BY 1`).Scan(context.Background(), &defs)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(defs, "\n")
}

// TestWorkerImportIntoEmptyTable covers the first load of an empty workers
// table, which on PostgreSQL COPYs straight into workers and worker_roles
// and finds duplicates through the unique-key rebuild; on SQLite it is the
// ordinary staged import. Both must behave the same.
func TestWorkerImportIntoEmptyTable(t *testing.T) {
	ctx := context.Background()
	sys := schedule.SystemActor("test")
	header := "name,mobile,voter_id,gender,unit_code,roles\n"
	open := func(t *testing.T) (*store.Store, string) {
		st := storetest.Open(t)
		storetest.ImportUnits(t, st, storetest.SmallTree)
		if n := countAll(t, st); n != 0 {
			t.Fatalf("fresh store has %d workers", n)
		}
		return st, workerCatalogue(t, st)
	}

	t.Run("LoadsRowsAndRolesThenReimportsIdempotently", func(t *testing.T) {
		st, before := open(t)
		file := header +
			"Asha,9822222221,CCC0000001,F,D1-A1-M1-C1-S1-B1,committee_member;committee_member\n" +
			"Mobile Only,9822222230,,M,D1-A1-M1-C1-S1-B2,whatsapp_pramukh\n" +
			"  Ravi   KUMAR ,,CCC0000002,M,D2,\n"
		rep, err := st.ImportWorkers(ctx, sys, strings.NewReader(file), nil)
		if err != nil || rep.Inserted != 3 || rep.Updated != 0 || rep.Rows != 3 {
			t.Fatalf("first load: %+v %v", rep, err)
		}
		if after := workerCatalogue(t, st); after != before {
			t.Errorf("catalogue changed:\nbefore %s\nafter  %s", before, after)
		}
		w, err := st.FindWorkerByID(ctx, sys, workerID(t, st, "CCC0000001"))
		if err != nil || w.Name != "Asha" || w.Mobile != "+919822222221" || w.UnitID != unitID(t, st, "D1-A1-M1-C1-S1-B1") {
			t.Fatalf("loaded worker %+v %v", w, err)
		}
		if len(w.Roles) != 1 || w.Roles[0].RoleKey != "committee_member" || w.Roles[0].UnitID != w.UnitID {
			t.Errorf("roles of a row naming one role twice: %+v", w.Roles)
		}
		ravi, err := st.FindWorkerByID(ctx, sys, workerID(t, st, "CCC0000002"))
		if err != nil || ravi.Name != "Ravi   KUMAR" || len(ravi.Roles) != 0 {
			t.Fatalf("worker without roles %+v %v", ravi, err)
		}
		// Ids continue after the load: the sequence moved on.
		created, err := st.CreateWorker(ctx, sys, schedule.Worker{Name: "New", VoterID: "CCC0000003", UnitID: unitID(t, st, "D1"), Active: true})
		if err != nil || created.ID <= ravi.ID {
			t.Fatalf("create after load: %+v %v", created, err)
		}
		// Keys are enforced again.
		if _, err := st.CreateWorker(ctx, sys, schedule.Worker{Name: "Dup", VoterID: "CCC0000001", UnitID: unitID(t, st, "D1"), Active: true}); schedule.ErrorCode(err) != schedule.ECONFLICT {
			t.Errorf("unique voter ID after load: %v", err)
		}
		rep, err = st.ImportWorkers(ctx, sys, strings.NewReader(file), nil)
		if err != nil || rep.Inserted != 0 || rep.Updated != 0 {
			t.Fatalf("re-import must change nothing: %+v %v", rep, err)
		}
		if got := countAll(t, st); got != 4 {
			t.Errorf("workers %d, want 4", got)
		}
	})

	failing := []struct {
		name, csv string
		want      []schedule.RowError
	}{
		{"DuplicateVoterIDsNamedByLine", header +
			"A,9822222221,CCC0000001,F,D1,\n" +
			"B,9822222222,CCC0000002,F,D1,\n" +
			"C,9822222223,ccc0000001,F,D1,\n" +
			"D,9822222224,CCC0000002,F,D1,\n" +
			"E,9822222225,CCC0000001,F,D1,\n",
			[]schedule.RowError{
				{Line: 6, Column: "voter_id", Reason: "voter ID CCC0000001 appears 3 times in the file (first on line 2)"},
				{Line: 5, Column: "voter_id", Reason: "voter ID CCC0000002 appears 2 times in the file (first on line 3)"},
			}},
		// A mobile is one person's login: with or without voter IDs.
		{"DuplicateMobilesNamedByLine", header +
			"A,9822222221,,F,D1,committee_member\n" +
			"B,9822222221,CCC0000001,F,D1,\n" +
			"C,+91 98222 22221,,F,D1,\n",
			[]schedule.RowError{
				{Line: 4, Column: "mobile", Reason: "mobile +919822222221 appears 3 times in the file (first on line 2)"},
			}},
		{"BadRowAfterGoodOnes", header +
			"A,9822222221,CCC0000001,F,D1,committee_member\n" +
			"Bad,12345,CCC0000002,F,D1,\n" +
			"C,9822222223,CCC0000003,F,D1,\n",
			[]schedule.RowError{{Line: 3, Column: "mobile"}}},
	}
	for _, tt := range failing {
		t.Run(tt.name, func(t *testing.T) {
			st, before := open(t)
			rep, err := st.ImportWorkers(ctx, sys, strings.NewReader(tt.csv), nil)
			if schedule.ErrorCode(err) != schedule.EINVALID {
				t.Fatalf("err = %v, want invalid", err)
			}
			if rep.Inserted != 0 || rep.Updated != 0 || countAll(t, st) != 0 {
				t.Errorf("failed import wrote: %+v, %d workers", rep, countAll(t, st))
			}
			if len(rep.List) != len(tt.want) || rep.Total != len(tt.want) {
				t.Fatalf("errors %+v, want %+v", rep.List, tt.want)
			}
			for i, w := range tt.want {
				g := rep.List[i]
				if g.Line != w.Line || g.Column != w.Column || !strings.Contains(g.Reason, w.Reason) {
					t.Errorf("error %d = %+v, want %+v", i, g, w)
				}
			}
			if after := workerCatalogue(t, st); after != before {
				t.Errorf("failed import changed the catalogue:\nbefore %s\nafter  %s", before, after)
			}
			// The table is still empty and usable: a good file loads.
			rep, err = st.ImportWorkers(ctx, sys, strings.NewReader(header+"A,9822222221,CCC0000001,F,D1,committee_member\n"), nil)
			if err != nil || rep.Inserted != 1 {
				t.Fatalf("load after failure: %+v %v", rep, err)
			}
		})
	}

	// Rows are checked in parallel batches; the report must still list the
	// first problems of the file in line order and count them all.
	t.Run("ErrorsAcrossBatchesInLineOrder", func(t *testing.T) {
		for _, seeded := range []bool{false, true} {
			st, _ := open(t)
			if seeded {
				storetest.ImportWorkers(t, st, storetest.SmallWorkers)
			}
			before := countAll(t, st)
			var b strings.Builder
			b.WriteString(header)
			var want []int
			for i := 0; i < 5000; i++ {
				line := i + 2
				if i%37 == 5 {
					b.WriteString("Bad,123,,F,D1,\n")
					want = append(want, line)
					continue
				}
				b.WriteString("W,,DDD" + strings.Repeat("0", 7-len(itoa(i))) + itoa(i) + ",M,D1-A1-M1-C1-S1-B1,\n")
			}
			rep, err := st.ImportWorkers(ctx, sys, strings.NewReader(b.String()), nil)
			if schedule.ErrorCode(err) != schedule.EINVALID || rep.Total != len(want) || rep.Rows != 5000 || len(rep.List) != schedule.MaxReportedRowErrors {
				t.Fatalf("seeded %v: total %d of %d, rows %d, listed %d, err %v", seeded, rep.Total, len(want), rep.Rows, len(rep.List), err)
			}
			for i, e := range rep.List {
				if e.Line != want[i] || e.Column != "mobile" {
					t.Fatalf("seeded %v: error %d = %+v, want line %d", seeded, i, e, want[i])
				}
			}
			if after := countAll(t, st); after != before {
				t.Errorf("seeded %v: workers %d -> %d", seeded, before, after)
			}
		}
	})

	t.Run("ScopeRespected", func(t *testing.T) {
		st, _ := open(t)
		mandal, err := st.FindUnitByCode(ctx, sys, "D1-A1-M1")
		if err != nil {
			t.Fatal(err)
		}
		actor := schedule.Actor{Name: "mandal", Scope: schedule.NewScope(mandal.Path)}
		file := header + "In,9822222221,CCC0000001,F,D1-A1-M1-C1-S1-B1,\nOut,9822222222,CCC0000002,F,D1-A1-M2-C1-S1-B1,\n"
		rep, err := st.ImportWorkers(ctx, actor, strings.NewReader(file), nil)
		if err == nil || len(rep.List) != 1 || rep.List[0].Line != 3 || rep.List[0].Column != "unit_code" || countAll(t, st) != 0 {
			t.Fatalf("want line 3 unit error and nothing written, got %+v %v", rep.List, err)
		}
	})
}
