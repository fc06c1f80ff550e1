// Package templates holds everything karyakram renders: HTML pages, the
// message catalogues for Hindi and English, PDF fonts. All of it is
// embedded in the binary and parsed once at start-up, so a missing page or
// a broken template stops the server before it serves anyone.
package templates

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"

	"github.com/karyakram/karyakram/schedule"
)

//go:embed html/*.html
var htmlFiles embed.FS

//go:embed i18n/*.json
var catalogueFiles embed.FS

// Languages karyakram speaks; the first is the default.
var Languages = []string{"hi", "en"}

// Catalogue maps message keys to text in one language.
type Catalogue map[string]string

// Pages is the parsed set of HTML pages.
type Pages struct {
	pages map[string]*template.Template
	cats  map[string]Catalogue
	zone  schedule.Zone
}

// Parse reads every page and catalogue; pages show times in zone (the
// organisation's). It fails when a page does not parse or a key used by
// the English catalogue is missing in Hindi.
func Parse(zone schedule.Zone) (*Pages, error) {
	p := &Pages{pages: map[string]*template.Template{}, cats: map[string]Catalogue{}, zone: zone}
	// Each language's catalogue is i18n/<lang>.json plus any
	// i18n/<lang>.<area>.json, so each part of the product keeps its own
	// messages; a key defined twice is an error.
	for _, lang := range Languages {
		files, err := fs.Glob(catalogueFiles, "i18n/"+lang+".*json")
		if err != nil || len(files) == 0 {
			return nil, fmt.Errorf("no catalogue for %s", lang)
		}
		c := Catalogue{}
		for _, f := range files {
			b, err := catalogueFiles.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("read catalogue %s: %w", f, err)
			}
			var part Catalogue
			if err := json.Unmarshal(b, &part); err != nil {
				return nil, fmt.Errorf("parse catalogue %s: %w", f, err)
			}
			for k, v := range part {
				if _, dup := c[k]; dup {
					return nil, fmt.Errorf("catalogue %s: key %q defined twice", f, k)
				}
				c[k] = v
			}
		}
		p.cats[lang] = c
	}
	for k := range p.cats["en"] {
		if _, ok := p.cats["hi"][k]; !ok {
			return nil, fmt.Errorf("catalogue hi lacks key %q", k)
		}
	}
	all := template.FuncMap{
		// T is replaced per render with the page's language.
		"T": func(key string, args ...any) string { return key },
	}
	for k, v := range funcs() {
		all[k] = v
	}
	for k, v := range momentFuncs(zone.Moments("en")) {
		all[k] = v
	}
	names, err := fs.Glob(htmlFiles, "html/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(all).ParseFS(htmlFiles, "html/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", base, err)
		}
		p.pages[base] = t
	}
	return p, nil
}

// Has reports whether a page exists.
func (p *Pages) Has(name string) bool { _, ok := p.pages[name]; return ok }

// Text returns the catalogue text of key in lang, formatted with args; an
// unknown key renders as itself so it is noticed.
func (p *Pages) Text(lang, key string, args ...any) string {
	c, ok := p.cats[lang]
	if !ok {
		c = p.cats["en"]
	}
	s, ok := c[key]
	if !ok {
		s = key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Render executes page with data in lang into a buffer, so a template
// error never sends half a page.
func (p *Pages) Render(name, lang string, data any) ([]byte, error) {
	t, ok := p.pages[name]
	if !ok {
		return nil, fmt.Errorf("no page %q", name)
	}
	t, err := t.Clone()
	if err != nil {
		return nil, err
	}
	t.Funcs(template.FuncMap{"T": func(key string, args ...any) string { return p.Text(lang, key, args...) }})
	t.Funcs(momentFuncs(p.zone.Moments(lang)))
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}
