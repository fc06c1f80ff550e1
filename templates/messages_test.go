package templates

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/schedule"
)

// messageFuncs are the functions whose argument at the given position is
// the English format of a message people read (a schedule.Msg key):
// schedule's constructors, and found by scanMessageFormats, every function
// in app/ or schedule/ that passes its own format parameter on to one
// (local helpers like event validation's add(field, format, args...)).
var messageFuncs = map[string]int{"Errorf": 1, "FieldError": 1, "Msgf": 0}

// nounFuncs take a noun that becomes a message argument and is translated
// (app/store's mapErr(err, "worker")).
var nounFuncs = map[string]int{"mapErr": 1}

// notYetShown are packages whose messages no page shows yet (their
// command line speaks English): the tour planner's web pages come with
// issue 17's second part; take it off this list then.
var notYetShown = map[string]bool{"../schedule/tour": true}

// messageFormat is one format found in the source; Literal is false for
// a format computed at run time, which no catalogue can hold.
type messageFormat struct {
	Format  string
	Where   string
	Literal bool
}

// wrapper is a function that passes its format parameter (at pos) on to
// a message function.
type wrapper struct {
	name   string
	dir    string
	pos    int
	method bool
	scope  ast.Node // the enclosing function of a closure, else nil
}

type parsedFile struct {
	path string
	file *ast.File
}

// scanMessageFormats returns the literal message formats passed to message
// functions in the non-test Go files under root's app/ and schedule/.
// Calls are matched by name (schedule.Errorf, errs.Add, add), which is
// enough here: a false match only asks for one translation too many.
func scanMessageFormats(t *testing.T, root string) []messageFormat {
	t.Helper()
	fset := token.NewFileSet()
	var files []parsedFile
	for _, dir := range []string{"app", "schedule"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && notYetShown[filepath.ToSlash(path)] {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			files = append(files, parsedFile{path, f})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// String constants may stand for a format (schedule.InternalErrorText).
	consts := map[string]string{}
	for _, pf := range files {
		for _, decl := range pf.file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i < len(vs.Values) {
						if v, ok := literalString(vs.Values[i], nil); ok {
							consts[n.Name] = v
						}
					}
				}
			}
		}
	}
	// Wrappers: functions with a "format string" parameter that they pass
	// to a message function, found until nothing new turns up. A wrapper
	// is known by its name within its scope: a method anywhere, a function
	// in its directory, a closure (add := func...) in its enclosing
	// function.
	var wrappers []wrapper
	// lookup finds the message function a call calls; loose is set for a
	// method matched by name in another package (errs.Add is
	// schedule.RowErrors', s.fail is not): only its literal formats count.
	lookup := func(pf parsedFile, call *ast.CallExpr) (pos int, ok, loose bool) {
		name := calleeName(call, pf.file.Name.Name)
		if pos, ok := messageFuncs[name]; ok {
			return pos, true, false
		}
		_, method := call.Fun.(*ast.SelectorExpr)
		for _, w := range wrappers {
			if w.name != name || w.method != method {
				continue
			}
			same := filepath.Dir(pf.path) == w.dir
			if w.method {
				return w.pos, true, !same
			}
			if same && (w.scope == nil || w.scope.Pos() <= call.Pos() && call.Pos() < w.scope.End()) {
				return w.pos, true, false
			}
		}
		return 0, false, false
	}
	for changed := true; changed; {
		changed = false
		for _, pf := range files {
			for _, decl := range pf.file.Decls {
				fd, ok := decl.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				consider := func(name string, ft *ast.FuncType, body *ast.BlockStmt, method bool, scope ast.Node) {
					idx := formatParam(ft)
					if idx < 0 {
						return
					}
					w := wrapper{name: name, dir: filepath.Dir(pf.path), pos: idx, method: method, scope: scope}
					for _, have := range wrappers {
						if have == w {
							return
						}
					}
					ast.Inspect(body, func(m ast.Node) bool {
						call, ok := m.(*ast.CallExpr)
						if !ok {
							return true
						}
						if pos, ok, _ := lookup(pf, call); ok && len(call.Args) > pos {
							if id, ok := call.Args[pos].(*ast.Ident); ok && id.Name == "format" {
								wrappers = append(wrappers, w)
								changed = true
								return false
							}
						}
						return true
					})
				}
				consider(fd.Name.Name, fd.Type, fd.Body, fd.Recv != nil, nil)
				ast.Inspect(fd.Body, func(n ast.Node) bool {
					if as, ok := n.(*ast.AssignStmt); ok && len(as.Lhs) == 1 && len(as.Rhs) == 1 {
						id, ok1 := as.Lhs[0].(*ast.Ident)
						lit, ok2 := as.Rhs[0].(*ast.FuncLit)
						if ok1 && ok2 {
							consider(id.Name, lit.Type, lit.Body, false, fd)
						}
					}
					return true
				})
			}
		}
	}
	var out []messageFormat
	for _, pf := range files {
		ast.Inspect(pf.file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			pos, ok, loose := lookup(pf, call)
			if !ok {
				pos, ok = nounFuncs[calleeName(call, pf.file.Name.Name)]
			}
			if !ok || len(call.Args) <= pos {
				return true
			}
			rel, _ := filepath.Rel(root, pf.path)
			where := rel + ":" + strconv.Itoa(fset.Position(call.Pos()).Line)
			if s, ok := literalString(call.Args[pos], consts); ok {
				out = append(out, messageFormat{Format: s, Where: where, Literal: true})
			} else if loose {
				// another type's method of the same name
			} else if _, nested := call.Args[pos].(*ast.CallExpr); nested {
				// a Msgf call passed on: scanned as a call of its own
			} else if id, ok := call.Args[pos].(*ast.Ident); !ok || id.Name != "format" {
				out = append(out, messageFormat{Where: where})
			}
			return true
		})
	}
	return out
}

