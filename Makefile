# Confab's two set-up commands: `make run` and `make test`. Both install what they
# need first (.ci/install-deps.sh). Builds go to a target directory outside the
# clone, so a fresh clone reuses earlier builds.

SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(HOME)/.cache/confab/target
# The site's output name (/pkg/confab.js): the server reads it when it is
# compiled, so every cargo command sets it alike and none rebuilds another's.
export LEPTOS_OUTPUT_NAME := confab
export PATH := $(HOME)/.cargo/bin:$(PATH)
# Where tests create their databases (one per test, dropped after it).
export CONFAB_TEST_POSTGRES_URL ?= postgres://postgres:postgres@127.0.0.1:5432/postgres

SITE_ROOT := target/site

.PHONY: run release test cluster watch bench fuzz deps check lint unit e2e build-debug schema fmt clean

## make run: build and serve the chat on SQLite, in-process fan-out. The build
## is plain cargo + wasm-bindgen (.ci/build-site.sh), no cargo-leptos: the
## release wasm and the server in the `local` profile (Cargo.toml), which
## compiles in a third of a release build's time; `make release` for production.
run:
	.ci/install-deps.sh run
	.ci/build-site.sh run
	LEPTOS_SITE_ROOT=$(SITE_ROOT) $(CARGO_TARGET_DIR)/local/confab --first-account-admin

## make release: the site and an optimized server ($(CARGO_TARGET_DIR)/release/confab)
## for production; serve with LEPTOS_SITE_ROOT=target/site.
release:
	.ci/install-deps.sh run
	.ci/build-site.sh release

## make watch: rebuild and reload on every change, for UI work (installs
## cargo-leptos the first time: about ten minutes).
watch:
	.ci/install-deps.sh watch
	cargo leptos watch

## make cluster: Redis, PostgreSQL, two instances and nginx (http://127.0.0.1:8080).
## make cluster REDIS=sentinel: the same with a master, a replica and three sentinels.
## make cluster REDIS=cluster: the same with a Redis Cluster (3 masters, 3 replicas).
REDIS ?= single
cluster:
	.ci/install-deps.sh cluster
	.ci/build-site.sh release
	REDIS=$(REDIS) PATH=$(PATH):/usr/sbin deploy/cluster.sh $(CARGO_TARGET_DIR)/release/confab $(abspath $(SITE_ROOT))

## make test: fmt, clippy -D warnings, unit + integration tests, Playwright,
## schemathesis against the served API description.
test: deps lint unit e2e schema

deps:
	.ci/install-deps.sh test

lint:
	cargo fmt --all -- --check
	cargo clippy -p protocol -p app -p server -p tools --all-targets -- -D warnings
	cargo clippy -p frontend -p app --features app/hydrate --target wasm32-unknown-unknown -- -D warnings

unit:
	cargo test -p protocol -p app -p server -p tools

build-debug:
	.ci/build-site.sh debug

e2e: build-debug
	cd end2end && CONFAB_BIN=$(CARGO_TARGET_DIR)/debug/confab CONFAB_SITE_ROOT=$(abspath $(SITE_ROOT)) npx playwright test

schema: build-debug
	.ci/schema.sh $(CARGO_TARGET_DIR)/debug/confab

## make bench: the performance scenarios (2 instances + Redis + PostgreSQL),
## written to docs/BENCHMARKS.md and docs/bench-chart.svg; instructions per
## delivery, connect and activity frame under callgrind, docs/bench-instructions.md
## (with LIMIT_BIN and PEER_LOADGEN, the comparison kit's limit beside them);
## then search over a
## million messages on both stores, written to docs/bench-search.md; then the
## people directory over 100,000 users, written to docs/bench-directory.md; the
## sidebar of a user in 500 of 20,000 rooms, docs/bench-room-list.md;
## avatars served to 1,000 clients at once, docs/bench-avatars.md; and
## @channel in a room of 10,000 members, docs/bench-attention.md; and its
## pushes to 5,000 subscribed browsers, docs/bench-push.md; and a Slack
## import of a million messages and the retention sweep of half of them on
## both stores, docs/bench-records.md.
bench:
	.ci/install-deps.sh cluster
	cargo build --release -p server -p tools --bins
	PATH=$(PATH):/usr/sbin deploy/bench.sh $(CARGO_TARGET_DIR)/release/confab $(CARGO_TARGET_DIR)/release/confab-load
	deploy/instructions.sh $(CARGO_TARGET_DIR)/release/confab $(CARGO_TARGET_DIR)/release/confab-load \
	  $(LIMIT_BIN) $(PEER_LOADGEN) > docs/bench-instructions.md
	SEARCH_BENCH_OUT=$(CURDIR)/docs/bench-search.md cargo bench -p server --bench search
	DIRECTORY_BENCH_OUT=$(CURDIR)/docs/bench-directory.md cargo bench -p server --bench directory
	ROOM_LIST_BENCH_OUT=$(CURDIR)/docs/bench-room-list.md cargo bench -p server --bench room_list
	AVATAR_BENCH_OUT=$(CURDIR)/docs/bench-avatars.md cargo bench -p server --bench avatars
	ATTENTION_BENCH_OUT=$(CURDIR)/docs/bench-attention.md cargo bench -p server --bench attention
	PUSH_BENCH_OUT=$(CURDIR)/docs/bench-push.md cargo bench -p server --bench push
	RECORDS_BENCH_OUT=$(CURDIR)/docs/bench-records.md cargo bench -p server --bench records

## make fuzz: each fuzz target (fuzz/) for FUZZ_SECS seconds with libFuzzer.
## cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the stable toolchain
## take them. New inputs land in fuzz/corpus/, crashes in fuzz/artifacts/.
FUZZ_SECS ?= 300
fuzz:
	command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	for target in frame_decoder gateway_frames untrusted_text; do \
	  CARGO_TARGET_DIR=$(HOME)/.cache/confab/fuzz-target RUSTC_BOOTSTRAP=1 \
	    cargo fuzz run -O $$target -- -max_total_time=$(FUZZ_SECS) -max_len=4096 || exit 1; \
	done

fmt:
	cargo fmt --all

clean:
	rm -rf $(SITE_ROOT) end2end/test-results end2end/artifacts
