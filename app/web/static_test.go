package web_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/templates/static"
)

// getEncoded fetches path sending acceptEncoding as is (no transparent gzip)
// and returns the response with its undecoded body.
func getEncoded(t *testing.T, url, acceptEncoding string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// TestScriptsAreServedPrecompressedAndCachedForAYear checks what a phone
// receives for the shared livekit-client chunk: the smallest encoding it
// accepts, made at build time, cached immutably; and that pages are
// compressed too.
func TestScriptsAreServedPrecompressedAndCachedForAYear(t *testing.T) {
	je := newJoinEnv(t)
	entry, err := static.EntryFor("join")
	if err != nil {
		t.Fatal(err)
	}
	chunk, _ := static.Lookup(entry.Imports[0])
	url := je.srv.URL + "/static/" + chunk.Name
	for _, c := range []struct {
		accept, encoding string
		body             []byte
	}{
		{"gzip, deflate, br, zstd", "br", chunk.Brotli},
		{"gzip, deflate", "gzip", chunk.Gzip},
		{"br;q=0, gzip", "gzip", chunk.Gzip},
		{"", "", chunk.Body},
	} {
		resp, body := getEncoded(t, url, c.accept)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != c.encoding || string(body) != string(c.body) {
			t.Errorf("Accept-Encoding %q: %d, encoding %q, %d bytes", c.accept, resp.StatusCode, resp.Header.Get("Content-Encoding"), len(body))
		}
		if resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept-Encoding") ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
			t.Errorf("headers %v", resp.Header)
		}
	}
	if resp, _ := getEncoded(t, je.srv.URL+"/static/chunk-NOTBUILT.js", "gzip"); resp.StatusCode != 404 {
		t.Errorf("unknown asset: %d", resp.StatusCode)
	}

	// Pages: compressed per response.
	resp, body := getEncoded(t, je.srv.URL+"/login", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("login page encoding %q", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(zr)
	if !strings.Contains(string(page), `name="mobile"`) || len(body) >= len(page) {
		t.Errorf("login page: %d bytes compressed to %d", len(page), len(body))
	}
	if resp, _ := getEncoded(t, je.srv.URL+"/login", ""); resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("compressed for a client that accepts nothing: %q", resp.Header.Get("Content-Encoding"))
	}
}
