package schedule

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

func TestCSVCellNeutralisesFormulas(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`=HYPERLINK("http://evil.example","click")`, `'=HYPERLINK("http://evil.example","click")`},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"\x00=1+1", "'\x00=1+1"},
		{"＝1+1", "'＝1+1"}, // fullwidth equals: some spreadsheets fold it
		{"'=already", "''=already"},
		// Data that only looks like a formula's start stays as it is.
		{"+919800000001", "+919800000001"},
		{"-12", "-12"},
		{"-0.5", "-0.5"},
		{"राम कुमार", "राम कुमार"},
		{"a=b", "a=b"},
		{"", ""},
	} {
		if got := CSVCell(tc.in); got != tc.want {
			t.Errorf("CSVCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if back := UncellCSV(CSVCell(tc.in)); back != tc.in {
			t.Errorf("UncellCSV(CSVCell(%q)) = %q: an export no longer imports back unchanged", tc.in, back)
		}
	}
}

func TestCSVWriterNeutralisesEveryCell(t *testing.T) {
	var buf bytes.Buffer
	w := NewCSVWriter(&buf)
	if err := w.Write([]string{"=1+1", "ok", "@x"}); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	rec, err := csv.NewReader(strings.NewReader(buf.String())).Read()
	if err != nil || rec[0] != "'=1+1" || rec[1] != "ok" || rec[2] != "'@x" {
		t.Fatalf("wrote %q: %q %v", buf.String(), rec, err)
	}
}
