package pdf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// puaBase is the first code point of the Private Use Area. The augmented
// font maps puaBase+gid to glyph gid, so that gofpdf (which only addresses
// glyphs through the cmap) can draw any glyph the shaper produces, including
// conjuncts and half forms that have no Unicode code point of their own.
const puaBase = 0xE000

// puaLimit is the last code point of the BMP Private Use Area; fonts with
// more than puaLimit-puaBase+1 glyphs cannot be fully addressed.
const puaLimit = 0xF8FF

// sfntTable is one table of an OpenType/TrueType file.
type sfntTable struct {
	tag  string
	data []byte
}

// parseSfnt splits a TrueType file into its tables. Only single-font
// TrueType files (sfnt version 0x00010000 or 'true') are accepted.
func parseSfnt(b []byte) ([]sfntTable, error) {
	if len(b) < 12 {
		return nil, errors.New("font file too short")
	}
	ver := binary.BigEndian.Uint32(b)
	if ver != 0x00010000 && ver != 0x74727565 {
		return nil, fmt.Errorf("unsupported sfnt version %#x (TrueType outlines required)", ver)
	}
	n := int(binary.BigEndian.Uint16(b[4:]))
	if len(b) < 12+16*n {
		return nil, errors.New("truncated table directory")
	}
	tables := make([]sfntTable, 0, n)
	for i := 0; i < n; i++ {
		rec := b[12+16*i:]
		tag := string(rec[:4])
		off := binary.BigEndian.Uint32(rec[8:])
		length := binary.BigEndian.Uint32(rec[12:])
		if uint64(off)+uint64(length) > uint64(len(b)) {
			return nil, fmt.Errorf("table %q out of bounds", tag)
		}
		tables = append(tables, sfntTable{tag: tag, data: b[off : off+length]})
	}
	return tables, nil
}

// sfntChecksum is the OpenType table checksum: the sum of big-endian uint32
// words, the data zero-padded to a multiple of four bytes.
func sfntChecksum(b []byte) uint32 {
	var sum uint32
	n := len(b) &^ 3
	for i := 0; i < n; i += 4 {
		sum += binary.BigEndian.Uint32(b[i:])
	}
	if r := len(b) - n; r > 0 {
		var last [4]byte
		copy(last[:], b[n:])
		sum += binary.BigEndian.Uint32(last[:])
	}
	return sum
}

// writeSfnt assembles a TrueType file from tables: directory sorted by tag,
// every table 4-byte aligned, table checksums and head.checkSumAdjustment
// recomputed.
func writeSfnt(tables []sfntTable) ([]byte, error) {
	sorted := append([]sfntTable(nil), tables...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].tag < sorted[j].tag })
	n := len(sorted)
	searchRange, entrySelector := 1, 0
	for searchRange*2 <= n {
		searchRange *= 2
		entrySelector++
	}
	searchRange *= 16
	size := 12 + 16*n
	for _, t := range sorted {
		size += (len(t.data) + 3) &^ 3
	}
	out := make([]byte, size)
	binary.BigEndian.PutUint32(out, 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	binary.BigEndian.PutUint16(out[6:], uint16(searchRange))
	binary.BigEndian.PutUint16(out[8:], uint16(entrySelector))
	binary.BigEndian.PutUint16(out[10:], uint16(n*16-searchRange))
	off := 12 + 16*n
	headOff := -1
	for i, t := range sorted {
		data := t.data
		if t.tag == "head" {
			if len(data) < 12 {
				return nil, errors.New("head table too short")
			}
			data = append([]byte(nil), data...)
			binary.BigEndian.PutUint32(data[8:], 0) // checkSumAdjustment, fixed below
			headOff = off
		}
		rec := out[12+16*i:]
		copy(rec, t.tag)
		binary.BigEndian.PutUint32(rec[4:], sfntChecksum(data))
		binary.BigEndian.PutUint32(rec[8:], uint32(off))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(data)))
		copy(out[off:], data)
		off += (len(data) + 3) &^ 3
	}
	if headOff < 0 {
		return nil, errors.New("font has no head table")
	}
	binary.BigEndian.PutUint32(out[headOff+8:], 0xB1B0AFBA-sfntChecksum(out))
	return out, nil
}

