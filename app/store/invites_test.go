package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/schedule"
)

func TestInvitesFanOut(t *testing.T) {
	ctx := context.Background()
	now := inviteNow()
	st := seededAt(t, now)
	state := storetest.Actor(t, st, "9800000001")
	d1 := storetest.Actor(t, st, "9800000002")
	ev := insertEvent(t, st, "D1", "ev-1@test", now.Add(72*time.Hour))
	mp, d1ID, d2ID := unitID(t, st, "MP"), unitID(t, st, "D1"), unitID(t, st, "D2")

	t.Run("PreviewPerDistrict", func(t *testing.T) {
		p, err := st.PreviewAudience(ctx, state, ev, store.Audience{UnitIDs: []int64{mp}, Channel: schedule.ChannelEmail}, 3)
		if err != nil {
			t.Fatal(err)
		}
		// 9 workers: 1 at state level, 6 in D1, 2 in D2; nobody has email.
		if p.Total != 9 || p.AboveDistricts != 1 || len(p.Districts) != 2 || p.NoContact != 9 || len(p.NoContactSample) != 3 {
			t.Fatalf("preview = %+v", p)
		}
		byName := map[string]int{}
		for _, d := range p.Districts {
			byName[d.Name] = d.Count
		}
		if byName["Gwalior Nagar"] != 6 || byName["Bhopal Nagar"] != 2 {
			t.Fatalf("districts = %+v", p.Districts)
		}
	})
	t.Run("RolesAndLevel", func(t *testing.T) {
		p, err := st.PreviewAudience(ctx, state, ev, store.Audience{UnitIDs: []int64{mp}, Roles: []string{"president"}, Level: "district", Channel: schedule.ChannelSMS}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 2 || p.NoContact != 0 {
			t.Fatalf("district presidents = %+v", p)
		}
		p, err = st.PreviewAudience(ctx, state, ev, store.Audience{UnitIDs: []int64{d1ID}, Roles: []string{"booth_president"}, Channel: schedule.ChannelSMS}, 10)
		if err != nil || p.Total != 1 {
			t.Fatalf("booth presidents in D1 = %+v, %v", p, err)
		}
	})
	t.Run("Nobody", func(t *testing.T) {
		_, err := st.PreviewAudience(ctx, state, ev, store.Audience{UnitIDs: []int64{d2ID}, Roles: []string{"it_cell"}, Channel: schedule.ChannelSMS}, 10)
		if schedule.ErrorCode(err) != schedule.EINVALID || !strings.Contains(err.Error(), "nobody") {
			t.Fatalf("err = %v", err)
		}
		_, err = st.SendInvites(ctx, state, ev, store.Audience{UnitIDs: []int64{d2ID}, Roles: []string{"it_cell"}, Channel: schedule.ChannelSMS})
		if schedule.ErrorCode(err) != schedule.EINVALID {
			t.Fatalf("send to nobody: %v", err)
		}
	})
	t.Run("OutOfScopeUnit", func(t *testing.T) {
		_, err := st.PreviewAudience(ctx, d1, ev, store.Audience{UnitIDs: []int64{d2ID}, Channel: schedule.ChannelSMS}, 10)
		if schedule.ErrorCode(err) != schedule.ENOTFOUND {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("SendIsIdempotent", func(t *testing.T) {
		rep, err := st.SendInvites(ctx, d1, ev, store.Audience{UnitIDs: []int64{d1ID}, Channel: schedule.ChannelSMS})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Invited != 6 || rep.Enqueued != 6 || rep.NoContact != 0 {
			t.Fatalf("first send = %+v", rep)
		}
		rep, err = st.SendInvites(ctx, d1, ev, store.Audience{UnitIDs: []int64{d1ID}, Channel: schedule.ChannelSMS})
		if err != nil || rep.Invited != 0 || rep.Enqueued != 0 || rep.AlreadyInvited != 6 {
			t.Fatalf("second send = %+v, %v", rep, err)
		}
		// A wider audience adds only the new people.
		now = now.Add(time.Minute)
		rep, err = st.SendInvites(ctx, state, ev, store.Audience{UnitIDs: []int64{mp}, Channel: schedule.ChannelSMS})
		if err != nil || rep.Invited != 3 || rep.Enqueued != 3 {
			t.Fatalf("wider send = %+v, %v", rep, err)
		}
		counts, _ := st.OutboxCounts(ctx)
		if counts[store.OutboxQueued] != 9 {
			t.Fatalf("outbox = %v", counts)
		}
		c, err := st.InviteCounts(ctx, d1, ev)
		if err != nil || c.Total != 6 || c.Queued != 6 {
			t.Fatalf("D1 sees %+v, %v", c, err)
		}
		rows, total, err := st.ListInvites(ctx, state, ev, store.InviteFilter{})
		if err != nil || total != 9 || len(rows) != 9 || rows[0].Mobile == "" || strings.Contains(rows[0].Mobile, "98000000") {
			t.Fatalf("list = %d %v %v", total, rows, err)
		}
	})
	t.Run("EmailWithoutAddressesMarksFailed", func(t *testing.T) {
		ev2 := insertEvent(t, st, "D1", "ev-2@test", now.Add(72*time.Hour))
		rep, err := st.SendInvites(ctx, d1, ev2, store.Audience{UnitIDs: []int64{d1ID}, Channel: schedule.ChannelEmail})
		if err != nil || rep.Invited != 6 || rep.NoContact != 6 || rep.Enqueued != 0 {
			t.Fatalf("email send = %+v, %v", rep, err)
		}
		c, _ := st.InviteCounts(ctx, d1, ev2)
		if c.Failed != 6 {
			t.Fatalf("counts = %+v", c)
		}
	})
}

func TestRSVPAndRevocation(t *testing.T) {
	ctx := context.Background()
	now := inviteNow()
	st := seededAt(t, now)
	d1 := storetest.Actor(t, st, "9800000002")
	ev := insertEvent(t, st, "D1", "ev-r@test", now.Add(72*time.Hour))
	inviteD1(t, st, d1, ev)
	rows, _, err := st.ListInvites(ctx, d1, ev, store.InviteFilter{})
	if err != nil || len(rows) == 0 {
		t.Fatal(err)
	}
	inv := rows[0].ID
	claims := schedule.LinkClaims{InviteID: inv, EventID: ev, LinkVersion: 1, Expires: now.Add(30 * 24 * time.Hour)}
	li, err := st.InviteByLink(ctx, claims)
	if err != nil || li.Event.ID != ev || li.Name == "" {
		t.Fatalf("by link: %+v %v", li, err)
	}
	if err := st.RecordRSVP(ctx, claims, "yes please", now); schedule.ErrorCode(err) != schedule.EINVALID {
		t.Fatalf("bad answer: %v", err)
	}
	if err := st.RecordRSVP(ctx, claims, store.RSVPGoing, now); err != nil {
		t.Fatal(err)
	}
	c, _ := st.InviteCounts(ctx, d1, ev)
	if c.Going != 1 {
		t.Fatalf("counts = %+v", c)
	}
	wrong := claims
	wrong.EventID = ev + 100
	if _, err := st.InviteByLink(ctx, wrong); schedule.ErrorCode(err) != schedule.ENOTFOUND {
		t.Fatalf("wrong event: %v", err)
	}
	if _, err := st.RevokeEventLinks(ctx, d1, ev); err != nil {
		t.Fatal(err)
	}
	if _, err := st.InviteByLink(ctx, claims); !schedule.IsLinkRevoked(err) {
		t.Fatalf("old version: %v", err)
	}
	claims.LinkVersion = 2
	if _, err := st.InviteByLink(ctx, claims); err != nil {
		t.Fatalf("new version: %v", err)
	}
	if err := st.RevokeInvite(ctx, d1, inv); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordRSVP(ctx, claims, store.RSVPMaybe, now); !schedule.IsLinkRevoked(err) {
		t.Fatalf("revoked invite: %v", err)
	}
	// A database that fails is a failure, not "this invitation no longer
	// exists": the worker would be told their link is dead.
	if _, err := st.DB().ExecContext(ctx, "ALTER TABLE workers RENAME TO workers_gone"); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordRSVP(ctx, claims, store.RSVPMaybe, now); err == nil || schedule.ErrorCode(err) == schedule.ENOTFOUND {
		t.Fatalf("with the database closed: %v (%s)", err, schedule.ErrorCode(err))
	}
}

func TestRemindersAndNotices(t *testing.T) {
	ctx := context.Background()
	now := inviteNow()
	st := seededAt(t, now)
	d1 := storetest.Actor(t, st, "9800000002")
	start := now.Add(72 * time.Hour)
	ev := insertEvent(t, st, "D1", "ev-n@test", start)
	d1ID := unitID(t, st, "D1")
	if _, err := st.SendInvites(ctx, d1, ev, store.Audience{UnitIDs: []int64{d1ID}, Channel: schedule.ChannelSMS}); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveInviteSettings(ctx, d1, ev, store.InviteSettings{Reminders: schedule.ReminderSchedule{90 * time.Minute, 0}}); schedule.ErrorCode(err) != schedule.EINVALID {
		t.Fatalf("bad schedule saved: %v", err)
	}
	n, err := st.EnqueueDueReminders(ctx, now)
	if err != nil || n != 0 {
		t.Fatalf("too early: %d %v", n, err)
	}
	// 23 hours before: the 24 h reminder, once, however often it runs.
	at := start.Add(-23 * time.Hour)
	if n, err = st.EnqueueDueReminders(ctx, at); err != nil || n != 6 {
		t.Fatalf("24h reminders: %d %v", n, err)
	}
	if n, err = st.EnqueueDueReminders(ctx, at.Add(time.Minute)); err != nil || n != 0 {
		t.Fatalf("again: %d %v", n, err)
	}
	// Someone who declined gets no 1 h reminder.
	rows, _, _ := st.ListInvites(ctx, d1, ev, store.InviteFilter{})
	claims := schedule.LinkClaims{InviteID: rows[0].ID, EventID: ev, LinkVersion: 1, Expires: start.Add(24 * time.Hour)}
	if err := st.RecordRSVP(ctx, claims, store.RSVPNotGoing, at); err != nil {
		t.Fatal(err)
	}
	if n, err = st.EnqueueDueReminders(ctx, start.Add(-30*time.Minute)); err != nil || n != 5 {
		t.Fatalf("1h reminders: %d %v", n, err)
	}
	// A later invitee, invited after the 1 h mark, gets no reminder.
	// Change notices: once the invitations went out, moving the event
	// tells all six, once.
	if _, err := st.DB().ExecContext(ctx, "UPDATE outbox SET status = 'sent' WHERE event_id = ? AND kind = 'invite'", ev); err != nil {
		t.Fatal(err)
	}
	e, err := st.FindInviteEvent(ctx, d1, ev)
	if err != nil {
		t.Fatal(err)
	}
	before := e.MessageEvent
	if _, err := st.DB().ExecContext(ctx, "UPDATE events SET start_at = ?, end_at = ?, sequence = 1 WHERE id = ?", start.Add(time.Hour).UTC(), start.Add(3*time.Hour).UTC(), ev); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		n, err = st.EnqueueChangeNotices(ctx, d1, ev, before, "hall booked late")
		if err != nil {
			t.Fatal(err)
		}
		if n != 6 && n != 0 {
			t.Fatalf("change notices = %d", n)
		}
	}
	counts, _ := st.OutboxCounts(ctx)
	if counts[store.OutboxQueued] != 6+5+6 || counts[store.OutboxSent] != 6 {
		t.Fatalf("outbox = %v", counts)
	}
	// A title edit notifies nobody.
	e, _ = st.FindInviteEvent(ctx, d1, ev)
	if n, err = st.EnqueueChangeNotices(ctx, d1, ev, e.MessageEvent, ""); err != nil || n != 0 {
		t.Fatalf("no-op change: %d %v", n, err)
	}
}

func TestMessageTemplatesStore(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	state := storetest.Actor(t, st, "9800000001")
	d1 := storetest.Actor(t, st, "9800000002")
	ts, err := st.LoadTemplateSet(ctx, schedule.MessageConfig{})
	if err != nil {
		t.Fatal(err)
	}
	k := schedule.TemplateKey{EventType: "meeting", Kind: schedule.MessageInvite, Channel: schedule.ChannelSMS, Lang: "en"}
	good := schedule.MessageTemplate{Body: "{{.Name}}: {{.Title}} on {{.When}}. Reply: {{.Link}}"}
	if err := st.SaveMessageTemplate(ctx, d1, ts, k, good); schedule.ErrorCode(err) != schedule.EFORBIDDEN {
		t.Fatalf("district saved a template: %v", err)
	}
	bad := schedule.MessageTemplate{Body: "{{.Nmae}} {{.Link}}"}
	if err := st.SaveMessageTemplate(ctx, state, ts, k, bad); schedule.ErrorCode(err) != schedule.EINVALID || !strings.Contains(err.Error(), "Nmae") {
		t.Fatalf("bad template: %v", err)
	}
	if err := st.SaveMessageTemplate(ctx, state, ts, k, good); err != nil {
		t.Fatal(err)
	}
	ts2, err := st.LoadTemplateSet(ctx, schedule.MessageConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := ts2.Template(k); got.Body != good.Body {
		t.Fatalf("reloaded = %q", got.Body)
	}
	if err := st.DeleteMessageTemplate(ctx, state, ts2, schedule.MessageConfig{}, k); err != nil {
		t.Fatal(err)
	}
	if got, _ := ts2.Template(k); got.Body == good.Body {
		t.Fatal("delete did not fall back")
	}
}

// TestEventChangesNotifyInvitees checks the events code and the outbox
// together: moving an event through UpdateEvent enqueues one change notice
// per invitee whose invitation went out, in the same transaction; a title
// edit or a move before the invitations went out none; cancelling one
// cancel notice each while stopping queued messages.
func TestEventChangesNotifyInvitees(t *testing.T) {
	ctx := context.Background()
	now := inviteNow()
	st := seededAt(t, now)
	d1 := storetest.Actor(t, st, "9800000002")
	start := now.Add(72 * time.Hour)
	ev := insertEvent(t, st, "D1", "ev-change@test", start)
	inviteD1(t, st, d1, ev)
	queued := func() int {
		counts, err := st.OutboxCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return counts[store.OutboxQueued]
	}
	invites := queued()
	rec, err := st.FindEventByID(ctx, d1, ev)
	if err != nil {
		t.Fatal(err)
	}
	retitled := rec.Event
	retitled.Title = "New title"
	if _, err := st.UpdateEvent(ctx, d1, retitled); err != nil {
		t.Fatal(err)
	}
	if got := queued(); got != invites {
		t.Fatalf("a title edit queued %d notices", got-invites)
	}
	moved := retitled
	moved.Start, moved.End = moved.Start.Add(2*time.Hour), moved.End.Add(2*time.Hour)
	if _, err := st.UpdateEvent(ctx, d1, moved); err != nil {
		t.Fatal(err)
	}
	if got := queued(); got != invites {
		t.Fatalf("a move before the invitations went out queued %d notices", got-invites)
	}
	// The invitations go out (rendered with the new time); a second move
	// now tells each invitee.
	if _, err := st.DB().ExecContext(ctx, "UPDATE outbox SET status = 'sent' WHERE event_id = ? AND kind = 'invite'", ev); err != nil {
		t.Fatal(err)
	}
	moved.Start, moved.End = moved.Start.Add(time.Hour), moved.End.Add(time.Hour)
	if _, err := st.UpdateEvent(ctx, d1, moved); err != nil {
		t.Fatal(err)
	}
	if got := queued(); got != invites {
		t.Fatalf("moving the event queued %d notices for %d sent invitations", got, invites)
	}
	if _, err := st.CancelEvent(ctx, d1, ev); err != nil {
		t.Fatal(err)
	}
	counts, _ := st.OutboxCounts(ctx)
	if counts[store.OutboxQueued] != invites || counts[store.OutboxDead] != invites {
		t.Errorf("after cancel: %v, want the %d cancel notices queued and the unsent change notices dead", counts, invites)
	}
}
