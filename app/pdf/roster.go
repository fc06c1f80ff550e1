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
	Sessions []RosterSession
}

// RosterSession is one workshop: a host city on a date and the
// organisational districts sent there.
type RosterSession struct {
	Date      time.Time
	HostCity  string
	Venue     string // optional
	Districts []RosterDistrict
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

// WriteRosterSeries renders the roster as PDF to w: one page per host city
// (continued on further pages when long), each with its districts,
// attendance and travel, then a summary page for the whole series. Sessions
// are printed in date order, then by host city as given.
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
	pg := &pager{d: d, l: l, title: r.Title, subtitle: l.dateRange(from, to)}

	for _, s := range sessions {
		y := pg.newPage()
		y += d.Paragraph(marginX, y, contentW, l.hostCity+": "+s.HostCity, styleHeading(), AlignLeft)
		y = d.keyValues(marginX, y, 30, contentW-30, [][2]string{
			{l.date, l.dateLong(s.Date)},
			{l.venue, s.Venue},
		}, styleBody()) + 2
		t := Table{
			Columns: []Column{
				{Header: l.serialNo, Width: 14, Align: AlignRight},
				{Header: l.district, Width: 96},
				{Header: l.attendance, Width: 32, Align: AlignRight},
				{Header: l.travelKm, Width: 38, Align: AlignRight},
			},
			Header: styleBody(), Body: styleBody(),
		}
		rows := make([][]string, 0, len(s.Districts)+1)
		for i, dist := range s.Districts {
			rows = append(rows, []string{strconv.Itoa(i + 1), dist.Name, groupInt(dist.Attendance), formatKm(dist.TravelKm)})
		}
		att, km := s.totals()
		rows = append(rows, []string{"", l.total, groupInt(att), formatKm(km)})
		t.BoldRows = map[int]bool{len(rows) - 1: true}
		d.Table(marginX, y, bodyBot, t, rows, pg.newPage)
	}

	if len(sessions) > 1 {
		y := pg.newPage()
		y += d.Paragraph(marginX, y, contentW, l.rosterSummary, styleHeading(), AlignLeft) + 2
		t := Table{
			Columns: []Column{
				{Header: l.serialNo, Width: 10, Align: AlignRight},
				{Header: l.date, Width: 28},
				{Header: l.hostCity, Width: 30},
				{Header: l.districts, Width: 66},
				{Header: l.attendance, Width: 22, Align: AlignRight},
				{Header: l.travelKm, Width: 24, Align: AlignRight},
			},
			Header: Style{Size: 10}, Body: Style{Size: 10},
		}
		var rows [][]string
		var totAtt, totDist int
		var totKm float64
		for i, s := range sessions {
			names := make([]string, len(s.Districts))
			for j, dist := range s.Districts {
				names[j] = dist.Name
			}
			att, km := s.totals()
			totAtt, totKm, totDist = totAtt+att, totKm+km, totDist+len(s.Districts)
			rows = append(rows, []string{strconv.Itoa(i + 1), l.dateShort(s.Date), s.HostCity,
				strings.Join(names, ", "), groupInt(att), formatKm(km)})
		}
		rows = append(rows, []string{"", l.total,
			fmt.Sprintf("%d %s", len(sessions), l.hostCities),
			fmt.Sprintf("%d %s", totDist, l.districts), groupInt(totAtt), formatKm(totKm)})
		t.BoldRows = map[int]bool{len(rows) - 1: true}
		d.Table(marginX, y, bodyBot, t, rows, pg.newPage)
	}
	return writeDoc(d, w, "roster")
}
