package schedule

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// DefaultZoneName is the organisation's time zone when none is configured.
const DefaultZoneName = "Asia/Kolkata"

// Zone is the organisation's time zone: the one place that decides on
// which wall clock moments are shown to people (Moments), typed dates and
// times are read (Parse) and the organisation's "today" falls (Today). It
// is a setting (KARYAKRAM_ORG_TZ), passed to whoever shows or reads a
// time; the server's own TZ never matters.
//
// The zero Zone is Asia/Kolkata, so a component built without one (a test,
// a tool) shows IST rather than UTC.
//
// Zones must keep one UTC offset (no daylight saving) from 2000 to 2200:
// calendar feeds declare a single-observance VTIMEZONE, which is exact
// only then. Every zone of South Asia qualifies.
type Zone struct {
	loc    *time.Location
	name   string // IANA name, the iCalendar TZID
	label  string // short name shown after a time: "IST"
	offset int    // seconds east of UTC
}

// LoadZone returns the zone with the IANA name (e.g. "Asia/Kolkata",
// "Asia/Kathmandu"). It refuses names the system's time zone database
// does not know and zones that change their clocks after 2000.
func LoadZone(name string) (Zone, error) {
	name = strings.TrimSpace(name)
	if name == "" || name == DefaultZoneName {
		return defaultZone(), nil
	}
	if name == "Local" {
		return Zone{}, fmt.Errorf("time zone %q: name the organisation's zone (e.g. %s), not the server's", name, DefaultZoneName)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return Zone{}, fmt.Errorf("time zone %q: not in the time zone database (want an IANA name such as %s)", name, DefaultZoneName)
	}
	// Walk the zone's periods from 2000 (the database may split one
	// offset into several periods, e.g. at 2038): any offset change is a
	// clock change.
	probe := time.Date(2000, 1, 1, 0, 0, 0, 0, loc)
	_, first := probe.Zone()
	for i := 0; i < 1000 && probe.Year() < 2200; i++ {
		if _, off := probe.Zone(); off != first {
			return Zone{}, fmt.Errorf("time zone %q changes its clocks (on %s): karyakram's calendars support zones with one UTC offset, such as %s",
				name, probe.Format("2 Jan 2006"), DefaultZoneName)
		}
		_, end := probe.ZoneBounds()
		if end.IsZero() {
			break
		}
		probe = end
	}
	abbr, off := time.Date(2030, 1, 1, 0, 0, 0, 0, loc).Zone()
	return Zone{loc: loc, name: name, label: zoneLabel(abbr, off), offset: off}, nil
}

// defaultZone is Asia/Kolkata, loaded once (the zone database is read from
// disk on every LoadLocation); it is immutable.
var defaultZone = sync.OnceValue(loadDefaultZone)

// loadDefaultZone loads Asia/Kolkata; without a time zone database a fixed
// +05:30 zone stands in, which is exact for IST (no transitions since 1945).
func loadDefaultZone() Zone {
	const off = 5*3600 + 1800
	loc, err := time.LoadLocation(DefaultZoneName)
	if err != nil {
		loc = time.FixedZone("IST", off)
	}
	return Zone{loc: loc, name: DefaultZoneName, label: "IST", offset: off}
}

// zoneLabel is the zone's abbreviation, or "UTC+05:45" where the database
// has only a numeric one ("+0545").
func zoneLabel(abbr string, off int) string {
	if abbr != "" && abbr[0] != '+' && abbr[0] != '-' {
		return abbr
	}
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("UTC%c%02d:%02d", sign, off/3600, off%3600/60)
}

func (z Zone) orDefault() Zone {
	if z.loc == nil {
		return defaultZone()
	}
	return z
}

// Location is the zone as a *time.Location.
func (z Zone) Location() *time.Location { return z.orDefault().loc }

// Name is the IANA name, e.g. "Asia/Kolkata" (the iCalendar TZID).
func (z Zone) Name() string { return z.orDefault().name }

// Label is the short name printed after a time, e.g. "IST".
func (z Zone) Label() string { return z.orDefault().label }

// Offset is the zone's UTC offset.
func (z Zone) Offset() time.Duration { return time.Duration(z.orDefault().offset) * time.Second }

// String is the IANA name.
func (z Zone) String() string { return z.Name() }

// In returns t on the zone's wall clock.
func (z Zone) In(t time.Time) time.Time { return t.In(z.Location()) }

// Date returns the instant of the wall-clock time y-m-d hh:mm in the zone
// (out-of-range values normalise as in time.Date).
func (z Zone) Date(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, z.Location())
}

// Today returns 00:00 of the organisation's date at now: a letter issued
// at 20:00 UTC on 4 May is dated 5 May in India.
func (z Zone) Today(now time.Time) time.Time { return z.Midnight(now, 0) }

// Midnight returns 00:00 of t's date in the zone, plus days.
func (z Zone) Midnight(t time.Time, days int) time.Time {
	y, m, d := z.In(t).Date()
	return z.Date(y, m, d+days, 0, 0)
}

// DateKey is t's date in the zone as "2006-01-02", for forms and keys.
func (z Zone) DateKey(t time.Time) string { return z.In(t).Format("2006-01-02") }

// ClockKey is t's time of day in the zone as "15:04", for forms.
func (z Zone) ClockKey(t time.Time) string { return z.In(t).Format("15:04") }

// Parse reads a date ("2006-01-02") and a time of day ("15:04"; empty for
// midnight) typed on the organisation's wall clock and returns the
// instant in UTC. The error names the field "start" as ParseIST did;
// callers that read another field re-label it.
func (z Zone) Parse(date, clock string) (time.Time, error) {
	date, clock = strings.TrimSpace(date), strings.TrimSpace(clock)
	if clock == "" {
		clock = "00:00"
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, z.Location())
	if err != nil {
		return time.Time{}, FieldError("start", "could not read %q %q as a date (YYYY-MM-DD) and time (HH:MM)", date, clock)
	}
	return t.UTC(), nil
}
