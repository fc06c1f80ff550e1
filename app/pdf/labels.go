package pdf

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/karyakram/karyakram/schedule"
	"github.com/karyakram/karyakram/templates"
)

// Lang is the language of a document's fixed labels: Hindi or English.
type Lang string

const (
	// Hindi labels (Devanagari).
	Hindi Lang = "hi"
	// English labels.
	English Lang = "en"
)

// labels are all fixed strings printed on the documents, per language,
// read from the catalogues (keys pdf.*).
type labels struct {
	// roster
	rosterSummary, hostCity, date, venue, serialNo, district, districts,
	attendance, travelKm, total, hostCities, page, workshops, trainerTeam,
	team, contact, people, hostVenue, days, asOf, allTimesIn, km string
	// invite letter
	dear, inviteIntro, eventLabel, whenLabel, venueLabel, linkLabel,
	linkHint, bridgeLabel, bridgeNumber, bridgePIN, closing, repeats string
	// attendance sheet
	attendanceSheet, name, unit, mobile, signature string
	// bridge list
	bridgeList, room, pin, number string

	// m shows dates and times on the organisation's clock in the
	// document's language (month and weekday names live in schedule).
	m schedule.Moments
}

// labelsFor returns the label set for lang with dates and times shown in
// zone, or an error for an unknown language.
func labelsFor(lang Lang, zone schedule.Zone) (labels, error) {
	l, err := labelsIn(lang)
	l.m = zone.Moments(string(lang))
	return l, err
}

// labelsIn reads the labels of lang from the catalogues
// (templates/i18n/<lang>.pdf.json), where every text people read lives.
func labelsIn(lang Lang) (labels, error) {
	if lang != Hindi && lang != English {
		return labels{}, fmt.Errorf("unsupported language %q (want %q or %q)", lang, Hindi, English)
	}
	cats, err := templates.Catalogues()
	if err != nil {
		return labels{}, fmt.Errorf("pdf labels: %w", err)
	}
	c := cats[string(lang)]
	var l labels
	for _, f := range []struct {
		dst *string
		key string
	}{
		{&l.rosterSummary, "pdf.roster_summary"},
		{&l.hostCity, "pdf.host_city"},
		{&l.date, "pdf.date"},
		{&l.venue, "pdf.venue"},
		{&l.serialNo, "pdf.serial_no"},
		{&l.district, "pdf.district"},
		{&l.districts, "pdf.districts"},
		{&l.attendance, "pdf.attendance"},
		{&l.travelKm, "pdf.travel_km"},
		{&l.total, "pdf.total"},
		{&l.hostCities, "pdf.host_cities"},
		{&l.page, "pdf.page"},
		{&l.workshops, "pdf.workshops"},
		{&l.trainerTeam, "pdf.trainer_team"},
		{&l.team, "pdf.team"},
		{&l.contact, "pdf.contact"},
		{&l.people, "pdf.people"},
		{&l.hostVenue, "pdf.host_venue"},
		{&l.days, "pdf.days"},
		{&l.asOf, "pdf.as_of"},
		{&l.allTimesIn, "pdf.all_times_in"},
		{&l.km, "pdf.km"},
		{&l.dear, "pdf.dear"},
		{&l.inviteIntro, "pdf.invite_intro"},
		{&l.eventLabel, "pdf.event_label"},
		{&l.whenLabel, "pdf.when_label"},
		{&l.venueLabel, "pdf.venue_label"},
		{&l.linkLabel, "pdf.link_label"},
		{&l.linkHint, "pdf.link_hint"},
		{&l.bridgeLabel, "pdf.bridge_label"},
		{&l.bridgeNumber, "pdf.bridge_number"},
		{&l.bridgePIN, "pdf.bridge_p_i_n"},
		{&l.closing, "pdf.closing"},
		{&l.repeats, "pdf.repeats"},
		{&l.attendanceSheet, "pdf.attendance_sheet"},
		{&l.name, "pdf.name"},
		{&l.unit, "pdf.unit"},
		{&l.mobile, "pdf.mobile"},
		{&l.signature, "pdf.signature"},
		{&l.bridgeList, "pdf.bridge_list"},
		{&l.room, "pdf.room"},
		{&l.pin, "pdf.pin"},
		{&l.number, "pdf.number"},
	} {
		v, ok := c[f.key]
		if !ok {
			return labels{}, fmt.Errorf("pdf labels: catalogue %s lacks %q", lang, f.key)
		}
		*f.dst = v
	}
	return l, nil
}

// dateLong formats a date as "बुधवार, 5 जनवरी 2022" or "Wednesday, 5 January 2022".
func (l labels) dateLong(t time.Time) string { return l.m.Date(t) }

// dateShort formats a date as "5 जनवरी 2022" or "5 January 2022".
func (l labels) dateShort(t time.Time) string { return l.m.DateShort(t) }

// dateRange formats the span of dates from a to b ("5–6 January 2022" when
// in one month).
func (l labels) dateRange(a, b time.Time) string { return l.m.DateRange(a, b) }

// timeSpan formats when an event takes place with the zone named:
// "बुधवार, 5 जनवरी 2022, 10:00–17:00 IST" (end optional).
func (l labels) timeSpan(start, end time.Time) string { return l.m.Span(start, end) }

// groupInt formats n with Indian digit grouping: 12,34,567.
func groupInt(n int) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.Itoa(n)
	if len(s) > 3 {
		head, tail := s[:len(s)-3], s[len(s)-3:]
		var parts []string
		for len(head) > 2 {
			parts = append([]string{head[len(head)-2:]}, parts...)
			head = head[:len(head)-2]
		}
		if head != "" {
			parts = append([]string{head}, parts...)
		}
		s = strings.Join(append(parts, tail), ",")
	}
	if neg {
		s = "-" + s
	}
	return s
}

// MaskMobile hides the middle of a mobile number for printing on sheets
// that circulate: "+91 98765 43210" becomes "98XXXXX210". An Indian country
// prefix (91 or 0) on a 10-digit number is dropped; numbers with fewer than
// six digits are masked entirely; an empty number stays empty.
func MaskMobile(s string) string {
	var d []byte
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			d = append(d, s[i])
		}
	}
	switch {
	case len(d) == 12 && d[0] == '9' && d[1] == '1':
		d = d[2:]
	case len(d) == 11 && d[0] == '0':
		d = d[1:]
	}
	if len(d) == 0 {
		return ""
	}
	if len(d) < 6 {
		return strings.Repeat("X", len(d))
	}
	return string(d[:2]) + strings.Repeat("X", len(d)-5) + string(d[len(d)-3:])
}
