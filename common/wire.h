/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PGM wire format (RFC 3208 §8, §9, §11.8, §12, §13.6, §14.7, §15).
 *
 * The only place that knows byte offsets (implemented in common/wire_*.c:
 * parse, build, options, option chain, edits, IPv4 framing, names).
 * pgm_parse() turns a PGM packet (the bytes after the IP header) into a
 * struct pgm_pkt view, converting byte order; pgm_build() writes the
 * exact bytes back from such a view. Everything else works on the view.
 *
 * Option sizes on the wire (type, length, F/OPX/U byte, option-specific
 * byte, then): FRAGMENT 16, NAK_LIST 4+4n (n = 1..62), JOIN 8,
 * NAK_BO_IVL 12, NAK_BO_RNG 12 (maximum first, §15.4.2), REDIRECT 4+NLA,
 * PARITY_PRM/GRP, CURR_TGSIZE 8, NBR_UNREACH/SYN/FIN/RST/CRQST 4,
 * PATH_NLA 8 or 20 (no AFI: the length tells IPv4 from IPv6, as in
 * OpenPGM), CR 16+NLA; an NLA is AFI (2), reserved (2), address.
 */
#ifndef PGMNE_WIRE_H
#define PGMNE_WIRE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tsi.h"

#define PGM_IPPROTO 113

/* Packet types, §8 (low nibble; version bits must be 0). */
enum pgm_type {
	PGM_SPM   = 0x00,
	PGM_POLL  = 0x01, /* §14.7.1 */
	PGM_POLR  = 0x02, /* §14.7.2 */
	PGM_ODATA = 0x04,
	PGM_RDATA = 0x05,
	PGM_NAK   = 0x08,
	PGM_NNAK  = 0x09,
	PGM_NCF   = 0x0A,
	PGM_SPMR  = 0x0C, /* §13.6 */
};

/*
 * Options byte of the common header. Values as OpenPGM, Wireshark and
 * tcpdump use them: §8 numbers the bits from the MSB, so read literally
 * it puts O (options present) at 0x80; every implementation uses 0x01.
 */
#define PGM_OPT_PRESENT     0x01
#define PGM_OPT_NETSIG      0x02
#define PGM_OPT_VAR_PKTLEN  0x40
#define PGM_OPT_PARITY      0x80

/* Option types, §9 (E bit 0x80 marks the last option). */
enum pgm_opt_type {
	PGM_OPT_LENGTH      = 0x00,
	PGM_OPT_FRAGMENT    = 0x01,
	PGM_OPT_NAK_LIST    = 0x02,
	PGM_OPT_JOIN        = 0x03,
	PGM_OPT_NAK_BO_IVL  = 0x04,
	PGM_OPT_NAK_BO_RNG  = 0x05,
	PGM_OPT_REDIRECT    = 0x07,
	PGM_OPT_PARITY_PRM  = 0x08,
	PGM_OPT_PARITY_GRP  = 0x09,
	PGM_OPT_CURR_TGSIZE = 0x0A,
	PGM_OPT_NBR_UNREACH = 0x0B,
	PGM_OPT_PATH_NLA    = 0x0C,
	PGM_OPT_SYN         = 0x0D,
	PGM_OPT_FIN         = 0x0E,
	PGM_OPT_RST         = 0x0F,
	PGM_OPT_CR          = 0x10,
	PGM_OPT_CRQST       = 0x11,
	PGM_OPT_INVALID     = 0x7F,
};
#define PGM_OPT_END       0x80
#define PGM_OPT_TYPE_MASK 0x7F

/*
 * Third byte of every option except OPT_LENGTH: F, OPX and U bits (§9).
 * OPX occupies the two low-order bits as in the RFC diagram (01 =
 * invalidate, 10 = discard); F and U as OpenPGM places them.
 */
