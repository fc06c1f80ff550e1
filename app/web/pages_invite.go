package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/notify"
	"github.com/karyakram/karyakram/app/outbox"
	"github.com/karyakram/karyakram/app/pdf"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
	"github.com/karyakram/karyakram/templates"
)

// InviteConfig holds what the invitation pages need beyond the store.
type InviteConfig struct {
	// Signer signs and verifies personal links; nil means a random key
	// per start (links die with a restart: development only).
	Signer *schedule.Signer
	// BaseURL is the public address links point to; "" means the
	// address of the request.
	BaseURL string
	// Templates are the message templates in force, shared with the
	// outbox drainer; nil loads them from the store.
	Templates *schedule.TemplateSet
	// Messages are the template rules.
	Messages schedule.MessageConfig
	// LinkTTL is how long after the event links work; 0 means 30 days.
	LinkTTL time.Duration
	// PDF renders letters and sheets; nil builds one from the bundled
	// fonts on first use.
	PDF *pdf.Engine
}

// inviteState is the invitation pages' share of the Server.
type inviteState struct {
	cfg     InviteConfig
	pdfOnce sync.Once
	pdf     *pdf.Engine
	pdfErr  error
}

// inviteSampleSize is how many uncontactable people a preview lists.
const inviteSampleSize = 20

// maxLetters caps one bulk letters PDF.
const maxLetters = 20000

// setupInvites fills in the invitation defaults: a random link key when
// none is configured (links then die with the process: serve always passes
// the kept key), the 30-day link lifetime, the templates in force.
func (s *Server) setupInvites() error {
	cfg := s.cfg.Invite
	if cfg.Signer == nil {
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return fmt.Errorf("invite link key: %w", err)
		}
		signer, err := schedule.NewSigner(schedule.LinkKey{ID: 0, Secret: secret})
		if err != nil {
			return fmt.Errorf("invite link signer: %w", err)
		}
		cfg.Signer = signer
	}
	if cfg.LinkTTL <= 0 {
		cfg.LinkTTL = 30 * 24 * time.Hour
	}
	if cfg.Templates == nil {
		ts, err := s.store.LoadTemplateSet(context.Background(), cfg.Messages)
		if err != nil {
			s.log.Error("load message templates; using defaults", "err", err)
			if ts, err = schedule.NewTemplateSet(cfg.Messages); err != nil {
				return fmt.Errorf("message templates: %w", err)
			}
		}
		cfg.Templates = ts
	}
	s.inv = &inviteState{cfg: cfg, pdf: cfg.PDF}
	return nil
}

func (s *Server) baseURL(c *gin.Context) string {
	if s.inv.cfg.BaseURL != "" {
		return s.inv.cfg.BaseURL
	}
	scheme := "http"
	if c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

// pdfEngine returns the PDF engine, loading the fonts once.
func (s *Server) pdfEngine() (*pdf.Engine, error) {
	s.inv.pdfOnce.Do(func() {
		if s.inv.pdf == nil {
			s.inv.pdf, s.inv.pdfErr = pdf.NewEngine(templates.Fonts)
		}
	})
	return s.inv.pdf, s.inv.pdfErr
}

// eventTitle is the event's title in lang.
func eventTitle(e store.InviteEvent, lang string) string {
	if lang == schedule.LangHindi && e.TitleHi != "" {
		return e.TitleHi
	}
	if e.Title == "" {
		return e.TitleHi
	}
	return e.Title
}

func eventVenue(e store.InviteEvent, lang string) string {
	if lang == schedule.LangHindi && e.VenueHi != "" {
		return e.VenueHi
	}
	return e.Venue
}

type invitePage struct {
	Base     basePage
	Event    store.InviteEvent
	Title    string
	Roles    []schedule.Role
	Levels   schedule.Levels
	Form     inviteForm
	Preview  *store.AudiencePreview
	SMS      *smsPlan // the SMS cost before sending; nil for other channels
	Report   *store.FanOutReport
	Problem  string
	WhatsApp string // forward text for group pramukhs
	WALink   string
	Channels []schedule.MessageChannel
	Invited  int // invitations so far: letters and sheets exist only then
}

// inviteForm is the audience as the form carries it.
type inviteForm struct {
	Units   string // unit codes, comma or space separated
	Roles   map[string]bool
	Level   string
	Channel string
}

func parseInviteForm(c *gin.Context, get func(string) string, getAll func(string) []string) inviteForm {
	f := inviteForm{Units: strings.TrimSpace(get("units")), Level: get("level"), Channel: get("channel"), Roles: map[string]bool{}}
	for _, r := range getAll("role") {
		f.Roles[r] = true
	}
	if f.Channel == "" {
		f.Channel = string(schedule.ChannelSMS)
	}
	return f
}

// audience turns the form into a store.Audience, resolving unit codes in
// the actor's scope.
func (s *Server) audience(c *gin.Context, f inviteForm) (store.Audience, error) {
	a := store.Audience{Level: f.Level, Channel: schedule.MessageChannel(f.Channel)}
	for code := range strings.FieldsFuncSeq(f.Units, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' }) {
		u, err := s.store.FindUnitByCode(c.Request.Context(), actor(c), code)
		if err != nil {
			return a, schedule.FieldError("units", "unit %q not found", code)
		}
		a.UnitIDs = append(a.UnitIDs, u.ID)
	}
	for r := range f.Roles {
		a.Roles = append(a.Roles, r)
	}
	return a, nil
}

func (s *Server) invitePageFor(c *gin.Context) (invitePage, bool) {
	ctx := c.Request.Context()
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return invitePage{}, false
	}
	ev, err := s.store.FindInviteEvent(ctx, actor(c), id)
	if err != nil {
		s.fail(c, err)
		return invitePage{}, false
	}
	p := invitePage{Base: s.base(c), Event: ev, Channels: schedule.MessageChannels()}
	p.Title = eventTitle(ev, p.Base.Lang)
	if p.Roles, err = s.store.Roles(ctx); err == nil {
		p.Levels, err = s.store.Levels(ctx)
	}
	if err != nil {
		s.fail(c, err)
		return p, false
	}
	p.WhatsApp, p.WALink = s.whatsAppForward(ev, p.Base.Lang)
	if counts, err := s.store.InviteCounts(ctx, actor(c), id); err == nil {
		p.Invited = counts.Total
	}
	return p, true
}

