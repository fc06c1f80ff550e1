package ical

import (
	"bytes"
	"io"
)

// MaxLineOctets is the longest content line RFC 5545 §3.1 allows, excluding
// the CRLF; longer lines are folded onto continuation lines that start with
// a space.
const MaxLineOctets = 75

// appendFolded appends one content line (no CRLF) to dst, folded at
// MaxLineOctets octets, and the terminating CRLF. It never splits a UTF-8
// sequence: a fold moves back to the start of the character.
func appendFolded(dst, line []byte) []byte {
	limit := MaxLineOctets
	for len(line) > limit {
		cut := limit
		for cut > 0 && line[cut]&0xC0 == 0x80 {
			cut--
		}
		if cut == 0 { // not UTF-8: any cut is as good as another
			cut = limit
		}
		dst = append(dst, line[:cut]...)
		dst = append(dst, '\r', '\n', ' ')
		line = line[cut:]
		limit = MaxLineOctets - 1 // the leading space counts
	}
	dst = append(dst, line...)
	return append(dst, '\r', '\n')
}

// FoldWriter folds the content lines written through it (each ending in
// LF or CRLF) at MaxLineOctets, for encoders that do not fold, such as
// github.com/emersion/go-ical's. Call Flush after the last write to emit
// a final line that has no line break.
type FoldWriter struct {
	w       io.Writer
	pending []byte // a partial line
	out     []byte
}

// NewFoldWriter returns a FoldWriter writing to w.
func NewFoldWriter(w io.Writer) *FoldWriter {
	return &FoldWriter{w: w}
}

// Write folds every complete line in p and writes them to the underlying
// writer; an incomplete trailing line waits for the next Write or Flush.
func (f *FoldWriter) Write(p []byte) (int, error) {
	n := len(p)
	f.out = f.out[:0]
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			f.pending = append(f.pending, p...)
			break
		}
		line := p[:i]
		if len(f.pending) > 0 {
			f.pending = append(f.pending, line...)
			line = f.pending
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		f.out = appendFolded(f.out, line)
		f.pending = f.pending[:0]
		p = p[i+1:]
	}
	if len(f.out) > 0 {
		if _, err := f.w.Write(f.out); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// Flush writes a pending partial line, folded and terminated with CRLF.
func (f *FoldWriter) Flush() error {
	if len(f.pending) == 0 {
		return nil
	}
	out := appendFolded(nil, f.pending)
	f.pending = f.pending[:0]
	_, err := f.w.Write(out)
	return err
}
