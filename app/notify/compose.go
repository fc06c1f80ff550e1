package notify

import (
	"fmt"
	"strings"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

// Recipient is an invitee's name, addresses and language.
type Recipient struct {
	Name   string
	Mobile string // E.164, for SMS and WhatsApp
	Email  string
	Lang   string // "hi" or "en"; "" means Hindi
}

// Notice is everything needed to compose one outbox message.
type Notice struct {
	Key      schedule.MessageKey
	Event    schedule.MessageEvent
	Previous *schedule.MessageEvent // the event before a change
	Link     string                 // personal link (schedule.InviteURL)
	// Unsubscribe is the one-click unsubscribe link an email carries
	// (List-Unsubscribe); "" for none.
	Unsubscribe string
	Reason      string // change or cancellation reason
	To          Recipient
}

// Compose renders n with the templates in ts (the event type's, else the
// default) and returns the Message to enqueue. An email invite or change
// carries an iMIP REQUEST, a cancellation an iMIP CANCEL; reminders carry
// none. A recipient without an address for the channel is an EINVALID
// error naming the field: the caller lists such people instead of
// skipping them silently.
func Compose(ts *schedule.TemplateSet, n Notice, created time.Time) (Message, error) {
	lang := n.To.Lang
	if lang == "" {
		lang = schedule.LangHindi
	}
	ch := n.Key.Channel
	var to string
	switch ch {
	case schedule.ChannelSMS, schedule.ChannelWhatsApp:
		to = n.To.Mobile
		if to == "" {
			return Message{}, schedule.FieldError("mobile", "%s has no mobile number for %s", n.To.Name, ch)
		}
	case schedule.ChannelEmail:
		to = n.To.Email
		if to == "" {
			return Message{}, schedule.FieldError("email", "%s has no email address", n.To.Name)
		}
	default:
		return Message{}, schedule.FieldError("channel", "unknown channel %q", ch)
	}
	tk := schedule.TemplateKey{EventType: n.Event.Type, Kind: n.Key.Kind, Channel: ch, Lang: lang}
	r, err := ts.Render(tk, schedule.MessageContext{Event: n.Event, Previous: n.Previous, Name: n.To.Name, Link: n.Link, Reason: n.Reason})
	if err != nil {
		return Message{}, fmt.Errorf("compose %s: %w", n.Key, err)
	}
	m := Message{
		Key: n.Key.String(), Channel: ch, Lang: lang,
		To: to, ToName: n.To.Name,
		Subject: r.Subject, Text: r.Body,
		Created: created,
	}
	if ch == schedule.ChannelEmail {
		m.Invitation = invitationFor(n, ts.Zone().Moments(lang), r.Body)
		m.Unsubscribe = n.Unsubscribe
	}
	return m, nil
}

// invitationFor returns the iMIP part of an email notice, or nil.
func invitationFor(n Notice, m schedule.Moments, body string) *Invitation {
	method := MethodRequest
	switch n.Key.Kind {
	case schedule.MessageInvite, schedule.MessageChange:
	case schedule.MessageCancel:
		method = MethodCancel
	default:
		return nil
	}
	ev := n.Event
	cal := ev.CalendarEvent("")
	if strings.TrimSpace(cal.UID) == "" {
		cal.UID = fmt.Sprintf("event-%d@karyakram", ev.ID)
	}
	if !cal.End.After(cal.Start) {
		cal.End = cal.Start.Add(time.Hour)
	}
	// The venue in the reader's language; the titles as the feeds write
	// them (both languages, the reader's first).
	cal.Venue.Name = schedule.NewMessageData(schedule.MessageContext{Event: ev}, m).Venue
	return &Invitation{
		Method: method, Event: cal, Zone: m.Zone(), Lang: m.Lang(),
		Description: body, URL: n.Link,
		Attendee: Person{Name: n.To.Name, Email: n.To.Email},
	}
}
