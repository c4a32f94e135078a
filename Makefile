# rtcstream — the two commands of the quick start are `make run` and `make test`.
JOBS ?= $(shell nproc)
BUILD_DIR ?= build
TEST_BUILD_DIR ?= build-test
BENCH_BUILD_DIR ?= build-bench
FUZZ_SECONDS ?= 90

# Where scripts/install-deps.sh puts Node.js when the system's is too old for the tests
# (Debian 12's). First on PATH for every recipe, so also for ctest and the fuzz scripts;
# it does not exist where the system's Node.js is recent enough.
export PATH := $(CURDIR)/.tools/node/bin:$(PATH)

.PHONY: run build test unit-test e2e-test deps test-deps bench fuzz format clean

# Installs what is missing, builds, and starts the service on its embedded defaults.
run: build
	./$(BUILD_DIR)/rtcstream serve $(ARGS)

deps:
	./scripts/install-deps.sh

test-deps:
	./scripts/install-deps.sh --with-browser

build: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRTCSTREAM_TESTS=OFF
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Installs, builds with ASan/UBSan, runs every test: unit tests, the tests of the local S3
# API (tests/s3), the fuzz targets for 90 s, then the browser end-to-end tests.
test: test-deps
	cmake -S . -B $(TEST_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DRTCSTREAM_SANITIZE=ON
	cmake --build $(TEST_BUILD_DIR) -j $(JOBS)
	cd $(TEST_BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	node --test tests/s3/server.test.js
	./scripts/run-fuzzers.sh 90
	RTCSTREAM_BIN=$(CURDIR)/$(TEST_BUILD_DIR)/rtcstream node --test --test-concurrency=1 tests/e2e/*.test.js

bench: deps
	cmake -S . -B $(BENCH_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DRTCSTREAM_TESTS=OFF -DRTCSTREAM_BENCH=ON
	cmake --build $(BENCH_BUILD_DIR) -j $(JOBS)
	./scripts/run-benchmarks.sh $(BENCH_BUILD_DIR)

# Builds the fuzz targets with clang (libFuzzer, ASan/UBSan) and runs them for
# FUZZ_SECONDS in total; see docs/reliability.md.
fuzz: test-deps
	./scripts/run-fuzzers.sh $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD_DIR) $(TEST_BUILD_DIR) $(BENCH_BUILD_DIR)
