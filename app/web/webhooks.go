package web

import (
	"context"
	"errors"
	"fmt"
	"github.com/karyakram/karyakram/schedule"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/turnout"
)

// livekitWebhook serves POST /webhooks/livekit: LiveKit's signed
// participant events, verified by conferencing.Webhooks (bad signature:
// 401, nothing recorded), recorded as turnout. No login or CSRF: the
// signature is the authentication.
func (s *Server) livekitWebhook() gin.HandlerFunc {
	wh := s.turn.cfg.Webhooks
	if wh == nil {
		return func(c *gin.Context) {
			c.String(http.StatusServiceUnavailable, "LiveKit webhooks are not configured (KARYAKRAM_LIVEKIT_KEY, KARYAKRAM_LIVEKIT_SECRET)")
		}
	}
	return gin.WrapH(wh.Handler(s.recordPresence))
}

// recordPresence queues (TurnoutConfig.Ingest) or stores a verified join
// or leave; the relay that carries the stage into listener rooms is not an
// audience member. A full queue answers 503 so that LiveKit retries.
func (s *Server) recordPresence(ctx context.Context, p schedule.Presence) error {
	if p.Identity == schedule.RelayIdentity {
		return nil
	}
	ev := store.PresenceEvent{EventID: p.EventID, Joined: p.Kind == schedule.Joined,
		Room: p.Room, Identity: p.Identity, At: p.At, SIP: p.SIP}
	if q := s.turn.cfg.Ingest; q != nil {
		err := q.Enqueue(ev)
		if errors.Is(err, turnout.ErrBusy) {
			return fmt.Errorf("%w: %w", schedule.ErrBusy, err)
		}
		return err
	}
	_, err := s.store.RecordPresence(ctx, ev)
	return err
}
