// notesign: signs a text with a key made by Go's note.GenerateKey from a given seed, so the
// C++ ledger can be checked against Go in the other direction (tests/ledger/go_cross_check.sh):
// C++ must parse Go's key texts, open Go's note, and reproduce it byte for byte (Ed25519 is
// deterministic). Writes <out>.skey, <out>.vkey and <out>.note.
//
// Usage: notesign -name NAME -seed HEX64 -text FILE -out PREFIX
package main

import (
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/note"
)

func main() {
	name := flag.String("name", "", "key name")
	seedHex := flag.String("seed", "", "32-byte seed, hex")
	textPath := flag.String("text", "", "text to sign")
	out := flag.String("out", "", "output prefix")
	flag.Parse()
	seed, err := hex.DecodeString(*seedHex)
	if err != nil || len(seed) != 32 || *name == "" || *textPath == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	fail := func(err error) {
		fmt.Fprintf(os.Stderr, "notesign: %v\n", err)
		os.Exit(1)
	}
	// GenerateKey reads the Ed25519 seed from its random source.
	skey, vkey, err := note.GenerateKey(bytes.NewReader(seed), *name)
	if err != nil {
		fail(err)
	}
	text, err := os.ReadFile(*textPath)
	if err != nil {
		fail(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		fail(err)
	}
	msg, err := note.Sign(&note.Note{Text: string(text)}, signer)
	if err != nil {
		fail(err)
	}
	for suffix, data := range map[string][]byte{".skey": []byte(skey + "\n"), ".vkey": []byte(vkey + "\n"), ".note": msg} {
		if err := os.WriteFile(*out+suffix, data, 0o600); err != nil {
			fail(err)
		}
	}
}
