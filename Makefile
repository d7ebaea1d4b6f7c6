# poolboot — plain Makefile with pkg-config.
#   make            build ./poolboot
#   make check      install build dependencies (Debian, as root), build with
#                   warnings as errors, run unit + integration tests, then the
#                   same suite under ASan+UBSan
#   make demo       build and show the main job on embedded defaults
#   make SANITIZE=address,undefined   sanitizer build

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKGS    := libmicrohttpd libxml-2.0 libcurl sqlite3 jansson inih libcrypto libcrypt
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

.PHONY: all check deps test unit integration demo answerfiles clean install uninstall

all: poolboot

poolboot: $(BUILD)/poolboot
	cp $< $@

$(BUILD)/poolboot: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: server/%.c $(wildcard server/*.h) | $(BUILD)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIBOBJS) tests/unit/unit.h | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(CFLAGS) -Iserver $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LDLIBS) $(shell pkg-config --libs cmocka)

$(BUILD):
	mkdir -p $(BUILD)

# Everything make check needs on a fresh Debian 12 machine (idempotent).
deps:
	@sh scripts/install-deps.sh

unit: $(UNIT_BINS)

# The whole suite: normal build (warnings are errors), then ASan+UBSan.
check: deps
	@sh tests/run-all.sh

test: all unit
	@sh tests/run-suite.sh $(BUILD)

answerfiles: poolboot
	@sh scripts/make-answerfiles.sh

# deps first, then a sub-make: pkg-config flags are read after the install
demo: deps
	@$(MAKE) -s poolboot
	@sh scripts/demo.sh

install: poolboot
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/poolboot/templates
	install -m 0755 poolboot $(DESTDIR)$(PREFIX)/bin/poolboot
	install -m 0644 templates/* $(DESTDIR)$(PREFIX)/share/poolboot/templates/
	./poolboot init-tftp --skeleton $(DESTDIR)$(PREFIX)/share/poolboot/tftp-root

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/poolboot
	rm -rf $(DESTDIR)$(PREFIX)/share/poolboot

clean:
	rm -rf build build-* poolboot
