package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/app/web"
)

// TestMobileTakeoverThroughTheWorkerForm replays the probe's takeover in
// the pages: a booth president puts the mandal president's mobile on a
// worker of the booth. The form refuses without naming anyone outside the
// booth, and the mandal president still logs into their own mandal.
func TestMobileTakeoverThroughTheWorkerForm(t *testing.T) {
	e := newEnv(t, web.Config{})
	booth := english(e, "9800000004")
	resp, doc := booth.post("/workers", url.Values{"name": {"Decoy"}, "mobile": {"9800000003"}, "active": {"on"},
		"unit": {fmt.Sprint(unitID(t, e.st, "D1-A1-M1-C1-S1-B1"))}})
	msg := doc.Find(".error").Text()
	if resp.StatusCode != http.StatusConflict || !strings.Contains(msg, "another area") || strings.Contains(msg, "Mandal President") {
		t.Fatalf("worker with the mandal president's mobile: %d %q", resp.StatusCode, msg)
	}
	if v, _ := doc.Find("input[name=name]").Attr("value"); v != "Decoy" {
		t.Errorf("the form lost the input: name %q", v)
	}
	// In Hindi, the page's language, the same refusal reads in Hindi.
	hindi := e.browser()
	hindi.login("9800000004")
	hindi.get("/lang/hi?next=/")
	resp, doc = hindi.post("/workers", url.Values{"name": {"Decoy"}, "mobile": {"9800000003"}, "active": {"on"},
		"unit": {fmt.Sprint(unitID(t, e.st, "D1-A1-M1-C1-S1-B1"))}})
	if msg := doc.Find(".error").Text(); resp.StatusCode != http.StatusConflict || !strings.Contains(msg, "दूसरे क्षेत्र") {
		t.Errorf("Hindi page: %d %q", resp.StatusCode, msg)
	}
	mandal := english(e, "9800000003")
	if resp, _ := mandal.get(fmt.Sprintf("/units/%d", unitID(t, e.st, "D1-A1-M1"))); resp.StatusCode != http.StatusOK {
		t.Errorf("the mandal president's own mandal: %d", resp.StatusCode)
	}
	// Inside the area, the refusal names the holder.
	resp, doc = mandal.post("/workers", url.Values{"name": {"Copy"}, "mobile": {"9800000004"}, "active": {"on"},
		"unit": {fmt.Sprint(unitID(t, e.st, "D1-A1-M1-C1-S1-B2"))}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(doc.Find(".error").Text(), "Booth President") {
		t.Errorf("duplicate inside the mandal: %d %q", resp.StatusCode, doc.Find(".error").Text())
	}
}
