// Package static holds the browser assets karyakram serves, embedded in the
// binary: the mass-address join page script and the speakers' stage
// console script, ES modules that share one livekit-client chunk. They are
// built by scripts/build-livekit-client.sh from _src/ (which Go ignores)
// into dist/: every file is named by its content hash, so its URL can be
// cached for a year, and comes with gzip and brotli copies compressed once
// at build time.
package static

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
)

//go:embed dist
var dist embed.FS

// Asset is one built file and its precompressed copies. Slices are shared:
// do not modify them.
type Asset struct {
	Name        string // content-hashed file name, e.g. chunk-MJKZXCR2.js
	ContentType string
	Body        []byte
	Gzip        []byte // nil when there is no gzip copy
	Brotli      []byte // nil when there is no brotli copy
}

// Entry is a page script: its file and the chunks it imports (which a page
// preloads so the browser fetches them in parallel, not one after another).
type Entry struct {
	File    string   `json:"file"`
	Imports []string `json:"imports"`
}

type bundle struct {
	assets  map[string]*Asset
	entries map[string]Entry
}

var load = sync.OnceValues(func() (*bundle, error) {
	b := &bundle{assets: map[string]*Asset{}}
	raw, err := dist.ReadFile("dist/manifest.json")
	if err != nil {
		return nil, fmt.Errorf("static: %w (run scripts/build-livekit-client.sh)", err)
	}
	if err := json.Unmarshal(raw, &b.entries); err != nil {
		return nil, fmt.Errorf("static: manifest.json: %w", err)
	}
	files, err := fs.ReadDir(dist, "dist")
	if err != nil {
		return nil, fmt.Errorf("static: %w", err)
	}
	for _, f := range files {
		name := f.Name()
		if path.Ext(name) != ".js" {
			continue
		}
		a := &Asset{Name: name, ContentType: "text/javascript; charset=utf-8"}
		if a.Body, err = dist.ReadFile("dist/" + name); err != nil {
			return nil, fmt.Errorf("static: %w", err)
		}
		a.Gzip, _ = dist.ReadFile("dist/" + name + ".gz")
		a.Brotli, _ = dist.ReadFile("dist/" + name + ".br")
		b.assets[name] = a
	}
	for name, e := range b.entries {
		for _, f := range append([]string{e.File}, e.Imports...) {
			if b.assets[f] == nil {
				return nil, fmt.Errorf("static: entry %s needs %s, which is not built", name, f)
			}
		}
	}
	return b, nil
})

// Lookup returns the asset with the given file name.
func Lookup(name string) (*Asset, bool) {
	b, err := load()
	if err != nil || strings.Contains(name, "/") {
		return nil, false
	}
	a, ok := b.assets[name]
	return a, ok
}

// EntryFor returns the page script named name ("join", "stage").
func EntryFor(name string) (Entry, error) {
	b, err := load()
	if err != nil {
		return Entry{}, err
	}
	e, ok := b.entries[name]
	if !ok {
		return Entry{}, fmt.Errorf("static: no page script %q (run scripts/build-livekit-client.sh)", name)
	}
	return e, nil
}
