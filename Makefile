# sanctwatch — one build system: plain make + pkg-config.
#   make            library, CLI, tests, bench and fuzz programs into $(BUILD)
#   make test       build, then run every test (tests/run)
#   make SAN=1      AddressSanitizer + UndefinedBehaviorSanitizer build (BUILD defaults to build-san)
#   make WERROR=1   warnings are errors (CI)
#   make fuzz       libFuzzer binaries (clang) into build-fuzz/
#   make install    the program, its data and man pages under $(DESTDIR)$(PREFIX)
#                   (PREFIX=/usr/local; the program finds PREFIX/share/sanctwatch built in)
CC      ?= cc
SAN     ?= 0
WERROR  ?= 0
ifeq ($(SAN),1)
BUILD   ?= build-san
else
BUILD   ?= build
endif
PKGS    := sqlite3 jansson zlib libsodium libxml-2.0 icu-uc icu-i18n
# the witness: its HTTP endpoint (libmicrohttpd) and the log side's client (libcurl)
PKGS    += libmicrohttpd
PKGS    += libcurl
# lists fetch (libcurl, above) and archives of AIS (libarchive)
PKGS    += libarchive
# the bus (sanctwatch feed): the NATS C client with JetStream; its tests run nats-server
PKGS    += libnats
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS)) -lm -lpthread
TEST_LIBS  := $(shell pkg-config --libs cmocka)

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  := $(PREFIX)/bin
SHAREDIR := $(PREFIX)/share/sanctwatch
MANDIR  := $(PREFIX)/share/man

OPT     ?= -O2
CFLAGS_BASE := -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -g $(OPT) \
	-Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -Iinclude -Isrc $(PKG_CFLAGS) -MMD -MP
ifeq ($(WERROR),1)
CFLAGS_BASE += -Werror
endif
ifeq ($(SAN),1)
OPT     := -O1
CFLAGS_BASE += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS_SAN := -fsanitize=address,undefined
endif
ALL_CFLAGS := $(CFLAGS_BASE) $(CFLAGS)
ALL_LDFLAGS := $(LDFLAGS_SAN) $(LDFLAGS)

LIB_SRC   := $(shell find src -name '*.c' -not -path 'src/cli/*' | sort)
CLI_SRC   := $(sort $(wildcard src/cli/*.c))
TEST_SRC  := $(sort $(wildcard tests/unit/test_*.c))
TESTLIB_SRC := $(filter-out $(TEST_SRC),$(sort $(wildcard tests/unit/*.c)))
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TESTLIB_OBJ := $(TESTLIB_SRC:%.c=$(BUILD)/obj/%.o)
LIB       := $(BUILD)/libsanctwatch.a
CLI       := $(BUILD)/sanctwatch
TESTS     := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZERS   := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
BENCHES   := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all test check fuzz clean format format-check install uninstall web
all: $(CLI) $(TESTS) $(FUZZERS) $(BENCHES)

# The compiled-in data directory follows PREFIX; the stamp rebuilds datadir.o when it changes.
$(BUILD)/prefix.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(SHAREDIR)' | cmp -s - $@ || echo '$(SHAREDIR)' > $@
$(BUILD)/obj/src/util/datadir.o: $(BUILD)/prefix.stamp
$(BUILD)/obj/src/util/datadir.o: ALL_CFLAGS += -DSW_DATADIR_DEFAULT='"$(SHAREDIR)"'
.PHONY: FORCE
FORCE:

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(CLI): $(CLI_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(PKG_LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TESTLIB_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(TESTLIB_OBJ) $(LIB) $(PKG_LIBS) $(TEST_LIBS)

# Fuzz targets double as plain programs that replay a corpus (tests/fuzz/standalone.c).
$(BUILD)/fuzz/%: $(BUILD)/obj/tests/fuzz/%.o $(BUILD)/obj/tests/fuzz/standalone.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/obj/tests/fuzz/standalone.o $(LIB) $(PKG_LIBS)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

test check: all
	BUILD=$(BUILD) tests/run

# libFuzzer builds (clang), one binary per target, for long fuzzing sessions: the library is
# compiled once with coverage and sanitizers (fuzzer-no-link) and each target linked with it.
FUZZ_BUILD := build-fuzz
FUZZ_CC    ?= clang
FUZZ_SAN   := address,undefined
FUZZ_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -g -O1 -Iinclude -Isrc $(PKG_CFLAGS) \
	-fsanitize=fuzzer-no-link,$(FUZZ_SAN) -fno-sanitize-recover=all -MMD -MP
FUZZ_LIB   := $(FUZZ_BUILD)/libsanctwatch.a
FUZZ_BINS  := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
fuzz: $(FUZZ_BINS)

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_LIB): $(LIB_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(FUZZ_CC) -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $< $(FUZZ_LIB) $(PKG_LIBS)

# The dashboard of `sanctwatch serve` (web/: npm packages from the lockfile, bundled by
# esbuild) into $(BUILD)/web, where serve finds it beside the program; `make install` copies
# it into the data directory when it was built.
web:
	cd web && npm ci --no-audit --no-fund --loglevel=error && node build.mjs --out ../$(BUILD)/web

MANPAGES := $(sort $(wildcard docs/man/*.1))
# the one version string (include/sanctwatch/version.h), written into the man pages' footer
# as they are installed (the pages in docs/man name no version of their own)
VERSION := $(shell sed -n 's/^\#define SW_VERSION "\(.*\)"/\1/p' include/sanctwatch/version.h)
install: $(CLI)
	install -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(SHAREDIR)' '$(DESTDIR)$(MANDIR)/man1'
	install -m 755 $(CLI) '$(DESTDIR)$(BINDIR)/sanctwatch'
	cd data && find . -type d -exec install -d '$(DESTDIR)$(SHAREDIR)/{}' \;
	cd data && find . -type f -exec install -m 644 '{}' '$(DESTDIR)$(SHAREDIR)/{}' \;
	for m in $(MANPAGES); do \
	  sed '1s/"sanctwatch"/"sanctwatch $(VERSION)"/' $$m >'$(DESTDIR)$(MANDIR)/man1/'$${m##*/} && \
	  chmod 644 '$(DESTDIR)$(MANDIR)/man1/'$${m##*/} || exit 1; done
	if [ -f $(BUILD)/web/index.html ]; then install -d '$(DESTDIR)$(SHAREDIR)/web' && \
	  install -m 644 $(BUILD)/web/* '$(DESTDIR)$(SHAREDIR)/web/'; fi
uninstall:
	rm -f '$(DESTDIR)$(BINDIR)/sanctwatch'
	rm -rf '$(DESTDIR)$(SHAREDIR)'
	rm -f $(MANPAGES:docs/man/%='$(DESTDIR)$(MANDIR)/man1/%')

format:
	clang-format -i $$(git ls-files '*.c' '*.h')
format-check:
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-*

-include $(shell find $(BUILD) $(FUZZ_BUILD) -name '*.d' 2>/dev/null)
