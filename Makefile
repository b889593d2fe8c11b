# Recovery Desk. `make run` starts the product, `make test` runs every test,
# `make bench` runs the benchmarks. Each installs what it needs first.

# Trunk must find the pinned wasm-bindgen and binaryen's wasm-opt before any
# other copy (Debian's wasm-opt breaks the page), so they lead PATH.
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true

DATA_DIR ?= ./data
BIND ?= 127.0.0.1:8080

.PHONY: run test bench web deps test-deps clean-test

run: deps web
	cargo build --release -p api
	./target/release/recovery-desk serve --bind $(BIND) --data-dir $(DATA_DIR) --web-dir web/dist

test: test-deps web
	cargo build -p api
	cargo test --workspace
	$(MAKE) clean-test

bench: deps
	cargo bench -p api --bench import
	cargo bench -p api --bench payments
	cargo bench -p api --bench daily_run
	cargo bench -p api --bench worklist
	cargo bench -p api --bench letters

web:
	trunk build --release

deps:
	scripts/install-deps.sh

test-deps:
	scripts/install-deps.sh --test

# Test clusters of finished runs; a running test process keeps its own.
clean-test:
	@for dir in $${TMPDIR:-/tmp}/recovery-desk-tests/*; do \
		[ -d "$$dir" ] && [ ! -d "/proc/$$(basename $$dir)" ] && rm -rf "$$dir"; \
	done; true
