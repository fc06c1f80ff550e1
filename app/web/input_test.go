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
