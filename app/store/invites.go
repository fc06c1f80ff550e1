package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// Invitations: an official picks an audience (units, roles, level,
// channel); the audience is resolved from the worker records when the
// invites are sent, in one set-based transaction that creates one invite
// row per person and one outbox row per reachable person. Personal links
// are never stored: the drainer and the RSVP page derive them by signing
// (invite ID, event ID, link version, expiry).

// Invite statuses (invites.status).
const (
	InviteQueued = "queued"
	InviteSent   = "sent"
	InviteFailed = "failed"
	InviteRSVP   = "rsvp"
)

// RSVP answers (invites.rsvp).
const (
	RSVPGoing    = "going"
	RSVPNotGoing = "not_going"
	RSVPMaybe    = "maybe"
)

// ValidRSVP reports whether a is an RSVP answer.
func ValidRSVP(a string) bool { return a == RSVPGoing || a == RSVPNotGoing || a == RSVPMaybe }

// MaxAudienceUnits caps the subtrees one audience may name.
const MaxAudienceUnits = 50

// InviteSettings are the per-event invitation settings: the reminder
// schedule and the details a mass address shows (audio bridge, join link).
type InviteSettings struct {
	// Reminders is the schedule; nil means the default (24 h and 1 h).
	Reminders schedule.ReminderSchedule
	// NoReminders switches reminders off for the event.
	NoReminders  bool
	BridgeNumber string
	BridgePIN    string
	JoinURL      string
	VenueHi      string
}

// Schedule returns the reminder schedule in force.
func (st InviteSettings) Schedule() schedule.ReminderSchedule {
	switch {
	case st.NoReminders:
		return nil
	case st.Reminders == nil:
		return schedule.DefaultReminderSchedule()
	}
	return st.Reminders
}

// InviteEvent is what invitations need to know of an event.
type InviteEvent struct {
	schedule.MessageEvent
	UnitID      int64
	UnitPath    string
	Description string
	LinkVersion uint32
	Settings    InviteSettings
}

// MassAddress reports whether the event is a mass address or has an audio
// bridge or join link.
func (e InviteEvent) MassAddress() bool {
	return e.Type == AddressEventType || e.Settings.BridgeNumber != "" || e.Settings.JoinURL != "" || e.BridgeNumber != ""
}

// ForInvitee returns e as the invitee at unitPath sees it: the audio
// bridge of their own area (eb.For) when the event's address has one, else
// the event-wide bridge of the invitation settings, else none.
func (e InviteEvent) ForInvitee(eb EventBridges, unitPath string) InviteEvent {
	if b, ok := eb.For(unitPath); ok {
		e.BridgeNumber, e.BridgePIN = b.Number, b.PIN
	}
	return e
}

// Event returns the event as a schedule.Event (for .ics files): the whole
// series, with its exceptions and edited occurrences, when it repeats, as
// the feeds carry it.
func (e InviteEvent) Event() schedule.Event {
	ev := e.CalendarEvent(e.Description)
	ev.UnitID = e.UnitID
	return ev
}

// inviteEventSQL reads an event with its invitation settings; the
// events table belongs to the events code, so only its stable columns are
// read here.
const inviteEventSQL = `SELECT e.id, e.uid, e.unit_id, e.unit_path, e.type, e.title, e.title_hi, e.description, e.venue_name,
	e.start_at, e.end_at, e.status, e.sequence, e.link_version, e.rrule, e.exdates, e.overrides,
	COALESCE(s.reminders, ''), COALESCE(s.bridge_number, ''), COALESCE(s.bridge_pin, ''), COALESCE(s.join_url, ''), COALESCE(s.venue_hi, '')
	FROM events e LEFT JOIN invite_settings s ON s.event_id = e.id`

func scanInviteEvent(scan func(...any) error) (InviteEvent, error) {
	var e InviteEvent
	var status, reminders, exdates, overrides string
	var lv int64
	err := scan(&e.ID, &e.UID, &e.UnitID, &e.UnitPath, &e.Type, &e.Title, &e.TitleHi, &e.Description, &e.Venue,
		&e.Start, &e.End, &status, &e.Sequence, &lv, &e.RRule, &exdates, &overrides,
		&reminders, &e.Settings.BridgeNumber, &e.Settings.BridgePIN, &e.Settings.JoinURL, &e.Settings.VenueHi)
	if err != nil {
		return e, err
	}
	// The series, as the events code stores it (see eventRow.domain).
	if e.RRule != "" {
		series := eventRow{ID: e.ID, ExDates: exdates, Overrides: overrides}
		se, err := series.domain()
		if err != nil {
			return e, err
		}
		e.ExDates, e.Overrides = se.ExDates, se.Overrides
	}
	e.Start, e.End = e.Start.UTC(), e.End.UTC()
	e.LinkVersion = uint32(lv)
	e.Cancelled = status == string(schedule.EventCancelled)
	e.VenueHi = e.Settings.VenueHi
	e.BridgeNumber, e.BridgePIN = e.Settings.BridgeNumber, e.Settings.BridgePIN
	e.Settings.Reminders, e.Settings.NoReminders, err = parseReminders(reminders)
	return e, err
}

