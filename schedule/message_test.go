package schedule

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestMessageDateAndSpokenTime(t *testing.T) {
	var zone Zone
	ist := func(y int, m time.Month, d, h, min int) time.Time { return zone.Date(y, m, d, h, min) }
	tests := []struct {
		at             time.Time
		lang           string
		wantDate, want string
	}{
		{ist(2026, 8, 15, 18, 30), LangHindi, "शनिवार, 15 अगस्त 2026", "शाम 6:30 बजे"},
		{ist(2026, 8, 15, 18, 30), LangEnglish, "Sat, 15 Aug 2026", "6:30 pm"},
		{ist(2026, 2, 2, 0, 5), LangHindi, "सोमवार, 2 फ़रवरी 2026", "रात 12:05 बजे"},
		{ist(2026, 2, 2, 3, 59), LangHindi, "सोमवार, 2 फ़रवरी 2026", "रात 3:59 बजे"},
		{ist(2026, 2, 2, 4, 0), LangHindi, "सोमवार, 2 फ़रवरी 2026", "सुबह 4:00 बजे"},
		{ist(2026, 9, 9, 12, 0), LangHindi, "बुधवार, 9 सितंबर 2026", "दोपहर 12:00 बजे"},
		{ist(2026, 9, 9, 12, 0), LangEnglish, "Wed, 9 Sep 2026", "12:00 pm"},
		{ist(2026, 12, 31, 16, 0), LangHindi, "गुरुवार, 31 दिसंबर 2026", "शाम 4:00 बजे"},
		{ist(2026, 12, 31, 20, 0), LangHindi, "गुरुवार, 31 दिसंबर 2026", "रात 8:00 बजे"},
		// A UTC instant is shown on its IST date: 20:00 UTC is 01:30 next day.
		{time.Date(2026, 1, 4, 20, 0, 0, 0, time.UTC), LangHindi, "सोमवार, 5 जनवरी 2026", "रात 1:30 बजे"},
		{time.Date(2026, 1, 4, 20, 0, 0, 0, time.UTC), LangEnglish, "Mon, 5 Jan 2026", "1:30 am"},
	}
	for _, tt := range tests {
		if got := zone.Moments(tt.lang).DateMedium(tt.at); got != tt.wantDate {
			t.Errorf("DateMedium(%v, %s) = %q, want %q", tt.at, tt.lang, got, tt.wantDate)
		}
		if got := zone.Moments(tt.lang).Spoken(tt.at); got != tt.want {
			t.Errorf("Spoken(%v, %s) = %q, want %q", tt.at, tt.lang, got, tt.want)
		}
	}
}

func TestCountSMS(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	ka := func(n int) string { return strings.Repeat("क", n) }
	tests := []struct {
		name     string
		text     string
		enc      SMSEncoding
		units    int
		segments int
	}{
		{"empty", "", SMSGSM7, 0, 0},
		{"plain", "Meeting at 6 pm @ Bhopal", SMSGSM7, 24, 1},
		{"gsm 160", a(160), SMSGSM7, 160, 1},
		{"gsm 161", a(161), SMSGSM7, 161, 2},
		{"gsm 306", a(306), SMSGSM7, 306, 2},
		{"gsm 307", a(307), SMSGSM7, 307, 3},
		{"extension chars count two", "€{}[]~^|\\", SMSGSM7, 18, 1},
		{"extension at single limit", a(158) + "€", SMSGSM7, 160, 1},
		{"extension over single limit", a(159) + "€", SMSGSM7, 161, 2},
		// An escape pair is not split: 152 + [2 + 152] needs a third part
		// although 306 septets would fit two.
		{"extension pair not split", a(152) + "{" + a(152), SMSGSM7, 306, 3},
		{"gsm accents", "àÄÉñüß£¥§¿¡ΔΩ", SMSGSM7, 13, 1},
		{"backtick is not gsm", "a`b", SMSUCS2, 3, 1},
		{"lowercase c cedilla is not gsm", "ç", SMSUCS2, 1, 1},
		{"rupee sign is not gsm", "₹500", SMSUCS2, 4, 1},
		{"hindi", "नमस्ते", SMSUCS2, 6, 1},
		{"mixed makes all ucs2", "Hello नमस्ते", SMSUCS2, 12, 1},
		{"ucs2 70", ka(70), SMSUCS2, 70, 1},
		{"ucs2 71", ka(71), SMSUCS2, 71, 2},
		{"ucs2 134", ka(134), SMSUCS2, 134, 2},
		{"ucs2 135", ka(135), SMSUCS2, 135, 3},
		{"surrogate pair counts two", ka(68) + "🙏", SMSUCS2, 70, 1},
		{"surrogate pair over limit", ka(69) + "🙏", SMSUCS2, 71, 2},
		// A surrogate pair is not split: 66 + [2 + 66] needs a third part
		// although 134 units would fit two.
		{"surrogate pair not split", ka(66) + "🙏" + ka(66), SMSUCS2, 134, 3},
	}
	for _, tt := range tests {
		got := CountSMS(tt.text)
		if got.Encoding != tt.enc || got.Units != tt.units || got.Segments != tt.segments {
			t.Errorf("%s: CountSMS = %+v, want {%s %d %d}", tt.name, got, tt.enc, tt.units, tt.segments)
		}
		if got.Unicode() != (tt.enc == SMSUCS2) {
			t.Errorf("%s: Unicode() = %v", tt.name, got.Unicode())
		}
	}
}

