package main

import (
	"fmt"
	"log/slog"

	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/conferencing"
	"github.com/karyakram/karyakram/schedule"
)

// turnoutConfig builds the turnout configuration: lk's key and secret
// verify LiveKit webhooks (livekit-server's webhook api_key); with its URL
// too, audio bridges are provisioned through LiveKit SIP; bridgeNumbers is
// the dial-in pool (see schedule.ParseBridgeNumbers). Each part left empty
// disables only what needs it.
func turnoutConfig(lk conferencing.Config, bridgeNumbers string, log *slog.Logger) (web.TurnoutConfig, error) {
	var cfg web.TurnoutConfig
	if lk.APIKey != "" || lk.APISecret != "" {
		wh, err := conferencing.NewWebhooks(lk.APIKey, lk.APISecret, log)
		if err != nil {
			return cfg, fmt.Errorf("LiveKit key/secret: %w", err)
		}
		cfg.Webhooks = wh
		if lk.URL != "" {
			sip, err := conferencing.NewSIPClient(lk, log, conferencing.Backoff{MaxAttempts: 5})
			if err != nil {
				return cfg, fmt.Errorf("LiveKit URL: %w", err)
			}
			cfg.Bridges = conferencing.Bridges{SIP: sip}
		}
	}
	if bridgeNumbers != "" {
		n, err := schedule.ParseBridgeNumbers(bridgeNumbers)
		if err != nil {
			return cfg, fmt.Errorf("bridge numbers: %w", err)
		}
		cfg.Numbers = n
	}
	return cfg, nil
}
