package e2e_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/karyakram/karyakram/internal/testtool"
)

// browser is headless Chromium driven over the DevTools protocol: a tiny
// client for the few calls the test needs (navigate, evaluate, screenshot).
type browser struct {
	t    *testing.T
	conn *websocket.Conn
	mu   sync.Mutex
	id   int
}

// startBrowser starts headless Chromium with remote debugging on a free
// port and attaches to its first page. It is killed when the test ends.
func startBrowser(t *testing.T) *browser {
	t.Helper()
	bin := testtool.Chromium(t)
	// Not t.TempDir: Chromium's helper processes may still be writing to
	// the profile while the test's own cleanup runs.
	dir, err := os.MkdirTemp("", "kk-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required",
		"--allow-loopback-in-peer-connection", "--disable-dev-shm-usage",
		"--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--window-size=412,915",
		"--user-data-dir="+dir, "--remote-debugging-port=0", "about:blank")
	// Pages name Noto Sans Devanagari; the test machine may have no
	// Devanagari font, so give Chromium the ones bundled for PDFs too
	// (screenshots of Hindi pages then show text, not boxes).
	fonts, err := filepath.Abs(filepath.Join("..", "..", "templates", "fonts"))
	if err != nil {
		t.Fatal(err)
	}
	fontsConf := filepath.Join(dir, "fonts.conf")
	conf := `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>` +
		fonts + `</dir><cachedir>` + filepath.Join(dir, "fc-cache") + `</cachedir></fontconfig>`
	if err := os.WriteFile(fontsConf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), "FONTCONFIG_FILE="+fontsConf)
	logf, err := os.Create(filepath.Join(dir, "chromium.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // own group: kill helpers too
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		logf.Close()
		for range 20 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	// Chromium writes the port it chose to DevToolsActivePort.
	var port string
	for deadline := time.Now().Add(20 * time.Second); port == ""; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "chromium.log"))
			t.Fatalf("chromium did not open its debugging port:\n%s", log)
		}
		if b, err := os.ReadFile(filepath.Join(dir, "DevToolsActivePort")); err == nil {
			if lines := strings.SplitN(string(b), "\n", 2); len(lines) == 2 {
				port = strings.TrimSpace(lines[0])
			}
		}
	}
	var targets []struct {
		Type string `json:"type"`
		WS   string `json:"webSocketDebuggerUrl"`
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://127.0.0.1:" + port + "/json/list")
		if err == nil {
			err = json.NewDecoder(resp.Body).Decode(&targets)
			resp.Body.Close()
		}
		found := false
		for _, tg := range targets {
			found = found || tg.Type == "page"
		}
		if err == nil && found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromium lists no page target: %v", err)
		}
	}
	var ws string
	for _, tg := range targets {
		if tg.Type == "page" {
			ws = tg.WS
			break
		}
	}
	conn, _, err := websocket.DefaultDialer.Dial(ws, nil)
	if err != nil {
		t.Fatalf("attach to chromium page: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return &browser{t: t, conn: conn}
}

// call sends one DevTools command and waits for its result, skipping
// events.
func (b *browser) call(ctx context.Context, method string, params any) (json.RawMessage, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.id++
	id := b.id
	if dl, ok := ctx.Deadline(); ok {
		_ = b.conn.SetReadDeadline(dl)
	}
	if err := b.conn.WriteJSON(map[string]any{"id": id, "method": method, "params": params}); err != nil {
		return nil, fmt.Errorf("cdp %s: %w", method, err)
	}
	for {
		var msg struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := b.conn.ReadJSON(&msg); err != nil {
			return nil, fmt.Errorf("cdp %s: %w", method, err)
		}
		if msg.ID != id {
			continue
		}
		if msg.Error != nil {
			return nil, fmt.Errorf("cdp %s: %s", method, msg.Error.Message)
		}
		return msg.Result, nil
	}
}

func (b *browser) navigate(ctx context.Context, url string) {
	b.t.Helper()
	if _, err := b.call(ctx, "Page.navigate", map[string]any{"url": url}); err != nil {
		b.t.Fatal(err)
	}
}

// eval evaluates expr in the page and decodes its (JSON-able) value into out.
func (b *browser) eval(ctx context.Context, expr string, out any) error {
	res, err := b.call(ctx, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true})
	if err != nil {
		return err
	}
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return err
	}
	if r.Exception != nil {
		return fmt.Errorf("evaluate %q: %s", expr, r.Exception.Text)
	}
	if out == nil || len(r.Result.Value) == 0 {
		return nil
	}
	return json.Unmarshal(r.Result.Value, out)
}

// screenshot saves a PNG of the page to path.
func (b *browser) screenshot(ctx context.Context, path string) error {
	res, err := b.call(ctx, "Page.captureScreenshot", map[string]any{"format": "png"})
	if err != nil {
		return err
	}
	var r struct {
		Data string `json:"data"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return err
	}
	png, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}
