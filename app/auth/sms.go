package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/karyakram/karyakram/app/notify"
	"github.com/karyakram/karyakram/schedule"
)

// GatewaySender sends login codes through a real SMS channel (the same
// gateway as invitations). Unlike the development sink it keeps no copy of
// the text: a stored login code would defeat hashing it.
type GatewaySender struct {
	SMS notify.Sender
	Now func() time.Time
}

// SendSMS sends one text; the key makes a gateway retry of the same
// request harmless without merging two different codes.
func (g GatewaySender) SendSMS(ctx context.Context, mobile, body, purpose string) error {
	now := g.Now()
	err := g.SMS.Send(ctx, notify.Message{
		Key: fmt.Sprintf("%s:%s:%d", purpose, mobile, now.UnixNano()), Channel: schedule.ChannelSMS,
		To: mobile, Text: body, Created: now,
	})
	if err != nil {
		return fmt.Errorf("send %s sms: %w", purpose, err)
	}
	return nil
}