func TestCheckSMSFits(t *testing.T) {
	tests := []struct {
		text    string
		max     int
		ok      bool
		message string
	}{
		{strings.Repeat("a", 160), 1, true, ""},
		{strings.Repeat("a", 161), 1, false, "at most 160 units"},
		{strings.Repeat("क", 201), 3, true, ""},
		{strings.Repeat("क", 202), 3, false, "needs 4 segments (202 ucs2 units), more than the allowed 3; at most 201 units"},
		{strings.Repeat("क", 71), 1, false, "at most 70 units"},
	}
	for _, tt := range tests {
		err := CheckSMSFits(tt.text, tt.max)
		if (err == nil) != tt.ok {
			t.Errorf("CheckSMSFits(%d runes, %d) = %v, want ok=%v", len([]rune(tt.text)), tt.max, err, tt.ok)
			continue
		}
		if err != nil && (ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), tt.message)) {
			t.Errorf("CheckSMSFits error %q, want EINVALID containing %q", err, tt.message)
		}
	}
}

func newTestTemplates(t *testing.T) *TemplateSet {
	t.Helper()
	ts, err := NewTemplateSet(MessageConfig{})
	if err != nil {
		t.Fatalf("NewTemplateSet: %v", err)
	}
	return ts
}

func TestDefaultTemplatesComplete(t *testing.T) {
	ts := newTestTemplates(t)
	defaults := DefaultMessageTemplates()
	general := 0
	for k := range defaults {
		if k.EventType == "" {
			general++
		}
	}
	if want := len(MessageKinds()) * len(MessageChannels()) * len(MessageLangs()); general != want {
		t.Errorf("%d default templates, want %d", general, want)
	}
	for _, kind := range MessageKinds() {
		for _, ch := range MessageChannels() {
			for _, lang := range MessageLangs() {
				k := TemplateKey{EventType: "workshop", Kind: kind, Channel: ch, Lang: lang}
				if _, ok := ts.Template(k); !ok {
					t.Errorf("no template for %s", k)
				}
			}
		}
	}
}

// sampleContext is a real-looking mass-address invite.
func sampleContext() MessageContext {
	start := Zone{}.Date(2026, 9, 12, 18, 30)
	return MessageContext{
		Event: MessageEvent{
			ID: 12345, Type: "mass_address",
			Title: "Booth Sashaktikaran Samvad", TitleHi: "बूथ सशक्तिकरण संवाद",
			Venue: "Manas Bhawan, Jabalpur", VenueHi: "मानस भवन, जबलपुर",
			Start: start, End: start.Add(90 * time.Minute),
			BridgeNumber: "+912261234567", BridgePIN: "482913",
		},
		Name: "Sunita Patel",
		Link: "https://karyakram.example.in/i/EcCNtwG5YAGY1J0OTe3vVbKf_xaamg",
	}
}

