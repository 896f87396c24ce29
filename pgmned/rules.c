/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which kernel rules pgmned installs (rules.h). */
#include "rules.h"

#include <errno.h>
#include <string.h>

#include "../common/log.h"
#include "../engine/ne.h"
#include "rules_ipt.h"
#include "rules_nft.h"

static int install_nft(struct rules *r)
{
	if (nft_rules_install(r->queue) == 0) {
		r->installed = NED_RULES_NFT;
		return 0;
	}
	log_warnx("rules: nftables table pgmned-q%u refused (%s); falling back to iptables",
	          r->queue, strerror(errno));
	return -1;
}

/* FNV-1a over the (ifindex, name) of every PGM interface. */
static uint64_t tagged_digest(const struct ne_ifaces *ifs)
{
	uint64_t h = 14695981039346656037ull;

	for (unsigned i = 0; i < NE_MAX_IFACES; i++) {
		const struct ne_iface *f = &ifs->v[i];
		const unsigned char *p = (const unsigned char *)f->name;

		if (f->ifindex == 0 || !f->enabled)
			continue;
		h = (h ^ (uint64_t)(unsigned)f->ifindex) * 1099511628211ull;
		for (; *p; p++)
			h = (h ^ *p) * 1099511628211ull;
	}
	return h;
}

int rules_install(struct rules *r, enum ned_rules want, uint16_t queue,
                  const struct ne_ifaces *ifs)
{
	r->queue = queue;
	r->installed = NED_RULES_NONE;
	if (want == NED_RULES_NONE) {
		log_info("rules: none installed (--rules none): queue PGM to %u yourself", queue);
		return 0;
	}
	if (want == NED_RULES_NFT) {
		/* A crashed iptables run's chains would queue PGM a second time. */
		if (nft_rules_ipt_chains_exist(queue))
			ipt_rules_remove(queue);
		if (install_nft(r) == 0)
			return 0;
	}
	/*
	 * iptables, asked for or as the fallback: a table of ours left by a
	 * crashed nftables run would queue PGM twice, so it goes first.
	 */
	if (nft_rules_remove(queue) < 0 && errno != EPROTONOSUPPORT && errno != ENOENT)
		log_debug("rules: no nftables table of ours to remove (%s)", strerror(errno));
	if (ipt_rules_install(queue, ifs) < 0)
		return -1;
	r->installed = NED_RULES_IPTABLES;
	r->tagged = tagged_digest(ifs);
	return 0;
}

void rules_ifaces_changed(struct rules *r, const struct ne_ifaces *ifs)
{
	uint64_t now;

	if (r->installed != NED_RULES_IPTABLES)
		return;
	now = tagged_digest(ifs);
	if (now != r->tagged && ipt_rules_retag(r->queue, ifs) == 0)
		r->tagged = now;
}

void rules_remove(struct rules *r)
{
	switch ((enum ned_rules)r->installed) {
	case NED_RULES_NFT:
		if (nft_rules_remove(r->queue) < 0)
			log_warn("rules: cannot delete nftables table pgmned-q%u", r->queue);
		break;
	case NED_RULES_IPTABLES:
		ipt_rules_remove(r->queue);
		break;
	case NED_RULES_NONE:
	case NED_RULES_N:
		break;
	}
	r->installed = NED_RULES_NONE;
}

int rules_queued(const struct rules *r, uint64_t *packets)
{
	if (r->installed != NED_RULES_NFT)
		return -1;
	return nft_rules_queued(r->queue, packets);
}
