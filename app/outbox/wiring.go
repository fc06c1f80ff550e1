package outbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"strconv"
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
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("karyakram invite links v1"))
	return schedule.NewSigner(schedule.LinkKey{ID: 1, Secret: m.Sum(nil)})
}

// SMTP settings read by SendersFromEnv.
const (
	EnvSMTPAddr     = "KARYAKRAM_SMTP_ADDR"     // host:port; unset: email goes to the sink
	EnvSMTPSecurity = "KARYAKRAM_SMTP_SECURITY" // plain, starttls (default) or tls
	EnvSMTPUser     = "KARYAKRAM_SMTP_USER"
	EnvSMTPPassword = "KARYAKRAM_SMTP_PASSWORD"
	EnvSMTPFrom     = "KARYAKRAM_SMTP_FROM"
	EnvSMTPFromName = "KARYAKRAM_SMTP_FROM_NAME"
	EnvSMTPRate     = "KARYAKRAM_SMTP_RATE" // messages per second, default 10
)

// SendersFromEnv returns the sender of each channel: SMTP for email when
// KARYAKRAM_SMTP_ADDR is set, the development sink otherwise and for SMS
// and WhatsApp (no gateway is configured by environment yet), with the
// per-channel rate limits. It also says, for the log, where each channel
// goes.
func SendersFromEnv(getenv func(string) string, sink notify.Sender, now time.Time) (map[schedule.MessageChannel]notify.Sender, *notify.ChannelLimiter, map[string]string, error) {
	senders := map[schedule.MessageChannel]notify.Sender{
		schedule.ChannelSMS: sink, schedule.ChannelWhatsApp: sink, schedule.ChannelEmail: sink,
	}
	where := map[string]string{"sms": "development sink", "whatsapp": "development sink", "email": "development sink"}
	rates := map[schedule.MessageChannel]notify.Rate{
		schedule.ChannelSMS:      {PerSecond: 50, Burst: 50},
		schedule.ChannelWhatsApp: {PerSecond: 20, Burst: 20},
		schedule.ChannelEmail:    {PerSecond: 10, Burst: 10},
	}
	if addr := getenv(EnvSMTPAddr); addr != "" {
		s, err := notify.NewSMTPSender(notify.SMTPConfig{
			Addr: addr, Security: getenv(EnvSMTPSecurity),
			Username: getenv(EnvSMTPUser), Password: getenv(EnvSMTPPassword),
			From: getenv(EnvSMTPFrom), FromName: getenv(EnvSMTPFromName),
		})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("email from %s: %w", EnvSMTPAddr, err)
		}
		senders[schedule.ChannelEmail] = s
		where["email"] = "smtp " + addr
		if r := getenv(EnvSMTPRate); r != "" {
			n, err := strconv.ParseFloat(r, 64)
			if err != nil || n <= 0 {
				return nil, nil, nil, schedule.FieldError(EnvSMTPRate, "%q is not a positive number of messages per second", r)
			}
			rates[schedule.ChannelEmail] = notify.Rate{PerSecond: n, Burst: max(1, int(n))}
		}
	}
	lim, err := notify.NewChannelLimiter(rates, now)
	if err != nil {
		return nil, nil, nil, err
	}
	return senders, lim, where, nil
}
