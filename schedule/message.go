package schedule

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"text/template"
	"time"
)

// MessageChannel is a way a notice reaches a person.
type MessageChannel string

// Channels a notice can go out on.
const (
	ChannelSMS      MessageChannel = "sms"
	ChannelEmail    MessageChannel = "email"
	ChannelWhatsApp MessageChannel = "whatsapp"
)

// Languages notices are written in; they match Worker.Language.
const (
	LangHindi   = "hi"
	LangEnglish = "en"
)

// MessageKind is why a notice is sent.
type MessageKind string

// Kinds of notice.
const (
	MessageInvite   MessageKind = "invite"
	MessageReminder MessageKind = "reminder"
	MessageChange   MessageKind = "change"
	MessageCancel   MessageKind = "cancel"
)

// MessageChannels lists every channel, MessageKinds every kind and
// MessageLangs every language, in a fixed order.
func MessageChannels() []MessageChannel {
	return []MessageChannel{ChannelSMS, ChannelEmail, ChannelWhatsApp}
}

// MessageKinds lists every kind of notice.
func MessageKinds() []MessageKind {
	return []MessageKind{MessageInvite, MessageReminder, MessageChange, MessageCancel}
}

// MessageLangs lists the languages notices are written in.
func MessageLangs() []string { return []string{LangHindi, LangEnglish} }

// MessageEvent is what a notice says about an event. The caller fills it
// from its event record; only the fields a template shows are needed.
type MessageEvent struct {
	ID   int64
	UID  string // iCalendar UID (Event.UID)
	Type string // event type key, selects type-specific templates
	// Title and Venue are shown in English notices; TitleHi and VenueHi,
	// when set, in Hindi ones.
	Title, TitleHi string
	Venue, VenueHi string
	Start, End     time.Time
	// BridgeNumber and BridgePIN are the audio bridge for a mass
	// address; empty when there is none.
	BridgeNumber, BridgePIN string
	// Sequence is the iCalendar SEQUENCE (Event.Sequence): it grows with
	// every material change and numbers change notices.
	Sequence  int
	Cancelled bool
	// RRule, ExDates and Overrides are the series of a recurring event
	// (as in Event; RRule "" for a single event): notices say that it
	// repeats, and calendar invitations carry the same series as the
	// feeds.
	RRule     string      `json:",omitempty"`
	ExDates   []time.Time `json:",omitempty"`
	Overrides []Override  `json:",omitempty"`
}

// Recurring reports whether the event repeats.
func (e MessageEvent) Recurring() bool { return strings.TrimSpace(e.RRule) != "" }

// CalendarEvent returns what a calendar invitation describes: the event
// (the whole series when it repeats), with description.
func (e MessageEvent) CalendarEvent(description string) Event {
	st := EventConfirmed
	if e.Cancelled {
		st = EventCancelled
	}
	return Event{
		ID: e.ID, UID: e.UID, Type: e.Type, Title: e.Title, TitleHi: e.TitleHi,
		Description: description, Venue: Venue{Name: e.Venue},
		Start: e.Start, End: e.End, Status: st, Sequence: e.Sequence,
		RRule: e.RRule, ExDates: e.ExDates, Overrides: e.Overrides,
	}
}

// MessageContext is everything one notice is rendered from.
type MessageContext struct {
	Event MessageEvent
	// Previous is the event before a change; used by change notices.
	Previous *MessageEvent
	Name     string // invitee's name; empty for a group forward
	Link     string // personal link (InviteURL)
	Reason   string // cancellation or change reason, optional
}

