# fuzz/: libFuzzer harnesses (clang). `make fuzz FUZZ_SECONDS=N`.
FUZZ_SECONDS ?= 60
.PHONY: fuzz
fuzz:
	@scripts/fuzz.sh $(FUZZ_SECONDS)
