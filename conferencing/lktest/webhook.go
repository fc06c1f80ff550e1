package lktest

import (
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/livekit/protocol/auth"
)

// WebhookAuth returns the Authorization header livekit-server sends with a
// webhook body, signed with key and secret, so tests outside conferencing
// can post webhooks without importing LiveKit themselves.
func WebhookAuth(key, secret string, body []byte) (string, error) {
	sum := sha256.Sum256(body)
	return auth.NewAccessToken(key, secret).SetValidFor(5 * time.Minute).
		SetSha256(base64.StdEncoding.EncodeToString(sum[:])).ToJWT()
}
