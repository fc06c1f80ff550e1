package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// AuditEntry is one line of the audit log: who changed what, where.
type AuditEntry struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	ActorID   int64     `json:"actor_id,omitempty"`
	ActorName string    `json:"actor_name"`
	Action    string    `json:"action"`
	Entity    string    `json:"entity"`
	EntityID  int64     `json:"entity_id"`
	Detail    string    `json:"detail"`
}

func (s *Store) audit(ctx context.Context, db bun.IDB, actor schedule.Actor, action, entity string, id int64, path, detail string) error {
	r := auditRow{At: s.now().UTC(), ActorName: actor.Name, Action: action, Entity: entity, EntityID: id, UnitPath: path, Detail: detail}
	if actor.WorkerID != 0 {
		r.ActorID = &actor.WorkerID
	}
	if _, err := db.NewInsert().Model(&r).Exec(ctx); err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return nil
}

// FindAudit returns the newest audit entries about things in the actor's
// scope.
func (s *Store) FindAudit(ctx context.Context, actor schedule.Actor, limit int) ([]AuditEntry, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var rows []auditRow
	q := whereScope(s.db.NewSelect().Model(&rows), "unit_path", actor.Scope)
	if err := q.Order("id DESC").Limit(limit).Scan(ctx); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = AuditEntry{ID: r.ID, At: r.At, ActorName: r.ActorName, Action: r.Action, Entity: r.Entity, EntityID: r.EntityID, Detail: r.Detail}
		if r.ActorID != nil {
			out[i].ActorID = *r.ActorID
		}
	}
	return out, nil
}
