package schedule

import "time"

// CalendarView is the span of days a calendar shows around an anchor day,
// on the organisation's clock: a month as whole weeks from Monday, a week
// from Monday, one day, or a 31-day list.
type CalendarView struct {
	Kind   string    // "month", "week", "day" or "list"
	Anchor time.Time // the day asked for
	// From and To are the midnights the view spans, To excluded.
	From, To time.Time
	// Prev and Next are the anchors of the views before and after.
	Prev, Next time.Time
	zone       Zone
}

// CalendarView returns the view of kind around anchor; an unknown kind is
// a month.
func (z Zone) CalendarView(kind string, anchor time.Time) CalendarView {
	v := CalendarView{Kind: kind, Anchor: anchor, zone: z}
	monday := func(t time.Time) time.Time { return z.Midnight(t, -((int(z.In(t).Weekday()) + 6) % 7)) }
	switch kind {
	case "week":
		v.From = monday(anchor)
		v.To = z.Midnight(v.From, 7)
		v.Prev, v.Next = z.Midnight(v.From, -7), v.To
	case "day":
		v.From = z.Midnight(anchor, 0)
		v.To = z.Midnight(v.From, 1)
		v.Prev, v.Next = z.Midnight(v.From, -1), v.To
	case "list":
		v.From = z.Midnight(anchor, 0)
		v.To = z.Midnight(v.From, 31)
		v.Prev, v.Next = z.Midnight(v.From, -31), v.To
	default:
		v.Kind = "month"
		first := z.Midnight(anchor, 1-z.In(anchor).Day())
		next := z.Midnight(first, 0).AddDate(0, 1, 0)
		next = z.Midnight(next, 0)
		v.From = monday(first)
		v.To = z.Midnight(next, (7-(int(z.In(next).Weekday())+6)%7)%7)
		v.Prev, v.Next = first.AddDate(0, -1, 0), next
	}
	return v
}

// Days are the midnights of the view's days, in order.
func (v CalendarView) Days() []time.Time {
	var out []time.Time
	for d := v.From; d.Before(v.To); d = v.zone.Midnight(d, 1) {
		out = append(out, d)
	}
	return out
}

// Weeks are the view's days in rows of seven (a month grid).
func (v CalendarView) Weeks() [][]time.Time {
	days := v.Days()
	var out [][]time.Time
	for len(days) >= 7 {
		out = append(out, days[:7])
		days = days[7:]
	}
	return out
}

// InMonth reports whether day d is in the anchor's month (a month grid
// shows the neighbouring months' days greyed).
func (v CalendarView) InMonth(d time.Time) bool {
	return v.zone.In(d).Month() == v.zone.In(v.Anchor).Month() && v.zone.In(d).Year() == v.zone.In(v.Anchor).Year()
}
