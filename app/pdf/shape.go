package pdf

import (
	"strings"
	"unicode"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
)

// shapeScale is the size at which text is shaped: 1000 units per em, so that
// shaped advances and offsets come out in thousandths of an em (equal to
// font units for the bundled fonts, whose unitsPerEm is 1000).
const shapeScale = 1000

// Languages passed to the shaper (canonical BCP 47 tags).
const (
	langHindi   = language.Language("hi")
	langEnglish = language.Language("en")
)

// glyphPos is one shaped glyph; lengths are in thousandths of an em.
type glyphPos struct {
	gid              uint16
	xAdv, xOff, yOff float64
}

// shapedRun is a shaped run of text in one font.
type shapedRun struct {
	slot    fontSlot
	text    string // the characters this run stands for (for /ActualText)
	glyphs  []glyphPos
	advance float64 // thousandths of an em
}

// shapedLine is one line of shaped runs, left to right.
type shapedLine struct {
	runs  []shapedRun
	width float64 // thousandths of an em
}

// text returns the characters of the line.
func (l shapedLine) text() string {
	var b strings.Builder
	for _, r := range l.runs {
		b.WriteString(r.text)
	}
	return b.String()
}

// span is a range of runes [start,end) to be shaped with one font.
type span struct {
	start, end int
	slot       fontSlot
}

// runeClass is the coarse script class used to pick a font.
type runeClass uint8

const (
	classNeutral runeClass = iota // spaces, digits, punctuation, joiners: follow neighbours
	classDeva
	classOther
)

// classify returns the script class of r.
func classify(r rune) runeClass {
	switch {
	case r >= 0x0900 && r <= 0x097F, r >= 0xA8E0 && r <= 0xA8FF, r >= 0x1CD0 && r <= 0x1CFF:
		return classDeva
	case r == 0x200B || r == 0x200C || r == 0x200D || r == 0x25CC || r == 0x00A0:
		return classNeutral
	case unicode.IsSpace(r), unicode.IsDigit(r), unicode.IsPunct(r), unicode.IsSymbol(r), unicode.Is(unicode.Mn, r):
		return classNeutral
	default:
		return classOther
	}
}

// segment splits text into spans by script (Devanagari versus everything
// else), giving neutral characters the script of the preceding strong
// character (or the following one at the start), then falls back to the
// other font for characters the chosen font lacks.
func (e *Engine) segment(text []rune, bold bool) []span {
	if len(text) == 0 {
		return nil
	}
	deva := make([]bool, len(text))
	classes := make([]runeClass, len(text))
	for i, r := range text {
		classes[i] = classify(r)
	}
	// first strong class, for leading neutrals
	cur := classOther
	for _, c := range classes {
		if c != classNeutral {
			cur = c
			break
		}
	}
	for i, c := range classes {
		if c != classNeutral {
			cur = c
		}
		deva[i] = cur == classDeva
	}
	var spans []span
	for i, r := range text {
		slot := slotFor(deva[i], bold)
		if _, ok := e.fonts[slot].font.NominalGlyph(r); !ok && classes[i] != classDeva {
			other := slotFor(!deva[i], bold)
			if _, ok := e.fonts[other].font.NominalGlyph(r); ok {
				slot = other
			}
		}
		if n := len(spans); n > 0 && spans[n-1].slot == slot {
			spans[n-1].end = i + 1
			continue
		}
		spans = append(spans, span{start: i, end: i + 1, slot: slot})
	}
	return spans
}

// shaper is the per-document shaping state (go-text faces and the HarfBuzz
// shaper are not safe for concurrent use).
type shaper struct {
	eng     *Engine
	faces   [numSlots]*font.Face
	hb      shaping.HarfbuzzShaper
	wrapper shaping.LineWrapper
	cache   map[shapeKey]shapedLine
	wraps   map[wrapKey][]shapedLine
}

// wrapKey identifies a cached wrapping result.
type wrapKey struct {
	text     string
	bold     bool
	maxWidth float64
}

// shapeKey identifies a cached single-line shaping result.
type shapeKey struct {
	text string
	bold bool
}

// maxCache bounds the per-document shaping cache.
const maxCache = 4096

// newShaper creates the shaping state for one document.
func newShaper(e *Engine) *shaper {
	s := &shaper{eng: e, cache: make(map[shapeKey]shapedLine), wraps: make(map[wrapKey][]shapedLine)}
	for i, lf := range e.fonts {
		s.faces[i] = font.NewFace(lf.font)
	}
	s.hb.SetFontCacheSize(int(numSlots))
	return s
}

