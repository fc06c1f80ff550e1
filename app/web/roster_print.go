package web

import (
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/pdf"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
	"github.com/karyakram/karyakram/schedule/roster"
)

// rosterPrint builds the printed roster of a workshop series in lang (only
// one host city when only is set): per workshop the host city, the venue
// and hours of its published event (the district may have set them; else
// the host town and the default hours), its trainer team (numbered per
// date in host order) and the host district's officials to call.
func (s *Server) rosterPrint(c *gin.Context, w store.WorkshopSeries, lang, only string) (pdf.RosterSeries, error) {
	ctx := c.Request.Context()
	z := s.zone()
	rs := pdf.RosterSeries{Lang: pdf.Lang(lang), Zone: z, Title: w.DisplayTitle(lang), AsOf: s.now()}
	events := map[roster.HostDate]int64{}
	for _, e := range w.Events {
		events[roster.HostDate{Host: e.Host, Date: e.Date}] = e.EventID
	}
	idx := map[roster.HostDate]int{}
	var hostUnits []int64
	hostOf := map[int]store.WorkshopHost{}
	for _, d := range w.Districts {
		h, ok := w.HostByName(d.Host)
		if !ok || only != "" && !strings.EqualFold(only, h.Name) {
			continue
		}
		k := roster.HostDate{Host: h.Name, Date: d.Date}
		i, seen := idx[k]
		if !seen {
			start, end, err := store.WorkshopHours(z, d.Date)
			if err != nil {
				return rs, schedule.FieldError("date", "district %s has date %q", d.Name, d.Date)
			}
			sess := pdf.RosterSession{Date: z.Midnight(start, 0), HostCity: hostLabel(h, lang), Start: start, End: end}
			if id := events[k]; id != 0 {
				if ev, err := s.store.FindEventByID(ctx, actor(c), id); err == nil {
					sess.Start, sess.End = ev.Start, ev.End
					if ev.Venue.Name != "" && ev.Venue.Name != h.Name {
						sess.Venue = ev.Venue.Name
					}
				}
			}
			i = len(rs.Sessions)
			idx[k] = i
			hostOf[i] = h
			if h.UnitID != 0 {
				hostUnits = append(hostUnits, h.UnitID)
			}
			rs.Sessions = append(rs.Sessions, sess)
		}
		rs.Sessions[i].Districts = append(rs.Sessions[i].Districts, pdf.RosterDistrict{Name: districtLabel(d, lang), Attendance: d.Attendees, TravelKm: roadKm(&w, d, h)})
	}
	if len(rs.Sessions) == 0 {
		return rs, schedule.Errorf(schedule.ENOTFOUND, "no workshops to print (host %q)", only)
	}
	contacts, err := s.store.UnitContacts(ctx, actor(c), hostUnits)
	if err != nil {
		return rs, err
	}
	// Trainer teams: numbered per date, in the order the hosts are listed.
	order := make([]int, len(rs.Sessions))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rs.Sessions[order[a]].Date.Before(rs.Sessions[order[b]].Date) })
	team, last := 0, rs.Sessions[order[0]].Date
	for _, i := range order {
		if !rs.Sessions[i].Date.Equal(last) {
			team, last = 0, rs.Sessions[i].Date
		}
		team++
		rs.Sessions[i].Team = team
		for _, ct := range contacts[hostOf[i].UnitID] {
			role := ct.Role
			if lang == schedule.LangHindi && ct.RoleHi != "" {
				role = ct.RoleHi
			}
			rs.Sessions[i].Contacts = append(rs.Sessions[i].Contacts, pdf.RosterContact{Name: ct.Name, Role: role, Phone: schedule.FormatPhone(ct.Mobile)})
		}
	}
	return rs, nil
}
