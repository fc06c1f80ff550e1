package schedule

import (
	"context"
	"fmt"
	"strings"
)

// Audio bridges of mass addresses: the rules of the dial-in pool, and the
// port through which bridges are made on the telephony side.
//
// Each area of an address (a district by default, or every unit of a
// chosen level) gets one bridge: a phone number and a 6-digit PIN leading
// into one of its district's listener rooms. The PIN is what routes a call:
// many bridges may share one number (one SIP inbound trunk per number, one
// PIN dispatch rule per bridge), so an organisation with a single DID can
// still run 57 district bridges.

// BridgeSpec is one bridge as the SIP side needs it.
type BridgeSpec struct {
	Name, Number, Room, PIN string
}

// BridgeProvisioner carries bridges out on the telephony side (LiveKit SIP
// in production: conferencing.Bridges). Both methods must be idempotent.
type BridgeProvisioner interface {
	// EnsureBridge makes calls to Number with PIN land in Room and returns
	// the trunk and dispatch rule ids.
	EnsureBridge(ctx context.Context, b BridgeSpec) (trunkID, ruleID string, err error)
	// RemoveBridge deletes the dispatch rule, and the trunk too when
	// lastOnTrunk (no other bridge uses it).
	RemoveBridge(ctx context.Context, trunkID, ruleID string, lastOnTrunk bool) error
}

// BridgeNumbers is a pool of dial-in numbers: bridge i gets Number(i).
type BridgeNumbers struct {
	entries []numberEntry
	size    int
}

type numberEntry struct {
	prefix string
	digits int // trailing x's: 10^digits numbers; 0 means one fixed number
}

func (e numberEntry) count() int {
	n := 1
	for range e.digits {
		n *= 10
	}
	return n
}

// ParseBridgeNumbers reads a pool such as "+917554000000" (one number, PIN
// routing only), "+91755400xxxx" (trailing x's stand for a block:
// +917554000000 … +917554009999) or a comma-separated list of either
// Numbers are E.164: "+" and 8 to 15 digits.
func ParseBridgeNumbers(spec string) (BridgeNumbers, error) {
	var p BridgeNumbers
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lower := strings.ToLower(part)
		stem := strings.TrimRight(lower, "x")
		e := numberEntry{prefix: stem, digits: len(lower) - len(stem)}
		if e.digits > 6 {
			return BridgeNumbers{}, FieldError("bridge_numbers", "%q: at most 6 x's in a block", part)
		}
		digits := strings.TrimPrefix(stem, "+")
		if !strings.HasPrefix(stem, "+") || strings.Trim(digits, "0123456789") != "" || len(digits)+e.digits < 8 || len(digits)+e.digits > 15 {
			return BridgeNumbers{}, FieldError("bridge_numbers", "%q is not an E.164 number or block like +91755400xxxx", part)
		}
		p.entries = append(p.entries, e)
		p.size += e.count()
	}
	if p.size == 0 {
		return BridgeNumbers{}, FieldError("bridge_numbers", "no dial-in numbers are configured")
	}
	return p, nil
}

// Size is how many distinct numbers the pool has.
func (p BridgeNumbers) Size() int { return p.size }

// Number returns the i-th number of the pool, wrapping around: bridges
// beyond the pool share numbers and are told apart by PIN.
func (p BridgeNumbers) Number(i int) string {
	if p.size == 0 {
		return ""
	}
	i %= p.size
	for _, e := range p.entries {
		if n := e.count(); i >= n {
			i -= n
			continue
		}
		if e.digits == 0 {
			return e.prefix
		}
		return e.prefix + fmt.Sprintf("%0*d", e.digits, i)
	}
	return ""
}
