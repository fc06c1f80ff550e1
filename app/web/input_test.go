package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/schedule"
)

// apiToken logs in through the JSON API as a program does (the CSRF
// cookie pair, then code and verify) and returns the bearer token.
func apiToken(t *testing.T, e *env, mobile string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	c.Get(e.srv.URL + "/login")
	u, _ := url.Parse(e.srv.URL)
	var csrf string
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "kk_csrf" {
			csrf = ck.Value
		}
	}
	post := func(path, body string) map[string]any {
		req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(body))
		req.Header.Set("X-CSRF-Token", csrf)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return out
	}
	post("/api/v1/login/code", `{"mobile":"`+mobile+`"}`)
	m, _ := schedule.NormaliseMobile(mobile)
	sms, err := e.st.LastSMS(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	out := post("/api/v1/login/verify", `{"mobile":"`+mobile+`","code":"`+codeRE.FindStringSubmatch(sms)[1]+`"}`)
	tok, _ := out["token"].(string)
	if tok == "" {
		t.Fatalf("API login failed: %v", out)
	}
	return tok
}

// apiCall sends body (raw bytes, so tests can send what JSON encoders
// would not) with the bearer token.
func apiCall(t *testing.T, e *env, method, path, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
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

func TestAPIRefusesMalformedJSON(t *testing.T) {
	e := newEnv(t, web.Config{})
	tok := apiToken(t, e, "9800000002")
	booth := unitID(t, e.st, "D1-A1-M1-C1-S1-B1")
	for _, tc := range []struct{ name, body string }{
		{"TrailingGarbage", fmt.Sprintf(`{"name":"Trailing","unit_id":%d} {"name":"second"}`, booth)},
		{"TrailingText", fmt.Sprintf(`{"name":"Trailing","unit_id":%d}xyz`, booth)},
		{"InvalidUTF8", fmt.Sprintf("{\"name\":\"Ra\xffm\",\"unit_id\":%d}", booth)},
		{"InvalidUTF8Key", fmt.Sprintf("{\"name\":\"Ram\",\"unit_id\":%d,\"wo\xferk\":\"x\"}", booth)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, msg := apiCall(t, e, "POST", "/api/v1/workers", tok, tc.body)
			if code != http.StatusUnprocessableEntity && code != http.StatusBadRequest {
				t.Errorf("body %q: %d %q, want refused", tc.body, code, msg)
			}
		})
	}
	var n int
	e.st.DB().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM workers WHERE name LIKE 'Ra%m' OR name = 'Trailing'").Scan(&n)
	if n != 0 {
		t.Errorf("%d workers were created from malformed bodies", n)
	}
}

func TestNamesRefuseTextDirectionTricks(t *testing.T) {
	e := newEnv(t, web.Config{})
	tok := apiToken(t, e, "9800000002")
	booth := unitID(t, e.st, "D1-A1-M1-C1-S1-B1")
	for _, tc := range []struct{ field, value string }{
		{"name", "Ram \u202Eramuk"},             // right-to-left override
		{"name", "Ram\u2066 Kumar\u2069"},       // isolates
		{"work", "Booth\u202Dlist"},             // left-to-right override
		{"social", "@ram\u200F"},                // right-to-left mark
		{"email", "ram@example.in\r\nBcc: x@y"}, // header injection
		{"email", "ram@example.in\nx"},
	} {
		body, _ := json.Marshal(map[string]any{"name": "Ram Kumar", "unit_id": booth, tc.field: tc.value})
		if tc.field == "name" {
			body, _ = json.Marshal(map[string]any{"name": tc.value, "unit_id": booth})
		}
		code, msg := apiCall(t, e, "POST", "/api/v1/workers", tok, string(body))
		if code != http.StatusUnprocessableEntity || !strings.Contains(msg, tc.field) {
			t.Errorf("%s %q: %d %q, want 422 naming the field", tc.field, tc.value, code, msg)
		}
	}
	// Devanagari's joiners are text, not tricks: ZWJ/ZWNJ stay allowed.
	body, _ := json.Marshal(map[string]any{"name": "क्\u200Dष त्र\u200Cय", "unit_id": booth})
	if code, msg := apiCall(t, e, "POST", "/api/v1/workers", tok, string(body)); code != http.StatusCreated {
		t.Errorf("a name with ZWJ/ZWNJ: %d %q", code, msg)
	}
}

func TestConflictsDoNotNameDatabaseConstraints(t *testing.T) {
	e := newEnv(t, web.Config{})
	tok := apiToken(t, e, "9800000002")
	booth := unitID(t, e.st, "D1-A1-M1-C1-S1-B1")
	// AAA0000004 is the booth president's voter ID, in the same district.
	code, msg := apiCall(t, e, "POST", "/api/v1/workers", tok, fmt.Sprintf(`{"name":"Copy","voter_id":"AAA0000004","unit_id":%d}`, booth))
	if code != http.StatusConflict || strings.Contains(msg, "_key") || strings.Contains(msg, "workers_") {
		t.Errorf("duplicate voter ID: %d %q", code, msg)
	}
}

