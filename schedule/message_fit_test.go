package schedule

import (
	"strings"
	"testing"
	"time"
)

// TestSMSShortenedByRule: an invitation SMS whose title and venue are too
// long loses whole words of them (the longer first) until it fits three
// segments; the name, time and link stay whole, no word or conjunct is
// cut, and an English text stays GSM-7.
func TestSMSShortenedByRule(t *testing.T) {
	ts, err := NewTemplateSet(MessageConfig{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 27, 5, 30, 0, 0, time.UTC)
	link := "https://karyakram.example.in/i/" + strings.Repeat("x", 28)
	cases := []struct {
		lang, name, title, venue string
	}{
		{LangHindi, "रामेश्वर प्रसाद विश्वकर्मा",
			"प्रदेश स्तरीय डिजिटल कार्यप्रणाली एवं सोशल मीडिया प्रशिक्षण कार्यशाला द्वितीय चरण",
			"श्री अटल बिहारी वाजपेयी सुशासन एवं नीति विश्लेषण संस्थान सभागार, अरेरा हिल्स, भोपाल"},
		{LangEnglish, "Rameshwar Prasad Vishwakarma",
			"State level digital working and social media training workshop, second phase for district IT cells, booth presidents, mandal presidents and all shakti kendra pramukhs of the division",
			"Shri Atal Bihari Vajpayee Institute of Good Governance and Policy Analysis, main auditorium on the first floor of the new building behind the secretariat, Arera Hills, Bhopal"},
	}
	for _, c := range cases {
		ev := MessageEvent{Title: c.title, TitleHi: c.title, Venue: c.venue, VenueHi: c.venue, Start: start, End: start.Add(time.Hour)}
		k := TemplateKey{Kind: MessageInvite, Channel: ChannelSMS, Lang: c.lang}
		r, err := ts.Render(k, MessageContext{Event: ev, Name: c.name, Link: link})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Shortened || r.SMS.Segments > 3 {
			t.Errorf("%s: %d segments (shortened %v):\n%s", c.lang, r.SMS.Segments, r.Shortened, r.Body)
		}
		if !strings.Contains(r.Body, c.name) || !strings.Contains(r.Body, link) || !strings.Contains(r.Body, NewMessageData(MessageContext{Event: ev}, Zone{}.Moments(c.lang)).Time) {
			t.Errorf("%s: the name, time or link was cut:\n%s", c.lang, r.Body)
		}
		e := "…"
		if c.lang == LangEnglish {
			e = "..."
			if r.SMS.Unicode() {
				t.Errorf("English SMS became UCS-2: %q", r.Body)
			}
		}
		// Each shortened field is whole words of the original plus the ellipsis.
		for _, orig := range []string{c.title, c.venue} {
			first := strings.Fields(orig)[0]
			i := strings.Index(r.Body, first)
			if i < 0 {
				t.Fatalf("%s: %q lost its first word:\n%s", c.lang, orig, r.Body)
			}
			rest := r.Body[i:]
			if j := strings.Index(rest, e); j >= 0 && j < len(orig) {
				kept := strings.TrimRight(rest[:j], " ")
				if !strings.HasPrefix(orig, kept) || len(kept) < len(orig) && orig[len(kept)] != ' ' && orig[len(kept)] != ',' {
					t.Errorf("%s: %q is not whole words of %q", c.lang, kept, orig)
				}
			}
		}
	}
	// What fits is left alone.
	short := MessageEvent{Title: "Booth meeting", Venue: "School", Start: start}
	if r, _ := ts.Render(TemplateKey{Kind: MessageInvite, Channel: ChannelSMS, Lang: LangEnglish}, MessageContext{Event: short, Name: "Sita", Link: link}); r.Shortened ||
		!strings.Contains(r.Body, "Booth meeting") {
		t.Errorf("a short SMS was changed: %q", r.Body)
	}
	// One endless word cannot be cut: the result stays over budget and
	// says it was shortened as far as the rule allows.
	long := MessageEvent{Title: strings.Repeat("क", 300), Venue: "School", Start: start}
	if r, _ := ts.Render(TemplateKey{Kind: MessageInvite, Channel: ChannelSMS, Lang: LangHindi}, MessageContext{Event: long, Name: "सीता", Link: link}); !r.Shortened ||
		r.SMS.Segments <= 3 || !strings.Contains(r.Body, long.Title) {
		t.Errorf("an uncuttable title: %d segments", r.SMS.Segments)
	}
}

func TestFormatRupees(t *testing.T) {
	for in, want := range map[int64]string{0: "₹0.00", 20: "₹0.20", 12345680: "₹1,23,456.80", 100000000: "₹10,00,000.00", -150: "-₹1.50"} {
		if got := FormatRupees(in); got != want {
			t.Errorf("FormatRupees(%d) = %q, want %q", in, got, want)
		}
	}
}
