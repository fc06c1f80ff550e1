package schedule

import (
	"slices"
	"testing"
	"time"
)

func TestReminderScheduleValidate(t *testing.T) {
	tests := []struct {
		name string
		s    ReminderSchedule
		ok   bool
	}{
		{"default", DefaultReminderSchedule(), true},
		{"none", nil, true},
		{"week and 15 min", ReminderSchedule{7 * 24 * time.Hour, 15 * time.Minute}, true},
		{"zero", ReminderSchedule{0}, false},
		{"negative", ReminderSchedule{-time.Hour}, false},
		{"too early", ReminderSchedule{31 * 24 * time.Hour}, false},
		{"seconds", ReminderSchedule{90 * time.Second}, false},
		{"duplicate", ReminderSchedule{time.Hour, 2 * time.Hour, time.Hour}, false},
		{"too many", ReminderSchedule{time.Hour, 2 * time.Hour, 3 * time.Hour, 4 * time.Hour, 5 * time.Hour, 6 * time.Hour}, false},
	}
	for _, tt := range tests {
		err := tt.s.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("%s: Validate = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("%s: code %q, want EINVALID", tt.name, ErrorCode(err))
		}
	}
}

func TestReminderDue(t *testing.T) {
	start := time.Date(2026, 9, 12, 13, 0, 0, 0, time.UTC)
	ev := MessageEvent{ID: 1, Start: start, End: start.Add(time.Hour)}
	cancelled := ev
	cancelled.Cancelled = true
	invited := start.Add(-5 * 24 * time.Hour)
	s := DefaultReminderSchedule()
	tests := []struct {
		name       string
		ev         MessageEvent
		lastNotice time.Time
		now        time.Time
		want       time.Duration // 0: none due
	}{
		{"days before", ev, invited, start.Add(-48 * time.Hour), 0},
		{"just before 24h", ev, invited, start.Add(-24*time.Hour - time.Second), 0},
		{"exactly 24h", ev, invited, start.Add(-24 * time.Hour), 24 * time.Hour},
		{"between", ev, invited, start.Add(-3 * time.Hour), 24 * time.Hour},
		{"exactly 1h", ev, invited, start.Add(-time.Hour), time.Hour},
		{"after outage only latest", ev, invited, start.Add(-10 * time.Minute), time.Hour},
		{"at start", ev, invited, start, 0},
		{"after start", ev, invited, start.Add(time.Minute), 0},
		{"cancelled", cancelled, invited, start.Add(-time.Hour), 0},
		{"invited after 24h mark skips it", ev, start.Add(-5 * time.Hour), start.Add(-3 * time.Hour), 0},
		{"invited after 24h mark still gets 1h", ev, start.Add(-5 * time.Hour), start.Add(-30 * time.Minute), time.Hour},
		{"notice at the reminder instant counts as told", ev, start.Add(-time.Hour), start.Add(-30 * time.Minute), 0},
		{"never noticed", ev, time.Time{}, start.Add(-2 * time.Hour), 24 * time.Hour},
	}
	for _, tt := range tests {
		r, ok := s.Due(tt.ev, tt.lastNotice, tt.now)
		if ok != (tt.want != 0) || r.Offset != tt.want {
			t.Errorf("%s: Due = %+v, %v; want offset %v", tt.name, r, ok, tt.want)
			continue
		}
		if ok && !r.At.Equal(start.Add(-tt.want)) {
			t.Errorf("%s: At = %v, want %v", tt.name, r.At, start.Add(-tt.want))
		}
	}
	if _, ok := (ReminderSchedule{}).Due(ev, invited, start.Add(-time.Minute)); ok {
		t.Error("empty schedule produced a reminder")
	}
}

func TestReminderNext(t *testing.T) {
	start := time.Date(2026, 9, 12, 13, 0, 0, 0, time.UTC)
	ev := MessageEvent{Start: start}
	s := ReminderSchedule{time.Hour, 24 * time.Hour} // unsorted on purpose
	tests := []struct {
		now  time.Time
		want time.Time
	}{
		{start.Add(-72 * time.Hour), start.Add(-24 * time.Hour)},
		{start.Add(-24 * time.Hour), start.Add(-time.Hour)},
		{start.Add(-time.Hour), time.Time{}},
	}
	for _, tt := range tests {
		got, ok := s.Next(ev, tt.now)
		if !got.Equal(tt.want) || ok == tt.want.IsZero() {
			t.Errorf("Next(%v) = %v, %v; want %v", tt.now, got, ok, tt.want)
		}
	}
	ev.Cancelled = true
	if _, ok := s.Next(ev, start.Add(-72*time.Hour)); ok {
		t.Error("cancelled event has a next reminder")
	}
}

