package static

import (
	"bytes"
	"compress/gzip"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/internal/testtool"
)

// TestOneSharedChunkAndPrecompressedCopies holds the build's promises: the
// join and stage scripts import one and the same livekit-client chunk (not
// a copy each), every file's gzip and brotli copies decode to it, and
// file names carry the content hash.
func TestOneSharedChunkAndPrecompressedCopies(t *testing.T) {
	join, err := EntryFor("join")
	if err != nil {
		t.Fatal(err)
	}
	stage, err := EntryFor("stage")
	if err != nil {
		t.Fatal(err)
	}
	if len(join.Imports) != 1 || len(stage.Imports) != 1 || join.Imports[0] != stage.Imports[0] {
		t.Fatalf("join imports %v, stage %v: want one shared chunk", join.Imports, stage.Imports)
	}
	chunk, _ := Lookup(join.Imports[0])
	if !bytes.Contains(chunk.Body, []byte("livekit")) || len(chunk.Body) < 200_000 {
		t.Fatalf("chunk %s (%d bytes) is not livekit-client", chunk.Name, len(chunk.Body))
	}
	for _, f := range []string{join.File, stage.File} {
		a, _ := Lookup(f)
		if len(a.Body) > 20_000 {
			t.Errorf("%s is %d bytes: livekit-client is bundled into it again", f, len(a.Body))
		}
	}
	node := ""
	if testtool.Has("node") {
		node = testtool.Program(t, "node")
	} else {
		t.Logf("node not found: run %s (Debian package nodejs); brotli copies not decoded", testtool.AptScript)
	}
	for _, f := range []string{join.File, stage.File, chunk.Name} {
		a, _ := Lookup(f)
		if a.Gzip == nil || a.Brotli == nil || len(a.Brotli) >= len(a.Gzip) || len(a.Gzip) >= len(a.Body) {
			t.Fatalf("%s: %d bytes, gzip %d, brotli %d", f, len(a.Body), len(a.Gzip), len(a.Brotli))
		}
		zr, err := gzip.NewReader(bytes.NewReader(a.Gzip))
		if err != nil {
			t.Fatal(err)
		}
		if plain, err := io.ReadAll(zr); err != nil || !bytes.Equal(plain, a.Body) {
			t.Errorf("%s.gz does not decode to %s: %v", f, f, err)
		}
		if node != "" {
			cmd := exec.Command(node, "-e", "process.stdout.write(require('zlib').brotliDecompressSync(require('fs').readFileSync(0)))")
			cmd.Stdin = bytes.NewReader(a.Brotli)
			if plain, err := cmd.Output(); err != nil || !bytes.Equal(plain, a.Body) {
				t.Errorf("%s.br does not decode to %s: %v", f, f, err)
			}
		}
	}
	if _, ok := Lookup("../static.go"); ok {
		t.Error("Lookup reaches outside dist")
	}
	if strings.Contains(join.File, "join.js") {
		t.Errorf("join script %q has no content hash", join.File)
	}
}
