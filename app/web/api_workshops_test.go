package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/app/web"
)

type workshopJSON struct {
	ID             int64
	Title          string
	Dates          []string
	RosterSource   string `json:"roster_source"`
	Districts      int
	Assigned       int
	TravelPersonKm float64 `json:"travel_person_km"`
	Cost           float64
	Plan           *struct {
		Current    bool
		Workshops  int
		Cost       float64
		LowerBound float64 `json:"lower_bound"`
		GapPct     float64 `json:"gap_pct"`
		Optimal    bool
	}
	Check *struct {
		Source     string
		Valid      bool
		Cost       float64
		Violations []struct{ Rule, Message string }
	}
	Rows []struct {
		District, HQ, Host, Date string
		Km                       float64
		Attendees                int
	}
	Workshops []struct {
		Host, Label, Date string
		Districts         []string
		Attendees         int
	}
}

// TestWorkshopsAPI: the state office's program reads the sample series,
// planned, with the figures and rows its page shows (in Hindi when asked,
// as the page is), a district sees its own assignments as on its list
// page, and nobody else reads the series.
func TestWorkshopsAPI(t *testing.T) {
	e := newEnv(t, web.Config{})
	addAllDistricts(t, e)
	b := e.browser()
	b.login("9800000001")
	resp, doc := b.post("/workshops/sample", url.Values{})
	id := seriesID(t, resp, doc)
	if resp, doc := b.post(fmt.Sprintf("/workshops/%d/plan", id), url.Values{}); resp.StatusCode != http.StatusOK {
		t.Fatalf("plan: %d %s", resp.StatusCode, doc.Find(".error").Text())
	}
	state := apiToken(t, e, "9800000001")

	var list struct {
		CanManage bool `json:"can_manage"`
		Series    []struct {
			ID        int64
			Title     string
			Published bool
			UpdatedAt string `json:"updated_at"`
		}
	}
	if code, raw := apiDo(t, e, "GET", "/api/v1/workshops", state, "", &list); code != http.StatusOK {
		t.Fatalf("list: %d %s", code, raw)
	}
	if !list.CanManage || len(list.Series) != 1 || list.Series[0].ID != id || list.Series[0].Published || !strings.HasSuffix(list.Series[0].UpdatedAt, "+05:30") {
		t.Errorf("state's list: %+v", list)
	}

	// The series in Hindi, as the page (Hindi by default) shows it.
	var w workshopJSON
	if code, raw := apiDo(t, e, "GET", fmt.Sprintf("/api/v1/workshops/%d", id), state, "", &w, "Accept-Language", "hi"); code != http.StatusOK {
		t.Fatalf("series: %d %s", code, raw)
	}
	_, doc = b.get(fmt.Sprintf("/workshops/%d", id))
	num := func(sel string) string { return strings.TrimSpace(doc.Find(sel).Text()) }
	f0 := func(v float64) string { return fmt.Sprintf("%.0f", v) }
	if num("#assigned") != fmt.Sprint(w.Assigned) || num("#workshop-count") != fmt.Sprint(len(w.Workshops)) ||
		num("#travel") != f0(w.TravelPersonKm) || num("#cost") != f0(w.Cost) || w.Assigned != w.Districts || w.Assigned == 0 {
		t.Errorf("summary: API assigned %d/%d, %d workshops, travel %.0f, cost %.0f; page %s, %s, %s, %s",
			w.Assigned, w.Districts, len(w.Workshops), w.TravelPersonKm, w.Cost, num("#assigned"), num("#workshop-count"), num("#travel"), num("#cost"))
	}
	if w.RosterSource != "plan" || w.Plan == nil || !w.Plan.Current || w.Plan.Workshops != len(w.Workshops) || f0(w.Plan.Cost) != num("#cost") ||
		num("#lower-bound") != f0(w.Plan.LowerBound) || (w.Plan.Optimal != (doc.Find("#optimal").Length() == 1)) ||
		!w.Plan.Optimal && num("#gap") != fmt.Sprintf("%.2f%%", w.Plan.GapPct) {
		t.Errorf("plan %+v; page lower bound %s gap %s optimal %d", w.Plan, num("#lower-bound"), num("#gap"), doc.Find("#optimal").Length())
	}
	// The 2022 roster checked against the series stays beside the plan.
	if w.Check == nil || w.Check.Source != "fixture" || num("#hand-cost") != f0(w.Check.Cost) || (w.Check.Valid != (doc.Find("#check-valid").Length() == 1)) ||
		len(w.Check.Violations) != doc.Find("#violations li").Length() {
		t.Errorf("check %+v; page cost %s, %d violations", w.Check, num("#hand-cost"), doc.Find("#violations li").Length())
	}
	rows := doc.Find("#roster tbody tr")
	if rows.Length() != len(w.Rows) {
		t.Fatalf("%d rows in the API, %d on the page", len(w.Rows), rows.Length())
	}
	for i, r := range w.Rows {
		tr := rows.Eq(i)
		host, _ := tr.Find("input").Attr("value")
		if district, _ := tr.Attr("data-district"); district != r.District || host != r.Host || strings.TrimSpace(tr.Find("td.num").Text()) != f0(r.Km) ||
			tr.Find("td.muted").Text() != r.HQ {
			t.Errorf("row %d: API %+v, page %q %q %q %q", i, r, district, host, tr.Find("td.num").Text(), tr.Find("td.muted").Text())
		}
	}
	hosts := doc.Find("#hosts tbody tr")
	for i, h := range w.Workshops {
		tr := hosts.Eq(i)
		if tr.Find("td").Eq(0).Text() != h.Label || tr.Find("td").Eq(1).Text() != h.Date || tr.Find("td.num").Text() != fmt.Sprint(h.Attendees) ||
			tr.Find("td").Eq(2).Text() != strings.Join(h.Districts, ", ") {
			t.Errorf("workshop %d: API %+v, page %q", i, h, tr.Text())
		}
	}
	if !strings.ContainsAny(w.Workshops[0].Label, "अआइईउएओकखगघचछजझटडणतथदधनपफबभमयरलवशसह") {
		t.Errorf("the Hindi answer names the host %q", w.Workshops[0].Label)
	}

	// A district official plans nothing and reads no series; their own
	// districts' workshops are listed as on their page.
	district := apiToken(t, e, "9800000002")
	var mine struct {
		CanManage   bool `json:"can_manage"`
		Series      []any
		Assignments []struct {
			SeriesID int64 `json:"series_id"`
			District string
			Date     string
		}
	}
	if code, raw := apiDo(t, e, "GET", "/api/v1/workshops", district, "", &mine); code != http.StatusOK {
		t.Fatalf("district's list: %d %s", code, raw)
	}
	db := e.browser()
	db.login("9800000002")
	_, ddoc := db.get("/workshops")
	if mine.CanManage || len(mine.Series) != 0 || len(mine.Assignments) != ddoc.Find("#mine tbody tr").Length() || len(mine.Assignments) == 0 ||
		mine.Assignments[0].SeriesID != id {
		t.Errorf("district's list %+v; page lists %d", mine, ddoc.Find("#mine tbody tr").Length())
	}
	for _, p := range []string{fmt.Sprintf("/api/v1/workshops/%d", id), "/api/v1/workshops/999999", "/api/v1/workshops/x"} {
		code, raw := apiDo(t, e, "GET", p, district, "", nil)
		var er apiError
		json.Unmarshal(raw, &er)
		if code != http.StatusNotFound || er.Error.Code != "not_found" {
			t.Errorf("district reads %s: %d %s", p, code, raw)
		}
	}
}
