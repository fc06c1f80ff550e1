package ical

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

// formatVersion changes whenever the encoder's output for the same events
// changes, so cached feeds are refetched after a deploy.
const formatVersion = "karyakram-ical-2" // 2: events outside a feed's area as busy time

// Version is the part of an event that decides whether its feed text
// changed: storage bumps Sequence and UpdatedAt on every change
// (schedule.Event.Bump), so a handler can load just these three columns,
// compute the ETag and answer 304 Not Modified without loading or
// rendering the events.
type Version struct {
	ID        int64
	Sequence  int
	UpdatedAt time.Time
}

// VersionOf returns the event's Version.
func VersionOf(e *schedule.Event) Version {
	return Version{ID: e.ID, Sequence: e.Sequence, UpdatedAt: e.UpdatedAt}
}

// ETag returns the strong entity tag (quoted) of the feed Render produces
// for f: a hash of the feed's settings and each event's ID, sequence and
// update time, in order. It does not render.
func ETag(f *Feed) string {
	vs := make([]Version, len(f.Events))
	for i := range f.Events {
		vs[i] = VersionOf(&f.Events[i])
	}
	return ETagOf(f, vs)
}

// ETagOf is ETag with the event versions supplied separately (f.Events is
// ignored), for handlers that load only versions. The versions must be in
// the order the events will be rendered. Events with a zero UpdatedAt are
// stamped with f.Now, which then enters the hash.
func ETagOf(f *Feed, versions []Version) string {
	h := sha256.New()
	var buf [64]byte
	b := append(buf[:0], formatVersion...)
	b = append(b, 0)
	h.Write(b)
	for _, s := range []string{f.Name, f.Description, f.Lang, strconv.FormatInt(int64(f.Refresh), 10), f.Zone.Name()} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	now := f.Now.UTC().Unix()
	for _, v := range versions {
		b = binary.BigEndian.AppendUint64(buf[:0], uint64(v.ID))
		b = binary.BigEndian.AppendUint64(b, uint64(v.Sequence))
		if v.UpdatedAt.IsZero() {
			b = append(b, 0)
			b = binary.BigEndian.AppendUint64(b, uint64(now))
		} else {
			b = append(b, 1)
			b = binary.BigEndian.AppendUint64(b, uint64(v.UpdatedAt.Unix()))
		}
		h.Write(b)
	}
	sum := h.Sum(nil)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}

// LastModified returns the latest UpdatedAt among the versions (for the
// Last-Modified header), truncated to the second; zero when there are none.
func LastModified(versions []Version) time.Time {
	var t time.Time
	for _, v := range versions {
		if v.UpdatedAt.After(t) {
			t = v.UpdatedAt
		}
	}
	return t.UTC().Truncate(time.Second)
}
