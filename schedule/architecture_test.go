package schedule_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestArchitecture keeps the layering the project is built on (the arrows
// in docs/DEVELOPING.md): the domain imports only the standard library,
// LiveKit stays inside conferencing, gin inside the HTTP layer and bun
// inside storage and migrations; nothing imports cmd, nothing below app
// reaches into it, and only cmd wires conferencing in.
func TestArchitecture(t *testing.T) {
	const module = "github.com/karyakram/karyakram/"
	rules := []struct {
		name    string
		applies func(path string, test bool) bool
		allowed func(imp string) bool
	}{
		{"schedule imports only the standard library", func(p string, test bool) bool { return strings.HasPrefix(p, "schedule/") && !test },
			func(imp string) bool {
				return !strings.Contains(strings.Split(imp, "/")[0], ".") || strings.HasPrefix(imp, module+"schedule")
			}},
		{"only conferencing imports LiveKit", func(p string, _ bool) bool { return !strings.HasPrefix(p, "conferencing/") },
			func(imp string) bool { return !strings.HasPrefix(imp, "github.com/livekit/") }},
		{"only app/web (and bench servers) import gin", func(p string, _ bool) bool {
			return !strings.HasPrefix(p, "app/web/") && !strings.HasPrefix(p, "bench/")
		}, func(imp string) bool { return !strings.HasPrefix(imp, "github.com/gin-gonic/") }},
		{"only storage and migrations import bun", func(p string, test bool) bool {
			return !strings.HasPrefix(p, "app/store/") && !strings.HasPrefix(p, "migrations/") && !test
		}, func(imp string) bool { return !strings.HasPrefix(imp, "github.com/uptrace/bun") }},
		{"nothing imports the command", func(string, bool) bool { return true },
			func(imp string) bool { return !strings.HasPrefix(imp, module+"cmd") }},
		{"the domain, templates, migrations and conferencing do not reach into app", func(p string, test bool) bool {
			return !test && !strings.HasPrefix(p, "app/") && !strings.HasPrefix(p, "cmd/") && !strings.HasPrefix(p, "bench/")
		}, func(imp string) bool { return !strings.HasPrefix(imp, module+"app/") }},
		// Adapters meet only through the domain's ports (schedule's
		// Conference, BridgeProvisioner, presence types): cmd wires
		// conferencing in, no other package links it.
		{"only cmd wires the conferencing adapter in", func(p string, test bool) bool {
			return !test && !strings.HasPrefix(p, "conferencing/") && !strings.HasPrefix(p, "cmd/") && !strings.HasPrefix(p, "bench/")
		}, func(imp string) bool { return !strings.HasPrefix(imp, module+"conferencing") }},
	}
	root := ".."
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		test := strings.HasSuffix(rel, "_test.go")
		for _, is := range f.Imports {
			imp, _ := strconv.Unquote(is.Path.Value)
			for _, r := range rules {
				if r.applies(rel, test) && !r.allowed(imp) {
					t.Errorf("%s imports %s: %s", rel, imp, r.name)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("only %d Go files found from %s", checked, root)
	}
}

// TestEveryCSVExportIsNeutralised keeps CSV injection closed: product code
// writes CSV only through schedule.NewCSVWriter. The seed generator is the
// exception: it writes synthetic import files, not exports of user data.
func TestEveryCSVExportIsNeutralised(t *testing.T) {
	allowed := map[string]bool{"schedule/csvcell.go": true, "app/seed/seed.go": true}
	root := ".."
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(src), "csv.NewWriter(") && !allowed[rel] {
			t.Errorf("%s writes CSV with csv.NewWriter; use schedule.NewCSVWriter so cells cannot run as spreadsheet formulas", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