// MessageData is the dot of a message template. Dates and times are
// already formatted in IST in the template's language, e.g. Date
// "शनिवार, 15 अगस्त 2026" / "Sat, 15 Aug 2026", Time "शाम 6:30 बजे" /
// "6:30 pm".
type MessageData struct {
	Name                    string
	Title                   string
	Venue                   string
	Date, ShortDate, Time   string
	When                    string // Date + ", " + Time
	EndTime                 string
	Link                    string
	BridgeNumber, BridgePIN string
	Reason                  string
	// Zone names the time zone of the times shown: "IST".
	Zone string
	// OldWhen and OldVenue describe the event before a change; empty when
	// they did not change. OldEndTime is the end time before a change
	// that moved the end. OldSpan is the whole old time ("Sat, 12 Sep
	// 2026, 6:30 pm to 8:30 pm") when the start or the end changed.
	OldWhen, OldVenue, OldEndTime, OldSpan string
	// SeriesChanged is set on a change notice whose change is in the
	// series (occurrences skipped, moved or the rule changed).
	SeriesChanged bool
	// Repeats says how a recurring event repeats, without the time of day
	// (Time has it): "every last Sunday" / "हर महीने का अंतिम रविवार";
	// empty for a single event.
	Repeats string
}

// NewMessageData builds the template dot for ctx, with dates and times
// shown by m (the organisation's zone, the notice's language).
func NewMessageData(ctx MessageContext, m Moments) MessageData {
	ev := ctx.Event
	lang := m.Lang()
	d := MessageData{
		Name:         ctx.Name,
		Title:        pick(lang, ev.Title, ev.TitleHi),
		Venue:        pick(lang, ev.Venue, ev.VenueHi),
		Date:         m.DateMedium(ev.Start),
		ShortDate:    m.DayMonth(ev.Start),
		Time:         m.Spoken(ev.Start),
		Link:         ctx.Link,
		Zone:         m.Zone().Label(),
		BridgeNumber: ev.BridgeNumber,
		BridgePIN:    ev.BridgePIN,
		Reason:       ctx.Reason,
	}
	d.When = d.Date + ", " + d.Time
	if !ev.End.IsZero() {
		d.EndTime = m.Spoken(ev.End)
	}
	if ev.Recurring() {
		if r, err := ParseRRuleIn(ev.RRule, m.Zone()); err == nil {
			d.Repeats = m.RepeatPattern(r, ev.Start)
		}
	}
	if p := ctx.Previous; p != nil {
		if !p.Start.Equal(ev.Start) {
			d.OldWhen = m.DateMedium(p.Start) + ", " + m.Spoken(p.Start)
		}
		if !p.End.IsZero() && !p.End.Equal(ev.End) {
			d.OldEndTime = m.Spoken(p.End)
			if !m.SameDay(p.End, ev.End) {
				d.OldEndTime = m.DateMedium(p.End) + ", " + d.OldEndTime
			}
		}
		if d.OldWhen != "" || d.OldEndTime != "" {
			d.OldSpan = spokenSpan(m, p.Start, p.End)
		}
		d.SeriesChanged = ev.Recurring() && !sameSeries(*p, ev)
		if old := pick(lang, p.Venue, p.VenueHi); old != d.Venue {
			d.OldVenue = old
		}
	}
	return d
}

// spokenSpan is "Sat, 12 Sep 2026, 6:30 pm to 8:30 pm" / "शनिवार, 12
// सितंबर 2026, शाम 6:30 बजे से रात 8:30 बजे तक", with the end's date when
// it falls on another day.
func spokenSpan(m Moments, start, end time.Time) string {
	s := m.DateMedium(start) + ", " + m.Spoken(start)
	if end.IsZero() || !end.After(start) {
		return s
	}
	e := m.Spoken(end)
	if !m.SameDay(start, end) {
		e = m.DateMedium(end) + ", " + e
	}
	if m.Lang() == LangHindi {
		return s + " से " + e + " तक"
	}
	return s + " to " + e
}

// pick returns the text for lang, falling back to the other language.
func pick(lang, en, hi string) string {
	if (lang == LangHindi && hi != "") || en == "" {
		return hi
	}
	return en
}

// NewMessageEvent returns what notices say about e (or one occurrence of
// it, when the caller passes the expanded occurrence). The audio bridge
// and a Hindi venue name are not part of Event; callers fill BridgeNumber,
// BridgePIN and VenueHi themselves.
func NewMessageEvent(e *Event) MessageEvent {
	return MessageEvent{
		ID: e.ID, UID: e.UID, Type: e.Type,
		Title: e.Title, TitleHi: e.TitleHi,
		Venue: e.Venue.Name,
		Start: e.Start, End: e.End,
		Sequence:  e.Sequence,
		Cancelled: e.Status == EventCancelled,
		RRule:     e.RRule, ExDates: e.ExDates, Overrides: e.Overrides,
	}
}

