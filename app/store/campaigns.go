package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// Campaigns keeps campaigns, their versioned rules and daily snapshots,
// and counts readiness from the workers and roles tables in SQL. Every
// method takes the acting official: a campaign is seen by those whose
// scope holds its unit or lies under it (a district president sees the
// state's campaign, for their district); out of scope answers ENOTFOUND.
type Campaigns struct{ s *Store }

// NewCampaigns returns the campaign service over st's database.
func NewCampaigns(st *Store) *Campaigns { return &Campaigns{s: st} }

type campaignRow struct {
	bun.BaseModel `bun:"table:campaigns"`
	ID            int64     `bun:"id,pk,autoincrement"`
	Title         string    `bun:"title"`
	TitleHi       string    `bun:"title_hi"`
	UnitID        int64     `bun:"unit_id"`
	UnitPath      string    `bun:"unit_path"`
	StartDay      string    `bun:"start_day"`
	TargetDay     string    `bun:"target_day"`
	RuleVersion   int       `bun:"rule_version"`
	CreatedAt     time.Time `bun:"created_at"`
}

type campaignRulesRow struct {
	bun.BaseModel `bun:"table:campaign_rules"`
	CampaignID    int64     `bun:"campaign_id,pk"`
	Version       int       `bun:"version,pk"`
	Rules         string    `bun:"rules"`
	CreatedAt     time.Time `bun:"created_at"`
}

type snapshotRow struct {
	bun.BaseModel `bun:"table:campaign_snapshots"`
	CampaignID    int64  `bun:"campaign_id,pk"`
	UnitID        int64  `bun:"unit_id,pk"`
	Day           string `bun:"day,pk"`
	RuleVersion   int    `bun:"rule_version"`
	Ready         int    `bun:"ready"`
	Total         int    `bun:"total"`
}

func (r campaignRow) domain(rules schedule.CampaignRules) schedule.Campaign {
	start, _ := time.Parse(time.DateOnly, r.StartDay)
	target, _ := time.Parse(time.DateOnly, r.TargetDay)
	return schedule.Campaign{ID: r.ID, Title: r.Title, TitleHi: r.TitleHi, UnitID: r.UnitID, UnitPath: r.UnitPath,
		Start: start, Target: target, Rules: rules}
}

// Create saves a new campaign at c.UnitID with its rules as version 1.
// The actor must be able to write at the unit; rules naming unknown
// levels or roles are refused with the name (EINVALID).
func (cs *Campaigns) Create(ctx context.Context, actor schedule.Actor, c schedule.Campaign) (schedule.Campaign, error) {
	s := cs.s
	levels, err := s.Levels(ctx)
	if err != nil {
		return c, err
	}
	roles, err := s.Roles(ctx)
	if err != nil {
		return c, err
	}
	if c.Start.IsZero() {
		c.Start = schedule.CivilDay(s.now(), s.zone)
	}
	if err := c.Validate(levels, roles); err != nil {
		return c, err
	}
	c.Rules.Version = 1
	err = s.inTx(ctx, func(tx bun.Tx) error {
		u, err := s.unitByID(ctx, tx, c.UnitID)
		if err != nil || !actor.Can(schedule.ActWrite, u.Path) {
			return schedule.NewError(schedule.EINVALID, "unit", schedule.Msgf("unit %d is not in your area", c.UnitID))
		}
		row := campaignRow{Title: c.Title, TitleHi: c.TitleHi, UnitID: u.ID, UnitPath: u.Path,
			StartDay: c.Start.Format(time.DateOnly), TargetDay: c.Target.Format(time.DateOnly), RuleVersion: 1, CreatedAt: s.now().UTC()}
		if _, err := tx.NewInsert().Model(&row).Returning("id").Exec(ctx); err != nil {
			return mapErr(err, "campaign")
		}
		if err := insertRules(ctx, tx, row.ID, c.Rules, s.now()); err != nil {
			return err
		}
		c.ID, c.UnitPath = row.ID, u.Path
		title := c.Title
		if title == "" {
			title = c.TitleHi
		}
		return s.audit(ctx, tx, actor, "create", "campaign", row.ID, u.Path, title)
	})
	return c, err
}

func insertRules(ctx context.Context, tx bun.Tx, id int64, r schedule.CampaignRules, now time.Time) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode campaign rules: %w", err)
	}
	row := campaignRulesRow{CampaignID: id, Version: r.Version, Rules: string(b), CreatedAt: now.UTC()}
	if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
		return mapErr(err, "campaign rules")
	}
	return nil
}