// remindersText says when reminders go out, for the audit log.
func remindersText(st InviteSettings) schedule.Msg {
	switch {
	case st.NoReminders:
		return schedule.Msgf("no reminders")
	case st.Reminders == nil:
		return schedule.Msgf("the default reminders")
	}
	return schedule.Msgf("reminders %s before the start", []time.Duration(st.Reminders))
}

// formatReminders stores a schedule as minutes, "none" for no reminders
// and "" for the default.
func formatReminders(st InviteSettings) string {
	if st.NoReminders {
		return "none"
	}
	if st.Reminders == nil {
		return ""
	}
	parts := make([]string, len(st.Reminders))
	for i, d := range st.Reminders {
		parts[i] = strconv.FormatInt(int64(d/time.Minute), 10)
	}
	return strings.Join(parts, ",")
}

func parseReminders(s string) (schedule.ReminderSchedule, bool, error) {
	switch s {
	case "":
		return nil, false, nil
	case "none":
		return nil, true, nil
	}
	var out schedule.ReminderSchedule
	for _, p := range strings.Split(s, ",") {
		m, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, false, fmt.Errorf("stored reminder schedule %q: %w", s, err)
		}
		out = append(out, time.Duration(m)*time.Minute)
	}
	return out, false, nil
}

// inviteEvent reads event id without a scope check.
func inviteEvent(ctx context.Context, db bun.IDB, id int64) (InviteEvent, error) {
	row := db.QueryRowContext(ctx, inviteEventSQL+" WHERE e.id = ?", id)
	e, err := scanInviteEvent(row.Scan)
	if err != nil {
		return e, mapErr(err, schedule.Msgf("event %d", id))
	}
	return e, nil
}

// FindInviteEvent returns event id with its invitation settings if the
// actor may see it.
func (s *Store) FindInviteEvent(ctx context.Context, actor schedule.Actor, id int64) (InviteEvent, error) {
	e, err := inviteEvent(ctx, s.db, id)
	if err != nil || !actor.Can(schedule.ActRead, e.UnitPath) {
		return InviteEvent{}, schedule.Errorf(schedule.ENOTFOUND, "event %d not found", id)
	}
	return e, nil
}

