# Fuzzing and memory checks, included by the top-level Makefile.
#
#   make fuzz            the libFuzzer targets, built with clang into build/fuzz/
#   make fuzz-run        run each for FUZZ_SECONDS (default 60) on its corpus
#   make fuzz-corpus     re-record the kernel seeds (kernel_*) of fuzz_diag,
#                        fuzz_proc, fuzz_escape and fuzz_owners_bpf (root; a
#                        private netns, and a private PID namespace for the
#                        BPF iterator's stream)
#   make fuzz-merge      fold fuzz-run's finds into the seeds, minimised
#                        (libFuzzer -merge=1)
#   make memcheck        the integration tests with conntab under valgrind
#   make check           replays every corpus (normal and sanitizer builds)
#
# A target is one file, tests/fuzz/fuzz_NAME.c, defining
# LLVMFuzzerTestOneInput(); it is linked with every object of src/ but
# main.c, and its seeds live in tests/fuzz/corpus/fuzz_NAME/. New targets
# join by their name alone. `make fuzz-run FUZZ_TARGETS=fuzz_diag` runs one.

FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRCS))
# the targets that have seeds: those are replayed by make check
FUZZ_CORPORA := $(foreach t,$(FUZZ_TARGETS),$(if $(wildcard tests/fuzz/corpus/$t/*),$t))
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_CFLAGS ?= -O1 -g
FUZZ_OBJS := $(patsubst src/%.c,build/fuzz/obj/%.o,$(filter-out src/main.c,$(SRCS)))
FUZZ_BINS := $(addprefix build/fuzz/,$(FUZZ_TARGETS))
# libFuzzer options for fuzz-run: a 10 s input is a hang, and crashes land
# in build/fuzz/crash/ rather than the current directory
FUZZ_OPTS ?= -timeout=10 -print_final_stats=1

.PHONY: fuzz fuzz-run fuzz-corpus fuzz-merge fuzz-replay memcheck

# ---- libFuzzer builds (clang only) ------------------------------------------

fuzz: $(FUZZ_BINS)

# the library with coverage instrumentation, so the fuzzer sees inside it
build/fuzz/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(CT_CFLAGS) $(FUZZ_CFLAGS) $(FUZZ_SAN) \
	    -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/obj/watch.o: CPPFLAGS += $(shell $(PKG_CONFIG) --cflags $(CURSES))

$(FUZZ_BINS): build/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS)
	$(FUZZ_CC) $(CPPFLAGS) -Itests/fuzz $(CT_CFLAGS) $(FUZZ_CFLAGS) \
	    $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

# Each target in turn, FUZZ_SECONDS each: new inputs go to a scratch
# corpus in build/fuzz/run/, the seeds in the tree are only read. A crash
# stops the run, leaving its input in build/fuzz/crash/.
fuzz-run: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p build/fuzz/run/$$t build/fuzz/crash tests/fuzz/corpus/$$t; \
	    echo "# $$t for $(FUZZ_SECONDS) s"; \
	    build/fuzz/$$t $(FUZZ_OPTS) -max_total_time=$(FUZZ_SECONDS) \
	        -artifact_prefix=build/fuzz/crash/$$t- \
	        build/fuzz/run/$$t tests/fuzz/corpus/$$t || exit 1; \
	done

# Fold what fuzz-run found into the seeds: only the inputs that add
# coverage to what the seeds already reach are copied; no seed is removed.
# Mind the size: keep tests/fuzz/corpus well under 2 MB (FUZZ_MERGE_FROM
# can name a directory of chosen finds instead of build/fuzz/run/).
FUZZ_MERGE_FROM ?= build/fuzz/run
fuzz-merge: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_MERGE_FROM)/$$t tests/fuzz/corpus/$$t; \
	    build/fuzz/$$t -merge=1 tests/fuzz/corpus/$$t $(FUZZ_MERGE_FROM)/$$t \
	        || exit 1; \
	done; du -sh tests/fuzz/corpus

-include $(FUZZ_OBJS:.o=.d)

# ---- corpus replay: part of make check ---------------------------------------

# With the project's compiler and flags: plain gcc in check-unit, and
# AddressSanitizer and UBSan when san-run builds in build/san.
FUZZ_REPLAYS := $(addprefix $(B)/replay/,$(FUZZ_CORPORA))

$(B)/replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(LIBOBJS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/fuzz $(CT_CFLAGS) $(CFLAGS) $(LDFLAGS) \
	    -o $@ $^ $(LDLIBS)

fuzz-replay: $(FUZZ_REPLAYS)
	@fail=0; for t in $(FUZZ_CORPORA); do \
	    timeout -k 5 600 ./$(B)/replay/$$t tests/fuzz/corpus/$$t || fail=1; \
	done; exit $$fail

check-unit: fuzz-replay

# ---- the corpus from the kernel ---------------------------------------------

$(B)/fuzz-tools/capture: CPPFLAGS += $(BPF_CPPFLAGS)
$(B)/fuzz-tools/capture: tests/fuzz/capture.c $(LIBOBJS) | $(BPF_SKEL)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/fuzz $(CT_CFLAGS) $(CFLAGS) $(LDFLAGS) \
	    -o $@ $^ $(LDLIBS)

# Root only: sockmix's mix in a private network namespace, loopback only.
fuzz-corpus: conntab $(B)/fuzz-tools/capture $(IT_BINS)
	rm -f tests/fuzz/corpus/fuzz_*/kernel_*
	CAPTURE=$(abspath $(B)/fuzz-tools/capture) IT_BIN=$(abspath $(B)/it) \
	    bash tests/fuzz/capture.sh $(abspath tests/fuzz/corpus)

# ---- valgrind ---------------------------------------------------------------

# The integration tests with CONNTAB a wrapper that runs the real binary
# under valgrind, one log per process in build/memcheck/log/. Errors fail
# the run that made them (--error-exitcode=1), and, since a test may expect
# status 1 anyway, the logs are checked as well at the end.
VG_OPTS := --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--error-exitcode=1 --track-fds=no --num-callers=30

# conntab is linked here from $(B)'s objects: ./conntab may be the
# sanitizer build, which valgrind cannot run.
memcheck: $(OBJS) $(IT_BINS) $(IT_SHIMS)
	@rm -rf build/memcheck; mkdir -p build/memcheck/log; chmod 1777 build/memcheck/log
	$(CC) $(CT_CFLAGS) $(CFLAGS) $(LDFLAGS) -o build/memcheck/conntab.bin $(OBJS) $(LDLIBS)
	@printf '#!/bin/sh\nexec valgrind %s --log-file=%s/vg.%%p %s "$$@"\n' \
	    '$(VG_OPTS)' '$(abspath build/memcheck/log)' \
	    '$(abspath build/memcheck/conntab.bin)' >build/memcheck/conntab
	@chmod 755 build/memcheck/conntab
	@fail=0; for t in $(IT_SCRIPTS); do \
	    echo "# $$t (valgrind)"; \
	    CONNTAB=$(abspath build/memcheck/conntab) IT_BIN=$(abspath $(B)/it) \
	        bash $$t || fail=1; \
	done; \
	bash tests/fuzz/vgsummary.sh build/memcheck/log || fail=1; exit $$fail
