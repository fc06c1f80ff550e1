package templates

import (
	"strings"
	"testing"
)

func TestPagesParseAndCataloguesAgree(t *testing.T) {
	p, err := Parse(nil)
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
