package pdf

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

// RosterSeries is a series of workshops held in several host cities over
// one or more days, e.g. the "digital working" workshops of 5–6 January 2022.
// Names are printed as given (fill them in the document's language).
type RosterSeries struct {
	Lang Lang
	// Zone is the organisation's time zone (zero: Asia/Kolkata).
	Zone  schedule.Zone
	Title string
	// From and To bound the series; when zero they are taken from the sessions.
	From, To time.Time
	// AsOf, when set, is printed under the title (the roster may change).
	AsOf     time.Time
	Sessions []RosterSession
}

// RosterSession is one workshop: a host city on a date and the
// organisational districts sent there.
type RosterSession struct {
	Date     time.Time
	HostCity string
	Venue    string // optional
	// Start and End are the workshop's hours (optional).
	Start, End time.Time
	// Team numbers the trainer team that runs it on its date (0: none).
	Team int
	// Contacts are the people to call at the host (optional).
	Contacts  []RosterContact
	Districts []RosterDistrict
}

// RosterContact is a person to call about a workshop.
type RosterContact struct {
	Name, Role, Phone string
}

// RosterDistrict is one organisational district at a session.
type RosterDistrict struct {
	Name       string
	Attendance int     // people expected or present
	TravelKm   float64 // road distance from the district headquarters to the host city
}

// totals returns the session's attendance and travel sums.
func (s RosterSession) totals() (att int, km float64) {
	for _, d := range s.Districts {
		att += d.Attendance
		km += d.TravelKm
	}
	return att, km
}

