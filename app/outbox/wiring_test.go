package outbox_test

import (
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/notify"
	"github.com/karyakram/karyakram/app/outbox"
	"github.com/karyakram/karyakram/schedule"
)

func TestLinkSignerIsStableAcrossRestarts(t *testing.T) {
	a, err := outbox.LinkSigner("server secret")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := outbox.LinkSigner("server secret")
	other, _ := outbox.LinkSigner("another secret")
	now := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	tok, err := a.Sign(schedule.LinkClaims{InviteID: 7, EventID: 3, LinkVersion: 1, Expires: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := b.Verify(tok, now); err != nil || c.InviteID != 7 {
		t.Fatalf("same secret: %+v %v", c, err)
	}
	if _, err := other.Verify(tok, now); !schedule.IsLinkInvalid(err) {
		t.Fatalf("other secret accepted the link: %v", err)
	}
	if _, err := outbox.LinkSigner(""); err == nil {
		t.Fatal("empty secret accepted")
	}
}

func TestSenders(t *testing.T) {
	sink := notify.NewSink(notify.SinkConfig{})
	s, lim, where, err := outbox.Senders(outbox.Delivery{}, sink, time.Now())
	if err != nil || lim == nil || s[schedule.ChannelEmail] != notify.Sender(sink) || where["email"] != "development sink" {
		t.Fatalf("no smtp: %v %v", where, err)
	}
	d := outbox.Delivery{SMTP: notify.SMTPConfig{Addr: "127.0.0.1:2525", From: "office@mp.example.in", Security: "plain"}}
	s, _, where, err = outbox.Senders(d, sink, time.Now())
	if err != nil || s[schedule.ChannelEmail] == notify.Sender(sink) || where["email"] != "smtp 127.0.0.1:2525" {
		t.Fatalf("smtp: %v %v", where, err)
	}
	d.SMTP.From = "not an address"
	if _, _, _, err := outbox.Senders(d, sink, time.Now()); err == nil {
		t.Fatal("bad from accepted")
	}
	d.SMTP.From, d.SMTPRate = "office@mp.example.in", -1
	if _, _, _, err := outbox.Senders(d, sink, time.Now()); err == nil {
		t.Fatal("negative rate accepted")
	}
	d.SMTPRate = 0
	d.SMS = &notify.HTTPGatewayConfig{URL: "https://sms.example.in/send"}
	s, _, where, err = outbox.Senders(d, sink, time.Now())
	if _, ok := s[schedule.ChannelSMS].(*notify.HTTPGateway); err != nil || !ok || where["sms"] != "gateway https://sms.example.in/send" {
		t.Fatalf("sms gateway: %v %v", where, err)
	}
	d.SMS.URL = "ftp://nope"
	if _, _, _, err := outbox.Senders(d, sink, time.Now()); err == nil {
		t.Fatal("bad gateway URL accepted")
	}
}
