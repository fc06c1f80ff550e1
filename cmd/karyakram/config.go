package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/karyakram/karyakram/app/auth"
	"github.com/karyakram/karyakram/app/notify"
	"github.com/karyakram/karyakram/app/outbox"
	"github.com/karyakram/karyakram/conferencing"
	"github.com/karyakram/karyakram/schedule"
)

// Config is what the server needs; flags override KARYAKRAM_* variables,
// which override the defaults.
type Config struct {
	DSN           string // "" = SQLite file karyakram.db
	Addr          string
	Secret        string
	BaseURL       string // public address in links; "" = the listen address
	MaxUploadMB   int64
	SecureCookies bool
	LogJSON       bool
	LogLevel      string

	// Email over SMTP; without SMTPAddr email goes to the development sink.
	SMTPAddr, SMTPSecurity, SMTPUser, SMTPPassword, SMTPFrom, SMTPFromName string
	SMTPRate                                                               float64
	smtpRate                                                               string // as given; parsed by validate

	// SMS through a provider's HTTP gateway (login codes and messages);
	// without SMSURL texts go to the development sink.
	SMSURL, SMSFormat, SMSKeyHeader, SMSKey, SMSSenderID string

	// LiveKit for mass addresses; all empty turns them off.
	LiveKitURL, LiveKitKey, LiveKitSecret, LiveKitPublicURL string
	// BridgeNumbers is the dial-in pool of audio bridges.
	BridgeNumbers string

	// OrgTZ names the organisation's time zone (IANA, default
	// Asia/Kolkata): every page, letter, message and feed shows times on
	// its clock, whatever the server's TZ. Zone is it loaded (validate).
	OrgTZ string
	Zone  schedule.Zone

	// SMSMaxSegments is the SMS segment budget (default 3); SMSSegmentPaise
	// what a segment costs (KARYAKRAM_SMS_SEGMENT_PRICE in rupees, default
	// 0.20), for the size and cost shown before sending.
	SMSMaxSegments, SMSSegmentPaise int
	smsMaxSegments, smsPrice        string

	// ReplyAddr is the organiser address of emailed invitations: calendar
	// clients send their Yes/No/Maybe replies there. InboundSMTPAddr,
	// when set, is where karyakram listens for that mail (point the reply
	// address's MX or a forwarding rule at it); see app/mailin.
	ReplyAddr, InboundSMTPAddr string

	// MetricsAddr, when set, serves /metrics on its own listener (an
	// admin port operators reach, e.g. 127.0.0.1:9090); MetricsToken, when
	// set, also opens /metrics on the public address to that bearer token.
	// With neither, metrics are not served.
	MetricsAddr, MetricsToken string

	// TrustedProxies (comma-separated IPs or CIDRs) are the reverse
	// proxies whose X-Forwarded-For names the client; login limits count
	// clients by address, so nobody else may choose theirs.
	TrustedProxies []string
	// LoginSMSPerHour is the statewide budget of login-code SMS an hour.
	LoginSMSPerHour int
	loginSMS        string // as given; parsed by validate
}

