package schedule

import "testing"

func TestTextProblem(t *testing.T) {
	for _, tc := range []struct {
		s         string
		multiline bool
		bad       bool
	}{
		{"राम कुमार", false, false},
		{"क्\u200Dष त्र\u200Cय", false, false}, // ZWJ/ZWNJ are spelling
		{"line one\nline two", true, false},
		{"line one\nline two", false, true},
		{"a\r\nb", true, true},
		{"Ram \u202Eramuk", false, true},
		{"\u2067isolate\u2069", false, true},
		{"mark\u200F", false, true},
		{"bad \xff byte", false, true},
		{"tab\there", false, true},
	} {
		if got := TextProblem(tc.s, tc.multiline); !got.IsZero() != tc.bad {
			t.Errorf("TextProblem(%q, %v) = %q", tc.s, tc.multiline, got)
		}
	}
}

func TestIsEmailAddress(t *testing.T) {
	for s, want := range map[string]bool{
		"ram@example.in": true, "ram.kumar+events@mail.example.co.in": true, "राम@उदाहरण.भारत": true,
		"": false, "ram": false, "ram@": false, "@example.in": false, "ram@example": false, "ram@@example.in": false,
		"ram@example.in\r\nBcc: x@y.in": false, "ram@example.in\n": false, "Ram <ram@example.in>": false,
		"a@b.in,c@d.in": false, "ram @example.in": false, "ram@example.in.": false, "ram\u202E@example.in": false,
	} {
		if got := IsEmailAddress(s); got != want {
			t.Errorf("IsEmailAddress(%q) = %v, want %v", s, got, want)
		}
	}
}
