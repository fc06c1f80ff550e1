// Package templates holds everything karyakram renders: HTML pages, the
// message catalogues for Hindi and English, PDF fonts. All of it is
// embedded in the binary and parsed once at start-up, so a missing page or
// a broken template stops the server before it serves anyone.
package templates

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

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
	cats, err := Catalogues()
	if err != nil {
		return nil, err
	}
	p.cats = cats
	all := template.FuncMap{
		// T and L are replaced per render with the page's language.
		"T": func(key string, args ...any) string { return key },
		"L": func(v any) string { return "" },
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

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// dottedKey is the shape of a page-text key ("calendar.link"); any other
// key is a message's English format (see schedule.Msg).
var dottedKey = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[A-Za-z0-9_\-]*)+$`)

// isMessageFormat reports whether a catalogue key is a message's English
// format, which needs a Hindi entry only: English is the key itself.
func isMessageFormat(key string) bool { return !dottedKey.MatchString(key) }

// Has reports whether a page exists.
// Catalogues returns each language's catalogue (pages, messages, PDF
// labels), read once from the embedded files; callers must not change it.
func Catalogues() (map[string]Catalogue, error) { return catalogues() }

var catalogues = sync.OnceValues(func() (map[string]Catalogue, error) {
	cats := map[string]Catalogue{}
	// Each language's catalogue is i18n/<lang>.json plus any
	// i18n/<lang>.<area>.json, so each part of the product keeps its own
	// messages; a page-text key defined twice is an error. A message
	// format (see schedule.Msg) may be translated in an area's file and in
	// the shared <lang>.messages.json: the area's translation wins, so two
	// people translating the same message never stop the server
	// (TestNoMessageTranslatedTwice asks for one to go).
	for _, lang := range Languages {
		files, err := fs.Glob(catalogueFiles, "i18n/"+lang+".*json")
		if err != nil || len(files) == 0 {
			return nil, fmt.Errorf("no catalogue for %s", lang)
		}
		shared := "i18n/" + lang + ".messages.json"
		slices.SortStableFunc(files, func(a, b string) int { // the shared file last
			return cmp.Compare(boolInt(a == shared), boolInt(b == shared))
		})
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
					if f == shared && isMessageFormat(k) {
						continue
					}
					return nil, fmt.Errorf("catalogue %s: key %q defined twice", f, k)
				}
				c[k] = v
			}
		}
		cats[lang] = c
	}
	for k := range cats["en"] {
		if _, ok := cats["hi"][k]; !ok {
			return nil, fmt.Errorf("catalogue hi lacks key %q", k)
		}
	}
	return cats, nil
})

func (p *Pages) Has(name string) bool { _, ok := p.pages[name]; return ok }

// Text returns the catalogue text of key in lang, formatted with args
// (rendered for lang as message arguments are: see schedule.RenderArg); an
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
		rendered := make([]any, len(args))
		for i, a := range args {
			rendered[i] = schedule.RenderArg(p.Reader(lang), a)
		}
		return fmt.Sprintf(s, rendered...)
	}
	return s
}

// Translate is the catalogues as a schedule.Translator: the text of key
// (a catalogue key or a message's English format) in lang.
func (p *Pages) Translate(lang, key string) (string, bool) {
	s, ok := p.cats[lang][key]
	return s, ok
}

// Reader is a person reading lang, for rendering messages: the catalogues
// translate, times show on the organisation's clock.
func (p *Pages) Reader(lang string) schedule.Reader {
	return schedule.Reader{Lang: lang, Translate: p.Translate, Zone: p.zone}
}

// Localize renders v for a reader of lang: a schedule.Msg through the
// catalogues, an error as LocalizeError does, a duration in words; other
// values as fmt prints them.
func (p *Pages) Localize(lang string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case schedule.Msg:
		return x.Render(p.Reader(lang))
	case error:
		return p.LocalizeError(lang, x)
	}
	return fmt.Sprint(schedule.RenderArg(p.Reader(lang), v))
}

// LocalizeError is what a person reading lang is told about err: every
// domain error inside it (a validation may report several), each with its
// field's label, joined by "; ". Anything else is an internal error whose
// details belong in the logs, not on the page.
func (p *Pages) LocalizeError(lang string, err error) string {
	if err == nil {
		return ""
	}
	list := schedule.ValidationErrors(err)
	if len(list) == 0 {
		return p.Localize(lang, schedule.Msgf(schedule.InternalErrorText))
	}
	parts := make([]string, len(list))
	for i, e := range list {
		parts[i] = e.Render(p.Reader(lang))
	}
	return strings.Join(parts, "; ")
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
	t.Funcs(template.FuncMap{
		"T": func(key string, args ...any) string { return p.Text(lang, key, args...) },
		"L": func(v any) string { return p.Localize(lang, v) },
	})
	t.Funcs(momentFuncs(p.zone.Moments(lang)))
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}
