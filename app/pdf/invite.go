package pdf

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

// InviteLetters is a bulk run of invitation letters: one A4 page per
// invitee, all in one PDF, sharing the letterhead and signatory.
type InviteLetters struct {
	Lang Lang
	// Zone is the organisation's time zone: event times and the issue
	// date are printed on its clock (zero: Asia/Kolkata).
	Zone schedule.Zone
	// Organisation is printed as the letterhead.
	Organisation string
	// IssuedOn is printed at the top right as the organisation's date at
	// that instant (pass the current time); zero leaves it out.
	IssuedOn time.Time
	// Note is an optional paragraph printed in every letter after the
	// invitation (e.g. what to bring); newlines start new lines.
	Note string
	// Signatory and SignatoryRole sign every letter.
	Signatory, SignatoryRole string
	Letters                  []InviteLetter
}

// InviteLetter is one invitee's letter.
type InviteLetter struct {
	Name string
	// Role is the invitee's post, printed under the name (optional).
	Role       string
	EventTitle string
	Start      time.Time
	End        time.Time // optional
	// Repeats says how a recurring event repeats ("every last Sunday,
	// 11:00 IST", schedule.Moments.Repeats); "" for a single event.
	Repeats string
	Venue   string
	// Link is the invitee's personal signed RSVP link.
	Link string
	// Bridge is the audio-bridge dial-in, for mass addresses (optional).
	Bridge *DialIn
}

// DialIn is an audio-bridge dial-in number and PIN.
type DialIn struct {
	Number, PIN string
}

// WriteInviteLetters renders all letters into one PDF written to w.
func (e *Engine) WriteInviteLetters(w io.Writer, b InviteLetters) error {
	l, err := labelsFor(b.Lang, b.Zone)
	if err != nil {
		return fmt.Errorf("invite letters: %w", err)
	}
	if len(b.Letters) == 0 {
		return errors.New("invite letters: no invitees")
	}
	for i, inv := range b.Letters {
		if strings.TrimSpace(inv.Name) == "" || strings.TrimSpace(inv.EventTitle) == "" {
			return fmt.Errorf("invite letters: letter %d has no invitee name or event title", i+1)
		}
	}
	d, err := e.NewDoc(DocOptions{Title: b.Organisation, Subject: l.eventLabel})
	if err != nil {
		return fmt.Errorf("invite letters: %w", err)
	}
	for _, inv := range b.Letters {
		d.inviteLetter(l, b, inv)
	}
	return writeDoc(d, w, "invite letters")
}

// inviteLetter draws one letter on a new page.
func (d *Doc) inviteLetter(l labels, b InviteLetters, inv InviteLetter) {
	d.AddPage()
	p := d.pdf
	y := marginTop
	y += d.Paragraph(marginX, y, contentW, b.Organisation, Style{Size: 17, Bold: true, Color: RGB{150, 60, 0}}, AlignCenter)
	y += 1
	p.SetDrawColor(150, 60, 0)
	p.SetLineWidth(0.6)
	p.Line(marginX, y, marginX+contentW, y)
	y += 5
	if !b.IssuedOn.IsZero() {
		d.TextIn(marginX, y+d.Ascent(styleBody()), contentW, l.date+": "+l.dateShort(b.IssuedOn), styleBody(), AlignRight)
		y += d.LineHeight(styleBody()) + 2
	}
	y += d.Paragraph(marginX, y, contentW, l.dear+" "+inv.Name+",", Style{Size: 12, Bold: true}, AlignLeft)
	if inv.Role != "" {
		y += d.Paragraph(marginX, y, contentW, inv.Role, styleSubtitle(), AlignLeft)
	}
	y += 4
	y += d.Paragraph(marginX, y, contentW, l.inviteIntro, styleBody(), AlignLeft) + 4

	y = d.keyValues(marginX+5, y, 45, contentW-50, [][2]string{
		{l.eventLabel, inv.EventTitle},
		{l.whenLabel, l.timeSpan(inv.Start, inv.End)},
		{l.repeats, inv.Repeats},
		{l.venueLabel, inv.Venue},
	}, styleBody()) + 3

	if b.Note != "" {
		y += d.Paragraph(marginX, y, contentW, b.Note, styleBody(), AlignLeft) + 4
	}
	if inv.Link != "" {
		y += d.Paragraph(marginX, y, contentW, l.linkLabel, Style{Size: 11, Bold: true}, AlignLeft)
		y += d.Paragraph(marginX+5, y, contentW-5, inv.Link, Style{Size: 11, Color: RGB{0, 60, 160}}, AlignLeft)
		lw := min(d.Width(inv.Link, styleBody()), contentW-5)
		p.LinkString(marginX+5, y-d.LineHeight(styleBody()), lw, d.LineHeight(styleBody()), inv.Link)
		y += d.Paragraph(marginX, y, contentW, l.linkHint, styleSmall(), AlignLeft) + 4
	}
	if inv.Bridge != nil && inv.Bridge.Number != "" {
		lh := d.LineHeight(styleBody())
		boxH := 2*lh + 6
		p.SetDrawColor(120, 120, 120)
		p.SetFillColor(245, 245, 240)
		p.SetLineWidth(0.3)
		p.Rect(marginX, y, contentW, boxH, "FD")
		d.Paragraph(marginX+4, y+3, contentW-8, l.bridgeLabel, Style{Size: 11, Bold: true}, AlignLeft)
		line := l.bridgeNumber + ": " + inv.Bridge.Number
		if inv.Bridge.PIN != "" {
			line += "    " + l.bridgePIN + ": " + inv.Bridge.PIN
		}
		d.Paragraph(marginX+4, y+3+lh, contentW-8, line, styleBody(), AlignLeft)
		y += boxH + 6
	}
	y += 6
	y += d.Paragraph(marginX, y, contentW, l.closing, styleBody(), AlignLeft) + 8
	if b.Signatory != "" {
		y += d.Paragraph(marginX, y, contentW, b.Signatory, Style{Size: 11, Bold: true}, AlignLeft)
	}
	if b.SignatoryRole != "" {
		d.Paragraph(marginX, y, contentW, b.SignatoryRole, styleBody(), AlignLeft)
	}
}
