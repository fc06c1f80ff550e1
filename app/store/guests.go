package store

import (
	"context"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// Guest is a VIP invited to events, such as a sitting or former MP or MLA:
// a person with their own calendar (a VIP feed) and a home base, from which
// travel to the first engagement is estimated.
type Guest struct {
	ID       int64            `json:"id"`
	Name     string           `json:"name"`
	NameHi   string           `json:"name_hi,omitempty"`
	Title    string           `json:"title,omitempty"` // e.g. "MP, Gwalior"
	WorkerID int64            `json:"worker_id,omitempty"`
	Home     *schedule.LatLon `json:"home,omitempty"`
	UnitID   int64            `json:"unit_id,omitempty"` // the unit that looks after the guest's record
	UnitPath string           `json:"unit_path"`
}

// DisplayName returns the guest's name in lang.
func (g Guest) DisplayName(lang string) string {
	return schedule.Unit{Name: g.Name, NameHi: g.NameHi}.DisplayName(lang)
}

type guestRow struct {
	bun.BaseModel `bun:"table:guests,alias:g"`
	ID            int64    `bun:"id,pk,autoincrement"`
	Name          string   `bun:"name"`
	NameHi        string   `bun:"name_hi"`
	Title         string   `bun:"title"`
	WorkerID      *int64   `bun:"worker_id"`
	HomeLat       *float64 `bun:"home_lat"`
	HomeLon       *float64 `bun:"home_lon"`
	UnitPath      string   `bun:"unit_path"`
}

func (r guestRow) domain() Guest {
	g := Guest{ID: r.ID, Name: r.Name, NameHi: r.NameHi, Title: r.Title, UnitPath: r.UnitPath}
	if r.WorkerID != nil {
		g.WorkerID = *r.WorkerID
	}
	if r.HomeLat != nil && r.HomeLon != nil {
		g.Home = &schedule.LatLon{Lat: *r.HomeLat, Lon: *r.HomeLon}
	}
	if ids := schedule.PathIDs(r.UnitPath); len(ids) > 0 {
		g.UnitID = ids[len(ids)-1]
	}
	return g
}

func (g *Guest) validate() error {
	g.Name, g.NameHi, g.Title = strings.TrimSpace(g.Name), strings.TrimSpace(g.NameHi), strings.TrimSpace(g.Title)
	if g.Name == "" && g.NameHi == "" {
		return schedule.FieldError("name", "give the guest's name")
	}
	for field, v := range map[string]string{"name": g.Name, "name_hi": g.NameHi, "title": g.Title} {
		if !utf8.ValidString(v) || utf8.RuneCountInString(v) > schedule.MaxEventTitle {
			return schedule.FieldError(field, "at most %d characters of text", schedule.MaxEventTitle)
		}
		if p := schedule.TextProblem(v, false); !p.IsZero() {
			return schedule.NewError(schedule.EINVALID, field, p)
		}
	}
	if h := g.Home; h != nil {
		if math.IsNaN(h.Lat) || h.Lat < -90 || h.Lat > 90 {
			return schedule.FieldError("home.lat", "latitude %v is outside -90..90", h.Lat)
		}
		if math.IsNaN(h.Lon) || h.Lon < -180 || h.Lon > 180 {
			return schedule.FieldError("home.lon", "longitude %v is outside -180..180", h.Lon)
		}
	}
	return nil
}

// SaveGuest creates (ID 0) or updates a guest. The guest's record belongs
// to g.UnitID, which the actor must be able to write (an existing guest's
// current unit too). Guest names are public: any official can pick any
// guest for an event, but only the owning unit edits the record.
func (s *Store) SaveGuest(ctx context.Context, actor schedule.Actor, g Guest) (Guest, error) {
	if err := g.validate(); err != nil {
		return g, err
	}
	err := s.inTx(ctx, func(tx bun.Tx) error {
		u, err := s.unitByID(ctx, tx, g.UnitID)
		if err != nil || !actor.Can(schedule.ActWrite, u.Path) {
			return schedule.FieldError("unit", "unit %d not found", g.UnitID)
		}
		row := guestRow{ID: g.ID, Name: g.Name, NameHi: g.NameHi, Title: g.Title, UnitPath: u.Path}
		if g.WorkerID != 0 {
			w, err := s.workerByID(ctx, tx, g.WorkerID)
			if err != nil || !actor.Can(schedule.ActRead, w.UnitPath) {
				return schedule.FieldError("worker", "worker %d not found", g.WorkerID)
			}
			row.WorkerID = &g.WorkerID
		}
		if h := g.Home; h != nil {
			lat, lon := h.Lat, h.Lon
			row.HomeLat, row.HomeLon = &lat, &lon
		}
		action := "create"
		if g.ID == 0 {
			if _, err := tx.NewInsert().Model(&row).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
				return mapErr(err, "guest")
			}
		} else {
			action = "update"
			old, err := s.guestByID(ctx, tx, g.ID)
			if err != nil || !actor.Can(schedule.ActWrite, old.UnitPath) {
				return schedule.Errorf(schedule.ENOTFOUND, "guest %d not found", g.ID)
			}
			if _, err := tx.NewUpdate().Model(&row).WherePK().Exec(ctx); err != nil {
				return mapErr(err, "guest")
			}
		}
		g = row.domain()
		return s.audit(ctx, tx, actor, action, "guest", g.ID, u.Path, g.Name+" "+g.Title)
	})
	return g, err
}

