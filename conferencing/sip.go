package conferencing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
)

// InboundTrunk is a phone number (or several) on which livekit-sip accepts
// calls. AllowedAddresses, when set, limits which SIP peers (IP or CIDR)
// may call in.
type InboundTrunk struct {
	ID               string
	Name             string
	Numbers          []string
	AllowedAddresses []string
	Metadata         string
}

// PINRule is a Direct dispatch rule: a caller on one of TrunkIDs who enters
// PIN lands in Room.
type PINRule struct {
	ID       string
	Name     string
	TrunkIDs []string
	Room     string
	PIN      string
	Metadata string
}

// Bridge is one audio bridge of a mass address: callers to Number who enter
// PIN join Room. Name identifies it (e.g. "addr-7-d12").
type Bridge struct {
	Name   string
	Number string
	Room   string
	PIN    string
}

// SIPClient provisions LiveKit SIP inbound trunks and dispatch rules. The
// SIP APIs need livekit-server backed by Redis.
type SIPClient struct {
	client  *lksdk.SIPClient
	log     *slog.Logger
	backoff Backoff
}

// NewSIPClient returns a SIPClient for the server in cfg. List and delete
// calls retry with backoff while the server is unreachable; create calls are
// tried once (a lost response could otherwise create duplicates) and
// EnsureBridge is the idempotent, retrying way to provision. A nil log
// discards logs.
func NewSIPClient(cfg Config, log *slog.Logger, backoff Backoff) (*SIPClient, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("conferencing: new SIP client: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &SIPClient{
		client:  lksdk.NewSIPClient(cfg.HTTPURL(), cfg.APIKey, cfg.APISecret),
		log:     log.With("component", "livekit-sip"),
		backoff: backoff,
	}, nil
}

// CreateInboundTrunk creates a trunk and returns it with its ID.
func (s *SIPClient) CreateInboundTrunk(ctx context.Context, t InboundTrunk) (InboundTrunk, error) {
	if t.Name == "" || len(t.Numbers) == 0 {
		return InboundTrunk{}, errors.New("conferencing: create inbound trunk: name and at least one number are required")
	}
	info, err := s.client.CreateSIPInboundTrunk(ctx, &livekit.CreateSIPInboundTrunkRequest{Trunk: &livekit.SIPInboundTrunkInfo{
		Name:             t.Name,
		Numbers:          t.Numbers,
		AllowedAddresses: t.AllowedAddresses,
		Metadata:         t.Metadata,
	}})
	if err != nil {
		return InboundTrunk{}, fmt.Errorf("conferencing: create inbound trunk %q: %w", t.Name, err)
	}
	return inboundTrunk(info), nil
}

// ListInboundTrunks lists inbound trunks, all of them or those serving any
// of the given numbers.
func (s *SIPClient) ListInboundTrunks(ctx context.Context, numbers ...string) ([]InboundTrunk, error) {
	resp, err := retry(ctx, s.log, s.backoff, "list inbound trunks", func(ctx context.Context) (*livekit.ListSIPInboundTrunkResponse, error) {
		return s.client.ListSIPInboundTrunk(ctx, &livekit.ListSIPInboundTrunkRequest{Numbers: numbers})
	})
	if err != nil {
		return nil, fmt.Errorf("conferencing: %w", err)
	}
	out := make([]InboundTrunk, 0, len(resp.GetItems()))
	for _, t := range resp.GetItems() {
		out = append(out, inboundTrunk(t))
	}
	return out, nil
}

// DeleteTrunk deletes a trunk. Deleting a missing trunk succeeds.
func (s *SIPClient) DeleteTrunk(ctx context.Context, id string) error {
	_, err := retry(ctx, s.log, s.backoff, "delete trunk "+id, func(ctx context.Context) (*livekit.SIPTrunkInfo, error) {
		info, err := s.client.DeleteSIPTrunk(ctx, &livekit.DeleteSIPTrunkRequest{SipTrunkId: id})
		if isNotFound(err) {
			return info, nil
		}
		return info, err
	})
	if err != nil {
		return fmt.Errorf("conferencing: %w", err)
	}
	return nil
}

// CreatePINRule creates a Direct dispatch rule with a PIN into a room.
func (s *SIPClient) CreatePINRule(ctx context.Context, r PINRule) (PINRule, error) {
	if r.Room == "" || r.PIN == "" || len(r.TrunkIDs) == 0 {
		return PINRule{}, errors.New("conferencing: create PIN rule: room, PIN and trunk ids are required")
	}
	info, err := s.client.CreateSIPDispatchRule(ctx, &livekit.CreateSIPDispatchRuleRequest{DispatchRule: &livekit.SIPDispatchRuleInfo{
		Name:     r.Name,
		TrunkIds: r.TrunkIDs,
		Metadata: r.Metadata,
		Rule: &livekit.SIPDispatchRule{Rule: &livekit.SIPDispatchRule_DispatchRuleDirect{
			DispatchRuleDirect: &livekit.SIPDispatchRuleDirect{RoomName: r.Room, Pin: r.PIN},
		}},
	}})
	if err != nil {
		return PINRule{}, fmt.Errorf("conferencing: create PIN rule %q into %s: %w", r.Name, r.Room, err)
	}
	return pinRule(info), nil
}

