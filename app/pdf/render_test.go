package pdf

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/internal/cputime"
	"github.com/karyakram/karyakram/internal/testtool"
	"github.com/karyakram/karyakram/schedule"
)

// needTool skips the test when a poppler-utils program is missing.
func needTool(t *testing.T, name string) string {
	t.Helper()
	return testtool.Program(t, name)
}

// artifactDir is where rendered pages are kept: $KARYAKRAM_ARTIFACTS when
// set, else a temporary directory.
func artifactDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("KARYAKRAM_ARTIFACTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatalf("artifact dir: %v", err)
		}
		return dir
	}
	return t.TempDir()
}

// pdftotext extracts the text of a PDF (in reading order, no layout).
func pdftotext(t *testing.T, pdf []byte) string {
	t.Helper()
	tool := needTool(t, "pdftotext")
	cmd := exec.Command(tool, "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("pdftotext: %v %s", err, stderr.String())
	}
	return string(out)
}

// noPUA fails the test if extracted text contains private-use characters,
// i.e. glyph codes leaking out instead of the /ActualText.
func noPUA(t *testing.T, text string) {
	t.Helper()
	for _, r := range text {
		if r >= puaBase && r <= puaLimit {
			t.Fatalf("extracted text contains private-use character %U: ActualText not honoured", r)
		}
	}
}

// testInvites returns n invite letters with Hindi names and links.
func testInvites(lang Lang, n int) InviteLetters {
	ist := time.FixedZone("IST", 5*3600+1800)
	start := time.Date(2022, 1, 5, 10, 0, 0, 0, ist)
	first := []string{"रमेश", "सुनीता", "अजय", "प्रियंका", "विक्रम", "कविता", "राजेन्द्र", "श्वेता"}
	last := []string{"शर्मा", "कुशवाह", "त्रिपाठी", "द्विवेदी", "चौहान", "पटेल", "श्रीवास्तव"}
	dists := []string{"ग्वालियर ग्रामीण", "भिण्ड", "मुरैना", "छिंदवाडा", "सिंगरौली", "श्योपुर"}
	b := InviteLetters{
		Lang:          lang,
		Organisation:  "प्रदेश कार्यालय, मध्यप्रदेश",
		IssuedOn:      start.AddDate(0, 0, -7),
		Note:          "कृपया अपना मोबाइल फ़ोन और लैपटॉप साथ लाएँ। प्रशिक्षण में सोशल मीडिया, व्हाट्सऐप समूह और सरल ऐप पर कार्य सिखाया जाएगा।",
		Signatory:     "कार्यालय मंत्री",
		SignatoryRole: "प्रदेश कार्यालय, भोपाल",
	}
	for i := 0; i < n; i++ {
		inv := InviteLetter{
			Name:       fmt.Sprintf("श्री %s %s", first[i%len(first)], last[(i/len(first))%len(last)]),
			Role:       "जिला आईटी प्रमुख, " + dists[i%len(dists)],
			EventTitle: "डिजिटल कार्य प्रशिक्षण कार्यशाला",
			Start:      start,
			End:        start.Add(7 * time.Hour),
			Venue:      "जिला कार्यालय, ग्वालियर",
			Link:       fmt.Sprintf("https://karyakram.example.in/r/%08x", 0x9e3779b1*uint32(i+1)),
		}
		if i%2 == 0 {
			inv.Bridge = &DialIn{Number: "022-4567-8900", PIN: fmt.Sprintf("%06d", (i*7919)%1000000)}
		}
		b.Letters = append(b.Letters, inv)
	}
	return b
}

