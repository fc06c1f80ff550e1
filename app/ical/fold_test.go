package ical

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	goical "github.com/emersion/go-ical"
)

func TestAppendFolded(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		lines int // physical lines expected
	}{
		{"short", "SUMMARY:hi", 1},
		{"exactly 75", "X:" + strings.Repeat("a", 73), 1},
		{"76 folds", "X:" + strings.Repeat("a", 74), 2},
		{"ascii 300", "DESCRIPTION:" + strings.Repeat("abcdefghij", 29), 5},
		{"Hindi 3-octet runes", "SUMMARY:" + strings.Repeat("हिंदी", 40), 0},
		{"mixed with 4-octet runes", "SUMMARY:" + strings.Repeat("a🙏क", 50), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := appendFolded([]byte("prefix\r\n"), []byte(tc.line))
			out = bytes.TrimPrefix(out, []byte("prefix\r\n"))
			if !bytes.HasSuffix(out, []byte("\r\n")) {
				t.Fatal("no CRLF")
			}
			phys := strings.Split(strings.TrimSuffix(string(out), "\r\n"), "\r\n")
			for i, l := range phys {
				if len(l) > MaxLineOctets {
					t.Errorf("line %d: %d octets", i, len(l))
				}
				if i > 0 && (l == " " || l[0] != ' ') {
					t.Errorf("continuation %d %q", i, l)
				}
				if !utf8.ValidString(l) {
					t.Errorf("line %d splits a character: %q", i, l)
				}
				// Folds are as late as possible: a line is short only when
				// the next character would not fit.
				if i < len(phys)-1 {
					next := phys[i+1][1:]
					_, size := utf8.DecodeRuneInString(next)
					if len(l)+size <= MaxLineOctets {
						t.Errorf("line %d folded early (%d octets, next rune %d)", i, len(l), size)
					}
				}
			}
			if tc.lines > 0 && len(phys) != tc.lines {
				t.Errorf("%d lines, want %d", len(phys), tc.lines)
			}
			if got := strings.ReplaceAll(strings.TrimSuffix(string(out), "\r\n"), "\r\n ", ""); got != tc.line {
				t.Errorf("unfolds to %q", got)
			}
		})
	}
}

func TestFoldWriterWithGoICal(t *testing.T) {
	cal := goical.NewCalendar()
	cal.Props.SetText(goical.PropVersion, "2.0")
	cal.Props.SetText(goical.PropProductID, ProdID)
	ev := goical.NewEvent()
	ev.Props.SetText(goical.PropUID, "x@karyakram")
	ev.Props.SetDateTime(goical.PropDateTimeStamp, time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC))
	ev.Props.SetText(goical.PropSummary, longHindi)
	ev.Props.SetText(goical.PropDescription, strings.Repeat("long, description; ", 30))
	cal.Children = append(cal.Children, ev.Component)

	var raw, folded bytes.Buffer
	if err := goical.NewEncoder(&raw).Encode(cal); err != nil {
		t.Fatal(err)
	}
	fw := NewFoldWriter(&folded)
	// Write in awkward pieces: FoldWriter must not depend on one Write per line.
	for b := raw.Bytes(); len(b) > 0; {
		n := min(7, len(b))
		if _, err := fw.Write(b[:n]); err != nil {
			t.Fatal(err)
		}
		b = b[n:]
	}
	if err := fw.Flush(); err != nil {
		t.Fatal(err)
	}
	checkLines(t, folded.Bytes())
	if bytes.Equal(raw.Bytes(), folded.Bytes()) {
		t.Fatal("nothing was folded")
	}
	back, err := goical.NewDecoder(&folded).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := back.Events()[0].Props.Text(goical.PropSummary); s != longHindi {
		t.Errorf("summary round trip %q", s)
	}
}
