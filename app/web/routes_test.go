package web_test

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/app/web"
)

// TestOpenAPIMatchesTheRouteTable: every /api/v1 route in the table is in
// openapi.json with its method, and the document describes no operation
// the server does not have, so the two cannot drift.
func TestOpenAPIMatchesTheRouteTable(t *testing.T) {
	e := newEnv(t, web.Config{})
	resp, err := http.Get(e.srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			switch method {
			case "get", "post", "put", "patch", "delete", "head":
				// OpenAPI writes {id}, gin :id; servers: /api/v1.
				p := "/api/v1" + strings.NewReplacer("{", ":", "}", "").Replace(path)
				documented[strings.ToUpper(method)+" "+p] = true
			}
		}
	}
	served := map[string]bool{}
	for _, r := range routesOf(t, e) {
		if strings.HasPrefix(r.Path, "/api/v1/") && r.Path != "/api/v1/openapi.json" {
			served[r.Method+" "+r.Path] = true
		}
	}
	var missing, extra []string
	for k := range served {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !served[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("routes not in openapi.json: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("openapi.json describes operations the server does not have: %v", extra)
	}
	if len(served) < 10 {
		t.Fatalf("only %d API routes in the table", len(served))
	}
}

// TestOpenAPIRefsResolve: every schema openapi.json refers to is defined
// in it, so generated clients get every type.
func TestOpenAPIRefsResolve(t *testing.T) {
	e := newEnv(t, web.Config{})
	resp, err := http.Get(e.srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	schemas, _ := doc.(map[string]any)["components"].(map[string]any)["schemas"].(map[string]any)
	refs := 0
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["$ref"].(string); ok {
				refs++
				if name, ok := strings.CutPrefix(r, "#/components/schemas/"); !ok || schemas[name] == nil {
					t.Errorf("$ref %q names no schema", r)
				}
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(doc)
	if refs == 0 {
		t.Fatal("no $ref found")
	}
}
