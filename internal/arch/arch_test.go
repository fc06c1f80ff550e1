// Package arch holds the test that keeps the code's arrows pointing the way
// docs/DEVELOPING.md draws them: the domain (schedule) depends on nothing
// but the standard library, adapters depend on the domain, and each outside
// library is imported by the one package that adapts it.
package arch

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/karyakram/karyakram"

// rule: packages matching from may not import packages matching to,
// unless they are under one of allowed.
type rule struct {
	what    string
	to      func(imp string) bool
	allowed []string // package prefixes (module-relative) that may
}

func under(p string, prefixes ...string) bool {
	for _, pre := range prefixes {
		if p == pre || strings.HasPrefix(p, pre+"/") {
			return true
		}
	}
	return false
}

func external(prefix string) func(string) bool {
	return func(imp string) bool { return imp == prefix || strings.HasPrefix(imp, prefix+"/") }
}

func local(prefix string) func(string) bool {
	return func(imp string) bool {
		return under(strings.TrimPrefix(imp, module+"/"), prefix) && strings.HasPrefix(imp, module+"/")
	}
}

// crossings are known arrows against the layout, each with its issue; the
// test fails when one is gone too, so the list only shrinks.
var crossings = map[string]string{
	// none left: app/web and app/addresses/lkconf imported conferencing
	// until issue 15 moved the ports into schedule.
}

func TestImportsFollowTheLayout(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}|{{join .Imports ","}}`, module+"/...").Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	stdlib := func(imp string) bool { return !strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") }
	rules := []rule{
		{"the domain imports only the standard library and itself", func(imp string) bool {
			return !stdlib(imp) && !local("schedule")(imp)
		}, nil},
		{"LiveKit is adapted by conferencing alone", external("github.com/livekit"), []string{"conferencing"}},
		{"gin is the web layer's alone", external("github.com/gin-gonic"), []string{"app/web", "bench"}},
		{"bun is the store's and the migrations' alone", external("github.com/uptrace/bun"), []string{"app/store", "migrations"}},
		{"nothing imports the command", local("cmd"), nil},
		{"the domain, templates and adapters do not reach into app", local("app"), []string{"app", "cmd", "bench"}},
	}
	// The domain rule applies to schedule only; the others to everyone.
	domainOnly := map[string]bool{rules[0].what: true}
	seen := map[string]bool{}
	packages := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, imports, _ := strings.Cut(line, "|")
		rel := strings.TrimPrefix(path, module)
		rel = strings.TrimPrefix(rel, "/")
		packages++
		for _, imp := range strings.Split(imports, ",") {
			if imp == "" {
				continue
			}
			for _, r := range rules {
				if domainOnly[r.what] && !under(rel, "schedule") {
					continue
				}
				if !r.to(imp) || under(rel, r.allowed...) {
					continue
				}
				arrow := rel + " -> " + strings.TrimPrefix(imp, module+"/")
				if _, known := crossings[arrow]; known {
					seen[arrow] = true
					continue
				}
				t.Errorf("%s imports %s: %s (docs/DEVELOPING.md)", rel, imp, r.what)
			}
		}
	}
	// Adapters do not import each other either: only cmd wires
	// conferencing in; checked explicitly.
	for _, line := range strings.Split(string(out), "\n") {
		path, imports, _ := strings.Cut(line, "|")
		rel := strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
		for _, imp := range strings.Split(imports, ",") {
			if local("conferencing")(imp) && !under(rel, "conferencing", "cmd", "bench") {
				arrow := rel + " -> conferencing"
				if _, known := crossings[arrow]; known {
					seen[arrow] = true
					continue
				}
				t.Errorf("%s imports %s: only cmd wires the conferencing adapter", rel, imp)
			}
		}
	}
	var gone []string
	for c := range crossings {
		if !seen[c] {
			gone = append(gone, c)
		}
	}
	sort.Strings(gone)
	for _, c := range gone {
		t.Errorf("known crossing %q no longer exists: remove it from crossings", c)
	}
	if packages < 20 {
		t.Fatalf("go list found only %d packages", packages)
	}
}
