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

// Policy sets the one-time code rules.
type Policy struct {
	TTL         time.Duration // how long a code is valid
	MaxAttempts int           // wrong guesses allowed per code
	MaxSends    int           // codes sent per window
	SendWindow  time.Duration
	SessionTTL  time.Duration
}

// DefaultPolicy is five-minute codes, five guesses, three sends per
// fifteen minutes and twelve-hour sessions.
func DefaultPolicy() Policy {
	return Policy{TTL: 5 * time.Minute, MaxAttempts: 5, MaxSends: 3, SendWindow: 15 * time.Minute, SessionTTL: 12 * time.Hour}
}

// Service is the login service.
type Service struct {
	store  *store.Store
	sms    SMSSender
	secret []byte
	keys   CodeKeys // when set, replaces secret
	policy Policy
	now    func() time.Time
	log    *slog.Logger
}

// New returns a login service; secret keys the code hashes. Its clock is
// the store's (Store.Now).
func New(st *store.Store, sms SMSSender, secret []byte, p Policy, log *slog.Logger) *Service {
	return &Service{store: st, sms: sms, secret: secret, policy: p, now: st.Now, log: log}
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

// RequestCode sends a code to mobile if it belongs to an official. To avoid
// telling strangers who is an official, an unknown number gets the same
// answer and no message. It fails with ELIMIT when too many codes were sent.
func (s *Service) RequestCode(ctx context.Context, mobileInput string) error {
	mobile, err := schedule.NormaliseMobile(mobileInput)
	if err != nil {
		return err
	}
	if _, err := s.store.ActorByMobile(ctx, mobile); err != nil {
		if schedule.IsNotFound(err) {
			s.log.Info("login code requested for unknown mobile", "mobile", schedule.MaskMobile(mobile))
			return nil
		}
		return err
	}
	code, err := randomCode()
	if err != nil {
		return err
	}
	now := s.now()
	err = s.store.UpdateOTP(ctx, mobile, func(st store.OTPState, found bool) (store.OTPState, error) {
		if !found || now.Sub(st.WindowStart) >= s.policy.SendWindow {
			st.WindowStart, st.Sends = now, 0
		}
		if st.Sends >= s.policy.MaxSends {
			wait := st.WindowStart.Add(s.policy.SendWindow).Sub(now).Round(time.Minute)
			return st, schedule.Errorf(schedule.ELIMIT, "too many codes sent to this number; try again in %v", wait)
		}
		st.Sends++
		st.CodeHash, st.ExpiresAt, st.Attempts = s.hash(mobile, code), now.Add(s.policy.TTL), 0
		return st, nil
	})
	if err != nil {
		return err
	}
	body := fmt.Sprintf("karyakram login code: %s (valid %d min). लॉगिन कोड: %s", code, int(s.policy.TTL.Minutes()), code)
	if err := s.sms.SendSMS(ctx, mobile, body, "otp"); err != nil {
		return fmt.Errorf("send login code: %w", err)
	}
	return nil
}

// Verify checks a code and, when right, opens a session: it returns the
// session token (for the cookie) and the actor. Wrong, expired and
// exhausted codes each fail with a clear EUNAUTH or ELIMIT error.
func (s *Service) Verify(ctx context.Context, mobileInput, code string) (string, schedule.Actor, error) {
	mobile, err := schedule.NormaliseMobile(mobileInput)
	if err != nil {
		return "", schedule.Actor{}, err
	}
	now := s.now()
	err = s.store.UpdateOTP(ctx, mobile, func(st store.OTPState, found bool) (store.OTPState, error) {
		switch {
		case !found || st.CodeHash == "":
			return st, schedule.Errorf(schedule.EUNAUTH, "no code was requested for this number")
		case st.Attempts >= s.policy.MaxAttempts:
			return st, schedule.Errorf(schedule.ELIMIT, "too many wrong codes; request a new code")
		case now.After(st.ExpiresAt):
			return st, schedule.Errorf(schedule.EUNAUTH, "the code has expired; request a new code")
		}
		if !s.codeMatches(st.CodeHash, mobile, code) {
			st.Attempts++
			return st, schedule.Errorf(schedule.EUNAUTH, "wrong code (%d tries left)", s.policy.MaxAttempts-st.Attempts)
		}
		st.CodeHash = "" // one use only
		return st, nil
	})
	if err != nil {
		return "", schedule.Actor{}, err
	}
	actor, err := s.store.ActorByMobile(ctx, mobile)
	if err != nil {
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
