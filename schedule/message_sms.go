package schedule

import "unicode/utf16"

// SMSEncoding is the character set an SMS is sent in.
type SMSEncoding string

// SMS encodings: GSM 03.38 7-bit (basic table plus extension table) when
// every character has a GSM code, otherwise UCS-2 (UTF-16 units), which
// every Hindi message needs.
const (
	SMSGSM7 SMSEncoding = "gsm7"
	SMSUCS2 SMSEncoding = "ucs2"
)

// SMS size limits: one segment holds 160 GSM septets or 70 UTF-16 units;
// in a concatenated message the user-data header leaves 153 or 67.
const (
	smsGSMSingle  = 160
	smsGSMMulti   = 153
	smsUCS2Single = 70
	smsUCS2Multi  = 67
)

// SMSInfo describes how a text travels as SMS.
type SMSInfo struct {
	Encoding SMSEncoding
	// Units is the length in the encoding's units: septets for GSM-7
	// (an extension-table character such as € or { takes two), UTF-16
	// code units for UCS-2 (a character outside the BMP takes two).
	Units int
	// Segments is how many SMS the text is split into (0 for "").
	Segments int
}

// Unicode reports whether the SMS must be sent as UCS-2; gateways call this
// the unicode flag.
func (s SMSInfo) Unicode() bool { return s.Encoding == SMSUCS2 }

// gsm7Septets returns how many septets r takes in GSM 03.38: 1 for the basic
// table, 2 for the extension table (escape + code), 0 when r has no GSM
// code.
func gsm7Septets(r rune) int {
	if r < 0x80 {
		switch {
		case r == '\n' || r == '\r':
			return 1
		case r == '\f':
			return 2
		case r < 0x20 || r == 0x7f || r == '`':
			return 0
		case r == '[' || r == '\\' || r == ']' || r == '^' || r == '{' || r == '|' || r == '}' || r == '~':
			return 2
		}
		return 1
	}
	switch r {
	case '£', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', 'Ø', 'ø', 'Å', 'å',
		'Δ', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ',
		'Æ', 'æ', 'ß', 'É', '¤', '¡', 'Ä', 'Ö', 'Ñ', 'Ü', '§', '¿',
		'ä', 'ö', 'ñ', 'ü', 'à':
		return 1
	case '€':
		return 2
	}
	return 0
}

// IsGSM7 reports whether every character of s has a GSM 03.38 code (basic
// or extension table).
func IsGSM7(s string) bool {
	for _, r := range s {
		if gsm7Septets(r) == 0 {
			return false
		}
	}
	return true
}

// CountSMS returns the encoding, length and segment count of s. In a
// multi-part message an extension-table pair and a UTF-16 surrogate pair
// are never split across segments, as gateways do.
func CountSMS(s string) SMSInfo {
	if s == "" {
		return SMSInfo{Encoding: SMSGSM7}
	}
	gsm := IsGSM7(s)
	info := SMSInfo{Encoding: SMSGSM7}
	single, multi := smsGSMSingle, smsGSMMulti
	if !gsm {
		info.Encoding = SMSUCS2
		single, multi = smsUCS2Single, smsUCS2Multi
	}
	segs, cur := 1, 0
	for _, r := range s {
		var w int
		if gsm {
			w = gsm7Septets(r)
		} else {
			w = utf16.RuneLen(r)
			if w < 0 { // invalid rune: sent as U+FFFD
				w = 1
			}
		}
		info.Units += w
		if cur+w > multi {
			segs++
			cur = 0
		}
		cur += w
	}
	if info.Units <= single {
		segs = 1
	}
	info.Segments = segs
	return info
}

// CheckSMSFits returns an EINVALID *Error (field "body") when s needs more
// than maxSegments SMS segments.
func CheckSMSFits(s string, maxSegments int) error {
	info := CountSMS(s)
	if info.Segments <= maxSegments {
		return nil
	}
	limit := maxSegments * smsGSMMulti
	switch {
	case info.Unicode() && maxSegments == 1:
		limit = smsUCS2Single
	case info.Unicode():
		limit = maxSegments * smsUCS2Multi
	case maxSegments == 1:
		limit = smsGSMSingle
	}
	return FieldError("body", "the SMS needs %d segments (%d %s units), more than the allowed %d; at most %d units fit",
		info.Segments, info.Units, info.Encoding, maxSegments, limit)
}