// SaveInviteSettings stores an event's reminder schedule and mass-address
// details; the actor must be able to write the event's unit.
func (s *Store) SaveInviteSettings(ctx context.Context, actor schedule.Actor, eventID int64, st InviteSettings) error {
	if err := st.Reminders.Validate(); err != nil {
		return err
	}
	if st.BridgeNumber != "" {
		if _, err := schedule.NormaliseMobile(st.BridgeNumber); err != nil && !strings.HasPrefix(st.BridgeNumber, "+") {
			return schedule.FieldError("bridge_number", "%q is not a phone number", st.BridgeNumber)
		}
	}
	if st.JoinURL != "" && !strings.HasPrefix(st.JoinURL, "https://") && !strings.HasPrefix(st.JoinURL, "http://") {
		return schedule.FieldError("join_url", "%q is not a web address (http:// or https://)", st.JoinURL)
	}
	return s.inTx(ctx, func(tx bun.Tx) error {
		e, err := inviteEvent(ctx, tx, eventID)
		if err != nil || !actor.Can(schedule.ActRead, e.UnitPath) {
			return schedule.Errorf(schedule.ENOTFOUND, "event %d not found", eventID)
		}
		if !actor.Can(schedule.ActWrite, e.UnitPath) {
			return schedule.Errorf(schedule.EFORBIDDEN, "only the event's organising unit can change its reminders")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO invite_settings (event_id, reminders, bridge_number, bridge_pin, join_url, venue_hi, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO UPDATE SET reminders = EXCLUDED.reminders,
			bridge_number = EXCLUDED.bridge_number, bridge_pin = EXCLUDED.bridge_pin, join_url = EXCLUDED.join_url,
			venue_hi = EXCLUDED.venue_hi, updated_at = EXCLUDED.updated_at`,
			eventID, formatReminders(st), st.BridgeNumber, st.BridgePIN, st.JoinURL, st.VenueHi, s.now().UTC())
		if err != nil {
			return mapErr(err, "invite settings")
		}
		return s.audit(ctx, tx, actor, "settings", "event", eventID, e.UnitPath, remindersText(st))
	})
}

// Audience chooses who is invited: every active worker in the subtrees of
// UnitIDs, narrowed to holders of one of Roles (held at a unit inside the
// subtrees, and at a unit of Level when set). Channel is how they are
// told.
type Audience struct {
	UnitIDs []int64
	Roles   []string
	// Level is a level key ("district", "booth"…); "" means any level.
	Level   string
	Channel schedule.MessageChannel
}

// resolvedAudience is an audience as a SQL condition on workers alias w.
type resolvedAudience struct {
	cond      string
	args      []any
	noContact string // condition: w has no address for the channel
	recipient string // expression: w's address for the channel
	units     []schedule.Unit
	roles     []schedule.Names // the roles asked for, to name them when nobody matches
	level     schedule.Names   // the level asked for, if any
}

// contactSQL is, for workers alias w, the condition "cannot be reached on
// ch" (no address; for email also an unsubscribed address, see
// Unsubscribe) and the address expression.
func contactSQL(ch schedule.MessageChannel) (noContact, recipient string) {
	if ch == schedule.ChannelEmail {
		return "(w.email = '' OR " + optedOutSQL("w.email") + ")", "w.email"
	}
	return "(w.mobile IS NULL OR w.mobile = '')", "w.mobile"
}

// resolveAudience checks a and turns it into SQL. Units outside the
// actor's scope are not found.
func (s *Store) resolveAudience(ctx context.Context, db bun.IDB, actor schedule.Actor, a Audience) (resolvedAudience, error) {
	var r resolvedAudience
	switch a.Channel {
	case schedule.ChannelSMS, schedule.ChannelEmail, schedule.ChannelWhatsApp:
	default:
		return r, schedule.FieldError("channel", "choose SMS, email or WhatsApp (got %q)", a.Channel)
	}
	if len(a.UnitIDs) == 0 {
		return r, schedule.FieldError("units", "choose at least one unit whose people to invite")
	}
	if len(a.UnitIDs) > MaxAudienceUnits {
		return r, schedule.FieldError("units", "at most %d units, got %d", MaxAudienceUnits, len(a.UnitIDs))
	}
	var ranges []string
	var rangeArgs []any
	for _, id := range a.UnitIDs {
		u, err := s.unitByID(ctx, db, id)
		if err != nil || !actor.Can(schedule.ActRead, u.Path) {
			return r, schedule.Errorf(schedule.ENOTFOUND, "unit %d not found", id)
		}
		r.units = append(r.units, u)
		lo, hi := schedule.SubtreeRange(u.Path)
		ranges = append(ranges, "(%[1]s >= ? AND %[1]s < ?)")
		rangeArgs = append(rangeArgs, lo, hi)
	}
	inRanges := "(" + strings.Join(ranges, " OR ") + ")"
	r.noContact, r.recipient = contactSQL(a.Channel)
	if len(a.Roles) == 0 && a.Level == "" {
		r.cond = "w.active = ? AND " + fmt.Sprintf(inRanges, "w.unit_path")
		r.args = append([]any{true}, rangeArgs...)
		return r, nil
	}
	roles, err := s.Roles(ctx)
	if err != nil {
		return r, err
	}
	for _, k := range a.Roles {
		role, ok := findRole(roles, k)
		if !ok {
			return r, schedule.FieldError("roles", "unknown role %q", k)
		}
		r.roles = append(r.roles, schedule.Names{En: role.Name, Hi: role.NameHi})
	}
	sub := "SELECT wr.worker_id FROM worker_roles wr"
	var subArgs []any
	where := []string{fmt.Sprintf(inRanges, "wr.unit_path")}
	if a.Level != "" {
		levels, err := s.Levels(ctx)
		if err != nil {
			return r, err
		}
		l, ok := levels.ByKey(a.Level)
		if !ok {
			return r, schedule.FieldError("level", "unknown level %q", a.Level)
		}
		r.level = schedule.Names{En: l.Name, Hi: l.NameHi}
		sub += " JOIN units u ON u.id = wr.unit_id AND u.depth = ?"
		subArgs = append(subArgs, l.Depth)
	}
	subArgs = append(subArgs, rangeArgs...)
	if len(a.Roles) > 0 {
		where = append(where, "wr.role_key IN (?)")
		subArgs = append(subArgs, bun.In(a.Roles))
	}
	r.cond = "w.active = ? AND w.id IN (" + sub + " WHERE " + strings.Join(where, " AND ") + ")"
	r.args = append([]any{true}, subArgs...)
	return r, nil
}

func findRole(roles []schedule.Role, key string) (schedule.Role, bool) {
	for _, r := range roles {
		if r.Key == key {
			return r, true
		}
	}
	return schedule.Role{}, false
}

// DistrictCount is one district's share of an audience.
type DistrictCount struct {
	UnitID    int64  `json:"unit_id"`
	Name      string `json:"name"`
	NameHi    string `json:"name_hi"`
	Count     int    `json:"count"`
	NoContact int    `json:"no_contact"`
}

// DisplayName returns the district's name in lang.
func (d DistrictCount) DisplayName(lang string) string {
	if lang == schedule.LangHindi && d.NameHi != "" {
		return d.NameHi
	}
	return d.Name
}

// Uncontactable is an audience member without an address for the channel.
type Uncontactable struct {
	WorkerID int64  `json:"worker_id"`
	Name     string `json:"name"`
	UnitID   int64  `json:"unit_id"`
}

// AudiencePreview is what an official sees before sending.
type AudiencePreview struct {
	Total int `json:"total"`
	// AboveDistricts counts people in the state-level unit itself.
	AboveDistricts int             `json:"above_districts"`
	Districts      []DistrictCount `json:"districts"`
	// NoContact counts people without an address for the channel;
	// NoContactSample lists the first of them.
	NoContact       int             `json:"no_contact"`
	NoContactSample []Uncontactable `json:"no_contact_sample"`
	// AlreadyInvited counts people invited to the event before.
	AlreadyInvited int `json:"already_invited"`
}

// PreviewAudience resolves a for event eventID now and counts it per
// district, listing (count and first sample) people who cannot be reached
// on the channel. An audience of nobody is an EINVALID error.
func (s *Store) PreviewAudience(ctx context.Context, actor schedule.Actor, eventID int64, a Audience, sample int) (AudiencePreview, error) {
	var p AudiencePreview
	if _, err := s.FindInviteEvent(ctx, actor, eventID); err != nil {
		return p, err
	}
	r, err := s.resolveAudience(ctx, s.db, actor, a)
	if err != nil {
		return p, err
	}
	q := `SELECT COUNT(*), COALESCE(SUM(CASE WHEN ` + r.noContact + ` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM invites i WHERE i.event_id = ? AND i.worker_id = w.id) THEN 1 ELSE 0 END), 0)
		FROM workers w WHERE ` + r.cond
	if err := s.db.QueryRowContext(ctx, q, append([]any{eventID}, r.args...)...).Scan(&p.Total, &p.NoContact, &p.AlreadyInvited); err != nil {
		return p, fmt.Errorf("count audience: %w", err)
	}
	if p.Total == 0 {
		return p, errNobody(r)
	}
	q = `SELECT d.id, d.name, d.name_hi, COUNT(*), COALESCE(SUM(CASE WHEN ` + r.noContact + ` THEN 1 ELSE 0 END), 0)
		FROM units d JOIN workers w ON w.unit_path >= d.path AND w.unit_path < substr(d.path, 1, length(d.path) - 1) || '0'
		WHERE d.depth = 1 AND ` + r.cond + ` GROUP BY d.id, d.name, d.name_hi ORDER BY d.name`
	rows, err := s.db.QueryContext(ctx, q, r.args...)
	if err != nil {
		return p, fmt.Errorf("count audience per district: %w", err)
	}
	defer rows.Close()
	inDistricts := 0
	for rows.Next() {
		var d DistrictCount
		if err := rows.Scan(&d.UnitID, &d.Name, &d.NameHi, &d.Count, &d.NoContact); err != nil {
			return p, fmt.Errorf("count audience per district: %w", err)
		}
		inDistricts += d.Count
		p.Districts = append(p.Districts, d)
	}
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("count audience per district: %w", err)
	}
	p.AboveDistricts = p.Total - inDistricts
	if p.NoContact > 0 && sample > 0 {
		q = `SELECT w.id, w.name, w.unit_id FROM workers w WHERE ` + r.noContact + ` AND ` + r.cond + ` ORDER BY w.unit_path, w.name LIMIT ?`
		rows, err := s.db.QueryContext(ctx, q, append(r.args, sample)...)
		if err != nil {
			return p, fmt.Errorf("list audience without contact: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var u Uncontactable
			if err := rows.Scan(&u.WorkerID, &u.Name, &u.UnitID); err != nil {
				return p, fmt.Errorf("list audience without contact: %w", err)
			}
			p.NoContactSample = append(p.NoContactSample, u)
		}
		if err := rows.Err(); err != nil {
			return p, fmt.Errorf("list audience without contact: %w", err)
		}
	}
	return p, nil
}

// errNobody says that the audience r is empty, naming what was asked for.
func errNobody(r resolvedAudience) error {
	switch {
	case len(r.roles) > 0 && r.level != (schedule.Names{}):
		return schedule.FieldError("audience", "nobody matches: no active worker holds %s at %s level in the chosen units; nothing was sent", r.roles, r.level)
	case len(r.roles) > 0:
		return schedule.FieldError("audience", "nobody matches: no active worker holds %s in the chosen units; nothing was sent", r.roles)
	case r.level != (schedule.Names{}):
		return schedule.FieldError("audience", "nobody matches: no active worker holds a role at %s level in the chosen units; nothing was sent", r.level)
	}
	return schedule.FieldError("audience", "nobody matches: the chosen units have no active workers; nothing was sent")
}

// FanOutReport says what SendInvites did.
type FanOutReport struct {
	// Invited is the number of new invite rows; AlreadyInvited were in
	// the audience but invited before.
	Invited        int `json:"invited"`
	AlreadyInvited int `json:"already_invited"`
	// Enqueued is the number of new outbox messages.
	Enqueued int `json:"enqueued"`
	// NoContact is how many new invitees have no address for the
	// channel: their invite is marked failed, to be reached by letter.
	NoContact int `json:"no_contact"`
}

// SendInvites resolves the audience now and, in one transaction, creates an
// invite per person not yet invited to the event and an outbox message for
// each new invite with an address for the channel. It is idempotent:
// running it again adds only people who joined the audience since. An
// audience of nobody is an EINVALID error and writes nothing.
func (s *Store) SendInvites(ctx context.Context, actor schedule.Actor, eventID int64, a Audience) (FanOutReport, error) {
	var rep FanOutReport
	err := s.inTx(ctx, func(tx bun.Tx) error {
		e, err := inviteEvent(ctx, tx, eventID)
		if err != nil || !actor.Can(schedule.ActRead, e.UnitPath) {
			return schedule.Errorf(schedule.ENOTFOUND, "event %d not found", eventID)
		}
		now := s.now().UTC()
		if e.Cancelled {
			return schedule.Errorf(schedule.EINVALID, "the event is cancelled; invitations cannot be sent")
		}
		if !e.End.After(now) {
			return schedule.Errorf(schedule.EINVALID, "the event is over; invitations cannot be sent")
		}
		r, err := s.resolveAudience(ctx, tx, actor, a)
		if err != nil {
			return err
		}
		if rep, err = fanOut(ctx, tx, s.Postgres(), e, a.Channel, r, now); err != nil {
			return err
		}
		if rep.Invited == 0 {
			n := 0
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM workers w WHERE "+r.cond, r.args...).Scan(&n); err != nil {
				return fmt.Errorf("count audience: %w", err)
			}
			if n == 0 {
				return errNobody(r)
			}
			rep.AlreadyInvited = n
		}
		return s.audit(ctx, tx, actor, "invite", "event", eventID, e.UnitPath,
			schedule.Msgf("%s: %d invited, %d messages queued, %d cannot be reached on it", ChannelText(a.Channel), rep.Invited, rep.Enqueued, rep.NoContact))
	})
	if err != nil {
		return FanOutReport{}, err
	}
	return rep, nil
}

// fanOut is the set-based core of SendInvites: invite rows and outbox
// rows, each written by one INSERT … SELECT.
func fanOut(ctx context.Context, tx bun.IDB, pg bool, e InviteEvent, ch schedule.MessageChannel, r resolvedAudience, now time.Time) (FanOutReport, error) {
	if pg {
		return fanOutPG(ctx, tx, e, ch, r, now)
	}
	var rep FanOutReport
	res, err := tx.ExecContext(ctx, `INSERT INTO invites (event_id, worker_id, unit_path, channel, status, created_at)
		SELECT ?, w.id, w.unit_path, ?, CASE WHEN `+r.noContact+` THEN 'failed' ELSE 'queued' END, ?
		FROM workers w WHERE `+r.cond+` ON CONFLICT (event_id, worker_id) DO NOTHING`,
		append([]any{e.ID, string(ch), now}, r.args...)...)
	if err != nil {
		return rep, mapErr(err, "invites")
	}
	n, _ := res.RowsAffected()
	rep.Invited = int(n)
	if n == 0 {
		return rep, nil
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM invites WHERE event_id = ? AND created_at = ? AND status = 'failed'`,
		e.ID, now).Scan(&rep.NoContact); err != nil {
		return rep, fmt.Errorf("count invitees without contact: %w", err)
	}
	_, recipient := contactSQL(ch)
	res, err = tx.ExecContext(ctx, `INSERT INTO outbox (idem_key, event_id, invite_id, kind, channel, recipient, status, next_attempt_at, created_at)
		SELECT 'invite:' || i.id || ':invite:0:' || i.channel, i.event_id, i.id, 'invite', i.channel, `+recipient+`, 'queued', ?, ?
		FROM invites i JOIN workers w ON w.id = i.worker_id
		WHERE i.event_id = ? AND i.created_at = ? AND i.status = 'queued' AND i.channel = ?
		ON CONFLICT (idem_key) DO NOTHING`, now, now, e.ID, now, string(ch))
	if err != nil {
		return rep, mapErr(err, "outbox")
	}
	n, _ = res.RowsAffected()
	rep.Enqueued = int(n)
	return rep, nil
}

// fanOutPG is fanOut in one statement on PostgreSQL: the new invitees are
// selected once with invite IDs drawn from the sequence, and both tables
// are filled from that set, so the invites table is not read back and
// joined to workers again. Fan-outs of one event are serialised by an
// advisory lock (keyed by schema and event), so the NOT EXISTS test cannot
// race.
func fanOutPG(ctx context.Context, tx bun.IDB, e InviteEvent, ch schedule.MessageChannel, r resolvedAudience, now time.Time) (FanOutReport, error) {
	var rep FanOutReport
	for _, q := range []string{"SET LOCAL work_mem = '256MB'", fmt.Sprintf("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':invites'), %d)", e.ID)} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return rep, fmt.Errorf("prepare fan-out: %w", err)
		}
	}
	_, recipient := contactSQL(ch)
	q := `WITH src AS MATERIALIZED (
			SELECT nextval(pg_get_serial_sequence('invites', 'id')) AS iid, w.id AS wid, w.unit_path, ` + recipient + ` AS rcpt,
				CASE WHEN ` + r.noContact + ` THEN 'failed' ELSE 'queued' END AS status
			FROM workers w WHERE ` + r.cond + `
			AND NOT EXISTS (SELECT 1 FROM invites x WHERE x.event_id = ? AND x.worker_id = w.id)),
		inv AS (INSERT INTO invites (id, event_id, worker_id, unit_path, channel, status, created_at)
			SELECT iid, ?, wid, unit_path, ?, status, ? FROM src),
		box AS (INSERT INTO outbox (idem_key, event_id, invite_id, kind, channel, recipient, status, next_attempt_at, created_at)
			SELECT 'invite:' || iid || ':invite:0:' || ?, ?, iid, 'invite', ?, rcpt, 'queued', ?, ? FROM src WHERE status = 'queued'
			ON CONFLICT (idem_key) DO NOTHING RETURNING 1)
		SELECT (SELECT COUNT(*) FROM src), (SELECT COUNT(*) FROM src WHERE status = 'failed'), (SELECT COUNT(*) FROM box)`
	args := append(append([]any{}, r.args...), e.ID, e.ID, string(ch), now, string(ch), e.ID, string(ch), now, now)
	if err := tx.QueryRowContext(ctx, q, args...).Scan(&rep.Invited, &rep.NoContact, &rep.Enqueued); err != nil {
		return rep, mapErr(err, "invites")
	}
	return rep, nil
}

