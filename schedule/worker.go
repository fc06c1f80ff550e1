package schedule

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Gender values; empty means not recorded.
const (
	GenderFemale = "F"
	GenderMale   = "M"
	GenderOther  = "O"
)

// Worker is one person in the organisation's records.
type Worker struct {
	ID        int64            `json:"id"`
	Name      string           `json:"name"`
	Mobile    string           `json:"mobile,omitempty"`   // E.164, e.g. +919876543210
	VoterID   string           `json:"voter_id,omitempty"` // EPIC number, e.g. ABC1234567
	Gender    string           `json:"gender,omitempty"`
	Social    string           `json:"social,omitempty"` // social media handle
	Email     string           `json:"email,omitempty"`
	Language  string           `json:"language,omitempty"` // preferred: "hi" or "en"
	UnitID    int64            `json:"unit_id"`
	UnitPath  string           `json:"-"`
	Work      string           `json:"work,omitempty"` // assigned work, free text
	Active    bool             `json:"active"`
	Roles     []RoleAssignment `json:"roles,omitempty"`
	UpdatedAt time.Time        `json:"updated_at"`
}

// RoleAssignment says a worker holds a role at a unit.
type RoleAssignment struct {
	RoleKey  string `json:"role"`
	UnitID   int64  `json:"unit_id"`
	UnitPath string `json:"-"`
}

// Role is a position in the organisation, such as booth president or
// WhatsApp pramukh. Roles are data. Official roles grant their holder a login
// and the unit's subtree as scope.
type Role struct {
	Key      string `json:"key"`
	Name     string `json:"name"`
	NameHi   string `json:"name_hi"`
	Official bool   `json:"official"`
}

// DefaultRoles returns the roles of the first organisation.
func DefaultRoles() []Role {
	return []Role{
		{"office", "Office in charge", "कार्यालय प्रभारी", true},
		{"president", "President", "अध्यक्ष", true},
		{"general_secretary", "General secretary", "महामंत्री", true},
		{"office_bearer", "Office bearer", "पदाधिकारी", false},
		{"vistarak", "Vistarak", "विस्तारक", false},
		{"booth_president", "Booth president", "बूथ अध्यक्ष", true},
		{"mann_ki_baat_pramukh", "Mann Ki Baat pramukh", "मन की बात प्रमुख", false},
		{"labharthi_pramukh", "Labharthi pramukh", "लाभार्थी प्रमुख", false},
		{"whatsapp_pramukh", "WhatsApp pramukh", "व्हाट्सऐप प्रमुख", false},
		{"it_cell", "IT cell", "आईटी सेल", false},
		{"social_media_pramukh", "Social media pramukh", "सोशल मीडिया प्रमुख", false},
		{"steering_committee", "Steering committee member", "संचालन समिति सदस्य", false},
		{"committee_member", "Committee member", "समिति सदस्य", false},
	}
}

// Validate checks and normalises a worker in place: trims text, normalises
// the mobile to E.164 and the voter ID to upper case. It returns the first
// problem as a FieldError.
func (w *Worker) Validate() error {
	w.Name = strings.TrimSpace(w.Name)
	if w.Name == "" {
		return FieldError("name", "is required")
	}
	if p := TextProblem(w.Name, false); !p.IsZero() {
		return NewError(EINVALID, "name", p)
	}
	if utf8.RuneCountInString(w.Name) > 120 {
		return FieldError("name", "is longer than 120 characters")
	}
	if w.Mobile != "" {
		m, err := NormaliseMobile(w.Mobile)
		if err != nil {
			return err
		}
		w.Mobile = m
	}
	if w.VoterID != "" {
		v, err := NormaliseVoterID(w.VoterID)
		if err != nil {
			return err
		}
		w.VoterID = v
	}
	switch g := strings.ToUpper(strings.TrimSpace(w.Gender)); g {
	case "", GenderFemale, GenderMale, GenderOther:
		w.Gender = g
	case "FEMALE", "महिला":
		w.Gender = GenderFemale
	case "MALE", "पुरुष":
		w.Gender = GenderMale
	default:
		return FieldError("gender", "must be F, M or O, not %q", w.Gender)
	}
	w.Social = strings.TrimSpace(w.Social)
	if len(w.Social) > 100 {
		return FieldError("social", "is longer than 100 characters")
	}
	if p := TextProblem(w.Social, false); !p.IsZero() {
		return NewError(EINVALID, "social", p)
	}
	w.Email = strings.TrimSpace(w.Email)
	if w.Email != "" && !IsEmailAddress(w.Email) {
		return FieldError("email", "%q is not an email address", w.Email)
	}
	switch w.Language {
	case "", "hi", "en":
	default:
		return FieldError("language", "must be hi or en")
	}
	w.Work = strings.TrimSpace(w.Work)
	if utf8.RuneCountInString(w.Work) > 500 {
		return FieldError("work", "is longer than 500 characters")
	}
	if p := TextProblem(w.Work, true); !p.IsZero() {
		return NewError(EINVALID, "work", p)
	}
	if w.UnitID == 0 {
		return FieldError("unit", "is required")
	}
	return nil
}

