package schedule

import "testing"

func TestCanSeeEventAt(t *testing.T) {
	cluster := Actor{Scope: NewScope("/1/2/5/9/")}
	for _, tt := range []struct {
		path string
		want bool
	}{
		{"/1/", true},          // the state above
		{"/1/2/", true},        // the district above
		{"/1/2/5/9/", true},    // its own cluster
		{"/1/2/5/9/12/", true}, // a booth below
		{"/1/2/5/10/", false},  // a sibling cluster
		{"/1/3/", false},       // another district
		{"/1/2/5/90/", false},  // a sibling whose id starts with the same digits
	} {
		if got := cluster.CanSeeEventAt(tt.path); got != tt.want {
			t.Errorf("CanSeeEventAt(%s) = %v, want %v", tt.path, got, tt.want)
		}
	}
	if (Actor{}).CanSeeEventAt("/1/") {
		t.Error("an actor without scope sees the state's events")
	}
}