// SetRules makes rules the campaign's next version. Snapshots taken so
// far keep the version they were counted with.
func (cs *Campaigns) SetRules(ctx context.Context, actor schedule.Actor, id int64, rules schedule.CampaignRules) (schedule.Campaign, error) {
	s := cs.s
	levels, err := s.Levels(ctx)
	if err != nil {
		return schedule.Campaign{}, err
	}
	roles, err := s.Roles(ctx)
	if err != nil {
		return schedule.Campaign{}, err
	}
	var c schedule.Campaign
	err = s.inTx(ctx, func(tx bun.Tx) error {
		var row campaignRow
		q := tx.NewSelect().Model(&row).Where("id = ?", id)
		if s.Postgres() { // SQLite's transactions already hold the write lock
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx); err != nil && !schedule.IsNotFound(mapErr(err, "campaign")) {
			return mapErr(err, "campaign")
		}
		if row.ID == 0 || !actor.Can(schedule.ActWrite, row.UnitPath) {
			return schedule.Errorf(schedule.ENOTFOUND, "campaign %d not found", id)
		}
		// Validated after the scope check: a refusal of the rules would
		// tell an outsider the campaign exists.
		if err := rules.Validate(levels, roles); err != nil {
			return err
		}
		rules.Version = row.RuleVersion + 1
		if err := insertRules(ctx, tx, id, rules, s.now()); err != nil {
			return err
		}
		row.RuleVersion = rules.Version
		if _, err := tx.NewUpdate().Model(&row).Column("rule_version").WherePK().Exec(ctx); err != nil {
			return mapErr(err, "campaign")
		}
		c = row.domain(rules)
		return s.audit(ctx, tx, actor, "update", "campaign", id, row.UnitPath, schedule.Msgf("rules version %d", rules.Version))
	})
	return c, err
}

// sees reports whether actor may see a campaign rooted at path: it lies in
// their scope, or their scope lies under it.
func sees(actor schedule.Actor, path string) bool {
	if actor.Can(schedule.ActRead, path) {
		return true
	}
	for _, r := range actor.Scope.Roots {
		if schedule.IsWithin(r, path) {
			return true
		}
	}
	return false
}

// Find returns the campaign with its current rules, if actor sees it.
func (cs *Campaigns) Find(ctx context.Context, actor schedule.Actor, id int64) (schedule.Campaign, error) {
	var row campaignRow
	if err := cs.s.db.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil || !sees(actor, row.UnitPath) {
		if err != nil && !schedule.IsNotFound(mapErr(err, "campaign")) {
			return schedule.Campaign{}, mapErr(err, "campaign")
		}
		return schedule.Campaign{}, schedule.Errorf(schedule.ENOTFOUND, "campaign %d not found", id)
	}
	rules, err := cs.rules(ctx, id, row.RuleVersion)
	if err != nil {
		return schedule.Campaign{}, err
	}
	return row.domain(rules), nil
}

func (cs *Campaigns) rules(ctx context.Context, id int64, version int) (schedule.CampaignRules, error) {
	var rr campaignRulesRow
	if err := cs.s.db.NewSelect().Model(&rr).Where("campaign_id = ? AND version = ?", id, version).Scan(ctx); err != nil {
		return schedule.CampaignRules{}, mapErr(err, "campaign rules")
	}
	var r schedule.CampaignRules
	if err := json.Unmarshal([]byte(rr.Rules), &r); err != nil {
		return r, fmt.Errorf("decode rules of campaign %d v%d: %w", id, version, err)
	}
	return r, nil
}

// List returns the campaigns actor sees, nearest target first.
func (cs *Campaigns) List(ctx context.Context, actor schedule.Actor) ([]schedule.Campaign, error) {
	var rows []campaignRow
	q := cs.s.db.NewSelect().Model(&rows).OrderExpr("target_day, id")
	if !actor.System {
		// In scope, or above a scope root (its ancestors' paths).
		var above []string
		for _, r := range actor.Scope.Roots {
			ids := schedule.PathIDs(r)
			p := "/"
			for _, id := range ids[:max(len(ids)-1, 0)] {
				p = schedule.ChildPath(p, id)
				above = append(above, p)
			}
		}
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			q = whereScope(q, "unit_path", actor.Scope)
			if len(above) > 0 {
				q = q.WhereOr("unit_path IN (?)", bun.In(above))
			}
			return q
		})
	}
	if err := q.Scan(ctx); err != nil {
		return nil, mapErr(err, "campaigns")
	}
	out := make([]schedule.Campaign, 0, len(rows))
	for _, r := range rows {
		rules, err := cs.rules(ctx, r.ID, r.RuleVersion)
		if err != nil {
			return nil, err
		}
		out = append(out, r.domain(rules))
	}
	return out, nil
}

