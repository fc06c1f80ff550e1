package e2e_test

import (
	"testing"

	"github.com/karyakram/karyakram/internal/cdp"
)

// browser is headless Chromium driven over the DevTools protocol
// (internal/cdp).
type browser = cdp.Browser

// startBrowser starts headless Chromium with fake media devices (the join
// page's microphone check and WebRTC over loopback).
func startBrowser(t *testing.T) *browser {
	t.Helper()
	return cdp.Start(t, cdp.Options{Flags: []string{"--autoplay-policy=no-user-gesture-required",
		"--allow-loopback-in-peer-connection", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"}})
}
