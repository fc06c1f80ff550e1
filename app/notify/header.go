package notify

import (
	"bytes"
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/karyakram/karyakram/schedule"
)

// Header lines are folded to at most maxHeaderLine characters (RFC 2047
// §2: an encoded word at most 75, a line with one at most 76).
const (
	maxHeaderLine  = 76
	maxEncodedWord = 75
	wordPrefix     = "=?UTF-8?B?"
	wordSuffix     = "?="
)

// writeHeader writes "Name: value" with value folded into lines of at most
// 76 characters: plain ASCII is folded at spaces; any other text becomes
// RFC 2047 B-encoded words, each cut between grapheme clusters, so a
// conjunct (र्य in कार्यक्रम) or a vowel sign is never split across two
// words (a decoder joins the bytes anyway, but a client that shows words
// as they come, or truncates, would show broken letters).
func writeHeader(b *bytes.Buffer, name, value string) {
	value = strings.Join(strings.Fields(value), " ")
	writeTokens(b, name, headerTokens(value, len(name)+2))
}

// writeAddressHeader writes "Name: display <address>" with the display name
// encoded and folded like writeHeader.
func writeAddressHeader(b *bytes.Buffer, name, display, address string) {
	display = strings.Join(strings.Fields(display), " ")
	var toks []string
	if display != "" {
		if isPlainASCII(display) && !strings.ContainsAny(display, `"\()<>[]:;@,.`) {
			toks = strings.Fields(display)
		} else if isPlainASCII(display) {
			toks = []string{`"` + strings.ReplaceAll(strings.ReplaceAll(display, `\`, `\\`), `"`, `\"`) + `"`}
		} else {
			toks = encodedWords(display, maxHeaderLine-len(name)-2)
		}
	}
	writeTokens(b, name, append(toks, "<"+address+">"))
}

// headerTokens splits value into the atoms a folded header is made of.
func headerTokens(value string, firstLine int) []string {
	if isPlainASCII(value) && !strings.Contains(value, "=?") { // "=?" would read as an encoded word
		return strings.Fields(value)
	}
	if value == "" {
		return nil
	}
	return encodedWords(value, maxHeaderLine-firstLine)
}

// writeTokens joins tokens with spaces, starting a continuation line
// (CRLF + space) whenever the next token would pass 76 characters.
func writeTokens(b *bytes.Buffer, name string, toks []string) {
	b.WriteString(name)
	b.WriteString(":")
	line := len(name) + 1
	for _, t := range toks {
		if line+1+len(t) > maxHeaderLine && line > len(name)+1 {
			b.WriteString("\r\n")
			line = 0
		}
		b.WriteByte(' ')
		b.WriteString(t)
		line += 1 + len(t)
	}
	b.WriteString("\r\n")
}

// encodedWords encodes s as B-encoded words: the first fits in first
// characters, the others in a continuation line. Words are cut after a
// space where one fits (a word keeps its trailing space: decoders drop the
// folding whitespace between encoded words, RFC 2047 §6.2), else between
// grapheme clusters (and a cluster longer than a word, which real text
// never has, between runes).
func encodedWords(s string, first int) []string {
	var out []string
	limit := min(first, maxEncodedWord)
	var chunk []byte
	flush := func() {
		if len(chunk) > 0 {
			out = append(out, wordPrefix+base64.StdEncoding.EncodeToString(chunk)+wordSuffix)
			chunk = chunk[:0]
			limit = maxEncodedWord
		}
	}
	fits := func(n int) bool {
		return len(wordPrefix)+base64.StdEncoding.EncodedLen(n)+len(wordSuffix) <= limit
	}
	for s != "" {
		// The next unit: up to and including the next space.
		unit := s
		if i := strings.IndexByte(s, ' '); i >= 0 {
			unit = s[:i+1]
		}
		s = s[len(unit):]
		if fits(len(chunk) + len(unit)) {
			chunk = append(chunk, unit...)
			continue
		}
		flush()
		if fits(len(unit)) {
			chunk = append(chunk, unit...)
			continue
		}
		for g := range schedule.Graphemes(unit) { // a word longer than an encoded word
			if !fits(len(chunk) + len(g)) {
				flush()
			}
			if fits(len(g)) {
				chunk = append(chunk, g...)
				continue
			}
			for _, r := range g {
				var buf [utf8.UTFMax]byte
				n := utf8.EncodeRune(buf[:], r)
				if !fits(len(chunk) + n) {
					flush()
				}
				chunk = append(chunk, buf[:n]...)
			}
		}
	}
	flush()
	return out
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}
