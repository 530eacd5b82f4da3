# conntab: plain GNU make. User CFLAGS are kept; libraries come from pkg-config.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
# Where bash-completion and zsh look under PREFIX; the Debian package puts
# zsh's in /usr/share/zsh/vendor-completions (debian/rules).
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
DATADIR ?= $(PREFIX)/share
# The exporter unit (dist/): systemd also reads units under /usr/local/lib,
# and Debian's node_exporter reads its textfile collector's directory.
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
TEXTFILEDIR ?= /var/lib/prometheus/node-exporter
PKG_CONFIG ?= pkg-config
CURSES ?= $(shell $(PKG_CONFIG) --exists ncursesw && echo ncursesw || echo ncurses)

CFLAGS ?= -O2 -g
# The project's own flags live apart from CFLAGS, so that a user's (or the
# sanitizer build's) CFLAGS never drop the language level or the warnings.
CT_CFLAGS := -std=gnu11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wwrite-strings -Wundef -pthread \
	$(if $(filter 1,$(WERROR)),-Werror)
# override: CPPFLAGS given on the command line (make CPPFLAGS=..., as
# dpkg-buildflags --export=cmdline does) is kept and these still follow it.
override CPPFLAGS += -D_GNU_SOURCE -Iinclude -MMD -MP $(shell $(PKG_CONFIG) --cflags libmnl)
override LDLIBS += $(shell $(PKG_CONFIG) --libs libmnl $(CURSES)) -pthread
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