// TemplateKey selects a message template. EventType "" is the default for
// every event type without its own template.
type TemplateKey struct {
	EventType string
	Kind      MessageKind
	Channel   MessageChannel
	Lang      string
}

// String is "type/kind/channel/lang", with "*" for the default type.
func (k TemplateKey) String() string {
	t := k.EventType
	if t == "" {
		t = "*"
	}
	return fmt.Sprintf("%s/%s/%s/%s", t, k.Kind, k.Channel, k.Lang)
}

// MessageTemplate is the editable source of one notice, in text/template
// syntax over MessageData. Subject is used by email only.
type MessageTemplate struct {
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body"`
}

// RenderedMessage is a notice ready to send. SMS describes Body's SMS
// encoding and segments (filled for every channel, used for SMS).
type RenderedMessage struct {
	Subject string
	Body    string
	SMS     SMSInfo
	// Shortened reports that an SMS's title or venue was shortened to fit
	// the segment budget (see fitSMS).
	Shortened bool
}

// MessageConfig holds the rules templates are checked against.
type MessageConfig struct {
	// MaxSMSSegments is the most segments an SMS notice may take with
	// sample data (long name, long title, full link); 0 means 3.
	MaxSMSSegments int
	// SampleLink is a link as long as real ones, used to check templates;
	// "" means a 28-character token under https://karyakram.example.in.
	SampleLink string
	// Zone is the organisation's time zone, in which notices show dates
	// and times; the zero Zone is Asia/Kolkata.
	Zone Zone
	// SMSSegmentPaise is what one SMS segment costs, in paise, for the
	// cost shown before sending; 0 means 20 (₹0.20).
	SMSSegmentPaise int
}

// MaxSegments is the SMS segment budget in force.
func (c MessageConfig) MaxSegments() int { return c.maxSegments() }

// SegmentPaise is the price of one SMS segment in force, in paise.
func (c MessageConfig) SegmentPaise() int {
	if c.SMSSegmentPaise <= 0 {
		return 20
	}
	return c.SMSSegmentPaise
}

func (c MessageConfig) maxSegments() int {
	if c.MaxSMSSegments <= 0 {
		return 3
	}
	return c.MaxSMSSegments
}

type compiledTemplate struct {
	src           MessageTemplate
	subject, body *template.Template
}

// TemplateSet holds the templates in force: the defaults plus the state
// office's edits. It is safe for concurrent use.
type TemplateSet struct {
	cfg MessageConfig
	mu  sync.RWMutex
	m   map[TemplateKey]*compiledTemplate
}

// NewTemplateSet returns a set holding DefaultMessageTemplates.
func NewTemplateSet(cfg MessageConfig) (*TemplateSet, error) {
	ts := &TemplateSet{cfg: cfg, m: make(map[TemplateKey]*compiledTemplate)}
	for k, t := range DefaultMessageTemplates() {
		if err := ts.Set(k, t); err != nil {
			return nil, fmt.Errorf("default template %s: %w", k, err)
		}
	}
	return ts, nil
}

// Set checks t and stores it under k. Checking parses both parts and
// executes them against sample data, so syntax errors and unknown fields
// ({{.Nmae}}) fail here, at save time, never at send time; an SMS invite or
// reminder must also fit MaxSMSSegments with the sample.
func (ts *TemplateSet) Set(k TemplateKey, t MessageTemplate) error {
	c, err := compileTemplate(ts.cfg, k, t)
	if err != nil {
		return err
	}
	ts.mu.Lock()
	ts.m[k] = c
	ts.mu.Unlock()
	return nil
}

// Zone is the organisation's time zone the set's notices show times in.
func (ts *TemplateSet) Zone() Zone { return ts.cfg.Zone }

// ValidateTemplate checks t for k as Set does, without storing it; for a
// preview before saving.
func (ts *TemplateSet) ValidateTemplate(k TemplateKey, t MessageTemplate) error {
	_, err := compileTemplate(ts.cfg, k, t)
	return err
}

