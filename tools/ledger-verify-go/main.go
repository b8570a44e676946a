// ledger-verify-go: an independent verifier of gpufleet ledger exports, checkpoints and
// proofs, written against Go's golang.org/x/mod (the code that checks the Go module
// checksum database) rather than gpufleet's C++, so the two implementations check each other.
//
// It opens every signed checkpoint with note.Open and a note.NewVerifier for the log's key,
// parses the checkpoint body itself (C2SP tlog-checkpoint: origin, size, base64 root,
// extension lines; not tlog.ParseTree, whose header differs), recomputes every leaf with
// tlog.RecordHash and the tree heads with tlog.StoredHashes and tlog.TreeHash, checks
// inclusion proofs with tlog.CheckRecord and consistency proofs with tlog.CheckTree.
//
// Usage:
//
//	ledger-verify-go -key VKEY -export FILE [-witness-key VKEY]... [-checkpoint FILE]...
//	    (a key is given inline or as a file holding it)
//	    [-inclusion FILE]... [-consistency FILE]...
//
// Exit 0 when everything verifies, 1 with a message naming what did not, 2 on bad usage.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// checkpoint is a verified C2SP tlog-checkpoint.
type checkpoint struct {
	origin     string
	size       int64
	root       tlog.Hash
	extensions []string
}

var b64 = base64.StdEncoding.Strict()

// parseCheckpoint parses a checkpoint body strictly: origin a valid key name, size decimal
// without leading zeros, root base64 of 32 bytes, extension lines non-empty.
func parseCheckpoint(text string) (checkpoint, error) {
	var c checkpoint
	if !strings.HasSuffix(text, "\n") {
		return c, errors.New("checkpoint does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return c, fmt.Errorf("checkpoint has %d lines, needs at least 3", len(lines))
	}
	c.origin = lines[0]
	if c.origin == "" || strings.ContainsRune(c.origin, '+') ||
		strings.IndexFunc(c.origin, unicode.IsSpace) >= 0 || !utf8.ValidString(c.origin) {
		return c, fmt.Errorf("checkpoint origin %q is not a valid key name", c.origin)
	}
	sizeText := lines[1]
	if sizeText == "" || (len(sizeText) > 1 && sizeText[0] == '0') ||
		strings.TrimLeft(sizeText, "0123456789") != "" {
		return c, fmt.Errorf("checkpoint size %q is not canonical decimal", sizeText)
	}
	size, err := strconv.ParseInt(sizeText, 10, 64)
	if err != nil {
		return c, fmt.Errorf("checkpoint size %q: %v", sizeText, err)
	}
	c.size = size
	root, err := b64.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize || b64.EncodeToString(root) != lines[2] {
		return c, fmt.Errorf("checkpoint root %q is not base64 of 32 bytes", lines[2])
	}
	copy(c.root[:], root)
	for i, ext := range lines[3:] {
		if ext == "" {
			return c, fmt.Errorf("checkpoint extension line %d is empty", i+1)
		}
		c.extensions = append(c.extensions, ext)
	}
	return c, nil
}

// openCheckpoint verifies a signed checkpoint: the log's signature, the origin equal to the
// log key's name, and a cosignature by every witness given.
func openCheckpoint(msg []byte, logKey note.Verifier, witnesses []note.Verifier) (checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(logKey))
	if err != nil {
		return checkpoint{}, fmt.Errorf("log signature: %v", err)
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		return c, err
	}
	if c.origin != logKey.Name() {
		return c, fmt.Errorf("origin %q is not the log key's name %q", c.origin, logKey.Name())
	}
	for _, w := range witnesses {
		if _, err := note.Open(msg, note.VerifierList(w)); err != nil {
			return c, fmt.Errorf("not cosigned by witness %s+%08x: %v", w.Name(), w.KeyHash(), err)
		}
	}
	return c, nil
}

// tree holds every entry and the stored hashes of the export, so that heads and proofs of
// any size can be checked.
type tree struct {
	entries [][]byte
	stored  []tlog.Hash
}

func (t *tree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(t.stored)) {
			return nil, fmt.Errorf("stored hash %d not available", x)
		}
		out[i] = t.stored[x]
	}
	return out, nil
}