// shapeOutputs shapes every span of text and returns go-text outputs, whose
// rune ranges index text.
func (s *shaper) shapeOutputs(text []rune, bold bool) []shaping.Output {
	spans := s.eng.segment(text, bold)
	outs := make([]shaping.Output, 0, len(spans))
	for _, sp := range spans {
		in := shaping.Input{
			Text:      text,
			RunStart:  sp.start,
			RunEnd:    sp.end,
			Direction: di.DirectionLTR,
			Face:      s.faces[sp.slot],
			Size:      fixed.I(shapeScale),
			Script:    language.Latin,
			Language:  langEnglish,
		}
		if sp.slot.isDeva() {
			in.Script, in.Language = language.Devanagari, langHindi
		}
		outs = append(outs, s.hb.Shape(in))
	}
	return outs
}

// slotOf returns the font slot of a shaped output.
func (s *shaper) slotOf(out shaping.Output) fontSlot {
	for i, f := range s.faces {
		if f == out.Face {
			return fontSlot(i)
		}
	}
	return latinRegular
}

// toRun converts a go-text output into a shapedRun.
func (s *shaper) toRun(out shaping.Output, text []rune) shapedRun {
	r := shapedRun{slot: s.slotOf(out)}
	end := out.Runes.Offset + out.Runes.Count
	if out.Runes.Offset >= 0 && end <= len(text) {
		r.text = string(text[out.Runes.Offset:end])
	}
	r.glyphs = make([]glyphPos, len(out.Glyphs))
	for i, g := range out.Glyphs {
		r.glyphs[i] = glyphPos{
			gid:  uint16(g.GlyphID),
			xAdv: float64(g.XAdvance) / 64,
			xOff: float64(g.XOffset) / 64,
			yOff: float64(g.YOffset) / 64,
		}
		r.advance += r.glyphs[i].xAdv
	}
	return r
}

// line shapes s as a single line (no wrapping). Results are cached per
// document, since letters and rosters repeat their labels.
func (s *shaper) line(str string, bold bool) shapedLine {
	key := shapeKey{str, bold}
	if l, ok := s.cache[key]; ok {
		return l
	}
	text := []rune(str)
	var l shapedLine
	for _, out := range s.shapeOutputs(text, bold) {
		r := s.toRun(out, text)
		l.runs = append(l.runs, r)
		l.width += r.advance
	}
	if len(s.cache) >= maxCache {
		clear(s.cache)
	}
	s.cache[key] = l
	return l
}

// wrap breaks str into lines no wider than maxWidth thousandths of an em,
// at UAX #14 break opportunities (inside a word only when a word alone is
// too wide). Explicit newlines start new lines. Trailing spaces are trimmed.
// Results are cached per document; callers must not modify them.
func (s *shaper) wrap(str string, bold bool, maxWidth float64) []shapedLine {
	key := wrapKey{str, bold, maxWidth}
	if lines, ok := s.wraps[key]; ok {
		return lines
	}
	lines := s.wrapUncached(str, bold, maxWidth)
	if len(s.wraps) >= maxCache {
		clear(s.wraps)
	}
	s.wraps[key] = lines
	return lines
}

// wrapUncached does the work of wrap.
func (s *shaper) wrapUncached(str string, bold bool, maxWidth float64) []shapedLine {
	var lines []shapedLine
	for _, para := range strings.Split(str, "\n") {
		para = strings.TrimRight(para, " \t\r")
		if para == "" {
			lines = append(lines, shapedLine{})
			continue
		}
		if l := s.line(para, bold); l.width <= maxWidth {
			lines = append(lines, l)
			continue
		}
		text := []rune(para)
		outs := s.shapeOutputs(text, bold)
		wrapped, _ := s.wrapper.WrapParagraph(shaping.WrapConfig{BreakPolicy: shaping.WhenNecessary},
			int(maxWidth), text, shaping.NewSliceIterator(outs))
		for _, wl := range wrapped {
			var l shapedLine
			for _, out := range wl {
				r := s.toRun(out, text)
				l.runs = append(l.runs, r)
				l.width += r.advance
			}
			trimTrailingSpace(&l)
			lines = append(lines, l)
		}
	}
	return lines
}

// trimTrailingSpace removes trailing spaces from the last run's text and
// glyphs so that the line's text and width end at its last visible glyph.
func trimTrailingSpace(l *shapedLine) {
	for len(l.runs) > 0 {
		last := &l.runs[len(l.runs)-1]
		trimmed := strings.TrimRight(last.text, " ")
		n := len([]rune(last.text)) - len([]rune(trimmed))
		for i := 0; i < n && len(last.glyphs) > 0; i++ {
			g := last.glyphs[len(last.glyphs)-1]
			last.glyphs = last.glyphs[:len(last.glyphs)-1]
			last.advance -= g.xAdv
			l.width -= g.xAdv
		}
		last.text = trimmed
		if trimmed != "" {
			return
		}
		l.runs = l.runs[:len(l.runs)-1]
	}
}