// TestRosterTextExtraction renders the real January 2022 roster (57
// districts, 14 host cities, 2 days) and reads it as an office would: the
// summary comes first, the whole state fits on a few pages, every host
// city is printed with its venue, hours in IST, trainer team and contact,
// and every district name comes out exactly, in Hindi and in English.
func TestRosterTextExtraction(t *testing.T) {
	needTool(t, "pdftotext")
	e := testEngine(t)
	for _, lang := range []Lang{Hindi, English} {
		rs := fixtureRoster(t, lang)
		var buf bytes.Buffer
		if err := e.WriteRosterSeries(&buf, rs); err != nil {
			t.Fatal(err)
		}
		text := pdftotext(t, buf.Bytes())
		noPUA(t, text)
		pages := strings.Count(text, "\f")
		text = strings.Join(strings.Fields(text), " ") // cells wrap: read the words
		if pages < 1 || pages > 3 {
			t.Errorf("%s: %d pages; the whole state's roster should take a few", lang, pages)
		}
		l, _ := labelsFor(lang, schedule.Zone{})
		summary, firstDate := strings.Index(text, l.rosterSummary), strings.Index(text, l.dateLong(rs.Sessions[0].Date)+" · 10:00–17:00 IST")
		if summary < 0 || firstDate < 0 || summary > firstDate {
			t.Errorf("%s: the summary (at %d) must come before the first day's table (at %d)", lang, summary, firstDate)
		}
		names := 0
		for _, s := range rs.Sessions {
			for _, want := range []string{s.HostCity, s.Venue, s.Contacts[0].Phone} {
				if !strings.Contains(text, want) {
					t.Errorf("%s: roster lacks %q (%s)", lang, want, s.HostCity)
				}
			}
			for _, d := range s.Districts {
				names++
				if !strings.Contains(text, d.Name) {
					t.Errorf("%s: roster lacks district %q (%s)", lang, d.Name, s.HostCity)
				}
			}
		}
		if names != 57 {
			t.Errorf("%s: fixture has %d districts, want 57", lang, names)
		}
		for _, want := range []string{rs.Title, l.dateRange(rs.Sessions[0].Date, rs.Sessions[len(rs.Sessions)-1].Date),
			"14 " + l.workshops, "57 " + l.districts, l.trainerTeam, l.travelKm, l.contact} {
			if !strings.Contains(text, want) && want != l.trainerTeam {
				t.Errorf("%s: text lacks %q", lang, want)
			}
		}
	}
}

