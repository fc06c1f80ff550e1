package conferencing

import (
	"context"
	"errors"
	"fmt"
	"github.com/karyakram/karyakram/schedule"
	"log/slog"
	"net/http"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/livekit/protocol/auth"
	"github.com/livekit/protocol/livekit"
	"github.com/livekit/protocol/webhook"
)

// maxWebhookBody bounds a webhook request body; LiveKit events are a few KB.
const maxWebhookBody = 1 << 20

// ErrUnauthorized is returned (wrapped) for a webhook whose signature,
// key or body checksum does not verify.
var ErrUnauthorized = errors.New("webhook not signed by livekit-server")

// Webhooks verifies LiveKit webhook requests and turns participant events
// into Presence records.
type Webhooks struct {
	keys auth.KeyProvider
	log  *slog.Logger
}

// NewWebhooks returns a verifier for webhooks signed with the given key
// pair (livekit-server's webhook.api_key and its secret). A nil log
// discards logs.
func NewWebhooks(apiKey, apiSecret string, log *slog.Logger) (*Webhooks, error) {
	if apiKey == "" || apiSecret == "" {
		return nil, errors.New("conferencing: new webhooks: API key and secret are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Webhooks{keys: auth.NewSimpleKeyProvider(apiKey, apiSecret), log: log.With("component", "livekit-webhooks")}, nil
}

// Parse verifies r with the SDK's webhook.Receive (signed JWT in the
// Authorization header carrying the SHA-256 of the body) and decodes the
// event as webhook.ReceiveWebhookEvent does. ok is false for events that
// are not about a participant joining or leaving. A verification failure
// wraps ErrUnauthorized.
func (w *Webhooks) Parse(r *http.Request) (p schedule.Presence, ok bool, err error) {
	r.Body = http.MaxBytesReader(nil, r.Body, maxWebhookBody)
	data, err := webhook.Receive(r, w.keys)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return schedule.Presence{}, false, fmt.Errorf("conferencing: webhook body over %d bytes: %w", maxWebhookBody, err)
		}
		return schedule.Presence{}, false, fmt.Errorf("conferencing: %w: %v", ErrUnauthorized, err)
	}
	var ev livekit.WebhookEvent
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true, AllowPartial: true}).Unmarshal(data, &ev); err != nil {
		return schedule.Presence{}, false, fmt.Errorf("conferencing: decode webhook event: %w", err)
	}
	var kind schedule.PresenceKind
	switch ev.GetEvent() {
	case webhook.EventParticipantJoined:
		kind = schedule.Joined
	case webhook.EventParticipantLeft, webhook.EventParticipantConnectionAborted:
		kind = schedule.Left
	default:
		return schedule.Presence{}, false, nil
	}
	part := ev.GetParticipant()
	at := time.Unix(ev.GetCreatedAt(), 0)
	if ev.GetCreatedAt() == 0 {
		at = time.Now()
	}
	return schedule.Presence{
		EventID:  ev.GetId(),
		Kind:     kind,
		Room:     ev.GetRoom().GetName(),
		Identity: part.GetIdentity(),
		Name:     part.GetName(),
		At:       at,
		SIP:      part.GetKind() == livekit.ParticipantInfo_SIP,
	}, true, nil
}

// Handler serves LiveKit's webhook POSTs: 401 when the request does not
// verify (nothing is recorded), 400 for an undecodable event, 200 for
// events other than joins and leaves, and otherwise passes the Presence to
// record: 200 when it succeeds, 503 when it fails with ErrBusy, 500 when
// it fails otherwise (LiveKit retries both).
func (w *Webhooks) Handler(record func(context.Context, schedule.Presence) error) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			rw.Header().Set("Allow", http.MethodPost)
			http.Error(rw, "POST only", http.StatusMethodNotAllowed)
			return
		}
		p, ok, err := w.Parse(r)
		switch {
		case errors.Is(err, ErrUnauthorized):
			w.log.WarnContext(r.Context(), "webhook rejected", "remote", r.RemoteAddr, "err", err)
			http.Error(rw, "unauthorized", http.StatusUnauthorized)
			return
		case err != nil:
			w.log.WarnContext(r.Context(), "bad webhook", "remote", r.RemoteAddr, "err", err)
			http.Error(rw, "bad request", http.StatusBadRequest)
			return
		case !ok:
			rw.WriteHeader(http.StatusOK)
			return
		}
		if err := record(r.Context(), p); err != nil {
			if errors.Is(err, schedule.ErrBusy) {
				w.log.WarnContext(r.Context(), "webhook deferred", "room", p.Room, "identity", p.Identity, "kind", p.Kind, "err", err)
				rw.Header().Set("Retry-After", "1")
				http.Error(rw, "busy, retry", http.StatusServiceUnavailable)
				return
			}
			w.log.ErrorContext(r.Context(), "record presence", "room", p.Room, "identity", p.Identity, "kind", p.Kind, "err", err)
			http.Error(rw, "could not record", http.StatusInternalServerError)
			return
		}
		rw.WriteHeader(http.StatusOK)
	})
}