#define PGM_OPX_MASK       0x03
#define PGM_OPX_IGNORE     0x00
#define PGM_OPX_INVALIDATE 0x01
#define PGM_OPX_DISCARD    0x02
#define PGM_OPX_RESERVED   0x03 /* "unsupported": treated as discard */
#define PGM_OP_ENCODED     0x08 /* F */
#define PGM_OP_ENCODED_NULL 0x80 /* U */

/* Option-specific bits in the fourth option byte. */
/* §11.8.1 "|P O|" in the low bits, as Wireshark reads them (OpenPGM swaps them). */
#define PGM_PARITY_PRM_PRO 0x02 /* P: pro-active parity */
#define PGM_PARITY_PRM_OND 0x01 /* O: on-demand parity */
#define PGM_RST_N          0x40 /* §9.8.4 N: NAKs go unanswered */
#define PGM_RST_CODE_MASK  0x3F /* §9.8.4 error code */
#define PGM_CR_NEL         0x04 /* §12.7.1 L: NE worst link reported */
#define PGM_CR_NEP         0x02 /* §12.7.1 P: NE worst path reported */
#define PGM_CR_RXP         0x01 /* §12.7.1 R: receiver worst path reported */

#define PGM_MAX_OPTIONS   16 /* §9 */
#define PGM_MAX_NAK_LIST  62 /* §9.3.5: up to 62 SQNs besides NAK_SQN */
#define PGM_HDR_LEN       16
#define PGM_AFI_IPV4      1
#define PGM_AFI_IPV6      2

/* Parse results. Each becomes a named counter (pgm_err_name()). */
enum pgm_err {
	PGM_OK = 0,
	PGM_E_TRUNCATED,        /* shorter than the header its type needs */
	PGM_E_BAD_VERSION,      /* version or reserved type bits set */
	PGM_E_BAD_TYPE,         /* unknown packet type */
	PGM_E_BAD_CHECKSUM,     /* non-zero checksum does not verify */
	PGM_E_BAD_AFI,          /* NLA AFI other than IPv4 or IPv6 */
	PGM_E_OPT_NO_LENGTH,    /* options flagged but OPT_LENGTH missing/first not LENGTH */
	PGM_E_OPT_LENGTH_LIES,  /* OPT_LENGTH total disagrees with the chain */
	PGM_E_OPT_OVERRUN,      /* an option runs past the end of the packet */
	PGM_E_OPT_TOO_MANY,     /* more than 16 options */
	PGM_E_OPT_BAD_LEN,      /* option length wrong for its type */
	PGM_E_OPT_NO_END,       /* chain ends without the E bit */
	PGM_E_NAK_LIST_TOO_LONG,/* OPT_NAK_LIST with more than 62 entries */
	PGM_E_OPT_DISCARD,      /* unknown option whose OPX says discard packet */
	PGM_E_TSDU_LENGTH,      /* TSDU length disagrees with what follows */
	PGM_E_OPT_UNEXPECTED,   /* option flag bits inconsistent with options */
	PGM_E_OPT_DUPLICATE,    /* the same known option twice in one chain */
	PGM_E_COUNT
};

/* Stable lower-case name for an error, e.g. "truncated"; "ok" for PGM_OK. */
const char *pgm_err_name(enum pgm_err e);