// Delete removes the template stored under k, so lookups fall back to the
// built-in template of k's event type (a mass address has its own, see
// DefaultMessageTemplates), else to the default event type's. Deleting a
// default ("" event type) template is refused.
func (ts *TemplateSet) Delete(k TemplateKey) error {
	if k.EventType == "" {
		return Errorf(EINVALID, "the default template %s cannot be deleted, only edited", k)
	}
	if def, ok := DefaultMessageTemplates()[k]; ok {
		return ts.Set(k, def)
	}
	ts.mu.Lock()
	delete(ts.m, k)
	ts.mu.Unlock()
	return nil
}

// Template returns the source in force for k, falling back from the event
// type to the default, and whether one was found.
func (ts *TemplateSet) Template(k TemplateKey) (MessageTemplate, bool) {
	c := ts.lookup(k)
	if c == nil {
		return MessageTemplate{}, false
	}
	return c.src, true
}

func (ts *TemplateSet) lookup(k TemplateKey) *compiledTemplate {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	if c := ts.m[k]; c != nil {
		return c
	}
	k.EventType = ""
	return ts.m[k]
}

// CheckSMS checks a rendered SMS body against the configured maximum
// segments; a preview with the real event and the longest invitee name
// calls it before sending.
func (ts *TemplateSet) CheckSMS(body string) error {
	return CheckSMSFits(body, ts.cfg.maxSegments())
}

// Render renders the notice for k (falling back to the default event type)
// from ctx.
func (ts *TemplateSet) Render(k TemplateKey, ctx MessageContext) (RenderedMessage, error) {
	c := ts.lookup(k)
	if c == nil {
		return RenderedMessage{}, Errorf(ENOTFOUND, "no message template for %s", k)
	}
	d := NewMessageData(ctx, ts.cfg.Zone.Moments(k.Lang))
	r, err := c.render(d)
	if err != nil || k.Channel != ChannelSMS {
		return r, err
	}
	return fitSMS(c, d, r, ts.cfg.maxSegments())
}

// Config is the set's configuration (segment budget, price, zone).
func (ts *TemplateSet) Config() MessageConfig { return ts.cfg }

func (c *compiledTemplate) render(d MessageData) (RenderedMessage, error) {
	var r RenderedMessage
	var buf bytes.Buffer
	if c.subject != nil {
		if err := c.subject.Execute(&buf, d); err != nil {
			return r, fmt.Errorf("render subject: %w", err)
		}
		r.Subject = strings.Join(strings.Fields(buf.String()), " ")
		buf.Reset()
	}
	if err := c.body.Execute(&buf, d); err != nil {
		return r, fmt.Errorf("render body: %w", err)
	}
	r.Body = tidyBody(buf.String())
	r.SMS = CountSMS(r.Body)
	return r, nil
}

