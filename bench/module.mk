# SPDX-License-Identifier: GPL-2.0-or-later
# bench/: reproducible benchmarks; results are ratios against a baseline
# measured in the same run (see docs/bench.md).
#
#   make bench                      everything (~10 min)
#   make bench BENCH_ARGS=--quick   short run (~1 min)
#
# The bench programs are not in PROGRAMS: `make` builds what the daemon,
# the tools and the tests need, `make bench` (top Makefile) these too.
BENCH_PROGRAMS := $(BIN)/pgmgen $(BIN)/nfq_null $(BIN)/ncf_echo $(BIN)/bench_engine
BENCH_PKGS := libmnl libnetfilter_queue
EXTRA_CFLAGS_bench_ := $(call pc_cflags,$(BENCH_PKGS))

.PHONY: bench-programs
bench-programs: $(BENCH_PROGRAMS)

$(BIN)/pgmgen: $(O)/obj/bench/pgmgen.o $(O)/obj/bench/benchpkt.o $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

$(BIN)/ncf_echo: $(O)/obj/bench/ncf_echo.o $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

$(BIN)/nfq_null: $(O)/obj/bench/nfq_null.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(BENCH_PKGS))

$(BIN)/bench_engine: $(O)/obj/bench/bench_engine.o $(O)/obj/bench/benchpkt.o \
                     $(ENGINE_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lm
