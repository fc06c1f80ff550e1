package pdf

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

// Lang is the language of a document's fixed labels: Hindi or English.
type Lang string

const (
	// Hindi labels (Devanagari).
	Hindi Lang = "hi"
	// English labels.
	English Lang = "en"
)

// labels are all fixed strings printed on the documents, per language.
// Every user-visible label of this package lives in labelsFor.
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

func labelsIn(lang Lang) (labels, error) {
	switch lang {
	case Hindi:
		return labels{
			rosterSummary: "सारांश", hostCity: "मेज़बान नगर", date: "दिनांक", venue: "स्थान",
			serialNo: "क्र.", district: "संगठनात्मक जिला", districts: "जिले",
			attendance: "उपस्थिति", travelKm: "यात्रा (कि.मी.)", total: "कुल",
			hostCities: "मेज़बान नगर", page: "पृष्ठ", workshops: "कार्यशालाएँ", trainerTeam: "प्रशिक्षक दल",
			team: "दल", contact: "संपर्क", people: "लोग", hostVenue: "मेज़बान नगर, स्थान", days: "दिन",
			asOf: "स्थिति", allTimesIn: "सभी समय", km: "कि.मी.",

			dear: "आदरणीय", inviteIntro: "आपको निम्नलिखित कार्यक्रम में सादर आमंत्रित किया जाता है।",
			eventLabel: "कार्यक्रम", whenLabel: "दिनांक एवं समय", venueLabel: "स्थान",
			linkLabel:   "आपका व्यक्तिगत लिंक",
			linkHint:    "कृपया इस लिंक पर अपनी उपस्थिति की पुष्टि करें। यह लिंक केवल आपके लिए है।",
			bridgeLabel: "ऑडियो ब्रिज से जुड़ें", bridgeNumber: "नंबर", bridgePIN: "पिन",
			closing: "सादर,", repeats: "दोहराव",

			attendanceSheet: "उपस्थिति पत्रक", name: "नाम", unit: "इकाई", mobile: "मोबाइल",
			signature: "हस्ताक्षर",

			bridgeList: "ऑडियो ब्रिज सूची", room: "कक्ष", pin: "पिन", number: "ब्रिज नंबर",
		}, nil
	case English:
		return labels{
			rosterSummary: "Summary", hostCity: "Host city", date: "Date", venue: "Venue",
			serialNo: "No.", district: "Organisational district", districts: "Districts",
			attendance: "Attendance", travelKm: "Travel (km)", total: "Total",
			hostCities: "Host cities", page: "Page", workshops: "Workshops", trainerTeam: "Trainer team",
			team: "Team", contact: "Contact", people: "People", hostVenue: "Host city, venue", days: "days",
			asOf: "As of", allTimesIn: "All times", km: "km",

			dear: "Dear", inviteIntro: "You are cordially invited to the following programme.",
			eventLabel: "Programme", whenLabel: "Date and time", venueLabel: "Venue",
			linkLabel:   "Your personal link",
			linkHint:    "Please confirm your attendance at this link. It is for you alone.",
			bridgeLabel: "Join by audio bridge", bridgeNumber: "Number", bridgePIN: "PIN",
			closing: "With regards,", repeats: "Repeats",

			attendanceSheet: "Attendance sheet", name: "Name", unit: "Unit", mobile: "Mobile",
			signature: "Signature",

			bridgeList: "Audio bridge list", room: "Room", pin: "PIN", number: "Bridge number",
		}, nil
	}
	return labels{}, fmt.Errorf("unsupported language %q (want %q or %q)", lang, Hindi, English)
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
