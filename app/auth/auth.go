// Package auth logs officials in by mobile number and one-time code, and
// keeps their sessions. Codes are random, stored only as keyed hashes,
// expire in minutes, and both sending and guessing are rate-limited.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/big"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// SMSSender sends a text message. The development sink logs it; a gateway
// adapter sends it for real.
type SMSSender interface {
	SendSMS(ctx context.Context, mobile, body, purpose string) error
}

// Policy sets the one-time code rules. Limits are counted per number and
// address (so an attacker elsewhere cannot lock the owner out), per number
// (so many addresses cannot flood one phone or guess its code), per address
// (in memory, before the database: a flood from one address costs almost
// nothing), and statewide (SMS cost money).
type Policy struct {
	TTL        time.Duration // how long a code is valid
	SessionTTL time.Duration

	// PairSends codes and PairFails wrong codes per number and address
	// in PairWindow.
	PairSends, PairFails int
	PairWindow           time.Duration
	// MobileSends codes and MobileFails wrong codes per number, from all
	// addresses, in MobileWindow. Past MobileFails the number's codes are
	// void and it takes no codes until the window ends: with at most
	// MobileFails guesses an hour at one in a million each, a distributed
	// attacker's odds stay below 1 in 30,000 an hour.
	MobileSends, MobileFails int
	MobileWindow             time.Duration
	// AddrCodes and AddrVerifies are each address's token buckets for
	// code requests and code checks (any number, official or not).
	AddrCodes, AddrVerifies Rate
	// SMSPerHour is the statewide budget of login-code SMS per hour.
	SMSPerHour int
}

// Rate is a token bucket: Burst requests at once, then one per Every.
type Rate struct {
	Burst int
	Every time.Duration
}

// DefaultPolicy is five-minute codes and twelve-hour sessions; per number
// and address three codes and five wrong codes per fifteen minutes; per
// number ten codes and thirty wrong codes an hour; per address 20 code
// requests at once then one per 30 s, and 30 checks then one per 10 s;
// 2,000 login SMS an hour statewide.
func DefaultPolicy() Policy {
	return Policy{TTL: 5 * time.Minute, SessionTTL: 12 * time.Hour,
		PairSends: 3, PairFails: 5, PairWindow: 15 * time.Minute,
		MobileSends: 10, MobileFails: 30, MobileWindow: time.Hour,
		AddrCodes: Rate{Burst: 20, Every: 30 * time.Second}, AddrVerifies: Rate{Burst: 30, Every: 10 * time.Second},
		SMSPerHour: 2000}
}

// Service is the login service.
type Service struct {
	store    *store.Store
	sms      SMSSender
	secret   []byte
	keys     CodeKeys // when set, replaces secret
	policy   Policy
	now      func() time.Time
	log      *slog.Logger
	codes    *addrLimiter // code requests per address
	verifies *addrLimiter // code checks per address
}

// New returns a login service; secret keys the code hashes. Its clock is
// the store's (Store.Now).
func New(st *store.Store, sms SMSSender, secret []byte, p Policy, log *slog.Logger) *Service {
	return &Service{store: st, sms: sms, secret: secret, policy: p, now: st.Now, log: log,
		codes: newAddrLimiter(p.AddrCodes), verifies: newAddrLimiter(p.AddrVerifies)}
}

// CodeKeys gives the keys that hash login codes: the current key first,
// then older ones still accepted while a key rotation reaches every server.
type CodeKeys interface {
	CodeKeys() [][]byte
}

// SetKeys makes the service hash codes with keys (the server's stored link
// keys, app/keys) instead of the secret given to New.
func (s *Service) SetKeys(keys CodeKeys) { s.keys = keys }

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// LimitError is a refusal for now: the domain error (ELIMIT, saying when
// to try again) and RetryAfter, for the HTTP Retry-After header.
type LimitError struct {
	Err        *schedule.Error
	RetryAfter time.Duration
	// PerAddress is set when the client's address is over its budget (a
	// flood from one address), not a number's or the state's limit.
	PerAddress bool
}

func (e *LimitError) Error() string { return e.Err.Error() }
func (e *LimitError) Unwrap() error { return e.Err }

// limited builds a LimitError whose message (format with one %v) says in
// how many minutes to try again.
func limited(wait time.Duration, format string) error {
	wait = max(time.Minute, (wait+time.Minute-1)/time.Minute*time.Minute) // whole minutes, rounded up
	return &LimitError{Err: schedule.Errorf(schedule.ELIMIT, format, wait), RetryAfter: wait}
}

func perAddress(err error) error {
	err.(*LimitError).PerAddress = true
	return err
}

