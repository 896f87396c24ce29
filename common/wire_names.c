/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names for packet types, options and parse errors; NLA helpers. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "wire.h"

const char *pgm_err_name(enum pgm_err e)
{
	static const char *const names[PGM_E_COUNT] = {
		[PGM_OK] = "ok",
		[PGM_E_TRUNCATED] = "truncated",
		[PGM_E_BAD_VERSION] = "bad_version",
		[PGM_E_BAD_TYPE] = "bad_type",
		[PGM_E_BAD_CHECKSUM] = "bad_checksum",
		[PGM_E_BAD_AFI] = "bad_afi",
		[PGM_E_OPT_NO_LENGTH] = "opt_no_length",
		[PGM_E_OPT_LENGTH_LIES] = "opt_length_lies",
		[PGM_E_OPT_OVERRUN] = "opt_overrun",
		[PGM_E_OPT_TOO_MANY] = "opt_too_many",
		[PGM_E_OPT_BAD_LEN] = "opt_bad_len",
		[PGM_E_OPT_NO_END] = "opt_no_end",
		[PGM_E_NAK_LIST_TOO_LONG] = "nak_list_too_long",
		[PGM_E_OPT_DISCARD] = "opt_discard",
		[PGM_E_TSDU_LENGTH] = "tsdu_length",
		[PGM_E_OPT_UNEXPECTED] = "opt_unexpected",
		[PGM_E_OPT_DUPLICATE] = "opt_duplicate",
	};
	if ((unsigned)e >= PGM_E_COUNT || names[e] == NULL)
		return "unknown";
	return names[e];
}

const char *pgm_type_name(uint8_t type)
{
	switch (type) {
	case PGM_SPM: return "SPM";
	case PGM_POLL: return "POLL";
	case PGM_POLR: return "POLR";
	case PGM_ODATA: return "ODATA";
	case PGM_RDATA: return "RDATA";
	case PGM_NAK: return "NAK";
	case PGM_NNAK: return "NNAK";
	case PGM_NCF: return "NCF";
	case PGM_SPMR: return "SPMR";
	default: return "UNKNOWN";
	}
}

const char *pgm_opt_name(uint8_t opt_type)
{
	switch (opt_type & PGM_OPT_TYPE_MASK) {
	case PGM_OPT_LENGTH: return "OPT_LENGTH";
	case PGM_OPT_FRAGMENT: return "OPT_FRAGMENT";
	case PGM_OPT_NAK_LIST: return "OPT_NAK_LIST";
	case PGM_OPT_JOIN: return "OPT_JOIN";
	case PGM_OPT_NAK_BO_IVL: return "OPT_NAK_BO_IVL";
	case PGM_OPT_NAK_BO_RNG: return "OPT_NAK_BO_RNG";
	case PGM_OPT_REDIRECT: return "OPT_REDIRECT";
	case PGM_OPT_PARITY_PRM: return "OPT_PARITY_PRM";
	case PGM_OPT_PARITY_GRP: return "OPT_PARITY_GRP";
	case PGM_OPT_CURR_TGSIZE: return "OPT_CURR_TGSIZE";
	case PGM_OPT_NBR_UNREACH: return "OPT_NBR_UNREACH";
	case PGM_OPT_PATH_NLA: return "OPT_PATH_NLA";
	case PGM_OPT_SYN: return "OPT_SYN";
	case PGM_OPT_FIN: return "OPT_FIN";
	case PGM_OPT_RST: return "OPT_RST";
	case PGM_OPT_CR: return "OPT_CR";
	case PGM_OPT_CRQST: return "OPT_CRQST";
	case PGM_OPT_INVALID: return "OPT_INVALID";
	default: return "OPT_UNKNOWN";
	}
}

size_t pgm_nla_addr_len(uint16_t afi)
{
	switch (afi) {
	case PGM_AFI_IPV4: return 4;
	case PGM_AFI_IPV6: return 16;
	default: return 0;
	}
}

void pgm_nla_from_in(struct pgm_nla *nla, struct in_addr a)
{
	memset(nla, 0, sizeof *nla);
	nla->afi = PGM_AFI_IPV4;
	nla->u.v4 = a;
}

void pgm_nla_from_in6(struct pgm_nla *nla, const struct in6_addr *a)
{
	memset(nla, 0, sizeof *nla);
	nla->afi = PGM_AFI_IPV6;
	nla->u.v6 = *a;
}

bool pgm_nla_eq(const struct pgm_nla *a, const struct pgm_nla *b)
{
	size_t n = pgm_nla_addr_len(a->afi);
	return a->afi == b->afi && memcmp(&a->u, &b->u, n) == 0;
}

const char *pgm_nla_ntop(const struct pgm_nla *nla, char *buf, size_t len)
{
	const char *s = NULL;

	if (len == 0)
		return buf;
	if (nla->afi == PGM_AFI_IPV4)
		s = inet_ntop(AF_INET, &nla->u.v4, buf, (socklen_t)len);
	else if (nla->afi == PGM_AFI_IPV6)
		s = inet_ntop(AF_INET6, &nla->u.v6, buf, (socklen_t)len);
	if (s == NULL)
		snprintf(buf, len, "afi%u?", (unsigned)nla->afi);
	return buf;
}