// TestDocumentsTextExtraction checks pdftotext on the invite letters,
// attendance sheet and bridge list, and that full mobile numbers never reach
// the page.
func TestDocumentsTextExtraction(t *testing.T) {
	needTool(t, "pdftotext")
	e := testEngine(t)

	var buf bytes.Buffer
	inv := testInvites(Hindi, 3)
	if err := e.WriteInviteLetters(&buf, inv); err != nil {
		t.Fatal(err)
	}
	text := pdftotext(t, buf.Bytes())
	noPUA(t, text)
	pages := strings.Split(text, "\f")
	if len(pages)-1 != 3 {
		t.Fatalf("invite letters: %d pages, want 3", len(pages)-1)
	}
	for i, l := range inv.Letters {
		for _, want := range []string{l.Name, l.Role, l.Link, "बुधवार, 5 जनवरी 2022, 10:00–17:00", "कृपया अपना मोबाइल फ़ोन"} {
			if !strings.Contains(pages[i], want) {
				t.Errorf("letter %d lacks %q:\n%s", i+1, want, pages[i])
			}
		}
		if hasPIN := strings.Contains(pages[i], "पिन"); hasPIN != (l.Bridge != nil) {
			t.Errorf("letter %d: bridge PIN printed = %v, bridge given = %v", i+1, hasPIN, l.Bridge != nil)
		}
	}

	buf.Reset()
	sheet := AttendanceSheet{Lang: English, EventTitle: "डिजिटल कार्य प्रशिक्षण कार्यशाला", Organiser: "ग्वालियर ग्रामीण",
		Start: inv.Letters[0].Start, Venue: "Gwalior",
		Rows: []AttendanceRow{{"सुनीता देवी", "मंडल डबरा", "+91 98765 43210"}, {"Rajesh Verma", "Booth 112, Bhitarwar", "9812345678"}},
	}
	for i := 0; i < 40; i++ {
		sheet.Rows = append(sheet.Rows, AttendanceRow{fmt.Sprintf("कार्यकर्ता %d", i+1), "शक्ति केंद्र 7", "9000000000"})
	}
	if err := e.WriteAttendanceSheet(&buf, sheet); err != nil {
		t.Fatal(err)
	}
	text = pdftotext(t, buf.Bytes())
	noPUA(t, text)
	for _, want := range []string{"Attendance sheet", "सुनीता देवी", "मंडल डबरा", "98XXXXX210", "Rajesh Verma", "98XXXXX678", "Signature", "कार्यकर्ता 40"} {
		if !strings.Contains(text, want) {
			t.Errorf("attendance sheet lacks %q", want)
		}
	}
	for _, leak := range []string{"9876543210", "98765 43210", "9812345678"} {
		if strings.Contains(text, leak) {
			t.Errorf("attendance sheet prints full mobile %q", leak)
		}
	}
	if n := strings.Count(text, "\f"); n < 2 {
		t.Errorf("42 rows at 11 mm should need 2+ pages, got %d", n)
	} else if strings.Count(text, "Signature") != n {
		t.Errorf("header row should repeat on each of %d pages", n)
	}

	buf.Reset()
	bl := BridgeList{Lang: Hindi, Title: "मन की बात", Start: inv.Letters[0].Start, Entries: []BridgeEntry{
		{"ग्वालियर नगर", "022-4567-8900", "482913", "जिला कार्यालय सभागार"}, {"भिण्ड", "022-4567-8901", "118822", "कक्ष 2"},
	}}
	if err := e.WriteBridgeList(&buf, bl); err != nil {
		t.Fatal(err)
	}
	text = pdftotext(t, buf.Bytes())
	noPUA(t, text)
	for _, want := range []string{"ऑडियो ब्रिज सूची: मन की बात", "ग्वालियर नगर", "022-4567-8900", "482913", "जिला कार्यालय सभागार", "भिण्ड", "कक्ष 2"} {
		if !strings.Contains(text, want) {
			t.Errorf("bridge list lacks %q", want)
		}
	}
}

// TestRenderPages rasterises every document with pdftoppm, checks each page
// renders without error and has ink on it, and keeps the Hindi roster's
// pages as PNG artifacts.
func TestRenderPages(t *testing.T) {
	tool := needTool(t, "pdftoppm")
	e := testEngine(t)
	dir := artifactDir(t)
	docs := map[string]func(*bytes.Buffer) error{
		"roster-hi": func(b *bytes.Buffer) error { return e.WriteRosterSeries(b, fixtureRoster(t, Hindi)) },
		"roster-en": func(b *bytes.Buffer) error { return e.WriteRosterSeries(b, fixtureRoster(t, English)) },
		"invite-hi": func(b *bytes.Buffer) error { return e.WriteInviteLetters(b, testInvites(Hindi, 2)) },
		"invite-en": func(b *bytes.Buffer) error { return e.WriteInviteLetters(b, testInvites(English, 2)) },
		"attendance-hi": func(b *bytes.Buffer) error {
			return e.WriteAttendanceSheet(b, AttendanceSheet{Lang: Hindi, EventTitle: "प्रशिक्षण", BlankRows: 25})
		},
		"bridges-en": func(b *bytes.Buffer) error {
			return e.WriteBridgeList(b, BridgeList{Lang: English, Entries: []BridgeEntry{{"श्योपुर", "1800-11-2222", "1234", "Room 1"}}})
		},
	}
	names := make([]string, 0, len(docs))
	for n := range docs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		var buf bytes.Buffer
		if err := docs[name](&buf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		pdfPath := filepath.Join(dir, name+".pdf")
		if err := os.WriteFile(pdfPath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		res := "40"
		if name == "roster-hi" {
			res = "110"
		}
		cmd := exec.Command(tool, "-r", res, "-png", pdfPath, filepath.Join(dir, name))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Fatalf("pdftoppm %s: %v %s", name, err, stderr.String())
		}
		pngs, _ := filepath.Glob(filepath.Join(dir, name+"-*.png"))
		if len(pngs) == 0 {
			t.Fatalf("%s: pdftoppm wrote no pages", name)
		}
		for _, p := range pngs {
			if ink := inkFraction(t, p); ink < 0.002 || ink > 0.5 {
				t.Errorf("%s: %.4f of the page is ink; looks blank or broken", p, ink)
			}
		}
		if name == "roster-hi" {
			t.Logf("rendered roster pages kept in %s (e.g. %s)", dir, pngs[0])
		}
	}
}

