# poolboot — plain Makefile with pkg-config.
#   make            build ./poolboot (installs the build and run
#                   dependencies first when missing: Debian, as root)
#   make check      install the test dependencies too, build with
#                   warnings as errors, run unit + integration tests, then the
#                   same suite under ASan+UBSan
#   make demo       build and show the main job on embedded defaults
#   make demo-cluster  the same scaled out: PostgreSQL, two sites, a
#                   standby taking over a run (docs/scale-out.md)
#   make SANITIZE=address,undefined   sanitizer build
#   make fuzz       libFuzzer harnesses (tests/fuzz), each run FUZZ_SECONDS
#   NODEPS=1        never check or install Debian packages (packagers,
#                   non-Debian systems): scripts/install-deps.sh --list build
#                   names what building and running poolboot need

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/poolboot
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/poolboot
SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system
# the binary make install copies: ./poolboot by default (built first if
# stale); BIN=build-asan/poolboot installs that build as it is. The
# templates must stay in $(PREFIX)/share/poolboot (the binary looks for
# ../share/poolboot/templates) unless the config sets template_dir.
BIN     ?= poolboot
CC      ?= cc
PKGS    := libmicrohttpd libxml-2.0 libcurl sqlite3 libpq jansson inih libcrypto libcrypt
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wno-format-nonliteral -Wpointer-arith -Wcast-qual -Wvla
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread
ifneq ($(WERROR),)
CFLAGS  += -Werror
endif
ifneq ($(SANITIZE),)
CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif

