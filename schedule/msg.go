package schedule

import (
	"fmt"
	"strings"
	"time"
)

// Msg is text for a person, kept in a form every language can render.
// Format is the English wording with fmt verbs and doubles as the message's
// key in the catalogues (like a gettext msgid): the Hindi catalogue maps it
// to a Hindi format with the same verbs (reordered with %[n]v where Hindi
// word order needs it). Args are rendered for the reader too (RenderArg):
// a Msg or *Error argument is translated, a time.Duration is written in
// words ("12 मिनट", not "12m0s"), a time.Time is shown on the
// organisation's clock in the reader's language, Names in the reader's
// language, a []string is listed.
//
// The domain builds Msgs (Errorf, FieldError and Msgf take the same
// arguments as fmt.Sprintf); the edge renders them once, in the reader's
// language (templates.Pages.Localize). String gives English, for logs, the
// command line and API clients.
type Msg struct {
	Format string
	Args   []any
}

// Msgf returns a translatable message.
func Msgf(format string, args ...any) Msg { return Msg{Format: format, Args: args} }

// String renders the message in English.
func (m Msg) String() string { return m.Render(English) }

// IsZero reports whether m holds no text.
func (m Msg) IsZero() bool { return m.Format == "" }

// Translator looks up the format of a message in a language; ok is false
// when the catalogue has no entry (the English format is then used).
type Translator func(lang, format string) (translated string, ok bool)

// Reader is whom a message is rendered for: their language, the
// catalogues that translate into it (nil: the English source texts) and
// the organisation's zone, on whose clock times are shown.
type Reader struct {
	Lang      string
	Translate Translator
	Zone      Zone
}

// English is the reader of logs, the command line and API clients.
var English = Reader{Lang: "en"}

// text is the translation of key, if the catalogues have one.
func (r Reader) text(key string) (string, bool) {
	if r.Translate == nil {
		return "", false
	}
	t, ok := r.Translate(r.Lang, key)
	return t, ok && t != ""
}

// Render writes m for r, translating its format and arguments.
func (m Msg) Render(r Reader) string {
	if m.Format == "" {
		return ""
	}
	format := m.Format
	if t, ok := r.text(m.Format); ok {
		format = t
	}
	if len(m.Args) == 0 {
		return format
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		args[i] = RenderArg(r, a)
	}
	return fmt.Sprintf(format, args...)
}

// Names is a thing's name in English and Hindi (data, such as a role or a
// unit name, not catalogue text), as a message argument: the reader sees
// the name in their language, the other one when theirs is missing.
type Names struct{ En, Hi string }

// In returns the name for a reader of lang.
func (n Names) In(lang string) string {
	if lang == LangHindi && n.Hi != "" || n.En == "" {
		return n.Hi
	}
	return n.En
}

// String is the English name.
func (n Names) String() string { return n.In("en") }

// TimeSpan is when something takes place, as a message argument:
// "रविवार, 4 मई 2025, 11:00–16:30 IST" (Moments.Span).
type TimeSpan struct{ Start, End time.Time }

// RenderArg renders one message argument for r: messages and domain
// errors translated, durations in words, times on the organisation's clock
// in r's language ("रविवार, 4 मई 2025, 11:00 IST"), names in r's language,
// lists joined. Other values are returned unchanged for fmt to format
// (numbers, quoted input).
func RenderArg(r Reader, a any) any {
	lang := r.Lang
	switch v := a.(type) {
	case Msg:
		return v.Render(r)
	case *Error:
		return v.Render(r)
	case time.Duration:
		return FormatDuration(v, lang)
	case time.Time:
		return r.Zone.Moments(lang).DateTime(v)
	case TimeSpan:
		return r.Zone.Moments(lang).Span(v.Start, v.End)
	case Names:
		return v.In(lang)
	case []Names:
		parts := make([]string, len(v))
		for i, n := range v {
			parts[i] = n.In(lang)
		}
		return strings.Join(parts, ", ")
	case []string:
		return strings.Join(v, ", ")
	case []time.Duration:
		parts := make([]string, len(v))
		for i, d := range v {
			parts[i] = FormatDuration(d, lang)
		}
		return strings.Join(parts, ", ")
	case []Msg:
		parts := make([]string, len(v))
		for i, m := range v {
			parts[i] = m.Render(r)
		}
		return strings.Join(parts, ", ")
	}
	return a
}

// FormatDuration writes d in words in lang ("hi" or "en"): days, hours and
// minutes, rounded up to the minute (a wait of 11m20s reads "12 minutes",
// never less than the truth); below a minute, seconds.
func FormatDuration(d time.Duration, lang string) string {
	if d < 0 {
		d = -d
	}
	if d < time.Minute {
		s := int((d + time.Second - 1) / time.Second)
		return unitWords(lang, s, "second")
	}
	mins := int((d + time.Minute - 1) / time.Minute)
	days, hours, m := mins/(24*60), mins/60%24, mins%60
	var parts []string
	if days > 0 {
		parts = append(parts, unitWords(lang, days, "day"))
	}
	if hours > 0 {
		parts = append(parts, unitWords(lang, hours, "hour"))
	}
	if m > 0 {
		parts = append(parts, unitWords(lang, m, "minute"))
	}
	return strings.Join(parts, " ")
}

// durationWords are the unit names in each language: singular, plural.
var durationWords = map[string]map[string][2]string{
	"en": {"day": {"day", "days"}, "hour": {"hour", "hours"}, "minute": {"minute", "minutes"}, "second": {"second", "seconds"}},
	"hi": {"day": {"दिन", "दिन"}, "hour": {"घंटा", "घंटे"}, "minute": {"मिनट", "मिनट"}, "second": {"सेकंड", "सेकंड"}},
}

func unitWords(lang string, n int, unit string) string {
	words, ok := durationWords[lang]
	if !ok {
		words = durationWords["en"]
	}
	w := words[unit][1]
	if n == 1 {
		w = words[unit][0]
	}
	return fmt.Sprintf("%d %s", n, w)
}