// tidyBody trims the text and removes the blank lines that {{if}} blocks
// leave behind (at most one empty line in a row).
func tidyBody(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	out := lines[:0]
	blank := false
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func compileTemplate(cfg MessageConfig, k TemplateKey, t MessageTemplate) (*compiledTemplate, error) {
	if err := validateKey(k); err != nil {
		return nil, err
	}
	if strings.TrimSpace(t.Body) == "" {
		return nil, FieldError("body", "the message text is empty")
	}
	if k.Channel == ChannelEmail && strings.TrimSpace(t.Subject) == "" {
		return nil, FieldError("subject", "an email needs a subject")
	}
	c := &compiledTemplate{src: t}
	var err error
	if t.Subject != "" {
		if c.subject, err = template.New("subject").Option("missingkey=error").Parse(t.Subject); err != nil {
			return nil, FieldError("subject", "template error: %s", templateErrText(err))
		}
	}
	if c.body, err = template.New("body").Option("missingkey=error").Parse(t.Body); err != nil {
		return nil, FieldError("body", "template error: %s", templateErrText(err))
	}
	sample := sampleMessageData(cfg, k)
	r, err := c.render(sample)
	if err != nil {
		field := "body"
		if strings.HasPrefix(err.Error(), "render subject") {
			field = "subject"
		}
		return nil, FieldError(field, "template error: %s", templateErrText(err))
	}
	if k.Channel == ChannelSMS && (k.Kind == MessageInvite || k.Kind == MessageReminder) {
		if err := CheckSMSFits(r.Body, cfg.maxSegments()); err != nil {
			return nil, err
		}
	}
	if !strings.Contains(r.Body, sample.Link) && k.Kind != MessageCancel {
		return nil, FieldError("body", "the message must include the personal link {{.Link}}")
	}
	return c, nil
}

// templateErrText shortens text/template's messages to what an editor
// needs: `template: body:1:7: executing "body" at <.Nmae>: can't evaluate
// field Nmae in type schedule.MessageData` becomes `line 1: at <.Nmae>:
// unknown field Nmae`.
func templateErrText(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "render body: ")
	s = strings.TrimPrefix(s, "render subject: ")
	for _, name := range []string{"body", "subject"} {
		if rest, ok := strings.CutPrefix(s, "template: "+name+":"); ok {
			line, after, _ := strings.Cut(rest, ":")
			if _, col, ok := strings.Cut(after, ": "); ok {
				after = col
			}
			after = strings.Replace(after, `executing "`+name+`" `, "", 1)
			s = "line " + line + ": " + after
		}
	}
	if i := strings.Index(s, "can't evaluate field "); i >= 0 {
		f, _, _ := strings.Cut(s[i+len("can't evaluate field "):], " ")
		s = s[:i] + "unknown field " + f
	}
	return s
}

func validateKey(k TemplateKey) error {
	switch k.Kind {
	case MessageInvite, MessageReminder, MessageChange, MessageCancel:
	default:
		return FieldError("kind", "unknown message kind %q", k.Kind)
	}
	switch k.Channel {
	case ChannelSMS, ChannelEmail, ChannelWhatsApp:
	default:
		return FieldError("channel", "unknown channel %q", k.Channel)
	}
	if k.Lang != LangHindi && k.Lang != LangEnglish {
		return FieldError("lang", "unknown language %q (want hi or en)", k.Lang)
	}
	return nil
}

// sampleMessageData is long-but-realistic data templates are checked with.
func sampleMessageData(cfg MessageConfig, k TemplateKey) MessageData {
	link := cfg.SampleLink
	if link == "" {
		link = "https://karyakram.example.in/i/" + strings.Repeat("x", 28)
	}
	start := cfg.Zone.Date(2026, 9, 12, 18, 30) // a Saturday evening
	ev := MessageEvent{
		Title: "District Working Committee Meeting", TitleHi: "ज़िला कार्यसमिति बैठक",
		Venue: "Manas Bhawan, Jabalpur", VenueHi: "मानस भवन, जबलपुर",
		Start: start, End: start.Add(2 * time.Hour),
		BridgeNumber: "+912261234567", BridgePIN: "482913",
		// A monthly series: a template showing {{.Repeats}} is checked
		// with the phrase in place.
		RRule: "FREQ=MONTHLY;BYDAY=-1SA",
	}
	prev := ev
	prev.Start = start.Add(-24 * time.Hour)
	prev.Venue, prev.VenueHi = "Shaheed Smarak, Jabalpur", "शहीद स्मारक, जबलपुर"
	name := "Rameshwar Prasad Vishwakarma"
	if k.Lang == LangHindi {
		name = "रामेश्वर प्रसाद विश्वकर्मा"
	}
	return NewMessageData(MessageContext{Event: ev, Previous: &prev, Name: name, Link: link, Reason: "heavy rain"}, cfg.Zone.Moments(k.Lang))
}

// UnsubscribeNote is the line under a bulk email before its unsubscribe
// link: why the reader got it and how to stop such emails. Login codes are
// not bulk email and do not carry it.
func UnsubscribeNote(lang string) string {
	if lang == LangHindi {
		return "आपको यह ईमेल कार्यक्रमों के आमंत्रण के कारण मिला है। ऐसे ईमेल बंद करने के लिए:"
	}
	return "You receive this email because you are invited to programmes. To stop these emails:"
}
