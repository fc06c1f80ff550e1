package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/karyakram/karyakram/app/seed"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := defaultConfig(getenv)
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.register(fs)
	kind := fs.String("kind", "workers", "what the file holds: units or workers")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 1 || (*kind != "units" && *kind != "workers") {
		fmt.Fprintln(stderr, "usage: karyakram import [-dsn DSN] -kind units|workers FILE.csv")
		return errUsage
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("open %s: %w", fs.Arg(0), err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	log := cfg.logger(stderr)
	st, err := openMigrated(ctx, cfg.DSN, log)
	if err != nil {
		return err
	}
	defer st.Close()
	var bar *progressBar
	var r io.Reader = f
	if !*quiet {
		bar = newProgressBar(stderr, filepath.Base(fs.Arg(0)), info.Size())
		r = bar.wrap(f)
		defer bar.done()
	}
	rep, err := importFile(ctx, st, *kind, r, bar)
	if bar != nil {
		bar.done()
	}
	printReport(stdout, rep)
	return err
}

func importFile(ctx context.Context, st *store.Store, kind string, r io.Reader, bar *progressBar) (store.ImportReport, error) {
	sys := schedule.SystemActor("command line")
	var progress store.Progress
	if bar != nil {
		progress = bar.rows
	}
	if kind == "units" {
		return st.ImportUnits(ctx, sys, r, progress)
	}
	return st.ImportWorkers(ctx, sys, r, progress)
}

func printReport(w io.Writer, rep store.ImportReport) {
	if rep.Total > 0 {
		fmt.Fprintf(w, "%s: %d rows read, %d problem(s); nothing was imported.\n", rep.Kind, rep.Rows, rep.Total)
		for _, e := range rep.List {
			fmt.Fprintln(w, "  "+e.String())
		}
		if rep.Total > len(rep.List) {
			fmt.Fprintf(w, "  … and %d more\n", rep.Total-len(rep.List))
		}
		return
	}
	fmt.Fprintf(w, "%s: %d rows read: %d added, %d updated.\n", rep.Kind, rep.Rows, rep.Inserted, rep.Updated)
}

// progressBar draws bytes read of a file as a bar on one terminal line.
type progressBar struct {
	w        io.Writer
	name     string
	total    int64
	read     atomic.Int64
	nrows    atomic.Int64
	start    time.Time
	stop     chan struct{}
	finished atomic.Bool
}

func newProgressBar(w io.Writer, name string, total int64) *progressBar {
	p := &progressBar{w: w, name: name, total: total, start: time.Now(), stop: make(chan struct{})}
	go func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.draw()
			case <-p.stop:
				return
			}
		}
	}()
	return p
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}

func (p *progressBar) wrap(r io.Reader) io.Reader { return countingReader{r: r, n: &p.read} }

func (p *progressBar) rows(n int) { p.nrows.Store(int64(n)) }

func (p *progressBar) draw() {
	const width = 30
	frac := 1.0
	if p.total > 0 {
		frac = float64(p.read.Load()) / float64(p.total)
	}
	filled := int(frac * width)
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = '.'
		if i < filled {
			bar[i] = '#'
		}
	}
	secs := time.Since(p.start).Seconds()
	rate := float64(p.nrows.Load()) / max(secs, 0.001)
	fmt.Fprintf(p.w, "\r%s [%s] %3.0f%%  %d rows  %.0f rows/s  %.0fs", p.name, bar, frac*100, p.nrows.Load(), rate, secs)
}

func (p *progressBar) done() {
	if p.finished.Swap(true) {
		return
	}
	close(p.stop)
	p.draw()
	fmt.Fprintln(p.w)
}

func runSeed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := defaultConfig(getenv)
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.register(fs)
	scale := fs.String("scale", "demo", "demo (57 districts, 1,824 booths) or state (65,015 booths)")
	workers := fs.Int("workers", 0, "total workers to generate, e.g. 3000000 (default: officials and 12-member booth committees only)")
	out := fs.String("out", "", "write units.csv and workers.csv into this directory instead of the database")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	var spec seed.Spec
	switch *scale {
	case "demo":
		spec = seed.Demo()
	case "state":
		spec = seed.State()
	default:
		fmt.Fprintf(stderr, "unknown -scale %q: use demo or state\n", *scale)
		return errUsage
	}
	spec.Workers = *workers
	if *out != "" {
		return seedToFiles(spec, *out, stdout)
	}
	log := cfg.logger(stderr)
	st, err := openMigrated(ctx, cfg.DSN, log)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	if err := seedInto(ctx, st, spec, stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %s scale in %v\n", *scale, time.Since(start).Round(time.Millisecond))
	return nil
}

func seedToFiles(spec seed.Spec, dir string, stdout io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	uf, err := os.Create(filepath.Join(dir, "units.csv"))
	if err != nil {
		return err
	}
	defer uf.Close()
	wf, err := os.Create(filepath.Join(dir, "workers.csv"))
	if err != nil {
		return err
	}
	defer wf.Close()
	if err := seed.Generate(spec, uf, wf); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s and %s\n", uf.Name(), wf.Name())
	return nil
}

// seedInto generates spec into temporary files and imports them through
// the normal checked import, units first so workers find their booths.
func seedInto(ctx context.Context, st *store.Store, spec seed.Spec, stdout io.Writer) error {
	dir, err := os.MkdirTemp("", "karyakram-seed-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := seedToFiles(spec, dir, io.Discard); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	for _, kind := range []string{"units", "workers"} {
		f, err := os.Open(filepath.Join(dir, kind+".csv"))
		if err != nil {
			return err
		}
		rep, err := importFile(ctx, st, kind, f, nil)
		f.Close()
		if stdout != nil {
			printReport(stdout, rep)
		}
		if err != nil {
			return fmt.Errorf("import generated %s: %w", kind, err)
		}
	}
	return nil
}
