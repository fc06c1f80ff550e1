package pdf

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"

	"github.com/karyakram/karyakram/internal/testtool"
	"github.com/karyakram/karyakram/schedule"
)

// hardStrings are Devanagari strings that need conjuncts, reph, pre-base
// matras, nukta and anusvara placement to come out right.
var hardStrings = []string{"श्री", "क्षेत्र", "द्वितीय", "कार्यकर्ता", "छिंदवाड़ा", "प्रशिक्षण", "शक्ति केंद्र"}

// hbGlyph is one glyph of `hb-shape --output-format=json`.
type hbGlyph struct {
	G  int `json:"g"`
	Cl int `json:"cl"`
	Dx int `json:"dx"`
	Dy int `json:"dy"`
	Ax int `json:"ax"`
}

// TestShapeMatchesHBShape checks that the glyph IDs, clusters, advances and
// offsets produced by our shaping equal those of HarfBuzz's own hb-shape on
// the same bundled font file.
func TestShapeMatchesHBShape(t *testing.T) {
	hb := testtool.Program(t, "hb-shape")
	e := testEngine(t)
	dir := t.TempDir()
	for _, slot := range []fontSlot{devaRegular, devaBold} {
		path := slot.file()
		raw, err := fs.ReadFile(bundledFonts, path)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, filepath.Base(path))
		if err := os.WriteFile(file, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		upem := e.fonts[slot].upem
		sh := newShaper(e)
		for _, s := range hardStrings {
			out, err := exec.Command(hb, "--output-format=json", "--no-glyph-names",
				"--script=deva", "--language=hi", "--direction=ltr", file, s).Output()
			if err != nil {
				t.Fatalf("hb-shape %q: %v", s, err)
			}
			var want []hbGlyph
			if err := json.Unmarshal(out, &want); err != nil {
				t.Fatalf("hb-shape %q output %q: %v", s, out, err)
			}
			line := sh.line(s, slot == devaBold)
			if len(line.runs) != 1 || line.runs[0].slot != slot {
				t.Fatalf("%s %q: want one run in slot %d, got %+v", path, s, slot, line.runs)
			}
			// cluster indices come from the go-text output directly
			text := []rune(s)
			outs := sh.shapeOutputs(text, slot == devaBold)
			got := line.runs[0].glyphs
			if len(got) != len(want) {
				t.Fatalf("%s %q: %d glyphs, hb-shape has %d\n got %+v\nwant %+v", path, s, len(got), len(want), got, want)
			}
			units := func(v float64) int { return int(math.Round(v * upem / shapeScale)) }
			for i, w := range want {
				g := got[i]
				cl := outs[0].Glyphs[i].ClusterIndex
				if int(g.gid) != w.G || cl != w.Cl || units(g.xAdv) != w.Ax || units(g.xOff) != w.Dx || units(g.yOff) != w.Dy {
					t.Errorf("%s %q glyph %d: got gid=%d cl=%d ax=%d dx=%d dy=%d, hb-shape gid=%d cl=%d ax=%d dx=%d dy=%d",
						path, s, i, g.gid, cl, units(g.xAdv), units(g.xOff), units(g.yOff), w.G, w.Cl, w.Ax, w.Dx, w.Dy)
				}
			}
		}
	}
}

// TestShapeFormsConjuncts checks, without external tools, that shaping does
// what plain gofpdf cannot: fewer glyphs than characters for conjuncts, and
// the ि matra drawn before its consonant.
func TestShapeFormsConjuncts(t *testing.T) {
	sh := newShaper(testEngine(t))
	face := sh.faces[devaRegular]
	nominal := func(r rune) uint16 {
		g, ok := face.NominalGlyph(r)
		if !ok {
			t.Fatalf("no glyph for %U", r)
		}
		return uint16(g)
	}
	l := sh.line("श्री", false)
	if n := len(l.runs[0].glyphs); n >= len([]rune("श्री")) {
		t.Errorf("श्री: %d glyphs for 4 characters, want a conjunct", n)
	}
	// कि: the i-matra glyph (a variant of U+093F's) comes first, क second.
	g := sh.line("कि", false).runs[0].glyphs
	if len(g) != 2 || g[1].gid != nominal('क') || g[0].gid == nominal('क') {
		t.Errorf("कि: got %+v, want i-matra before क (gid %d)", g, nominal('क'))
	}
}

