package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/karyakram/karyakram/app/keys"
	"github.com/karyakram/karyakram/schedule"
)

const secretUsage = `Usage:
  karyakram secret status [-dsn …]                 list the link keys (never their secrets)
  karyakram secret rotate [-dsn …] [-grace 720h]   make a new link key

The keys that sign invite and join links and key login codes are made on
the first start and kept in the database, so links survive restarts. A
rotation stores a new key that running servers load within a minute and
start signing with after %v; links signed with the older keys keep
working for -grace after that (use -grace 0 when a key has leaked).
`

// runSecret shows or rotates the stored link keys.
func runSecret(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "status" && args[0] != "rotate") {
		fmt.Fprintf(stderr, secretUsage, keys.Propagation)
		return errUsage
	}
	cmd := args[0]
	cfg := defaultConfig(getenv)
	fs := flag.NewFlagSet("secret "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.DSN, "dsn", cfg.DSN, "database: postgres://… URL, or SQLite file path (default karyakram.db)")
	grace := fs.Duration("grace", keys.DefaultGrace, "how long links signed with the current key keep working after the new key signs")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	st, err := openMigrated(ctx, cfg.DSN, cfg.logger(stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	if cmd == "rotate" {
		nk, all, err := keys.Rotate(ctx, st, schedule.SystemActor("karyakram secret rotate"), *grace)
		if err != nil {
			return err
		}
		if len(all) == 1 {
			fmt.Fprintf(stdout, "first link key %d stored; it signs from now\n", nk.ID)
			return nil
		}
		fmt.Fprintf(stdout, "new link key %d stored: running servers load it within %v and sign with it from %s;\nlinks signed with older keys keep working until %s\n",
			nk.ID, keys.ReloadEvery, nk.SignsFrom.Format(time.RFC3339), nk.SignsFrom.Add(*grace).Format(time.RFC3339))
		return nil
	}
	ks, err := st.LinkKeys(ctx)
	if err != nil {
		return err
	}
	if len(ks) == 0 {
		fmt.Fprintln(stdout, "no link keys yet: the first start of the server makes one")
	}
	now := st.Now()
	for _, k := range ks {
		state := "verifies"
		switch {
		case !k.Verifies(now):
			state = "expired"
		case k.SignsFrom.After(now):
			state = "pending"
		}
		fmt.Fprintf(stdout, "%s (%s)\n", k, state)
	}
	return nil
}
