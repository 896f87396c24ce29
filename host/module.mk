# SPDX-License-Identifier: GPL-2.0-or-later
# host/: our PGM host stack (sender, receiver) over raw IP, and the tools.
HOST_LIB_SRC := $(filter-out host/pgmsend.c host/pgmrecv.c,$(wildcard host/*.c))
HOST_LIB := $(O)/libpgmhost.a

$(HOST_LIB): $(HOST_LIB_SRC:%.c=$(O)/obj/%.o)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

ifneq ($(wildcard host/pgmsend.c),)
PROGRAMS += $(BIN)/pgmsend $(BIN)/pgmrecv
$(BIN)/pgmsend: $(O)/obj/host/pgmsend.o $(HOST_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lm
$(BIN)/pgmrecv: $(O)/obj/host/pgmrecv.o $(HOST_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lm
endif
