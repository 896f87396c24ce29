# SPDX-License-Identifier: GPL-2.0-or-later
# tests/unit/test_*.c: one CUnit program each, linked against the same
# libraries as the programs (no netfilter). tests/interop/*.c: OpenPGM
# peers used by the system tests; tests/interop/opgm_common.c is what they
# share, linked into each.
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_TESTS := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)
# The daemon's and the CLI's libraries: a test pulls only the objects it
# uses (settings, the control server, the nftables batch, the CLI's parts).
UNIT_LIBS := $(PGMNECTL_LIB) $(PGMNED_LIB) $(ENGINE_LIB) $(HOST_LIB) $(COMMON_LIB)

.PHONY: unit-tests
unit-tests: $(UNIT_TESTS)

$(O)/tests/%: $(O)/obj/tests/unit/%.o $(O)/obj/tests/unit/unit_util.o $(UNIT_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit -lm

OPENPGM_COMMON := tests/interop/opgm_common.c
OPENPGM_SRC := $(filter-out $(OPENPGM_COMMON),$(wildcard tests/interop/*.c))
EXTRA_CFLAGS_tests_interop_ := $(call pc_cflags,openpgm-5.3) -Wno-strict-prototypes
PROGRAMS += $(OPENPGM_SRC:tests/interop/%.c=$(BIN)/%)
$(BIN)/opgm_%: $(O)/obj/tests/interop/opgm_%.o $(OPENPGM_COMMON:%.c=$(O)/obj/%.o) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,openpgm-5.3)

# tests/tools/ctl_fixture.c: the control socket over fixed engine state
# and a frozen clock, for pgmnectl's golden-file tests (t_ctl_golden.sh).
ifneq ($(wildcard tests/tools/ctl_fixture.c),)
PROGRAMS += $(BIN)/ctl_fixture
$(BIN)/ctl_fixture: $(O)/obj/tests/tools/ctl_fixture.o $(PGMNED_LIB) $(ENGINE_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
endif

# tests/tools/pgm_*.c: codec helpers for the system tests and the fuzz
# seed corpus (pgm_pcapgen), linked against the common library only.
TEST_TOOLS_SRC := $(wildcard tests/tools/pgm_*.c)
TEST_TOOLS := $(TEST_TOOLS_SRC:tests/tools/%.c=$(BIN)/%)
PROGRAMS += $(TEST_TOOLS)
$(TEST_TOOLS): $(BIN)/%: $(O)/obj/tests/tools/%.o $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

# tests/tools/nfq_delay.c: a fixed-delay line on NFQUEUE (no netem here),
# so a system test can put a WAN round trip between a router and the source.
NFQ_DELAY_PKGS := libmnl libnetfilter_queue
EXTRA_CFLAGS_tests_tools_ := $(call pc_cflags,$(NFQ_DELAY_PKGS))
PROGRAMS += $(BIN)/nfq_delay
$(BIN)/nfq_delay: $(O)/obj/tests/tools/nfq_delay.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(NFQ_DELAY_PKGS))

# tests/unit/test_rules_nft.c: pgmned's nftables batch, built without a
# socket and read back with libnftnl.
RULES_NFT_PKGS := libmnl libnftnl
$(O)/tests/test_rules_nft: $(O)/obj/tests/unit/test_rules_nft.o $(O)/obj/tests/unit/unit_util.o \
                           $(UNIT_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit -lm $(call pc_libs,$(RULES_NFT_PKGS))