// InviteCounts summarises an event's invites.
type InviteCounts struct {
	Total, Queued, Sent, Failed, Revoked int
	Going, NotGoing, Maybe               int
	// Dead counts outbox messages given up on.
	Dead int
}

// InviteCounts counts the event's invites in the actor's scope by status
// and answer.
func (s *Store) InviteCounts(ctx context.Context, actor schedule.Actor, eventID int64) (InviteCounts, error) {
	var c InviteCounts
	if _, err := s.FindInviteEvent(ctx, actor, eventID); err != nil {
		return c, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT status, rsvp, revoked, COUNT(*) FROM invites
		WHERE event_id = ? AND (`+scopeSQL("unit_path", actor.Scope)+`) GROUP BY status, rsvp, revoked`, eventID)
	if err != nil {
		return c, fmt.Errorf("count invites: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var status, rsvp string
		var revoked bool
		var n int
		if err := rows.Scan(&status, &rsvp, &revoked, &n); err != nil {
			return c, fmt.Errorf("count invites: %w", err)
		}
		c.Total += n
		if revoked {
			c.Revoked += n
			continue
		}
		switch status {
		case InviteQueued:
			c.Queued += n
		case InviteSent:
			c.Sent += n
		case InviteFailed:
			c.Failed += n
		}
		switch rsvp {
		case RSVPGoing:
			c.Going += n
		case RSVPNotGoing:
			c.NotGoing += n
		case RSVPMaybe:
			c.Maybe += n
		}
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("count invites: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM invites i JOIN outbox o ON o.invite_id = i.id
		WHERE i.event_id = ? AND o.status = 'dead' AND (`+scopeSQL("i.unit_path", actor.Scope)+`)`, eventID).Scan(&c.Dead); err != nil {
		return c, fmt.Errorf("count dead messages: %w", err)
	}
	return c, nil
}

