package pdf

// Column is one column of a Table.
type Column struct {
	Header string
	Width  float64 // millimetres
	Align  Align
}

// Table describes a bordered table whose cells wrap their text.
type Table struct {
	Columns []Column
	// Header and Body are the text styles of the header row and the other rows.
	Header, Body Style
	// HeaderFill is the background of the header row; the zero value is a light grey.
	HeaderFill *RGB
	// Padding inside every cell, in millimetres; 0 means 1.5.
	Padding float64
	// MinRowHeight is the least height of a body row (e.g. room for a
	// signature), in millimetres.
	MinRowHeight float64
	// BoldRows marks body rows (by index) drawn in bold, e.g. totals.
	BoldRows map[int]bool
}

// padding returns the cell padding, defaulting to 1.5 mm.
func (t Table) padding() float64 {
	if t.Padding <= 0 {
		return 1.5
	}
	return t.Padding
}

// Width returns the table's total width.
func (t Table) Width() float64 {
	var w float64
	for _, c := range t.Columns {
		w += c.Width
	}
	return w
}

// rowHeight returns the height of a row of cells and each cell's lines.
func (d *Doc) rowHeight(t Table, cells []string, st Style, minH float64) (float64, [][]shapedLine) {
	pad := t.padding()
	lines := make([][]shapedLine, len(t.Columns))
	h := 0.0
	for i, c := range t.Columns {
		if i >= len(cells) || cells[i] == "" {
			continue
		}
		lines[i] = d.sh.wrap(cells[i], st.Bold, (c.Width-2*pad)/st.scale())
		if ch := float64(len(lines[i])) * d.LineHeight(st); ch > h {
			h = ch
		}
	}
	h += 2 * pad
	if h < minH {
		h = minH
	}
	return h, lines
}

// drawRow draws one row at y with the given height and pre-wrapped lines.
func (d *Doc) drawRow(x, y, h float64, t Table, lines [][]shapedLine, st Style, fill *RGB) {
	p := d.pdf
	pad := t.padding()
	lh := d.LineHeight(st)
	asc := d.Ascent(st)
	cx := x
	for i, c := range t.Columns {
		if fill != nil {
			p.SetFillColor(int(fill.R), int(fill.G), int(fill.B))
			p.Rect(cx, y, c.Width, h, "FD")
		} else {
			p.Rect(cx, y, c.Width, h, "D")
		}
		for j, l := range lines[i] {
			lx := alignX(cx+pad, c.Width-2*pad, l.width*st.scale(), c.Align)
			d.drawLine(lx, y+pad+asc+float64(j)*lh, l, st)
		}
		cx += c.Width
	}
}

// Table draws t with its top-left corner at (x, y) and the given rows of
// cell texts, and returns the y just below it. A row that would cross bottom
// goes to a new page: newPage must add the page (and any page furniture) and
// return the y at which to continue; the header row is repeated there. A
// single row taller than a whole page is drawn anyway and overflows.
func (d *Doc) Table(x, y, bottom float64, t Table, rows [][]string, newPage func() float64) float64 {
	p := d.pdf
	p.SetLineWidth(0.2)
	p.SetDrawColor(90, 90, 90)
	fill := RGB{230, 230, 230}
	if t.HeaderFill != nil {
		fill = *t.HeaderFill
	}
	hst := t.Header
	hst.Bold = true
	headers := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		headers[i] = c.Header
	}
	hh, hlines := d.rowHeight(t, headers, hst, 0)
	header := func() {
		d.drawRow(x, y, hh, t, hlines, hst, &fill)
		y += hh
	}
	header()
	for i, row := range rows {
		st := t.Body
		if t.BoldRows[i] {
			st.Bold = true
		}
		h, lines := d.rowHeight(t, row, st, t.MinRowHeight)
		if y+h > bottom && newPage != nil {
			y = newPage()
			header()
		}
		d.drawRow(x, y, h, t, lines, st, nil)
		y += h
	}
	return y
}