// WriteRosterSeries renders the roster as an office prints it: the
// summary first (key figures and one line per date), then for each date a
// compact table with one row per workshop — host city, venue and hours,
// trainer team, contacts, the districts sent there with their expected
// people, and totals. The whole state's series fits on a few A4 pages.
// Sessions are printed in date order, then by host city as given.
func (e *Engine) WriteRosterSeries(w io.Writer, r RosterSeries) error {
	l, err := labelsFor(r.Lang, r.Zone)
	if err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	if len(r.Sessions) == 0 {
		return errors.New("roster: no sessions to print")
	}
	sessions := append([]RosterSession(nil), r.Sessions...)
	sort.SliceStable(sessions, func(i, j int) bool { return sessions[i].Date.Before(sessions[j].Date) })
	from, to := r.From, r.To
	if from.IsZero() {
		from = sessions[0].Date
	}
	if to.IsZero() {
		to = sessions[len(sessions)-1].Date
	}
	d, err := e.NewDoc(DocOptions{Title: r.Title, Subject: l.hostCities})
	if err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	sub := l.dateRange(from, to)
	if !r.AsOf.IsZero() {
		sub += " · " + l.asOf + ": " + l.m.Stamp(r.AsOf)
	}
	pg := &pager{d: d, l: l, title: r.Title, subtitle: sub}
	y := pg.newPage()

	// Group by date.
	type day struct {
		date     time.Time
		sessions []RosterSession
	}
	var days []day
	for _, s := range sessions {
		if n := len(days); n > 0 && l.m.SameDay(days[n-1].date, s.Date) {
			days[n-1].sessions = append(days[n-1].sessions, s)
			continue
		}
		days = append(days, day{date: s.Date, sessions: []RosterSession{s}})
	}

	// Summary: key figures, then one line per date.
	var totAtt, totDist int
	var totKm float64
	hosts := map[string]bool{}
	for _, s := range sessions {
		att, km := s.totals()
		totAtt, totKm, totDist = totAtt+att, totKm+km, totDist+len(s.Districts)
		hosts[s.HostCity] = true
	}
	y += d.Paragraph(marginX, y, contentW, l.rosterSummary, styleHeading(), AlignLeft) + 1
	figures := fmt.Sprintf("%d %s · %d %s · %d %s · %d %s · %s %s · %s %s",
		len(sessions), l.workshops, len(hosts), l.hostCities, totDist, l.districts, len(days), l.days,
		groupInt(totAtt), l.people, formatKm(totKm), l.travelKm)
	y += d.Paragraph(marginX, y, contentW, figures, styleBody(), AlignLeft) + 2
	sum := Table{
		Columns: []Column{
			{Header: l.date, Width: 60},
			{Header: l.workshops, Width: 28, Align: AlignRight},
			{Header: l.districts, Width: 28, Align: AlignRight},
			{Header: l.attendance, Width: 32, Align: AlignRight},
			{Header: l.travelKm, Width: 32, Align: AlignRight},
		},
		Header: Style{Size: 10}, Body: Style{Size: 10}, Padding: 1.2,
	}
	var rows [][]string
	for _, dy := range days {
		att, km, nd := 0, 0.0, 0
		for _, s := range dy.sessions {
			a, k := s.totals()
			att, km, nd = att+a, km+k, nd+len(s.Districts)
		}
		rows = append(rows, []string{l.dateLong(dy.date), strconv.Itoa(len(dy.sessions)), strconv.Itoa(nd), groupInt(att), formatKm(km)})
	}
	rows = append(rows, []string{l.total, strconv.Itoa(len(sessions)), strconv.Itoa(totDist), groupInt(totAtt), formatKm(totKm)})
	sum.BoldRows = map[int]bool{len(rows) - 1: true}
	y = d.Table(marginX, y, bodyBot, sum, rows, pg.newPage) + 6

	// One compact table per date.
	t := Table{
		Columns: []Column{
			{Header: l.serialNo, Width: 8, Align: AlignRight},
			{Header: l.hostVenue, Width: 38},
			{Header: l.team, Width: 11, Align: AlignRight},
			{Header: l.contact, Width: 35},
			{Header: l.districts + " (" + l.people + ")", Width: 56},
			{Header: l.people, Width: 16, Align: AlignRight},
			{Header: l.km, Width: 16, Align: AlignRight},
		},
		Header: Style{Size: 9}, Body: Style{Size: 9}, Padding: 1.2,
	}
	n := 0
	for _, dy := range days {
		common := commonHours(dy.sessions)
		heading := l.dateLong(dy.date)
		if common != nil {
			heading += " · " + l.m.ClockSpan(common[0], common[1]) + " " + l.m.Zone().Label()
		}
		if y+d.LineHeight(styleHeading())+30 > bodyBot { // keep a heading with its first rows
			y = pg.newPage()
		}
		y += d.Paragraph(marginX, y, contentW, heading, Style{Size: 12, Bold: true}, AlignLeft) + 1
		rows = rows[:0]
		att, km, nd := 0, 0.0, 0
		for _, s := range dy.sessions {
			n++
			a, k := s.totals()
			att, km, nd = att+a, km+k, nd+len(s.Districts)
			host := s.HostCity
			if s.Venue != "" && s.Venue != s.HostCity {
				host += "\n" + s.Venue
			}
			if common == nil && !s.Start.IsZero() {
				host += "\n" + l.m.ClockSpan(s.Start, s.End) + " " + l.m.Zone().Label()
			}
			team := ""
			if s.Team > 0 {
				team = strconv.Itoa(s.Team)
			}
			rows = append(rows, []string{strconv.Itoa(n), host, team, contactsText(s.Contacts), districtsText(s.Districts), groupInt(a), formatKm(k)})
		}
		rows = append(rows, []string{"", l.total, "", "", fmt.Sprintf("%d %s", nd, l.districts), groupInt(att), formatKm(km)})
		t.BoldRows = map[int]bool{len(rows) - 1: true}
		y = d.Table(marginX, y, bodyBot, t, rows, pg.newPage) + 6
	}
	if y+d.LineHeight(styleSmall()) < bodyBot {
		d.Paragraph(marginX, y, contentW, l.allTimesIn+" "+l.m.Zone().Label()+" ("+l.m.Zone().Name()+").", styleSmall(), AlignLeft)
	}
	return writeDoc(d, w, "roster")
}

// commonHours returns the hours every session of a date shares, or nil.
func commonHours(ss []RosterSession) []time.Time {
	if ss[0].Start.IsZero() {
		return nil
	}
	for _, s := range ss[1:] {
		if !s.Start.Equal(ss[0].Start) || !s.End.Equal(ss[0].End) {
			return nil
		}
	}
	return []time.Time{ss[0].Start, ss[0].End}
}

// contactsText is one line per contact: "Name (role)", then the phone.
func contactsText(cs []RosterContact) string {
	var b strings.Builder
	for i, c := range cs {
		if i == 2 { // the table stays compact: two people to call
			break
		}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(c.Name)
		if c.Role != "" {
			b.WriteString(" (" + c.Role + ")")
		}
		if c.Phone != "" {
			b.WriteString("\n" + c.Phone)
		}
	}
	return b.String()
}

// districtsText is "Gwalior Nagar (120), Bhind (95), …".
func districtsText(ds []RosterDistrict) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.Name
		if d.Attendance > 0 {
			parts[i] += " (" + groupInt(d.Attendance) + ")"
		}
	}
	return strings.Join(parts, ", ")
}
