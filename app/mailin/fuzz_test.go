package mailin

import (
	"testing"

	"github.com/karyakram/karyakram/schedule"
)

// FuzzRead: whatever arrives, reading it never panics, and a message that
// yields no reply says why.
func FuzzRead(f *testing.F) {
	f.Add([]byte("From: a@x.in\r\nContent-Type: text/calendar; method=REPLY\r\n\r\nBEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:u\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:a@x.in\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	f.Add([]byte("From: a@x.in\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/ics\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!\r\n--b--\r\n"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n"))
	f.Add([]byte{0xff, 0xfe, 0, 1})
	f.Fuzz(func(t *testing.T, raw []byte) {
		in := Read(raw, schedule.Zone{})
		if in.UID == "" && in.Problem == "" {
			t.Fatalf("no reply and no problem for %q", raw)
		}
	})
}
