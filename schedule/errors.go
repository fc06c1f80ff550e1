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
// Field names the offending input (e.g. "mobile", "row 12 column voter_id").
type Error struct {
	Code    Code
	Message string
	Field   string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EINVALID *Error about one named input field.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
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

// ErrorMessage returns the user-facing message of err: the domain message
// for an *Error, a generic text for anything else (internal details stay in
// logs).
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Error()
	}
	return "internal error"
}

// IsNotFound reports whether err carries ENOTFOUND.
func IsNotFound(err error) bool { return ErrorCode(err) == ENOTFOUND }

// asError is errors.As for *Error, kept here so callers read plainly.
func asError(err error, target **Error) bool { return errors.As(err, target) }