func defaultConfig(getenv func(string) string) Config {
	c := Config{Addr: "127.0.0.1:8080", MaxUploadMB: 512}
	if v := getenv("KARYAKRAM_DSN"); v != "" {
		c.DSN = v
	}
	if v := getenv("KARYAKRAM_ADDR"); v != "" {
		c.Addr = v
	}
	c.Secret = getenv("KARYAKRAM_SECRET")
	c.BaseURL = getenv("KARYAKRAM_BASE_URL")
	if v, err := strconv.ParseInt(getenv("KARYAKRAM_MAX_UPLOAD_MB"), 10, 64); err == nil && v > 0 {
		c.MaxUploadMB = v
	}
	c.SMTPAddr, c.SMTPSecurity = getenv("KARYAKRAM_SMTP_ADDR"), getenv("KARYAKRAM_SMTP_SECURITY")
	c.SMTPUser, c.SMTPPassword = getenv("KARYAKRAM_SMTP_USER"), getenv("KARYAKRAM_SMTP_PASSWORD")
	c.SMTPFrom, c.SMTPFromName = getenv("KARYAKRAM_SMTP_FROM"), getenv("KARYAKRAM_SMTP_FROM_NAME")
	c.smtpRate = getenv("KARYAKRAM_SMTP_RATE")
	c.SMSURL, c.SMSFormat, c.SMSSenderID = getenv("KARYAKRAM_SMS_URL"), getenv("KARYAKRAM_SMS_FORMAT"), getenv("KARYAKRAM_SMS_SENDER_ID")
	c.SMSKeyHeader, c.SMSKey = getenv("KARYAKRAM_SMS_KEY_HEADER"), getenv("KARYAKRAM_SMS_KEY")
	if c.SMSKeyHeader == "" {
		c.SMSKeyHeader = "Authorization"
	}
	c.LiveKitURL, c.LiveKitKey = getenv("KARYAKRAM_LIVEKIT_URL"), getenv("KARYAKRAM_LIVEKIT_KEY")
	c.LiveKitSecret, c.LiveKitPublicURL = getenv("KARYAKRAM_LIVEKIT_SECRET"), getenv("KARYAKRAM_LIVEKIT_PUBLIC_URL")
	c.BridgeNumbers = getenv("KARYAKRAM_BRIDGE_NUMBERS")
	c.MetricsAddr, c.MetricsToken = getenv("KARYAKRAM_METRICS_ADDR"), getenv("KARYAKRAM_METRICS_TOKEN")
	c.ReplyAddr, c.InboundSMTPAddr = getenv("KARYAKRAM_REPLY_ADDR"), getenv("KARYAKRAM_INBOUND_SMTP_ADDR")
	c.smsMaxSegments, c.smsPrice = getenv("KARYAKRAM_SMS_MAX_SEGMENTS"), getenv("KARYAKRAM_SMS_SEGMENT_PRICE")
	for _, p := range strings.Split(getenv("KARYAKRAM_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	c.loginSMS = getenv("KARYAKRAM_LOGIN_SMS_PER_HOUR")
	c.OrgTZ = getenv("KARYAKRAM_ORG_TZ")
	if c.OrgTZ == "" {
		c.OrgTZ = schedule.DefaultZoneName
	}
	return c
}

// register adds the flags shared by the server commands.
func (c *Config) register(fs *flag.FlagSet) {
	fs.StringVar(&c.DSN, "dsn", c.DSN, "database: postgres://… URL, or SQLite file path (default karyakram.db)")
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address")
	fs.StringVar(&c.Secret, "secret", c.Secret, "seeds the first stored link key on a new database (optional: without it a random key is made and stored; see `karyakram secret`)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public address used in links (default: the listen address)")
	fs.StringVar(&c.LiveKitURL, "livekit-url", c.LiveKitURL, "livekit-server for mass addresses (key and secret from KARYAKRAM_LIVEKIT_KEY/SECRET)")
	fs.Int64Var(&c.MaxUploadMB, "max-upload-mb", c.MaxUploadMB, "largest CSV upload in MB")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", c.SecureCookies, "always mark cookies Secure (behind a TLS proxy that does not set X-Forwarded-Proto)")
	fs.BoolVar(&c.LogJSON, "log-json", c.LogJSON, "log as JSON lines")
	fs.StringVar(&c.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", c.MetricsAddr, "serve Prometheus /metrics on this admin address only (e.g. 127.0.0.1:9090)")
	fs.StringVar(&c.InboundSMTPAddr, "inbound-smtp-addr", c.InboundSMTPAddr, "listen address for calendar replies by email (e.g. :2525; needs KARYAKRAM_REPLY_ADDR)")
	fs.StringVar(&c.OrgTZ, "org-tz", c.OrgTZ, "the organisation's time zone (IANA name): times are shown and read on its clock")
}

// validate checks the config once.
func (c *Config) validate(log *slog.Logger) error {
	if c.MaxUploadMB <= 0 {
		return fmt.Errorf("-max-upload-mb must be positive")
	}
	z, err := schedule.LoadZone(c.OrgTZ)
	if err != nil {
		return fmt.Errorf("-org-tz / KARYAKRAM_ORG_TZ: %w", err)
	}
	c.Zone = z
	if c.smsMaxSegments != "" {
		n, err := strconv.Atoi(c.smsMaxSegments)
		if err != nil || n < 1 || n > 10 {
			return fmt.Errorf("KARYAKRAM_SMS_MAX_SEGMENTS=%q: must be a whole number of segments from 1 to 10", c.smsMaxSegments)
		}
		c.SMSMaxSegments = n
	}
	if c.smsPrice != "" {
		r, err := strconv.ParseFloat(c.smsPrice, 64)
		if err != nil || r <= 0 || r > 100 {
			return fmt.Errorf("KARYAKRAM_SMS_SEGMENT_PRICE=%q: must be the price of one SMS segment in rupees, e.g. 0.20", c.smsPrice)
		}
		c.SMSSegmentPaise = int(r*100 + 0.5)
	}
	if c.InboundSMTPAddr != "" && c.ReplyAddr == "" {
		return fmt.Errorf("-inbound-smtp-addr needs KARYAKRAM_REPLY_ADDR, the address invitations ask calendar replies to go to")
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 20 {
		return fmt.Errorf("KARYAKRAM_METRICS_TOKEN must be at least 20 characters (a random string)")
	}
	c.LoginSMSPerHour = auth.DefaultPolicy().SMSPerHour
	if c.loginSMS != "" {
		n, err := strconv.Atoi(c.loginSMS)
		if err != nil || n < 0 {
			return fmt.Errorf("KARYAKRAM_LOGIN_SMS_PER_HOUR=%q: must be a whole number of messages an hour", c.loginSMS)
		}
		c.LoginSMSPerHour = n
	}
	if c.smtpRate != "" {
		r, err := strconv.ParseFloat(c.smtpRate, 64)
		if err != nil || r <= 0 {
			return fmt.Errorf("KARYAKRAM_SMTP_RATE=%q: must be a positive number of messages per second", c.smtpRate)
		}
		c.SMTPRate = r
	}
	return nil
}

// String prints the config with the secret masked.
func (c Config) String() string {
	dsn := c.DSN
	if dsn == "" {
		dsn = "karyakram.db (SQLite)"
	}
	smtp, sms, lk := "off (development sink)", "off (development sink)", "off"
	if c.SMSURL != "" {
		sms = c.SMSURL
	}
	if c.SMTPAddr != "" {
		smtp = c.SMTPAddr
	}
	if c.LiveKitURL != "" {
		lk = c.LiveKitURL
	}
	replies := "off"
	if c.InboundSMTPAddr != "" {
		replies = c.ReplyAddr + " at " + c.InboundSMTPAddr
	}
	return fmt.Sprintf("dsn=%s addr=%s secret=*** max-upload-mb=%d smtp=%s sms=%s livekit=%s org-tz=%s calendar-replies=%s", maskDSN(dsn), c.Addr, c.MaxUploadMB, smtp, sms, lk, c.OrgTZ, replies)
}

func (c Config) logger(w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if c.LogJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// delivery is the outbox's channel settings.
func (c Config) delivery() outbox.Delivery {
	d := outbox.Delivery{SMTPRate: c.SMTPRate, SMTP: notify.SMTPConfig{Addr: c.SMTPAddr, Security: c.SMTPSecurity,
		Username: c.SMTPUser, Password: c.SMTPPassword, From: c.SMTPFrom, FromName: c.SMTPFromName,
		Organizer: notify.Person{Name: c.SMTPFromName, Email: c.ReplyAddr}}}
	if c.SMSURL != "" {
		d.SMS = &notify.HTTPGatewayConfig{URL: c.SMSURL, Format: c.SMSFormat, APIKeyHeader: c.SMSKeyHeader,
			APIKey: c.SMSKey, SenderID: c.SMSSenderID}
	}
	return d
}

// liveKit is the conferencing configuration.
func (c Config) liveKit() conferencing.Config {
	return conferencing.Config{URL: c.LiveKitURL, APIKey: c.LiveKitKey, APISecret: c.LiveKitSecret}
}

// messages is the message templates' configuration: the organisation's
// zone, the SMS segment budget and price.
func (c Config) messages() schedule.MessageConfig {
	return schedule.MessageConfig{Zone: c.Zone, MaxSMSSegments: c.SMSMaxSegments, SMSSegmentPaise: c.SMSSegmentPaise}
}