// formatParam is the position of a parameter named format, or -1.
func formatParam(ft *ast.FuncType) int {
	i := 0
	for _, field := range ft.Params.List {
		names := len(field.Names)
		if names == 0 {
			names = 1
		}
		for _, n := range field.Names {
			if n.Name == "format" {
				return i
			}
			i++
		}
		if len(field.Names) == 0 {
			i += names
		}
	}
	return -1
}

// calleeName is the name a call is matched by: schedule's own message
// functions only as schedule.X (or X inside package schedule), so that
// fmt.Errorf and t.Errorf stay out; wrappers by their name.
func calleeName(call *ast.CallExpr, pkg string) string {
	switch fn := call.Fun.(type) {
	case *ast.SelectorExpr:
		if _, own := messageFuncs[fn.Sel.Name]; own {
			if id, ok := fn.X.(*ast.Ident); !ok || id.Name != "schedule" {
				return ""
			}
		}
		return fn.Sel.Name
	case *ast.Ident:
		if _, own := messageFuncs[fn.Name]; own && pkg != "schedule" {
			return ""
		}
		return fn.Name
	}
	return ""
}

// literalString is the value of a string literal, a named string constant
// or a + of them.
func literalString(e ast.Expr, consts map[string]string) (string, bool) {
	switch x := e.(type) {
	case *ast.Ident:
		v, ok := consts[x.Name]
		return v, ok
	case *ast.SelectorExpr:
		v, ok := consts[x.Sel.Name]
		return v, ok
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(x.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return "", false
		}
		a, ok1 := literalString(x.X, consts)
		b, ok2 := literalString(x.Y, consts)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return literalString(x.X, consts)
	}
	return "", false
}

