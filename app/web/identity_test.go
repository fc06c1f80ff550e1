package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/schedule"
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

// apiAs sends body with the bearer token in the given Accept-Language and
// returns the status and the error's message.
func apiAs(t *testing.T, e *env, method, path, token, lang, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", lang)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Error struct{ Message string } `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out.Error.Message
}

// TestOutOfAreaMatchesAnswerAlikeAndAreLogged: creating or editing a
// worker with a mobile or voter ID that a person of another district
// holds gets one answer, whoever holds it (in English and Hindi), names
// nobody, and the store logs the attempt with the official and the
// masked number.
func TestOutOfAreaMatchesAnswerAlikeAndAreLogged(t *testing.T) {
	e, logs := newLoggedEnv(t, web.Config{})
	tok := apiToken(t, e, "9800000002") // District President, D1
	booth := unitID(t, e.st, "D1-A1-M1-C1-S1-B1")
	ram := workerID(t, e, "9811111111")
	type answer struct {
		code int
		msg  string
	}
	try := func(lang, method, path, body string) answer {
		code, msg := apiAs(t, e, method, path, tok, lang, body)
		return answer{code, msg}
	}
	for _, tc := range []struct {
		lang, want string
	}{
		{"en", "registered to a person in another area; ask the state office"},
		{"hi", "दूसरे क्षेत्र"},
	} {
		// Geeta Bai (D2, a worker) and the other district's president
		// (D2, an official): the same words for both, on create and edit.
		var got []answer
		for _, mobile := range []string{"9811111114", "9800000005"} {
			got = append(got,
				try(tc.lang, "POST", "/api/v1/workers", fmt.Sprintf(`{"name":"Copy","mobile":%q,"unit_id":%d}`, mobile, booth)),
				try(tc.lang, "PATCH", fmt.Sprintf("/api/v1/workers/%d", ram), fmt.Sprintf(`{"mobile":%q}`, mobile)))
		}
		for i, a := range got {
			if a != got[0] {
				t.Errorf("%s: answer %d %+v differs from %+v", tc.lang, i, a, got[0])
			}
		}
		if got[0].code != http.StatusConflict || !strings.Contains(got[0].msg, tc.want) {
			t.Errorf("%s: %+v, want 409 saying %q", tc.lang, got[0], tc.want)
		}
		for _, leak := range []string{"Geeta", "Other District", "D2", "Bhopal", "भोपाल", "worker "} {
			if strings.Contains(got[0].msg, leak) {
				t.Errorf("%s: the answer names %q: %q", tc.lang, leak, got[0].msg)
			}
		}
		vote := try(tc.lang, "PATCH", fmt.Sprintf("/api/v1/workers/%d", ram), `{"voter_id":"BBB0000004"}`)
		if vote.code != http.StatusConflict || !strings.Contains(vote.msg, tc.want[:len(tc.want)/2]) || strings.Contains(vote.msg, "Geeta") {
			t.Errorf("%s: voter ID of Geeta Bai: %+v", tc.lang, vote)
		}
	}
	// Nothing changed.
	if w, err := e.st.FindWorkerByID(context.Background(), schedule.SystemActor("t"), ram); err != nil || w.Mobile != "+919811111111" || w.VoterID != "BBB0000001" {
		t.Errorf("राम कुमार after the refusals: %+v %v", w, err)
	}
	// Every match is in the log, with who asked and the number masked.
	l := logs.String()
	lines := regexp.MustCompile(`(?m)^.*out-of-area identity match.*$`).FindAllString(l, -1)
	if len(lines) != 10 {
		t.Errorf("%d out-of-area matches logged, want 10:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	for _, ln := range lines {
		if !strings.Contains(ln, fmt.Sprintf("actor=%d", workerID(t, e, "9800000002"))) || !strings.Contains(ln, "where=") {
			t.Errorf("log line without the official or the action: %s", ln)
		}
	}
	for _, full := range []string{"9811111114", "9800000005", "BBB0000004"} {
		if strings.Contains(l, full) {
			t.Errorf("the log holds %s unmasked", full)
		}
	}
}

// workerID is the id of the worker holding mobile.
func workerID(t *testing.T, e *env, mobile string) int64 {
	t.Helper()
	m, _ := schedule.NormaliseMobile(mobile)
	ws, _, err := e.st.FindWorkers(context.Background(), schedule.SystemActor("t"), schedule.WorkerFilter{Query: m})
	if err != nil || len(ws) != 1 {
		t.Fatalf("worker with mobile %s: %v %v", mobile, ws, err)
	}
	return ws[0].ID
}
