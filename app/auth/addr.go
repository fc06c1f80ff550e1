package auth

import (
	"net/netip"
	"sync"
	"time"
)

// AddrKey is the address a limit counts a client under: the IP itself,
// but for IPv6 its /64 (one subscriber's network: an attacker holding a
// /64 must not get 2^64 fresh budgets). Anything that does not parse is
// its own key.
func AddrKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// addrLimiter keeps a token bucket per address in memory: the first check
// of every login request, so a flood from one address is turned away
// without touching the database.
type addrLimiter struct {
	rate    Rate
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens  float64
	last    time.Time
	refused bool // the last request was refused (log the first of a run only)
}

// maxAddrs bounds the buckets kept; past it, full (idle) buckets are
// dropped, and if that is not enough, all of them (the database limits
// still hold).
const maxAddrs = 100_000

func newAddrLimiter(r Rate) *addrLimiter {
	return &addrLimiter{rate: r, buckets: map[string]*bucket{}}
}

// allow takes a token for addr at now, or says how long until one is
// there and whether this is the first refusal of a run (to log once). A
// zero rate allows everything.
func (l *addrLimiter) allow(addr string, now time.Time) (ok bool, wait time.Duration, first bool) {
	if l.rate.Burst <= 0 || l.rate.Every <= 0 {
		return true, 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[addr]
	if !ok {
		if len(l.buckets) >= maxAddrs {
			l.prune(now)
		}
		b = &bucket{tokens: float64(l.rate.Burst), last: now}
		l.buckets[addr] = b
	}
	l.refill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		b.refused = false
		return true, 0, false
	}
	first = !b.refused
	b.refused = true
	return false, time.Duration((1 - b.tokens) * float64(l.rate.Every)), first
}

func (l *addrLimiter) refill(b *bucket, now time.Time) {
	if now.After(b.last) {
		b.tokens = min(float64(l.rate.Burst), b.tokens+float64(now.Sub(b.last))/float64(l.rate.Every))
		b.last = now
	}
}

func (l *addrLimiter) prune(now time.Time) {
	for k, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= float64(l.rate.Burst) {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxAddrs {
		clear(l.buckets)
	}
}
