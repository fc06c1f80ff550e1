package schedule

import "sort"

// Action is what an actor wants to do with a unit or a worker.
type Action string

// Actions checked by scope rules.
const (
	ActList   Action = "list"
	ActRead   Action = "read"
	ActWrite  Action = "write"
	ActExport Action = "export"
	ActImport Action = "import"
)

// Scope is the set of subtrees an actor may act in: the paths of the units
// where they hold an official role. Nested paths are collapsed, so Roots never
// holds a path inside another.
type Scope struct {
	Roots []string
}

// NewScope builds a Scope from unit paths, dropping paths covered by others.
func NewScope(paths ...string) Scope {
	ps := append([]string(nil), paths...)
	sort.Strings(ps)
	var roots []string
	for _, p := range ps {
		if p == "" {
			continue
		}
		if n := len(roots); n > 0 && IsWithin(p, roots[n-1]) {
			continue
		}
		roots = append(roots, p)
	}
	return Scope{Roots: roots}
}

// Covers reports whether path lies inside the scope.
func (s Scope) Covers(path string) bool {
	for _, r := range s.Roots {
		if IsWithin(path, r) {
			return true
		}
	}
	return false
}

// Empty reports whether the scope grants nothing.
func (s Scope) Empty() bool { return len(s.Roots) == 0 }

// Narrow returns the part of the scope inside the subtree at path: the
// subtree itself if the scope covers it, the scope roots under it otherwise.
func (s Scope) Narrow(path string) Scope {
	if s.Covers(path) {
		return Scope{Roots: []string{path}}
	}
	var in []string
	for _, r := range s.Roots {
		if IsWithin(r, path) {
			in = append(in, r)
		}
	}
	return Scope{Roots: in}
}

// Actor is the person acting: an official with a scope. System actors (CLI
// import, seeding) have the whole tree.
type Actor struct {
	WorkerID int64  `json:"worker_id"`
	Name     string `json:"name"`
	Scope    Scope  `json:"scope"`
	System   bool   `json:"-"`
}

// SystemActor returns an actor for command-line and background work that is
// not limited by scope; audit entries name it by label.
func SystemActor(label string) Actor {
	return Actor{Name: label, System: true, Scope: Scope{Roots: []string{"/"}}}
}

// Can reports whether the actor may perform act on something at path.
// Reads, lists, exports and worker writes follow the subtree. Writing a unit
// itself (rename, re-parent) needs the unit strictly below a scope root, so
// a district official cannot rename their own district; creating a child is
// a write at the parent's child path and so is allowed.
func (a Actor) Can(act Action, path string) bool {
	if a.System {
		return true
	}
	return a.Scope.Covers(path)
}

// CanWriteUnit reports whether the actor may change the unit at path.
func (a Actor) CanWriteUnit(path string) bool {
	if a.System {
		return true
	}
	for _, r := range a.Scope.Roots {
		if IsWithin(path, r) && path != r {
			return true
		}
	}
	return false
}

// CanSeeEventAt reports whether the actor may read an event held at the
// unit with path: events in their subtree, and events of the units above
// them, which are addressed to everyone below (a state programme, a
// district workshop). Changing an event still needs write access to its
// unit.
func (a Actor) CanSeeEventAt(path string) bool {
	if a.Can(ActRead, path) {
		return true
	}
	for _, r := range a.Scope.Roots {
		if IsWithin(r, path) {
			return true
		}
	}
	return false
}

// Owns reports whether the worker's records are the actor's to see in full.
func (a Actor) Owns(w Worker) bool { return a.Can(ActRead, w.UnitPath) }

// View returns w as the actor may see it: mobile and voter ID masked unless
// the actor's scope owns the worker.
func (a Actor) View(w Worker) Worker {
	if a.Owns(w) {
		return w
	}
	w.Mobile = MaskMobile(w.Mobile)
	w.VoterID = MaskVoterID(w.VoterID)
	w.Email = ""
	return w
}
