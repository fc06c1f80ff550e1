package ical

import (
	"strings"
	"testing"
	"time"
)

func TestETag(t *testing.T) {
	base := ETag(testFeed())
	if !strings.HasPrefix(base, `"`) || !strings.HasSuffix(base, `"`) || len(base) < 20 {
		t.Fatalf("ETag %s is not a quoted strong tag", base)
	}
	if ETag(testFeed()) != base {
		t.Error("ETag is not deterministic")
	}
	tests := []struct {
		name string
		edit func(*Feed)
	}{
		{"sequence bumped", func(f *Feed) { f.Events[0].Sequence++ }},
		{"updated", func(f *Feed) { f.Events[1].UpdatedAt = f.Events[1].UpdatedAt.Add(time.Second) }},
		{"event removed", func(f *Feed) { f.Events = f.Events[1:] }},
		{"events reordered", func(f *Feed) { f.Events[0], f.Events[1] = f.Events[1], f.Events[0] }},
		{"feed renamed", func(f *Feed) { f.Name += "!" }},
		{"refresh changed", func(f *Feed) { f.Refresh = time.Hour }},
		{"now changes DTSTAMP of an unstamped event", func(f *Feed) { f.Now = f.Now.Add(time.Hour) }},
	}
	for _, tc := range tests {
		f := testFeed()
		tc.edit(f)
		if ETag(f) == base {
			t.Errorf("%s: ETag unchanged", tc.name)
		}
	}
	// Now does not matter when every event has its own UpdatedAt.
	f := testFeed()
	for i := range f.Events {
		f.Events[i].UpdatedAt = time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	}
	a := ETag(f)
	f.Now = f.Now.Add(time.Hour)
	if ETag(f) != a {
		t.Error("ETag depends on Now although no event uses it")
	}
	// Versions loaded alone give the same tag as the full events.
	vs := make([]Version, len(f.Events))
	for i := range f.Events {
		vs[i] = VersionOf(&f.Events[i])
	}
	if ETagOf(&Feed{Name: f.Name, Description: f.Description, Refresh: f.Refresh, Now: f.Now}, vs) != a {
		t.Error("ETagOf(versions) differs from ETag(events)")
	}
	if lm := LastModified(vs); !lm.Equal(time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("LastModified %v", lm)
	}
	if !LastModified(nil).IsZero() {
		t.Error("LastModified of nothing")
	}
}
