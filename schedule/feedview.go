package schedule

import (
	"crypto/sha256"
	"encoding/hex"
)

// What a calendar feed shows. A feed is a credential handed to someone (a
// worker, a VIP's office), so it shows in full only the events its owner
// may see: those its anchor unit can see (Actor.CanSeeEventAt: the anchor's
// subtree and the units above it). Other events it carries — a worker
// invited to another district's event, a VIP booked by another branch —
// appear as busy time only, as calendar apps show free/busy: the times and
// status, nothing that says what, where or with whom.

// Busy-time titles, in English and Hindi.
const (
	BusyTitle   = "Busy"
	BusyTitleHi = "व्यस्त"
)

// FeedShowsInFull reports whether a feed anchored at the unit path anchor
// may show the event held at eventPath in full.
func FeedShowsInFull(anchor, eventPath string) bool {
	return Actor{Scope: NewScope(anchor)}.CanSeeEventAt(eventPath)
}

// BusyOnly returns e reduced to busy time: the same times, recurrence,
// exceptions, status and sequence (so calendars keep it current), the
// title Busy, and a UID derived from the real one (stable, but not the
// event's own name). Description, venue, type, organisers, guests and the
// overrides' titles and venues are dropped.
func (e Event) BusyOnly() Event {
	sum := sha256.Sum256([]byte("busy|" + e.UID))
	b := Event{ID: e.ID, UID: "busy-" + hex.EncodeToString(sum[:16]) + "@" + UIDDomain, Title: BusyTitle, TitleHi: BusyTitleHi,
		Start: e.Start, End: e.End, Status: e.Status, Sequence: e.Sequence, RRule: e.RRule, ExDates: e.ExDates, UpdatedAt: e.UpdatedAt}
	for _, o := range e.Overrides {
		b.Overrides = append(b.Overrides, Override{RecurrenceID: o.RecurrenceID, Start: o.Start, End: o.End, Status: o.Status})
	}
	return b
}