# B is the build directory: build/ normally, build/san/ for the sanitizer run.
B ?= build
SRCS := $(wildcard src/*.c)
OBJS := $(patsubst src/%.c,$(B)/%.o,$(SRCS))
LIBOBJS := $(filter-out $(B)/main.o,$(OBJS))
TESTS := $(patsubst tests/%.c,$(B)/%,$(wildcard tests/test_*.c))
IT_SRCS := $(wildcard tests/it/*.c)
IT_BINS := $(patsubst tests/it/%.c,$(B)/it/%,$(IT_SRCS))
# LD_PRELOAD shims the integration tests load into conntab (fault injection)
IT_SHIMS := $(patsubst tests/it/preload/%.c,$(B)/it/%.so,$(wildcard tests/it/preload/*.c))
IT_SCRIPTS := $(sort $(wildcard tests/it/test_*.sh))
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

# The BPF owner back-end (src/bpf/, src/owners_bpf.c) needs clang with the
# BPF target, bpftool (for the light skeleton) and libbpf's headers (the
# skeleton includes <bpf/skel_internal.h>; nothing of libbpf is linked).
# Without them, or with NO_BPF=1, conntab walks /proc for owners only.
comma := ,
BPF_CLANG ?= clang
BPFTOOL ?= $(shell PATH="$$PATH:/usr/sbin:/sbin" command -v bpftool)
BPF_DIR := build/bpf
HAVE_BPF := $(if $(NO_BPF),,$(shell \
	$(BPF_CLANG) -print-targets 2>/dev/null | grep -qw bpf && \
	[ -n "$(BPFTOOL)" ] && \
	printf '\043include <bpf/skel_internal.h>\n' | \
	    $(CC) -E -x c -o /dev/null - 2>/dev/null && echo 1))
ifeq ($(HAVE_BPF),1)
BPF_SKEL := $(BPF_DIR)/owners.lskel.h
BPF_CPPFLAGS := -DCT_HAVE_BPF -isystem $(BPF_DIR)
else
BPF_SKEL :=
BPF_CPPFLAGS :=
$(info conntab: $(if $(NO_BPF),NO_BPF=1,no clang with a BPF target$(comma) bpftool or libbpf headers): building without the BPF owner iterator; owners come from /proc only)
endif

.PHONY: all check check-unit check-it check-san lint install uninstall clean
.PHONY: check-pkg

all: conntab

conntab: $(OBJS)
	$(CC) $(CT_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

$(B)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CT_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/watch.o: override CPPFLAGS += $(shell $(PKG_CONFIG) --cflags $(CURSES))

# The program is its own target: clang for BPF, CO-RE (-g: its BTF), then
# a light skeleton that owners_bpf.c includes. build/bpf/ whatever B is.
$(BPF_DIR)/owners.bpf.o: src/bpf/owners.bpf.c src/bpf/ct_kernel.h src/bpf/owners_rec.h
	@mkdir -p $(@D)
	$(BPF_CLANG) -g -O2 -target bpf -Wall -Wextra \
	    $(if $(filter 1,$(WERROR)),-Werror) -c -o $@ $<

$(BPF_DIR)/owners.lskel.h: $(BPF_DIR)/owners.bpf.o
	$(BPFTOOL) gen skeleton -L $< name owners_bpf_skel >$@.tmp
	mv $@.tmp $@

$(B)/owners_bpf.o build/fuzz/obj/owners_bpf.o: override CPPFLAGS += $(BPF_CPPFLAGS)
$(B)/owners_bpf.o build/fuzz/obj/owners_bpf.o: $(BPF_SKEL)

$(B)/test_%: tests/test_%.c $(LIBOBJS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CT_CFLAGS) $(CFLAGS) $(CMOCKA_CFLAGS) -o $@ $^ $(LDLIBS) $(CMOCKA_LIBS)

$(B)/it/%: tests/it/%.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -O1 -g -pthread $(LDFLAGS) -o $@ $<

# never sanitized: a shim must not bring its own runtime into conntab
$(B)/it/%.so: tests/it/preload/%.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -O1 -g -fPIC -shared -o $@ $< -ldl

# The whole suite: units and integration with the normal build, then both
# again under AddressSanitizer and UndefinedBehaviorSanitizer. (fuzz.mk adds
# the fuzz corpus replay to check-unit.)
check: check-unit check-it check-san
# the Debian package, built from a clean clone, linted, installed, removed
check: check-pkg

check-unit: $(TESTS)
	@fail=0; for t in $(TESTS); do ./$$t || fail=1; done; exit $$fail

check-it: $(if $(BIN),$(BIN),conntab) $(IT_BINS) $(IT_SHIMS)
	@fail=0; for t in $(IT_SCRIPTS); do \
	    echo "# $$t"; \
	    CONNTAB=$(abspath $(if $(BIN),$(BIN),conntab)) IT_BIN=$(abspath $(B)/it) \
	        bash $$t || fail=1; \
	done; exit $$fail

check-san:
	$(MAKE) B=build/san CFLAGS="-O1 -g $(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" \
	    BIN=build/san/conntab build/san/conntab san-run

build/san/conntab: $(OBJS)
	$(CC) $(CT_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

san-run: export ASAN_OPTIONS = detect_leaks=1:abort_on_error=0:exitcode=86
san-run: export UBSAN_OPTIONS = print_stacktrace=1:halt_on_error=1:exitcode=87
san-run: check-unit check-it

check-pkg:
	bash tests/pkg/test_deb.sh

# The man page, and the include graph against ARCHITECTURE.md's tables.
# -T lint parses the page without output; -W warning makes a warning (or
# worse) fail the target, and leaves out mandoc's style suggestions.
MANPAGE ?= man/conntab.1
lint:
	mandoc -Tlint -W warning $(MANPAGE)
	python3 tools/check_includes.py

install: conntab
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 conntab $(DESTDIR)$(BINDIR)/
	install -m 0644 man/conntab.1 $(DESTDIR)$(MANDIR)/man1/
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0644 completion/conntab.bash $(DESTDIR)$(BASHCOMPDIR)/conntab
	install -m 0644 completion/_conntab $(DESTDIR)$(ZSHCOMPDIR)/_conntab
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(DATADIR)/conntab
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@TEXTFILEDIR@|$(TEXTFILEDIR)|g' \
	    dist/conntab-exporter.service.in >$(DESTDIR)$(SYSTEMDUNITDIR)/conntab-exporter.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/conntab-exporter.service
	install -m 0644 dist/conntab.rules.yml $(DESTDIR)$(DATADIR)/conntab/
	mkdir -p $(DESTDIR)$(TEXTFILEDIR)	# node_exporter's: left as it is

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/conntab $(DESTDIR)$(MANDIR)/man1/conntab.1
	rm -f $(DESTDIR)$(BASHCOMPDIR)/conntab $(DESTDIR)$(ZSHCOMPDIR)/_conntab
	rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/conntab-exporter.service \
	    $(DESTDIR)$(DATADIR)/conntab/conntab.rules.yml
	-rmdir $(DESTDIR)$(DATADIR)/conntab 2>/dev/null

clean:
	rm -rf build conntab

# Benchmarks (make bench) and fuzzing (make fuzz) keep their rules apart.
-include $(wildcard bench/bench.mk)
-include $(wildcard tests/fuzz/fuzz.mk)
-include $(OBJS:.o=.d)
