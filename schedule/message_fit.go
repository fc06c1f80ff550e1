package schedule

import (
	"strings"
	"unicode"
)

// fitSMS shortens an SMS over its segment budget by rule: the event's title
// and venue (never the invitee's name, the time or the link) lose whole
// words from the end, the longer of the two first, each keeping at least
// its first word, and end with an ellipsis; a word, and so a conjunct, is
// never cut. It stops as soon as the text fits; when it cannot fit, the
// shortest form is returned (the caller asks before sending it).
func fitSMS(c *compiledTemplate, d MessageData, r RenderedMessage, maxSegments int) (RenderedMessage, error) {
	if r.SMS.Segments <= maxSegments {
		return r, nil
	}
	title, venue := strings.Fields(d.Title), strings.Fields(d.Venue)
	nt, nv := len(title), len(venue)
	for r.SMS.Segments > maxSegments {
		switch {
		case nv > 1 && (nt <= 1 || graphemeCount(venue[:nv]) >= graphemeCount(title[:nt])):
			nv--
		case nt > 1:
			nt--
		default:
			r.Shortened = true
			return r, nil
		}
		e := ellipsis(r.Body)
		d.Title, d.Venue = shortened(title, nt, e), shortened(venue, nv, e)
		var err error
		if r, err = c.render(d); err != nil {
			return r, err
		}
	}
	r.Shortened = true
	return r, nil
}

// shortened is the first n words, with an ellipsis when words were dropped
// (after any punctuation that ended the last word kept).
func shortened(words []string, n int, ellipsis string) string {
	s := strings.Join(words[:n], " ")
	if n == len(words) {
		return s
	}
	return strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsPunct(r) && r != ')' }) + ellipsis
}

// ellipsis is "…" in a Unicode SMS and "..." in a GSM-7 one, where "…"
// has no code and would turn the whole message into UCS-2.
func ellipsis(body string) string {
	if IsGSM7(body) {
		return "..."
	}
	return "…"
}

// graphemeCount counts the grapheme clusters of words (what a reader counts).
func graphemeCount(words []string) int {
	n := 0
	for _, w := range words {
		for range Graphemes(w) {
			n++
		}
	}
	return n
}
