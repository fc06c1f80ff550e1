// Package bridges sets up and tears down the audio bridges of a mass
// address: the store records them (numbers, PINs, rooms), the telephony
// side (a schedule.BridgeProvisioner: LiveKit SIP through conferencing)
// makes them answer calls. Both steps are idempotent, so running either
// again finishes what a failure left.
package bridges

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// Provision gives every unit of level (a level key; "" means district) in
// the address's audience a bridge, keeping existing bridges' numbers and
// PINs, and then ensures each on the telephony side through prov (nil:
// record only). It needs write access to the address's unit. A failure on
// the telephony side is recorded on the bridge (state failed) and counted,
// not returned: provisioning again retries it.
func Provision(ctx context.Context, st *store.Store, actor schedule.Actor, addressID int64, level string, numbers schedule.BridgeNumbers, prov schedule.BridgeProvisioner, now time.Time) (store.BridgeReport, error) {
	rep, err := st.PlanBridges(ctx, actor, addressID, level, numbers, now)
	if err != nil {
		return rep, err
	}
	for i := range rep.Bridges {
		b := &rep.Bridges[i]
		if prov != nil {
			trunk, rule, perr := prov.EnsureBridge(ctx, schedule.BridgeSpec{Name: b.Name(), Number: b.Number, Room: b.Room, PIN: b.PIN})
			b.State, b.LastError, b.UpdatedAt = store.BridgeReady, "", st.Now()
			if perr != nil {
				b.State, b.LastError = store.BridgeFailed, perr.Error()
			} else {
				b.TrunkID, b.RuleID = trunk, rule
			}
			if err := st.SetBridgeState(ctx, *b); err != nil {
				return rep, err
			}
		}
		switch b.State {
		case store.BridgeReady:
			rep.Ready++
		case store.BridgeFailed:
			rep.Failed++
		}
	}
	return rep, nil
}

// Remove deletes every bridge of an address: on the telephony side through
// prov (a trunk only with the last bridge using it, in any address) and
// then from the store. It needs write access to the address's unit. A
// failure on the telephony side stops before anything is forgotten, so it
// can be retried.
func Remove(ctx context.Context, st *store.Store, actor schedule.Actor, addressID int64, prov schedule.BridgeProvisioner) (int, error) {
	bridges, users, err := st.BridgesToRemove(ctx, actor, addressID)
	if err != nil {
		return 0, err
	}
	if prov != nil {
		var errs []error
		for _, b := range bridges {
			if b.TrunkID == "" && b.RuleID == "" {
				continue
			}
			users[b.TrunkID]--
			if err := prov.RemoveBridge(ctx, b.TrunkID, b.RuleID, users[b.TrunkID] <= 0); err != nil {
				errs = append(errs, fmt.Errorf("remove bridge %s: %w", b.Name(), err))
			}
		}
		if err := errors.Join(errs...); err != nil {
			return 0, err
		}
	}
	return st.ForgetBridges(ctx, actor, addressID)
}
