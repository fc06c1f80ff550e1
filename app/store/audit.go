package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// AuditEntry is one line of the audit log: who changed what, where.
// Action and Entity are keys ("create", "event"); Detail is data (a code,
// a name, the fields written) or, where Text is set, the English of a
// message that pages show in the reader's language. System is set when the
// program itself acted (seeding, the server's own keys), not a person.
type AuditEntry struct {
	ID        int64        `json:"id"`
	At        time.Time    `json:"at"`
	ActorID   int64        `json:"actor_id,omitempty"`
	ActorName string       `json:"actor_name"`
	System    bool         `json:"system,omitempty"`
	Action    string       `json:"action"`
	Entity    string       `json:"entity"`
	EntityID  int64        `json:"entity_id"`
	Detail    string       `json:"detail"`
	Text      schedule.Msg `json:"-"`
}

// systemPrefix marks the audit actor name of the program itself.
const systemPrefix = "system:"

// audit records what actor did. detail is data (a string: a code, a name)
// or a schedule.Msg, which the log page shows in the reader's language.
func (s *Store) audit(ctx context.Context, db bun.IDB, actor schedule.Actor, action, entity string, id int64, path string, detail any) error {
	r := auditRow{At: s.now().UTC(), ActorName: actor.Name, Action: action, Entity: entity, EntityID: id, UnitPath: path}
	if actor.System {
		r.ActorName = systemPrefix + actor.Name
	}
	switch d := detail.(type) {
	case schedule.Msg:
		b, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("audit detail: %w", err)
		}
		r.Detail, r.DetailMsg = d.String(), string(b)
	default:
		r.Detail = fmt.Sprint(detail)
	}
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
		if name, ok := strings.CutPrefix(r.ActorName, systemPrefix); ok {
			out[i].ActorName, out[i].System = name, true
		}
		if r.ActorID != nil {
			out[i].ActorID = *r.ActorID
		}
		if r.DetailMsg != "" {
			if err := json.Unmarshal([]byte(r.DetailMsg), &out[i].Text); err != nil {
				out[i].Text = schedule.Msg{} // the English detail still shows
			}
		}
	}
	return out, nil
}