BUILD   ?= build
SRCS    := $(wildcard server/*.c)
OBJS    := $(patsubst server/%.c,$(BUILD)/%.o,$(SRCS))
LIBOBJS := $(filter-out $(BUILD)/main.o,$(OBJS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

.PHONY: all check deps deps-check deps-e2e deps-bench deps-fuzz deps-demo deps-demo-cluster test unit integration demo demo-cluster answerfiles clean install uninstall e2e bench \
	bench-xmlrpc soak fuzz fuzz-build fuzz-bins

# deps first, then a sub-make: on a fresh machine the pkg-config flags of
# the libraries deps installs are read only after the install
all: deps
	@$(MAKE) -s poolboot

poolboot: $(BUILD)/poolboot
	cp $< $@

$(BUILD)/poolboot: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: server/%.c $(wildcard server/*.h) | $(BUILD) deps
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIBOBJS) tests/unit/unit.h tests/unit/unit_sim.h tests/unit/unit_store.h | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(CFLAGS) -Iserver $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LDLIBS) $(shell pkg-config --libs cmocka)

$(BUILD):
	mkdir -p $(BUILD)

# Debian 12 packages, installed when missing (idempotent; see the profiles
# in scripts/install-deps.sh): deps is what building and running poolboot
# need (make, make install), the others add what a test target runs
DEPS_SH := $(if $(NODEPS),@true,@sh scripts/install-deps.sh)
deps:
	$(DEPS_SH) build
deps-check deps-e2e deps-bench deps-fuzz deps-demo deps-demo-cluster:
	$(DEPS_SH) $(patsubst deps-%,%,$@)

unit: $(UNIT_BINS)

# The whole suite: normal build (warnings are errors), then ASan+UBSan.
check: deps-check
	@sh tests/run-all.sh

# the suite once, without the sanitizer pass; installs what it runs first
test: deps-check
	@$(MAKE) -s poolboot unit
	@sh tests/run-suite.sh $(BUILD)

# Real network boots only (root, about 6-7 minutes): BIOS (pxelinux) and UEFI
# (OVMF, GRUB; PXE and HTTP boot) through poolboot's dnsmasq, QEMU (TCG), Xen
# and a dom0 kernel; make check runs them too
e2e: deps-e2e
	@$(MAKE) -s WERROR=1 $(BUILD)/poolboot
	@sh tests/e2e/run.sh $(BUILD)

# Benchmarks (issues 7 and 15): not part of make check; see
# docs/performance.md. The tftp section needs root (network namespaces).
bench: deps-bench
	@sh tests/bench/install-deps.sh
	@$(MAKE) -s poolboot $(BUILD)/bench_render $(BUILD)/bench_storm
	@python3 tests/bench/bench.py

# the boot-storm client (tests/bench/bench_storm.c): no server code in it
$(BUILD)/bench_storm: tests/bench/bench_storm.c | $(BUILD)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(BUILD)/bench_render: tests/bench/bench_render.c $(LIBOBJS) | $(BUILD)
	$(CC) $(CFLAGS) -Iserver $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LDLIBS)

# Soak (issue 11): 1,000 keep-alive connections for 60 s mixing repo,
# answerfile and callback traffic against a real poolboot serve; prints
# errors (must be 0) and the server's RSS from start to end
soak: deps-bench
	@$(MAKE) -s poolboot
	@python3 tests/bench/soak.py

# XML-RPC struct decoding: seconds and ratio per doubling of the members
# (linear: about 2); issue 11, finding 9
bench-xmlrpc: $(BUILD)/bench_xmlrpc
	@$(BUILD)/bench_xmlrpc

$(BUILD)/bench_xmlrpc: tests/bench/bench_xmlrpc.c $(LIBOBJS) | $(BUILD)
	$(CC) $(CFLAGS) -Iserver $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LDLIBS)

# libFuzzer (issue 11): clang with -fsanitize=fuzzer,address,undefined in
# its own build folder; the server objects get the coverage instrumentation
# and go into an archive, so a harness that includes a server .c file to
# reach its static parser (fuzz_path, fuzz_hostroute: http.c) links only
# the other objects it needs. Each harness runs FUZZ_SECONDS on a copy of
# its corpus (tests/fuzz/corpus/<target>, new finds kept in
# $(FUZZ_BUILD)/corpus); a crash leaves crash-* in $(FUZZ_BUILD)/artifacts.
# make check runs each for a few seconds (tests/fuzz/run.sh).
FUZZ_CC      ?= $(shell command -v clang-14 || command -v clang)
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(patsubst %,$(BUILD)/fuzz_%,$(FUZZ_TARGETS))

# clang first, then the build (FUZZ_CC is looked up when fuzz-build runs)
fuzz: deps-fuzz
	@$(MAKE) -s fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) keep

fuzz-build:
	@CFLAGS="-O1 -g -fsanitize=fuzzer-no-link" $(MAKE) -s -j2 \
	    BUILD=$(FUZZ_BUILD) CC="$(FUZZ_CC)" WERROR=1 \
	    SANITIZE=address,undefined fuzz-bins

fuzz-bins: $(FUZZ_BINS)

$(BUILD)/libpoolboot.a: $(LIBOBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(BUILD)/libpoolboot.a
	$(CC) $(CFLAGS) -Iserver -fsanitize=fuzzer $(LDFLAGS) -o $@ $< \
	    $(BUILD)/libpoolboot.a $(LDLIBS)

answerfiles: poolboot
	@sh scripts/make-answerfiles.sh

# deps first, then a sub-make: pkg-config flags are read after the install
demo: deps-demo
	@$(MAKE) -s poolboot
	@sh scripts/demo.sh

# make demo scaled out (docs/scale-out.md): a throw-away PostgreSQL
# cluster, two sites, a standby; the active instance of one site is killed
# mid-upgrade and its standby finishes the run (about a minute)
demo-cluster: deps-demo-cluster
	@$(MAKE) -s poolboot
	@sh scripts/demo-cluster.sh

# Templates and the dashboard (web/, when present) are installed file by
# file so that uninstall removes exactly those. The tftp-root skeleton is
# written by the installed binary itself (it finds the installed templates).
WEB_FILES  := $(shell [ -d web ] && find web -type f ! -name '.*' | sort)
TMPL_FILES := $(wildcard templates/*)
SKEL_FILES := pxelinux.0 lpxelinux.0 ldlinux.c32 mboot.c32 libcom32.c32 \
              pxelinux.cfg/default grub/grubx64.efi grub/grub.cfg

# The man pages in docs/ name the default /usr/local paths (so that man -l
# shows them as they are); installed, they name this install's folders
MAN_SED = sed -e 's|/usr/local/share/doc/poolboot|$(DOCDIR)|g' \
	-e 's|/usr/local/share/poolboot|$(DATADIR)|g' \
	-e 's|/usr/local/share/man|$(MANDIR)|g' \
	-e 's|/usr/local/lib/systemd/system|$(SYSTEMDDIR)|g' \
	-e 's|/usr/local/bin|$(BINDIR)|g'

install: deps $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/templates \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSTEMDDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/poolboot
	install -m 0644 $(TMPL_FILES) $(DESTDIR)$(DATADIR)/templates/
	@for f in $(WEB_FILES); do \
		echo "install -D -m 0644 $$f $(DESTDIR)$(DATADIR)/$$f"; \
		install -D -m 0644 "$$f" "$(DESTDIR)$(DATADIR)/$$f" || exit 1; \
	done
	$(MAN_SED) docs/poolboot.8 >$(DESTDIR)$(MANDIR)/man8/poolboot.8
	$(MAN_SED) docs/poolboot.conf.5 >$(DESTDIR)$(MANDIR)/man5/poolboot.conf.5
	chmod 0644 $(DESTDIR)$(MANDIR)/man8/poolboot.8 \
	    $(DESTDIR)$(MANDIR)/man5/poolboot.conf.5
	sed 's|/usr/local/bin/poolboot|$(BINDIR)/poolboot|' \
	    packaging/poolboot.service >$(DESTDIR)$(SYSTEMDDIR)/poolboot.service
	chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/poolboot.service
	install -m 0644 examples/poolboot.conf $(DESTDIR)$(DOCDIR)/poolboot.conf.example
	$(DESTDIR)$(BINDIR)/poolboot init-tftp --skeleton \
	    $(DESTDIR)$(DATADIR)/tftp-root

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/poolboot
	rm -f $(patsubst templates/%,$(DESTDIR)$(DATADIR)/templates/%,$(TMPL_FILES))
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/,$(WEB_FILES))
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/tftp-root/,$(SKEL_FILES))
	rm -f $(DESTDIR)$(MANDIR)/man8/poolboot.8 $(DESTDIR)$(MANDIR)/man5/poolboot.conf.5
	rm -f $(DESTDIR)$(SYSTEMDDIR)/poolboot.service
	rm -f $(DESTDIR)$(DOCDIR)/poolboot.conf.example
	-[ ! -d $(DESTDIR)$(DATADIR) ] || find $(DESTDIR)$(DATADIR) -depth -type d \
	    -empty -delete
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true

clean:
	rm -rf build build-* poolboot
