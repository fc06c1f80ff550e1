// Package cdp drives headless Chromium over the DevTools protocol for
// tests: a tiny client for the few calls they need (navigate, evaluate,
// cookies, a phone-sized viewport, screenshots). Start skips the test with
// a line naming the script that installs Chromium when it is absent
// (internal/testtool).
package cdp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/karyakram/karyakram/internal/testtool"
)

// Browser is one headless Chromium attached through its first page.
type Browser struct {
	tb   testing.TB
	conn *websocket.Conn
	mu   sync.Mutex
	id   int
}

// Options tune a Browser.
type Options struct {
	// Window is the window size, "W,H" (default "412,915", a common
	// Android phone).
	Window string
	// Flags are extra command-line switches (e.g. fake media devices).
	Flags []string
}

// fontsDir is the repository's bundled fonts (templates/fonts): pages name
// Noto Sans Devanagari and the test machine may have no Devanagari font,
// so Chromium gets the fonts the PDFs use (Hindi then renders as text,
// not boxes, in screenshots and in measured heights).
func fontsDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "templates", "fonts")
}

// Start starts headless Chromium with remote debugging on a free port and
// attaches to its first page. It is killed when the test ends.
func Start(tb testing.TB, o Options) *Browser {
	tb.Helper()
	bin := testtool.Chromium(tb)
	if o.Window == "" {
		o.Window = "412,915"
	}
	// Not tb.TempDir: Chromium's helper processes may still be writing to
	// the profile while the test's own cleanup runs.
	dir, err := os.MkdirTemp("", "kk-chromium-")
	if err != nil {
		tb.Fatal(err)
	}
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
		"--window-size=" + o.Window, "--user-data-dir=" + dir, "--remote-debugging-port=0"}, o.Flags...)
	cmd := exec.Command(bin, append(args, "about:blank")...)
	fontsConf := filepath.Join(dir, "fonts.conf")
	conf := `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>` +
		fontsDir() + `</dir><cachedir>` + filepath.Join(dir, "fc-cache") + `</cachedir></fontconfig>`
	if err := os.WriteFile(fontsConf, []byte(conf), 0o644); err != nil {
		tb.Fatal(err)
	}
	cmd.Env = append(os.Environ(), "FONTCONFIG_FILE="+fontsConf)
	logf, err := os.Create(filepath.Join(dir, "chromium.log"))
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // own group: kill helpers too
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	tb.Cleanup(func() {
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
			tb.Fatalf("chromium did not open its debugging port:\n%s", log)
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
	var ws string
	for deadline := time.Now().Add(10 * time.Second); ws == ""; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://127.0.0.1:" + port + "/json/list")
		if err == nil {
			err = json.NewDecoder(resp.Body).Decode(&targets)
			resp.Body.Close()
		}
		for _, tg := range targets {
			if tg.Type == "page" && ws == "" {
				ws = tg.WS
			}
		}
		if ws == "" && time.Now().After(deadline) {
			tb.Fatalf("chromium lists no page target: %v", err)
		}
	}
	conn, _, err := websocket.DefaultDialer.Dial(ws, nil)
	if err != nil {
		tb.Fatalf("attach to chromium page: %v", err)
	}
	tb.Cleanup(func() { conn.Close() })
	return &Browser{tb: tb, conn: conn}
}

// Call sends one DevTools command and waits for its result, skipping
// events.
func (b *Browser) Call(ctx context.Context, method string, params any) (json.RawMessage, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.id++
	id := b.id
	if dl, ok := ctx.Deadline(); ok {
		_ = b.conn.SetReadDeadline(dl)
	}
	if params == nil {
		params = map[string]any{}
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

// Navigate opens url in the page (without waiting for it to load).
func (b *Browser) Navigate(ctx context.Context, url string) {
	b.tb.Helper()
	if _, err := b.Call(ctx, "Page.navigate", map[string]any{"url": url}); err != nil {
		b.tb.Fatal(err)
	}
}

// Load opens url and waits until the document and its subresources have
// loaded (document.readyState "complete" for that URL).
func (b *Browser) Load(ctx context.Context, url string) {
	b.tb.Helper()
	b.Navigate(ctx, url)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var done bool
		if err := b.Eval(ctx, `document.readyState === 'complete' && location.href !== 'about:blank' && !!performance.getEntriesByType('navigation')[0] && performance.getEntriesByType('navigation')[0].loadEventEnd > 0`, &done); err == nil && done {
			return
		}
		if time.Now().After(deadline) {
			b.tb.Fatalf("%s did not finish loading", url)
		}
	}
}

// Eval evaluates expr in the page and decodes its (JSON-able) value into out.
func (b *Browser) Eval(ctx context.Context, expr string, out any) error {
	res, err := b.Call(ctx, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true})
	if err != nil {
		return err
	}
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text      string `json:"text"`
			Exception *struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return err
	}
	if r.Exception != nil {
		msg := r.Exception.Text
		if r.Exception.Exception != nil {
			msg += " " + r.Exception.Exception.Description
		}
		return fmt.Errorf("evaluate %q: %s", expr, msg)
	}
	if out == nil || len(r.Result.Value) == 0 {
		return nil
	}
	return json.Unmarshal(r.Result.Value, out)
}

// SetCookies gives the browser cookies for baseURL (e.g. a session a Go
// client logged in with).
func (b *Browser) SetCookies(ctx context.Context, baseURL string, cookies []*http.Cookie) error {
	for _, ck := range cookies {
		if _, err := b.Call(ctx, "Network.setCookie", map[string]any{"name": ck.Name, "value": ck.Value, "url": baseURL}); err != nil {
			return err
		}
	}
	return nil
}

// Phone makes the page a phone's screen: width × height CSS pixels at
// device scale 2, mobile (viewport meta honoured, touch), as a 360 px wide
// Android phone shows it.
func (b *Browser) Phone(ctx context.Context, width, height int) error {
	if _, err := b.Call(ctx, "Emulation.setDeviceMetricsOverride", map[string]any{
		"width": width, "height": height, "deviceScaleFactor": 2, "mobile": true}); err != nil {
		return err
	}
	_, err := b.Call(ctx, "Emulation.setTouchEmulationEnabled", map[string]any{"enabled": true, "maxTouchPoints": 5})
	return err
}

// Screenshot saves a PNG of what the page's viewport shows to path.
func (b *Browser) Screenshot(ctx context.Context, path string) error {
	res, err := b.Call(ctx, "Page.captureScreenshot", map[string]any{"format": "png"})
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
