package schedule

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func clusters(s string) []string { return slices.Collect(Graphemes(s)) }

func TestGraphemesKeepConjunctsTogether(t *testing.T) {
	cases := map[string][]string{
		"कार्यक्रम":   {"का", "र्य", "क्र", "म"},
		"क्षत्रिय":    {"क्ष", "त्रि", "य"},
		"श्रद्धांजलि": {"श्र", "द्धां", "ज", "लि"},
		"ज़िला":       {"ज़ि", "ला"},
		"a\r\nb":      {"a", "\r\n", "b"},
		"👍🏽x":         {"👍🏽", "x"},
		"🇮🇳🇮🇳":        {"🇮🇳", "🇮🇳"},
		"":            nil,
	}
	for in, want := range cases {
		if got := clusters(in); !slices.Equal(got, want) {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// TestGraphemesAgreeWithICU segments a corpus of the text this system
// handles (Hindi titles and names, venue names with nuktas, emoji the
// message templates use) with node's Intl.Segmenter (ICU) and compares.
func TestGraphemesAgreeWithICU(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found: run scripts/apt-packages.sh (Debian package nodejs) to compare with ICU's segmenter")
	}
	corpus := []string{
		"ज़िला कार्यसमिति बैठक, मानस भवन, जबलपुर",
		"रामेश्वर प्रसाद विश्वकर्मा जी, डिजिटल कार्यप्रणाली कार्यशाला",
		"मन की बात श्रवण — हर महीने का अंतिम रविवार, 11:00 IST",
		"श्रद्धांजलि सभा, क्षत्रिय धर्मशाला, ग्वालियर; उज्जैन, त्र्यंबकेश्वर",
		"स्त्री शक्ति सम्मेलन: राष्ट्र्रीय (sic) स्वास्थ्य; अर्द्ध; द्व्यर्थ",
		"कृपया ध्यान दें: इस लिंक की अवधि समाप्त हो गई।",
		"নমস্কার কার্যক্রম", "ગુજરાત કાર્યક્રમ", "ଓଡ଼ିଆ କାର୍ଯ୍ୟକ୍ରମ", "తెలుగు కార్యక్రమం", "മലയാളം കാര്യക്രമം",
		"ਪੰਜਾਬੀ ਪ੍ਰੋਗਰਾਮ", "தமிழ் நிகழ்ச்சி", "ಕನ್ನಡ ಕಾರ್ಯಕ್ರಮ",
		"क\u200dष क\u200cष क्\u200dष",
		"📅 📍 🎧 📞 ⏰ 🔄 ❌ 🔁 👨‍👩‍👧 👍🏽 🇮🇳",
		"Café déjà vu, naïve résumé",
		"line one\r\nline two\nthree",
	}
	script := `const seg = new Intl.Segmenter("und", {granularity: "grapheme"});
let input = ""; process.stdin.on("data", d => input += d);
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(s => Array.from(seg.segment(s), x => x.segment));
  process.stdout.write(JSON.stringify(out));
});`
	in, _ := json.Marshal(corpus)
	cmd := exec.Command(node, "-e", script)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var want [][]string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for i, s := range corpus {
		if got := clusters(s); !slices.Equal(got, want[i]) {
			t.Errorf("%q:\n  ours %q\n  ICU  %q", s, got, want[i])
		}
	}
}
