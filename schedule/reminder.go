package schedule

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits of a reminder schedule.
const (
	MaxReminders      = 5
	MaxReminderOffset = 30 * 24 * time.Hour
)

// ReminderSchedule lists how long before an event's start reminders go
// out, e.g. 24h and 1h. Offsets are whole minutes.
type ReminderSchedule []time.Duration

// DefaultReminderSchedule is 24 hours and 1 hour before the start.
func DefaultReminderSchedule() ReminderSchedule {
	return ReminderSchedule{24 * time.Hour, time.Hour}
}

// Validate checks the schedule as an editor saves it: at most
// MaxReminders offsets, each a positive whole number of minutes up to
// MaxReminderOffset, none repeated. An empty schedule (no reminders) is
// valid.
func (s ReminderSchedule) Validate() error {
	if len(s) > MaxReminders {
		return FieldError("reminders", "at most %d reminders, got %d", MaxReminders, len(s))
	}
	for i, d := range s {
		switch {
		case d <= 0:
			return FieldError("reminders", "reminder %d: %v is not before the start", i+1, d)
		case d > MaxReminderOffset:
			return FieldError("reminders", "reminder %d: %v is more than %v before the start", i+1, d, MaxReminderOffset)
		case d%time.Minute != 0:
			return FieldError("reminders", "reminder %d: %v is not a whole number of minutes", i+1, d)
		}
		if slices.Contains(s[:i], d) {
			return FieldError("reminders", "reminder %d: %v is listed twice", i+1, d)
		}
	}
	return nil
}

// Reminder is one reminder of an event: Offset before the start, due At.
type Reminder struct {
	Offset time.Duration
	At     time.Time
}

// Due returns the reminder to send now for ev, or false if there is none.
//
//   - No reminders for a cancelled event, or once it has started.
//   - Of the reminders whose time has come, only the latest counts: after
//     an outage the 1-hour reminder goes out, not both.
//   - A reminder due at or before lastNoticeAt (when the person's invite or
//     latest change notice was enqueued; zero for "never") is skipped:
//     that notice told them already.
//
// Due is pure; the outbox's idempotency key (ReminderKey) makes calling it
// repeatedly safe.
func (s ReminderSchedule) Due(ev MessageEvent, lastNoticeAt, now time.Time) (Reminder, bool) {
	if ev.Cancelled || !now.Before(ev.Start) {
		return Reminder{}, false
	}
	var best Reminder
	found := false
	for _, d := range s {
		at := ev.Start.Add(-d)
		if at.After(now) || !at.After(lastNoticeAt) {
			continue
		}
		if !found || at.After(best.At) {
			best, found = Reminder{Offset: d, At: at}, true
		}
	}
	return best, found
}

