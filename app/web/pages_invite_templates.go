package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/schedule"
)

// The message template editor: the state office edits the text of
// invitations, reminders and notices per event type, channel and
// language, previews it with sample data, and saves it; an invalid
// template is refused at save time with the problem named.

type templateRow struct {
	Key    schedule.TemplateKey
	Label  string // the key in words: "सभी प्रकार · आमंत्रण · एसएमएस · हिन्दी"
	Source schedule.MessageTemplate
	Edited bool
}

type templatesPage struct {
	Base       basePage
	Rows       []templateRow
	Key        schedule.TemplateKey
	Template   schedule.MessageTemplate
	EventTypes []choice // value "" is every type
	Kinds      []schedule.MessageKind
	Channels   []schedule.MessageChannel
	Langs      []choice
	Preview    *schedule.RenderedMessage
	Problem    string
	Saved      bool
}

func (s *Server) templatesPageFor(c *gin.Context) templatesPage {
	p := templatesPage{Base: s.base(c), Kinds: schedule.MessageKinds(), Channels: schedule.MessageChannels()}
	lang := p.Base.Lang
	types, _ := s.store.EventTypes(c.Request.Context())
	typeLabel := func(key string) string {
		if key == "" {
			return s.pages.Text(lang, "templates.all_types")
		}
		return s.typeName(types, key, lang)
	}
	for _, t := range append([]string{""}, schedule.DefaultEventTypes()...) {
		p.EventTypes = append(p.EventTypes, choice{Value: t, Label: typeLabel(t)})
	}
	for _, l := range schedule.MessageLangs() {
		p.Langs = append(p.Langs, choice{Value: l, Label: s.pages.Text(lang, "lang."+l)})
	}
	defer func() {
		for i := range p.Rows {
			k := p.Rows[i].Key
			p.Rows[i].Label = strings.Join([]string{typeLabel(k.EventType), s.pages.Text(lang, "templates.kind."+string(k.Kind)),
				s.pages.Text(lang, "invite.channel."+string(k.Channel)), s.pages.Text(lang, "lang."+k.Lang)}, " · ")
		}
	}()
	saved := map[schedule.TemplateKey]bool{}
	if list, err := s.store.MessageTemplates(c.Request.Context()); err == nil {
		for _, t := range list {
			saved[t.Key] = true
		}
	}
	for _, k := range schedule.MessageKinds() {
		for _, ch := range schedule.MessageChannels() {
			for _, l := range schedule.MessageLangs() {
				key := schedule.TemplateKey{Kind: k, Channel: ch, Lang: l}
				src, _ := s.inv.cfg.Templates.Template(key)
				p.Rows = append(p.Rows, templateRow{Key: key, Source: src, Edited: saved[key]})
			}
		}
	}
	// Event types with built-in templates of their own (a mass address)
	// are listed too, edited or not.
	builtin := schedule.DefaultMessageTemplates()
	for _, k := range schedule.MessageKinds() {
		for _, ch := range schedule.MessageChannels() {
			for _, l := range schedule.MessageLangs() {
				key := schedule.TemplateKey{EventType: schedule.AddressEventType, Kind: k, Channel: ch, Lang: l}
				if _, ok := builtin[key]; ok && !saved[key] {
					src, _ := s.inv.cfg.Templates.Template(key)
					p.Rows = append(p.Rows, templateRow{Key: key, Source: src})
				}
			}
		}
	}
	for k := range saved {
		if k.EventType != "" {
			src, _ := s.inv.cfg.Templates.Template(k)
			p.Rows = append(p.Rows, templateRow{Key: k, Source: src, Edited: true})
		}
	}
	return p
}

func templateKeyFrom(get func(string) string) schedule.TemplateKey {
	return schedule.TemplateKey{EventType: strings.TrimSpace(get("type")), Kind: schedule.MessageKind(get("kind")),
		Channel: schedule.MessageChannel(get("channel")), Lang: get("lang")}
}

