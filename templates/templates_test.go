package templates

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

func TestPagesParseAndCataloguesAgree(t *testing.T) {
	p, err := Parse(schedule.Zone{})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Text("hi", "import.summary", 3, 2, 1); !strings.Contains(got, "3 पंक्तियाँ") {
		t.Errorf("hindi text %q", got)
	}
	if got := p.Text("en", "no.such.key"); got != "no.such.key" {
		t.Errorf("unknown key renders as %q", got)
	}
}

func TestFormatCountUsesIndianGrouping(t *testing.T) {
	for n, want := range map[int]string{7: "7", 1000: "1,000", 65015: "65,015", 3000000: "30,00,000", 123456789: "12,34,56,789"} {
		if got := FormatCount(n); got != want {
			t.Errorf("FormatCount(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestLocalizeErrorsInTheReadersLanguage(t *testing.T) {
	p, err := Parse(schedule.Zone{})
	if err != nil {
		t.Fatal(err)
	}
	limit := schedule.Errorf(schedule.ELIMIT, "too many codes sent to this number; try again in %v", 11*time.Minute+30*time.Second)
	if got := p.LocalizeError("hi", fmt.Errorf("request code: %w", limit)); got != "इस नंबर पर बहुत अधिक कोड भेजे गए; 12 मिनट बाद फिर से प्रयास करें" {
		t.Errorf("hi: %q", got)
	}
	if got := p.LocalizeError("en", limit); got != "too many codes sent to this number; try again in 12 minutes" {
		t.Errorf("en: %q", got)
	}
	// A validation reports every field, each with its label.
	ev := schedule.Event{}
	got := p.LocalizeError("hi", ev.Validate())
	for _, want := range []string{"इकाई: वह इकाई चुनें", "प्रकार: कार्यक्रम का प्रकार चुनें", "शीर्षक: हिंदी या अंग्रेज़ी में शीर्षक दें"} {
		if !strings.Contains(got, want) {
			t.Errorf("validation in Hindi lacks %q: %q", want, got)
		}
	}
	// Internal errors say nothing of their cause.
	if got := p.LocalizeError("hi", errors.New("pq: connection refused")); strings.Contains(got, "pq") || got == "" {
		t.Errorf("internal: %q", got)
	}
	if got := p.Text("hi", "import.too_large", 12*time.Minute); !strings.Contains(got, "12 मिनट") {
		t.Errorf("T arguments are rendered for the reader: %q", got)
	}
}

func TestTimesInMessagesAreShownOnTheOrganisationsClock(t *testing.T) {
	p, err := Parse(schedule.Zone{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 5, 3, 5, 30, 0, 0, time.UTC) // 11:00 IST, Sunday
	ev := schedule.Event{UnitID: 1, Type: "meeting", Title: "x", Status: schedule.EventConfirmed, Start: start, End: start.Add(-time.Hour)}
	hi := p.LocalizeError("hi", ev.Validate())
	if want := "समाप्ति: यह प्रारंभ (रविवार, 3 मई 2026, 11:00 IST) के बाद होनी चाहिए, अभी रविवार, 3 मई 2026, 10:00 IST है"; hi != want {
		t.Errorf("hi:\n got %q\nwant %q", hi, want)
	}
	if en := p.LocalizeError("en", ev.Validate()); !strings.Contains(en, "end Sunday, 3 May 2026, 10:00 IST must be after start Sunday, 3 May 2026, 11:00 IST") {
		t.Errorf("en: %q", en)
	}
}
