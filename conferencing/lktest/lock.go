package lktest

import (
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
)

// machine serialises tests that run livekit-server across the test
// binaries `go test ./...` runs side by side. They share one Redis (flushed
// around each test) and two CPU cores, and SIP calls lose DTMF digits when
// several servers, bridges and browsers compete for them. Within one test
// binary the lock is reentrant, so a test may run two servers.
var machine struct {
	sync.Mutex
	holders int
	file    *os.File
}

// holdMachine takes the machine-wide lock for the rest of tb (released in
// Cleanup, after the cleanups registered later, such as stopping servers).
func holdMachine(tb testing.TB) {
	tb.Helper()
	machine.Lock()
	defer machine.Unlock()
	if machine.holders == 0 {
		f, err := os.OpenFile(filepath.Join(os.TempDir(), "karyakram-lktest.lock"), os.O_CREATE|os.O_RDWR, 0o666)
		if err != nil {
			tb.Fatalf("lktest: open machine lock: %v", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			f.Close()
			tb.Fatalf("lktest: take machine lock: %v", err)
		}
		machine.file = f
	}
	machine.holders++
	tb.Cleanup(func() {
		machine.Lock()
		defer machine.Unlock()
		machine.holders--
		if machine.holders == 0 {
			machine.file.Close() // closing releases the flock
			machine.file = nil
		}
	})
}
