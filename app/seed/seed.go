// Package seed generates organisations: the demo (the 57 real districts of
// the fixtures with a small synthetic tree below) and a deterministic
// synthetic state at real scale (65,015 booths, 12-member booth committees,
// optionally 3,000,000 workers). Output is CSV in the import format, so
// seeding a database goes through the same checked import as real data.
package seed

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
)

//go:embed data/*.csv
var data embed.FS

// District is an organisational district of the fixture.
type District struct {
	Name, NameHi string
	HQ           string // headquarters town
}

// Districts returns the 57 organisational districts of the January 2022
// roster, in roster order.
func Districts() ([]District, error) {
	f, err := data.Open("data/mp-workshops-2022-01.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read district fixture: %w", err)
	}
	var ds []District
	for _, r := range recs[1:] {
		name := r[3]
		hq := strings.TrimSuffix(strings.TrimSuffix(name, " Nagar"), " Gramin")
		ds = append(ds, District{Name: name, NameHi: r[4], HQ: hq})
	}
	return ds, nil
}

// Spec is the shape of a generated organisation. Totals are spread evenly
// over the parents, so the state scale hits its real numbers exactly.
type Spec struct {
	Assemblies     int // total over all districts
	Mandals        int
	Clusters       int
	KendrasPerClus int
	Booths         int
	Committee      int // members per booth committee
	Workers        int // total workers; 0 means committees only
}

// Demo is a small tree: 57 districts, 2 assemblies each and a couple of
// each level below, 12-member committees in 1,824 booths.
func Demo() Spec {
	return Spec{Assemblies: 114, Mandals: 228, Clusters: 456, KendrasPerClus: 2, Booths: 1824, Committee: 12}
}

// State is the real scale of the first organisation.
func State() Spec {
	return Spec{Assemblies: 230, Mandals: 1000, Clusters: 6400, KendrasPerClus: 2, Booths: 65015, Committee: 12}
}

// Demo officials: their mobiles are printed when the demo starts.
const (
	StateOfficeMobile     = "9000000001"
	DistrictOfficeMobile  = "9000000002"
	MandalPresidentMobile = "9000000003"
	BoothPresidentMobile  = "9000000004"
)

// spread returns the share of total that the i-th of n parents gets.
func spread(total, n, i int) int {
	s := total / n
	if i < total%n {
		s++
	}
	return s
}

// Generate writes the units CSV and the workers CSV of spec. Output is the
// same for the same spec: names come from a fixed-seed generator.
func Generate(spec Spec, unitsOut, workersOut io.Writer) error {
	districts, err := Districts()
	if err != nil {
		return err
	}
	g := &gen{spec: spec, rng: rand.New(rand.NewPCG(2022, 1)), units: csv.NewWriter(unitsOut), workers: csv.NewWriter(workersOut)}
	g.units.Write([]string{"code", "parent_code", "level", "name", "name_hi"})
	g.workers.Write([]string{"name", "mobile", "voter_id", "gender", "social", "unit_code", "roles", "work"})
	g.unit("MP", "", "state", "Madhya Pradesh", "मध्य प्रदेश")
	g.special("State Office", "प्रदेश कार्यालय", StateOfficeMobile, "MP", "office")

	nd := len(districts)
	if spec.Workers > 0 {
		officials := 1 + nd + spec.Mandals + 3*spec.Clusters + spec.Booths*spec.Committee
		g.extra = spec.Workers - officials
	}
	asmIdx, mandalIdx, clusterIdx, boothIdx := 0, 0, 0, 0
	nClusters := spec.Clusters
	nKendras := nClusters * spec.KendrasPerClus
	kendraIdx := 0
	for di, d := range districts {
		dc := fmt.Sprintf("D%02d", di+1)
		g.unit(dc, "MP", "district", d.Name, d.NameHi)
		if di == 0 {
			g.special("District President", "ज़िला अध्यक्ष", DistrictOfficeMobile, dc, "president")
		} else {
			g.person(dc, "president", g.official())
		}
		for a := 0; a < spread(spec.Assemblies, nd, di); a++ {
			ac := fmt.Sprintf("%s-A%d", dc, a+1)
			g.unit(ac, dc, "assembly", fmt.Sprintf("%s Assembly %d", d.Name, a+1), fmt.Sprintf("%s विधानसभा %d", d.NameHi, a+1))
			for m := 0; m < spread(spec.Mandals, spec.Assemblies, asmIdx); m++ {
				mc := fmt.Sprintf("%s-M%d", ac, m+1)
				g.unit(mc, ac, "mandal", fmt.Sprintf("%s Mandal %d", d.HQ, mandalIdx+1), fmt.Sprintf("मंडल %d", mandalIdx+1))
				if mandalIdx == 0 {
					g.special("Mandal President", "मंडल अध्यक्ष", MandalPresidentMobile, mc, "president")
				} else {
					g.person(mc, "president", g.official())
				}
				for c := 0; c < spread(nClusters, spec.Mandals, mandalIdx); c++ {
					cc := fmt.Sprintf("%s-C%d", mc, c+1)
					g.unit(cc, mc, "cluster", fmt.Sprintf("Cluster %d", clusterIdx+1), fmt.Sprintf("क्लस्टर %d", clusterIdx+1))
					for i := 0; i < 3; i++ {
						g.person(cc, "steering_committee", g.member())
					}
					for k := 0; k < spec.KendrasPerClus; k++ {
						kc := fmt.Sprintf("%s-S%d", cc, k+1)
						g.unit(kc, cc, "shakti_kendra", fmt.Sprintf("Shakti Kendra %d", kendraIdx+1), fmt.Sprintf("शक्ति केंद्र %d", kendraIdx+1))
						for b := 0; b < spread(spec.Booths, nKendras, kendraIdx); b++ {
							bc := fmt.Sprintf("%s-B%d", kc, b+1)
							g.unit(bc, kc, "booth", fmt.Sprintf("Booth %d", boothIdx+1), fmt.Sprintf("बूथ %d", boothIdx+1))
							g.committee(bc, boothIdx == 0)
							g.extraWorkers(bc, boothIdx)
							boothIdx++
						}
						kendraIdx++
					}
					clusterIdx++
				}
				mandalIdx++
			}
			asmIdx++
		}
	}
	g.units.Flush()
	g.workers.Flush()
	if err := g.units.Error(); err != nil {
		return fmt.Errorf("write units: %w", err)
	}
	if err := g.workers.Error(); err != nil {
		return fmt.Errorf("write workers: %w", err)
	}
	return nil
}

