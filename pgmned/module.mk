# SPDX-License-Identifier: GPL-2.0-or-later
# pgmned/: the daemon. Event loop, datapath (NFQUEUE, rtnetlink, the
# kernel rules, raw sends, capabilities), settings and the control-socket
# server. Everything but main() is also a library, so the unit tests can
# link the parts that need no netfilter (settings, control server, the
# nftables batch builder).
PGMNED_SRC := $(filter-out pgmned/pgmned.c,$(wildcard pgmned/*.c))
PGMNED_LIB := $(O)/libpgmned.a
PGMNED_PKGS := libmnl libnftnl libnetfilter_queue libnl-3.0 libnl-route-3.0 libcap
EXTRA_CFLAGS_pgmned_ := $(call pc_cflags,$(PGMNED_PKGS))

$(PGMNED_LIB): $(PGMNED_SRC:%.c=$(O)/obj/%.o)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

PROGRAMS += $(BIN)/pgmned
$(BIN)/pgmned: $(O)/obj/pgmned/pgmned.o $(PGMNED_LIB) $(ENGINE_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(PGMNED_PKGS))
