package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// runMobiles resolves mobile numbers recorded for more than one worker,
// which the unique-mobiles migration refuses to carry forward:
//
//	karyakram mobiles list                 the duplicates, with their holders
//	karyakram mobiles clear WORKER_ID…     take the mobile off these workers
//
// It works on the database as it is (it does not migrate), so it runs
// while `serve` refuses to start.
func runMobiles(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := defaultConfig(getenv)
	fs := flag.NewFlagSet("mobiles", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.DSN, "dsn", cfg.DSN, "database: postgres://… URL, or SQLite file path (default karyakram.db)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: karyakram mobiles [-dsn …] list | clear WORKER_ID…")
	}
	if err := fs.Parse(args); err != nil || fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	st, err := store.Open(ctx, cfg.DSN, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	switch fs.Arg(0) {
	case "list":
		dups, err := st.DuplicateMobiles(ctx)
		if err != nil {
			return err
		}
		if len(dups) == 0 {
			fmt.Fprintln(stdout, "no mobile number is recorded for more than one worker")
			return nil
		}
		for _, d := range dups {
			fmt.Fprintf(stdout, "%s\n", d.Mobile)
			for _, w := range d.Workers {
				official := ""
				if w.Official {
					official = " (official)"
				}
				fmt.Fprintf(stdout, "  worker %d\t%s\t%s%s\n", w.ID, w.Name, w.UnitCode, official)
			}
		}
		fmt.Fprintln(stdout, "\nDecide who keeps each number, then: karyakram mobiles clear WORKER_ID… for the others.")
		return nil
	case "clear":
		if fs.NArg() < 2 {
			fs.Usage()
			return errUsage
		}
		actor := schedule.SystemActor("mobiles")
		for _, a := range fs.Args()[1:] {
			id, err := strconv.ParseInt(a, 10, 64)
			if err != nil || id <= 0 {
				return fmt.Errorf("%q is not a worker ID", a)
			}
			if err := st.ClearMobile(ctx, actor, id); err != nil {
				return fmt.Errorf("worker %d: %w", id, err)
			}
			fmt.Fprintf(stdout, "worker %d: mobile cleared\n", id)
		}
		return nil
	}
	fs.Usage()
	return errUsage
}