func TestMessageKeys(t *testing.T) {
	start := time.Date(2026, 9, 12, 13, 0, 0, 0, time.UTC)
	r := Reminder{Offset: 24 * time.Hour, At: start.Add(-24 * time.Hour)}
	tests := []struct {
		key  MessageKey
		want string
	}{
		{InviteKey(42, 0, ChannelSMS), "invite:42:invite:0:sms"},
		{InviteKey(42, 2, ChannelEmail), "invite:42:invite:2:email"},
		{ReminderKey(42, start, r, ChannelSMS), "invite:42:reminder:29820300-1440:sms"},
		{NoticeKey(7, MessageChange, 3, ChannelWhatsApp), "invite:7:change:3:whatsapp"},
		{NoticeKey(7, MessageCancel, 4, ChannelSMS), "invite:7:cancel:4:sms"},
	}
	for _, tt := range tests {
		if got := tt.key.String(); got != tt.want {
			t.Errorf("key = %q, want %q", got, tt.want)
		}
		back, err := ParseMessageKey(tt.want)
		if err != nil || back != tt.key {
			t.Errorf("ParseMessageKey(%q) = %+v, %v; want %+v", tt.want, back, err, tt.key)
		}
	}
	// A moved event gives new reminder keys, an unmoved one the same.
	if ReminderKey(42, start, r, ChannelSMS) == ReminderKey(42, start.Add(time.Hour), r, ChannelSMS) {
		t.Error("moving the event kept the reminder key")
	}
	for _, bad := range []string{"", "invite:42:invite:0", "invite:x:invite:0:sms", "invite:-1:invite:0:sms", "invite:1:party:0:sms", "invite:1:invite:0:fax", "invite:1:invite::sms", "event:1:invite:0:sms"} {
		if _, err := ParseMessageKey(bad); ErrorCode(err) != EINVALID {
			t.Errorf("ParseMessageKey(%q) err = %v, want EINVALID", bad, err)
		}
	}
}

func TestChangeNotices(t *testing.T) {
	start := time.Date(2026, 9, 12, 13, 0, 0, 0, time.UTC)
	before := MessageEvent{ID: 1, Title: "Baithak", Start: start, End: start.Add(time.Hour), Venue: "Bhopal", Sequence: 2}
	moved := before
	moved.Start, moved.End, moved.Sequence = start.Add(time.Hour), start.Add(2*time.Hour), 3
	renamed := before
	renamed.Title, renamed.Sequence = "Baithak (revised)", 3
	bridged := before
	bridged.BridgePIN, bridged.Sequence = "1234", 3
	cancelled := before
	cancelled.Cancelled, cancelled.Sequence = true, 3
	cancelledAgain := cancelled
	cancelledAgain.Title, cancelledAgain.Sequence = "x", 4

	invites := []InviteDelivery{
		{InviteID: 10, Channels: []MessageChannel{ChannelSMS}, Enqueued: true},
		{InviteID: 11, Channels: []MessageChannel{ChannelSMS, ChannelEmail}, Enqueued: true},
		{InviteID: 12, Channels: []MessageChannel{ChannelSMS}, Enqueued: false},
		{InviteID: 13, Channels: []MessageChannel{ChannelEmail}, Enqueued: true, Revoked: true},
	}
	tests := []struct {
		name  string
		after MessageEvent
		from  MessageEvent
		want  []string
	}{
		{"moved", moved, before, []string{"invite:10:change:3:sms", "invite:11:change:3:sms", "invite:11:change:3:email"}},
		{"bridge changed", bridged, before, []string{"invite:10:change:3:sms", "invite:11:change:3:sms", "invite:11:change:3:email"}},
		{"cancelled", cancelled, before, []string{"invite:10:cancel:3:sms", "invite:11:cancel:3:sms", "invite:11:cancel:3:email"}},
		{"title only", renamed, before, nil},
		{"edit after cancel", cancelledAgain, cancelled, nil},
		{"no change", before, before, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, n := range ChangeNotices(nil, tt.from, tt.after, invites) {
			if n.Key.Kind != n.Kind || n.Key.Channel != n.Channel {
				t.Errorf("%s: notice %+v disagrees with its key", tt.name, n)
			}
			got = append(got, n.Key.String())
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: notices %v, want %v", tt.name, got, tt.want)
		}
	}
}
