package schedule

import (
	"encoding/csv"
	"io"
	"strings"
	"unicode/utf8"
)

// CSV exports are opened in spreadsheets, which run a cell as a formula
// when it starts with = + - @ (or a tab or carriage return before one):
// a worker named =HYPERLINK(…) would become a link in an office's copy of
// the file (OWASP "CSV Injection"). Every CSV the product writes goes
// through CSVCell, by NewCSVWriter; imports undo it with UncellCSV, so an
// export imports back unchanged.

// csvFormulaStart reports whether r makes a spreadsheet read a cell as a
// formula: the OWASP list (with NUL, as ASVS 5 adds) plus the fullwidth
// forms some spreadsheets fold.
func csvFormulaStart(r rune) bool {
	switch r {
	case '=', '+', '-', '@', '\t', '\r', 0, '＝', '＋', '－', '＠':
		return true
	}
	return false
}

// CSVCell returns s safe to open in a spreadsheet: a cell that would start
// a formula gets a leading apostrophe, which spreadsheets read as "text".
// Plain numbers (-12, +919800000001) are left alone: they compute
// nothing, and mobiles must stay importable. A cell that already starts
// with an apostrophe before a formula character gets another one, so
// UncellCSV restores every value exactly.
func CSVCell(s string) string {
	if needsCSVQuote(s) {
		return "'" + s
	}
	return s
}

// UncellCSV undoes CSVCell on an imported cell.
func UncellCSV(s string) string {
	if rest, ok := strings.CutPrefix(s, "'"); ok && needsCSVQuote(rest) {
		return rest
	}
	return s
}

func needsCSVQuote(s string) bool {
	for strings.HasPrefix(s, "'") { // apostrophes before a formula: escape them too
		s = s[1:]
	}
	r, _ := utf8.DecodeRuneInString(s)
	return csvFormulaStart(r) && !plainNumber(s)
}

// plainNumber reports whether s is a signed decimal number and nothing
// else.
func plainNumber(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			digits++
		case c == '.' && !dot && digits > 0:
			dot = true
		default:
			return false
		}
	}
	return digits > 0 && s[len(s)-1] != '.'
}

// CSVWriter is encoding/csv's Writer with every cell passed through
// CSVCell. Use it for every CSV the product hands out.
type CSVWriter struct{ *csv.Writer }

// NewCSVWriter returns a CSVWriter writing to w.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{csv.NewWriter(w)} }

// Write writes one record, neutralising each cell; it returns the
// underlying writer's error.
func (w *CSVWriter) Write(record []string) error {
	safe := record
	for i, cell := range record {
		if c := CSVCell(cell); c != cell {
			if &safe[0] == &record[0] {
				safe = append([]string(nil), record...)
			}
			safe[i] = c
		}
	}
	return w.Writer.Write(safe)
}
