package conferencing

import (
	"os"
	"testing"

	"github.com/go-logr/logr"
	protoLogger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
)

func TestMain(m *testing.M) {
	// The SDK logs every ICE and SDP step to the standard logger; keep test
	// output readable. Set KARYAKRAM_LIVEKIT_LOG=1 to see it.
	if os.Getenv("KARYAKRAM_LIVEKIT_LOG") == "" {
		lksdk.SetLogger(protoLogger.LogRLogger(logr.Discard()))
	}
	os.Exit(m.Run())
}
