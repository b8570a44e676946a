module gpufleet.example/tools/ledger-verify-go

go 1.19

// Debian's golang-golang-x-mod-dev (0.7.0), so the build needs no network: build with
// GOPROXY=off GOFLAGS=-mod=mod (tests/CMakeLists.txt does).
require golang.org/x/mod v0.7.0

replace golang.org/x/mod => /usr/share/gocode/src/golang.org/x/mod