// RequestCode sends a code to mobile if it belongs to an official; addr is
// the client's address (AddrKey). Every number gets the same answer, and
// is counted against the same limits, so the answers do not tell who is an
// official; only officials get a message. It fails with a LimitError when
// a limit is reached.
func (s *Service) RequestCode(ctx context.Context, mobileInput, addr string) error {
	now := s.now()
	if ok, wait, first := s.codes.allow(addr, now); !ok {
		if first {
			s.log.Warn("login code requests refused for an address over its budget", "addr", addr)
		}
		return perAddress(limited(wait, "too many login requests from your network; try again in %v"))
	}
	mobile, err := schedule.NormaliseMobile(mobileInput)
	if err != nil {
		return err
	}
	for _, l := range []struct {
		key    string
		window time.Duration
		limit  int
	}{
		{"otp.send:" + mobile + "|" + addr, s.policy.PairWindow, s.policy.PairSends},
		{"otp.send:" + mobile, s.policy.MobileWindow, s.policy.MobileSends},
	} {
		rw, ok, err := s.store.TakeRate(ctx, l.key, l.window, l.limit, now)
		if err != nil {
			return err
		}
		if !ok {
			return limited(rw.Reset.Sub(now), "too many login codes were asked for this number; try again in %v")
		}
	}
	_, err = s.store.ActorByMobile(ctx, mobile)
	official := err == nil
	if err != nil && !schedule.IsNotFound(err) {
		return err
	}
	// The statewide SMS budget: taken by officials' codes, looked at (not
	// taken) for other numbers, so both get the same refusal once spent.
	var budget store.RateWindow
	ok := true
	if official {
		budget, ok, err = s.store.TakeRate(ctx, "otp.sms", time.Hour, s.policy.SMSPerHour, now)
	} else {
		budget, err = s.store.PeekRate(ctx, "otp.sms", time.Hour, now)
		ok = budget.Used < s.policy.SMSPerHour
	}
	if err != nil {
		return err
	}
	if !ok {
		s.log.Warn("login SMS budget spent", "budget", s.policy.SMSPerHour, "until", budget.Reset)
		return limited(budget.Reset.Sub(now), "login codes are paused because too many were asked for across the state; try again in %v")
	}
	if !official {
		s.log.Info("login code requested for unknown mobile", "mobile", schedule.MaskMobile(mobile))
		return nil
	}
	code, err := randomCode()
	if err != nil {
		return err
	}
	if err := s.store.AddOTPCode(ctx, mobile, s.hash(mobile, code), now, now.Add(s.policy.TTL)); err != nil {
		return err
	}
	body := fmt.Sprintf("karyakram login code: %s (valid %d min). लॉगिन कोड: %s", code, int(s.policy.TTL.Minutes()), code)
	if err := s.sms.SendSMS(ctx, mobile, body, "otp"); err != nil {
		return fmt.Errorf("send login code: %w", err)
	}
	return nil
}

// Verify checks a code typed from addr and, when right, opens a session:
// it returns the session token (for the cookie) and the actor. Wrong,
// expired and never-requested codes get one answer, EUNAUTH with the tries
// left from this address, whether or not the number is an official's;
// past a limit it fails with a LimitError.
func (s *Service) Verify(ctx context.Context, mobileInput, code, addr string) (string, schedule.Actor, error) {
	now := s.now()
	if ok, wait, first := s.verifies.allow(addr, now); !ok {
		if first {
			s.log.Warn("login code checks refused for an address over its budget", "addr", addr)
		}
		return "", schedule.Actor{}, perAddress(limited(wait, "too many login attempts from your network; try again in %v"))
	}
	mobile, err := schedule.NormaliseMobile(mobileInput)
	if err != nil {
		return "", schedule.Actor{}, err
	}
	pairKey, mobileKey := "otp.fail:"+mobile+"|"+addr, "otp.fail:"+mobile
	for _, l := range []struct {
		key    string
		window time.Duration
		limit  int
	}{{pairKey, s.policy.PairWindow, s.policy.PairFails}, {mobileKey, s.policy.MobileWindow, s.policy.MobileFails}} {
		rw, err := s.store.PeekRate(ctx, l.key, l.window, now)
		if err != nil {
			return "", schedule.Actor{}, err
		}
		if rw.Used >= l.limit {
			return "", schedule.Actor{}, limited(rw.Reset.Sub(now), "too many wrong codes; try again in %v")
		}
	}
	live, err := s.store.LiveOTPCodes(ctx, mobile, now)
	if err != nil {
		return "", schedule.Actor{}, err
	}
	var match int64
	for _, c := range live {
		if s.codeMatches(c.Hash, mobile, code) {
			match = c.ID
		}
	}
	if match != 0 {
		used, err := s.store.ConsumeOTPCode(ctx, mobile, match)
		if err != nil {
			return "", schedule.Actor{}, err
		}
		if used {
			token, actor, err := s.openSession(ctx, mobile, now)
			if err == nil {
				s.log.Info("login", "worker", actor.WorkerID, "addr", addr)
			}
			return token, actor, err
		}
	}
	pair, err := s.store.AddRate(ctx, pairKey, s.policy.PairWindow, 1, now)
	if err != nil {
		return "", schedule.Actor{}, err
	}
	total, err := s.store.AddRate(ctx, mobileKey, s.policy.MobileWindow, 1, now)
	if err != nil {
		return "", schedule.Actor{}, err
	}
	if total.Used >= s.policy.MobileFails {
		s.log.Warn("login codes voided: too many wrong codes for one number", "mobile", schedule.MaskMobile(mobile), "wrong", total.Used)
		if err := s.store.DeleteOTPCodes(ctx, mobile); err != nil {
			return "", schedule.Actor{}, err
		}
	}
	left := s.policy.PairFails - pair.Used
	s.log.Info("login code refused", "mobile", schedule.MaskMobile(mobile), "addr", addr, "tries_left", max(left, 0), "wrong_for_number", total.Used)
	if left > 0 {
		return "", schedule.Actor{}, schedule.Errorf(schedule.EUNAUTH, "the code is wrong or has expired; check the latest SMS or ask for a new code (%d tries left)", left)
	}
	return "", schedule.Actor{}, limited(pair.Reset.Sub(now), "too many wrong codes; try again in %v")
}

