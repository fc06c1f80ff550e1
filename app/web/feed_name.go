package web

import (
	"context"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// feedName is a feed's calendar name (X-WR-CALNAME), what a calendar app
// lists it as: it says whose events and which, so two feeds never share a
// name, and a unit's own-events feed names its parent too ("Cluster One
// (Mandal One)"), since unit names repeat across the tree; no comma, which
// some calendar apps show escaped.
func (s *Server) feedName(ctx context.Context, spec store.FeedSpec) string {
	lang := spec.Lang
	name := spec.Label
	if spec.Kind == store.FeedUnit || spec.Kind == store.FeedCluster {
		sys := schedule.SystemActor("feed")
		if u, err := s.store.FindUnitByID(ctx, sys, spec.SubjectID); err == nil {
			name = u.DisplayName(lang)
			if spec.Kind == store.FeedCluster && u.ParentID != 0 {
				if p, err := s.store.FindUnitByID(ctx, sys, u.ParentID); err == nil {
					name += " (" + p.DisplayName(lang) + ")"
				}
			}
		}
	}
	return s.pages.Text(lang, "feed.calname."+string(spec.Kind), name)
}
