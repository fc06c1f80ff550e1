package tour

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// MILPStats describes a written model.
type MILPStats struct {
	Columns  int   `json:"columns"`   // route columns (plus one slack per place)
	Rows     int   `json:"rows"`      // constraints
	Nonzeros int64 `json:"nonzeros"`  // constraint coefficients
	Routes   int   `json:"routes"`    // distinct feasible routes enumerated
	Constant int   `json:"uncovered"` // places no route can visit (their slack is 1)
}

// ErrMILPTooLarge is returned by WriteMILP when the model would exceed the
// column limit.
var ErrMILPTooLarge = errors.New("tour MILP: too many columns")

// WriteMILP writes the campaign as a mixed-integer program in CPLEX LP
// format (read by cbc and glpsol): the route (set-partitioning) model, exact
// for every rule. One binary column per feasible day route of each vistarak
// — every set of at most MaxVisitsPerDay places they may visit that has an
// order keeping the time windows, working hours and km cap, costed at its
// shortest such order. A route whose places may run on every available day
// of the vistarak has one column; a route restricted by place days has one
// column per allowed day. Rows: each place covered once (or its slack u,
// costing UncoveredPenaltyKm), each vistarak's visit cap and number of
// available days, and at most one day-specific route per vistarak and day
// (the any-day routes take the days left). Minimise km + penalty × slack.
//
// maxColumns (0 = no limit) stops with ErrMILPTooLarge before writing when
// the model would be larger; the enumeration is exhaustive, so this model
// is for small campaigns (a mandal), the scale where an exact solver can
// prove the optimum.
func WriteMILP(w io.Writer, in *Instance, maxColumns int) (MILPStats, error) {
	var st MILPStats
	if err := in.Validate(); err != nil {
		return st, fmt.Errorf("tour campaign: %w", err)
	}
	p := compile(in)
	c := p.buildCands()
	type col struct {
		v      int
		places []int32
		cost   float64
		day    int // −1: any available day
	}
	var cols []col
	for v := 0; v < p.nV; v++ {
		var err error
		p.enumerateRoutes(v, c.vPlaces[v], func(set []int32, cost float64, days uint64) bool {
			st.Routes++
			if days == p.vDays[v] {
				cols = append(cols, col{v: v, places: append([]int32(nil), set...), cost: cost, day: -1})
			} else {
				for m := days; m != 0; m &= m - 1 {
					cols = append(cols, col{v: v, places: append([]int32(nil), set...), cost: cost, day: bits.TrailingZeros64(m)})
				}
			}
			if maxColumns > 0 && len(cols) > maxColumns {
				err = fmt.Errorf("%w: more than %d (vistarak %d of %d enumerated)", ErrMILPTooLarge, maxColumns, v+1, p.nV)
				return false
			}
			return true
		})
		if err != nil {
			return st, err
		}
	}
	st.Columns = len(cols) + p.nP
	bw := bufio.NewWriterSize(w, 1<<20)
	num := func(x float64) string { return strconv.FormatFloat(x, 'f', 6, 64) }
	fmt.Fprintf(bw, "\\ karyakram tour campaign: %s\n", strings.ReplaceAll(p.in.Title, "\n", " "))
	fmt.Fprintf(bw, "\\ %d places, %d vistaraks, %d dates; %d feasible routes, %d columns\n", p.nP, p.nV, p.nT, st.Routes, st.Columns)
	fmt.Fprintln(bw, "\\ y<k>: route column k (see the comment above each column list); u<i>: place i left uncovered")
	bw.WriteString("Minimize\n obj:")
	lineLen := 0
	term := func(s string) {
		if lineLen > 200 {
			bw.WriteString("\n")
			lineLen = 0
		}
		bw.WriteString(s)
		lineLen += len(s)
	}
	for k, cl := range cols {
		term(" + " + num(cl.cost) + " y" + strconv.Itoa(k))
	}
	for i := 0; i < p.nP; i++ {
		term(" + " + num(p.rules.UncoveredPenaltyKm) + " u" + strconv.Itoa(i))
	}
	bw.WriteString("\nSubject To\n")
	cover := make([][]int32, p.nP)
	byV := make([][]int32, p.nV)
	for k, cl := range cols {
		for _, x := range cl.places {
			cover[x] = append(cover[x], int32(k))
		}
		byV[cl.v] = append(byV[cl.v], int32(k))
	}
	for i := 0; i < p.nP; i++ {
		lineLen = 0
		term(fmt.Sprintf(" cover%d:", i))
		for _, k := range cover[i] {
			term(" + y" + strconv.Itoa(int(k)))
		}
		term(" + u" + strconv.Itoa(i) + " = 1\n")
		st.Rows++
		st.Nonzeros += int64(len(cover[i]) + 1)
		if len(cover[i]) == 0 {
			st.Constant++
		}
	}
	for v := 0; v < p.nV; v++ {
		if len(byV[v]) == 0 {
			continue
		}
		lineLen = 0
		term(fmt.Sprintf(" cap%d:", v))
		for _, k := range byV[v] {
			term(" + " + strconv.Itoa(len(cols[k].places)) + " y" + strconv.Itoa(int(k)))
		}
		term(fmt.Sprintf(" <= %d\n", p.capV[v]))
		lineLen = 0
		term(fmt.Sprintf(" days%d:", v))
		for _, k := range byV[v] {
			term(" + y" + strconv.Itoa(int(k)))
		}
		term(fmt.Sprintf(" <= %d\n", bits.OnesCount64(p.vDays[v])))
		st.Rows += 2
		st.Nonzeros += 2 * int64(len(byV[v]))
		perDay := map[int][]int32{}
		for _, k := range byV[v] {
			if d := cols[k].day; d >= 0 {
				perDay[d] = append(perDay[d], k)
			}
		}
		for d := 0; d < p.nT; d++ {
			ks := perDay[d]
			if len(ks) < 2 {
				continue
			}
			lineLen = 0
			term(fmt.Sprintf(" day%d_%d:", v, d))
			for _, k := range ks {
				term(" + y" + strconv.Itoa(int(k)))
			}
			term(" <= 1\n")
			st.Rows++
			st.Nonzeros += int64(len(ks))
		}
	}
	bw.WriteString("Bounds\n")
	for i := 0; i < p.nP; i++ {
		fmt.Fprintf(bw, " 0 <= u%d <= 1\n", i)
	}
	bw.WriteString("Binary\n")
	for k := range cols {
		fmt.Fprintf(bw, " y%d\n", k)
	}
	bw.WriteString("End\n")
	return st, bw.Flush()
}

// enumerateRoutes calls fn for every feasible route (set of places in
// index order of list, its shortest feasible km and allowed days) of
// vistarak v over the given eligible places, depth first; a set with no
// feasible order or no common day has no feasible superset, so its subtree
// is skipped. fn returns false to stop.
func (p *problem) enumerateRoutes(v int, list []int32, fn func(set []int32, cost float64, days uint64) bool) {
	set := make([]int32, 0, p.q[v])
	buf := make([]int32, p.q[v])
	stop := false
	var dfs func(from int, days uint64)
	dfs = func(from int, days uint64) {
		for i := from; i < len(list) && !stop; i++ {
			m := days & p.pDays[list[i]]
			if m == 0 {
				continue
			}
			set = append(set, list[i])
			b := append(buf[:0], set...)
			if km, ok := p.bestOrder(v, b); ok && !math.IsInf(km, 1) {
				if !fn(set, km, m) {
					stop = true
				}
				if len(set) < p.q[v] {
					dfs(i+1, m)
				}
			}
			set = set[:len(set)-1]
		}
	}
	dfs(0, p.vDays[v])
}
