// Command karyakram is the one binary: the web server and the tools around
// it. Subcommands: serve, demo, migrate, import, seed, roster, tour,
// secret, mobiles.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // the organisation's zone must load on hosts without a zone database
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "karyakram:", err)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

const usage = `karyakram — event and training scheduling for large hierarchical organisations

Usage:
  karyakram demo     [flags]   seed a demo organisation (first run) and serve it
  karyakram serve    [flags]   migrate the database and serve
  karyakram migrate  [flags]   apply database migrations
  karyakram import   [flags] -kind units|workers FILE.csv
  karyakram seed     [flags] -scale demo|state [-workers N] [-out DIR]
  karyakram roster   plan|check ...   plan or check a workshop roster (CSV)
  karyakram tour     plan|check|synthetic ...   plan or check field tours (CSV)
  karyakram secret   status|rotate    list or rotate the keys that sign links
  karyakram mobiles  list|clear ID...  resolve mobiles recorded for more than one worker

Every subcommand takes -h. Settings also come from the environment:
KARYAKRAM_DSN, KARYAKRAM_ADDR, KARYAKRAM_SECRET, KARYAKRAM_MAX_UPLOAD_MB,
KARYAKRAM_ORG_TZ (the organisation's time zone, default Asia/Kolkata).
`

// Run executes one subcommand; tests call it with their own context,
// environment and writers.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr, false)
	case "demo":
		return runServe(ctx, rest, getenv, stdout, stderr, true)
	case "migrate":
		return runMigrate(ctx, rest, getenv, stdout, stderr)
	case "import":
		return runImport(ctx, rest, getenv, stdout, stderr)
	case "seed":
		return runSeed(ctx, rest, getenv, stdout, stderr)
	case "roster":
		return runRoster(ctx, rest, getenv, stdout, stderr)
	case "tour":
		return runTour(ctx, rest, getenv, stdout, stderr)
	case "secret":
		return runSecret(ctx, rest, getenv, stdout, stderr)
	case "mobiles":
		return runMobiles(ctx, rest, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
	return errUsage
}