// ListPINRules lists Direct dispatch rules, all of them or those attached
// to any of the given trunks. Rules of other kinds are left out.
func (s *SIPClient) ListPINRules(ctx context.Context, trunkIDs ...string) ([]PINRule, error) {
	resp, err := retry(ctx, s.log, s.backoff, "list dispatch rules", func(ctx context.Context) (*livekit.ListSIPDispatchRuleResponse, error) {
		return s.client.ListSIPDispatchRule(ctx, &livekit.ListSIPDispatchRuleRequest{TrunkIds: trunkIDs})
	})
	if err != nil {
		return nil, fmt.Errorf("conferencing: %w", err)
	}
	var out []PINRule
	for _, r := range resp.GetItems() {
		if r.GetRule().GetDispatchRuleDirect() != nil {
			out = append(out, pinRule(r))
		}
	}
	return out, nil
}

// DeleteDispatchRule deletes a dispatch rule. Deleting a missing rule
// succeeds.
func (s *SIPClient) DeleteDispatchRule(ctx context.Context, id string) error {
	_, err := retry(ctx, s.log, s.backoff, "delete dispatch rule "+id, func(ctx context.Context) (*livekit.SIPDispatchRuleInfo, error) {
		info, err := s.client.DeleteSIPDispatchRule(ctx, &livekit.DeleteSIPDispatchRuleRequest{SipDispatchRuleId: id})
		if isNotFound(err) {
			return info, nil
		}
		return info, err
	})
	if err != nil {
		return fmt.Errorf("conferencing: %w", err)
	}
	return nil
}

// EnsureBridge provisions an audio bridge idempotently: it reuses the
// inbound trunk that already serves b.Number (or creates one named b.Name)
// and the PIN rule on it with the same PIN (or creates one into b.Room). A
// rule with that PIN into another room is an error, never silently moved.
func (s *SIPClient) EnsureBridge(ctx context.Context, b Bridge) (InboundTrunk, PINRule, error) {
	if b.Name == "" || b.Number == "" || b.Room == "" || b.PIN == "" {
		return InboundTrunk{}, PINRule{}, errors.New("conferencing: ensure bridge: name, number, room and PIN are required")
	}
	trunks, err := s.ListInboundTrunks(ctx, b.Number)
	if err != nil {
		return InboundTrunk{}, PINRule{}, fmt.Errorf("ensure bridge %s: %w", b.Name, err)
	}
	var trunk InboundTrunk
	for _, t := range trunks {
		if slices.Contains(t.Numbers, b.Number) {
			trunk = t
			break
		}
	}
	if trunk.ID == "" {
		trunk, err = retry(ctx, s.log, s.backoff, "create trunk "+b.Name, func(ctx context.Context) (InboundTrunk, error) {
			return s.CreateInboundTrunk(ctx, InboundTrunk{Name: b.Name, Numbers: []string{b.Number}})
		})
		if err != nil {
			return InboundTrunk{}, PINRule{}, fmt.Errorf("ensure bridge %s: %w", b.Name, err)
		}
	}
	rules, err := s.ListPINRules(ctx, trunk.ID)
	if err != nil {
		return trunk, PINRule{}, fmt.Errorf("ensure bridge %s: %w", b.Name, err)
	}
	for _, r := range rules {
		if r.PIN == b.PIN && slices.Contains(r.TrunkIDs, trunk.ID) {
			if r.Room != b.Room {
				return trunk, r, fmt.Errorf("conferencing: ensure bridge %s: PIN already leads to room %s on %s", b.Name, r.Room, b.Number)
			}
			return trunk, r, nil
		}
	}
	rule, err := retry(ctx, s.log, s.backoff, "create PIN rule "+b.Name, func(ctx context.Context) (PINRule, error) {
		return s.CreatePINRule(ctx, PINRule{Name: b.Name, TrunkIDs: []string{trunk.ID}, Room: b.Room, PIN: b.PIN})
	})
	if err != nil {
		return trunk, PINRule{}, fmt.Errorf("ensure bridge %s: %w", b.Name, err)
	}
	s.log.InfoContext(ctx, "audio bridge provisioned", "bridge", b.Name, "number", b.Number, "room", b.Room, "trunk", trunk.ID, "rule", rule.ID)
	return trunk, rule, nil
}

func inboundTrunk(t *livekit.SIPInboundTrunkInfo) InboundTrunk {
	return InboundTrunk{
		ID:               t.GetSipTrunkId(),
		Name:             t.GetName(),
		Numbers:          t.GetNumbers(),
		AllowedAddresses: t.GetAllowedAddresses(),
		Metadata:         t.GetMetadata(),
	}
}

func pinRule(r *livekit.SIPDispatchRuleInfo) PINRule {
	d := r.GetRule().GetDispatchRuleDirect()
	return PINRule{
		ID:       r.GetSipDispatchRuleId(),
		Name:     r.GetName(),
		TrunkIDs: r.GetTrunkIds(),
		Room:     d.GetRoomName(),
		PIN:      d.GetPin(),
		Metadata: r.GetMetadata(),
	}
}