// Next returns when the next reminder of ev falls due after now, so a
// scheduler can sleep until then; false when none is left.
func (s ReminderSchedule) Next(ev MessageEvent, now time.Time) (time.Time, bool) {
	if ev.Cancelled {
		return time.Time{}, false
	}
	var next time.Time
	for _, d := range s {
		at := ev.Start.Add(-d)
		if at.After(now) && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	return next, !next.IsZero()
}

// MessageKey identifies one message to one invitee on one channel; its
// String is the outbox idempotency key, so enqueueing the same message
// twice (after a crash or a retry) is a no-op.
//
// The key is "invite:<invite ID>:<kind>:<seq>:<channel>", where seq is:
//   - invite: the send number, 0 for the first, 1 for the first re-send…
//   - reminder: "<start>-<offset>", the event's start in Unix minutes and
//     the offset in minutes, so moving the event gives new reminders while
//     editing its title does not;
//   - change and cancel: the event's Sequence after the change.
//
// The channel is part of the key because a person told by both SMS and
// email gets two messages.
type MessageKey struct {
	InviteID int64
	Kind     MessageKind
	Seq      string
	Channel  MessageChannel
}

// String returns the idempotency key.
func (k MessageKey) String() string {
	return "invite:" + strconv.FormatInt(k.InviteID, 10) + ":" + string(k.Kind) + ":" + k.Seq + ":" + string(k.Channel)
}

// InviteKey is the key of the n-th sending (0 first) of an invite.
func InviteKey(inviteID int64, n int, ch MessageChannel) MessageKey {
	return MessageKey{InviteID: inviteID, Kind: MessageInvite, Seq: strconv.Itoa(n), Channel: ch}
}

// ReminderKey is the key of reminder r of an event starting at start.
func ReminderKey(inviteID int64, start time.Time, r Reminder, ch MessageChannel) MessageKey {
	seq := strconv.FormatInt(start.Unix()/60, 10) + "-" + strconv.FormatInt(int64(r.Offset/time.Minute), 10)
	return MessageKey{InviteID: inviteID, Kind: MessageReminder, Seq: seq, Channel: ch}
}

// NoticeKey is the key of a change or cancel notice sent for the event's
// given Sequence.
func NoticeKey(inviteID int64, kind MessageKind, sequence int, ch MessageChannel) MessageKey {
	return MessageKey{InviteID: inviteID, Kind: kind, Seq: strconv.Itoa(sequence), Channel: ch}
}

// ParseMessageKey parses a key made by MessageKey.String.
func ParseMessageKey(s string) (MessageKey, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 5 || parts[0] != "invite" {
		return MessageKey{}, FieldError("key", "%q is not invite:<id>:<kind>:<seq>:<channel>", s)
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || id < 0 {
		return MessageKey{}, FieldError("key", "%q has a bad invite ID", s)
	}
	k := MessageKey{InviteID: id, Kind: MessageKind(parts[2]), Seq: parts[3], Channel: MessageChannel(parts[4])}
	if err := validateKey(TemplateKey{Kind: k.Kind, Channel: k.Channel, Lang: LangEnglish}); err != nil {
		return MessageKey{}, fmt.Errorf("message key %q: %w", s, err)
	}
	if k.Seq == "" {
		return MessageKey{}, FieldError("key", "%q has an empty sequence", s)
	}
	return k, nil
}

// ChangeNoticeKind says which notice an edit of an event needs: MessageCancel
// when it was cancelled, MessageChange when its start, end, venue, audio
// bridge or (for a recurring event) its series changed (rule, skipped or
// edited occurrences: calendars that hold the invitation must learn of
// them), and false for anything else (a title or description edit, or a
// cancelled event edited again), which notifies nobody.
func ChangeNoticeKind(before, after MessageEvent) (MessageKind, bool) {
	switch {
	case before.Cancelled:
		return "", false
	case after.Cancelled:
		return MessageCancel, true
	case !before.Start.Equal(after.Start), !before.End.Equal(after.End),
		before.Venue != after.Venue, before.VenueHi != after.VenueHi,
		before.BridgeNumber != after.BridgeNumber, before.BridgePIN != after.BridgePIN,
		!sameSeries(before, after):
		return MessageChange, true
	}
	return "", false
}

// SeriesOnlyChange reports whether a change notice is only about the
// series (an occurrence skipped or edited, the rule changed) while the
// first occurrence's time and place stay: calendars need it (email with
// the updated series), a text message would only repeat the old date.
func SeriesOnlyChange(before, after MessageEvent) bool {
	return !after.Cancelled && before.Start.Equal(after.Start) && before.End.Equal(after.End) &&
		before.Venue == after.Venue && before.VenueHi == after.VenueHi &&
		before.BridgeNumber == after.BridgeNumber && before.BridgePIN == after.BridgePIN && !sameSeries(before, after)
}

// sameSeries reports whether a and b repeat alike: same rule, exceptions
// and occurrence edits.
func sameSeries(a, b MessageEvent) bool {
	if a.RRule != b.RRule || !slices.EqualFunc(a.ExDates, b.ExDates, time.Time.Equal) || len(a.Overrides) != len(b.Overrides) {
		return false
	}
	for i := range a.Overrides {
		x, y := a.Overrides[i], b.Overrides[i]
		if !x.RecurrenceID.Equal(y.RecurrenceID) || !x.Start.Equal(y.Start) || !x.End.Equal(y.End) ||
			x.Title != y.Title || x.TitleHi != y.TitleHi || x.Status != y.Status ||
			(x.Venue == nil) != (y.Venue == nil) || x.Venue != nil && x.Venue.Name != y.Venue.Name ||
			!slices.Equal(x.Guests, y.Guests) {
			return false
		}
	}
	return true
}

// InviteDelivery is what the notice planner needs to know about one
// existing invite.
type InviteDelivery struct {
	InviteID int64
	// Channels are the channels the invite went out on.
	Channels []MessageChannel
	// Enqueued is whether the invite message was put in the outbox
	// (queued, sent or failed). An invite not yet enqueued gets no change
	// notice: its invite is rendered with the new details.
	Enqueued bool
	// Revoked invites are told nothing.
	Revoked bool
}

// Notice is one message to enqueue.
type Notice struct {
	Key     MessageKey
	Kind    MessageKind
	Channel MessageChannel
}

// ChangeNotices returns the notices an edit of an event from before to
// after produces for the invites already sent, one per invite and channel,
// keyed by after.Sequence. Everyone already invited is told, whatever they
// answered: a time change may suit someone who had declined. It appends to
// dst so a caller can reuse a buffer while streaming millions of invites.
func ChangeNotices(dst []Notice, before, after MessageEvent, invites []InviteDelivery) []Notice {
	kind, ok := ChangeNoticeKind(before, after)
	if !ok {
		return dst
	}
	for _, inv := range invites {
		if !inv.Enqueued || inv.Revoked {
			continue
		}
		for _, ch := range inv.Channels {
			dst = append(dst, Notice{Key: NoticeKey(inv.InviteID, kind, after.Sequence, ch), Kind: kind, Channel: ch})
		}
	}
	return dst
}