// NormaliseMobile returns an Indian or international mobile number in E.164
// form. Ten-digit numbers get the +91 default; separators are ignored.
func NormaliseMobile(s string) (string, error) {
	raw := s
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return "", FieldError("mobile", "%q contains %q", raw, r)
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "+"):
		d = d[1:]
	case len(d) == 11 && d[0] == '0':
		d = "91" + d[1:]
	case len(d) == 12 && strings.HasPrefix(d, "91"):
	case len(d) == 10:
		d = "91" + d
	default:
		return "", FieldError("mobile", "%q is not a 10-digit Indian mobile number or +country number", raw)
	}
	if strings.HasPrefix(d, "91") {
		if len(d) != 12 || d[2] < '6' {
			return "", FieldError("mobile", "%q is not a valid Indian mobile number (10 digits starting 6-9)", raw)
		}
	} else if len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return "", FieldError("mobile", "%q is not a valid E.164 number", raw)
	}
	return "+" + d, nil
}

// NormaliseVoterID returns an EPIC number (three letters and seven digits)
// in upper case.
func NormaliseVoterID(s string) (string, error) {
	v := strings.ToUpper(strings.TrimSpace(s))
	if len(v) != 10 {
		return "", FieldError("voter_id", "%q is not an EPIC number (3 letters and 7 digits)", s)
	}
	for i := 0; i < 10; i++ {
		c := v[i]
		if i < 3 && (c < 'A' || c > 'Z') || i >= 3 && (c < '0' || c > '9') {
			return "", FieldError("voter_id", "%q is not an EPIC number (3 letters and 7 digits)", s)
		}
	}
	return v, nil
}

// MaskMobile hides all but the last four digits: +91******3210.
func MaskMobile(m string) string {
	if len(m) <= 4 {
		return strings.Repeat("*", len(m))
	}
	keep := 3
	if !strings.HasPrefix(m, "+91") {
		keep = 1
	}
	return m[:keep] + strings.Repeat("*", len(m)-keep-4) + m[len(m)-4:]
}

// MaskVoterID hides the digits but the last two: ABC*****67.
func MaskVoterID(v string) string {
	if len(v) != 10 {
		return strings.Repeat("*", len(v))
	}
	return v[:3] + "*****" + v[8:]
}

// WorkerFilter selects workers inside a scope.
type WorkerFilter struct {
	UnitID int64  // subtree root; 0 means the actor's whole scope
	Query  string // any part of a name or mobile (3+ characters; shorter: name prefix), or a whole mobile or voter ID
	Role   string // only workers holding this role
	Active *bool
	Offset int
	Limit  int
}

// WorkerPatch holds the fields an edit may change; nil means unchanged.
type WorkerPatch struct {
	Name    *string
	Mobile  *string
	VoterID *string
	Gender  *string
	Social  *string
	Email   *string
	Work    *string
	Active  *bool
	UnitID  *int64
}

// Apply changes w by the patch and validates the result.
func (p WorkerPatch) Apply(w *Worker) error {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&w.Name, p.Name)
	set(&w.Mobile, p.Mobile)
	set(&w.VoterID, p.VoterID)
	set(&w.Gender, p.Gender)
	set(&w.Social, p.Social)
	set(&w.Email, p.Email)
	set(&w.Work, p.Work)
	if p.Active != nil {
		w.Active = *p.Active
	}
	if p.UnitID != nil {
		w.UnitID = *p.UnitID
	}
	return w.Validate()
}

// IsEmailAddress reports whether s is a plain address (local@domain) that
// can go into a mail header as it is: one @, a dotted domain, and no
// spaces, control characters, quotes, brackets or list separators (a
// stored CR LF would inject mail headers, or dead-letter every message to
// the person).
func IsEmailAddress(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || len(s) > 254 || strings.Contains(domain, "@") ||
		!strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return false
	}
	for _, r := range s {
		if r <= ' ' || unicode.IsControl(r) || IsBidiControl(r) || strings.ContainsRune(`<>,;:\"()[]`, r) {
			return false
		}
	}
	return true
}
