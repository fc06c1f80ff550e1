package testtool

import (
	"fmt"
	"strings"
	"testing"
)

// skipRecorder is a testing.TB that records a skip instead of stopping.
type skipRecorder struct {
	testing.TB
	msg string
}

func (r *skipRecorder) Helper() {}
func (r *skipRecorder) Skipf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
}

func TestMissingProgramSkipsWithOneLineNamingTheScript(t *testing.T) {
	r := &skipRecorder{TB: t}
	Program(r, "no-such-program-kk")
	if r.msg != "no-such-program-kk not found: run scripts/apt-packages.sh (Debian package no-such-program-kk)" {
		t.Errorf("skip line %q", r.msg)
	}
	r.msg = ""
	t.Setenv("PATH", t.TempDir())
	Program(r, "pdftotext")
	if !strings.Contains(r.msg, "run scripts/apt-packages.sh (Debian package poppler-utils)") || strings.Contains(r.msg, "\n") {
		t.Errorf("skip line %q", r.msg)
	}
	r.msg = ""
	t.Setenv("KARYAKRAM_CHROMIUM", "/nonexistent/chromium")
	Chromium(r)
	if r.msg != "chromium not found at /nonexistent/chromium: run scripts/apt-packages.sh (Debian package chromium) or set KARYAKRAM_CHROMIUM" {
		t.Errorf("skip line %q", r.msg)
	}
}
