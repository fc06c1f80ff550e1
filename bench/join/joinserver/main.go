// Command joinserver serves the join page for bench/join/run.sh: the real
// karyakram router (all middleware) with GET /j/<token> mounted over an
// in-memory address directory of one statewide address (60 districts, a
// million invites by default), real LiveKit token minting, and, on a second
// port, a bare gin engine answering a constant on the same route, so wrk
// compares both in the same process and run. It writes signed join tokens,
// one a line, to -tokens and prints "join=<addr> bare=<addr>" when ready.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/addresses"
	"github.com/karyakram/karyakram/app/auth"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/conferencing"
	"github.com/karyakram/karyakram/schedule"
)

// loader is a synthetic addresses.Loader: one address, n invites spread
// over the districts (area ids 2 … districts+1 under state 1).
type loader struct {
	n, districts int
	plan         schedule.AddressPlan
	start        time.Time
}

func (l *loader) ActiveAddresses(ctx context.Context, since time.Time) ([]store.MassAddress, error) {
	e := store.InviteEvent{LinkVersion: 1}
	e.ID, e.Type, e.Title, e.TitleHi = 1, store.AddressEventType, "State address", "प्रदेश संबोधन"
	e.Start, e.End = l.start, l.start.Add(2*time.Hour)
	e.Settings.BridgeNumber, e.Settings.BridgePIN = "+917554000000", "123456"
	return []store.MassAddress{{ID: 1, EventID: 1, Speakers: "State President", SpeakersHi: "प्रदेश अध्यक्ष",
		Plan: l.plan, RoomState: store.RoomsReady, Event: e}}, nil
}

func (l *loader) AddressInviteStamp(ctx context.Context, eventID int64) (store.InviteStamp, error) {
	return store.InviteStamp{Count: int64(l.n), MaxID: int64(l.n)}, nil
}

func (l *loader) EachAddressInvite(ctx context.Context, eventID int64, fn func(*store.AddressInvite) error) error {
	paths := make([]string, l.districts)
	for d := range paths {
		paths[d] = "/1/" + strconv.Itoa(d+2) + "/"
	}
	var r store.AddressInvite
	for i := 1; i <= l.n; i++ {
		r.InviteID, r.WorkerID, r.UnitPath = int64(i), int64(1_000_000+i), paths[i%l.districts]
		if err := fn(&r); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) AddressInviteByID(ctx context.Context, id int64) (int64, store.AddressInvite, error) {
	return 0, store.AddressInvite{}, schedule.Errorf(schedule.ENOTFOUND, "this invitation no longer exists")
}

func (l *loader) AddressBridges(ctx context.Context, id int64) ([]store.AddressBridge, error) {
	out := make([]store.AddressBridge, l.districts)
	for d := range out {
		out[d] = store.AddressBridge{UnitID: int64(d + 2), UnitPath: "/1/" + strconv.Itoa(d+2) + "/", Number: "+91755400" + fmt.Sprintf("%04d", d), PIN: fmt.Sprintf("%06d", 100000+d)}
	}
	return out, nil
}

func main() {
	invites := flag.Int("invites", 1_000_000, "invites in the directory")
	districts := flag.Int("districts", 60, "districts (areas)")
	tokens := flag.String("tokens", "tokens.txt", "file to write signed join tokens to")
	ntokens := flag.Int("ntokens", 10000, "how many tokens to write")
	joinAddr := flag.String("join", "127.0.0.1:0", "listen address of the karyakram router")
	bareAddr := flag.String("bare", "127.0.0.1:0", "listen address of the bare gin handler")
	flag.Parse()
	if err := run(*invites, *districts, *tokens, *ntokens, *joinAddr, *bareAddr); err != nil {
		fmt.Fprintln(os.Stderr, "joinserver:", err)
		os.Exit(1)
	}
}

func run(n, districts int, tokensPath string, ntokens int, joinAddr, bareAddr string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	dir, err := os.MkdirTemp("", "joinbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(ctx, filepath.Join(dir, "k.db"), log)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	audience := map[int64]int{}
	for d := range districts {
		audience[int64(d+2)] = n / districts
	}
	plan, err := schedule.PlanAddress(1, audience, 0)
	if err != nil {
		return err
	}
	l := &loader{n: n, districts: districts, plan: plan, start: time.Now().Add(5 * time.Minute)}
	directory := addresses.NewDirectory(l, 0, 0, log)
	t0 := time.Now()
	if err := directory.Refresh(ctx, time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "directory: %d invites, %d listener rooms, loaded in %v\n", n, len(plan.ListenerRooms()), time.Since(t0).Round(time.Millisecond))

	signer, err := schedule.NewSigner(schedule.LinkKey{ID: 1, Secret: bytes.Repeat([]byte("b"), 32)})
	if err != nil {
		return err
	}
	conf, err := conferencing.NewConference(conferencing.Config{URL: "http://127.0.0.1:7880", APIKey: "devkey", APISecret: "secret-secret-secret-secret-secret"}, log)
	if err != nil {
		return err
	}
	au := auth.New(st, auth.LogSender{Store: st, Log: log}, []byte("k"), auth.DefaultPolicy(), log)
	srv, err := web.New(st, au, web.Config{Invite: web.InviteConfig{Signer: signer},
		Join: web.JoinConfig{Directory: directory, Mint: conf.MintListener, LiveKitURL: "wss://live.example.in"}}, log)
	if err != nil {
		return err
	}
	var sb strings.Builder
	exp := time.Now().Add(24 * time.Hour)
	for i := range ntokens {
		id := int64(1 + (i*7919)%n)
		tok, err := signer.Sign(schedule.LinkClaims{InviteID: id, EventID: 1, LinkVersion: 1, Expires: exp})
		if err != nil {
			return err
		}
		sb.WriteString(tok + "\n")
	}
	if err := os.WriteFile(tokensPath, []byte(sb.String()), 0o644); err != nil {
		return err
	}

	gin.SetMode(gin.ReleaseMode)
	bare := gin.New()
	page := []byte("ok")
	bare.GET("/j/:token", func(c *gin.Context) { c.Data(http.StatusOK, "text/html; charset=utf-8", page) })

	jl, err := net.Listen("tcp", joinAddr)
	if err != nil {
		return err
	}
	bl, err := net.Listen("tcp", bareAddr)
	if err != nil {
		return err
	}
	js := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	bs := &http.Server{Handler: bare, ReadHeaderTimeout: 10 * time.Second}
	go js.Serve(jl) //nolint:errcheck // closed at shutdown
	go bs.Serve(bl) //nolint:errcheck // closed at shutdown
	fmt.Printf("join=%s bare=%s\n", jl.Addr(), bl.Addr())
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = js.Shutdown(sctx)
	_ = bs.Shutdown(sctx)
	return nil
}
