package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/ical"
	"github.com/karyakram/karyakram/schedule"
)

// FeedRefresh is the REFRESH-INTERVAL / X-PUBLISHED-TTL feeds announce.
const FeedRefresh = time.Hour

// feedNotFound is what an unknown or revoked token gets: plain text, so a
// calendar app shows something readable.
const feedNotFound = "This calendar feed does not exist or has been revoked. Ask your office for a new link.\n" +
	"यह कैलेंडर फ़ीड मौजूद नहीं है या रद्द कर दी गई है। अपने कार्यालय से नया लिंक माँगें।\n"

// serveFeed answers GET /feeds/<token>.ics without a login: the token is
// the credential. It computes the ETag and Last-Modified from the events'
// (id, sequence, updated_at) alone and answers 304 before loading or
// rendering any event.
func (s *Server) serveFeed(c *gin.Context) {
	ctx := c.Request.Context()
	token, ok := strings.CutSuffix(c.Param("file"), ".ics")
	if !ok {
		c.String(http.StatusNotFound, feedNotFound)
		return
	}
	spec, err := s.store.FeedByToken(ctx, token)
	if err != nil {
		if schedule.IsNotFound(err) {
			c.String(http.StatusNotFound, feedNotFound)
			return
		}
		s.log.Error("feed token", "err", err)
		c.String(http.StatusInternalServerError, "internal error\n")
		return
	}
	now := s.now()
	stored, err := s.store.FeedVersions(ctx, spec, now)
	if err != nil {
		s.log.Error("feed versions", "err", err)
		c.String(http.StatusInternalServerError, "internal error\n")
		return
	}
	versions := make([]ical.Version, len(stored))
	for i, v := range stored {
		versions[i] = ical.Version{ID: v.ID, Sequence: v.Sequence, UpdatedAt: v.UpdatedAt}
	}
	feed := ical.Feed{Name: s.feedName(ctx, spec), Lang: spec.Lang, Refresh: FeedRefresh, Now: now, Zone: s.zone()}
	etag := ical.ETagOf(&feed, versions)
	lastMod := ical.LastModified(versions)
	c.Header("Cache-Control", "private, no-cache")
	if notModified(c.Request, etag, lastMod) {
		c.Header("ETag", etag)
		if !lastMod.IsZero() {
			c.Header("Last-Modified", lastMod.Format(http.TimeFormat))
		}
		c.Status(http.StatusNotModified)
		return
	}
	events, err := s.store.FeedEvents(ctx, spec, now)
	if err != nil {
		s.log.Error("feed events", "err", err)
		c.String(http.StatusInternalServerError, "internal error\n")
		return
	}
	feed.Events = events
	// Tag what is actually sent: an edit between the two queries must not
	// leave a stale body under a fresh tag.
	versions = versions[:0]
	for i := range events {
		versions = append(versions, ical.VersionOf(&events[i]))
	}
	c.Header("ETag", ical.ETagOf(&feed, versions))
	if lm := ical.LastModified(versions); !lm.IsZero() {
		c.Header("Last-Modified", lm.Format(http.TimeFormat))
	}
	c.Header("Content-Type", ical.ContentType)
	c.Header("Content-Disposition", `inline; filename="karyakram.ics"`)
	c.Status(http.StatusOK)
	if c.Request.Method == http.MethodHead { // the same answer, without the body
		c.Writer.WriteHeaderNow()
		return
	}
	if err := ical.Encode(c.Writer, &feed); err != nil {
		s.log.Error("encode feed", "err", err)
	}
}

// notModified applies RFC 9110 §13.2.2: If-None-Match decides when
// present; otherwise If-Modified-Since.
func notModified(r *http.Request, etag string, lastMod time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == etag {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !lastMod.IsZero() {
		if t, err := http.ParseTime(ims); err == nil && !lastMod.After(t) {
			return true
		}
	}
	return false
}

// feedURLs returns the https and webcal:// addresses of a feed token, as
// seen from this request.
func feedURLs(c *gin.Context, token string) (https, webcal string) {
	host := c.Request.Host
	scheme := "http"
	if c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	path := "/feeds/" + token + ".ics"
	return scheme + "://" + host + path, "webcal://" + host + path
}
