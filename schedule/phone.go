package schedule

import "strings"

// indiaMetroCodes are the two-digit trunk (STD) codes; other landlines
// have three- or four-digit codes, printed here as three.
var indiaMetroCodes = map[string]bool{"11": true, "20": true, "22": true, "33": true, "40": true, "44": true, "79": true, "80": true}

// FormatPhone writes a stored phone number the way people read and dial
// it: an Indian number starting 6-9 (a mobile, or a landline whose trunk
// code starts so, which cannot be told apart without the numbering plan)
// in two groups of five, "+91 98270 01000"; a landline starting 1-5 with
// its trunk code apart, "+91 341 234 5678" (metro: "+91 22 6123 4567");
// anything else (toll-free 1800…, other countries, partial numbers) as
// given.
func FormatPhone(s string) string {
	s = strings.TrimSpace(s)
	if len(s) != 13 || !strings.HasPrefix(s, "+91") {
		return s
	}
	d := s[3:]
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return s
		}
	}
	switch {
	case d[0] >= '6':
		return "+91 " + d[:5] + " " + d[5:]
	case indiaMetroCodes[d[:2]]:
		return "+91 " + d[:2] + " " + d[2:6] + " " + d[6:]
	}
	return "+91 " + d[:3] + " " + d[3:6] + " " + d[6:]
}
