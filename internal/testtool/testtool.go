// Package testtool finds the programs and services tests drive (pdftotext,
// Chromium, sipp, Redis, …). When one is missing the test is skipped with
// ONE line naming what is missing and the project script that installs or
// starts it, the same lines README.md lists. Tests never install or build
// anything themselves: the scripts under scripts/ do that before go test.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Scripts that install or start what tests need.
const (
	// AptScript installs the Debian packages tests drive.
	AptScript = "scripts/apt-packages.sh"
	// ServicesScript starts PostgreSQL and Redis on loopback.
	ServicesScript = "scripts/services.sh"
	// NPMScript installs the npm packages of the cross-checks.
	NPMScript = "scripts/npm-install.sh"
)

// debianPackage is the Debian package each program comes from.
var debianPackage = map[string]string{
	"pdftotext": "poppler-utils",
	"pdftoppm":  "poppler-utils",
	"hb-shape":  "libharfbuzz-bin",
	"glpsol":    "glpk-utils",
	"sipp":      "sip-tester",
	"chromium":  "chromium",
	"node":      "nodejs",
	"python3":   "python3",
}

// Program returns the path of a program from a Debian package (see
// debianPackage), or skips tb with one line saying how to install it.
func Program(tb testing.TB, name string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		tb.Skipf("%s not found: run %s (Debian package %s)", name, AptScript, packageOf(name))
	}
	return p
}

// Has reports whether a program is on the PATH, for tests that check
// something extra when it is.
func Has(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

// Chromium returns headless Chromium: $KARYAKRAM_CHROMIUM, else Debian's
// /usr/bin/chromium; it skips tb when neither exists.
func Chromium(tb testing.TB) string {
	tb.Helper()
	p := os.Getenv("KARYAKRAM_CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if st, err := os.Stat(p); err != nil || st.IsDir() {
		tb.Skipf("chromium not found at %s: run %s (Debian package chromium) or set KARYAKRAM_CHROMIUM", p, AptScript)
	}
	return p
}

// RedisDown skips tb because Redis at addr failed with err.
func RedisDown(tb testing.TB, addr string, err error) {
	tb.Helper()
	tb.Skipf("Redis not reachable at %s (%v): run %s", addr, err, ServicesScript)
}

// PostgresOnly skips tb, on SQLite, for a test of something only
// PostgreSQL has.
func PostgresOnly(tb testing.TB, what string) {
	tb.Helper()
	tb.Skipf("%s is PostgreSQL-only: set KARYAKRAM_TEST_DSN=postgres://postgres@127.0.0.1:5432/test?sslmode=disable (%s starts PostgreSQL)", what, ServicesScript)
}

func packageOf(name string) string {
	if p, ok := debianPackage[name]; ok {
		return p
	}
	return name
}
