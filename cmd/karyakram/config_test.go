package main

import (
	"log/slog"
	"strings"
	"testing"
)

func TestConfigFromEnvironment(t *testing.T) {
	env := map[string]string{
		"KARYAKRAM_DSN": "postgres://u:pw@db/k", "KARYAKRAM_SMTP_ADDR": "mail:587", "KARYAKRAM_SMTP_RATE": "2.5",
		"KARYAKRAM_LIVEKIT_URL": "http://lk:7880", "KARYAKRAM_LIVEKIT_KEY": "k", "KARYAKRAM_LIVEKIT_SECRET": "s",
		"KARYAKRAM_SECRET": "operator-chosen-secret",
	}
	c := defaultConfig(func(k string) string { return env[k] })
	if err := c.validate(slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if c.SMTPRate != 2.5 || c.delivery().SMTP.Addr != "mail:587" || c.liveKit().APISecret != "s" || c.Secret != "operator-chosen-secret" {
		t.Errorf("config %+v", c)
	}
	if s := c.String(); strings.Contains(s, "pw") || strings.Contains(s, c.Secret) {
		t.Errorf("secrets printed: %s", s)
	}
	env["KARYAKRAM_SMTP_RATE"] = "fast"
	c = defaultConfig(func(k string) string { return env[k] })
	if err := c.validate(slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "KARYAKRAM_SMTP_RATE") {
		t.Errorf("bad rate: %v", err)
	}
}

func TestConfigOrganisationZone(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	c := defaultConfig(get)
	if err := c.validate(slog.New(slog.DiscardHandler)); err != nil || c.Zone.Name() != "Asia/Kolkata" || c.Zone.Label() != "IST" {
		t.Fatalf("default zone %v: %v", c.Zone, err)
	}
	env["KARYAKRAM_ORG_TZ"] = "Asia/Kathmandu"
	c = defaultConfig(get)
	if err := c.validate(slog.New(slog.DiscardHandler)); err != nil || c.Zone.Name() != "Asia/Kathmandu" {
		t.Fatalf("Kathmandu: %v %v", c.Zone, err)
	}
	env["KARYAKRAM_ORG_TZ"] = "Europe/London" // changes its clocks twice a year
	c = defaultConfig(get)
	if err := c.validate(slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "KARYAKRAM_ORG_TZ") ||
		!strings.Contains(err.Error(), "Europe/London") {
		t.Errorf("a zone with daylight saving: %v", err)
	}
}

func TestConfigCalendarReplies(t *testing.T) {
	env := map[string]string{"KARYAKRAM_INBOUND_SMTP_ADDR": ":2525"}
	c := defaultConfig(func(k string) string { return env[k] })
	if err := c.validate(slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "KARYAKRAM_REPLY_ADDR") {
		t.Errorf("an endpoint without a reply address: %v", err)
	}
	env["KARYAKRAM_REPLY_ADDR"] = "rsvp@mp.example.in"
	env["KARYAKRAM_SMTP_FROM"] = "karyakram@mp.example.in"
	c = defaultConfig(func(k string) string { return env[k] })
	if err := c.validate(slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if c.delivery().SMTP.Organizer.Email != "rsvp@mp.example.in" || !strings.Contains(c.String(), "calendar-replies=rsvp@mp.example.in at :2525") {
		t.Errorf("organizer %q, config %s", c.delivery().SMTP.Organizer.Email, c.String())
	}
}

func TestConfigSMSBudget(t *testing.T) {
	env := map[string]string{"KARYAKRAM_SMS_MAX_SEGMENTS": "2", "KARYAKRAM_SMS_SEGMENT_PRICE": "0.25"}
	c := defaultConfig(func(k string) string { return env[k] })
	if err := c.validate(slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if m := c.messages(); m.MaxSegments() != 2 || m.SegmentPaise() != 25 {
		t.Errorf("messages config %+v", m)
	}
	env["KARYAKRAM_SMS_SEGMENT_PRICE"] = "cheap"
	c = defaultConfig(func(k string) string { return env[k] })
	if err := c.validate(slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "KARYAKRAM_SMS_SEGMENT_PRICE") {
		t.Errorf("bad price: %v", err)
	}
}
