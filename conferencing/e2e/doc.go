// Package e2e holds end-to-end tests of mass addresses: a real
// livekit-server (conferencing/lktest), the address store, scheduler
// adapter and join page, and headless Chromium opening a join link. The
// package has no non-test code beyond this comment; tests skip with a line
// saying what to install when Chromium or livekit-server is missing.
package e2e