// InviteRow is one invite as the status list shows it.
type InviteRow struct {
	ID         int64
	WorkerID   int64
	Name       string
	Mobile     string // masked
	UnitID     int64
	UnitName   string
	UnitNameHi string
	Channel    string
	Status     string
	RSVP       string
	RSVPAt     *time.Time
	Revoked    bool
	LastError  string
	CreatedAt  time.Time
}

// InviteFilter narrows ListInvites.
type InviteFilter struct {
	Status string // queued, sent, failed, rsvp, or "" for all
	RSVP   string // going, not_going, maybe, or ""
	Offset int
	Limit  int // 0 means 50, at most 500
}

// ListInvites returns the event's invites in the actor's scope, newest
// first within each unit, and the total matching the filter.
func (s *Store) ListInvites(ctx context.Context, actor schedule.Actor, eventID int64, f InviteFilter) ([]InviteRow, int, error) {
	if _, err := s.FindInviteEvent(ctx, actor, eventID); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	where := "i.event_id = ? AND (" + scopeSQL("i.unit_path", actor.Scope) + ")"
	args := []any{eventID}
	if f.Status != "" {
		where += " AND i.status = ?"
		args = append(args, f.Status)
	}
	if f.RSVP != "" {
		where += " AND i.rsvp = ?"
		args = append(args, f.RSVP)
	}
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM invites i WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count invites: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT i.id, w.id, w.name, COALESCE(w.mobile, ''), u.id, u.name, u.name_hi, i.channel, i.status, i.rsvp, i.rsvp_at, i.revoked, i.created_at,
		COALESCE((SELECT o.last_error FROM outbox o WHERE o.invite_id = i.id AND o.last_error <> '' ORDER BY o.id DESC LIMIT 1), '')
		FROM invites i JOIN workers w ON w.id = i.worker_id JOIN units u ON u.id = w.unit_id
		WHERE `+where+` ORDER BY i.unit_path, w.name, i.id LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list invites: %w", err)
	}
	defer rows.Close()
	var out []InviteRow
	for rows.Next() {
		var r InviteRow
		var rsvpAt sql.NullTime
		if err := rows.Scan(&r.ID, &r.WorkerID, &r.Name, &r.Mobile, &r.UnitID, &r.UnitName, &r.UnitNameHi, &r.Channel, &r.Status, &r.RSVP, &rsvpAt, &r.Revoked, &r.CreatedAt, &r.LastError); err != nil {
			return nil, 0, fmt.Errorf("list invites: %w", err)
		}
		r.Mobile = schedule.MaskMobile(r.Mobile)
		if rsvpAt.Valid {
			t := rsvpAt.Time
			r.RSVPAt = &t
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// Invitee is an invite with what a letter or attendance sheet shows.
type Invitee struct {
	InviteID   int64
	Name       string
	Mobile     string // E.164, unmasked: letters and sheets are for the office
	UnitName   string
	UnitNameHi string
	Role       string // the person's first role key, or ""
	UnitPath   string // the invite's unit path (the worker's when invited)
	Lang       string
	RSVP       string
}

// Invitees returns the event's unrevoked invitees in the actor's scope in
// unit order, at most limit (for letters and attendance sheets). Mobiles
// of people the actor's scope no longer owns (moved away since they were
// invited) are masked.
func (s *Store) Invitees(ctx context.Context, actor schedule.Actor, eventID int64, limit int) ([]Invitee, error) {
	if _, err := s.FindInviteEvent(ctx, actor, eventID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT i.id, w.name, COALESCE(w.mobile, ''), w.unit_path, u.name, u.name_hi,
		COALESCE((SELECT MIN(wr.role_key) FROM worker_roles wr WHERE wr.worker_id = w.id), ''), w.language, i.rsvp
		FROM invites i JOIN workers w ON w.id = i.worker_id JOIN units u ON u.id = w.unit_id
		WHERE i.event_id = ? AND i.revoked = ? AND (`+scopeSQL("i.unit_path", actor.Scope)+`)
		ORDER BY i.unit_path, w.name, i.id LIMIT ?`, eventID, false, limit)
	if err != nil {
		return nil, fmt.Errorf("list invitees: %w", err)
	}
	defer rows.Close()
	var out []Invitee
	for rows.Next() {
		var v Invitee
		if err := rows.Scan(&v.InviteID, &v.Name, &v.Mobile, &v.UnitPath, &v.UnitName, &v.UnitNameHi, &v.Role, &v.Lang, &v.RSVP); err != nil {
			return nil, fmt.Errorf("list invitees: %w", err)
		}
		if !actor.Can(schedule.ActRead, v.UnitPath) {
			v.Mobile = schedule.MaskMobile(v.Mobile)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// RevokeInvite withdraws one invite: its link stops working and it gets
// no further messages. Like ListInvites, it needs both the event and the
// invitee in the actor's scope.
func (s *Store) RevokeInvite(ctx context.Context, actor schedule.Actor, inviteID int64) error {
	return s.inTx(ctx, func(tx bun.Tx) error {
		var eventID int64
		var path, eventPath string
		err := tx.QueryRowContext(ctx, "SELECT i.event_id, i.unit_path, e.unit_path FROM invites i JOIN events e ON e.id = i.event_id WHERE i.id = ?", inviteID).
			Scan(&eventID, &path, &eventPath)
		if err != nil || !actor.Can(schedule.ActRead, eventPath) || !actor.Can(schedule.ActWrite, path) {
			return schedule.Errorf(schedule.ENOTFOUND, "invite %d not found", inviteID)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE invites SET revoked = ? WHERE id = ?", true, inviteID); err != nil {
			return mapErr(err, "invite")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE outbox SET status = 'dead', last_error = 'invite revoked' WHERE invite_id = ? AND status = 'queued'", inviteID); err != nil {
			return mapErr(err, "outbox")
		}
		return s.audit(ctx, tx, actor, "revoke", "invite", inviteID, path, schedule.Msgf("event %d", eventID))
	})
}

// RevokeEventLinks makes every link of the event sent so far stop working
// (the event's link version goes up); messages rendered from now on carry
// new links.
func (s *Store) RevokeEventLinks(ctx context.Context, actor schedule.Actor, eventID int64) (uint32, error) {
	var v uint32
	err := s.inTx(ctx, func(tx bun.Tx) error {
		e, err := inviteEvent(ctx, tx, eventID)
		if err != nil || !actor.Can(schedule.ActRead, e.UnitPath) {
			return schedule.Errorf(schedule.ENOTFOUND, "event %d not found", eventID)
		}
		if !actor.Can(schedule.ActWrite, e.UnitPath) {
			return schedule.Errorf(schedule.EFORBIDDEN, "only the event's organising unit can replace its links")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE events SET link_version = link_version + 1 WHERE id = ?", eventID); err != nil {
			return mapErr(err, "event")
		}
		v = e.LinkVersion + 1
		return s.audit(ctx, tx, actor, "revoke_links", "event", eventID, e.UnitPath, schedule.Msgf("link version %d", v))
	})
	return v, err
}

// LinkInvite is what the public RSVP page shows for a verified link.
type LinkInvite struct {
	InviteID int64
	Name     string
	Lang     string
	RSVP     string
	RSVPAt   *time.Time
	// UnitPath is the invite's unit path (the worker's when invited).
	UnitPath string
	// Event is the invite's event; for a mass address its BridgeNumber
	// and BridgePIN are the invitee's own area's bridge (ForInvitee).
	Event InviteEvent
}

// InviteByLink returns the invite a verified link names, refusing it
// (schedule.IsLinkRevoked) when the invite was revoked or the event's links
// were replaced. A link whose invite does not exist, or belongs to another
// event, is refused as invalid. No actor: the link is the credential.
func (s *Store) InviteByLink(ctx context.Context, c schedule.LinkClaims) (LinkInvite, error) {
	var li LinkInvite
	var eventID int64
	var revoked bool
	var rsvpAt sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT i.event_id, i.revoked, i.rsvp, i.rsvp_at, i.unit_path, w.name, w.language
		FROM invites i JOIN workers w ON w.id = i.worker_id WHERE i.id = ?`, c.InviteID).
		Scan(&eventID, &revoked, &li.RSVP, &rsvpAt, &li.UnitPath, &li.Name, &li.Lang)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && eventID != c.EventID) {
		return li, schedule.Errorf(schedule.ENOTFOUND, "this invitation no longer exists")
	}
	if err != nil {
		return li, fmt.Errorf("find invite %d: %w", c.InviteID, err)
	}
	e, err := inviteEvent(ctx, s.db, eventID)
	if err != nil {
		return li, err
	}
	if err := c.CheckRevoked(e.LinkVersion, revoked); err != nil {
		return li, err
	}
	if e.Type == AddressEventType {
		eb, err := s.EventBridgesOf(ctx, eventID)
		if err != nil {
			return li, err
		}
		e = e.ForInvitee(eb, li.UnitPath)
	}
	li.InviteID, li.Event = c.InviteID, e
	if rsvpAt.Valid {
		t := rsvpAt.Time
		li.RSVPAt = &t
	}
	return li, nil
}

// RecordRSVP stores the answer given through a verified link at now. The
// link's revocation is checked again inside the transaction.
func (s *Store) RecordRSVP(ctx context.Context, c schedule.LinkClaims, answer string, now time.Time) error {
	if !ValidRSVP(answer) {
		return schedule.FieldError("rsvp", "answer %q is not going, not_going or maybe", answer)
	}
	return s.inTx(ctx, func(tx bun.Tx) error {
		var eventID int64
		var revoked bool
		var path, name string
		err := tx.QueryRowContext(ctx, `SELECT i.event_id, i.revoked, i.unit_path, w.name FROM invites i JOIN workers w ON w.id = i.worker_id WHERE i.id = ?`, c.InviteID).
			Scan(&eventID, &revoked, &path, &name)
		if errors.Is(err, sql.ErrNoRows) || err == nil && eventID != c.EventID {
			return schedule.Errorf(schedule.ENOTFOUND, "this invitation no longer exists")
		}
		if err != nil {
			return fmt.Errorf("rsvp: load invite %d: %w", c.InviteID, err)
		}
		e, err := inviteEvent(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if err := c.CheckRevoked(e.LinkVersion, revoked); err != nil {
			return err
		}
		if e.Cancelled {
			return schedule.Errorf(schedule.EINVALID, "the event has been cancelled")
		}
		return s.applyRSVP(ctx, tx, c.InviteID, path, name, answer, schedule.Msgf("through the invitation link"), now)
	})
}

// applyRSVP records answer on an invite and audits it as actorName: the one
// way an RSVP changes, whether through the /i/ page or a calendar reply
// (via says which).
func (s *Store) applyRSVP(ctx context.Context, tx bun.Tx, inviteID int64, path, actorName, answer string, via schedule.Msg, now time.Time) error {
	if _, err := tx.ExecContext(ctx, "UPDATE invites SET rsvp = ?, rsvp_at = ?, status = 'rsvp' WHERE id = ?", answer, now.UTC(), inviteID); err != nil {
		return mapErr(err, "invite")
	}
	return s.audit(ctx, tx, schedule.Actor{Name: actorName}, "rsvp", "invite", inviteID, path, schedule.Msgf("%s (%s)", RSVPText(answer), via))
}
