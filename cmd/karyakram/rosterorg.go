package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/karyakram/karyakram/app/seed"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
	"github.com/karyakram/karyakram/schedule/roster"
)

// rosterOrg is the organisation a roster is planned or checked for: its
// districts and their headquarters towns (the candidate hosts).
type rosterOrg struct {
	districts []roster.District
	towns     []roster.Host
}

// loadRosterOrg reads the organisation's districts and HQ towns from the
// database at dsn (its units at the "district" level, as the workshop
// pages do), or, with no dsn, the built-in organisation "demo" seeds.
func loadRosterOrg(ctx context.Context, dsn string) (*rosterOrg, error) {
	if dsn == "" {
		return builtinRosterOrg()
	}
	st, err := store.Open(ctx, dsn, nil)
	if err != nil {
		return nil, fmt.Errorf("organisation's districts: %w", err)
	}
	defer st.Close()
	w, missing, err := st.WorkshopDefaults(ctx, schedule.SystemActor("roster"), nil, 0)
	if err != nil {
		return nil, fmt.Errorf("organisation's districts from the database: %w", err)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("organisation's districts: no headquarters town known for %s (give -districts and -towns)", strings.Join(missing, ", "))
	}
	org := &rosterOrg{}
	for _, d := range w.Districts {
		org.districts = append(org.districts, roster.District{Name: d.Name, NameHi: d.NameHi, HQ: d.HQ, Lat: d.Lat, Lon: d.Lon})
	}
	for _, h := range w.Spec.Hosts {
		org.towns = append(org.towns, h.Host)
	}
	if len(org.districts) == 0 {
		return nil, fmt.Errorf("the database has no district units: import the organisation or give -districts")
	}
	return org, nil
}

func builtinRosterOrg() (*rosterOrg, error) {
	towns, err := roster.ReadHostsCSV(strings.NewReader(seed.DistrictHQs()))
	if err != nil {
		return nil, fmt.Errorf("built-in HQ towns: %w", err)
	}
	ds, err := seed.Districts()
	if err != nil {
		return nil, fmt.Errorf("built-in districts: %w", err)
	}
	org := &rosterOrg{towns: towns}
	for _, d := range ds {
		org.districts = append(org.districts, roster.District{Name: d.Name, NameHi: d.NameHi, HQ: d.HQ})
	}
	return org, nil
}

// largestWorkshop is the most districts any one workshop of rows takes
// (0 without rows: no cap).
func largestWorkshop(rows []roster.RosterRow) int {
	per := map[roster.HostDate]int{}
	most := 0
	for _, r := range rows {
		k := roster.HostDate{Host: strings.ToLower(strings.TrimSpace(r.Host)), Date: r.Date}
		per[k]++
		most = max(most, per[k])
	}
	return most
}
