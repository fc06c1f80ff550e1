package schedule

import (
	"strings"
	"testing"
)

func TestBridgeNumbers(t *testing.T) {
	p, err := ParseBridgeNumbers("+9175540000xx, +917554999999")
	if err != nil {
		t.Fatal(err)
	}
	if p.Size() != 101 || p.Number(0) != "+917554000000" || p.Number(42) != "+917554000042" || p.Number(100) != "+917554999999" || p.Number(101) != "+917554000000" {
		t.Errorf("pool: size %d, %s %s %s %s", p.Size(), p.Number(0), p.Number(42), p.Number(100), p.Number(101))
	}
	for _, bad := range []string{"", "917554000000", "+91755400xxxxxxx", "+9175a4000000", "+12"} {
		if _, err := ParseBridgeNumbers(bad); err == nil || !strings.Contains(err.Error(), "bridge_numbers") {
			t.Errorf("%q: got %v, want a bridge_numbers error", bad, err)
		}
	}
}