// Where resolves the unit a dashboard shows: unitID (0: the campaign's
// unit, or the actor's own area inside it when the campaign is above
// them), which must lie in the campaign and in actor's scope.
func (cs *Campaigns) Where(ctx context.Context, actor schedule.Actor, c schedule.Campaign, unitID int64) (schedule.Unit, error) {
	if unitID == 0 {
		unitID = c.UnitID
		if !actor.Can(schedule.ActRead, c.UnitPath) {
			for _, r := range actor.Scope.Roots {
				if schedule.IsWithin(r, c.UnitPath) {
					ids := schedule.PathIDs(r)
					unitID = ids[len(ids)-1]
					break
				}
			}
		}
	}
	u, err := cs.s.FindUnitByID(ctx, actor, unitID)
	if err != nil || !schedule.IsWithin(u.Path, c.UnitPath) {
		return schedule.Unit{}, schedule.Errorf(schedule.ENOTFOUND, "unit %d not found", unitID)
	}
	return u, nil
}

// Evaluate counts, in SQL, the members and role holders of every unit at
// one of the campaign's rule levels inside under's subtree, and judges
// each by its level's rule. under must come from Where (in scope).
func (cs *Campaigns) Evaluate(ctx context.Context, actor schedule.Actor, c schedule.Campaign, under schedule.Unit) ([]schedule.Evaluated, error) {
	if !actor.Can(schedule.ActRead, under.Path) || !schedule.IsWithin(under.Path, c.UnitPath) {
		return nil, schedule.Errorf(schedule.ENOTFOUND, "unit %d not found", under.ID)
	}
	levels, err := cs.s.Levels(ctx)
	if err != nil {
		return nil, err
	}
	var out []schedule.Evaluated
	for _, rule := range c.Rules.Levels {
		lv, ok := levels.ByKey(rule.Level)
		if !ok || lv.Depth < under.Depth {
			continue
		}
		facts, err := cs.facts(ctx, under.Path, lv.Depth, rule)
		if err != nil {
			return nil, err
		}
		for _, f := range facts {
			out = append(out, schedule.Evaluated{Unit: f.Unit, Level: rule.Level, Readiness: schedule.Evaluate(rule, f)})
		}
	}
	return out, nil
}

// facts counts the records of every unit at depth inside the subtree at
// path: three grouped queries (units, members, role holders), each one
// range scan of a path index.
func (cs *Campaigns) facts(ctx context.Context, path string, depth int, rule schedule.LevelRule) ([]schedule.UnitFacts, error) {
	if !cs.s.Postgres() {
		// SQLite's transactions take the write lock (_txlock=immediate):
		// read outside one.
		return cs.factsIn(ctx, cs.s.db, path, depth, rule)
	}
	var out []schedule.UnitFacts
	err := cs.s.db.RunInTx(ctx, &sql.TxOptions{ReadOnly: true}, func(ctx context.Context, tx bun.Tx) error {
		// A state's recompute reads millions of rows once: JIT compilation
		// costs more than it saves (~0.5 s a query) and the per-unit
		// groups fit in memory without spilling to disk.
		for _, q := range []string{"SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'"} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("readiness settings: %w", err)
			}
		}
		var err error
		out, err = cs.factsIn(ctx, tx, path, depth, rule)
		return err
	})
	return out, err
}

