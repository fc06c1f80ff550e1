package schedule

import (
	"unicode"
	"unicode/utf8"
)

// Text is cut for people (an SMS shortened, an email header folded) only
// between extended grapheme clusters (Unicode UAX #29), so a Hindi
// conjunct such as र्य in कार्यक्रम or a vowel sign never comes apart. The
// rules implemented are the ones text in this system meets: CR LF, marks
// and joiners extend (GB9, GB9a), Indic conjuncts (GB9c: consonant,
// virama, consonant stay together in Devanagari, Bengali, Gujarati, Oriya,
// Telugu and Malayalam), emoji ZWJ sequences (GB11) and flag pairs (GB12,
// GB13). Tests compare the result with ICU (node's Intl.Segmenter).

// FirstGrapheme returns the length in bytes of the first extended grapheme
// cluster of s (0 for "").
func FirstGrapheme(s string) int {
	if s == "" {
		return 0
	}
	r, n := utf8.DecodeRuneInString(s)
	if r == '\r' && len(s) > 1 && s[1] == '\n' {
		return 2
	}
	if isControlBreak(r) {
		return n
	}
	// State of the cluster so far, for GB9c, GB11 and GB12.
	conjunct := incbConsonant(r) // a consonant, then InCB extends/linkers
	linked := false              // … of which at least one linker
	pict := isPictographic(r)    // an emoji, then extends
	zwjAfterPict := false        // … then a ZWJ
	ri := 0                      // regional indicators so far
	if isRegional(r) {
		ri = 1
	}
	i := n
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case isControlBreak(r):
			return i
		case r == 0x200D: // ZWJ extends (GB9), and is an InCB extend
			zwjAfterPict, pict = pict, false
		case isExtend(r): // GB9, GB9a
			switch {
			case incbLinker(r):
				linked = conjunct
			case !incbExtend(r):
				conjunct, linked = false, false
			}
			zwjAfterPict = false
		case conjunct && linked && incbConsonant(r): // GB9c
			linked = false
		case zwjAfterPict && isPictographic(r): // GB11
			pict, zwjAfterPict, conjunct, linked = true, false, false, false
		case ri == 1 && isRegional(r): // GB12, GB13: flags are pairs
			ri = 2
		default:
			return i
		}
		i += n
	}
	return i
}

// Graphemes calls yield with each grapheme cluster of s in order.
func Graphemes(s string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for s != "" {
			n := FirstGrapheme(s)
			if !yield(s[:n]) {
				return
			}
			s = s[n:]
		}
	}
}

// isControlBreak is Control, CR or LF: a cluster of its own (GB4, GB5).
func isControlBreak(r rune) bool {
	return r == '\r' || r == '\n' || unicode.IsControl(r) || r == 0x2028 || r == 0x2029
}

// isExtend is Grapheme_Cluster_Break Extend or SpacingMark: nonspacing,
// enclosing and spacing combining marks, ZWNJ, variation selectors (Mn)
// and emoji skin-tone modifiers.
func isExtend(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) || r == 0x200C || (r >= 0x1F3FB && r <= 0x1F3FF)
}

// incbLinker is Indic_Conjunct_Break=Linker: the virama of a script that
// forms conjuncts.
func incbLinker(r rune) bool {
	switch r {
	case 0x094D, 0x09CD, 0x0ACD, 0x0B4D, 0x0C4D, 0x0D4D:
		return true
	}
	return false
}

// incbExtend is Indic_Conjunct_Break=Extend: marks that may sit between a
// consonant and the virama (nukta) or after it, without ending a conjunct.
// ZWNJ is not one (it is written to prevent a conjunct); vowel signs end
// it.
func incbExtend(r rune) bool {
	return r == 0x200D || unicode.Is(unicode.Mn, r) && !isVowelSign(r) && r != 0x200C
}

// isVowelSign reports the dependent vowel signs (matras) and other marks
// of the conjunct scripts that are not InCB extends.
func isVowelSign(r rune) bool {
	switch {
	case r >= 0x0900 && r <= 0x0D7F:
		off := r & 0x7F // position within the script block
		// Nukta (3C) and the virama (4D) are not vowel signs; the marks
		// from 3E to 4C, and 55-57, 62-63 are.
		return off >= 0x3E && off <= 0x4C || off >= 0x55 && off <= 0x57 || off == 0x62 || off == 0x63 || off <= 0x03
	}
	return false
}

// incbConsonant is Indic_Conjunct_Break=Consonant.
func incbConsonant(r rune) bool {
	switch {
	case r >= 0x0915 && r <= 0x0939, r >= 0x0958 && r <= 0x095F, r >= 0x0978 && r <= 0x097F: // Devanagari
		return true
	case r >= 0x0995 && r <= 0x09B9, r == 0x09DC, r == 0x09DD, r == 0x09DF, r == 0x09F0, r == 0x09F1: // Bengali
		return unicode.Is(unicode.Lo, r)
	case r >= 0x0A95 && r <= 0x0AB9, r == 0x0AF9: // Gujarati
		return unicode.Is(unicode.Lo, r)
	case r >= 0x0B15 && r <= 0x0B39, r == 0x0B5C, r == 0x0B5D, r == 0x0B5F, r == 0x0B71: // Oriya
		return unicode.Is(unicode.Lo, r)
	case r >= 0x0C15 && r <= 0x0C39, r >= 0x0C58 && r <= 0x0C5A: // Telugu
		return unicode.Is(unicode.Lo, r)
	case r >= 0x0D15 && r <= 0x0D3A: // Malayalam
		return unicode.Is(unicode.Lo, r)
	}
	return false
}

// isPictographic approximates Extended_Pictographic: the emoji blocks.
func isPictographic(r rune) bool {
	return r >= 0x1F000 && r <= 0x1FAFF && !(r >= 0x1F1E6 && r <= 0x1F1FF) && !(r >= 0x1F3FB && r <= 0x1F3FF) ||
		r >= 0x2600 && r <= 0x27BF || r == 0x00A9 || r == 0x00AE || r >= 0x2190 && r <= 0x21FF ||
		r >= 0x2300 && r <= 0x23FF || r >= 0x2B00 && r <= 0x2BFF
}

// isRegional is a regional indicator letter (flags are pairs of them).
func isRegional(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }
