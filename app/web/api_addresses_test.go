package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

type turnoutJSON struct {
	AddressID int64 `json:"address_id"`
	Updated   string
	Turnout   struct {
		Total     map[string]any
		Districts []map[string]any
		Mandals   []map[string]any
		Peak      int
		At        string
	}
}

var pollURLRE = regexp.MustCompile(`var url = "([^"]+)"`)

var clockSecondsRE = regexp.MustCompile(`^\d\d:\d\d:\d\d IST$`)

// TestMassAddressAPI: the state office's program reads an address (plan
// and rooms as the page shows them, times at +05:30, what this server
// cannot do), its live turnout (the numbers the turnout page shows, which
// its script now polls from this route) and its bridges; a district's
// program gets its district's share; bad input is a 422 naming the field.
func TestMassAddressAPI(t *testing.T) {
	pool, _ := schedule.ParseBridgeNumbers("+9175540000xx")
	e := newEnv(t, web.Config{Turnout: web.TurnoutConfig{Numbers: pool}})
	ctx := context.Background()
	st := storetest.Actor(t, e.st, "9800000001")
	start := testclock.Day(1, 11, 0)
	saved, err := e.st.CreateEvent(ctx, schedule.SystemActor("t"), schedule.Event{UnitID: unitID(t, e.st, "MP"), Type: store.AddressEventType,
		Title: "State address", TitleHi: "प्रदेश संबोधन", Start: start, End: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := e.st.CreateAddress(ctx, st, store.AddressInput{EventID: saved.Event.ID, Speakers: "State President", SpeakersHi: "प्रदेश अध्यक्ष", ListenersPerRoom: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SendInvites(ctx, st, saved.Event.ID, store.Audience{UnitIDs: []int64{unitID(t, e.st, "MP")}, Channel: schedule.ChannelSMS}); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("/addresses/%d", addr.ID)
	state := e.browser()
	state.login("9800000001")
	if resp, _ := state.post(base+"/bridges", url.Values{"level": {"district"}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("bridges set up: %d", resp.StatusCode)
	}
	d1, d2 := unitID(t, e.st, "D1"), unitID(t, e.st, "D2")
	var ram int64
	e.st.DB().QueryRowContext(ctx, "SELECT id FROM workers WHERE mobile LIKE ?", "%9811111111").Scan(&ram)
	t0 := testclock.Day(1, 11, 1)
	for _, p := range []store.PresenceEvent{
		{EventID: "J1", Joined: true, Room: schedule.ListenerRoomName(addr.ID, d1, 1), Identity: schedule.ListenerIdentity(ram), At: t0},
		{EventID: "J2", Joined: true, Room: schedule.ListenerRoomName(addr.ID, d2, 1), Identity: "sip_+919800000077", At: t0, SIP: true},
	} {
		if _, err := e.st.RecordPresence(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	tok := apiToken(t, e, "9800000001")

	// The address as its page shows it.
	var a struct {
		ID                    int64
		EventID               int64 `json:"event_id"`
		Start, End, RoomState string
		Speakers              string
		ListenersPerRoom      int `json:"listeners_per_room"`
		ExpectedAudience      int `json:"expected_audience"`
		LiveKit, Over         bool
		BridgeNumbers         bool `json:"bridge_numbers"`
		CanModerate           bool `json:"can_moderate"`
		Plan                  struct {
			Cap, RoomLimit, Audience, Rooms int
			Stage                           string
			Areas                           []struct {
				Name     string
				NameHi   string `json:"name_hi"`
				Audience int
				Rooms    []string
			}
		}
	}
	if code, raw := apiDo(t, e, "GET", "/api/v1"+base, tok, "", &a); code != http.StatusOK {
		t.Fatalf("address: %d %s", code, raw)
	}
	_, doc := state.get(base)
	if a.Start != start.In(testclock.Zone).Format(time.RFC3339) || !strings.HasSuffix(a.Start, "T11:00:00+05:30") || a.Speakers != "State President" ||
		fmt.Sprint(a.ExpectedAudience) != doc.Find("#expected").Text() || fmt.Sprint(a.ListenersPerRoom) != doc.Find("#cap").Text() || a.Plan.Cap != 2 {
		t.Errorf("address %+v; page expected %q cap %q", a, doc.Find("#expected").Text(), doc.Find("#cap").Text())
	}
	// As the demo runs: no LiveKit (the page says rooms are off), numbers
	// configured, the state may moderate, not over yet.
	state2, _ := doc.Find("#room-state").Attr("data-state")
	if a.LiveKit || state2 != "off" || !a.BridgeNumbers || doc.Find("#no-bridge-numbers").Length() != 0 || !a.CanModerate || a.Over {
		t.Errorf("flags livekit %v bridges %v moderate %v over %v; page state %q", a.LiveKit, a.BridgeNumbers, a.CanModerate, a.Over, state2)
	}
	rows := doc.Find("#areas tbody tr")
	if rows.Length() != len(a.Plan.Areas) || len(a.Plan.Areas) < 2 {
		t.Fatalf("%d areas in the API, %d on the page", len(a.Plan.Areas), rows.Length())
	}
	sumAudience, sumRooms := 0, 0
	for i, ar := range a.Plan.Areas {
		tds := rows.Eq(i).Find("td")
		if tds.Eq(0).Text() != ar.NameHi || tds.Eq(1).Text() != fmt.Sprint(ar.Audience) || tds.Eq(2).Text() != fmt.Sprint(len(ar.Rooms)) || len(ar.Rooms) == 0 {
			t.Errorf("area %d: API %+v, page %q", i, ar, rows.Eq(i).Text())
		}
		sumAudience += ar.Audience
		sumRooms += len(ar.Rooms)
	}
	if a.Plan.Audience != sumAudience || a.Plan.Rooms != sumRooms || !strings.Contains(doc.Find("code").First().Text(), a.Plan.Stage) {
		t.Errorf("plan totals %+v", a.Plan)
	}

	// The turnout: the page's numbers, overall and per district.
	checkTurnout := func(b *browser, token string, wantJoined int) {
		t.Helper()
		var tj turnoutJSON
		if code, raw := apiDo(t, e, "GET", "/api/v1"+base+"/turnout", token, "", &tj); code != http.StatusOK {
			t.Fatalf("turnout: %d %s", code, raw)
		}
		_, doc := b.get(base + "/turnout")
		n := func(v any) string { return fmt.Sprint(int(v.(float64))) }
		if n(tj.Turnout.Total["joined"]) != doc.Find("#t-joined").Text() || n(tj.Turnout.Total["by_phone"]) != doc.Find("#t-phone").Text() ||
			n(tj.Turnout.Total["invited"]) != strings.ReplaceAll(doc.Find("#t-invited").Text(), ",", "") || n(tj.Turnout.Total["joined"]) != fmt.Sprint(wantJoined) {
			t.Errorf("totals %v; page joined %q phone %q invited %q", tj.Turnout.Total, doc.Find("#t-joined").Text(), doc.Find("#t-phone").Text(), doc.Find("#t-invited").Text())
		}
		districtRE := regexp.MustCompile(`^D\d+$`)
		if shown := doc.Find("tr[data-code]").FilterFunction(func(_ int, s *goquery.Selection) bool {
			return districtRE.MatchString(s.AttrOr("data-code", ""))
		}).Length(); shown != len(tj.Turnout.Districts) {
			t.Errorf("%d districts in the API, %d on the page", len(tj.Turnout.Districts), shown)
		}
		for _, d := range tj.Turnout.Districts {
			code := d["code"].(string)
			if got := doc.Find(`tr[data-code="` + code + `"] .joined`).First().Text(); got != n(d["joined"]) {
				t.Errorf("%s joined: API %s, page %q", code, n(d["joined"]), got)
			}
		}
		if !strings.HasSuffix(tj.Turnout.At, "+05:30") || !clockSecondsRE.MatchString(tj.Updated) || tj.AddressID != addr.ID {
			t.Errorf("at %q updated %q", tj.Turnout.At, tj.Updated)
		}
	}
	checkTurnout(state, tok, 2)
	// The page's script polls the API with the session, in the page's
	// language, narrowed as the page is.
	_, raw := state.getRaw(fmt.Sprintf("%s/turnout?unit=%d", base, d1))
	m := pollURLRE.FindSubmatch(raw)
	if m == nil {
		t.Fatalf("no poll URL in the turnout page")
	}
	poll := strings.ReplaceAll(string(m[1]), `\u0026`, "&")
	resp, raw := state.getRaw(poll)
	var polled turnoutJSON
	if err := json.Unmarshal(raw, &polled); err != nil || resp.StatusCode != http.StatusOK || poll != fmt.Sprintf("/api/v1%s/turnout?lang=hi&unit=%d", base, d1) ||
		polled.Turnout.Total["joined"] != 1.0 {
		t.Errorf("the page polls %q: %d %s", poll, resp.StatusCode, raw)
	}

	// The bridges: one per district, as the page lists them.
	var br struct {
		Provisioned bool
		Numbers     int
		Bridges     []struct {
			UnitCode           string `json:"unit_code"`
			Number, PIN, State string
		}
	}
	if code, raw := apiDo(t, e, "GET", "/api/v1"+base+"/bridges", tok, "", &br); code != http.StatusOK {
		t.Fatalf("bridges: %d %s", code, raw)
	}
	_, doc = state.get(base + "/bridges")
	if br.Provisioned || br.Numbers != 100 || len(br.Bridges) != 2 || doc.Find("tr.bridge").Length() != 2 {
		t.Fatalf("bridges %+v; page lists %d", br, doc.Find("tr.bridge").Length())
	}
	for _, b := range br.Bridges {
		tr := doc.Find(`tr.bridge[data-code="` + b.UnitCode + `"]`)
		if tr.Find(".number").Text() != b.Number || strings.TrimSpace(tr.Find(".pin").Text()) != b.PIN || b.State != "pending" || len(b.PIN) == 0 {
			t.Errorf("bridge %+v; page %q %q", b, tr.Find(".number").Text(), tr.Find(".pin").Text())
		}
	}

	// A district's program: its district's share of the turnout and its
	// own bridge; the address itself as its page answers it.
	dtok := apiToken(t, e, "9800000002")
	dist := e.browser()
	dist.login("9800000002")
	checkTurnout(dist, dtok, 1)
	apiDo(t, e, "GET", "/api/v1"+base+"/bridges", dtok, "", &br)
	if len(br.Bridges) != 1 || br.Bridges[0].UnitCode != "D1" {
		t.Errorf("district's bridges %+v", br.Bridges)
	}
	resp, _ = dist.getRaw(base)
	if code, raw := apiDo(t, e, "GET", "/api/v1"+base, dtok, "", nil); code != resp.StatusCode {
		t.Errorf("district reads the address: API %d %s, page %d", code, raw, resp.StatusCode)
	}
	// Another district's unit in the view: not found, as on the page.
	if code, _ := apiDo(t, e, "GET", fmt.Sprintf("/api/v1%s/turnout?unit=%d", base, d2), dtok, "", nil); code != http.StatusNotFound {
		t.Errorf("district asks for D2's turnout: %d", code)
	}

	// Bad input.
	code, raw := apiDo(t, e, "GET", "/api/v1"+base+"/turnout?unit=D1", tok, "", nil)
	wantFieldError(t, "unit by code", code, raw, "unit", `"D1"`)
	code, raw = apiDo(t, e, "GET", "/api/v1"+base+"/turnout?unit=D1", tok, "", nil, "Accept-Language", "hi")
	wantFieldError(t, "unit by code, Hindi", code, raw, "unit", "संख्या")
	for _, p := range []string{"/api/v1/addresses/999999", "/api/v1/addresses/999999/turnout", "/api/v1/addresses/x/bridges"} {
		if code, raw := apiDo(t, e, "GET", p, tok, "", nil); code != http.StatusNotFound || !strings.Contains(string(raw), `"not_found"`) {
			t.Errorf("%s: %d %s", p, code, raw)
		}
	}
}
