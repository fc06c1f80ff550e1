package web

import (
	"fmt"
	"html"
	"math"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/store"
)

// Map geometry, in SVG user units.
const (
	mapWidth   = 800.0
	mapPadding = 40.0
)

// workshopMap draws the current roster: every district HQ a dot linked by a
// line to its host city, hosts as larger labelled dots; labels in the
// page language (?lang= overrides). Equirectangular projection scaled by
// cos(latitude), drawn server-side.
func (s *Server) workshopMap(c *gin.Context) {
	w, ok := s.loadWorkshop(c)
	if !ok {
		return
	}
	lang := c.Query("lang")
	if lang != "hi" && lang != "en" {
		lang = s.lang(c)
	}
	c.Header("Cache-Control", "private, no-cache")
	c.Data(http.StatusOK, "image/svg+xml; charset=utf-8", []byte(renderWorkshopMap(&w, lang)))
}

// renderWorkshopMap returns the SVG document for the series' roster.
func renderWorkshopMap(w *store.WorkshopSeries, lang string) string {
	minLat, maxLat, minLon, maxLon := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	grow := func(lat, lon float64) {
		minLat, maxLat = math.Min(minLat, lat), math.Max(maxLat, lat)
		minLon, maxLon = math.Min(minLon, lon), math.Max(maxLon, lon)
	}
	used := map[string]store.WorkshopHost{}
	for _, d := range w.Districts {
		grow(d.Lat, d.Lon)
		if h, ok := w.HostByName(d.Host); ok {
			used[h.Name] = h
			grow(h.Lat, h.Lon)
		}
	}
	if len(w.Districts) == 0 {
		minLat, maxLat, minLon, maxLon = 0, 1, 0, 1
	}
	kx := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	spanX := math.Max((maxLon-minLon)*kx, 1e-6)
	spanY := math.Max(maxLat-minLat, 1e-6)
	scale := (mapWidth - 2*mapPadding) / spanX
	height := spanY*scale + 2*mapPadding
	xy := func(lat, lon float64) (float64, float64) {
		return mapPadding + (lon-minLon)*kx*scale, mapPadding + (maxLat-lat)*scale
	}
	var b strings.Builder
	title := html.EscapeString(w.DisplayTitle(lang))
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-label="%s" font-family="Noto Sans, sans-serif">`, mapWidth, height, title)
	fmt.Fprintf(&b, "<title>%s</title>\n", title)
	b.WriteString(`<g class="links" stroke="#8a8f98" stroke-width="1.2">` + "\n")
	for _, d := range w.Districts {
		h, ok := w.HostByName(d.Host)
		if !ok {
			continue
		}
		x1, y1 := xy(d.Lat, d.Lon)
		x2, y2 := xy(h.Lat, h.Lon)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`+"\n", x1, y1, x2, y2)
	}
	b.WriteString("</g>\n<g class=\"districts\">\n")
	for _, d := range w.Districts {
		x, y := xy(d.Lat, d.Lon)
		name := html.EscapeString(districtLabel(d, lang))
		fill := "#1f77b4"
		if d.Host == "" {
			fill = "#d62728"
		}
		fmt.Fprintf(&b, `<circle class="district" cx="%.1f" cy="%.1f" r="4" fill="%s" data-district="%s"><title>%s → %s %s</title></circle>`+"\n",
			x, y, fill, html.EscapeString(d.Name), name, html.EscapeString(d.Host), d.Date)
	}
	b.WriteString("</g>\n<g class=\"hosts\">\n")
	for _, h := range w.Spec.Hosts {
		if _, ok := used[h.Name]; !ok {
			continue
		}
		x, y := xy(h.Lat, h.Lon)
		fmt.Fprintf(&b, `<circle class="host" cx="%.1f" cy="%.1f" r="8" fill="#ff7f0e" stroke="#fff" stroke-width="2"/>`+"\n", x, y)
		fmt.Fprintf(&b, `<text class="host-label" x="%.1f" y="%.1f" font-size="14" font-weight="bold" fill="#222">%s</text>`+"\n", x+10, y-6, html.EscapeString(hostLabel(h, lang)))
	}
	b.WriteString("</g>\n</svg>\n")
	return b.String()
}
