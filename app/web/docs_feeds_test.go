package web_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/karyakram/karyakram/app/ical/icaltest"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/app/web"
)

// TestFeedsAnswerHEADNameThemselvesAndSetNoCookie: a calendar app may
// check a feed with HEAD and gets GET's answer without the body; no feed
// response sets a cookie; each feed has its own calendar name saying
// whose events it holds (a unit's own-events feed names the parent unit).
func TestFeedsAnswerHEADNameThemselvesAndSetNoCookie(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, web.Config{})
	state := storetest.Actor(t, e.st, "9800000001")
	c1 := unitID(t, e.st, "D1-A1-M1-C1")
	get := func(method, token string, hdr map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, e.srv.URL+"/feeds/"+token+".ics", nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	names := map[string]bool{}
	for _, c := range []struct {
		kind store.FeedKind
		lang string
		want string
	}{
		{store.FeedUnit, "en", "Cluster One and every unit below · karyakram"},
		{store.FeedCluster, "en", "Cluster One (Mandal One): own events · karyakram"},
		{store.FeedCluster, "hi", "क्लस्टर एक (मंडल एक): अपने कार्यक्रम · karyakram"},
	} {
		token, _, err := e.st.CreateFeedToken(ctx, state, c.kind, c1, c.lang)
		if err != nil {
			t.Fatal(err)
		}
		resp, body := get(http.MethodGet, token, nil)
		if resp.StatusCode != 200 || len(resp.Header.Values("Set-Cookie")) != 0 {
			t.Fatalf("%s feed: %d, cookies %v", c.kind, resp.StatusCode, resp.Header.Values("Set-Cookie"))
		}
		cal := icaltest.Go(t, body)
		name, _ := cal.Props.Text("X-WR-CALNAME")
		if name != c.want {
			t.Errorf("%s feed (%s) is called %q, want %q", c.kind, c.lang, name, c.want)
		}
		if js := icaltest.JS(t, body, 1); js.Name != c.want {
			t.Errorf("ical.js reads the name %q", js.Name)
		}
		names[name] = true

		head, hbody := get(http.MethodHead, token, nil)
		if head.StatusCode != 200 || len(hbody) != 0 || head.Header.Get("ETag") != resp.Header.Get("ETag") ||
			head.Header.Get("Content-Type") != resp.Header.Get("Content-Type") || len(head.Header.Values("Set-Cookie")) != 0 {
			t.Errorf("HEAD %s: %d, %d body bytes, ETag %q vs %q, type %q", c.kind, head.StatusCode, len(hbody),
				head.Header.Get("ETag"), resp.Header.Get("ETag"), head.Header.Get("Content-Type"))
		}
		if nm, _ := get(http.MethodHead, token, map[string]string{"If-None-Match": resp.Header.Get("ETag")}); nm.StatusCode != http.StatusNotModified {
			t.Errorf("conditional HEAD: %d", nm.StatusCode)
		}
	}
	if len(names) != 3 {
		t.Errorf("feeds share names: %v", names)
	}
	if resp, body := get(http.MethodHead, "no-such-token", nil); resp.StatusCode != 404 || len(body) != 0 || len(resp.Header.Values("Set-Cookie")) != 0 {
		t.Errorf("HEAD of an unknown feed: %d", resp.StatusCode)
	}
}
