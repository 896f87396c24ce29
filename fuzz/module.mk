# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz/: libFuzzer harnesses (clang) and their seed and regression inputs.
# `make fuzz FUZZ_SECONDS=N` (top Makefile) builds them with clang and
# -fsanitize=fuzzer, outside this build's objects, and runs them.