// openSession starts a session for the official with mobile.
func (s *Service) openSession(ctx context.Context, mobile string, now time.Time) (string, schedule.Actor, error) {
	actor, err := s.store.ActorByMobile(ctx, mobile)
	if err != nil {
		if schedule.IsNotFound(err) { // no longer an official since the code went out
			return "", schedule.Actor{}, schedule.Errorf(schedule.EUNAUTH, "this number has no login; ask your office")
		}
		return "", schedule.Actor{}, err
	}
	// The code reached this mobile: its holder has proved it is theirs.
	if err := s.store.MarkMobileVerified(ctx, actor, mobile); err != nil {
		return "", schedule.Actor{}, err
	}
	token, err := randomToken()
	if err != nil {
		return "", schedule.Actor{}, err
	}
	if err := s.store.CreateSession(ctx, hashToken(token), actor.WorkerID, now.Add(s.policy.SessionTTL)); err != nil {
		return "", schedule.Actor{}, err
	}
	return token, actor, nil
}

// Actor returns the actor of a session token, or EUNAUTH.
func (s *Service) Actor(ctx context.Context, token string) (schedule.Actor, error) {
	if token == "" {
		return schedule.Actor{}, schedule.Errorf(schedule.EUNAUTH, "please log in")
	}
	id, err := s.store.SessionWorker(ctx, hashToken(token), s.now())
	if err != nil {
		return schedule.Actor{}, schedule.Errorf(schedule.EUNAUTH, "session expired; please log in")
	}
	return s.store.ActorByWorkerID(ctx, id)
}

// Logout ends the session.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.store.DeleteSession(ctx, hashToken(token))
}

// hash keys a code with the current key.
func (s *Service) hash(mobile, code string) string {
	key := s.secret
	if s.keys != nil {
		key = s.keys.CodeKeys()[0]
	}
	return codeHash(key, mobile, code)
}

// codeMatches checks code against the stored hash with every accepted key.
func (s *Service) codeMatches(stored, mobile, code string) bool {
	keys := [][]byte{s.secret}
	if s.keys != nil {
		keys = s.keys.CodeKeys()
	}
	ok := 0
	for _, k := range keys {
		ok |= subtle.ConstantTimeCompare([]byte(stored), []byte(codeHash(k, mobile, code)))
	}
	return ok == 1
}

func codeHash(key []byte, mobile, code string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(mobile + "|" + code))
	return hex.EncodeToString(m.Sum(nil))
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

func randomCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("generate code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// LogSender is the development SMS sink: it writes each message to the
// sms_log table and the log, and sends nothing.
type LogSender struct {
	Store *store.Store
	Log   *slog.Logger
}

// SendSMS records the message.
func (l LogSender) SendSMS(ctx context.Context, mobile, body, purpose string) error {
	l.Log.Info("sms (development sink)", "to", mobile, "purpose", purpose, "body", body)
	return l.Store.LogSMS(ctx, mobile, body, purpose)
}