type gen struct {
	spec           Spec
	rng            *rand.Rand
	units, workers *csv.Writer
	n              int // workers written
	extra          int // ordinary workers beyond officials and committees
}

func (g *gen) unit(code, parent, level, name, nameHi string) {
	g.units.Write([]string{code, parent, level, name, nameHi})
}

type personName struct {
	name   string
	gender string
}

var (
	firstM = []string{"राम", "श्याम", "मोहन", "सुरेश", "रमेश", "दिनेश", "अजय", "विजय", "राजेश", "संजय", "Anil", "Sunil", "Rakesh", "Mahesh", "Arvind"}
	firstF = []string{"सीता", "गीता", "सुनीता", "अनीता", "कविता", "ममता", "पूजा", "रेखा", "Sarita", "Meena", "Asha", "Usha", "Kiran"}
	last   = []string{"शर्मा", "वर्मा", "पटेल", "यादव", "सिंह", "तिवारी", "मिश्रा", "चौहान", "Sharma", "Patel", "Yadav", "Singh", "Rajput", "Kushwaha"}
)

func (g *gen) name(female bool) personName {
	first, gender := firstM[g.rng.IntN(len(firstM))], "M"
	if female {
		first, gender = firstF[g.rng.IntN(len(firstF))], "F"
	}
	return personName{first + " " + last[g.rng.IntN(len(last))], gender}
}

func (g *gen) official() personName { return g.name(g.rng.IntN(4) == 0) }
func (g *gen) member() personName   { return g.name(g.rng.IntN(3) == 0) }

// mobile and epic are unique per generated worker. Numbers start at
// 7000000000 so they never meet the demo officials' 90000000xx.
func mobile(n int) string { return strconv.Itoa(7_000_000_000 + n) }

func epic(n int) string {
	letters := []byte{'A' + byte(n/10_000_000/676%26), 'A' + byte(n/10_000_000/26%26), 'A' + byte(n/10_000_000%26)}
	return fmt.Sprintf("%s%07d", letters, n%10_000_000)
}

func (g *gen) person(unit, roles string, p personName) {
	g.n++
	social := ""
	if strings.Contains(roles, "whatsapp") || strings.Contains(roles, "it_cell") {
		social = fmt.Sprintf("@kk%d", g.n)
	}
	g.workers.Write([]string{p.name, mobile(g.n), epic(g.n), p.gender, social, unit, roles, ""})
}

func (g *gen) special(name, nameHi, mob, unit, roles string) {
	g.n++
	g.workers.Write([]string{nameHi + " (" + name + ")", mob, epic(g.n), "M", "", unit, roles, ""})
}

// committee writes a booth committee: the four named pramukhs, then
// members, with at least three women.
func (g *gen) committee(booth string, demoPresident bool) {
	roles := []string{"booth_president", "mann_ki_baat_pramukh", "labharthi_pramukh", "whatsapp_pramukh"}
	for i := 0; i < g.spec.Committee; i++ {
		r := "committee_member"
		if i < len(roles) {
			r = roles[i]
		}
		female := i >= g.spec.Committee-3 || g.rng.IntN(4) == 0
		if i == 0 && demoPresident {
			g.special("Booth President", "बूथ अध्यक्ष", BoothPresidentMobile, booth, r)
			continue
		}
		g.person(booth, r, g.name(female))
	}
}

// extraWorkers fills booths with ordinary workers so that the total comes
// to spec.Workers.
func (g *gen) extraWorkers(booth string, boothIdx int) {
	if g.extra <= 0 {
		return
	}
	for i := 0; i < spread(g.extra, g.spec.Booths, boothIdx); i++ {
		g.person(booth, "", g.member())
	}
}

// Roster2022 returns the real January 2022 workshop roster as CSV in the
// roster format (date, host_city, host_city_hi, org_district,
// org_district_hi): the sample hand-made roster the planner offers.
func Roster2022() string {
	b, err := data.ReadFile("data/mp-workshops-2022-01.csv")
	if err != nil {
		panic("seed: embedded roster missing: " + err.Error()) // embedded at build time
	}
	return string(b)
}

// DistrictHQs returns the headquarters towns of the fixture organisation's
// districts as CSV (town, town_hi, lat, lon): the candidate workshop hosts.
func DistrictHQs() string {
	b, err := data.ReadFile("data/mp-district-hq.csv")
	if err != nil {
		panic("seed: embedded district HQs missing: " + err.Error()) // embedded at build time
	}
	return string(b)
}
