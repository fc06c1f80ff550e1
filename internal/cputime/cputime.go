// Package cputime measures the CPU time a process spends (user + system,
// all threads), for benchmarks on a shared machine: under load the wall
// clock measures the neighbours, the CPU time what the code costs.
package cputime

import (
	"syscall"
	"time"
)

// Now is the process's CPU time so far (0 where getrusage fails).
func Now() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