// whatsAppForward is the group message a WhatsApp pramukh forwards down
// the groups: the invite text without a personal name or link (RSVP needs a
// personal link, which only individual messages carry).
func (s *Server) whatsAppForward(ev store.InviteEvent, lang string) (text, link string) {
	d := schedule.NewMessageData(schedule.MessageContext{Event: ev.MessageEvent}, s.zone().Moments(lang))
	var b strings.Builder
	b.WriteString(d.Title + "\n" + d.When)
	if d.Venue != "" {
		b.WriteString("\n" + d.Venue)
	}
	if d.BridgeNumber != "" {
		b.WriteString("\n☎ " + d.BridgeNumber)
		if d.BridgePIN != "" {
			b.WriteString(" PIN " + d.BridgePIN)
		}
	}
	if ev.Settings.JoinURL != "" {
		b.WriteString("\n" + ev.Settings.JoinURL)
	}
	text = b.String()
	link, _ = notify.WhatsAppShareLink("", text)
	return text, link
}

func (s *Server) showInvite(c *gin.Context) {
	p, ok := s.invitePageFor(c)
	if !ok {
		return
	}
	p.Form = parseInviteForm(c, c.Query, c.QueryArray)
	if p.Form.Units == "" {
		p.Form.Units = s.eventUnitCode(c, p.Event)
		s.render(c, "invite", p)
		return
	}
	a, err := s.audience(c, p.Form)
	if err == nil {
		var pv store.AudiencePreview
		if pv, err = s.store.PreviewAudience(c.Request.Context(), actor(c), p.Event.ID, a, inviteSampleSize); err == nil {
			p.Preview = &pv
			p.SMS, err = s.planSMS(c, p.Event, a)
		}
	}
	if err != nil {
		if schedule.ErrorCode(err) == schedule.EINTERNAL {
			s.fail(c, err)
			return
		}
		p.Problem = s.errText(c, err)
	}
	s.render(c, "invite", p)
}

// errOverBudget is sendToAudience's answer when each SMS would be longer
// than the segment budget and the sender has not accepted the cost.
var errOverBudget = schedule.Errorf(schedule.ECONFLICT, "each SMS would be longer than the segment budget; look at its size and cost, then send again accepting them (over_budget)")

// sendToAudience sends the event's invitations to audience a, as the
// invite form does: an SMS over the segment budget goes only when the
// sender accepted its size and cost (acceptOver), else the answer is
// errOverBudget with the plan saying why. The send is idempotent: people
// invited before are counted, not invited again.
func (s *Server) sendToAudience(c *gin.Context, ev store.InviteEvent, a store.Audience, acceptOver bool) (*smsPlan, store.FanOutReport, error) {
	sms, err := s.planSMS(c, ev, a)
	if err != nil {
		return sms, store.FanOutReport{}, err
	}
	if sms != nil && sms.Over && !acceptOver {
		return sms, store.FanOutReport{}, errOverBudget
	}
	rep, err := s.store.SendInvites(c.Request.Context(), actor(c), ev.ID, a)
	return sms, rep, err
}

