# SPDX-License-Identifier: GPL-2.0-or-later
# engine/: the network element's RFC 3208 procedures (§7: SPM, NAK, NCF,
# RDATA, repair state, sessions), no I/O. A library that pgmned, the unit
# tests and the engine benchmark link.
ENGINE_SRC := $(wildcard engine/*.c)
ENGINE_LIB := $(O)/libneengine.a

$(ENGINE_LIB): $(ENGINE_SRC:%.c=$(O)/obj/%.o)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
