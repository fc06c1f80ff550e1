package notify

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/karyakram/karyakram/internal/cputime"
	"github.com/karyakram/karyakram/schedule"
)

func TestComposeAndSend(t *testing.T) {
	ts, err := schedule.NewTemplateSet(schedule.MessageConfig{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 9, 12, 13, 0, 0, 0, time.UTC)
	ev := schedule.MessageEvent{ID: 12345, UID: "ev-12345@karyakram", Type: "mass_address",
		Title: "Booth Samvad", TitleHi: "बूथ संवाद", Venue: "Jabalpur", VenueHi: "जबलपुर",
		Start: start, End: start.Add(time.Hour), Sequence: 1, BridgeNumber: "+912261234567", BridgePIN: "4829"}
	link := "https://k.example.in/i/EcCNtwG5YAGY1J0OTe3vVbKf_xaamg"
	sunita := Recipient{Name: "सुनीता पटेल", Mobile: "+919876543210", Email: "sunita@example.org"}
	rem := schedule.Reminder{Offset: time.Hour, At: start.Add(-time.Hour)}

	tests := []struct {
		name       string
		key        schedule.MessageKey
		to         Recipient
		method     string // "" for no invitation
		textHas    string
		errField   string
		subjectHas string
	}{
		{"sms invite hindi", schedule.InviteKey(42, 0, schedule.ChannelSMS), sunita, "", "सुनीता पटेल जी, बूथ संवाद", "", ""},
		{"sms invite english", schedule.InviteKey(42, 0, schedule.ChannelSMS), Recipient{Name: "Sunita", Mobile: "+919876543210", Lang: "en"}, "", "Sunita, you are invited to Booth Samvad", "", ""},
		{"email invite", schedule.InviteKey(42, 0, schedule.ChannelEmail), sunita, MethodRequest, "ऑडियो ब्रिज: +912261234567, पिन 4829", "", "आमंत्रण: बूथ संवाद"},
		{"email change", schedule.NoticeKey(42, schedule.MessageChange, 2, schedule.ChannelEmail), sunita, MethodRequest, "बदलाव", "", "बदलाव"},
		{"email cancel", schedule.NoticeKey(42, schedule.MessageCancel, 2, schedule.ChannelEmail), sunita, MethodCancel, "निरस्त", "", "निरस्त"},
		{"email reminder", schedule.ReminderKey(42, start, rem, schedule.ChannelEmail), sunita, "", "स्मरण", "", "स्मरण"},
		{"whatsapp reminder", schedule.ReminderKey(42, start, rem, schedule.ChannelWhatsApp), sunita, "", "⏰ *स्मरण: बूथ संवाद*", "", ""},
		{"no mobile", schedule.InviteKey(43, 0, schedule.ChannelSMS), Recipient{Name: "Ram"}, "", "", "mobile", ""},
		{"no email", schedule.InviteKey(43, 0, schedule.ChannelEmail), Recipient{Name: "Ram", Mobile: "+919876543211"}, "", "", "email", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Compose(ts, Notice{Key: tt.key, Event: ev, Link: link, To: tt.to, Reason: "वर्षा"}, mailCreated)
			if tt.errField != "" {
				if schedule.ErrorCode(err) != schedule.EINVALID || !IsPermanent(err) || !strings.HasPrefix(schedule.ErrorMessage(err), tt.errField+":") {
					t.Errorf("err = %v, want EINVALID on %s", err, tt.errField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Key != tt.key.String() || m.Channel != tt.key.Channel || !strings.Contains(m.Text, tt.textHas) || !strings.Contains(m.Subject, tt.subjectHas) {
				t.Errorf("message %+v", m)
			}
			if tt.key.Kind != schedule.MessageCancel && !strings.Contains(m.Text, link) {
				t.Errorf("text lacks the link: %q", m.Text)
			}
			if (m.Invitation == nil) != (tt.method == "") || (m.Invitation != nil && (m.Invitation.Method != tt.method || m.Invitation.Event.Sequence != 1 || m.Invitation.Event.TitleHi != "बूथ संवाद")) {
				t.Errorf("invitation %+v, want method %q", m.Invitation, tt.method)
			}
			// Every composed message goes through its real sender path.
			if m.Channel == schedule.ChannelEmail {
				raw, err := BuildEmail(SMTPConfig{From: "k@mp.example.in"}, m)
				if err != nil {
					t.Fatal(err)
				}
				p := readBoth(t, raw)
				if p.Subject != m.Subject || (tt.method != "") != (p.Calendar != "") {
					t.Errorf("parsed subject %q calendar %v", p.Subject, p.Calendar != "")
				}
			} else {
				s := NewSink(SinkConfig{})
				if err := s.Send(context.Background(), m); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEmailRender is one email invitation from template to the bytes
// handed to SMTP, as the outbox drainer makes it: a Hindi invitation to a
// monthly series (text from the template, the HTML part, the iMIP calendar
// with RRULE, EXDATE and an edited occurrence, the .ics attachment,
// headers folded, one-click unsubscribe). Run with -cpu 1: msgs/s is per
// core; cpu-µs/msg is the process's CPU time (GC included) per message.
func BenchmarkEmailRender(b *testing.B) {
	ts, err := schedule.NewTemplateSet(schedule.MessageConfig{})
	if err != nil {
		b.Fatal(err)
	}
	ev := seriesEvent()
	me := schedule.NewMessageEvent(&ev)
	me.VenueHi = "मानस भवन, जबलपुर"
	n := Notice{Key: schedule.InviteKey(1234567, 0, schedule.ChannelEmail), Event: me,
		Link: "https://karyakram.mp.example.in/i/EQEBAeCCqA6GXH2k998Ok_zG", Unsubscribe: "https://karyakram.mp.example.in/u/EQEBAeCCqA6GXH2k998Ok_zG",
		To: Recipient{Name: "रामेश्वर प्रसाद विश्वकर्मा", Email: "rameshwar.vishwakarma@example.in", Lang: "hi"}}
	cfg := SMTPConfig{From: "karyakram@mp.example.in", FromName: "प्रदेश कार्यालय", Organizer: Person{Name: "प्रदेश कार्यालय", Email: "rsvp@mp.example.in"}}
	b.ReportAllocs()
	b.ResetTimer()
	cpu, size := cputime.Now(), 0
	for b.Loop() {
		m, err := Compose(ts, n, mailCreated)
		if err != nil {
			b.Fatal(err)
		}
		raw, err := BuildEmail(cfg, m)
		if err != nil {
			b.Fatal(err)
		}
		size = len(raw)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64((cputime.Now()-cpu).Microseconds())/float64(b.N), "cpu-µs/msg")
	b.ReportMetric(float64(size), "bytes/msg")
}

func BenchmarkBuildEmailWithIMIP(b *testing.B) {
	m := inviteMessage(MethodRequest)
	cfg := SMTPConfig{From: "k@mp.example.in", FromName: "Office"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := BuildEmail(cfg, m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSMTPSend(b *testing.B) {
	be := &testBackend{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := smtp.NewServer(be)
	srv.Domain = "mx.test"
	go srv.Serve(ln)
	defer srv.Close()
	s, err := NewSMTPSender(SMTPConfig{Addr: ln.Addr().String(), Security: SMTPPlain, From: "k@mp.example.in"})
	if err != nil {
		b.Fatal(err)
	}
	m := inviteMessage(MethodRequest)
	for b.Loop() {
		if err := s.Send(context.Background(), m); err != nil {
			b.Fatal(err)
		}
	}
}