// The invite SMS must stay within the default 3 segments in both languages
// with real data; the lengths are logged for the record.
func TestInviteSMSLengths(t *testing.T) {
	ts := newTestTemplates(t)
	tests := []struct {
		lang, name string
		enc        SMSEncoding
		maxSeg     int
		contains   []string
	}{
		{LangHindi, "सुनीता पटेल", SMSUCS2, 3, []string{"सुनीता पटेल जी", "बूथ सशक्तिकरण संवाद", "12 सितंबर, शाम 6:30 बजे", "मानस भवन, जबलपुर"}},
		{LangEnglish, "Sunita Patel", SMSGSM7, 2, []string{"Sunita Patel, you are invited to Booth Sashaktikaran Samvad, 12 Sep 6:30 pm, Manas Bhawan, Jabalpur."}},
	}
	for _, tt := range tests {
		for _, kind := range []MessageKind{MessageInvite, MessageReminder} {
			ctx := sampleContext()
			ctx.Name = tt.name
			r, err := ts.Render(TemplateKey{Kind: kind, Channel: ChannelSMS, Lang: tt.lang}, ctx)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s %s SMS: %d %s units, %d segments: %s", tt.lang, kind, r.SMS.Units, r.SMS.Encoding, r.SMS.Segments, r.Body)
			if r.SMS.Encoding != tt.enc || r.SMS.Segments > tt.maxSeg || r.SMS.Segments < 1 {
				t.Errorf("%s %s SMS: %+v, want %s in at most %d segments", tt.lang, kind, r.SMS, tt.enc, tt.maxSeg)
			}
			if err := ts.CheckSMS(r.Body); err != nil {
				t.Errorf("%s %s SMS: CheckSMS: %v", tt.lang, kind, err)
			}
			if err := ts.CheckSMS(r.Body + strings.Repeat(" और", 20)); tt.lang == LangHindi && err == nil {
				t.Errorf("%s %s SMS: CheckSMS accepted a 60-unit longer text", tt.lang, kind)
			}
			if !strings.HasSuffix(r.Body, ctx.Link) {
				t.Errorf("%s %s SMS does not end with the link: %q", tt.lang, kind, r.Body)
			}
			if kind == MessageInvite {
				for _, c := range tt.contains {
					if !strings.Contains(r.Body, c) {
						t.Errorf("%s invite SMS %q lacks %q", tt.lang, r.Body, c)
					}
				}
			} else if !strings.Contains(r.Body, "482913") {
				t.Errorf("%s reminder SMS %q lacks the bridge PIN", tt.lang, r.Body)
			}
		}
	}
}

func TestRenderEmailAndChange(t *testing.T) {
	ts := newTestTemplates(t)
	ctx := sampleContext()
	ctx.Event.BridgeNumber, ctx.Event.BridgePIN = "", ""
	prev := ctx.Event
	prev.Start = ctx.Event.Start.Add(-24 * time.Hour)
	ctx.Previous = &prev

	r, err := ts.Render(TemplateKey{Kind: MessageInvite, Channel: ChannelEmail, Lang: LangHindi}, ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "आमंत्रण: बूथ सशक्तिकरण संवाद, 12 सितंबर" {
		t.Errorf("subject = %q", r.Subject)
	}
	for _, want := range []string{"आदरणीय Sunita Patel जी,", "दिनांक: शनिवार, 12 सितंबर 2026", "समय: शाम 6:30 बजे से रात 8:00 बजे तक", ctx.Link} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("Hindi invite email lacks %q:\n%s", want, r.Body)
		}
	}
	if strings.Contains(r.Body, "ऑडियो") || strings.Contains(r.Body, "\n\n\n") {
		t.Errorf("email without a bridge shows a bridge line or blank run:\n%s", r.Body)
	}

	r, err = ts.Render(TemplateKey{Kind: MessageChange, Channel: ChannelEmail, Lang: LangEnglish}, ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Body, "Previously: Fri, 11 Sep 2026, 6:30 pm") || strings.Contains(r.Body, "Previous venue") {
		t.Errorf("change email should show the old time and no old venue:\n%s", r.Body)
	}
}

func TestTemplateFallbackAndOverride(t *testing.T) {
	ts := newTestTemplates(t)
	ws := TemplateKey{EventType: "workshop", Kind: MessageInvite, Channel: ChannelSMS, Lang: LangEnglish}
	if err := ts.Set(ws, MessageTemplate{Body: "Workshop! {{.Title}} {{.ShortDate}} {{.Link}}"}); err != nil {
		t.Fatal(err)
	}
	ctx := sampleContext()
	r, err := ts.Render(ws, ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Workshop! Booth Sashaktikaran Samvad 12 Sep " + ctx.Link; r.Body != want {
		t.Errorf("override body = %q, want %q", r.Body, want)
	}
	other := ws
	other.EventType = "rally"
	r, err = ts.Render(other, ctx)
	if err != nil || !strings.HasPrefix(r.Body, "Sunita Patel, you are invited") {
		t.Errorf("rally falls back to default: %q, %v", r.Body, err)
	}
	if err := ts.Delete(ws); err != nil {
		t.Fatal(err)
	}
	if r, _ = ts.Render(ws, ctx); strings.HasPrefix(r.Body, "Workshop!") {
		t.Errorf("deleted override still used")
	}
	def := ws
	def.EventType = ""
	if err := ts.Delete(def); ErrorCode(err) != EINVALID {
		t.Errorf("deleting a default: %v, want EINVALID", err)
	}
}

