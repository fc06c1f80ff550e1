package store

import (
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// Row structs mirror tables; they convert to and from domain types so the
// domain never sees bun tags.

type levelRow struct {
	bun.BaseModel `bun:"table:levels"`
	Depth         int    `bun:"depth,pk"`
	Key           string `bun:"key"`
	Name          string `bun:"name"`
	NameHi        string `bun:"name_hi"`
}

type roleRow struct {
	bun.BaseModel `bun:"table:roles"`
	Key           string `bun:"key,pk"`
	Name          string `bun:"name"`
	NameHi        string `bun:"name_hi"`
	Official      bool   `bun:"official"`
}

type unitRow struct {
	bun.BaseModel `bun:"table:units"`
	ID            int64  `bun:"id,pk,autoincrement"`
	ParentID      *int64 `bun:"parent_id"`
	Depth         int    `bun:"depth"`
	Code          string `bun:"code"`
	Name          string `bun:"name"`
	NameHi        string `bun:"name_hi"`
	Path          string `bun:"path"`
}

func (r unitRow) domain() schedule.Unit {
	u := schedule.Unit{ID: r.ID, Depth: r.Depth, Code: r.Code, Name: r.Name, NameHi: r.NameHi, Path: r.Path}
	if r.ParentID != nil {
		u.ParentID = *r.ParentID
	}
	return u
}

type workerRow struct {
	bun.BaseModel `bun:"table:workers,alias:w"`
	ID            int64     `bun:"id,pk,autoincrement"`
	Name          string    `bun:"name"`
	NameKey       string    `bun:"name_key"`
	Mobile        *string   `bun:"mobile"`
	VoterID       *string   `bun:"voter_id"`
	Gender        string    `bun:"gender"`
	Social        string    `bun:"social"`
	Email         string    `bun:"email"`
	Language      string    `bun:"language"`
	UnitID        int64     `bun:"unit_id"`
	UnitPath      string    `bun:"unit_path"`
	Work          string    `bun:"work"`
	Active        bool      `bun:"active"`
	UpdatedAt     time.Time `bun:"updated_at"`
}

func (r workerRow) domain() schedule.Worker {
	return schedule.Worker{
		ID: r.ID, Name: r.Name, Mobile: deref(r.Mobile), VoterID: deref(r.VoterID),
		Gender: r.Gender, Social: r.Social, Email: r.Email, Language: r.Language,
		UnitID: r.UnitID, UnitPath: r.UnitPath, Work: r.Work, Active: r.Active, UpdatedAt: r.UpdatedAt,
	}
}

func workerRowFrom(w schedule.Worker) workerRow {
	return workerRow{
		ID: w.ID, Name: w.Name, NameKey: NameKey(w.Name), Mobile: nullable(w.Mobile), VoterID: nullable(w.VoterID),
		Gender: w.Gender, Social: w.Social, Email: w.Email, Language: w.Language,
		UnitID: w.UnitID, UnitPath: w.UnitPath, Work: w.Work, Active: w.Active, UpdatedAt: w.UpdatedAt,
	}
}

type workerRoleRow struct {
	bun.BaseModel `bun:"table:worker_roles"`
	WorkerID      int64  `bun:"worker_id,pk"`
	RoleKey       string `bun:"role_key,pk"`
	UnitID        int64  `bun:"unit_id,pk"`
	UnitPath      string `bun:"unit_path"`
}

type auditRow struct {
	bun.BaseModel `bun:"table:audit_log"`
	ID            int64     `bun:"id,pk,autoincrement"`
	At            time.Time `bun:"at"`
	ActorID       *int64    `bun:"actor_id"`
	ActorName     string    `bun:"actor_name"`
	Action        string    `bun:"action"`
	Entity        string    `bun:"entity"`
	EntityID      int64     `bun:"entity_id"`
	UnitPath      string    `bun:"unit_path"`
	Detail        string    `bun:"detail"`
	DetailMsg     string    `bun:"detail_msg"` // schedule.Msg as JSON, when the detail is a message
}

// NameKey is the search key of a name: lower case, single spaces. Prefix
// search compares it bytewise, which works for Devanagari and Latin alike.
func NameKey(name string) string {
	return strings.Join(strings.Fields(strings.ToLower(name)), " ")
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
