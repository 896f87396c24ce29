# bench/: reproducible benchmarks; results are ratios against a baseline
# measured in the same run (see docs/bench.md).
#
#   make bench                      everything (~10 min)
#   make bench BENCH_ARGS=--quick   short run (~1 min)
#
# The bench programs are not in PROGRAMS: bench_engine needs the engine
# library, and `make` must not fail while the engine is being written.
BENCH_PROGRAMS := $(BIN)/pgmgen $(BIN)/nfq_null $(BIN)/ncf_echo
ifneq ($(wildcard engine/engine.c),)
ifneq ($(wildcard bench/bench_engine.c),)
BENCH_PROGRAMS += $(BIN)/bench_engine
endif
endif
BENCH_PKGS := libmnl libnetfilter_queue
EXTRA_CFLAGS_bench_ := $(call pc_cflags,$(BENCH_PKGS))
BENCH_ARGS ?=

.PHONY: bench bench-programs
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

# A program that does not build yet is skipped by run.sh with a message,
# so the build is allowed to fail here (-k builds all it can).
bench:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory -k programs bench-programs || \
		echo "bench: some programs did not build; their benchmarks will be skipped" >&2
	@BIN=$(BIN) bench/run.sh $(BENCH_ARGS)
