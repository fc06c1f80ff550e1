// Package static holds the browser assets karyakram serves, embedded in the
// binary: join.js is the mass-address join page script and stage.js the
// speakers' stage console script, each with livekit-client bundled in
// (built by scripts/build-livekit-client.sh from _src/, which Go ignores).
package static

import (
	"crypto/sha256"
	_ "embed" // for go:embed
	"encoding/hex"
)

//go:embed join.js
var joinJS []byte

// JoinScript returns the join page script. The slice is shared: do not
// modify it.
func JoinScript() []byte { return joinJS }

// JoinScriptVersion returns a short content hash of the join script, for
// cache-busting URLs (/static/join-<version>.js can be cached for a year).
func JoinScriptVersion() string {
	sum := sha256.Sum256(joinJS)
	return hex.EncodeToString(sum[:6])
}

//go:embed stage.js
var stageJS []byte

// StageScript returns the stage console script. The slice is shared: do
// not modify it.
func StageScript() []byte { return stageJS }

// StageScriptVersion returns a short content hash of the stage script, for
// cache-busting URLs (/static/stage-<version>.js).
func StageScriptVersion() string {
	sum := sha256.Sum256(stageJS)
	return hex.EncodeToString(sum[:6])
}
