package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// FeedKind says whose events a calendar feed carries.
type FeedKind string

// Feed kinds.
const (
	// FeedUnit: every event in a unit's subtree (a district official's
	// calendar).
	FeedUnit FeedKind = "unit"
	// FeedCluster: one unit's own events only (a cluster committee's
	// calendar), not those of the units below it.
	FeedCluster FeedKind = "cluster"
	// FeedPerson: events a worker organises or is invited to.
	FeedPerson FeedKind = "person"
	// FeedGuest: events a VIP guest is booked at.
	FeedGuest FeedKind = "vip"
)

// Valid reports whether k is a known kind.
func (k FeedKind) Valid() bool {
	return k == FeedUnit || k == FeedCluster || k == FeedPerson || k == FeedGuest
}

// FeedHistory is how far back feeds reach: events (series) that ended
// earlier are left out.
const FeedHistory = 90 * 24 * time.Hour

// MaxFeedEvents bounds one feed.
const MaxFeedEvents = 50000

// FeedToken describes a feed token; the token itself is shown once, when
// created, and only its SHA-256 (Hash) is stored.
type FeedToken struct {
	Hash      string     `json:"id"`
	Kind      FeedKind   `json:"kind"`
	SubjectID int64      `json:"subject_id"`
	Label     string     `json:"label"`
	Lang      string     `json:"lang"`
	UnitPath  string     `json:"-"`
	CreatedBy int64      `json:"created_by,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

type feedTokenRow struct {
	bun.BaseModel `bun:"table:feed_tokens,alias:f"`
	TokenHash     string     `bun:"token_hash,pk"`
	Kind          string     `bun:"kind"`
	SubjectID     int64      `bun:"subject_id"`
	CreatedBy     *int64     `bun:"created_by"`
	CreatedAt     time.Time  `bun:"created_at"`
	RevokedAt     *time.Time `bun:"revoked_at"`
	UnitPath      string     `bun:"unit_path"`
	Label         string     `bun:"label"`
	Lang          string     `bun:"lang"`
}

func (r feedTokenRow) domain() FeedToken {
	t := FeedToken{Hash: r.TokenHash, Kind: FeedKind(r.Kind), SubjectID: r.SubjectID, Label: r.Label, Lang: r.Lang,
		UnitPath: r.UnitPath, CreatedAt: r.CreatedAt.UTC(), RevokedAt: r.RevokedAt}
	if r.CreatedBy != nil {
		t.CreatedBy = *r.CreatedBy
	}
	return t
}

// HashFeedToken returns the stored form of a feed token.
func HashFeedToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// feedSubject resolves a feed's subject: its label (English and Hindi)
// and the unit path that decides who manages the token. It checks that
// the actor may create such a feed.
func (s *Store) feedSubject(ctx context.Context, db bun.IDB, actor schedule.Actor, kind FeedKind, id int64) (label, labelHi, path string, err error) {
	switch kind {
	case FeedUnit, FeedCluster:
		u, err := s.unitByID(ctx, db, id)
		if err != nil || !actor.Can(schedule.ActRead, u.Path) {
			return "", "", "", schedule.FieldError("subject", "unit %d not found", id)
		}
		return u.Name, u.NameHi, u.Path, nil
	case FeedPerson:
		w, err := s.workerByID(ctx, db, id)
		if err != nil || !(actor.Can(schedule.ActRead, w.UnitPath) || actor.WorkerID == id) {
			return "", "", "", schedule.FieldError("subject", "worker %d not found", id)
		}
		return w.Name, w.Name, w.UnitPath, nil
	case FeedGuest:
		// A VIP's feed shows their bookings across the tree, so only the
		// unit that keeps the guest's record may publish it.
		g, err := s.guestByID(ctx, db, id)
		if err != nil || !actor.Can(schedule.ActWrite, g.UnitPath) {
			return "", "", "", schedule.FieldError("subject", "guest %d not found", id)
		}
		return g.Name, g.NameHi, g.UnitPath, nil
	}
	return "", "", "", schedule.FieldError("kind", "unknown feed kind %q (want unit, cluster, person or vip)", kind)
}

// CreateFeedToken issues a new unguessable token (256 random bits) for a
// feed the actor may see, and returns the token (to be shown once) and its
// record.
func (s *Store) CreateFeedToken(ctx context.Context, actor schedule.Actor, kind FeedKind, subjectID int64, lang string) (string, FeedToken, error) {
	if lang != "hi" {
		lang = "en"
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", FeedToken{}, fmt.Errorf("feed token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	var out FeedToken
	err := s.inTx(ctx, func(tx bun.Tx) error {
		label, labelHi, path, err := s.feedSubject(ctx, tx, actor, kind, subjectID)
		if err != nil {
			return err
		}
		names := schedule.Names{En: label, Hi: labelHi}
		if lang == "hi" && labelHi != "" {
			label = labelHi
		}
		row := feedTokenRow{TokenHash: HashFeedToken(token), Kind: string(kind), SubjectID: subjectID,
			CreatedAt: s.now().UTC().Truncate(time.Second), UnitPath: path, Label: label, Lang: lang}
		if actor.WorkerID != 0 {
			w := actor.WorkerID
			row.CreatedBy = &w
		}
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return mapErr(err, "feed token")
		}
		out = row.domain()
		return s.audit(ctx, tx, actor, "create", "feed_token", subjectID, path, schedule.Msgf("%s “%s” %s", FeedKindText(kind), names, row.TokenHash[:12]))
	})
	if err != nil {
		return "", FeedToken{}, err
	}
	return token, out, nil
}

// FeedTokens lists the tokens for subjects in the actor's scope, plus
// those the actor created, newest first (revoked ones too).
func (s *Store) FeedTokens(ctx context.Context, actor schedule.Actor, kind FeedKind, subjectID int64) ([]FeedToken, error) {
	var rows []feedTokenRow
	q := s.db.NewSelect().Model(&rows).WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		q = whereScope(q, "f.unit_path", actor.Scope)
		if actor.WorkerID != 0 {
			q = q.WhereOr("f.created_by = ?", actor.WorkerID)
		}
		return q
	})
	if actor.System {
		q = s.db.NewSelect().Model(&rows)
	}
	if kind != "" {
		q = q.Where("f.kind = ? AND f.subject_id = ?", string(kind), subjectID)
	}
	if err := q.Order("f.created_at DESC").Limit(500).Scan(ctx); err != nil {
		return nil, fmt.Errorf("list feed tokens: %w", err)
	}
	out := make([]FeedToken, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// RevokeFeedToken stops a token from working (subscribed calendars then
// get 404). hash is FeedToken.Hash.
func (s *Store) RevokeFeedToken(ctx context.Context, actor schedule.Actor, hash string) error {
	return s.inTx(ctx, func(tx bun.Tx) error {
		var r feedTokenRow
		err := tx.NewSelect().Model(&r).Where("f.token_hash = ?", hash).Scan(ctx)
		if err != nil || !(actor.Can(schedule.ActWrite, r.UnitPath) || r.CreatedBy != nil && *r.CreatedBy == actor.WorkerID && actor.WorkerID != 0) {
			return schedule.Errorf(schedule.ENOTFOUND, "feed token not found")
		}
		if r.RevokedAt != nil {
			return nil
		}
		now := s.now().UTC().Truncate(time.Second)
		if _, err := tx.NewUpdate().Model((*feedTokenRow)(nil)).Set("revoked_at = ?", now).Where("token_hash = ?", hash).Exec(ctx); err != nil {
			return fmt.Errorf("revoke feed token: %w", err)
		}
		return s.audit(ctx, tx, actor, "revoke", "feed_token", r.SubjectID, r.UnitPath, schedule.Msgf("%s “%s” %s", FeedKindText(FeedKind(r.Kind)), r.Label, hash[:12]))
	})
}

// FeedSpec is a resolved, live feed token: what to publish. It grants
// access by itself (no login), so it is only obtained from a token.
type FeedSpec struct {
	Kind      FeedKind
	SubjectID int64
	Label     string
	Lang      string
	path      string // unit subtree for FeedUnit
	// anchor is the unit the feed was made for (the unit's, the worker's
	// or the guest's record): events it cannot see show as busy time
	// (schedule.FeedShowsInFull).
	anchor string
}

// FeedByToken resolves a token presented in a feed URL; unknown and
// revoked tokens are ENOTFOUND alike.
func (s *Store) FeedByToken(ctx context.Context, token string) (FeedSpec, error) {
	if len(token) < 20 || len(token) > 100 {
		return FeedSpec{}, schedule.Errorf(schedule.ENOTFOUND, "feed not found")
	}
	var r feedTokenRow
	if err := s.db.NewSelect().Model(&r).Where("f.token_hash = ?", HashFeedToken(token)).Scan(ctx); err != nil || r.RevokedAt != nil {
		return FeedSpec{}, schedule.Errorf(schedule.ENOTFOUND, "feed not found")
	}
	spec := FeedSpec{Kind: FeedKind(r.Kind), SubjectID: r.SubjectID, Label: r.Label, Lang: r.Lang, anchor: r.UnitPath}
	if spec.Kind == FeedUnit {
		u, err := s.unitByID(ctx, s.db, r.SubjectID)
		if err != nil {
			return FeedSpec{}, schedule.Errorf(schedule.ENOTFOUND, "feed not found")
		}
		spec.path, spec.anchor = u.Path, u.Path
	}
	return spec, nil
}

// feedQuery selects the feed's events (cancelled ones included, so
// subscribers learn of cancellations), ordered by ID.
func (s *Store) feedQuery(spec FeedSpec, now time.Time) *bun.SelectQuery {
	q := s.db.NewSelect().Model((*eventRow)(nil)).Where("e.series_end_at > ?", now.Add(-FeedHistory).UTC().Truncate(time.Second))
	switch spec.Kind {
	case FeedUnit:
		lo, hi := schedule.SubtreeRange(spec.path)
		q = q.Where("e.unit_path >= ? AND e.unit_path < ?", lo, hi)
	case FeedCluster:
		q = q.Where("e.unit_id = ?", spec.SubjectID)
	case FeedPerson:
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("e.id IN (SELECT event_id FROM event_organisers WHERE worker_id = ?)", spec.SubjectID).
				WhereOr("e.id IN (SELECT event_id FROM invites WHERE worker_id = ? AND revoked = ?)", spec.SubjectID, false)
		})
	case FeedGuest:
		q = q.Where("e.id IN (SELECT event_id FROM event_guests WHERE guest_id = ?)", spec.SubjectID)
	default:
		q = q.Where("1 = 0")
	}
	return q.Order("e.id").Limit(MaxFeedEvents)
}

// EventVersion is what decides whether an event's feed text changed (see
// app/ical.Version).
type EventVersion struct {
	ID        int64     `bun:"id"`
	Sequence  int       `bun:"sequence"`
	UpdatedAt time.Time `bun:"updated_at"`
}

// FeedVersions loads only (id, sequence, updated_at) of the feed's events,
// in feed order, so a handler can compute the ETag and answer 304 without
// loading the events.
func (s *Store) FeedVersions(ctx context.Context, spec FeedSpec, now time.Time) ([]EventVersion, error) {
	var vs []EventVersion
	if err := s.feedQuery(spec, now).Column("e.id", "e.sequence", "e.updated_at").Scan(ctx, &vs); err != nil {
		return nil, fmt.Errorf("feed versions: %w", err)
	}
	for i := range vs {
		vs[i].UpdatedAt = vs[i].UpdatedAt.UTC()
	}
	return vs, nil
}

// FeedEvents loads the feed's events in the order of FeedVersions; events
// the feed's anchor may not see come as busy time only
// (schedule.Event.BusyOnly). Organisers and guests are not loaded: feeds
// do not publish them.
func (s *Store) FeedEvents(ctx context.Context, spec FeedSpec, now time.Time) ([]schedule.Event, error) {
	var rows []eventRow
	q := s.feedQuery(spec, now).Column("e.id", "e.uid", "e.unit_id", "e.unit_path", "e.type", "e.title", "e.title_hi", "e.description",
		"e.venue_name", "e.venue_lat", "e.venue_lon", "e.start_at", "e.end_at", "e.status", "e.sequence", "e.rrule",
		"e.exdates", "e.overrides", "e.programme_id", "e.updated_at")
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("feed events: %w", err)
	}
	out := make([]schedule.Event, len(rows))
	for i := range rows {
		e, err := rows[i].domain()
		e.Zone = s.zone
		if err != nil {
			return nil, err
		}
		if !schedule.FeedShowsInFull(spec.anchor, rows[i].UnitPath) {
			e = e.BusyOnly()
		}
		out[i] = e
	}
	return out, nil
}
