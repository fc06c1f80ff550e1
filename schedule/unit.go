package schedule

import (
	"strconv"
	"strings"
)

// Level names one depth of the organisation tree. Levels are data: an
// organisation may rename them or use fewer; depth 0 is the root.
type Level struct {
	Depth  int    `json:"depth"`
	Key    string `json:"key"`
	Name   string `json:"name"`
	NameHi string `json:"name_hi"`
}

// Default level keys of the first organisation. A cluster groups two shakti
// kendras, so it sits as its own level between mandal and shakti kendra;
// scope and subtree queries then need nothing special for it.
const (
	LevelState        = "state"
	LevelDistrict     = "district"
	LevelAssembly     = "assembly"
	LevelMandal       = "mandal"
	LevelCluster      = "cluster"
	LevelShaktiKendra = "shakti_kendra"
	LevelBooth        = "booth"
)

// DefaultLevels returns the default hierarchy, root first.
func DefaultLevels() []Level {
	return []Level{
		{0, LevelState, "State", "प्रदेश"},
		{1, LevelDistrict, "District", "ज़िला"},
		{2, LevelAssembly, "Assembly", "विधानसभा"},
		{3, LevelMandal, "Mandal", "मंडल"},
		{4, LevelCluster, "Cluster", "क्लस्टर"},
		{5, LevelShaktiKendra, "Shakti kendra", "शक्ति केंद्र"},
		{6, LevelBooth, "Booth", "बूथ"},
	}
}

// Levels is an organisation's ordered list of levels.
type Levels []Level

// ByKey returns the level with key k, or false when there is none.
func (ls Levels) ByKey(k string) (Level, bool) {
	for _, l := range ls {
		if l.Key == k {
			return l, true
		}
	}
	return Level{}, false
}

// ByDepth returns the level at depth d, or false when there is none.
func (ls Levels) ByDepth(d int) (Level, bool) {
	if d < 0 || d >= len(ls) {
		return Level{}, false
	}
	return ls[d], true
}

// Unit is one node of the organisation tree: the state, a district, a booth.
// Path is the materialised path of IDs from the root, "/1/7/42/", so a whole
// subtree is one index range scan (see SubtreeRange).
type Unit struct {
	ID       int64  `json:"id"`
	ParentID int64  `json:"parent_id,omitempty"`
	Depth    int    `json:"depth"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	NameHi   string `json:"name_hi,omitempty"`
	Path     string `json:"path"`
}

// DisplayName returns the unit's name in lang ("hi" or "en"), falling back
// to the other language when one is missing.
func (u Unit) DisplayName(lang string) string {
	if lang == "hi" && u.NameHi != "" {
		return u.NameHi
	}
	if u.Name == "" {
		return u.NameHi
	}
	return u.Name
}

// ChildPath returns the path of a child with the given id under parentPath
// ("" for the root).
func ChildPath(parentPath string, id int64) string {
	if parentPath == "" {
		parentPath = "/"
	}
	return parentPath + strconv.FormatInt(id, 10) + "/"
}

// SubtreeRange returns the half-open byte range [lo, hi) of paths inside the
// subtree rooted at path. Paths hold only digits and '/', and '0' follows
// '/' in byte order, so replacing the final '/' by '0' bounds the subtree.
// Storage must compare paths bytewise (COLLATE "C" on Postgres).
func SubtreeRange(path string) (lo, hi string) {
	return path, path[:len(path)-1] + "0"
}

// PathIDs returns the unit IDs along path, root first.
func PathIDs(path string) []int64 {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	ids := make([]int64, 0, len(parts))
	for _, p := range parts {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// IsWithin reports whether path lies in the subtree rooted at root
// (a unit is within its own subtree).
func IsWithin(path, root string) bool {
	return root != "" && strings.HasPrefix(path, root)
}

// Validate checks a unit's own fields.
func (u Unit) Validate() error {
	if strings.TrimSpace(u.Code) == "" {
		return FieldError("code", "is required")
	}
	if len(u.Code) > 64 {
		return FieldError("code", "is longer than 64 characters")
	}
	if strings.TrimSpace(u.Name) == "" && strings.TrimSpace(u.NameHi) == "" {
		return FieldError("name", "is required (in English or Hindi)")
	}
	for field, v := range map[string]string{"code": u.Code, "name": u.Name, "name_hi": u.NameHi} {
		if p := TextProblem(v, false); !p.IsZero() {
			return NewError(EINVALID, field, p)
		}
	}
	return nil
}

// UnitCount is a unit with aggregate counts of its subtree, used for tree
// browsing.
type UnitCount struct {
	Unit
	Children int `json:"children"`
	Workers  int `json:"workers"`
}