func (cs *Campaigns) factsIn(ctx context.Context, db bun.IDB, path string, depth int, rule schedule.LevelRule) ([]schedule.UnitFacts, error) {
	lo, hi := schedule.SubtreeRange(path)
	var units []unitRow
	if err := db.NewSelect().Model(&units).Where("path >= ? AND path < ? AND depth = ?", lo, hi, depth).OrderExpr("path").Scan(ctx); err != nil {
		return nil, mapErr(err, "units")
	}
	out := make([]schedule.UnitFacts, len(units))
	at := make(map[int64]*schedule.UnitFacts, len(units))
	for i, u := range units {
		out[i] = schedule.UnitFacts{Unit: u.domain(), MissingField: map[string]int{}, Holders: map[string]int{}, Verified: map[string]int{}}
		at[u.ID] = &out[i]
	}
	if len(units) == 0 {
		return out, nil
	}
	const verified = "(w.mobile IS NOT NULL AND w.verified_mobile = w.mobile)"
	// Count only what the rule reads: each aggregate costs a pass of CPU
	// over every member row of the subtree.
	missing := map[string]string{
		schedule.FieldMobile:  "SUM(CASE WHEN w.mobile IS NULL OR w.mobile = '' THEN 1 ELSE 0 END)",
		schedule.FieldVoterID: "SUM(CASE WHEN w.voter_id IS NULL OR w.voter_id = '' THEN 1 ELSE 0 END)",
		schedule.FieldGender:  "SUM(CASE WHEN w.gender = '' THEN 1 ELSE 0 END)",
		schedule.FieldSocial:  "SUM(CASE WHEN w.social = '' THEN 1 ELSE 0 END)",
	}
	var fields []string
	for _, f := range rule.Fields {
		if !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	if slices.Contains(rule.Extras, schedule.ExtraSocial) && !slices.Contains(fields, schedule.FieldSocial) {
		fields = append(fields, schedule.FieldSocial)
	}
	cols := "COUNT(*)"
	for _, f := range fields {
		cols += ", " + missing[f]
	}
	countUnverified := slices.Contains(rule.Extras, schedule.ExtraAllVerified)
	if countUnverified {
		cols += ", SUM(CASE WHEN " + verified + " THEN 0 ELSE 1 END)"
	}
	// Workers of units at other depths form groups of their own that no
	// unit of the list claims; that is cheaper than joining units.
	rows, err := db.QueryContext(ctx, `SELECT w.unit_id, `+cols+`
		FROM workers w WHERE w.unit_path >= ? AND w.unit_path < ? AND w.active
		GROUP BY w.unit_id`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("count members: %w", err)
	}
	vals := make([]int, 2+len(fields))
	ptrs := make([]any, 0, len(vals)+1)
	var id int64
	ptrs = append(ptrs, &id)
	for i := range vals[:1+len(fields)] {
		ptrs = append(ptrs, &vals[i])
	}
	if countUnverified {
		ptrs = append(ptrs, &vals[1+len(fields)])
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return nil, fmt.Errorf("count members: %w", err)
		}
		if f := at[id]; f != nil {
			f.Members, f.Unverified = vals[0], vals[1+len(fields)]
			for i, fd := range fields {
				f.MissingField[fd] = vals[1+i]
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count members: %w", err)
	}
	var keys []string
	for _, rc := range rule.Roles {
		keys = append(keys, rc.Role)
	}
	if len(keys) == 0 {
		return out, nil
	}
	q, args, err := inQuery(`SELECT wr.unit_id, wr.role_key, COUNT(*), SUM(CASE WHEN `+verified+` THEN 1 ELSE 0 END)
		FROM worker_roles wr JOIN workers w ON w.id = wr.worker_id
		WHERE wr.unit_path >= ? AND wr.unit_path < ? AND w.active AND wr.role_key IN (%s)
		GROUP BY wr.unit_id, wr.role_key`, []any{lo, hi}, keys)
	if err != nil {
		return nil, err
	}
	rrows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("count role holders: %w", err)
	}
	defer rrows.Close()
	for rrows.Next() {
		var id int64
		var role string
		var n, ver int
		if err := rrows.Scan(&id, &role, &n, &ver); err != nil {
			return nil, fmt.Errorf("count role holders: %w", err)
		}
		if f := at[id]; f != nil {
			f.Holders[role], f.Verified[role] = n, ver
		}
	}
	return out, rrows.Err()
}

// inQuery fills the one %s of q with placeholders for vals.
func inQuery(q string, args []any, vals []string) (string, []any, error) {
	if len(vals) == 0 {
		return "", nil, fmt.Errorf("inQuery: no values")
	}
	for _, v := range vals {
		args = append(args, v)
	}
	return fmt.Sprintf(q, strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")), args, nil
}

// Responsible is an official of a unit: whom to call about its gaps.
type Responsible struct {
	UnitID   int64  `json:"unit_id"`
	WorkerID int64  `json:"worker_id"`
	Name     string `json:"name"`
	Mobile   string `json:"mobile,omitempty"`
	Role     string `json:"role"`
	// Language is the one they read messages in ("" for the default).
	Language string `json:"-"`
}

// Responsibles returns the active holders of official roles at the units
// (those inside actor's scope), by unit.
func (cs *Campaigns) Responsibles(ctx context.Context, actor schedule.Actor, unitIDs []int64) (map[int64][]Responsible, error) {
	out := map[int64][]Responsible{}
	if len(unitIDs) == 0 {
		return out, nil
	}
	var rows []Responsible
	q := cs.s.db.NewSelect().TableExpr("worker_roles AS wr").
		Join("JOIN workers AS w ON w.id = wr.worker_id").Join("JOIN roles AS r ON r.key = wr.role_key").
		ColumnExpr("wr.unit_id, w.id AS worker_id, w.name, COALESCE(w.mobile, '') AS mobile, wr.role_key AS role, w.language").
		Where("r.official AND w.active").Where("wr.unit_id IN (?)", bun.In(unitIDs)).OrderExpr("wr.unit_id, wr.role_key, w.name")
	q = whereScope(q, "wr.unit_path", actor.Scope)
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, mapErr(err, "officials")
	}
	for _, r := range rows {
		out[r.UnitID] = append(out[r.UnitID], r)
	}
	return out, nil
}

// deepest is the campaign's deepest rule level.
func deepest(c schedule.Campaign, levels schedule.Levels) (schedule.Level, bool) {
	var best schedule.Level
	ok := false
	for _, lr := range c.Rules.Levels {
		if l, found := levels.ByKey(lr.Level); found && (!ok || l.Depth > best.Depth) {
			best, ok = l, true
		}
	}
	return best, ok
}

// Snapshot records day's standing of every unit of the campaign: of the
// units at its deepest rule level in each unit's subtree, how many are
// ready. The day is written in one transaction that first removes what a
// previous run wrote for it, so a crash leaves no half day and a rerun
// gives the same rows. It returns the rows written.
func (cs *Campaigns) Snapshot(ctx context.Context, actor schedule.Actor, id int64, day time.Time) (int, error) {
	s := cs.s
	c, err := cs.Find(ctx, actor, id)
	if err != nil {
		return 0, err
	}
	if !actor.Can(schedule.ActRead, c.UnitPath) {
		// Seeing a campaign from below is not enough to count all of it.
		return 0, schedule.Errorf(schedule.ENOTFOUND, "campaign %d not found", id)
	}
	levels, err := s.Levels(ctx)
	if err != nil {
		return 0, err
	}
	leaf, ok := deepest(c, levels)
	if !ok {
		return 0, nil
	}
	root, err := s.unitByID(ctx, s.db, c.UnitID)
	if err != nil {
		return 0, err
	}
	rule, _ := c.Rules.Rule(leaf.Key)
	facts, err := cs.facts(ctx, root.Path, leaf.Depth, rule)
	if err != nil {
		return 0, err
	}
	type count struct{ ready, total int }
	counts := map[int64]*count{}
	rootDepth := len(schedule.PathIDs(root.Path)) - 1
	for _, f := range facts {
		ready := schedule.Evaluate(rule, f).Ready
		ids := schedule.PathIDs(f.Unit.Path)
		for _, uid := range ids[rootDepth:] {
			ct := counts[uid]
			if ct == nil {
				ct = &count{}
				counts[uid] = ct
			}
			ct.total++
			if ready {
				ct.ready++
			}
		}
	}
	if len(facts) == 0 {
		counts[root.ID] = &count{}
	}
	d := day.Format(time.DateOnly)
	rows := make([]snapshotRow, 0, len(counts))
	for uid, ct := range counts {
		rows = append(rows, snapshotRow{CampaignID: id, UnitID: uid, Day: d, RuleVersion: c.Rules.Version, Ready: ct.ready, Total: ct.total})
	}
	slices.SortFunc(rows, func(a, b snapshotRow) int { return int(a.UnitID - b.UnitID) })
	err = s.inTx(ctx, func(tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*snapshotRow)(nil)).Where("campaign_id = ? AND day = ?", id, d).Exec(ctx); err != nil {
			return fmt.Errorf("clear snapshot of %s: %w", d, err)
		}
		for len(rows) > 0 {
			n := min(len(rows), 2000)
			chunk := rows[:n]
			rows = rows[n:]
			if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
				return fmt.Errorf("write snapshot of %s: %w", d, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(counts), nil
}

// History returns the unit's snapshots, oldest first, with the rule
// version each was counted with.
func (cs *Campaigns) History(ctx context.Context, actor schedule.Actor, c schedule.Campaign, unit schedule.Unit) ([]schedule.DayCount, []int, error) {
	if !actor.Can(schedule.ActRead, unit.Path) {
		return nil, nil, schedule.Errorf(schedule.ENOTFOUND, "unit %d not found", unit.ID)
	}
	var rows []snapshotRow
	if err := cs.s.db.NewSelect().Model(&rows).Where("campaign_id = ? AND unit_id = ?", c.ID, unit.ID).OrderExpr("day").Scan(ctx); err != nil {
		return nil, nil, mapErr(err, "snapshots")
	}
	out := make([]schedule.DayCount, 0, len(rows))
	versions := make([]int, 0, len(rows))
	for _, r := range rows {
		d, err := time.Parse(time.DateOnly, r.Day)
		if err != nil {
			return nil, nil, fmt.Errorf("snapshot day %q: %w", r.Day, err)
		}
		out = append(out, schedule.DayCount{Day: d, Ready: r.Ready, Total: r.Total})
		versions = append(versions, r.RuleVersion)
	}
	return out, versions, nil
}

// MarkMobileVerified records that actor proved they hold mobile (a login
// code sent to it was entered): their own record only.
func (s *Store) MarkMobileVerified(ctx context.Context, actor schedule.Actor, mobile string) error {
	if actor.WorkerID == 0 || mobile == "" {
		return nil
	}
	_, err := s.db.NewUpdate().Table("workers").Set("verified_mobile = ?", mobile).Set("verified_at = ?", s.now().UTC()).
		Where("id = ? AND mobile = ?", actor.WorkerID, mobile).Exec(ctx)
	if err != nil {
		return fmt.Errorf("mark mobile verified: %w", err)
	}
	return nil
}

// Nudge is a message to one responsible person about a campaign.
type Nudge struct {
	WorkerID int64
	Text     string
}

// NudgeReport counts what Nudge did.
type NudgeReport struct {
	Queued int `json:"queued"`
	// Already counts people nudged about the campaign earlier that day.
	Already int `json:"already"`
	// NoMobile counts people without a mobile.
	NoMobile int `json:"no_mobile"`
}

// Nudge queues an SMS to each person through the outbox, at most one per
// person, campaign and day: the outbox's unique key
// (nudge:<campaign>:<worker>:<day>) keeps a second press, a second
// official or a restart from sending twice. People outside actor's scope
// are refused with the rest (ENOTFOUND), nothing queued.
func (cs *Campaigns) Nudge(ctx context.Context, actor schedule.Actor, campaignID int64, day time.Time, nudges []Nudge) (NudgeReport, error) {
	s := cs.s
	var rep NudgeReport
	c, err := cs.Find(ctx, actor, campaignID)
	if err != nil {
		return rep, err
	}
	now := s.now().UTC()
	d := day.Format(time.DateOnly)
	err = s.inTx(ctx, func(tx bun.Tx) error {
		for _, n := range nudges {
			w, err := s.workerByID(ctx, tx, n.WorkerID)
			if err != nil || !actor.Can(schedule.ActRead, w.UnitPath) {
				return schedule.Errorf(schedule.ENOTFOUND, "worker %d not found", n.WorkerID)
			}
			if w.Mobile == "" {
				rep.NoMobile++
				continue
			}
			key := fmt.Sprintf("nudge:%d:%d:%s", c.ID, w.ID, d)
			res, err := tx.ExecContext(ctx, `INSERT INTO outbox (idem_key, kind, channel, recipient, body, status, next_attempt_at, created_at)
				VALUES (?, 'nudge', ?, ?, ?, 'queued', ?, ?) ON CONFLICT (idem_key) DO NOTHING`,
				key, string(schedule.ChannelSMS), w.Mobile, n.Text, now, now)
			if err != nil {
				return mapErr(err, "outbox")
			}
			if k, _ := res.RowsAffected(); k == 1 {
				rep.Queued++
			} else {
				rep.Already++
			}
		}
		if rep.Queued == 0 {
			return nil
		}
		return s.audit(ctx, tx, actor, "nudge", "campaign", c.ID, c.UnitPath, schedule.Msgf("%d messages queued", rep.Queued))
	})
	return rep, err
}
