// Package conferencing is karyakram's adapter to LiveKit: access tokens,
// sharded rooms, webhooks and SIP audio bridges. It is the only package in
// the project that imports LiveKit; the domain (package schedule) plans mass
// addresses and this package carries the plans out against livekit-server.
//
//   - Minter: access tokens for listeners, speakers and moderators,
//     byte-identical to the Go SDK's and ~20x faster.
//   - Rooms: ensure/list/delete rooms (and whole schedule.AddressPlan
//     shards) with backoff while livekit-server is down; moderator actions.
//   - Relay: carries the stage room into every listener room.
//   - Webhooks: verified participant joins/leaves for turnout.
//   - SIPClient: inbound trunks and PIN dispatch rules for audio bridges.
//
// Tests run real components: scripts/livekit-server.sh and
// scripts/livekit-sip.sh build and cache livekit-server and livekit-sip
// (package lktest finds them, or $KARYAKRAM_LIVEKIT_SERVER and
// $KARYAKRAM_LIVEKIT_SIP); SIP tests need Redis on 127.0.0.1:6379 and the
// call test needs sipp (apt: sip-tester). Missing pieces skip with a line
// saying how to get them.
package conferencing

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Config is how karyakram reaches one livekit-server (or cluster).
type Config struct {
	// URL of livekit-server, e.g. "http://127.0.0.1:7880" or
	// "wss://live.example.org". Both http(s) and ws(s) schemes are accepted.
	URL string
	// APIKey and APISecret are the key pair configured in livekit-server.
	APIKey    string
	APISecret string
}

// Validate reports whether the config is usable.
func (c Config) Validate() error {
	var errs []error
	if c.URL == "" {
		errs = append(errs, errors.New("livekit URL is empty"))
	} else if u, err := url.Parse(c.URL); err != nil {
		errs = append(errs, fmt.Errorf("livekit URL %q: %w", c.URL, err))
	} else if s := u.Scheme; s != "http" && s != "https" && s != "ws" && s != "wss" {
		errs = append(errs, fmt.Errorf("livekit URL %q: scheme must be http, https, ws or wss", c.URL))
	}
	if c.APIKey == "" {
		errs = append(errs, errors.New("livekit API key is empty"))
	}
	if c.APISecret == "" {
		errs = append(errs, errors.New("livekit API secret is empty"))
	}
	return errors.Join(errs...)
}

// HTTPURL returns the URL with a http(s) scheme, as the Twirp APIs expect.
func (c Config) HTTPURL() string {
	switch {
	case strings.HasPrefix(c.URL, "ws://"):
		return "http://" + strings.TrimPrefix(c.URL, "ws://")
	case strings.HasPrefix(c.URL, "wss://"):
		return "https://" + strings.TrimPrefix(c.URL, "wss://")
	}
	return c.URL
}

// WebSocketURL returns the URL with a ws(s) scheme, as clients joining a
// room expect.
func (c Config) WebSocketURL() string {
	switch {
	case strings.HasPrefix(c.URL, "http://"):
		return "ws://" + strings.TrimPrefix(c.URL, "http://")
	case strings.HasPrefix(c.URL, "https://"):
		return "wss://" + strings.TrimPrefix(c.URL, "https://")
	}
	return c.URL
}
