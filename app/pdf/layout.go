package pdf

import (
	"fmt"
	"io"
	"strconv"
)

// Page geometry shared by the layouts (A4 portrait, millimetres).
const (
	marginX   = 15.0
	marginTop = 14.0
	footerY   = 287.0 // baseline of the page footer
	bodyBot   = 280.0 // lowest y for body content
	contentW  = 210.0 - 2*marginX
)

// Text styles shared by the layouts (functions, so that no package state
// can be changed by accident).
func styleTitle() Style    { return Style{Size: 16, Bold: true} }
func styleSubtitle() Style { return Style{Size: 11, Color: RGB{70, 70, 70}} }
func styleHeading() Style  { return Style{Size: 13, Bold: true} }
func styleBody() Style     { return Style{Size: 11} }
func styleSmall() Style    { return Style{Size: 9, Color: RGB{90, 90, 90}} }

// pager adds pages with a common running head (title, subtitle, rule) and a
// footer with the page number.
type pager struct {
	d               *Doc
	l               labels
	title, subtitle string
	n               int
}

// newPage adds a page, draws its furniture and returns the y where the body
// starts.
func (p *pager) newPage() float64 {
	d := p.d
	d.AddPage()
	p.n++
	y := marginTop
	y += d.Paragraph(marginX, y, contentW, p.title, styleTitle(), AlignLeft)
	if p.subtitle != "" {
		y += d.Paragraph(marginX, y, contentW, p.subtitle, styleSubtitle(), AlignLeft)
	}
	y += 1.5
	d.pdf.SetDrawColor(120, 120, 120)
	d.pdf.SetLineWidth(0.3)
	d.pdf.Line(marginX, y, marginX+contentW, y)
	d.TextIn(marginX, footerY, contentW, p.l.page+" "+strconv.Itoa(p.n), styleSmall(), AlignRight)
	return y + 4
}

// writeDoc writes d to w, wrapping errors with the document kind.
func writeDoc(d *Doc, w io.Writer, kind string) error {
	if err := d.Err(); err != nil {
		return fmt.Errorf("render %s: %w", kind, err)
	}
	if err := d.Write(w); err != nil {
		return fmt.Errorf("render %s: %w", kind, err)
	}
	return nil
}

// formatKm formats a distance in whole kilometres.
func formatKm(km float64) string { return groupInt(int(km + 0.5)) }

// keyValues draws label/value pairs as two columns (values wrap) starting at
// y and returns the y below them. Pairs with an empty value are skipped.
func (d *Doc) keyValues(x, y, labelW, valueW float64, pairs [][2]string, st Style) float64 {
	lst := st
	lst.Bold = true
	for _, kv := range pairs {
		if kv[1] == "" {
			continue
		}
		d.Paragraph(x, y, labelW-2, kv[0], lst, AlignLeft)
		h := d.Paragraph(x+labelW, y, valueW, kv[1], st, AlignLeft)
		if lh := d.ParagraphHeight(kv[0], labelW-2, lst); lh > h {
			h = lh
		}
		y += h + 1
	}
	return y
}