// TestAugmentedFont checks the font copy handed to gofpdf: every glyph is
// reachable at U+E000+gid, the original characters still map to the same
// glyphs, and the table and whole-file checksums are valid.
func TestAugmentedFont(t *testing.T) {
	e := testEngine(t)
	for slot := range numSlots {
		path := slot.file()
		aug, ok := e.FontBytes(path)
		if !ok {
			t.Fatalf("no augmented bytes for %s", path)
		}
		ld, err := ot.NewLoader(bytes.NewReader(aug))
		if err != nil {
			t.Fatalf("%s: reparse augmented font: %v", path, err)
		}
		ft, err := font.NewFont(ld)
		if err != nil {
			t.Fatalf("%s: reparse augmented font: %v", path, err)
		}
		orig := e.fonts[slot].font
		maxp, _ := ld.RawTable(ot.MustNewTag("maxp"))
		n := int(binary.BigEndian.Uint16(maxp[4:]))
		for g := 1; g < n; g++ {
			if got, ok := ft.NominalGlyph(rune(puaBase + g)); !ok || int(got) != g {
				t.Fatalf("%s: U+%04X maps to %d,%v; want glyph %d", path, puaBase+g, got, ok, g)
			}
		}
		checked := 0
		for it := orig.Cmap.Iter(); it.Next(); {
			r, g := it.Char()
			if r >= 0xFFFF {
				continue
			}
			if got, ok := ft.NominalGlyph(r); !ok || got != g {
				t.Fatalf("%s: %U maps to %d,%v after augmentation; was %d", path, r, got, ok, g)
			}
			checked++
		}
		if checked < 200 {
			t.Errorf("%s: only %d original mappings checked", path, checked)
		}
		tables, err := parseSfnt(aug)
		if err != nil {
			t.Fatal(err)
		}
		for i, tb := range tables {
			rec := aug[12+16*i:]
			data := tb.data
			if tb.tag == "head" {
				data = append([]byte(nil), data...)
				binary.BigEndian.PutUint32(data[8:], 0)
			}
			if got, want := binary.BigEndian.Uint32(rec[4:]), sfntChecksum(data); got != want {
				t.Errorf("%s: table %s checksum %08x, computed %08x", path, tb.tag, got, want)
			}
			if off := binary.BigEndian.Uint32(rec[8:]); off%4 != 0 {
				t.Errorf("%s: table %s at unaligned offset %d", path, tb.tag, off)
			}
		}
		if sum := sfntChecksum(aug); sum != 0xB1B0AFBA {
			t.Errorf("%s: whole-file checksum %08x, want B1B0AFBA", path, sum)
		}
	}
}

// TestSegmentByScript checks the split of mixed Hindi/Latin text into font
// runs, with spaces, digits and punctuation following their neighbours.
func TestSegmentByScript(t *testing.T) {
	e := testEngine(t)
	cases := []struct {
		in   string
		want []string // run texts, "D:" for Devanagari font, "L:" for Latin
	}{
		{"शक्ति केंद्र", []string{"D:शक्ति केंद्र"}},
		{"Gwalior (ग्वालियर) 5 जनवरी 2022", []string{"L:Gwalior (", "D:ग्वालियर) 5 जनवरी 2022"}},
		{"12 Booth: बूथ", []string{"L:12 Booth: ", "D:बूथ"}},
		{"ज़िला—District", []string{"D:ज़िला—", "L:District"}},
	}
	for _, c := range cases {
		text := []rune(c.in)
		var got []string
		for _, sp := range e.segment(text, false) {
			p := "L:"
			if sp.slot.isDeva() {
				p = "D:"
			}
			got = append(got, p+string(text[sp.start:sp.end]))
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("segment(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestWrap checks that wrapped lines fit, keep every word, and break only
// between words when words fit.
func TestWrap(t *testing.T) {
	d, err := testEngine(t).NewDoc(DocOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st := Style{Size: 11}
	para := "डिजिटल कार्य प्रशिक्षण कार्यशाला में सभी जिलों के आईटी प्रमुख, सोशल मीडिया प्रमुख और कार्यालय मंत्री भाग लेंगे। The workshop starts at 10:00 sharp."
	for _, width := range []float64{40, 70, 120} {
		lines := d.Wrap(para, width, st)
		if len(lines) < 2 {
			t.Fatalf("width %v: %d lines, want several", width, len(lines))
		}
		for _, l := range lines {
			if w := d.Width(l, st); w > width+0.01 {
				t.Errorf("width %v: line %q is %.2f mm wide", width, l, w)
			}
			if l != strings.TrimSpace(l) || l == "" {
				t.Errorf("width %v: line %q has stray spaces or is empty", width, l)
			}
		}
		if got := strings.Join(lines, " "); got != para {
			t.Errorf("width %v: rejoined lines\n%q\nwant\n%q", width, got, para)
		}
	}
	if got := d.Wrap("एक\nदो", 100, st); len(got) != 2 || got[0] != "एक" || got[1] != "दो" {
		t.Errorf("newline: got %q", got)
	}
	// a single over-long word is broken between grapheme clusters
	long := strings.Repeat("प्रशिक्षण", 8)
	lines := d.Wrap(long, 30, st)
	if len(lines) < 2 || strings.Join(lines, "") != long {
		t.Errorf("long word: got %q", lines)
	}
}

// TestMaskMobile checks the masking of mobile numbers on printed sheets.
func TestMaskMobile(t *testing.T) {
	for in, want := range map[string]string{
		"9876543210":       "98XXXXX210",
		"+91 98765 43210":  "98XXXXX210",
		"09876543210":      "98XXXXX210",
		"919876543210":     "98XXXXX210",
		"12345":            "XXXXX",
		"":                 "",
		"not a number":     "",
		"+44 20 7946 0958": "44XXXXXXX958",
	} {
		if got := MaskMobile(in); got != want {
			t.Errorf("MaskMobile(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLabelsAndFormats checks language selection and number/date formats.
func TestLabelsAndFormats(t *testing.T) {
	if _, err := labelsFor("fr", schedule.Zone{}); err == nil {
		t.Error("labelsFor(fr): want error")
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 123456: "1,23,456", 30000000: "3,00,00,000", -4500: "-4,500"} {
		if got := groupInt(n); got != want {
			t.Errorf("groupInt(%d) = %q, want %q", n, got, want)
		}
	}
	rs := fixtureRoster(t, Hindi)
	l, _ := labelsFor(Hindi, schedule.Zone{})
	if got := l.dateRange(rs.Sessions[0].Date, rs.Sessions[len(rs.Sessions)-1].Date); got != "5–6 जनवरी 2022" {
		t.Errorf("dateRange = %q", got)
	}
	if got := l.dateLong(rs.Sessions[0].Date); got != "बुधवार, 5 जनवरी 2022" {
		t.Errorf("dateLong = %q", got)
	}
}
