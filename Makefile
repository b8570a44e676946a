# gpufleet front door. Two commands on a fresh Debian 12 machine:
#   make run    install dependencies, build, start gpufleetd on a demo fleet (SQLite store)
#   make test   install dependencies, build, run every test (ctest)
# Other targets: build, bench, asan (sanitizer build + tests), format, format-check, clean.

PRESET ?= default
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc)
DEBIAN_PACKAGES := g++ cmake ninja-build make libgtest-dev libgmock-dev libbenchmark-dev \
  nlohmann-json3-dev libcli11-dev libfmt-dev libspdlog-dev libyaml-cpp-dev libsqlite3-dev \
  libpq-dev libcpp-httplib-dev libboost-dev libssl-dev clang-format \
  coinor-libcbc-dev pkg-config golang-go golang-golang-x-mod-dev
OUT ?= out/gpufleetd
PORT ?= 8080
DEMO_GPUS ?= 4096
GPUFLEETD_FLAGS ?=

.PHONY: deps build run test asan bench format format-check clean

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET) -j $(JOBS)

# The service on a generated demo fleet; the README walk-through talks to it. Ctrl-C stops it;
# the store ($(OUT)/gpufleet.db) keeps jobs and tenants for the next run.
run: build
	@mkdir -p $(OUT)
	@# The ledger's signing key, made once (its verifier key goes to ledger.pub).
	@test -f $(OUT)/ledger.key || $(BUILD_DIR)/gpufleet ledger keygen --out $(OUT)/ledger.key \
	  --name gpufleet.local/demo > $(OUT)/ledger.pub
	$(BUILD_DIR)/gpufleetd --demo-gpus $(DEMO_GPUS) --store $(OUT)/gpufleet.db \
	  --port $(PORT) --admin-token-file $(OUT)/admin-token --ledger-key $(OUT)/ledger.key \
	  $(GPUFLEETD_FLAGS)

test: build format-check
	ctest --preset $(PRESET) -j $(JOBS)

asan:
	$(MAKE) build PRESET=asan
	ctest --preset asan -j $(JOBS) -LE slow

bench: build
	$(BUILD_DIR)/bench/gpufleet_bench

format:
	git ls-files --cached --others --exclude-standard '*.cc' '*.h' | xargs clang-format -i

format-check: deps
	@git ls-files --cached --others --exclude-standard '*.cc' '*.h' | xargs clang-format --dry-run --Werror

clean:
	rm -rf build out
