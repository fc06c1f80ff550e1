package schedule

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestFormatDurationInWords(t *testing.T) {
	for _, c := range []struct {
		d      time.Duration
		en, hi string
	}{
		{12 * time.Minute, "12 minutes", "12 मिनट"},
		{11*time.Minute + 20*time.Second, "12 minutes", "12 मिनट"}, // a wait is never understated
		{time.Minute, "1 minute", "1 मिनट"},
		{time.Hour, "1 hour", "1 घंटा"},
		{26*time.Hour + 5*time.Minute, "1 day 2 hours 5 minutes", "1 दिन 2 घंटे 5 मिनट"},
		{45 * time.Second, "45 seconds", "45 सेकंड"},
		{-90 * time.Minute, "1 hour 30 minutes", "1 घंटा 30 मिनट"},
	} {
		if got := FormatDuration(c.d, "en"); got != c.en {
			t.Errorf("FormatDuration(%v, en) = %q, want %q", c.d, got, c.en)
		}
		if got := FormatDuration(c.d, "hi"); got != c.hi {
			t.Errorf("FormatDuration(%v, hi) = %q, want %q", c.d, got, c.hi)
		}
	}
}

func TestMsgRendersArgumentsForTheReader(t *testing.T) {
	hi := map[string]string{
		"try again in %v":   "%v बाद फिर से प्रयास करें",
		"unit %q not found": "इकाई %q नहीं मिली",
		"%s not found":      "%s उपलब्ध नहीं है",
		"worker":            "कार्यकर्ता",
		"field.mobile":      "मोबाइल",
	}
	tr := func(lang, key string) (string, bool) {
		if lang != "hi" {
			return "", false
		}
		s, ok := hi[key]
		return s, ok
	}
	m := Msgf("try again in %v", 12*time.Minute)
	if got := m.Render(Reader{Lang: "hi", Translate: tr}); got != "12 मिनट बाद फिर से प्रयास करें" {
		t.Errorf("hi: %q", got)
	}
	if got := m.String(); got != "try again in 12 minutes" {
		t.Errorf("en: %q", got)
	}
	nested := Msgf("%s not found", Msg{Format: "worker"})
	if got := nested.Render(Reader{Lang: "hi", Translate: tr}); got != "कार्यकर्ता उपलब्ध नहीं है" {
		t.Errorf("nested: %q", got)
	}
	// A format the catalogue lacks stays English rather than vanishing.
	if got := Msgf("no such thing %d", 3).Render(Reader{Lang: "hi", Translate: tr}); got != "no such thing 3" {
		t.Errorf("untranslated: %q", got)
	}
	e := FieldError("mobile", "unit %q not found", "D9")
	if got := e.Render(Reader{Lang: "hi", Translate: tr}); got != `मोबाइल: इकाई "D9" नहीं मिली` {
		t.Errorf("field error: %q", got)
	}
	if e.Error() != `mobile: unit "D9" not found` || e.Message != `unit "D9" not found` {
		t.Errorf("English: %q / %q", e.Error(), e.Message)
	}
	// Wrapping keeps the translatable form reachable.
	var de *Error
	if !errors.As(fmt.Errorf("ctx: %w", e), &de) || de.Msg().Format != "unit %q not found" {
		t.Errorf("wrapped: %+v", de)
	}
	// A hand-built error is translated with its message as the key.
	if got := (&Error{Code: EINVALID, Message: "worker"}).Render(Reader{Lang: "hi", Translate: tr}); got != "कार्यकर्ता" {
		t.Errorf("hand-built: %q", got)
	}
}

func TestMsgSurvivesJSON(t *testing.T) {
	at := time.Date(2026, 5, 3, 5, 30, 0, 0, time.UTC)
	m := Msgf("%s: %d invited, %d without %s; %v, %s, %s, %s, %.1f, %t, %d",
		Msg{Format: "sms"}, 6, int64(0), Names{En: "SMS", Hi: "एसएमएस"}, 12*time.Minute, at, TimeSpan{at, at.Add(time.Hour)}, []string{"a", "b"}, 2.5, true, uint32(7))
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back Msg
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if got, want := back.String(), m.String(); got != want {
		t.Errorf("after JSON:\n got %q\nwant %q", got, want)
	}
	if !strings.Contains(back.String(), "6 invited, 0 without SMS; 12 minutes, Sunday, 3 May 2026, 11:00 IST") {
		t.Errorf("rendered %q", back.String())
	}
}
