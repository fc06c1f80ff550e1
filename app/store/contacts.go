package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
	"github.com/karyakram/karyakram/schedule/roster"
)

// UnitContact is an official of a unit, as printed on a roster: whom to
// call about what happens there.
type UnitContact struct {
	UnitID       int64
	Name         string
	Role, RoleHi string
	Mobile       string // as stored (E.164)
	RoleKey      string
}

// UnitContacts returns the active officials holding an official role at
// each of unitIDs (the unit itself, not below it), those the actor may
// see, grouped by unit and ordered by role then name.
func (s *Store) UnitContacts(ctx context.Context, actor schedule.Actor, unitIDs []int64) (map[int64][]UnitContact, error) {
	out := map[int64][]UnitContact{}
	if len(unitIDs) == 0 {
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT wr.unit_id, wr.unit_path, w.name, r.key, r.name, r.name_hi, COALESCE(w.mobile, '')
		FROM worker_roles wr JOIN workers w ON w.id = wr.worker_id JOIN roles r ON r.key = wr.role_key
		WHERE r.official = ? AND w.active = ? AND wr.unit_id IN (?) ORDER BY wr.unit_id, r.key, w.name`,
		true, true, bun.In(unitIDs))
	if err != nil {
		return nil, fmt.Errorf("unit contacts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c UnitContact
		var path string
		if err := rows.Scan(&c.UnitID, &path, &c.Name, &c.RoleKey, &c.Role, &c.RoleHi, &c.Mobile); err != nil {
			return nil, fmt.Errorf("unit contacts: %w", err)
		}
		if actor.Can(schedule.ActRead, path) {
			out[c.UnitID] = append(out[c.UnitID], c)
		}
	}
	return out, rows.Err()
}

// WorkshopHours are a workshop's default hours on date (YYYY-MM-DD) on the
// organisation's clock: what published workshop events start with.
func WorkshopHours(zone schedule.Zone, date string) (start, end time.Time, err error) {
	day, err := time.ParseInLocation(roster.DateLayout, date, zone.Location())
	if err != nil {
		return start, end, schedule.FieldError("date", "%q is not a YYYY-MM-DD date", date)
	}
	return day.Add(workshopStartHour * time.Hour), day.Add(workshopEndHour * time.Hour), nil
}
