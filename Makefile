# SPDX-License-Identifier: GPL-2.0-or-later
# pgmne — PGM network element for Linux routers.
#
#   make          build everything into bin/
#   make check    install missing packages, ASan/UBSan build, unit + system tests
#   make demo     install missing packages, build, run the tree demo
#   make deps     install missing Debian packages (needs root)
#   make fuzz     time-bounded libFuzzer run of the packet parser
#   make bench    benchmarks (ratios against a baseline from the same run)
#
# O=DIR puts objects elsewhere (so parallel builds never collide);
# SAN=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer.

SAN ?= 0
ifeq ($(SAN),1)
O ?= build/san
BIN ?= $(O)/bin
else
O ?= build/rel
BIN ?= bin
endif

CC ?= cc
PKG_CONFIG ?= pkg-config
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wpointer-arith -Wcast-qual
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN) -MMD -MP -I.
ifeq ($(SAN),1)
CFLAGS += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

PROGRAMS :=
UNIT_TESTS :=
CLEAN :=

.PHONY: all check unit system deps demo fuzz bench clean distclean
.SECONDARY:
all: programs

include common/module.mk
include engine/module.mk
include pgmned/module.mk
include pgmnectl/module.mk
include host/module.mk
include tests/module.mk
include fuzz/module.mk
include bench/module.mk

programs: $(PROGRAMS)

$(O)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS_$(subst /,_,$(dir $<))) -c -o $@ $<

deps:
	@scripts/deps.sh

# The README's test command: deps, sanitizer build, every test.
check:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory SAN=1 programs unit-tests
	@scripts/check.sh build/san

demo:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory programs
	@topologies/demo.sh

FUZZ_SECONDS ?= 60
fuzz:
	@scripts/fuzz.sh $(FUZZ_SECONDS)

# A program that does not build yet is skipped by run.sh with a message,
# so the build is allowed to fail here (-k builds all it can).
BENCH_ARGS ?=
bench:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory -k programs bench-programs || \
		echo "bench: some programs did not build; their benchmarks will be skipped" >&2
	@BIN=$(BIN) bench/run.sh $(BENCH_ARGS)

clean:
	rm -rf build bin $(CLEAN)

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
