# thumbsmith — `make demo` and `make test` are the two set-up commands (see README.md).
SHELL := /bin/bash
CARGO ?= cargo
CLI := target/release/thumbsmith

.PHONY: demo test test-rust lint cli bench clean

## The avatar job on the bundled sample photo (stored sideways, EXIF orientation 6).
demo: cli
	@rm -rf out/avatars
	$(CLI) thumbnail examples/assets -o out/avatars --size 512
	@$(CLI) info out/avatars/sample-exif6.jpg
	@echo "avatars written to out/avatars/"

cli:
	$(CARGO) build --release -p thumbsmith --bin thumbsmith

## Everything CI checks.
test: lint test-rust

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --all-targets -- -D warnings

test-rust:
	$(CARGO) test

clean:
	$(CARGO) clean
	rm -rf out
