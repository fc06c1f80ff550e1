// Package icaltest reads iCalendar data the way calendar clients do, with
// two parsers independent of karyakram's encoder: github.com/emersion/go-ical
// and the npm ical.js library (run by node). Tests of every package that
// writes .ics (feeds, invitations, email) use it.
package icaltest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	goical "github.com/emersion/go-ical"

	"github.com/karyakram/karyakram/internal/testtool"
)

// Go parses data with go-ical, failing the test when it cannot.
func Go(t testing.TB, data []byte) *goical.Calendar {
	t.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot parse the calendar: %v\n%s", err, data)
	}
	return cal
}

// Calendar is what ical.js understood of a calendar. Times are UTC ISO
// strings ("2026-11-29T05:30:00.000Z").
type Calendar struct {
	Method    string   `json:"method"`
	Name      string   `json:"name"`
	Refresh   string   `json:"refresh"`
	TTL       string   `json:"ttl"`
	Timezones []string `json:"timezones"`
	Events    []Event  `json:"events"`
}

// Event is one VEVENT as ical.js reads it; Occurrences are the first
// starts of a recurring master as ical.js expands RRULE minus EXDATE.
type Event struct {
	UID          string   `json:"uid"`
	Summary      string   `json:"summary"`
	Location     string   `json:"location"`
	Description  string   `json:"description"`
	Status       string   `json:"status"`
	Sequence     int      `json:"sequence"`
	DTStamp      string   `json:"dtstamp"`
	Start        string   `json:"start"`
	End          string   `json:"end"`
	StartTZID    string   `json:"startTzid"`
	RecurrenceID *string  `json:"recurrenceId"`
	RRule        string   `json:"rrule"`
	ExDates      []string `json:"exdates"`
	URL          string   `json:"url"`
	Organizer    *Party   `json:"organizer"`
	Attendees    []Party  `json:"attendees"`
	Occurrences  []string `json:"occurrences"`
}

// Party is an ORGANIZER or ATTENDEE.
type Party struct {
	Value    string `json:"value"`
	CN       string `json:"cn"`
	PartStat string `json:"partstat"`
	RSVP     string `json:"rsvp"`
}

// JS parses data with ical.js, expanding up to occurrences of each series.
// It skips the test (with what to install) when node or ical.js is
// missing.
func JS(t testing.TB, data []byte, occurrences int) Calendar {
	t.Helper()
	node := testtool.Program(t, "node")
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "testdata", "node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "ical.js")); err != nil {
		t.Skipf("ical.js not found in %s: run %s", dir, testtool.NPMScript)
	}
	if occurrences <= 0 {
		occurrences = 12
	}
	cmd := exec.Command(node, "parse.mjs", strconv.Itoa(occurrences))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TZ=UTC") // an unregistered TZID would then read as UTC and fail
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ical.js rejected the calendar: %v\n%s\n%s", err, stderr.String(), data)
	}
	var cal Calendar
	if err := json.Unmarshal(out, &cal); err != nil {
		t.Fatalf("parse.mjs output: %v\n%s", err, out)
	}
	return cal
}