// eventUnitCode is the code of the event's own unit: the audience an
// invitation goes to unless the sender names another (a cluster's meeting
// invites the cluster, never the whole of the official's area by default).
func (s *Server) eventUnitCode(c *gin.Context, ev store.InviteEvent) string {
	if u, err := s.store.FindUnitByID(c.Request.Context(), actor(c), ev.UnitID); err == nil {
		return u.Code
	}
	return ""
}

func (s *Server) sendInvites(c *gin.Context) {
	p, ok := s.invitePageFor(c)
	if !ok {
		return
	}
	p.Form = parseInviteForm(c, c.PostForm, c.PostFormArray)
	a, err := s.audience(c, p.Form)
	var rep store.FanOutReport
	if err == nil {
		p.SMS, rep, err = s.sendToAudience(c, p.Event, a, c.PostForm("over_budget") == "1")
	}
	if errors.Is(err, errOverBudget) {
		// The sender sees the message's size and cost, then accepts them.
		var pv store.AudiencePreview
		if pv, err = s.store.PreviewAudience(c.Request.Context(), actor(c), p.Event.ID, a, inviteSampleSize); err == nil {
			p.Preview = &pv
			p.Problem = s.pages.Text(p.Base.Lang, "invite.sms_over_ask", p.SMS.Budget)
			s.renderStatus(c, http.StatusConflict, "invite", p)
			return
		}
	}
	if err != nil {
		if schedule.ErrorCode(err) == schedule.EINTERNAL {
			s.fail(c, err)
			return
		}
		p.Problem = s.errText(c, err)
		s.renderStatus(c, http.StatusUnprocessableEntity, "invite", p)
		return
	}
	p.Report = &rep
	p.Invited += rep.Invited
	s.render(c, "invite", p)
}

type inviteStatusPage struct {
	Base             basePage
	Event            store.InviteEvent
	Title            string
	Counts           store.InviteCounts
	Rows             []store.InviteRow
	Total            int
	Status, RSVP     string
	PrevURL, NextURL string
}

// inviteStatus is what the invitations page shows, loaded once for the
// page and its API twin: the event, the counts by status and answer in
// the viewer's area, and a page of invitees (mobiles masked).
type inviteStatus struct {
	Event  store.InviteEvent
	Counts store.InviteCounts
	Rows   []store.InviteRow
	Total  int // invitations matching the filter
}

func (s *Server) loadInviteStatus(ctx context.Context, a schedule.Actor, eventID int64, f store.InviteFilter) (inviteStatus, error) {
	var st inviteStatus
	var err error
	if st.Event, err = s.store.FindInviteEvent(ctx, a, eventID); err != nil {
		return st, err
	}
	if st.Counts, err = s.store.InviteCounts(ctx, a, eventID); err != nil {
		return st, err
	}
	st.Rows, st.Total, err = s.store.ListInvites(ctx, a, eventID, f)
	return st, err
}

func (s *Server) showInviteStatus(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	offset, _ := strconv.Atoi(c.Query("offset"))
	offset = max(offset, 0)
	p := inviteStatusPage{Base: s.base(c), Status: c.Query("status"), RSVP: c.Query("rsvp")}
	st, err := s.loadInviteStatus(c.Request.Context(), actor(c), id, store.InviteFilter{Status: p.Status, RSVP: p.RSVP, Offset: offset, Limit: pageSize})
	if err != nil {
		s.fail(c, err)
		return
	}
	p.Event, p.Counts, p.Rows, p.Total = st.Event, st.Counts, st.Rows, st.Total
	p.Title = eventTitle(st.Event, p.Base.Lang)
	q := url.Values{}
	if p.Status != "" {
		q.Set("status", p.Status)
	}
	if p.RSVP != "" {
		q.Set("rsvp", p.RSVP)
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(max(offset-pageSize, 0)))
		p.PrevURL = fmt.Sprintf("/events/%d/invites?%s", id, q.Encode())
	}
	if offset+pageSize < p.Total {
		q.Set("offset", strconv.Itoa(offset+pageSize))
		p.NextURL = fmt.Sprintf("/events/%d/invites?%s", id, q.Encode())
	}
	s.render(c, "invites", p)
}

