package schedule

import (
	"unicode"
	"unicode/utf8"
)

// Text people type (names, titles, notes) is shown back to others in
// pages, letters, messages and spreadsheets, so it may not carry
// characters that change how other text displays: control characters, and
// the Unicode bidirectional controls that can make a name read as
// something it is not ("Trojan Source", CVE-2021-42574). The zero-width
// joiner and non-joiner stay allowed: Devanagari spelling uses them.

// IsBidiControl reports whether r is one of Unicode's explicit
// directional formatting characters (UAX #9): LRM, RLM, ALM, the
// embeddings and overrides (U+202A–U+202E) and the isolates
// (U+2066–U+2069).
func IsBidiControl(r rune) bool {
	switch {
	case r == 0x061C, r == 0x200E, r == 0x200F:
		return true
	case 0x202A <= r && r <= 0x202E, 0x2066 <= r && r <= 0x2069:
		return true
	}
	return false
}

// TextProblem describes why s cannot be stored as typed text, or returns
// "" when it can: invalid UTF-8, a control character (a line break only
// where multiline allows it) or a bidirectional control.
func TextProblem(s string, multiline bool) Msg {
	if !utf8.ValidString(s) {
		return Msgf("is not valid UTF-8 text")
	}
	for _, r := range s {
		switch {
		case r == '\n' && multiline:
		case unicode.IsControl(r):
			return Msgf("contains a control character (%U)", r)
		case IsBidiControl(r):
			return Msgf("contains a text-direction control character (%U), which can disguise what the text says", r)
		}
	}
	return Msg{}
}
