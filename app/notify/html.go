package notify

import (
	"html"
	"strings"
)

// htmlBody is the HTML alternative of a plain-text notice: the same text,
// paragraph for paragraph, with links made clickable, declared in the
// notice's language with a font stack that has Devanagari (so Hindi is
// shaped by the reader's own fonts, not a fallback), and the unsubscribe
// note at the end. The text templates stay the single source the state
// office edits.
func htmlBody(text, lang, title, unsubscribeNote, unsubscribeURL string) string {
	if lang == "" {
		lang = "hi"
	}
	var b strings.Builder
	b.Grow(len(text)*2 + 600)
	b.WriteString(`<!DOCTYPE html><html lang="`)
	b.WriteString(html.EscapeString(lang))
	b.WriteString(`"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>`)
	b.WriteString(html.EscapeString(title))
	b.WriteString(`</title></head><body style="margin:0;padding:16px;font-family:'Noto Sans Devanagari','Noto Sans','Nirmala UI',Mangal,Arial,sans-serif;font-size:16px;line-height:1.6;color:#1d1d1f;background:#ffffff">`)
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		para = strings.Trim(para, "\n")
		if para == "" {
			continue
		}
		b.WriteString(`<p style="margin:0 0 12px">`)
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				b.WriteString("<br>")
			}
			writeLinked(&b, line)
		}
		b.WriteString("</p>")
	}
	if unsubscribeURL != "" {
		b.WriteString(`<p style="margin:24px 0 0;font-size:13px;color:#666">`)
		b.WriteString(html.EscapeString(unsubscribeNote))
		b.WriteString(` <a href="`)
		b.WriteString(html.EscapeString(unsubscribeURL))
		b.WriteString(`" style="color:#666">`)
		b.WriteString(html.EscapeString(unsubscribeURL))
		b.WriteString("</a></p>")
	}
	b.WriteString("</body></html>")
	return b.String()
}

// writeLinked writes line escaped, with http(s) URLs as links.
func writeLinked(b *strings.Builder, line string) {
	for line != "" {
		i := strings.Index(line, "https://")
		if j := strings.Index(line, "http://"); j >= 0 && (i < 0 || j < i) {
			i = j
		}
		if i < 0 {
			b.WriteString(html.EscapeString(line))
			return
		}
		b.WriteString(html.EscapeString(line[:i]))
		end := i
		for end < len(line) && !strings.ContainsRune(" \t<>\"'", rune(line[end])) && line[end] < 0x80 {
			end++
		}
		// A full stop or comma after a link ends the sentence, not the URL.
		for end > i && strings.ContainsRune(".,;:!?)।", rune(line[end-1])) {
			end--
		}
		u := html.EscapeString(line[i:end])
		b.WriteString(`<a href="` + u + `">` + u + "</a>")
		line = line[end:]
	}
}
