package templates

import (
	"html/template"
	"strconv"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

var ist = time.FixedZone("IST", 5*3600+1800)

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
		"num":     FormatCount,
		"istTime": func(t time.Time) string { return t.In(ist).Format("02 Jan 2006 15:04") },
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
