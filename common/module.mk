# SPDX-License-Identifier: GPL-2.0-or-later
# common/: PGM codec, checksum, sequence numbers, TSI, timers, logging,
# control protocol. Built into one static library used by every program.
COMMON_SRC := $(wildcard common/*.c)
COMMON_LIB := $(O)/libpgmcommon.a

$(COMMON_LIB): $(COMMON_SRC:%.c=$(O)/obj/%.o)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
