# bench/: reproducible benchmarks; results are ratios against a baseline
# measured in the same run.
.PHONY: bench
bench:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory programs
	@bench/run.sh