func (s *Server) showMessageTemplates(c *gin.Context) {
	p := s.templatesPageFor(c)
	p.Key = templateKeyFrom(c.Query)
	if p.Key.Kind == "" {
		p.Key = schedule.TemplateKey{EventType: p.Key.EventType, Kind: schedule.MessageInvite, Channel: schedule.ChannelSMS, Lang: p.Base.Lang}
	}
	p.Template, _ = s.inv.cfg.Templates.Template(p.Key)
	s.render(c, "message_templates", p)
}

// previewMessage renders t for k with a sample event, so the editor sees
// the message as an invitee would.
func previewMessage(k schedule.TemplateKey, t schedule.MessageTemplate, cfg schedule.MessageConfig) (*schedule.RenderedMessage, error) {
	ts, err := schedule.NewTemplateSet(cfg)
	if err != nil {
		return nil, err
	}
	if err := ts.Set(k, t); err != nil {
		return nil, err
	}
	start := time.Date(2026, 9, 12, 13, 0, 0, 0, time.UTC)
	ev := schedule.MessageEvent{Type: k.EventType, Title: "District Working Committee Meeting", TitleHi: "ज़िला कार्यसमिति बैठक",
		Venue: "Manas Bhawan, Jabalpur", VenueHi: "मानस भवन, जबलपुर", Start: start, End: start.Add(2 * time.Hour)}
	prev := ev
	prev.Start = start.Add(-24 * time.Hour)
	name := "Ramesh Kumar"
	if k.Lang == schedule.LangHindi {
		name = "रमेश कुमार"
	}
	link := schedule.InviteURL("https://karyakram.example.in", strings.Repeat("x", 30))
	if k.EventType == schedule.AddressEventType {
		// A mass address's notices carry the join link and the worker's
		// own district's bridge.
		link = strings.Replace(link, "/i/", "/j/", 1)
		ev.BridgeNumber, ev.BridgePIN = "+917554000012", "482913"
	}
	r, err := ts.Render(k, schedule.MessageContext{Event: ev, Previous: &prev, Name: name, Link: link, Reason: "heavy rain"})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func (s *Server) saveMessageTemplate(c *gin.Context) {
	p := s.templatesPageFor(c)
	p.Key = templateKeyFrom(c.PostForm)
	p.Template = schedule.MessageTemplate{Subject: c.PostForm("subject"), Body: strings.ReplaceAll(c.PostForm("body"), "\r\n", "\n")}
	var err error
	switch c.PostForm("action") {
	case "preview":
		p.Preview, err = previewMessage(p.Key, p.Template, s.inv.cfg.Messages)
	case "reset":
		err = s.store.DeleteMessageTemplate(c.Request.Context(), actor(c), s.inv.cfg.Templates, s.inv.cfg.Messages, p.Key)
		if err == nil {
			p = s.templatesPageFor(c)
			p.Key = templateKeyFrom(c.PostForm)
			p.Template, _ = s.inv.cfg.Templates.Template(p.Key)
			p.Saved = true
		}
	default:
		err = s.store.SaveMessageTemplate(c.Request.Context(), actor(c), s.inv.cfg.Templates, p.Key, p.Template)
		if err == nil {
			p = s.templatesPageFor(c)
			p.Key = templateKeyFrom(c.PostForm)
			p.Template, _ = s.inv.cfg.Templates.Template(p.Key)
			p.Preview, _ = previewMessage(p.Key, p.Template, s.inv.cfg.Messages)
			p.Saved = true
		}
	}
	if err != nil {
		switch schedule.ErrorCode(err) {
		case schedule.EINTERNAL, schedule.EFORBIDDEN:
			s.fail(c, err)
			return
		}
		p.Problem = s.errText(c, err)
		s.renderStatus(c, http.StatusUnprocessableEntity, "message_templates", p)
		return
	}
	s.render(c, "message_templates", p)
}