func TestSetRejectsInvalidTemplates(t *testing.T) {
	ts := newTestTemplates(t)
	sms := TemplateKey{Kind: MessageInvite, Channel: ChannelSMS, Lang: LangHindi}
	email := TemplateKey{Kind: MessageInvite, Channel: ChannelEmail, Lang: LangEnglish}
	tests := []struct {
		name  string
		key   TemplateKey
		tmpl  MessageTemplate
		field string
		msg   string
	}{
		{"syntax", sms, MessageTemplate{Body: "{{.Name} {{.Link}}"}, "body", "line 1"},
		{"unknown field", sms, MessageTemplate{Body: "{{.Nmae}} {{.Link}}"}, "body", "unknown field Nmae"},
		{"unknown field on line 3", sms, MessageTemplate{Body: "a\nb\n{{.Venu}} {{.Link}}"}, "body", "line 3"},
		{"unknown function", sms, MessageTemplate{Body: "{{upper .Name}} {{.Link}}"}, "body", `function "upper" not defined`},
		{"empty", sms, MessageTemplate{Body: "  "}, "body", "empty"},
		{"no link", sms, MessageTemplate{Body: "{{.Title}}"}, "body", "{{.Link}}"},
		{"too long sms", sms, MessageTemplate{Body: strings.Repeat("बहुत लंबा संदेश ", 12) + "{{.Link}}"}, "body", "segments"},
		{"email without subject", email, MessageTemplate{Body: "{{.Link}}"}, "subject", "subject"},
		{"bad subject field", email, MessageTemplate{Subject: "{{.Titel}}", Body: "{{.Link}}"}, "subject", "unknown field Titel"},
		{"bad kind", TemplateKey{Kind: "party", Channel: ChannelSMS, Lang: LangHindi}, MessageTemplate{Body: "{{.Link}}"}, "kind", "party"},
		{"bad channel", TemplateKey{Kind: MessageInvite, Channel: "fax", Lang: LangHindi}, MessageTemplate{Body: "{{.Link}}"}, "channel", "fax"},
		{"bad lang", TemplateKey{Kind: MessageInvite, Channel: ChannelSMS, Lang: "mr"}, MessageTemplate{Body: "{{.Link}}"}, "lang", "mr"},
	}
	before, _ := ts.Template(sms)
	for _, tt := range tests {
		err := ts.Set(tt.key, tt.tmpl)
		var e *Error
		if !errors.As(err, &e) || e.Code != EINVALID || e.Field != tt.field || !strings.Contains(e.Message, tt.msg) {
			t.Errorf("%s: Set err = %v, want EINVALID on %q containing %q", tt.name, err, tt.field, tt.msg)
		}
		if err := ts.ValidateTemplate(tt.key, tt.tmpl); err == nil {
			t.Errorf("%s: ValidateTemplate accepted it", tt.name)
		}
	}
	if after, _ := ts.Template(sms); after != before {
		t.Errorf("rejected templates replaced the stored one: %+v", after)
	}
	// A cancellation needs no link; a template may use every field.
	ok := MessageTemplate{Body: "{{.Name}} {{.Title}} {{.Venue}} {{.Date}} {{.ShortDate}} {{.Time}} {{.When}} {{.EndTime}} {{.BridgeNumber}} {{.BridgePIN}} {{.Reason}} {{.OldWhen}} {{.OldVenue}}"}
	if err := ts.Set(TemplateKey{Kind: MessageCancel, Channel: ChannelWhatsApp, Lang: LangEnglish}, ok); err != nil {
		t.Errorf("all-fields cancellation template rejected: %v", err)
	}
}

func TestTemplateSetMaxSegmentsConfig(t *testing.T) {
	// With one segment allowed the Hindi default invite SMS cannot fit.
	_, err := NewTemplateSet(MessageConfig{MaxSMSSegments: 1})
	if err == nil || !strings.Contains(err.Error(), "segments") {
		t.Errorf("NewTemplateSet with 1 segment: %v, want a segments error", err)
	}
}

