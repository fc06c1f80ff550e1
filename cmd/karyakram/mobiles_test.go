package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
)

// TestMobilesCommandResolvesARefusedMigration plays an operator whose
// database holds one mobile on two workers: serve/migrate refuse naming
// them, `mobiles list` shows them, `mobiles clear` takes the number off
// one, and the migration then passes.
func TestMobilesCommandResolvesARefusedMigration(t *testing.T) {
	ctx := context.Background()
	getenv := testEnv(t)
	st, err := store.Open(ctx, getenv("KARYAKRAM_DSN"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.Seed(t, st)
	var holder int64
	for _, q := range []string{
		"DROP INDEX workers_mobile_key",
		"CREATE INDEX workers_mobile_idx ON workers (mobile)",
		"DELETE FROM bun_migrations WHERE name = '" + store.UniqueMobilesMigration + "'",
		"UPDATE workers SET mobile = '+919800000003' WHERE voter_id = 'BBB0000001'",
	} {
		if _, err := st.DB().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	st.DB().QueryRowContext(ctx, "SELECT id FROM workers WHERE voter_id = 'BBB0000001'").Scan(&holder)
	st.Close()

	var out, errOut bytes.Buffer
	if err := Run(ctx, []string{"migrate"}, getenv, &out, &errOut); err == nil || !strings.Contains(err.Error(), "karyakram mobiles") {
		t.Fatalf("migrate with a duplicate mobile: %v", err)
	}
	out.Reset()
	if err := Run(ctx, []string{"mobiles", "list"}, getenv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, "+919800000003") || !strings.Contains(s, "Mandal President") || !strings.Contains(s, "राम कुमार") {
		t.Fatalf("mobiles list:\n%s", s)
	}
	out.Reset()
	if err := Run(ctx, []string{"mobiles", "clear", strconv.FormatInt(holder, 10)}, getenv, &out, &errOut); err != nil {
		t.Fatalf("mobiles clear: %v %s", err, errOut.String())
	}
	if err := Run(ctx, []string{"migrate"}, getenv, &out, &errOut); err != nil {
		t.Fatalf("migrate after clearing: %v", err)
	}
	out.Reset()
	Run(ctx, []string{"mobiles", "list"}, getenv, &out, &errOut)
	if !strings.Contains(out.String(), "no mobile number") {
		t.Errorf("after clearing: %s", out.String())
	}
}