// revoke withdraws one invitation: its link stops working (the join
// directory is refreshed) and it gets no further messages.
func (s *Server) revoke(c *gin.Context, inviteID int64) error {
	if err := s.store.RevokeInvite(c.Request.Context(), actor(c), inviteID); err != nil {
		return err
	}
	s.refreshJoin()
	return nil
}

func (s *Server) revokeInvite(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.revoke(c, id); err != nil {
		s.fail(c, err)
		return
	}
	s.flash(c, "invite.revoked")
	back := localPath(c.PostForm("back"), "/")
	if !strings.HasPrefix(back, "/events/") {
		back = "/"
	}
	c.Redirect(http.StatusSeeOther, back)
}

// pdfLang is the PDF language from ?lang=, else the page language.
func (s *Server) pdfLang(c *gin.Context) string {
	if l := c.Query("lang"); l == "hi" || l == "en" {
		return l
	}
	return s.lang(c)
}

// invitePDF is what an invite event's PDFs are made from.
type invitePDF struct {
	id     int64
	ev     store.InviteEvent
	people []store.Invitee // up to maxLetters
	eng    *pdf.Engine
	lang   string // from pdfLang
}

// loadInvitePDF parses the event id and loads the invite event, its
// invitees and the PDF engine. With needInvitees an event nobody is invited
// to yet is refused (before the engine is loaded). On failure it has
// answered c and returns false.
func (s *Server) loadInvitePDF(c *gin.Context, needInvitees bool) (invitePDF, bool) {
	ctx := c.Request.Context()
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return invitePDF{}, false
	}
	ev, err := s.store.FindInviteEvent(ctx, actor(c), id)
	if err != nil {
		s.fail(c, err)
		return invitePDF{}, false
	}
	people, err := s.store.Invitees(ctx, actor(c), id, maxLetters)
	if err != nil {
		s.fail(c, err)
		return invitePDF{}, false
	}
	if needInvitees && len(people) == 0 {
		s.fail(c, schedule.Errorf(schedule.EINVALID, "nobody is invited to this event yet; send invitations first"))
		return invitePDF{}, false
	}
	eng, err := s.pdfEngine()
	if err != nil {
		s.fail(c, err)
		return invitePDF{}, false
	}
	return invitePDF{id: id, ev: ev, people: people, eng: eng, lang: s.pdfLang(c)}, true
}