func TestNewMessageEventAndTitleFallback(t *testing.T) {
	start := time.Date(2026, 9, 12, 13, 0, 0, 0, time.UTC)
	e := &Event{ID: 9, UID: "u9@karyakram", Type: "workshop", TitleHi: "प्रशिक्षण वर्ग", Venue: Venue{Name: "Indore"},
		Start: start, End: start.Add(time.Hour), Status: EventCancelled, Sequence: 4}
	me := NewMessageEvent(e)
	if me.ID != 9 || me.UID != "u9@karyakram" || me.Type != "workshop" || me.Venue != "Indore" || !me.Cancelled || me.Sequence != 4 || !me.Start.Equal(start) {
		t.Errorf("NewMessageEvent = %+v", me)
	}
	// No English title: English notices fall back to the Hindi one.
	if d := NewMessageData(MessageContext{Event: me}, Zone{}.Moments(LangEnglish)); d.Title != "प्रशिक्षण वर्ग" || d.Venue != "Indore" {
		t.Errorf("English data title %q venue %q", d.Title, d.Venue)
	}
}

func BenchmarkRenderInviteSMS(b *testing.B) {
	ts, err := NewTemplateSet(MessageConfig{})
	if err != nil {
		b.Fatal(err)
	}
	k := TemplateKey{Kind: MessageInvite, Channel: ChannelSMS, Lang: LangHindi}
	ctx := sampleContext()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ts.Render(k, ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCountSMSHindi(b *testing.B) {
	s := strings.Repeat("सुनीता पटेल जी, बूथ सशक्तिकरण संवाद ", 5)
	b.ReportAllocs()
	for b.Loop() {
		CountSMS(s)
	}
}

// A mass address's built-in invite, reminder and change notices carry the
// join link and "dial <number>, PIN <pin>" on every channel, leave the
// bridge line out when there is none, and its SMS fit three segments even
// with the long sample data (checked when the set is built) and with a
// real one.
func TestAddressTemplates(t *testing.T) {
	ts := newTestTemplates(t)
	ctx := sampleContext()
	ctx.Event.Type = AddressEventType
	ctx.Event.Venue, ctx.Event.VenueHi = "", ""
	ctx.Link = "https://karyakram.example.in/j/EcCNtwG5YAGY1J0OTe3vVbKf_xaamg"
	dial := map[string]string{LangHindi: "डायल करें", LangEnglish: "dial"}
	pin := map[string]string{LangHindi: "पिन 482913", LangEnglish: "PIN 482913"}
	for _, kind := range []MessageKind{MessageInvite, MessageReminder, MessageChange} {
		for _, ch := range MessageChannels() {
			for _, lang := range MessageLangs() {
				k := TemplateKey{EventType: AddressEventType, Kind: kind, Channel: ch, Lang: lang}
				if _, ok := DefaultMessageTemplates()[k]; !ok {
					t.Errorf("no built-in address template %s", k)
					continue
				}
				r, err := ts.Render(k, ctx)
				if err != nil {
					t.Fatalf("%s: %v", k, err)
				}
				body := strings.ToLower(r.Body)
				if !strings.Contains(r.Body, ctx.Link) || !strings.Contains(body, dial[lang]+" +912261234567, "+strings.ToLower(pin[lang])) {
					t.Errorf("%s lacks the join link or the dial-in:\n%s", k, r.Body)
				}
				if ch == ChannelSMS && r.SMS.Segments > 3 {
					t.Errorf("%s takes %d segments", k, r.SMS.Segments)
				}
				if ch == ChannelSMS {
					t.Logf("%s: %d %s units, %d segments", k, r.SMS.Units, r.SMS.Encoding, r.SMS.Segments)
				}
				none := ctx
				none.Event.BridgeNumber, none.Event.BridgePIN = "", ""
				r, err = ts.Render(k, none)
				if err != nil {
					t.Fatalf("%s: %v", k, err)
				}
				if strings.Contains(strings.ToLower(r.Body), dial[lang]) || strings.Contains(r.Body, "PIN") || strings.Contains(r.Body, "पिन") {
					t.Errorf("%s without a bridge still mentions one:\n%s", k, r.Body)
				}
			}
		}
	}
	// Deleting an edited address template restores the built-in one, not
	// the general default.
	k := TemplateKey{EventType: AddressEventType, Kind: MessageInvite, Channel: ChannelSMS, Lang: LangEnglish}
	if err := ts.Set(k, MessageTemplate{Body: "Join: {{.Link}}"}); err != nil {
		t.Fatal(err)
	}
	if err := ts.Delete(k); err != nil {
		t.Fatal(err)
	}
	if got, _ := ts.Template(k); got != DefaultMessageTemplates()[k] {
		t.Errorf("after delete %s = %q, want the built-in address template", k, got.Body)
	}
}

// TestNoticesSayTheEventRepeatsAndTheNewEnd: a series' invitation says how
// it repeats in both languages, and a change of only the end time shows
// the new and the old end.
func TestNoticesSayTheEventRepeatsAndTheNewEnd(t *testing.T) {
	ts, err := NewTemplateSet(MessageConfig{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 27, 5, 30, 0, 0, time.UTC) // Sun 27 Dec 2026, 11:00 IST
	ev := MessageEvent{Title: "Kendra meeting", TitleHi: "केंद्र बैठक", Venue: "School", Start: start, End: start.Add(time.Hour),
		RRule: "FREQ=MONTHLY;BYDAY=-1SU"}
	link := "https://k.example.in/i/" + strings.Repeat("x", 28)
	for _, c := range []struct {
		k    TemplateKey
		want string
	}{
		{TemplateKey{Kind: MessageInvite, Channel: ChannelSMS, Lang: LangHindi}, "27 दिसंबर, सुबह 11:00 बजे (हर महीने का अंतिम रविवार), School"},
		{TemplateKey{Kind: MessageInvite, Channel: ChannelSMS, Lang: LangEnglish}, "27 Dec 11:00 am (every last Sunday), School"},
		{TemplateKey{Kind: MessageInvite, Channel: ChannelWhatsApp, Lang: LangHindi}, "🔁 हर महीने का अंतिम रविवार"},
		{TemplateKey{Kind: MessageInvite, Channel: ChannelEmail, Lang: LangEnglish}, "Repeats: every last Sunday\n"},
	} {
		r, err := ts.Render(c.k, MessageContext{Event: ev, Name: "Sita", Link: link})
		if err != nil || !strings.Contains(r.Body, c.want) {
			t.Errorf("%s: %q lacks %q (%v)", c.k, r.Body, c.want, err)
		}
	}
	single := ev
	single.RRule = ""
	if r, _ := ts.Render(TemplateKey{Kind: MessageInvite, Channel: ChannelSMS, Lang: LangEnglish}, MessageContext{Event: single, Name: "Sita", Link: link}); strings.Contains(r.Body, "every") {
		t.Errorf("a single event says it repeats: %q", r.Body)
	}
	later := ev
	later.End = start.Add(2 * time.Hour)
	for lang, want := range map[string][]string{
		LangHindi:   {"नया समय: सुबह 11:00 बजे से दोपहर 1:00 बजे तक", "पहले: रविवार, 27 दिसंबर 2026, सुबह 11:00 बजे से दोपहर 12:00 बजे तक"},
		LangEnglish: {"New time: 11:00 am to 1:00 pm IST", "Previously: Sun, 27 Dec 2026, 11:00 am to 12:00 pm"},
	} {
		r, err := ts.Render(TemplateKey{Kind: MessageChange, Channel: ChannelEmail, Lang: lang}, MessageContext{Event: later, Previous: &ev, Name: "Sita", Link: link})
		for _, w := range want {
			if err != nil || !strings.Contains(r.Body, w) {
				t.Errorf("%s change notice %q lacks %q (%v)", lang, r.Body, w, err)
			}
		}
	}
	if k, ok := ChangeNoticeKind(ev, later); !ok || k != MessageChange {
		t.Error("an end-time change notifies nobody")
	}
	skipped := ev
	skipped.ExDates = []time.Time{start.AddDate(0, 1, 4)}
	if k, ok := ChangeNoticeKind(ev, skipped); !ok || k != MessageChange || !SeriesOnlyChange(ev, skipped) || SeriesOnlyChange(ev, later) {
		t.Error("skipping an occurrence of a series notifies nobody, or is not told apart from a new time")
	}
	for lang, want := range map[string]string{LangHindi: "कुछ तिथियाँ बदली हैं", LangEnglish: "Some dates changed"} {
		r, err := ts.Render(TemplateKey{Kind: MessageChange, Channel: ChannelEmail, Lang: lang}, MessageContext{Event: skipped, Previous: &ev, Name: "Sita", Link: link})
		if err != nil || !strings.Contains(r.Body, want) || strings.Contains(r.Body, "पहले:") || strings.Contains(r.Body, "Previously") {
			t.Errorf("%s notice of a skipped occurrence: %q (%v)", lang, r.Body, err)
		}
	}
}
