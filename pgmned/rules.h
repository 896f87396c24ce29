/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel rules that hand PGM packets to pgmned's queue and keep
 * ODATA in the kernel, in the form the configuration asks for
 * (`--rules`): an nftables table of pgmned's own (rules_nft.h, the
 * default), iptables chains (rules_ipt.h, also the fallback when the
 * nftables batch fails), or none (the operator queues PGM himself).
 */
#ifndef PGMNE_RULES_H
#define PGMNE_RULES_H

#include <stdint.h>

#include "settings.h"
struct ne_ifaces;

struct rules {
	uint16_t queue;
	uint8_t installed; /* enum ned_rules in force; NED_RULES_NONE: nothing to undo */
	uint64_t tagged;   /* iptables: digest of the interfaces its rules tag */
};

/*
 * Install the rules of `want` for the queue, first removing any left by a
 * crashed run of the same queue (of either kind). nftables falls back to
 * iptables with a warning. ifs: the interfaces (iptables tags arrivals
 * per interface, rules_ipt.h). 0 or -1 (nothing installed).
 */
int rules_install(struct rules *r, enum ned_rules want, uint16_t queue,
                  const struct ne_ifaces *ifs);
/*
 * The interface table may have changed: iptables rewrites its tagging
 * rules if the PGM interfaces did (nftables tags any interface itself).
 */
void rules_ifaces_changed(struct rules *r, const struct ne_ifaces *ifs);
/* Remove what rules_install put in (nothing if nothing). */
void rules_remove(struct rules *r);
/*
 * Packets the kernel's queue rules have matched so far: what went to the
 * queue, or past it under --queue-bypass. nftables only; -1 otherwise.
 */
int rules_queued(const struct rules *r, uint64_t *packets);

#endif
