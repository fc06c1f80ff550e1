// Package storetest opens a fresh, migrated store for a test: SQLite in a
// temporary directory by default, or a private schema on the PostgreSQL
// server named by KARYAKRAM_TEST_DSN (dropped when the test ends).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx" for the schema set-up connection

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// DSNEnv names the variable that points tests at PostgreSQL.
const DSNEnv = "KARYAKRAM_TEST_DSN"

// DSN returns a database private to tb and not yet migrated: a SQLite file
// in a temporary directory, or a fresh schema on KARYAKRAM_TEST_DSN.
func DSN(tb testing.TB) string {
	tb.Helper()
	if dsn := os.Getenv(DSNEnv); dsn != "" {
		return privateSchema(tb, dsn)
	}
	return filepath.Join(tb.TempDir(), "test.db")
}

// Open returns a migrated store private to tb, on the tests' clock
// (internal/testclock), which the components built on it share.
func Open(tb testing.TB) *store.Store {
	tb.Helper()
	return OpenLogged(tb, nil)
}

// OpenLogged is Open with the store logging to log (nil: nowhere), for
// tests that read what the store logs.
func OpenLogged(tb testing.TB, log *slog.Logger) *store.Store {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, DSN(tb), log)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	st.SetClock(testclock.Now)
	tb.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return st
}

// privateSchema creates a schema for this test and returns a DSN whose
// search_path selects it.
func privateSchema(tb testing.TB, dsn string) string {
	tb.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatalf("connect to %s: %v", DSNEnv, err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema (is PostgreSQL at %s running?): %v", DSNEnv, err)
	}
	tb.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatalf("parse %s: %v", DSNEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// ImportUnits loads a units CSV as the system, failing the test on error.
func ImportUnits(tb testing.TB, st *store.Store, csv string) {
	tb.Helper()
	if rep, err := st.ImportUnits(context.Background(), schedule.SystemActor("test"), strings.NewReader(csv), nil); err != nil {
		tb.Fatalf("import units: %v %v", err, rep.List)
	}
}

// ImportWorkers loads a workers CSV as the system, failing the test on error.
func ImportWorkers(tb testing.TB, st *store.Store, csv string) {
	tb.Helper()
	if rep, err := st.ImportWorkers(context.Background(), schedule.SystemActor("test"), strings.NewReader(csv), nil); err != nil {
		tb.Fatalf("import workers: %v %v", err, rep.List)
	}
}

// SmallTree is a units CSV with two districts; district D1 has a full
// branch down to two booths, D2 one booth.
const SmallTree = `code,parent_code,level,name,name_hi
MP,,state,Madhya Pradesh,मध्य प्रदेश
D1,MP,district,Gwalior Nagar,ग्वालियर नगर
D2,MP,district,Bhopal Nagar,भोपाल नगर
D1-A1,D1,assembly,Gwalior East,ग्वालियर पूर्व
D1-A1-M1,D1-A1,mandal,Mandal One,मंडल एक
D1-A1-M2,D1-A1,mandal,Mandal Two,मंडल दो
D1-A1-M1-C1,D1-A1-M1,cluster,Cluster One,क्लस्टर एक
D1-A1-M1-C1-S1,D1-A1-M1-C1,shakti_kendra,Kendra One,शक्ति केंद्र एक
D1-A1-M1-C1-S1-B1,D1-A1-M1-C1-S1,booth,Booth 1,बूथ 1
D1-A1-M1-C1-S1-B2,D1-A1-M1-C1-S1,booth,Booth 2,बूथ 2
D1-A1-M2-C1,D1-A1-M2,cluster,Cluster Two,क्लस्टर दो
D1-A1-M2-C1-S1,D1-A1-M2-C1,shakti_kendra,Kendra Two,शक्ति केंद्र दो
D1-A1-M2-C1-S1-B1,D1-A1-M2-C1-S1,booth,Booth 3,बूथ 3
D2-A1,D2,assembly,Bhopal North,भोपाल उत्तर
D2-A1-M1,D2-A1,mandal,Mandal Three,मंडल तीन
D2-A1-M1-C1,D2-A1-M1,cluster,Cluster Three,क्लस्टर तीन
D2-A1-M1-C1-S1,D2-A1-M1-C1,shakti_kendra,Kendra Three,शक्ति केंद्र तीन
D2-A1-M1-C1-S1-B1,D2-A1-M1-C1-S1,booth,Booth 4,बूथ 4
`

// SmallWorkers are the officials and workers of SmallTree: one official
// per level, plus ordinary workers in each booth.
const SmallWorkers = `name,mobile,voter_id,gender,unit_code,roles,work
State Office,9800000001,AAA0000001,M,MP,office,
District President,9800000002,AAA0000002,M,D1,president,
Mandal President,9800000003,AAA0000003,F,D1-A1-M1,president,
Booth President,9800000004,AAA0000004,F,D1-A1-M1-C1-S1-B1,booth_president,
Other District President,9800000005,AAA0000005,M,D2,president,
राम कुमार,9811111111,BBB0000001,M,D1-A1-M1-C1-S1-B1,whatsapp_pramukh,social media
सीता देवी,9811111112,BBB0000002,F,D1-A1-M1-C1-S1-B2,mann_ki_baat_pramukh,
Mohan Lal,9811111113,BBB0000003,M,D1-A1-M2-C1-S1-B1,,
Geeta Bai,9811111114,BBB0000004,F,D2-A1-M1-C1-S1-B1,labharthi_pramukh,
`

// Seed loads SmallTree and SmallWorkers into st.
func Seed(tb testing.TB, st *store.Store) {
	tb.Helper()
	ImportUnits(tb, st, SmallTree)
	ImportWorkers(tb, st, SmallWorkers)
}

// Actor returns the official with mobile (10 digits) as an actor.
func Actor(tb testing.TB, st *store.Store, mobile string) schedule.Actor {
	tb.Helper()
	m, err := schedule.NormaliseMobile(mobile)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := st.ActorByMobile(context.Background(), m)
	if err != nil {
		tb.Fatalf("actor %s: %v", mobile, err)
	}
	return a
}
