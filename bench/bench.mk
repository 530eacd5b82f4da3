# make bench: conntab against ss and netstat on BENCH_N established TCP
# pairs (2 x BENCH_N sockets, plus listeners, TIME_WAIT and UDP) in a private
# network namespace. Needs root. Writes bench/RESULTS.md. See bench/run.sh
# for BENCH_RUNS, BENCH_SLOW_RUNS, BENCH_WATCH_SECS, BENCH_TIMEOUT.
BENCH_N ?= 100000
BENCH_BINS := $(B)/bench/populate $(B)/bench/floor $(B)/bench/timeit \
	$(B)/bench/nspop $(B)/bench/churn

.PHONY: bench bench-bins

bench-bins: $(BENCH_BINS)

# the short connections of the close-event row: the tests' helper
$(B)/bench/churn: tests/it/churn.c
	@mkdir -p $(@D)
	$(CC) -D_GNU_SOURCE $(CT_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(B)/bench/%: bench/%.c
	@mkdir -p $(@D)
	$(CC) -D_GNU_SOURCE $(CT_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

# floor iter: the BPF iterator alone, from conntab's own skeleton
$(B)/bench/floor: bench/floor.c $(BPF_SKEL)
	@mkdir -p $(@D)
	$(CC) -D_GNU_SOURCE $(BPF_CPPFLAGS) $(CT_CFLAGS) $(CFLAGS) $(LDFLAGS) \
	    -o $@ $<

bench: conntab $(BENCH_BINS)
	BENCH_N=$(BENCH_N) CONNTAB=$(abspath conntab) \
	    BENCH_BIN=$(abspath $(B)/bench) bash bench/run.sh
