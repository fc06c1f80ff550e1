package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/klauspost/compress/gzhttp"

	"github.com/karyakram/karyakram/schedule"
	"github.com/karyakram/karyakram/templates/static"
)

// Page weight: workers open join links on cheap phones over weak networks,
// so every byte counts. Scripts are built once (templates/static) with a
// shared livekit-client chunk, content-hashed names and gzip/brotli copies
// made at build time; they are served from memory with the best encoding
// the browser accepts and cached for a year. Pages and other text are
// compressed per response (gzip, or zstd where accepted) by compressed.

var immutable = []string{"public, max-age=31536000, immutable"}

func (s *Server) serveStatic(c *gin.Context) {
	a, ok := static.Lookup(c.Param("file"))
	if !ok {
		s.fail(c, schedule.Errorf(schedule.ENOTFOUND, "no such page"))
		return
	}
	h := c.Writer.Header()
	h["Cache-Control"] = immutable
	h.Add("Vary", "Accept-Encoding")
	body := a.Body
	switch enc := c.GetHeader("Accept-Encoding"); {
	case a.Brotli != nil && acceptsEncoding(enc, "br"):
		body = a.Brotli
		h.Set("Content-Encoding", "br")
	case a.Gzip != nil && acceptsEncoding(enc, "gzip"):
		body = a.Gzip
		h.Set("Content-Encoding", "gzip")
	}
	c.Data(http.StatusOK, a.ContentType, body)
}

// acceptsEncoding reports whether an Accept-Encoding header allows coding
// (listed without q=0).
func acceptsEncoding(header, coding string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), coding) {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// pageScript is a page's script tag: the entry module and the chunks it
// imports, preloaded so they download in parallel with it.
type pageScript struct {
	URL     string
	Preload []string
}

func scriptFor(name string) (pageScript, error) {
	e, err := static.EntryFor(name)
	if err != nil {
		return pageScript{}, err
	}
	p := pageScript{URL: "/static/" + e.File}
	for _, f := range e.Imports {
		p.Preload = append(p.Preload, "/static/"+f)
	}
	return p, nil
}

// compressed wraps h to compress text responses (pages, JSON, feeds, CSV)
// for clients that accept it; responses that carry their own encoding (the
// prebuilt scripts) pass untouched. Random jitter pads compressed pages by
// a content-dependent amount so their size does not reveal secrets on them
// (CSRF tokens beside reflected input: BREACH).
func compressed(h http.Handler) (http.Handler, error) {
	wrap, err := gzhttp.NewWrapper(
		gzhttp.MinSize(512),
		gzhttp.ContentTypes([]string{"text/html", "text/css", "text/plain", "text/csv", "text/calendar", "text/javascript",
			"application/json", "application/javascript", "image/svg+xml"}),
		gzhttp.RandomJitter(32, 0, false),
	)
	if err != nil {
		return nil, err
	}
	return wrap(h), nil
}