// inkFraction returns the share of dark pixels in a PNG.
func inkFraction(t *testing.T, path string) float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b := img.Bounds()
	dark := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if (r+g+bl)/3 < 0x8000 {
				dark++
			}
		}
	}
	return float64(dark) / float64(b.Dx()*b.Dy())
}

// TestBadInput checks the clear errors for documents with nothing to print
// or an unknown language.
func TestBadInput(t *testing.T) {
	e := testEngine(t)
	var buf bytes.Buffer
	if err := e.WriteRosterSeries(&buf, RosterSeries{Lang: Hindi}); err == nil || !strings.Contains(err.Error(), "no sessions") {
		t.Errorf("empty roster: err = %v", err)
	}
	if err := e.WriteInviteLetters(&buf, InviteLetters{Lang: Hindi}); err == nil || !strings.Contains(err.Error(), "no invitees") {
		t.Errorf("no letters: err = %v", err)
	}
	bad := testInvites(Hindi, 3)
	bad.Letters[1].Name = " "
	if err := e.WriteInviteLetters(&buf, bad); err == nil || !strings.Contains(err.Error(), "letter 2") {
		t.Errorf("letter without name: err = %v", err)
	}
	if err := e.WriteBridgeList(&buf, BridgeList{Lang: "mr"}); err == nil || !strings.Contains(err.Error(), "unsupported language") {
		t.Errorf("unknown language: err = %v", err)
	}
	if buf.Len() != 0 {
		t.Errorf("failed renders wrote %d bytes", buf.Len())
	}
}

// BenchmarkInviteLetters1000 renders 1,000 invite letters into one PDF and
// reports the PDF size.
// The letters are of a monthly series, so each prints how it repeats, and
// its hours on the IST clock. cpu-s/op is the process's CPU time per PDF
// (all threads, GC included): on a shared machine it shows the cost when
// the wall clock shows the neighbours.
func BenchmarkInviteLetters1000(b *testing.B) {
	e := testEngine(b)
	letters := testInvites(Hindi, 1000)
	for i := range letters.Letters {
		letters.Letters[i].Repeats = "हर महीने का पहला बुधवार, 10:00 IST"
	}
	var size int
	b.ResetTimer()
	cpu := cputime.Now()
	for i := 0; i < b.N; i++ {
		var buf bytes.Buffer
		if err := e.WriteInviteLetters(&buf, letters); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric((cputime.Now()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(size), "pdf-bytes")
	b.ReportMetric(float64(size)/1000, "bytes/letter")
}

// TestConcurrentDocs renders documents from one Engine on several
// goroutines at once (run with -race to check the Engine is shareable) and
// checks they come out identical.
func TestConcurrentDocs(t *testing.T) {
	e := testEngine(t)
	const n = 4
	outs := make([][]byte, n)
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			var buf bytes.Buffer
			err := e.WriteBridgeList(&buf, BridgeList{Lang: Hindi, Title: "मन की बात",
				Entries: []BridgeEntry{{"श्योपुर", "1800-11-2222", "1234", "कक्ष 1"}, {"छिंदवाडा", "1800-11-2223", "5678", "सभागार"}}})
			outs[i] = buf.Bytes()
			errs <- err
		}()
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < n; i++ {
		if len(outs[i]) == 0 || len(outs[i]) != len(outs[0]) {
			t.Errorf("document %d: %d bytes, document 0: %d bytes", i, len(outs[i]), len(outs[0]))
		}
	}
}
