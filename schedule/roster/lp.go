package roster

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
)

// LPOptions tunes WriteLP.
type LPOptions struct {
	// Strong adds x[d,h] ≤ Σt y[h,t] for every pair (a tighter LP
	// relaxation, one row per district-host pair); otherwise only the
	// capacity rows link assignment to opening.
	Strong bool
}

// WriteLP writes the instance as a mixed-integer program in CPLEX LP format
// (readable by glpsol --lp): binary x_d_h (district d attends host h) and
// y_h_t (host h holds its workshop on date t); minimise person-km plus fixed
// cost subject to one workshop per district, one date per host, trainer
// teams per date, capacities, own districts at home (x = Σt y for a host's own districts), pins and
// exclusions.
// Variable indices follow the instance's order of districts, hosts and dates.
func WriteLP(w io.Writer, in *Instance, opt LPOptions) error {
	if err := in.Validate(); err != nil {
		return fmt.Errorf("roster instance: %w", err)
	}
	p := compile(in)
	bw := bufio.NewWriter(w)
	lw := &lpLineWriter{w: bw}
	x := func(d, h int) string { return fmt.Sprintf("x_%d_%d", d, h) }
	y := func(h, t int) string { return fmt.Sprintf("y_%d_%d", h, t) }
	usable := func(h int) bool { return !p.closed[h] }
	arc := func(d, h int) bool { return usable(h) && !math.IsInf(p.cost[d][h], 1) }

	fmt.Fprintf(bw, "\\ karyakram workshop roster: %s (%d districts, %d hosts, %d dates)\n", strings.ReplaceAll(in.Title, "\n", " "), p.nD, p.nH, p.nT)
	fmt.Fprintln(bw, "Minimize")
	lw.start(" obj:")
	for d := 0; d < p.nD; d++ {
		for h := 0; h < p.nH; h++ {
			if arc(d, h) {
				lw.term(p.cost[d][h], x(d, h))
			}
		}
	}
	if p.fixedCost > 0 {
		for h := 0; h < p.nH; h++ {
			for t := 0; t < p.nT; t++ {
				if usable(h) && p.avail[h][t] {
					lw.term(p.fixedCost, y(h, t))
				}
			}
		}
	}
	lw.end("")
	fmt.Fprintln(bw, "Subject To")
	for d := 0; d < p.nD; d++ {
		lw.start(fmt.Sprintf(" assign_%d:", d))
		for h := 0; h < p.nH; h++ {
			if arc(d, h) {
				lw.term(1, x(d, h))
			}
		}
		lw.end(" = 1")
	}
	openTerms := func(h int, coef float64) {
		for t := 0; t < p.nT; t++ {
			if p.avail[h][t] {
				lw.term(coef, y(h, t))
			}
		}
	}
	for h := 0; h < p.nH; h++ {
		if !usable(h) {
			continue
		}
		lw.start(fmt.Sprintf(" once_%d:", h))
		openTerms(h, 1)
		if p.forced[h] {
			lw.end(" = 1")
		} else {
			lw.end(" <= 1")
		}
		lw.start(fmt.Sprintf(" cap_%d:", h))
		for d := 0; d < p.nD; d++ {
			if arc(d, h) {
				lw.term(1, x(d, h))
			}
		}
		openTerms(h, -float64(p.capCount[h]))
		lw.end(" <= 0")
		if p.capAtt[h] != math.MaxInt {
			lw.start(fmt.Sprintf(" seats_%d:", h))
			for d := 0; d < p.nD; d++ {
				if arc(d, h) {
					lw.term(float64(p.att[d]), x(d, h))
				}
			}
			openTerms(h, -float64(p.capAtt[h]))
			lw.end(" <= 0")
		}
		for _, d := range p.homes[h] {
			if !arc(d, h) {
				continue
			}
			lw.start(fmt.Sprintf(" home_%d_%d:", d, h))
			lw.term(1, x(d, h))
			openTerms(h, -1)
			lw.end(" = 0")
		}
		if opt.Strong {
			for d := 0; d < p.nD; d++ {
				if arc(d, h) && p.home[d] != h {
					lw.start(fmt.Sprintf(" link_%d_%d:", d, h))
					lw.term(1, x(d, h))
					openTerms(h, -1)
					lw.end(" <= 0")
				}
			}
		}
	}
	for t := 0; t < p.nT; t++ {
		lw.start(fmt.Sprintf(" teams_%d:", t))
		any := false
		for h := 0; h < p.nH; h++ {
			if usable(h) && p.avail[h][t] {
				lw.term(1, y(h, t))
				any = true
			}
		}
		if any {
			lw.end(fmt.Sprintf(" <= %d", p.teams[t]))
		} else {
			lw.discard()
		}
	}
	fmt.Fprintln(bw, "Binary")
	for d := 0; d < p.nD; d++ {
		for h := 0; h < p.nH; h++ {
			if arc(d, h) {
				fmt.Fprintf(bw, " %s\n", x(d, h))
			}
		}
	}
	for h := 0; h < p.nH; h++ {
		for t := 0; t < p.nT; t++ {
			if usable(h) && p.avail[h][t] {
				fmt.Fprintf(bw, " %s\n", y(h, t))
			}
		}
	}
	fmt.Fprintln(bw, "End")
	if lw.err != nil {
		return fmt.Errorf("write lp: %w", lw.err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write lp: %w", err)
	}
	return nil
}

// lpLineWriter writes one LP expression, wrapping long lines.
type lpLineWriter struct {
	w     *bufio.Writer
	buf   strings.Builder
	n     int
	terms int
	err   error
}

func (l *lpLineWriter) start(label string) {
	l.buf.Reset()
	l.buf.WriteString(label)
	l.n = 0
	l.terms = 0
}

func (l *lpLineWriter) term(coef float64, name string) {
	sign := "+"
	if coef < 0 {
		sign, coef = "-", -coef
	}
	fmt.Fprintf(&l.buf, " %s %s %s", sign, strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.6f", coef), "0"), "."), name)
	l.terms++
	if l.n++; l.n >= 8 {
		l.buf.WriteString("\n   ")
		l.n = 0
	}
}

func (l *lpLineWriter) end(rhs string) {
	if l.terms == 0 {
		l.buf.WriteString(" 0 x_none")
	}
	l.buf.WriteString(rhs)
	l.buf.WriteString("\n")
	if _, err := l.w.WriteString(l.buf.String()); err != nil && l.err == nil {
		l.err = err
	}
}

func (l *lpLineWriter) discard() { l.buf.Reset() }
