/* Which kernel rules pgmned installs (rules.h). */
#include "rules.h"

#include <errno.h>
#include <string.h>

#include "../common/log.h"
#include "rules_ipt.h"
#include "rules_nft.h"

static int install_nft(struct rules *r)
{
	if (nftr_install(r->queue) == 0) {
		r->installed = NED_RULES_NFT;
		return 0;
	}
	log_warnx("rules: nftables table pgmned-q%u refused (%s); falling back to iptables",
	          r->queue, strerror(errno));
	return -1;
}

int rules_install(struct rules *r, enum ned_rules want, uint16_t queue)
{
	r->queue = queue;
	r->installed = NED_RULES_NONE;
	if (want == NED_RULES_NONE) {
		log_info("rules: none installed (--rules none): queue PGM to %u yourself", queue);
		return 0;
	}
	if (want == NED_RULES_NFT) {
		/* A crashed iptables run's chains would queue PGM a second time. */
		if (nftr_ipt_chains_exist(queue))
			ipt_rules_remove(queue);
		if (install_nft(r) == 0)
			return 0;
	}
	/*
	 * iptables, asked for or as the fallback: a table of ours left by a
	 * crashed nftables run would queue PGM twice, so it goes first.
	 */
	if (nftr_remove(queue) < 0 && errno != EPROTONOSUPPORT && errno != ENOENT)
		log_debug("rules: no nftables table of ours to remove (%s)", strerror(errno));
	if (ipt_rules_install(queue) < 0)
		return -1;
	r->installed = NED_RULES_IPTABLES;
	return 0;
}

void rules_remove(struct rules *r)
{
	switch ((enum ned_rules)r->installed) {
	case NED_RULES_NFT:
		if (nftr_remove(r->queue) < 0)
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
	return nftr_queued(r->queue, packets);
}
