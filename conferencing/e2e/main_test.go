package e2e_test

import (
	"os"
	"testing"

	"github.com/go-logr/logr"
	protoLogger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
)

func TestMain(m *testing.M) {
	// The SDK logs every ICE and SDP step; set KARYAKRAM_LIVEKIT_LOG=1 to see it.
	if os.Getenv("KARYAKRAM_LIVEKIT_LOG") == "" {
		lksdk.SetLogger(protoLogger.LogRLogger(logr.Discard()))
	}
	os.Exit(m.Run())
}
