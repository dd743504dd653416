# netlab — packet-level protocol inspector and traffic generator.
# `make` builds ./netlab; `make test` runs every test; `make demo` replays a
# shipped capture. See README.md.

VERSION    := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man/man1
CC         ?= cc
PKG_CONFIG ?= pkg-config

PCAP_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpcap 2>/dev/null || pcap-config --cflags 2>/dev/null)
PCAP_LIBS   := $(shell $(PKG_CONFIG) --libs libpcap 2>/dev/null || pcap-config --libs 2>/dev/null || echo -lpcap)
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

OPT ?= -O2 -g
ifeq ($(SANITIZE),1)
BUILD    ?= build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD    ?= build/rel
SANFLAGS :=
endif

# Link-time optimisation: the pipeline's stages live in separate files and
# inlining across them saves 8-15 % of the time of a replay (make bench).
# With gcc, whose gcc-ar indexes an archive of LTO objects; not under the
# sanitizers (their builds are for checking). LTO=0 turns it off.
ifeq ($(SANITIZE),1)
LTO ?= 0
endif
LTO ?= $(shell $(CC) --version 2>/dev/null | grep -q 'Free Software Foundation' && command -v gcc-ar >/dev/null 2>&1 && echo 1 || echo 0)
ifeq ($(LTO),1)
LTOFLAGS := -flto=auto
AR       := gcc-ar
endif

NL_CPPFLAGS := -Iinclude -D_GNU_SOURCE -DNETLAB_VERSION='"$(VERSION)"'
NL_CFLAGS   := -std=c11 $(OPT) $(LTOFLAGS) -Wall -Wextra $(SANFLAGS) $(PCAP_CFLAGS) -MMD -MP
NL_LDFLAGS  := $(OPT) $(LTOFLAGS) $(SANFLAGS) $(LDFLAGS)

LIB_SRC  := $(sort $(filter-out src/cli/%,$(shell find src -name '*.c')))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
SUPPORT_SRC := $(sort $(wildcard tests/support/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
SUPPORT_OBJ := $(SUPPORT_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIB      := $(BUILD)/libnetlab.a
BIN      := $(BUILD)/netlab
TOOLS_BIN := $(BUILD)/tools/synthcap

.PHONY: all clean test unit-tests integration-tests demo install uninstall \
        bench deps-build deps-test deps-bench check-format format

all: netlab

netlab: $(BIN)
ifneq ($(SANITIZE),1)
	@cp $(BIN) netlab.tmp && mv -f netlab.tmp netlab
endif

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(NL_LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(PCAP_LIBS)

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(NL_CPPFLAGS) $(NL_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/support/%.o: tests/support/%.c
	@mkdir -p $(dir $@)
	$(CC) $(NL_CPPFLAGS) -Itests $(NL_CFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(SUPPORT_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(NL_CPPFLAGS) -Itests $(NL_CFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) -o $@ $< \
		$(SUPPORT_OBJ) $(LIB) $(CMOCKA_LIBS) $(PCAP_LIBS) $(NL_LDFLAGS)

$(BUILD)/tools/%: tools/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(NL_CPPFLAGS) $(NL_CFLAGS) $(CFLAGS) -o $@ $< $(LIB) $(PCAP_LIBS) $(NL_LDFLAGS)

# Dependencies: installed with apt-get when run as root, named otherwise.
deps-build:
	@tools/deps.sh build
deps-test:
	@tools/deps.sh test
deps-bench:
	@tools/deps.sh bench
deps-fuzz:
	@tools/deps.sh fuzz

unit-tests: $(TEST_BIN)

test: deps-test
	@$(MAKE) --no-print-directory netlab unit-tests $(TOOLS_BIN)
	@tools/run-tests.sh $(BUILD)

demo: deps-build
	@$(MAKE) --no-print-directory netlab
	$(BIN) replay captures/gen-merge-split.pcap
	$(BIN) replay --messages captures/gen-merge-split.pcap
	$(BIN) replay --map captures/gen-merge-split.pcap

bench: deps-bench
	@$(MAKE) --no-print-directory netlab $(TOOLS_BIN)
	@tools/bench.sh $(BUILD)

install: netlab
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/netlab
	install -m 0644 man/netlab.1 $(DESTDIR)$(MANDIR)/netlab.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/netlab $(DESTDIR)$(MANDIR)/netlab.1

format:
	clang-format -i $$(find src include tests tools -name '*.[ch]')

check-format:
	@clang-format --dry-run --Werror $$(find src include tests tools -name '*.[ch]')

clean:
	rm -rf build netlab

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(SUPPORT_OBJ:.o=.d) $(TEST_BIN:=.d)

# ---- fuzzing: libFuzzer targets in tests/fuzz/ (issue 6) ----
# `make fuzz` builds build/fuzz/fuzz_*; `make fuzz-run SECONDS=N` replays the
# crash reproducers and fuzzes each target for N seconds (see
# tests/fuzz/README.md). The library is rebuilt with clang for coverage.
FUZZ_CC     ?= clang
FUZZ_BUILD  := build/fuzz
FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=c11 -O1 -g -Wall -Wextra $(FUZZ_SAN) $(PCAP_CFLAGS)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_BINS   := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
SECONDS     ?= 60

.PHONY: fuzz fuzz-run hostile

fuzz: deps-fuzz
	@$(MAKE) --no-print-directory $(FUZZ_BINS)

fuzz-run: fuzz
	@tests/fuzz/run.sh $(FUZZ_BUILD) $(SECONDS)

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(NL_CPPFLAGS) $(FUZZ_CFLAGS) -MMD -MP \
		-fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BUILD)/libnetlab.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h \
		$(FUZZ_BUILD)/libnetlab.a
	$(FUZZ_CC) $(NL_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_BUILD)/libnetlab.a $(PCAP_LIBS)

-include $(FUZZ_LIB_OBJ:.o=.d)

# The hostile-capture corpus alone (it also runs in `make test`).
hostile: netlab
	@NETLAB=$(CURDIR)/$(BIN) NETLAB_BUILD=$(CURDIR)/$(BUILD) \
		NETLAB_TOP=$(CURDIR) TZ=UTC LC_ALL=C \
		bash tests/integration/hostile.sh