// head is the RFC 6962 tree head of the first n entries. tlog.TreeHash gives the zero hash
// for the empty tree; RFC 6962 (and the checkpoint) say SHA-256 of nothing.
func (t *tree) head(n int64) (tlog.Hash, error) {
	if n == 0 {
		return tlog.Hash(sha256.Sum256(nil)), nil
	}
	return tlog.TreeHash(n, t)
}

// readExport reads the export file (docs/ledger.md, "Export format") and recomputes its tree.
func readExport(path string) ([]byte, *tree, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	line := func() (string, error) {
		s, err := r.ReadString('\n')
		if err != nil {
			return "", fmt.Errorf("%s: unexpected end of file", path)
		}
		return strings.TrimSuffix(s, "\n"), nil
	}
	magic, err := line()
	if err != nil || magic != "gpufleet-ledger-export v1" {
		return nil, nil, fmt.Errorf("%s: not a gpufleet ledger export", path)
	}
	header, err := line()
	if err != nil {
		return nil, nil, err
	}
	var cpBytes int64
	if _, err := fmt.Sscanf(header, "checkpoint %d", &cpBytes); err != nil || cpBytes <= 0 || cpBytes > 64*1024 ||
		header != fmt.Sprintf("checkpoint %d", cpBytes) {
		return nil, nil, fmt.Errorf("%s: bad checkpoint header %q", path, header)
	}
	cp := make([]byte, cpBytes)
	if _, err := io.ReadFull(r, cp); err != nil {
		return nil, nil, fmt.Errorf("%s: file ends inside the checkpoint", path)
	}
	countLine, err := line()
	if err != nil {
		return nil, nil, err
	}
	var count int64
	if _, err := fmt.Sscanf(countLine, "entries %d", &count); err != nil || count < 0 ||
		countLine != fmt.Sprintf("entries %d", count) {
		return nil, nil, fmt.Errorf("%s: bad entries header %q", path, countLine)
	}
	t := &tree{}
	for i := int64(0); i < count; i++ {
		s, err := line()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: ends after %d of %d entries", path, i, count)
		}
		data, err := b64.DecodeString(s)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: entry %d is not base64", path, i)
		}
		hashes, err := tlog.StoredHashes(i, data, t)
		if err != nil {
			return nil, nil, err
		}
		t.entries = append(t.entries, data)
		t.stored = append(t.stored, hashes...)
	}
	if _, err := r.ReadByte(); err != io.EOF {
		return nil, nil, fmt.Errorf("%s: data after the last of %d entries", path, count)
	}
	return cp, t, nil
}

func decodeHashes(list []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		raw, err := b64.DecodeString(s)
		if err != nil || len(raw) != tlog.HashSize {
			return nil, fmt.Errorf("hashes[%d] is not base64 of 32 bytes", i)
		}
		copy(out[i][:], raw)
	}
	return out, nil
}

// verifierArg is a verifier key given inline or as a file holding it.
func verifierArg(arg string) (note.Verifier, error) {
	if v, err := note.NewVerifier(arg); err == nil {
		return v, nil
	}
	data, err := os.ReadFile(arg)
	if err != nil {
		return nil, fmt.Errorf("%q is neither a verifier key nor a readable file", arg)
	}
	return note.NewVerifier(strings.TrimSpace(string(data)))
}

func readJSON(path string, v interface{}) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}

