package outbox

import (
	"fmt"
	"time"

	"github.com/karyakram/karyakram/app/notify"
	"github.com/karyakram/karyakram/schedule"
)

// LinkSigner derives the invite-link key from the server secret
// (KARYAKRAM_SECRET), so links keep working across restarts when the
// secret is set, and never share a key with login codes.
func LinkSigner(secret string) (*schedule.Signer, error) {
	if secret == "" {
		return nil, schedule.FieldError("secret", "a server secret is needed to sign invite links")
	}
	return schedule.NewSigner(schedule.LinkKey{ID: 1, Secret: schedule.LinkKeyFromSecret(secret)})
}

// Delivery says how messages leave the outbox: email over SMTP when
// SMTP.Addr is set (at SMTPRate messages per second, default 10), the
// development sink otherwise; SMS through the HTTP gateway when SMS is
// set. WhatsApp goes to the sink (group pramukhs forward share links).
type Delivery struct {
	SMTP     notify.SMTPConfig
	SMTPRate float64
	// SMS, when set, sends text messages through an HTTP gateway.
	SMS *notify.HTTPGatewayConfig
}

// Senders returns the sender of each channel and the per-channel rate
// limits, and says, for the log, where each channel goes.
func Senders(d Delivery, sink notify.Sender, now time.Time) (map[schedule.MessageChannel]notify.Sender, *notify.ChannelLimiter, map[string]string, error) {
	senders := map[schedule.MessageChannel]notify.Sender{
		schedule.ChannelSMS: sink, schedule.ChannelWhatsApp: sink, schedule.ChannelEmail: sink,
	}
	where := map[string]string{"sms": "development sink", "whatsapp": "development sink", "email": "development sink"}
	rates := map[schedule.MessageChannel]notify.Rate{
		schedule.ChannelSMS:      {PerSecond: 50, Burst: 50},
		schedule.ChannelWhatsApp: {PerSecond: 20, Burst: 20},
		schedule.ChannelEmail:    {PerSecond: 10, Burst: 10},
	}
	if d.SMTP.Addr != "" {
		s, err := notify.NewSMTPSender(d.SMTP)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("email over SMTP %s: %w", d.SMTP.Addr, err)
		}
		senders[schedule.ChannelEmail] = s
		where["email"] = "smtp " + d.SMTP.Addr
		if d.SMTPRate < 0 {
			return nil, nil, nil, schedule.FieldError("smtp_rate", "%v is not a positive number of messages per second", d.SMTPRate)
		}
		if d.SMTPRate > 0 {
			rates[schedule.ChannelEmail] = notify.Rate{PerSecond: d.SMTPRate, Burst: max(1, int(d.SMTPRate))}
		}
	}
	if d.SMS != nil {
		g, err := notify.NewHTTPGateway(*d.SMS)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("sms gateway: %w", err)
		}
		senders[schedule.ChannelSMS] = g
		where["sms"] = "gateway " + d.SMS.URL
	}
	lim, err := notify.NewChannelLimiter(rates, now)
	if err != nil {
		return nil, nil, nil, err
	}
	return senders, lim, where, nil
}
