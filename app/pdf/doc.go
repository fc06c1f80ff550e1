package pdf

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/go-text/typesetting/font"
	"github.com/jung-kurt/gofpdf"
)

// ptToMM converts PDF points to millimetres, the unit of every Doc method.
const ptToMM = 25.4 / 72

// RGB is a colour; the zero value is black.
type RGB struct{ R, G, B uint8 }

// Style is how text is drawn: size in points, weight and colour.
type Style struct {
	Size  float64 // points; 0 means 10
	Bold  bool
	Color RGB
}

// size returns the font size in points, defaulting to 10.
func (st Style) size() float64 {
	if st.Size <= 0 {
		return 10
	}
	return st.Size
}

// Align is horizontal alignment of text in a box.
type Align int

const (
	// AlignLeft puts text at the left edge of its box.
	AlignLeft Align = iota
	// AlignCenter centres text in its box.
	AlignCenter
	// AlignRight puts text at the right edge of its box.
	AlignRight
)

// DocOptions configures a new document.
type DocOptions struct {
	// Landscape selects A4 landscape instead of portrait.
	Landscape bool
	// Title and Subject go into the PDF metadata.
	Title, Subject string
	// Created is the creation date written into the PDF; zero means now.
	Created time.Time
}

// Doc is one PDF under construction: an A4 gofpdf document in millimetres,
// with the bundled fonts registered and shaped-text drawing. A Doc is not
// safe for concurrent use.
type Doc struct {
	pdf *gofpdf.Fpdf
	eng *Engine
	sh  *shaper
}

// NewDoc starts an empty document (no page yet; call AddPage). Automatic
// page breaks are off: layouts paginate themselves.
func (e *Engine) NewDoc(opt DocOptions) (*Doc, error) {
	orient := "P"
	if opt.Landscape {
		orient = "L"
	}
	p := gofpdf.New(orient, "mm", "A4", "")
	p.SetAutoPageBreak(false, 0)
	p.SetMargins(0, 0, 0)
	if opt.Title != "" {
		p.SetTitle(opt.Title, true)
	}
	if opt.Subject != "" {
		p.SetSubject(opt.Subject, true)
	}
	p.SetCreator("karyakram", true)
	created := opt.Created
	if created.IsZero() {
		created = time.Now()
	}
	p.SetCreationDate(created)
	p.SetModificationDate(created)
	for slot, lf := range e.fonts {
		family, style := fontSlot(slot).pdfFamily()
		// gofpdf writes into the font bytes it is given (checksum padding
		// in GenerateCutFont), so each document gets its own copy.
		p.AddUTF8FontFromBytes(family, style, bytes.Clone(lf.pdfBytes))
	}
	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("register fonts with gofpdf: %w", err)
	}
	return &Doc{pdf: p, eng: e, sh: newShaper(e)}, nil
}

// PDF exposes the underlying gofpdf document for drawing lines, rectangles
// and images. Do not draw text through it: it cannot shape Devanagari.
func (d *Doc) PDF() *gofpdf.Fpdf { return d.pdf }

// AddPage starts a new page.
func (d *Doc) AddPage() { d.pdf.AddPage() }

// PageSize returns the page width and height in millimetres.
func (d *Doc) PageSize() (w, h float64) { return d.pdf.GetPageSize() }

// Write finishes the document and writes it to w.
func (d *Doc) Write(w io.Writer) error {
	if err := d.pdf.Output(w); err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	return nil
}

// Err returns the first error gofpdf recorded, if any.
func (d *Doc) Err() error { return d.pdf.Error() }

// scale returns millimetres per thousandth of an em at the style's size.
func (st Style) scale() float64 { return st.size() * ptToMM / shapeScale }

// Width returns the width of s in millimetres, set on one line.
func (d *Doc) Width(s string, st Style) float64 {
	return d.sh.line(s, st.Bold).width * st.scale()
}

// LineHeight returns the distance between baselines for the style, in
// millimetres: the Devanagari font's ascender-to-descender height, which
// leaves room for matras above and below.
func (d *Doc) LineHeight(st Style) float64 {
	lf := d.eng.fonts[devaRegular]
	return (lf.ascender - lf.descender) / lf.upem * st.size() * ptToMM
}

// Ascent returns the height above the baseline of the tallest marks, in
// millimetres, i.e. where to put the baseline below the top of a line box.
func (d *Doc) Ascent(st Style) float64 {
	lf := d.eng.fonts[devaRegular]
	return lf.ascender / lf.upem * st.size() * ptToMM
}