// cmapFormat4 encodes a format 4 cmap subtable for the given BMP mapping.
// Runs of consecutive code points become one segment each: an idDelta
// segment when the glyph IDs rise in step with the code points, otherwise a
// segment with a glyphIdArray slice.
func cmapFormat4(m map[rune]uint16) ([]byte, error) {
	codes := make([]int, 0, len(m))
	for r := range m {
		if r >= 0 && r < 0xFFFF {
			codes = append(codes, int(r))
		}
	}
	sort.Ints(codes)
	type segment struct {
		start, end int
		delta      int
		glyphs     []uint16 // nil for a pure delta segment
	}
	var segs []segment
	for i := 0; i < len(codes); {
		j := i
		for j+1 < len(codes) && codes[j+1] == codes[j]+1 {
			j++
		}
		s := segment{start: codes[i], end: codes[j]}
		d := int(m[rune(codes[i])]) - codes[i]
		uniform := true
		for k := i; k <= j; k++ {
			if int(m[rune(codes[k])])-codes[k] != d {
				uniform = false
				break
			}
		}
		if uniform {
			s.delta = d
		} else {
			for k := i; k <= j; k++ {
				s.glyphs = append(s.glyphs, m[rune(codes[k])])
			}
		}
		segs = append(segs, s)
		i = j + 1
	}
	segs = append(segs, segment{start: 0xFFFF, end: 0xFFFF, delta: 1})
	segX2 := 2 * len(segs)
	nGlyphs := 0
	for _, s := range segs {
		nGlyphs += len(s.glyphs)
	}
	length := 16 + 4*segX2 + 2*nGlyphs
	if length > 0xFFFF {
		return nil, fmt.Errorf("cmap format 4 subtable too large (%d bytes)", length)
	}
	b := make([]byte, length)
	put := func(off int, v int) { binary.BigEndian.PutUint16(b[off:], uint16(v)) }
	searchRange, entrySelector := 1, 0
	for searchRange*2 <= len(segs) {
		searchRange *= 2
		entrySelector++
	}
	searchRange *= 2
	put(0, 4)
	put(2, length)
	put(4, 0) // language
	put(6, segX2)
	put(8, searchRange)
	put(10, entrySelector)
	put(12, segX2-searchRange)
	endOff := 14
	startOff := endOff + segX2 + 2 // reservedPad
	deltaOff := startOff + segX2
	rangeOff := deltaOff + segX2
	glyphOff := rangeOff + segX2
	gi := 0
	for i, s := range segs {
		put(endOff+2*i, s.end)
		put(startOff+2*i, s.start)
		if s.glyphs == nil {
			put(deltaOff+2*i, s.delta&0xFFFF)
			put(rangeOff+2*i, 0)
			continue
		}
		put(deltaOff+2*i, 0)
		// idRangeOffset is relative to its own position in the array.
		put(rangeOff+2*i, glyphOff+2*gi-(rangeOff+2*i))
		for _, g := range s.glyphs {
			put(glyphOff+2*gi, int(g))
			gi++
		}
	}
	return b, nil
}

// augmentFont returns a copy of the TrueType file whose cmap maps, besides
// the font's own BMP characters (given in unicode), U+E000+gid to glyph gid
// for every glyph 1..numGlyphs-1. The cmap gets a single format 4 subtable
// referenced from both the (0,3) and (3,1) encoding records, which is what
// gofpdf reads; the DSIG table, invalid after the change, is dropped.
func augmentFont(file []byte, unicode map[rune]uint16, numGlyphs int) ([]byte, error) {
	if numGlyphs-1 > puaLimit-puaBase {
		return nil, fmt.Errorf("font has %d glyphs, more than the private use area can address", numGlyphs)
	}
	tables, err := parseSfnt(file)
	if err != nil {
		return nil, fmt.Errorf("parse font: %w", err)
	}
	m := make(map[rune]uint16, len(unicode)+numGlyphs)
	for r, g := range unicode {
		if r < puaBase || r > puaLimit { // the PUA belongs to glyph IDs now
			m[r] = g
		}
	}
	for g := 1; g < numGlyphs; g++ {
		m[rune(puaBase+g)] = uint16(g)
	}
	sub, err := cmapFormat4(m)
	if err != nil {
		return nil, fmt.Errorf("build cmap: %w", err)
	}
	cmap := make([]byte, 4+8*2, 4+8*2+len(sub))
	binary.BigEndian.PutUint16(cmap[0:], 0) // version
	binary.BigEndian.PutUint16(cmap[2:], 2) // numTables
	for i, rec := range [][2]uint16{{0, 3}, {3, 1}} {
		binary.BigEndian.PutUint16(cmap[4+8*i:], rec[0])
		binary.BigEndian.PutUint16(cmap[6+8*i:], rec[1])
		binary.BigEndian.PutUint32(cmap[8+8*i:], 4+8*2)
	}
	cmap = append(cmap, sub...)
	out := tables[:0:0]
	found := false
	for _, t := range tables {
		switch t.tag {
		case "DSIG":
			continue
		case "cmap":
			t.data = cmap
			found = true
		}
		out = append(out, t)
	}
	if !found {
		return nil, errors.New("font has no cmap table")
	}
	b, err := writeSfnt(out)
	if err != nil {
		return nil, fmt.Errorf("write font: %w", err)
	}
	return b, nil
}