/* A network-layer address as carried in PGM (AFI + address). */
struct pgm_nla {
	uint16_t afi; /* PGM_AFI_IPV4 or PGM_AFI_IPV6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

/*
 * Options, §9 ff. `has` is a bit set of (1u << enum pgm_opt_type); after
 * a parse the OPT_LENGTH bit says a chain was present. pgm_build() writes
 * the options whose bits are set, from the fields below; unknown options
 * are counted, never rebuilt.
 */
struct pgm_opts {
	uint32_t has;
	unsigned count;           /* options in the chain, OPT_LENGTH included */
	unsigned unknown;         /* unknown options seen (OPX ignore/invalidate) */
	uint16_t total_len;       /* OPT_LENGTH value; 0 when no options */
	struct { uint32_t first_sqn, offset, length; } fragment;  /* §9.2.4 */
	struct { unsigned count; uint32_t sqn[PGM_MAX_NAK_LIST]; } nak_list; /* §9.3.5 */
	uint32_t join_min;                                        /* §9.4.3 */
	struct { uint32_t ivl, ivl_sqn; } nak_bo_ivl;             /* §15.4.1 */
	struct { uint32_t min, max; } nak_bo_rng;                 /* §15.4.2 */
	struct pgm_nla redirect;                                  /* §9.5.5 */
	struct { uint8_t flags; uint32_t tgs; } parity_prm;       /* §11.8.1: PGM_PARITY_PRM_* */
	uint32_t parity_grp;                                      /* §11.8.2 */
	uint32_t curr_tgsize;                                     /* §11.8.3 */
	struct pgm_nla path_nla;                                  /* §15.4.4 */
	struct {                                                  /* §12.7.1 */
		uint8_t flags;          /* PGM_CR_NEL / NEP / RXP */
		uint32_t lead;          /* OPT_CR_LEAD */
		uint16_t ne_wl;         /* OPT_CR_NE_WL: an NE's worst link */
		uint16_t ne_wp;         /* OPT_CR_NE_WP: an NE's worst path */
		uint16_t rx_wp;         /* OPT_CR_RX_WP: a receiver's worst path */
		struct pgm_nla rcvr;    /* OPT_CR_RCVR */
	} cr;
	uint8_t crqst_flags;                                      /* §12.7.2 */
	uint8_t rst_flags;        /* §9.8.4: PGM_RST_N | error code */
	/* Offsets (from start of PGM header) of unknown options marked
	 * OPX_INVALIDATE, so an NE can rewrite their type to 0x7F. */
	unsigned invalidate_count;
	uint16_t invalidate_off[PGM_MAX_OPTIONS];
};

/* Parsed view of one PGM packet. Host byte order throughout. */
struct pgm_pkt {
	uint8_t type;        /* enum pgm_type */
	uint8_t opt_flags;   /* options byte of the common header */
	uint16_t sport, dport;
	uint16_t checksum;   /* field value in host order (0 = none) */
	uint16_t tsdu_len;
	struct pgm_tsi tsi;  /* GSI + data-source port (dport for NAK/NNAK/SPMR/POLR);
	                      * pgm_build() writes sport/dport, only tsi.gsi */
	union {
		struct { uint32_t sqn, trail, lead; struct pgm_nla path; } spm;   /* §8.1 */
		struct { uint32_t sqn; uint16_t round, s_type; struct pgm_nla path;
		         uint32_t bo_ivl, rand, mask; } poll;                     /* §14.7.1 */
		struct { uint32_t sqn; uint16_t round; } polr;                   /* §14.7.2 */
		struct { uint32_t sqn, trail; } data;                            /* §8.2 ODATA/RDATA */
		struct { uint32_t sqn; struct pgm_nla src, grp; } nak;           /* §8.3 NAK/NNAK/NCF */
	} u;
	struct pgm_opts opt;
	const uint8_t *data; /* ODATA/RDATA payload (points into the parsed buffer) */
	size_t data_len;
	size_t hdr_len;      /* common + type-specific header, without options */
	uint16_t nla_off;    /* offset of SPM/POLL path NLA address bytes, 0 if none */
};

/* Parse flags. */
#define PGM_PARSE_NO_CSUM 0x01 /* skip checksum verification */

/*
 * Parse `len` bytes at `buf` (the PGM header onwards; len is the exact
 * PGM length, as the IP total length gives it) into `out`. Every read is
 * bounds-checked. Checks run in this order: common header, type, type-
 * specific header (TRUNCATED / BAD_VERSION / BAD_TYPE / BAD_AFI), options
 * (the OPT_* errors), TSDU length (data: exactly what follows the options;
 * others: 0 and nothing after the options), then the checksum (§8: zero
 * is "none", but mandatory on ODATA/RDATA). On error `out` is unspecified.
 */
enum pgm_err pgm_parse(const uint8_t *buf, size_t len, unsigned flags, struct pgm_pkt *out);

/*
 * Write `pkt` as wire bytes into buf (capacity cap): common header
 * (pkt->sport, pkt->dport, pkt->tsi.gsi), type-specific header, the
 * options whose bits are set in pkt->opt.has, network-significant ones
 * first (§9.1), each with OPX = ignore (OPT_LENGTH is added automatically
 * when any other option is present; the options byte keeps pkt->opt_flags'
 * PARITY/VAR_PKTLEN bits and gets PGM_OPT_PRESENT, and PGM_OPT_NETSIG
 * when a network-significant option is present), then for ODATA/RDATA
 * pkt->data. tsdu_len is derived from data_len for data packets and 0
 * otherwise. The checksum is computed (0 sent as 0xFFFF).
 * Returns the packet length, or 0 if cap is too small or pkt cannot be
 * encoded (unknown type or AFI, NAK list of 0 or > 62, > 16 options).
 */
size_t pgm_build(uint8_t *buf, size_t cap, const struct pgm_pkt *pkt);

/* Size pgm_build() would need. */
size_t pgm_build_len(const struct pgm_pkt *pkt);

/*
 * Rewrite the path NLA of an SPM or POLL in place (parsed view from the
 * same buffer) with `nla` of the same AFI, fixing the checksum
 * incrementally (RFC 1624). Returns false if it cannot (AFI differs).
 */
bool pgm_rewrite_path_nla(uint8_t *buf, size_t len, const struct pgm_pkt *pkt,
                          const struct pgm_nla *nla);

/* Set every OPX_INVALIDATE unknown option's type to OPT_INVALID (§9), fix checksum. */
void pgm_invalidate_options(uint8_t *buf, size_t len, const struct pgm_pkt *pkt);

/* Human names, e.g. "SPM", "OPT_NAK_LIST". Never NULL. */
const char *pgm_type_name(uint8_t type);
const char *pgm_opt_name(uint8_t opt_type);

/* NLA helpers. */
void pgm_nla_from_in(struct pgm_nla *nla, struct in_addr a);
void pgm_nla_from_in6(struct pgm_nla *nla, const struct in6_addr *a);
/* Address bytes an AFI carries: 4, 16, or 0 for an unknown AFI. */
size_t pgm_nla_addr_len(uint16_t afi);
bool pgm_nla_eq(const struct pgm_nla *a, const struct pgm_nla *b);
/* Text form ("10.0.0.1" / "fe80::1"); buf at least INET6_ADDRSTRLEN. */
const char *pgm_nla_ntop(const struct pgm_nla *nla, char *buf, size_t len);

/* Is this type sent upstream (ports swapped: TSI port is dport)? */
static inline bool pgm_type_upstream(uint8_t type)
{
	return type == PGM_NAK || type == PGM_NNAK || type == PGM_SPMR ||
	       type == PGM_POLR;
}

/* --- IPv4 framing, for the NE datapath and raw-socket hosts --- */

struct pgm_ip {
	struct in_addr src, dst;
	uint8_t ttl;
	uint8_t proto;
	bool router_alert;
	bool fragment;       /* MF set or non-zero fragment offset */
	size_t hdr_len;      /* IP header length incl. options */
	size_t total_len;    /* from the IP header, checked against the buffer */
};

/* Parse an IPv4 header. Returns PGM_OK or PGM_E_TRUNCATED/PGM_E_BAD_VERSION. */
enum pgm_err pgm_ip_parse(const uint8_t *buf, size_t len, struct pgm_ip *out);

/*
 * Write an IPv4 header (20 bytes, or 24 with Router Alert) for a PGM
 * payload of `payload_len` bytes; IP checksum computed. Returns header
 * length or 0 if cap too small.
 */
size_t pgm_ip_build(uint8_t *buf, size_t cap, struct in_addr src, struct in_addr dst,
                    uint8_t ttl, bool router_alert, size_t payload_len);

#endif