var verbRE = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*(\d+|\*)?(\.(\d+|\*))?(\[\d+\])?[a-zA-Z%]`)

// verbs lists a format's verbs as "<argument number><verb letter>", in
// argument order, so a translation that reorders with %[n]v compares equal.
func verbs(format string) []string {
	var out []string
	next := 1
	for _, m := range verbRE.FindAllStringSubmatch(format, -1) {
		v := m[0][len(m[0])-1:]
		if v == "%" {
			continue
		}
		n := next
		if idx := m[1] + m[5]; idx != "" {
			n, _ = strconv.Atoi(strings.Trim(idx, "[]"))
		}
		next = n + 1
		out = append(out, strconv.Itoa(n)+v)
	}
	slices.Sort(out)
	return out
}

// TestMessagesTranslated holds the promise that people read karyakram in
// Hindi: every message format the code can show (errors, validation,
// conflict reasons, import problems) has a Hindi translation with the same
// arguments. Set KARYAKRAM_MISSING_MESSAGES=file to write the missing ones
// as a JSON skeleton for translators.
func TestMessagesTranslated(t *testing.T) {
	p, err := Parse(schedule.Zone{})
	if err != nil {
		t.Fatal(err)
	}
	formats := scanMessageFormats(t, "..")
	if len(formats) < 100 {
		t.Fatalf("found only %d message formats; is the scanner still matching the calls?", len(formats))
	}
	missing := map[string]string{}
	for _, f := range formats {
		if !f.Literal {
			t.Errorf("%s: the message format is computed; write it as a literal (the catalogue key) and pass the rest as arguments", f.Where)
			continue
		}
		if strings.Trim(f.Format, "%sv: ") == "" {
			t.Errorf("%s: format %q only passes text through, which then cannot be translated; pass a schedule.Msg or the error itself", f.Where, f.Format)
			continue
		}
		hi, ok := p.Translate("hi", f.Format)
		if !ok {
			missing[f.Format] = ""
			t.Errorf("%s: no Hindi for %q", f.Where, f.Format)
			continue
		}
		if got, want := verbs(hi), verbs(f.Format); !slices.Equal(got, want) {
			t.Errorf("%s: Hindi for %q has verbs %v, want %v", f.Where, f.Format, got, want)
		}
	}
	if out := os.Getenv("KARYAKRAM_MISSING_MESSAGES"); out != "" && len(missing) > 0 {
		b, _ := json.MarshalIndent(missing, "", "  ")
		if err := os.WriteFile(out, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMessageKeysAreSourceTexts keeps the two kinds of catalogue key apart:
// dotted keys (page text, in both languages) and English message formats
// (Hindi only, the English is the key itself).
func TestMessageKeysAreSourceTexts(t *testing.T) {
	p, err := Parse(schedule.Zone{})
	if err != nil {
		t.Fatal(err)
	}
	for k := range p.cats["hi"] {
		if _, ok := p.cats["en"][k]; !ok && !isMessageFormat(k) {
			t.Errorf("catalogue en lacks key %q", k)
		}
	}
	for k := range p.cats["en"] {
		if isMessageFormat(k) {
			t.Errorf("catalogue en has message format %q as a key: English formats are their own text", k)
		}
	}
}

func TestVerbs(t *testing.T) {
	if got, want := verbs("%[2]s पर %[1]d"), verbs("%d on %s"); !slices.Equal(got, want) {
		t.Errorf("reordered verbs %v, want %v", got, want)
	}
	if got := verbs("100%% of %q"); !slices.Equal(got, []string{"1q"}) {
		t.Errorf("verbs = %v", got)
	}
}

// TestNoMessageTranslatedTwice: a message format translated in an area's
// catalogue and in the shared hi.messages.json works (the area's wins),
// but one of the two should go.
func TestNoMessageTranslatedTwice(t *testing.T) {
	shared := map[string]string{}
	b, err := catalogueFiles.ReadFile("i18n/hi.messages.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &shared); err != nil {
		t.Fatal(err)
	}
	files, _ := fs.Glob(catalogueFiles, "i18n/hi.*json")
	for _, f := range files {
		if f == "i18n/hi.messages.json" {
			continue
		}
		var part map[string]string
		b, _ := catalogueFiles.ReadFile(f)
		if err := json.Unmarshal(b, &part); err != nil {
			t.Fatal(err)
		}
		for k := range part {
			if _, dup := shared[k]; dup {
				t.Errorf("%q is translated in %s and in hi.messages.json; remove one", k, f)
			}
		}
	}
}
