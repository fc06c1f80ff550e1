package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/auth"
	"github.com/karyakram/karyakram/app/notify"
	"github.com/karyakram/karyakram/schedule"
)

func TestGatewaySenderSendsTheCodeAsSMS(t *testing.T) {
	sink := notify.NewSink(notify.SinkConfig{})
	g := auth.GatewaySender{SMS: sink, Now: func() time.Time { return time.Unix(100, 0) }}
	if err := g.SendSMS(context.Background(), "+919800000002", "code 123456", "otp"); err != nil {
		t.Fatal(err)
	}
	ms := sink.Messages()
	if len(ms) != 1 || ms[0].Channel != schedule.ChannelSMS || ms[0].To != "+919800000002" || ms[0].Text != "code 123456" || ms[0].Key == "" {
		t.Fatalf("sent %+v", ms)
	}
}