func (s *Store) guestByID(ctx context.Context, db bun.IDB, id int64) (Guest, error) {
	var r guestRow
	if err := db.NewSelect().Model(&r).Where("g.id = ?", id).Scan(ctx); err != nil {
		return Guest{}, mapErr(err, schedule.Msgf("guest %d", id))
	}
	return r.domain(), nil
}

// FindGuestByID returns a guest; any official may look guests up.
func (s *Store) FindGuestByID(ctx context.Context, actor schedule.Actor, id int64) (Guest, error) {
	if actor.Scope.Empty() && !actor.System {
		return Guest{}, schedule.Errorf(schedule.ENOTFOUND, "guest %d not found", id)
	}
	return s.guestByID(ctx, s.db, id)
}

// FindGuests lists guests whose name starts with query (all when empty),
// by name, at most limit (default 200).
func (s *Store) FindGuests(ctx context.Context, actor schedule.Actor, query string, limit int) ([]Guest, error) {
	if actor.Scope.Empty() && !actor.System {
		return nil, nil
	}
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	var rows []guestRow
	q := s.db.NewSelect().Model(&rows)
	if k := strings.TrimSpace(query); k != "" {
		q = q.Where("(lower(g.name) LIKE ? OR g.name_hi LIKE ?)", strings.ToLower(k)+"%", k+"%")
	}
	if err := q.Order("g.name", "g.id").Limit(limit).Scan(ctx); err != nil {
		return nil, fmt.Errorf("find guests: %w", err)
	}
	out := make([]Guest, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// GuestsByID returns the named guests keyed by ID (for showing names on
// event pages and conflict reasons).
func (s *Store) GuestsByID(ctx context.Context, actor schedule.Actor, ids []int64) (map[int64]Guest, error) {
	out := make(map[int64]Guest, len(ids))
	// The rule of FindGuestByID: guests are the organisation's, any
	// official may see them; nobody else.
	if len(ids) == 0 || actor.Scope.Empty() && !actor.System {
		return out, nil
	}
	var rows []guestRow
	if err := s.db.NewSelect().Model(&rows).Where("g.id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("guests: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.domain()
	}
	return out, nil
}

// DeleteGuest removes a guest no event refers to.
func (s *Store) DeleteGuest(ctx context.Context, actor schedule.Actor, id int64) error {
	return s.inTx(ctx, func(tx bun.Tx) error {
		g, err := s.guestByID(ctx, tx, id)
		if err != nil || !actor.Can(schedule.ActWrite, g.UnitPath) {
			return schedule.Errorf(schedule.ENOTFOUND, "guest %d not found", id)
		}
		n, err := tx.NewSelect().Table("event_guests").Where("guest_id = ?", id).Count(ctx)
		if err != nil {
			return fmt.Errorf("guest %d events: %w", id, err)
		}
		if n > 0 {
			return schedule.Errorf(schedule.ECONFLICT, "%s is a guest at %d events; remove them from those first", g.Name, n)
		}
		if _, err := tx.NewDelete().Model((*guestRow)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
			return mapErr(err, "guest")
		}
		return s.audit(ctx, tx, actor, "delete", "guest", id, g.UnitPath, g.Name)
	})
}
