package templates

import (
	"html/template"
	"strconv"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

// funcs are the helpers every page may call.
func funcs() template.FuncMap {
	return template.FuncMap{
		"unitName": func(u schedule.Unit, lang string) string { return u.DisplayName(lang) },
		"roleName": func(r schedule.Role, lang string) string {
			if lang == "hi" && r.NameHi != "" {
				return r.NameHi
			}
			return r.Name
		},
		"levelName": func(ls schedule.Levels, depth int, lang string) string {
			l, ok := ls.ByDepth(depth)
			if !ok {
				return strconv.Itoa(depth)
			}
			if lang == "hi" {
				return l.NameHi
			}
			return l.Name
		},
		"num": FormatCount,
		"add": func(a, b int) int { return a + b },
		// msg makes a fixed English text from the domain (an
		// explanation's reason) a message, for L to translate.
		"msg": func(s string) schedule.Msg { return schedule.Msg{Format: s} },
		// canRead reports whether the logged-in person may open the pages
		// of the unit at path: a link to anything else would answer 404.
		"canRead": func(a *schedule.Actor, path string) bool { return a != nil && a.Can(schedule.ActRead, path) },
	}
}

// momentFuncs show times on the organisation's clock in the page's
// language (schedule.Moments); Render installs them per language like T:
// stamp is when something happened ("5 Jan 2025, 11:00"), when is an
// event's start with the zone ("Sunday, 5 January 2025, 11:00 IST").
// istTime is the old name of stamp.
func momentFuncs(m schedule.Moments) template.FuncMap {
	stamp := func(t time.Time) string { return m.Stamp(t) }
	return template.FuncMap{
		"stamp":   stamp,
		"istTime": stamp,
		"when":    func(t time.Time) string { return m.DateTime(t) },
		// day shows a calendar day (00:00 UTC stands for it, as campaign
		// target dates) as that same day on the organisation's calendar.
		"day": func(t time.Time) string {
			return m.Date(time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, m.Zone().Location()))
		},
	}
}

// FormatCount writes a count with Indian digit grouping: 30,00,000.
func FormatCount(n int) string {
	s := strconv.Itoa(n)
	if len(s) <= 3 {
		return s
	}
	head, tail := s[:len(s)-3], s[len(s)-3:]
	var out []byte
	for i, r := range []byte(head) {
		if i > 0 && (len(head)-i)%2 == 0 {
			out = append(out, ',')
		}
		out = append(out, r)
	}
	return string(out) + "," + tail
}
