package templates

import (
	"strings"
	"testing"

	"github.com/karyakram/karyakram/schedule"
)

func TestPagesParseAndCataloguesAgree(t *testing.T) {
	p, err := Parse(schedule.Zone{})
	if err != nil {
		t.Fatal(err)
	}
	for k := range p.cats["hi"] {
		if _, ok := p.cats["en"][k]; !ok {
			t.Errorf("catalogue en lacks key %q", k)
		}
	}
	if got := p.Text("hi", "import.summary", 3, 2, 1); !strings.Contains(got, "3 पंक्तियाँ") {
		t.Errorf("hindi text %q", got)
	}
	if got := p.Text("en", "no.such.key"); got != "no.such.key" {
		t.Errorf("unknown key renders as %q", got)
	}
}

func TestFormatCountUsesIndianGrouping(t *testing.T) {
	for n, want := range map[int]string{7: "7", 1000: "1,000", 65015: "65,015", 3000000: "30,00,000", 123456789: "12,34,56,789"} {
		if got := FormatCount(n); got != want {
			t.Errorf("FormatCount(%d) = %q, want %q", n, got, want)
		}
	}
}
