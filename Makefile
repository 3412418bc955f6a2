# Shortcuts for the usual commands; see README.md. `make test` runs the same command as CI.
CARGO ?= cargo
# Options for `make run`, e.g. make run ARGS="redis.conf --port 7000"
ARGS ?=
DEMO := scripts/replication-demo.sh

.PHONY: all build test bench bench-rdb run demo fmt clippy clean

all: build

build:
	$(CARGO) build --release

test:
	$(CARGO) test --release

bench:
	bash scripts/bench.sh

# Only the RDB persistence part of the benchmark (SAVE, BGSAVE) side by side with Redis.
bench-rdb:
	BENCH_SECTIONS=rdb bash scripts/bench.sh

run:
	$(CARGO) run --release --bin ferrodis-server -- $(ARGS)

demo:
	@if [ -f $(DEMO) ]; then bash $(DEMO); \
	else echo "$(DEMO) does not exist yet" >&2; exit 1; fi

fmt:
	$(CARGO) fmt --all

clippy:
	$(CARGO) clippy --all-targets -- -D warnings

clean:
	$(CARGO) clean