func run() error {
	var witnessKeys, checkpoints, inclusions, consistencies listFlag
	key := flag.String("key", "", "the log's verifier key, or a file holding it")
	exportPath := flag.String("export", "", "the export file")
	flag.Var(&witnessKeys, "witness-key", "a witness that must have cosigned the export's checkpoint (repeatable)")
	flag.Var(&checkpoints, "checkpoint", "a signed checkpoint file to check against the export (repeatable)")
	flag.Var(&inclusions, "inclusion", "an inclusion proof JSON file (repeatable)")
	flag.Var(&consistencies, "consistency", "a consistency proof JSON file (repeatable)")
	flag.Parse()
	if *key == "" || *exportPath == "" || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	logKey, err := verifierArg(*key)
	if err != nil {
		return fmt.Errorf("-key: %v", err)
	}
	var witnesses []note.Verifier
	for _, k := range witnessKeys {
		w, err := verifierArg(k)
		if err != nil {
			return fmt.Errorf("-witness-key: %v", err)
		}
		witnesses = append(witnesses, w)
	}

	cpNote, t, err := readExport(*exportPath)
	if err != nil {
		return err
	}
	latest, err := openCheckpoint(cpNote, logKey, witnesses)
	if err != nil {
		return fmt.Errorf("%s: checkpoint: %v", *exportPath, err)
	}
	if latest.size != int64(len(t.entries)) {
		return fmt.Errorf("%s: checkpoint size %d but %d entries", *exportPath, latest.size, len(t.entries))
	}
	bySize := map[int64]checkpoint{}
	check := func(name string, c checkpoint) error {
		if c.size > int64(len(t.entries)) {
			return fmt.Errorf("%s: size %d is beyond the export's %d entries", name, c.size, len(t.entries))
		}
		h, err := t.head(c.size)
		if err != nil {
			return err
		}
		if h != c.root {
			return fmt.Errorf("%s: root %s of size %d, recomputed %s", name, c.root, c.size, h)
		}
		if prev, ok := bySize[c.size]; ok && prev.root != c.root {
			return fmt.Errorf("%s: two checkpoints of size %d with different roots", name, c.size)
		}
		bySize[c.size] = c
		return nil
	}
	if err := check(*exportPath, latest); err != nil {
		return err
	}
	fmt.Printf("ok export: %s, %d entries, root %s\n", latest.origin, latest.size, latest.root)

	for _, path := range checkpoints {
		msg, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		c, err := openCheckpoint(msg, logKey, nil)
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		if err := check(path, c); err != nil {
			return err
		}
		fmt.Printf("ok checkpoint: %s size %d\n", path, c.size)
	}

	for _, path := range inclusions {
		var p struct {
			Index    int64    `json:"index"`
			TreeSize int64    `json:"tree_size"`
			Hashes   []string `json:"hashes"`
		}
		if err := readJSON(path, &p); err != nil {
			return err
		}
		c, ok := bySize[p.TreeSize]
		if !ok {
			return fmt.Errorf("%s: no verified checkpoint of size %d", path, p.TreeSize)
		}
		if p.Index < 0 || p.Index >= p.TreeSize {
			return fmt.Errorf("%s: index %d outside tree size %d", path, p.Index, p.TreeSize)
		}
		proof, err := decodeHashes(p.Hashes)
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		leaf := tlog.RecordHash(t.entries[p.Index])
		if err := tlog.CheckRecord(proof, p.TreeSize, c.root, p.Index, leaf); err != nil {
			return fmt.Errorf("%s: entry %d in size %d: %v", path, p.Index, p.TreeSize, err)
		}
		fmt.Printf("ok inclusion: entry %d in size %d\n", p.Index, p.TreeSize)
	}

	for _, path := range consistencies {
		var p struct {
			OldSize int64    `json:"old_size"`
			NewSize int64    `json:"new_size"`
			Hashes  []string `json:"hashes"`
		}
		if err := readJSON(path, &p); err != nil {
			return err
		}
		if p.OldSize < 1 || p.OldSize > p.NewSize {
			return fmt.Errorf("%s: sizes %d to %d (tlog.CheckTree needs 1 <= old <= new)", path, p.OldSize, p.NewSize)
		}
		oldCp, ok1 := bySize[p.OldSize]
		newCp, ok2 := bySize[p.NewSize]
		if !ok1 || !ok2 {
			return fmt.Errorf("%s: no verified checkpoints of sizes %d and %d", path, p.OldSize, p.NewSize)
		}
		proof, err := decodeHashes(p.Hashes)
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		if err := tlog.CheckTree(proof, p.NewSize, newCp.root, p.OldSize, oldCp.root); err != nil {
			return fmt.Errorf("%s: sizes %d to %d: %v", path, p.OldSize, p.NewSize, err)
		}
		fmt.Printf("ok consistency: size %d to %d\n", p.OldSize, p.NewSize)
	}
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "ledger-verify-go: FAIL: %v\n", err)
		os.Exit(1)
	}
	fmt.Println("ledger-verify-go: all verified")
}
