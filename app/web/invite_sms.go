package web

import (
	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/outbox"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// smsPlan is what an SMS invitation will cost, shown before sending: per
// message language the people, the segments of the longest message (the
// longest name), the total and its price; Over when a message exceeds the
// segment budget even after shortening, which the sender must accept.
type smsPlan struct {
	Rows      []smsPlanRow
	Segments  int
	Cost      string // "₹504.80"
	CostPaise int64
	Price     string // per segment, "₹0.20"
	Budget    int
	Over      bool
	Shortened bool
	Sample    string // the longest message, as it will go
}

type smsPlanRow struct {
	Lang       string
	People     int
	PerMessage int
	Segments   int
	Unicode    bool
}

// planSMS renders the invitation SMS for the longest name of each
// language share of audience a (with a link as long as real ones) and
// prices the send.
func (s *Server) planSMS(c *gin.Context, ev store.InviteEvent, a store.Audience) (*smsPlan, error) {
	if a.Channel != schedule.ChannelSMS {
		return nil, nil
	}
	shares, err := s.store.AudienceLanguages(c.Request.Context(), actor(c), ev.ID, a)
	if err != nil {
		return nil, err
	}
	ts := s.inv.cfg.Templates
	cfg := ts.Config()
	// A link as long as any real one: the longest invite IDs of a big state.
	link, err := outbox.PersonalLink(s.inv.cfg.Signer, s.baseURL(c), 99_999_999, ev, s.inv.cfg.LinkTTL)
	if err != nil {
		return nil, err
	}
	p := &smsPlan{Budget: cfg.MaxSegments(), Price: schedule.FormatRupees(int64(cfg.SegmentPaise()))}
	longest := 0
	for _, sh := range shares {
		r, err := ts.Render(schedule.TemplateKey{EventType: ev.Type, Kind: schedule.MessageInvite, Channel: schedule.ChannelSMS, Lang: sh.Lang},
			schedule.MessageContext{Event: ev.MessageEvent, Name: sh.LongestName, Link: link})
		if err != nil {
			return nil, err
		}
		row := smsPlanRow{Lang: sh.Lang, People: sh.Count, PerMessage: r.SMS.Segments, Segments: sh.Count * r.SMS.Segments, Unicode: r.SMS.Unicode()}
		p.Rows = append(p.Rows, row)
		p.Segments += row.Segments
		p.Over = p.Over || r.SMS.Segments > p.Budget
		p.Shortened = p.Shortened || r.Shortened
		if r.SMS.Units > longest {
			longest, p.Sample = r.SMS.Units, r.Body
		}
	}
	p.CostPaise = int64(p.Segments) * int64(cfg.SegmentPaise())
	p.Cost = schedule.FormatRupees(p.CostPaise)
	return p, nil
}
