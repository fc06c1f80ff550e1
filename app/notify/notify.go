// Package notify delivers karyakram's notices: email over SMTP with iMIP
// calendar invitations, SMS through an HTTP gateway, WhatsApp share links,
// and a development sink. It also has the pieces the outbox workers need:
// a per-channel token-bucket rate limiter, exponential backoff with jitter,
// and a permanent/temporary classification of every send error.
//
// Senders do no queueing and no retrying: the DB-backed outbox does, keyed
// by Message.Key, and asks IsPermanent whether to dead-letter or back off.
package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

// Message is one notice to one recipient on one channel.
type Message struct {
	// Key is the idempotency key (schedule.MessageKey.String()). Adapters
	// pass it on where the far end can deduplicate: as the email
	// Message-ID, the gateway's reference field.
	Key     string
	Channel schedule.MessageChannel
	Lang    string
	// To is an E.164 mobile number (+919876543210) for SMS and WhatsApp,
	// an email address for email; ToName is the person's name.
	To, ToName string
	Subject    string // email only
	Text       string
	// Invitation, when set on an email, is sent as an iMIP (RFC 6047)
	// text/calendar part so mail clients offer accept/decline.
	Invitation *Invitation
	// HTML is the email's HTML alternative; "" builds it from Text.
	HTML string
	// Unsubscribe, on a bulk email (invitations, reminders, notices), is
	// the one-click unsubscribe URL (List-Unsubscribe, RFC 8058) also
	// shown under the text; "" for a message that must always arrive.
	Unsubscribe string
	// Created is when the message was enqueued; it is the email Date and
	// the calendar DTSTAMP, so a retry sends identical bytes.
	Created time.Time
}

// Sender delivers messages on one channel. Send returns nil once the far
// end accepted the message; any error is classified by IsPermanent.
// Senders are safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// WhatsAppTemplate is a pre-approved business-messaging template with its
// parameters; business APIs only allow templates outside a 24-hour
// conversation window.
type WhatsAppTemplate struct {
	Name   string
	Lang   string
	Params []string
}

// WhatsAppSender is what a WhatsApp business-messaging API adapter
// implements: free text (Message.Text) where the conversation allows it,
// or an approved template. The Sink implements it; no real adapter exists
// yet.
type WhatsAppSender interface {
	Sender
	SendTemplate(ctx context.Context, m Message, t WhatsAppTemplate) error
}

// SendError is a classified delivery failure.
type SendError struct {
	// Permanent means retrying cannot help (bad address, rejected
	// content, auth refused): the outbox dead-letters the message.
	// Otherwise it backs off and retries.
	Permanent bool
	// RetryAfter is the far end's requested wait (HTTP Retry-After), or 0.
	RetryAfter time.Duration
	Err        error
}

// Error describes the failure and its class.
func (e *SendError) Error() string {
	kind := "temporary"
	if e.Permanent {
		kind = "permanent"
	}
	return fmt.Sprintf("%s delivery failure: %v", kind, e.Err)
}

// Unwrap returns the underlying error.
func (e *SendError) Unwrap() error { return e.Err }

// Permanent wraps err as a permanent failure.
func Permanent(err error) error { return &SendError{Permanent: true, Err: err} }

// Temporary wraps err as a temporary failure.
func Temporary(err error) error { return &SendError{Err: err} }

// IsPermanent reports whether err is a permanent failure. Unclassified
// errors, timeouts and cancellations count as temporary: retrying a
// message wrongly is cheaper than dropping it. A domain *schedule.Error
// with code EINVALID (a message that cannot be built) is permanent.
func IsPermanent(err error) bool {
	var se *SendError
	if errors.As(err, &se) {
		return se.Permanent
	}
	return schedule.ErrorCode(err) == schedule.EINVALID
}

// RetryAfter returns the wait the far end asked for, or 0.
func RetryAfter(err error) time.Duration {
	var se *SendError
	if errors.As(err, &se) {
		return se.RetryAfter
	}
	return 0
}