// Text draws s on one line with its baseline starting at (x, y) and returns
// the width drawn, in millimetres.
func (d *Doc) Text(x, y float64, s string, st Style) float64 {
	l := d.sh.line(s, st.Bold)
	d.drawLine(x, y, l, st)
	return l.width * st.scale()
}

// TextIn draws s on one line aligned within the box [x, x+w] with its
// baseline at y. Text wider than the box is not shrunk.
func (d *Doc) TextIn(x, y, w float64, s string, st Style, a Align) {
	l := d.sh.line(s, st.Bold)
	d.drawLine(alignX(x, w, l.width*st.scale(), a), y, l, st)
}

// alignX returns the left edge of text of width tw aligned in [x, x+w].
func alignX(x, w, tw float64, a Align) float64 {
	switch a {
	case AlignCenter:
		return x + (w-tw)/2
	case AlignRight:
		return x + w - tw
	}
	return x
}

// Wrap breaks s into lines that fit width millimetres and returns their
// text. Newlines in s force breaks; a word wider than the width is broken
// between grapheme clusters.
func (d *Doc) Wrap(s string, width float64, st Style) []string {
	lines := d.sh.wrap(s, st.Bold, width/st.scale())
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.text()
	}
	return out
}

// Paragraph draws s wrapped to width millimetres, the first line's box top
// at y, and returns the height used (number of lines times the style's
// line height).
func (d *Doc) Paragraph(x, y, width float64, s string, st Style, a Align) float64 {
	lines := d.sh.wrap(s, st.Bold, width/st.scale())
	lh := d.LineHeight(st)
	base := y + d.Ascent(st)
	for i, l := range lines {
		d.drawLine(alignX(x, width, l.width*st.scale(), a), base+float64(i)*lh, l, st)
	}
	return float64(len(lines)) * lh
}

// ParagraphHeight returns the height Paragraph would use, without drawing.
func (d *Doc) ParagraphHeight(s string, width float64, st Style) float64 {
	return float64(len(d.sh.wrap(s, st.Bold, width/st.scale()))) * d.LineHeight(st)
}

// drawLine draws a shaped line with its baseline starting at (x, y).
func (d *Doc) drawLine(x, y float64, l shapedLine, st Style) {
	d.pdf.SetTextColor(int(st.Color.R), int(st.Color.G), int(st.Color.B))
	sc := st.scale()
	for _, r := range l.runs {
		d.drawRun(x, y, r, st.size(), sc)
		x += r.advance * sc
	}
}

// drawRun draws one shaped run inside an /ActualText span. Consecutive glyphs
// that sit exactly where the previous glyph's nominal advance leaves the pen
// share one text-showing operation; the others start a new one at their
// shaped position (mark offsets, kerning).
func (d *Doc) drawRun(x, y float64, r shapedRun, size, sc float64) {
	if len(r.glyphs) == 0 {
		return
	}
	family, style := r.slot.pdfFamily()
	d.pdf.SetFont(family, style, size)
	face := d.sh.faces[r.slot]
	upem := d.eng.fonts[r.slot].upem
	d.pdf.RawWriteStr("/Span <</ActualText " + pdfTextString(r.text) + ">> BDC")
	const eps = 0.005 // mm
	var (
		buf        []rune
		bx, by, nx float64
	)
	flush := func() {
		if len(buf) > 0 {
			d.pdf.Text(bx, by, string(buf))
			buf = buf[:0]
		}
	}
	pen := x
	for _, g := range r.glyphs {
		gx, gy := pen+g.xOff*sc, y-g.yOff*sc
		pen += g.xAdv * sc
		if g.gid == 0 { // .notdef: nothing sensible to draw
			flush()
			continue
		}
		if len(buf) == 0 || math.Abs(gx-nx) > eps || gy != by {
			flush()
			bx, by = gx, gy
		}
		buf = append(buf, rune(puaBase+int(g.gid)))
		nx = gx + float64(face.HorizontalAdvance(font.GID(g.gid)))*shapeScale/upem*sc
	}
	flush()
	d.pdf.RawWriteStr("EMC")
}

// pdfTextString encodes s as a PDF text string: UTF-16BE with byte order
// mark, in hexadecimal.
func pdfTextString(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}
