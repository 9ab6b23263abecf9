# thumbsmith — `make demo` and `make test` are the two set-up commands (see README.md).
SHELL := /bin/bash
CARGO ?= cargo
CLI := target/release/thumbsmith

.PHONY: demo demo-cli test test-rust lint generate check-generated miri publish-check dist test-dist cli bench bench-compare fuzz-long clean sizes

## The serverless avatar flow on 127.0.0.1 (examples/README.md): upload the sample, print the CDN
## URL and timings; Ctrl-C stops it (DEMO_KEEP=0: stops by itself after the upload).
demo:
	$(MAKE) -C examples demo

## The avatar job through the CLI on the bundled sample photo (stored sideways, EXIF orientation 6).
demo-cli: cli
	@rm -rf out/avatars
	$(CLI) thumbnail examples/assets -o out/avatars --size 512
	@$(CLI) info out/avatars/sample-exif6.jpg
	@echo "avatars written to out/avatars/"

cli:
	$(CARGO) build --release -p thumbsmith --bin thumbsmith

# Each binding / example with a Makefile of its own brings `setup` (idempotent installs into
# local venvs / node_modules) and `test`; they are picked up as they land.
SUBPROJECTS := $(patsubst %/Makefile,%,$(wildcard bindings-*/Makefile examples/*/Makefile benches/Makefile \
	conformance/Makefile fuzz/Makefile))

## Everything CI checks.
# test-dist comes before the bindings and examples: their tests then run the wheel and addon it
# built and tested (THUMBSMITH_DIST), instead of building their own copies.
TEST_STEPS := lint check-generated test-rust miri publish-check test-dist $(addprefix test/,$(SUBPROJECTS))
test:
	@THUMBSMITH_DIST=$(CURDIR)/dist MAKE="$(MAKE)" tools/timed-steps.sh $(TEST_STEPS)

test/%:
	$(MAKE) -C $* test

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --all-targets -- -D warnings

## The bindings' Python types (options.py, results.py) and the generated part of each index.d.ts,
## written from the core's `Options`, `Output`, `Rendered` and `Metadata` (tools/stubgen).
generate:
	$(CARGO) run -q -p thumbsmith-stubgen

## Fails when a checked-in file differs from what `make generate` would write.
check-generated:
	$(CARGO) run -q -p thumbsmith-stubgen -- --check

test-rust:
	@# The default members: the core and our jpeg-encoder fork (whose tests hold its changes to
	@# libjpeg's arithmetic: quantisation, block reads, the interleaved scan).
	$(CARGO) test
	@# Again with every portable copy forced on a CPU where the AVX2 ones would run (core/src/cpu.rs:
	@# thumbsmith's kernels, fast_image_resize, the JPEG decoder and encoder): the golden and parity
	@# digests then hold the portable code to the bytes the AVX2 code wrote above.
	THUMBSMITH_CPU=portable $(CARGO) test -p thumbsmith -p thumbsmith-jpeg-decoder \
		-p thumbsmith-jpeg-encoder --lib --tests
	@# The Node and wasm packages build the core with `compact-resize` (one RGBA resize kernel);
	@# its unit tests, the bit-exactness digests among them, run in that build too.
	$(CARGO) test -p thumbsmith --lib --no-default-features --features compact-resize

## The portable decoder, IDCT and resize-window unit tests under Miri (undefined behaviour,
## out-of-bounds, overflow), selected by name so the run stays a few minutes on 2 cores. The
## portable code is forced (Miri cannot run the AVX2 copies); isolation is off for the fixtures.
MIRI_DECODER_TESTS := cpu:: markers:: idct:: tests::idct_matrices_are_the_box_averaging_formula \
	tests::other_processes_are_refused_by_name progressive::tests::lands_where_the_loop_does \
	tests::unsupported_files_are_left_to_the_full_decoder tests::output_is_the_scaled_size_rounded_up
MIRI_CORE_TESTS := cpu:: geometry:: orient:: embedded:: sniff:: probe:: error:: resize::tests::lanczos3 \
	compose::tests::flatten_blends compose::tests::letterbox
miri:
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	rustup +nightly component add miri rust-src
	export MIRIFLAGS=-Zmiri-disable-isolation THUMBSMITH_CPU=portable PROPTEST_CASES=2; \
	$(CARGO) +nightly miri test -p thumbsmith-jpeg-decoder --lib -- $(MIRI_DECODER_TESTS) && \
	$(CARGO) +nightly miri test -p thumbsmith --lib -- $(MIRI_CORE_TESTS)

## Every crate meant for crates.io packaged and built from its package alone, against the
## others' packages (cargo's local registry overlay), as `cargo publish` would: no path, no
## [patch], nothing of the workspace reaches the build. Cargo treats a registry crate of a given
## name and version as immutable: it reuses its extraction (registry/src/-<hash>/) and its build
## (target/debug, fingerprinted by version, not by source), so a second run verified the core
## against the decoder as it was at the first run (CI, 2026-12-07). Both are removed first; the
## builds are found by their dep-info naming an extracted source.
PUBLISH_DEPS := $(or $(CARGO_TARGET_DIR),target)/debug
publish-check:
	rm -rf $${CARGO_HOME:-$$HOME/.cargo}/registry/src/-*/thumbsmith-*
	for d in $$(grep -l '/registry/src/-[0-9a-f]*/thumbsmith-' $(PUBLISH_DEPS)/deps/*thumbsmith*.d 2>/dev/null); do \
	  h=$${d##*-}; rm -rf $(PUBLISH_DEPS)/.fingerprint/*-$${h%.d}; done
	$(CARGO) publish --dry-run --workspace --allow-dirty

## Every artifact a release publishes, into dist/: wheels, npm packages, the browser package,
## .crate files (packaging/README.md). `make -C packaging test` then tests all of them.
dist:
	$(MAKE) -C packaging dist

## The x86_64 glibc artifacts, the browser package and the crates, built and tested from dist/.
test-dist:
	$(MAKE) -C packaging ci

## Every fuzz target for FUZZ_HOURS (1) hours (fuzz/README.md); `make test` runs each for 60 s.
fuzz-long:
	$(MAKE) -C fuzz long

## Criterion benches: per stage and the whole avatar job.
bench:
	$(CARGO) bench -p thumbsmith-benches

## thumbsmith vs sharp, pyvips and Pillow on the real-photo corpus → benches/RESULTS.md (slow).
bench-compare:
	$(MAKE) -C benches compare

clean:
	$(CARGO) clean
	rm -rf out

## Rust files over 800 lines and functions over 100 (issue 28's limits); a report, not in `test`.
sizes:
	python3 tools/sizes.py
