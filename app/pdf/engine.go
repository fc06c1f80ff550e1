// Package pdf renders the organisation's printable documents (invite letters,
// workshop rosters, attendance sheets, audio-bridge lists) in Hindi and
// English.
//
// gofpdf maps one character to one glyph and does no shaping, which breaks
// Devanagari (no conjuncts, no reph, ि drawn after its consonant). This
// package therefore shapes every run of text itself with go-text's HarfBuzz
// port, hands gofpdf a copy of each font whose cmap also maps U+E000+gid to
// glyph gid, draws each shaped glyph at its shaped position through that
// private-use code point, and wraps every run in an /ActualText marked-content
// span so that copying and searching (pdftotext) return the real text.
//
// An [Engine] holds the parsed fonts and is safe for concurrent use; a [Doc]
// is one PDF being built and is not.
package pdf

import (
	"bytes"
	"fmt"
	"io/fs"

	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
)

// fontSlot indexes the four bundled fonts.
type fontSlot int

const (
	latinRegular fontSlot = iota
	latinBold
	devaRegular
	devaBold
	numSlots
)

// file returns the slot's bundled font file inside the fonts file system
// given to NewEngine (templates.Fonts).
func (s fontSlot) file() string {
	switch s {
	case latinBold:
		return "fonts/NotoSans-Bold.ttf"
	case devaRegular:
		return "fonts/NotoSansDevanagari-Regular.ttf"
	case devaBold:
		return "fonts/NotoSansDevanagari-Bold.ttf"
	}
	return "fonts/NotoSans-Regular.ttf"
}

// slotFor returns the slot of the Devanagari or Latin font in the given weight.
func slotFor(deva, bold bool) fontSlot {
	s := latinRegular
	if deva {
		s = devaRegular
	}
	if bold {
		s++
	}
	return s
}

// isDeva reports whether the slot holds Noto Sans Devanagari.
func (s fontSlot) isDeva() bool { return s == devaRegular || s == devaBold }

// pdfFamily is the gofpdf family name and style of the slot.
func (s fontSlot) pdfFamily() (family, style string) {
	family = "notosans"
	if s.isDeva() {
		family = "notodeva"
	}
	if s == latinBold || s == devaBold {
		style = "B"
	}
	return family, style
}

// loadedFont is one parsed font: the go-text font used for shaping and the
// augmented TrueType bytes given to gofpdf.
type loadedFont struct {
	path      string
	font      *font.Font // read-only, safe for concurrent use
	pdfBytes  []byte     // copy with U+E000+gid cmap entries
	upem      float64
	ascender  float64 // font units, positive
	descender float64 // font units, negative
}

// Engine holds the bundled fonts, parsed once. It is immutable after
// NewEngine and safe for concurrent use; create one per process and pass it
// to whoever builds documents.
type Engine struct {
	fonts [numSlots]*loadedFont
}

// NewEngine parses the bundled fonts from fsys (normally templates.Fonts,
// which holds them under "fonts/") and builds the glyph-addressable copies
// gofpdf embeds. It never reads system fonts.
func NewEngine(fsys fs.FS) (*Engine, error) {
	e := &Engine{}
	for slot := range numSlots {
		lf, err := loadFont(fsys, slot.file())
		if err != nil {
			return nil, err
		}
		e.fonts[slot] = lf
	}
	return e, nil
}

// loadFont reads, parses and augments one font file.
func loadFont(fsys fs.FS, path string) (*loadedFont, error) {
	raw, err := fs.ReadFile(fsys, path)
	if err != nil {
		return nil, fmt.Errorf("read font %s: %w", path, err)
	}
	ld, err := ot.NewLoader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("open font %s: %w", path, err)
	}
	ft, err := font.NewFont(ld)
	if err != nil {
		return nil, fmt.Errorf("parse font %s: %w", path, err)
	}
	maxp, err := ld.RawTable(ot.MustNewTag("maxp"))
	if err != nil || len(maxp) < 6 {
		return nil, fmt.Errorf("font %s: no usable maxp table: %v", path, err)
	}
	numGlyphs := int(maxp[4])<<8 | int(maxp[5])
	uni := make(map[rune]uint16)
	for it := ft.Cmap.Iter(); it.Next(); {
		r, g := it.Char()
		if r < 0xFFFF {
			uni[r] = uint16(g)
		}
	}
	aug, err := augmentFont(raw, uni, numGlyphs)
	if err != nil {
		return nil, fmt.Errorf("augment font %s: %w", path, err)
	}
	lf := &loadedFont{path: path, font: ft, pdfBytes: aug, upem: float64(ft.Upem())}
	if ext, ok := font.NewFace(ft).FontHExtents(); ok {
		lf.ascender, lf.descender = float64(ext.Ascender), float64(ext.Descender)
	} else {
		lf.ascender, lf.descender = 0.8*lf.upem, -0.2*lf.upem
	}
	return lf, nil
}

// FontBytes returns the TrueType bytes that the engine embeds for the named
// bundled font file (e.g. "fonts/NotoSansDevanagari-Regular.ttf"): the
// original with extra cmap entries. It exists for tests and tooling.
func (e *Engine) FontBytes(path string) ([]byte, bool) {
	for _, lf := range e.fonts {
		if lf.path == path {
			return lf.pdfBytes, true
		}
	}
	return nil, false
}
