package conferencing

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/karyakram/karyakram/conferencing/lktest"
)

func TestSIPTrunksAndPINRules(t *testing.T) {
	srv := lktest.Start(t, lktest.WithRedis())
	sip, err := NewSIPClient(testConfig(srv.URL()), nil, Backoff{MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	trunk, err := sip.CreateInboundTrunk(ctx, InboundTrunk{Name: "addr-7-d12", Numbers: []string{"+918000000012"}, AllowedAddresses: []string{"127.0.0.1/32"}})
	if err != nil {
		t.Fatal(err)
	}
	if trunk.ID == "" || trunk.Name != "addr-7-d12" {
		t.Fatalf("trunk = %+v", trunk)
	}
	other, err := sip.CreateInboundTrunk(ctx, InboundTrunk{Name: "addr-7-d3", Numbers: []string{"+918000000003"}})
	if err != nil {
		t.Fatal(err)
	}

	all, err := sip.ListInboundTrunks(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("ListInboundTrunks = %+v, %v", all, err)
	}
	byNumber, err := sip.ListInboundTrunks(ctx, "+918000000012")
	if err != nil || len(byNumber) != 1 || byNumber[0].ID != trunk.ID || !slices.Equal(byNumber[0].AllowedAddresses, []string{"127.0.0.1/32"}) {
		t.Fatalf("ListInboundTrunks by number = %+v, %v", byNumber, err)
	}

	rule, err := sip.CreatePINRule(ctx, PINRule{Name: "addr-7-d12", TrunkIDs: []string{trunk.ID}, Room: "addr-7-d12-1", PIN: "482913"})
	if err != nil {
		t.Fatal(err)
	}
	if rule.ID == "" || rule.Room != "addr-7-d12-1" || rule.PIN != "482913" {
		t.Fatalf("rule = %+v", rule)
	}
	if _, err := sip.CreatePINRule(ctx, PINRule{Name: "addr-7-d3", TrunkIDs: []string{other.ID}, Room: "addr-7-d3-1", PIN: "100200"}); err != nil {
		t.Fatal(err)
	}
	rules, err := sip.ListPINRules(ctx, trunk.ID)
	if err != nil || len(rules) != 1 || rules[0].ID != rule.ID || rules[0].PIN != "482913" || rules[0].Room != "addr-7-d12-1" {
		t.Fatalf("ListPINRules(trunk) = %+v, %v", rules, err)
	}

	if err := sip.DeleteDispatchRule(ctx, rule.ID); err != nil {
		t.Fatal(err)
	}
	if err := sip.DeleteTrunk(ctx, trunk.ID); err != nil {
		t.Fatal(err)
	}
	left, err := sip.ListInboundTrunks(ctx)
	if err != nil || len(left) != 1 || left[0].ID != other.ID {
		t.Fatalf("after delete, trunks = %+v, %v", left, err)
	}
	leftRules, err := sip.ListPINRules(ctx)
	if err != nil || len(leftRules) != 1 || leftRules[0].Room != "addr-7-d3-1" {
		t.Fatalf("after delete, rules = %+v, %v", leftRules, err)
	}
	if err := sip.DeleteTrunk(ctx, trunk.ID); err != nil {
		t.Errorf("deleting a deleted trunk: %v", err)
	}
}

func TestSIPEnsureBridgeIsIdempotent(t *testing.T) {
	srv := lktest.Start(t, lktest.WithRedis())
	sip, err := NewSIPClient(testConfig(srv.URL()), nil, Backoff{MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	b := Bridge{Name: "addr-9-d4", Number: "+918000000004", Room: "addr-9-d4-1", PIN: "7788"}
	t1, r1, err := sip.EnsureBridge(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	t2, r2, err := sip.EnsureBridge(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if t1.ID != t2.ID || r1.ID != r2.ID {
		t.Errorf("second EnsureBridge created new objects: %s/%s vs %s/%s", t1.ID, r1.ID, t2.ID, r2.ID)
	}
	// A second bridge on the same number with another PIN shares the trunk.
	t3, r3, err := sip.EnsureBridge(ctx, Bridge{Name: "addr-9-d5", Number: "+918000000004", Room: "addr-9-d5-1", PIN: "9900"})
	if err != nil {
		t.Fatal(err)
	}
	if t3.ID != t1.ID || r3.ID == r1.ID || r3.Room != "addr-9-d5-1" {
		t.Errorf("second district bridge: trunk %s rule %+v", t3.ID, r3)
	}
	// The same PIN into another room is refused.
	if _, _, err := sip.EnsureBridge(ctx, Bridge{Name: "x", Number: "+918000000004", Room: "elsewhere", PIN: "7788"}); err == nil {
		t.Error("EnsureBridge moved an existing PIN to another room")
	}
	trunks, _ := sip.ListInboundTrunks(ctx)
	rules, _ := sip.ListPINRules(ctx)
	if len(trunks) != 1 || len(rules) != 2 {
		t.Errorf("server has %d trunks and %d rules, want 1 and 2", len(trunks), len(rules))
	}
}
