// Package schedule is karyakram's domain: the organisation tree, workers,
// scoped access, events, rosters and invites. It imports only the standard
// library; storage, HTTP and conferencing adapters depend on it, never the
// reverse.
package schedule

import (
	"errors"
	"fmt"
)

// Code classifies an Error so adapters can map it to a status without
// inspecting messages.
type Code string

// Error codes. Adapters map them to HTTP statuses in one table.
const (
	EINVALID   Code = "invalid"
	ENOTFOUND  Code = "not_found"
	ECONFLICT  Code = "conflict"
	EFORBIDDEN Code = "forbidden"
	EUNAUTH    Code = "unauthorized"
	ETOOLARGE  Code = "too_large"
	ELIMIT     Code = "rate_limited"
	EINTERNAL  Code = "internal"
)

// Error is the domain error: a code for machines and a message for people.
// Field names the offending input (e.g. "mobile", "start"); forms use it to
// show the message beside the input, and it is shown translated through
// the catalogue key "field.<Field>" where one exists.
//
// Text is the message in translatable form (see Msg); Message is its
// English rendering, for logs, the command line and API clients. Errors
// built by hand with only Message are translated with Message as the key.
type Error struct {
	Code    Code
	Message string
	Field   string
	Text    Msg
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// Errorf returns an *Error with the given code and message; format is the
// English wording and the catalogue key (see Msg).
func Errorf(code Code, format string, args ...any) *Error {
	return NewError(code, "", Msgf(format, args...))
}

// FieldError returns an EINVALID *Error about one named input field.
func FieldError(field, format string, args ...any) *Error {
	return NewError(EINVALID, field, Msgf(format, args...))
}

// NewError returns an *Error carrying the translatable message m.
func NewError(code Code, field string, m Msg) *Error {
	return &Error{Code: code, Field: field, Text: m, Message: m.String()}
}

// Msg returns the error's message in translatable form (without the field).
func (e *Error) Msg() Msg {
	if !e.Text.IsZero() {
		return e.Text
	}
	return Msg{Format: e.Message}
}

// Render writes the error for r: the field's label (when the catalogue
// has one, else the field name) and the message.
func (e *Error) Render(r Reader) string {
	msg := e.Msg().Render(r)
	if e.Field == "" {
		return msg
	}
	label := e.Field
	if t, ok := r.text("field." + e.Field); ok {
		label = t
	}
	return label + ": " + msg
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// InternalErrorText is what people are told about a failure that is not a
// domain error (its details stay in the logs).
const InternalErrorText = "internal error"

// ErrorMessage returns the user-facing message of err in English: the
// domain message for an *Error, a generic text for anything else (internal
// details stay in logs).
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Error()
	}
	return InternalErrorText
}

// IsNotFound reports whether err carries ENOTFOUND.
func IsNotFound(err error) bool { return ErrorCode(err) == ENOTFOUND }

// asError is errors.As for *Error, kept here so callers read plainly.
func asError(err error, target **Error) bool { return errors.As(err, target) }
