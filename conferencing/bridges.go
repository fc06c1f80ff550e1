package conferencing

import (
	"context"
	"fmt"

	"github.com/karyakram/karyakram/schedule"
)

// Bridges provisions audio bridges with LiveKit SIP: one inbound trunk per
// number, one PIN dispatch rule per bridge. It is the
// schedule.BridgeProvisioner that app/bridges drives.
type Bridges struct {
	SIP *SIPClient
}

var _ schedule.BridgeProvisioner = Bridges{}

// EnsureBridge implements schedule.BridgeProvisioner.
func (b Bridges) EnsureBridge(ctx context.Context, spec schedule.BridgeSpec) (string, string, error) {
	trunk, rule, err := b.SIP.EnsureBridge(ctx, Bridge{Name: spec.Name, Number: spec.Number, Room: spec.Room, PIN: spec.PIN})
	if err != nil {
		return "", "", fmt.Errorf("provision bridge %s: %w", spec.Name, err)
	}
	return trunk.ID, rule.ID, nil
}

// RemoveBridge implements schedule.BridgeProvisioner.
func (b Bridges) RemoveBridge(ctx context.Context, trunkID, ruleID string, lastOnTrunk bool) error {
	if ruleID != "" {
		if err := b.SIP.DeleteDispatchRule(ctx, ruleID); err != nil {
			return fmt.Errorf("remove bridge rule %s: %w", ruleID, err)
		}
	}
	if lastOnTrunk && trunkID != "" {
		if err := b.SIP.DeleteTrunk(ctx, trunkID); err != nil {
			return fmt.Errorf("remove bridge trunk %s: %w", trunkID, err)
		}
	}
	return nil
}