// TestRacingWritesDoNotNameDatabaseConstraints makes PostgreSQL itself
// refuse a write: another transaction gives the mobile to someone and
// has not committed when the API checks it, so the check passes and the
// insert waits on the unique index, then fails with workers_mobile_key
// when the other commits. The official is told the product's words, not
// the constraint's name. (SQLite runs one writer at a time, so there the
// check and the insert cannot be raced.)
func TestRacingWritesDoNotNameDatabaseConstraints(t *testing.T) {
	e := newEnv(t, web.Config{})
	if !e.st.Postgres() {
		t.Skip("only PostgreSQL lets two writers race on one key: set " + "KARYAKRAM_TEST_DSN")
	}
	ctx := context.Background()
	tok := apiToken(t, e, "9800000002")
	booth := unitID(t, e.st, "D1-A1-M1-C1-S1-B1")
	for _, lang := range []string{"en", "hi"} {
		mobile := map[string]string{"en": "9822233344", "hi": "9822233345"}[lang]
		tx, err := e.st.DB().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE workers SET mobile = ? WHERE voter_id = 'BBB0000003'", "+91"+mobile); err != nil {
			tx.Rollback()
			t.Fatal(err)
		}
		var xid string
		if err := tx.QueryRowContext(ctx, "SELECT transactionid::text FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'transactionid' AND granted").Scan(&xid); err != nil {
			tx.Rollback()
			t.Fatal(err)
		}
		type answer struct {
			code int
			msg  string
		}
		done := make(chan answer, 1)
		go func() {
			code, msg := apiAs(t, e, "POST", "/api/v1/workers", tok, lang, fmt.Sprintf(`{"name":"Racer","mobile":%q,"unit_id":%d}`, mobile, booth))
			done <- answer{code, msg}
		}()
		// Commit once the API's insert waits for this transaction.
		waiting := false
		for i := 0; i < 500 && !waiting; i++ {
			var n int
			if err := e.st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'transactionid' AND transactionid::text = ? AND NOT granted", xid).Scan(&n); err != nil {
				t.Fatal(err)
			}
			waiting = n > 0
			if !waiting {
				time.Sleep(10 * time.Millisecond)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if !waiting {
			t.Fatalf("%s: the API's insert never waited on the other transaction: %+v", lang, <-done)
		}
		a := <-done
		if a.code != http.StatusConflict {
			t.Fatalf("%s: the racing insert: %+v, want 409", lang, a)
		}
		for _, leak := range []string{"workers_", "_key", "duplicate key", "constraint", "SQLSTATE", "23505", "internal error"} {
			if strings.Contains(a.msg, leak) {
				t.Errorf("%s: the answer says %q: %q", lang, leak, a.msg)
			}
		}
		want := map[string]string{"en": "a worker with this mobile or voter ID already exists", "hi": "इस मोबाइल या मतदाता पहचान पत्र वाला कार्यकर्ता पहले से मौजूद है"}[lang]
		if a.msg != want {
			t.Errorf("%s: %q, want %q", lang, a.msg, want)
		}
	}
}

// TestAPIWithTheSessionCookieNeedsTheCSRFToken: a page's script may call
// the API with the browser's session cookie, so such calls must carry the
// CSRF token as pages' forms do; a bearer token is not sent by browsers
// on their own and needs none. A bogus bearer does not fall back to the
// cookie's session. JSON bodies stop at 1 MB (413).
func TestAPIWithTheSessionCookieNeedsTheCSRFToken(t *testing.T) {
	e := newEnv(t, web.Config{})
	b := english(e, "9800000002")
	booth := unitID(t, e.st, "D1-A1-M1-C1-S1-B1")
	call := func(body string, header map[string]string) int {
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/workers", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := b.c.Do(req) // with the browser's cookies
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	worker := func(name string) string { return fmt.Sprintf(`{"name":%q,"unit_id":%d}`, name, booth) }
	if code := call(worker("No Token"), nil); code != http.StatusForbidden {
		t.Errorf("cookie session without the CSRF token: %d, want 403", code)
	}
	if code := call(worker("Wrong Token"), map[string]string{"X-CSRF-Token": "not-the-token-of-this-browser"}); code != http.StatusForbidden {
		t.Errorf("cookie session with another CSRF token: %d, want 403", code)
	}
	if code := call(worker("Bogus Bearer"), map[string]string{"Authorization": "Bearer forged"}); code != http.StatusUnauthorized {
		t.Errorf("a bogus bearer beside the session cookie: %d, want 401", code)
	}
	if code := call(worker("With Token"), map[string]string{"X-CSRF-Token": b.csrf()}); code != http.StatusCreated {
		t.Errorf("cookie session with the CSRF token: %d, want 201", code)
	}
	tok := apiToken(t, e, "9800000002")
	if code, msg := apiCall(t, e, "POST", "/api/v1/workers", tok, worker("Bearer")); code != http.StatusCreated {
		t.Errorf("bearer without a CSRF token: %d %q", code, msg)
	}
	big := fmt.Sprintf(`{"name":"Big","unit_id":%d,"work":"%s"}`, booth, strings.Repeat("x", 1<<20))
	if code, msg := apiCall(t, e, "POST", "/api/v1/workers", tok, big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over 1 MB: %d %q, want 413", code, msg)
	}
	var n int
	e.st.DB().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM workers WHERE name IN ('No Token', 'Wrong Token', 'Bogus Bearer', 'Big')").Scan(&n)
	if n != 0 {
		t.Errorf("%d workers were created by refused calls", n)
	}
}
