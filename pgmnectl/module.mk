# SPDX-License-Identifier: GPL-2.0-or-later
# pgmnectl/: the operator's CLI. Command parser, the conversation with the
# daemon's control socket, output as plain tables, JSON and Prometheus
# text. Everything but main() is also a library for the unit tests.
PGMNECTL_SRC := $(filter-out pgmnectl/pgmnectl.c,$(wildcard pgmnectl/*.c))
PGMNECTL_LIB := $(O)/libpgmnectl.a

$(PGMNECTL_LIB): $(PGMNECTL_SRC:%.c=$(O)/obj/%.o)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

PROGRAMS += $(BIN)/pgmnectl
$(BIN)/pgmnectl: $(O)/obj/pgmnectl/pgmnectl.o $(PGMNECTL_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
