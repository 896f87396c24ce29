# ne/: the network element. The engine (RFC 3208 §7 procedures, no I/O)
# is a library the unit tests link; the datapath files need netfilter.
NE_DP_SRC := $(filter $(addprefix ne/,nfq.c rtnl.c rules.c rules_ipt.c rules_nft.c rules_nftmsg.c rawsend.c daemon.c caps.c),$(wildcard ne/*.c))
# pgmnectl-only sources are named ne/nectl_*.c
NECTL_SRC := $(wildcard ne/nectl_*.c)
NE_MAIN_SRC := ne/pgmned.c ne/pgmnectl.c $(NECTL_SRC)
NE_ENGINE_SRC := $(filter-out $(NE_DP_SRC) $(NE_MAIN_SRC),$(wildcard ne/*.c))
NE_ENGINE_LIB := $(O)/libneengine.a
NE_PKGS := libmnl libnftnl libnetfilter_queue libnl-3.0 libnl-route-3.0 libcap
EXTRA_CFLAGS_ne_ := $(call pc_cflags,$(NE_PKGS))

$(NE_ENGINE_LIB): $(NE_ENGINE_SRC:%.c=$(O)/obj/%.o)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

ifneq ($(wildcard ne/pgmned.c),)
PROGRAMS += $(BIN)/pgmned
$(BIN)/pgmned: $(O)/obj/ne/pgmned.o $(NE_DP_SRC:%.c=$(O)/obj/%.o) $(NE_ENGINE_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(NE_PKGS))
endif

ifneq ($(wildcard ne/pgmnectl.c),)
PROGRAMS += $(BIN)/pgmnectl
$(BIN)/pgmnectl: $(O)/obj/ne/pgmnectl.o $(NECTL_SRC:%.c=$(O)/obj/%.o) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
endif
