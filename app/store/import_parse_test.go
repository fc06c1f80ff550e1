package store

import (
	"bufio"
	"encoding/csv"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"unicode"

	"github.com/karyakram/karyakram/schedule"
)

// BenchmarkWorkerParse measures the Go side of a worker import (CSV
// reading, checks, row building) without a database, over the file named
// by KARYAKRAM_BENCH_WORKERS (a `karyakram seed -workers N -out DIR`
// workers.csv; its units.csv beside it gives the unit codes).
func BenchmarkWorkerParse(b *testing.B) {
	path := os.Getenv("KARYAKRAM_BENCH_WORKERS")
	if path == "" {
		b.Skip("set KARYAKRAM_BENCH_WORKERS to a generated workers.csv")
	}
	refs := map[string]unitRef{}
	uf, err := os.Open(path[:len(path)-len("workers.csv")] + "units.csv")
	if err != nil {
		b.Fatal(err)
	}
	ur := csv.NewReader(uf)
	ur.FieldsPerRecord = -1
	for i := int64(1); ; i++ {
		rec, err := ur.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		refs[rec[0]] = unitRef{id: i, path: "/1/" + strconv.FormatInt(i, 10) + "/", depth: 1}
	}
	uf.Close()
	roles := map[string]bool{}
	for _, r := range []string{"office", "president", "committee_member", "whatsapp_pramukh", "booth_president", "mann_ki_baat_pramukh", "labharthi_pramukh", "it_cell", "steering_committee", "general_secretary", "secretary", "vice_president", "treasurer", "booth_agent", "shakti_kendra_pramukh", "mandal_president", "district_president"} {
		roles[r] = true
	}
	for _, direct := range []bool{false, true} {
		name := "staged"
		if direct {
			name = "direct"
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				var rep ImportReport
				cr := newCSVReader(bufio.NewReaderSize(f, 1<<16))
				h, width, err := readHeader(cr, schedule.WorkerColumns, schedule.WorkerRequired)
				if err != nil {
					b.Fatal(err)
				}
				src := &workerSource{cr: cr, h: h, width: width, refs: refs, roles: roles, actor: schedule.SystemActor("b"), rep: &rep, line: 1}
				n := 0
				if direct {
					d := &directLoad{roles: bufio.NewWriter(io.Discard)}
					src.direct = d
					d.start(src)
					if _, err := io.Copy(io.Discard, d); err != nil {
						b.Fatal(err)
					}
					n = rep.Rows
				} else {
					src.start()
					for src.Next() {
						n++
					}
				}
				f.Close()
				if rep.Total > 0 {
					b.Fatalf("%d rows rejected, first %v", rep.Total, rep.List[0])
				}
				b.ReportMetric(float64(n), "rows")
			}
		})
	}
}

func TestImportNameKeyIsNameKey(t *testing.T) {
	for _, name := range []string{"", " ", "asha", "Asha", "asha devi", "asha  devi", " asha", "asha ", "asha\tdevi",
		"प्रदेश कार्यालय (state office)", "प्रदेश कार्यालय (State Office)", "राम\u00a0कुमार", "ǅemal", "İstanbul", "x\u2028y", "a b c"} {
		if got, want := importNameKey(name), NameKey(name); got != want {
			t.Errorf("importNameKey(%q) = %q, NameKey %q", name, got, want)
		}
	}
	for r := rune(0); r < 0x0E00; r++ {
		if isIndic(r) && (unicode.IsSpace(r) || unicode.ToLower(r) != r || unicode.ToUpper(r) != r) {
			t.Fatalf("%U is not caseless and non-space", r)
		}
	}
	alphabet := []rune("aZ \t\n\u00a0\u0085\u2003\u3000İıẞßǅǄΣσςКкरामक़ि्\u200d😀.(")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		r := make([]rune, rng.IntN(12))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		name := string(r)
		if got, want := importNameKey(name), NameKey(name); got != want {
			t.Fatalf("importNameKey(%q) = %q, NameKey %q", name, got, want)
		}
	}
}

func TestDirectRowsAreCOPYText(t *testing.T) {
	d := &directLoad{base: 10}
	var b rawBatch
	wr := schedule.WorkerRecord{Worker: schedule.Worker{Name: "A\\b\tc", Mobile: "+919822222221", Gender: "F", Active: false}, Roles: []string{"x", "y", "x"}}
	d.appendRow(&b, 5, &wr, unitRef{id: 7, path: "/1/7/"})
	want := "15\tA\\\\b\\tc\ta\\\\b c\t+919822222221\t\\N\tF\t\t\t\t7\t/1/7/\t\tf\n"
	if string(b.out) != want {
		t.Errorf("row %q, want %q", b.out, want)
	}
	if string(b.roles) != "15\tx\t7\t/1/7/\n15\ty\t7\t/1/7/\n" || b.roleRows != 2 {
		t.Errorf("roles %q (%d)", b.roles, b.roleRows)
	}
}