// servePDF renders a PDF with write and serves it inline as
// "<name>-<id>-<lang>.pdf".
func (s *Server) servePDF(c *gin.Context, name string, id int64, lang string, write func(io.Writer) error) {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="%s-%d-%s.pdf"`, name, id, lang))
	c.Data(http.StatusOK, "application/pdf", buf.Bytes())
}

func (s *Server) inviteLettersPDF(c *gin.Context) {
	in, ok := s.loadInvitePDF(c, true)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	id, ev, lang := in.id, in.ev, in.lang
	roles, _ := s.store.Roles(ctx)
	b := pdf.InviteLetters{Lang: pdf.Lang(lang), Zone: s.zone(), Organisation: s.pages.Text(lang, "invite.pdf.organisation"), IssuedOn: s.now(),
		Signatory: actor(c).Name, SignatoryRole: s.pages.Text(lang, "invite.pdf.signatory_role")}
	// A mass address's letters each print the invitee's own area's
	// bridge (read once for the whole PDF) and join link.
	var bridges store.EventBridges
	if ev.Type == store.AddressEventType {
		var err error
		if bridges, err = s.store.EventBridgesOf(ctx, id); err != nil {
			s.fail(c, err)
			return
		}
	}
	base := s.baseURL(c)
	series := ev.Event()
	repeats := s.zone().Moments(lang).Repeats(&series)
	for _, p := range in.people {
		link, err := outbox.PersonalLink(s.inv.cfg.Signer, base, p.InviteID, ev, s.inv.cfg.LinkTTL)
		if err != nil {
			s.fail(c, err)
			return
		}
		var bridge *pdf.DialIn
		if mine := ev.ForInvitee(bridges, p.UnitPath); mine.BridgeNumber != "" {
			bridge = &pdf.DialIn{Number: mine.BridgeNumber, PIN: mine.BridgePIN}
		}
		b.Letters = append(b.Letters, pdf.InviteLetter{Name: p.Name, Role: roleLabel(roles, p.Role, lang), EventTitle: eventTitle(ev, lang),
			Start: ev.Start, End: ev.End, Repeats: repeats, Venue: eventVenue(ev, lang), Link: link, Bridge: bridge})
	}
	s.servePDF(c, "invites", id, lang, func(w io.Writer) error { return in.eng.WriteInviteLetters(w, b) })
}

func roleLabel(roles []schedule.Role, key, lang string) string {
	for _, r := range roles {
		if r.Key == key {
			if lang == schedule.LangHindi && r.NameHi != "" {
				return r.NameHi
			}
			return r.Name
		}
	}
	return ""
}

func (s *Server) attendancePDF(c *gin.Context) {
	in, ok := s.loadInvitePDF(c, false)
	if !ok {
		return
	}
	ev, lang := in.ev, in.lang
	sheet := pdf.AttendanceSheet{Lang: pdf.Lang(lang), Zone: s.zone(), EventTitle: eventTitle(ev, lang), Start: ev.Start, End: ev.End, Venue: eventVenue(ev, lang), BlankRows: 10}
	for _, p := range in.people {
		unit := p.UnitName
		if lang == schedule.LangHindi && p.UnitNameHi != "" {
			unit = p.UnitNameHi
		}
		sheet.Rows = append(sheet.Rows, pdf.AttendanceRow{Name: p.Name, Unit: unit, Mobile: p.Mobile})
	}
	s.servePDF(c, "attendance", in.id, lang, func(w io.Writer) error { return in.eng.WriteAttendanceSheet(w, sheet) })
}

type remindersPage struct {
	Base     basePage
	Event    store.InviteEvent
	Title    string
	Minutes  string // the schedule as minutes, comma separated
	Off      bool
	Settings store.InviteSettings
	Problem  string
	Saved    bool
}

func (s *Server) showReminders(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	ev, err := s.store.FindInviteEvent(c.Request.Context(), actor(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	p := remindersPage{Base: s.base(c), Event: ev, Settings: ev.Settings, Off: ev.Settings.NoReminders}
	p.Title = eventTitle(ev, p.Base.Lang)
	p.Minutes = formatOffsets(ev.Settings.Schedule())
	s.render(c, "invite_reminders", p)
}

// formatOffsets writes a schedule as "24h, 1h, 30m".
func formatOffsets(rs schedule.ReminderSchedule) string {
	parts := make([]string, len(rs))
	for i, d := range rs {
		switch {
		case d%time.Hour == 0:
			parts[i] = strconv.Itoa(int(d/time.Hour)) + "h"
		default:
			parts[i] = strconv.Itoa(int(d/time.Minute)) + "m"
		}
	}
	return strings.Join(parts, ", ")
}

// parseOffsets reads "24h, 1h, 30m" (bare numbers are minutes).
func parseOffsets(s string) (schedule.ReminderSchedule, error) {
	var out schedule.ReminderSchedule
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		unit := time.Minute
		num := f
		switch {
		case strings.HasSuffix(f, "h"):
			unit, num = time.Hour, strings.TrimSuffix(f, "h")
		case strings.HasSuffix(f, "d"):
			unit, num = 24*time.Hour, strings.TrimSuffix(f, "d")
		case strings.HasSuffix(f, "m"):
			num = strings.TrimSuffix(f, "m")
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			return nil, schedule.FieldError("reminders", "%q is not a time like 24h, 90m or 2d", f)
		}
		out = append(out, time.Duration(n)*unit)
	}
	return out, nil
}

func (s *Server) saveReminders(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	ev, err := s.store.FindInviteEvent(c.Request.Context(), actor(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	p := remindersPage{Base: s.base(c), Event: ev, Minutes: c.PostForm("reminders"), Off: c.PostForm("off") == "1"}
	p.Title = eventTitle(ev, p.Base.Lang)
	p.Settings = store.InviteSettings{NoReminders: p.Off, BridgeNumber: strings.TrimSpace(c.PostForm("bridge_number")),
		BridgePIN: strings.TrimSpace(c.PostForm("bridge_pin")), JoinURL: strings.TrimSpace(c.PostForm("join_url")), VenueHi: strings.TrimSpace(c.PostForm("venue_hi"))}
	if !p.Off {
		// An empty field means the default schedule.
		p.Settings.Reminders, err = parseOffsets(p.Minutes)
	}
	if err == nil {
		err = s.store.SaveInviteSettings(c.Request.Context(), actor(c), id, p.Settings)
	}
	if err != nil {
		if schedule.ErrorCode(err) == schedule.EINTERNAL || schedule.ErrorCode(err) == schedule.EFORBIDDEN {
			s.fail(c, err)
			return
		}
		p.Problem = s.errText(c, err)
		s.renderStatus(c, http.StatusUnprocessableEntity, "invite_reminders", p)
		return
	}
	p.Saved = true
	s.render(c, "invite_reminders", p)
}
