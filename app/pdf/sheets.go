package pdf

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

// AttendanceSheet is a printed sign-in sheet for one event.
type AttendanceSheet struct {
	Lang Lang
	// Zone is the organisation's time zone (zero: Asia/Kolkata).
	Zone       schedule.Zone
	EventTitle string
	Start, End time.Time // End optional
	Venue      string
	// Organiser is printed under the title, e.g. the district (optional).
	Organiser string
	Rows      []AttendanceRow
	// BlankRows adds empty numbered rows at the end for walk-in attendees.
	BlankRows int
}

// AttendanceRow is one expected attendee. Mobile is given in full and
// printed masked (see MaskMobile).
type AttendanceRow struct {
	Name, Unit, Mobile string
}

// WriteAttendanceSheet renders the sheet as PDF to w: event header, then a
// table of serial number, name, unit, masked mobile and an empty signature
// column, continued over as many pages as needed with the header repeated.
func (e *Engine) WriteAttendanceSheet(w io.Writer, s AttendanceSheet) error {
	l, err := labelsFor(s.Lang, s.Zone)
	if err != nil {
		return fmt.Errorf("attendance sheet: %w", err)
	}
	d, err := e.NewDoc(DocOptions{Title: s.EventTitle, Subject: l.attendanceSheet})
	if err != nil {
		return fmt.Errorf("attendance sheet: %w", err)
	}
	pg := &pager{d: d, l: l, title: l.attendanceSheet + ": " + s.EventTitle, subtitle: s.Organiser}
	y := pg.newPage()
	y = d.keyValues(marginX, y, 30, contentW-30, [][2]string{
		{l.date, l.timeSpan(s.Start, s.End)},
		{l.venue, s.Venue},
	}, styleBody()) + 2
	t := Table{
		Columns: []Column{
			{Header: l.serialNo, Width: 12, Align: AlignRight},
			{Header: l.name, Width: 52},
			{Header: l.unit, Width: 44},
			{Header: l.mobile, Width: 30},
			{Header: l.signature, Width: 42},
		},
		Header: styleBody(), Body: styleBody(),
		MinRowHeight: 11,
	}
	rows := make([][]string, 0, len(s.Rows)+s.BlankRows)
	for i, r := range s.Rows {
		rows = append(rows, []string{strconv.Itoa(i + 1), r.Name, r.Unit, MaskMobile(r.Mobile), ""})
	}
	for i := 0; i < s.BlankRows; i++ {
		rows = append(rows, []string{strconv.Itoa(len(s.Rows) + i + 1), "", "", "", ""})
	}
	d.Table(marginX, y, bodyBot, t, rows, pg.newPage)
	return writeDoc(d, w, "attendance sheet")
}

// BridgeList lists the audio bridges (dial-in conference lines) per district
// for a mass address.
type BridgeList struct {
	Lang Lang
	// Zone is the organisation's time zone (zero: Asia/Kolkata).
	Zone  schedule.Zone
	Title string
	Start time.Time // optional
	// Entries are printed in the order of their district names in the
	// document's language, so an office finds its own row.
	Entries []BridgeEntry
}

// BridgeEntry is one district's audio bridge. Number is printed as given
// (format it for reading, schedule.FormatPhone). Room is an optional place
// people gather to listen (a hall), printed when any entry has one.
type BridgeEntry struct {
	District, Number, PIN, Room string
}

// WriteBridgeList renders the list as PDF to w: a table of district, bridge
// number and PIN (and listening room when given), in district-name order,
// continued over pages as needed.
func (e *Engine) WriteBridgeList(w io.Writer, b BridgeList) error {
	l, err := labelsFor(b.Lang, b.Zone)
	if err != nil {
		return fmt.Errorf("bridge list: %w", err)
	}
	d, err := e.NewDoc(DocOptions{Title: b.Title, Subject: l.bridgeList})
	if err != nil {
		return fmt.Errorf("bridge list: %w", err)
	}
	title := l.bridgeList
	if b.Title != "" {
		title += ": " + b.Title
	}
	sub := ""
	if !b.Start.IsZero() {
		sub = l.timeSpan(b.Start, time.Time{})
	}
	entries := slices.Clone(b.Entries)
	key := func(s string) string {
		if b.Lang == English {
			return strings.ToLower(s)
		}
		return s // Devanagari code points follow the varnamala
	}
	slices.SortStableFunc(entries, func(a, c BridgeEntry) int { return strings.Compare(key(a.District), key(c.District)) })
	rooms := slices.ContainsFunc(entries, func(e BridgeEntry) bool { return e.Room != "" })
	pg := &pager{d: d, l: l, title: title, subtitle: sub}
	y := pg.newPage()
	t := Table{
		Columns: []Column{
			{Header: l.serialNo, Width: 12, Align: AlignRight},
			{Header: l.district, Width: 78},
			{Header: l.number, Width: 56},
			{Header: l.pin, Width: 34},
		},
		Header: styleBody(), Body: Style{Size: 12},
	}
	if rooms {
		t.Columns[1].Width, t.Columns[2].Width, t.Columns[3].Width = 58, 44, 22
		t.Columns = append(t.Columns, Column{Header: l.room, Width: 44})
	}
	rows := make([][]string, 0, len(entries))
	for i, en := range entries {
		row := []string{strconv.Itoa(i + 1), en.District, en.Number, en.PIN}
		if rooms {
			row = append(row, en.Room)
		}
		rows = append(rows, row)
	}
	d.Table(marginX, y, bodyBot, t, rows, pg.newPage)
	return writeDoc(d, w, "bridge list")
}
