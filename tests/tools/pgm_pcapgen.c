/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgm_pcapgen: write PGM packets of every type with a variety of options
 * (RFC 3208 §8, §9, §11.8, §12.7, §15.4), IPv4-framed, into a raw-IP
 * pcap file, so an independent decoder (tshark) can check our encoder.
 * Also writes, per packet, the values the decoder must show, and can
 * dump the bare PGM packets as a fuzzing seed corpus.
 *
 *   pgm_pcapgen -o out.pcap [-e expect.tsv] [-s seed_dir]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/wire.h"

#define LINKTYPE_RAW 101 /* IPv4/IPv6 without a link header */
#define MAX_PKT 2048

struct gen_case {
	const char *name;
	struct pgm_pkt pkt;
	bool router_alert;
};

struct gen_ctx {
	FILE *pcap, *expect;
	const char *seed_dir;
	unsigned frame;
};

static const uint8_t payload[] = "pgmne pcapgen payload";

static struct pgm_nla v4(const char *s)
{
	struct pgm_nla n;
	struct in_addr a;
	inet_pton(AF_INET, s, &a);
	pgm_nla_from_in(&n, a);
	return n;
}

static struct pgm_nla v6(const char *s)
{
	struct pgm_nla n;
	struct in6_addr a;
	inet_pton(AF_INET6, s, &a);
	pgm_nla_from_in6(&n, &a);
	return n;
}

static void base(struct pgm_pkt *p, uint8_t type, uint32_t sqn)
{
	static const uint8_t gsi[6] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };

	memset(p, 0, sizeof *p);
	p->type = type;
	/* §8.3: upstream packets swap the ports. */
	p->sport = pgm_type_upstream(type) ? 7500 : 40000;
	p->dport = pgm_type_upstream(type) ? 40000 : 7500;
	memcpy(p->tsi.gsi, gsi, sizeof gsi);
	switch (type) {
	case PGM_SPM:
		p->u.spm.sqn = sqn; p->u.spm.trail = sqn / 2; p->u.spm.lead = sqn + 9;
		p->u.spm.path = v4("10.0.1.1");
		break;
	case PGM_POLL:
		p->u.poll.sqn = sqn; p->u.poll.round = 1; p->u.poll.s_type = 0;
		p->u.poll.path = v4("10.0.1.1"); p->u.poll.bo_ivl = 200000;
		p->u.poll.rand = 0x5eed; p->u.poll.mask = 0xF;
		break;
	case PGM_POLR:
		p->u.polr.sqn = sqn; p->u.polr.round = 1;
		break;
	case PGM_ODATA:
	case PGM_RDATA:
		p->u.data.sqn = sqn; p->u.data.trail = sqn - 3;
		p->data = payload; p->data_len = sizeof payload - 1;
		break;
	case PGM_NAK:
	case PGM_NNAK:
	case PGM_NCF:
		p->u.nak.sqn = sqn;
		p->u.nak.src = v4("10.0.1.1"); p->u.nak.grp = v4("239.192.0.1");
		break;
	default:
		break;
	}
}

static void nak_list(struct pgm_pkt *p, unsigned n)
{
	unsigned i;
	p->opt.has |= 1u << PGM_OPT_NAK_LIST;
	p->opt.nak_list.count = n;
	for (i = 0; i < n; i++)
		p->opt.nak_list.sqn[i] = p->u.nak.sqn + 1 + i;
}

#define MAX_CASES 32 /* room for the 22 cases below and a few more */

struct case_list {
	struct gen_case c[MAX_CASES];
	size_t n;
};

/* Append a case of `type`; returns its packet to fill in further. A full
 * list reuses its last slot (bounded); t_codec_tshark.sh counts frames. */
static struct pgm_pkt *add(struct case_list *l, const char *name, uint8_t type,
                           uint32_t sqn, bool router_alert)
{
	struct gen_case *c = &l->c[l->n < MAX_CASES ? l->n++ : MAX_CASES - 1];

	c->name = name;
	c->router_alert = router_alert;
	base(&c->pkt, type, sqn);
	return &c->pkt;
}

/* SPM (§8.1) with the options a source puts there, and POLL/POLR (§14.7). */
static void spm_cases(struct case_list *l)
{
	struct pgm_pkt *p;

	add(l, "spm", PGM_SPM, 1000, true);
	p = add(l, "spm-v6", PGM_SPM, 1001, true);
	p->u.spm.path = v6("2001:db8::1");
	p = add(l, "spm-opts", PGM_SPM, 1002, true);
	p->opt.has = 1u << PGM_OPT_NAK_BO_IVL | 1u << PGM_OPT_NAK_BO_RNG |
	             1u << PGM_OPT_PARITY_PRM | 1u << PGM_OPT_CURR_TGSIZE |
	             1u << PGM_OPT_NBR_UNREACH | 1u << PGM_OPT_CRQST | 1u << PGM_OPT_JOIN;
	p->opt.nak_bo_ivl.ivl = 50000;
	p->opt.nak_bo_rng.min = 1000;
	p->opt.nak_bo_rng.max = 100000;
	p->opt.parity_prm.flags = PGM_PARITY_PRM_OND;
	p->opt.parity_prm.tgs = 16;
	p->opt.curr_tgsize = 12;
	p->opt.crqst_flags = PGM_CR_NEL;
	p->opt.join_min = 990;
	p = add(l, "spm-fin", PGM_SPM, 1003, true);
	p->opt.has = 1u << PGM_OPT_FIN;
	p = add(l, "poll", PGM_POLL, 7, true);
	p->opt.has = 1u << PGM_OPT_NAK_BO_IVL;
	p->opt.nak_bo_ivl.ivl = 30000;
	p->opt.nak_bo_ivl.ivl_sqn = 7;
	add(l, "polr", PGM_POLR, 7, false);
	add(l, "spmr", PGM_SPMR, 0, false);
}

/* ODATA/RDATA (§8.2) with fragment, join, session and FEC options. */
static void data_cases(struct case_list *l)
{
	struct pgm_pkt *p;

	add(l, "odata", PGM_ODATA, 2000, false);
	p = add(l, "odata-frag", PGM_ODATA, 2001, false);
	p->opt.has = 1u << PGM_OPT_FRAGMENT;
	p->opt.fragment.first_sqn = 2001;
	p->opt.fragment.length = 3000;
	p = add(l, "odata-syn-join", PGM_ODATA, 2002, false);
	p->opt.has = 1u << PGM_OPT_SYN | 1u << PGM_OPT_JOIN;
	p->opt.join_min = 1990;
	p = add(l, "odata-rst", PGM_ODATA, 2003, false);
	p->opt.has = 1u << PGM_OPT_RST;
	p->opt.rst_flags = PGM_RST_N | 3;
	add(l, "rdata", PGM_RDATA, 1999, true);
	p = add(l, "rdata-parity", PGM_RDATA, 1998, true);
	p->opt_flags = PGM_OPT_PARITY;
	p->opt.has = 1u << PGM_OPT_PARITY_GRP | 1u << PGM_OPT_CURR_TGSIZE;
	p->opt.parity_grp = 1;
	p->opt.curr_tgsize = 8;
}

/* NAK/NNAK/NCF (§8.3) with NAK lists, congestion report, redirect, §15 options. */
static void nak_cases(struct case_list *l)
{
	struct pgm_pkt *p;

	add(l, "nak", PGM_NAK, 1995, false);
	p = add(l, "nak-v6", PGM_NAK, 1995, false);
	p->u.nak.src = v6("2001:db8::1");
	p->u.nak.grp = v6("ff0e::1:2");
	nak_list(add(l, "nak-list", PGM_NAK, 1990, false), 3);
	nak_list(add(l, "nak-list-62", PGM_NAK, 1000, false), PGM_MAX_NAK_LIST);
	p = add(l, "nak-cr", PGM_NAK, 1980, false);
	p->opt.has = 1u << PGM_OPT_CR;
	p->opt.cr.flags = PGM_CR_NEL | PGM_CR_RXP;
	p->opt.cr.lead = 1985;
	p->opt.cr.ne_wl = 10;
	p->opt.cr.ne_wp = 20;
	p->opt.cr.rx_wp = 30;
	p->opt.cr.rcvr = v4("10.0.2.2");
	add(l, "nnak", PGM_NNAK, 1970, false);
	add(l, "ncf", PGM_NCF, 1995, true);
	p = add(l, "ncf-list-redirect", PGM_NCF, 1990, true);
	nak_list(p, 2);
	p->opt.has |= 1u << PGM_OPT_REDIRECT;
	p->opt.redirect = v4("10.0.9.9");
	p = add(l, "ncf-path-unreach", PGM_NCF, 1960, true);
	p->opt.has = 1u << PGM_OPT_PATH_NLA | 1u << PGM_OPT_NBR_UNREACH | 1u << PGM_OPT_NAK_BO_IVL;
	p->opt.path_nla = v4("10.0.3.1");
	p->opt.nak_bo_ivl.ivl = 40000;
}

static int write_all(FILE *f, const void *b, size_t n)
{
	return fwrite(b, 1, n, f) == n ? 0 : -1;
}

static int pcap_header(FILE *f)
{
	struct { uint32_t magic; uint16_t major, minor; int32_t zone;
	         uint32_t sigfigs, snaplen, linktype; } h = {
		0xa1b2c3d4, 2, 4, 0, 0, 65535, LINKTYPE_RAW,
	};
	return write_all(f, &h, sizeof h);
}

static int pcap_record(FILE *f, unsigned frame, const uint8_t *b, size_t n)
{
	/* Deterministic time stamps: one second per frame. */
	uint32_t rec[4] = { 1700000000u + frame, 0, (uint32_t)n, (uint32_t)n };
	if (write_all(f, rec, sizeof rec) != 0)
		return -1;
	return write_all(f, b, n);
}

enum col {
	C_FRAME, C_TYPE, C_CKSUM, C_SPM_SQN, C_NAK_SQN, C_POLL_SQN, C_POLR_SQN,
	C_SPM_PATH4, C_SPM_PATH6, C_POLL_PATH4, C_NAK_SRC4, C_NAK_SRC6,
	C_NAK_GRP4, C_NAK_GRP6, C_FRAG_FIRST, C_JOIN_MIN, C_REDIRECT4,
	C_NAK_BO_IVL, C_IP_RA, C_MALFORMED, C_DATA, C_NAK_LIST, C_COUNT
};
#define COL_LEN 1024

static void nla_cols(char (*col)[COL_LEN], enum col c4, int c6, const struct pgm_nla *nla)
{
	char s[INET6_ADDRSTRLEN];

	pgm_nla_ntop(nla, s, sizeof s);
	if (nla->afi == PGM_AFI_IPV4)
		snprintf(col[c4], COL_LEN, "%s", s);
	else if (c6 >= 0)
		snprintf(col[c6], COL_LEN, "%s", s);
}

static void hex_col(char *out, const uint8_t *b, size_t n)
{
	size_t i;
	for (i = 0; i < n && 2 * i + 2 < COL_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* "count:0x3e9 0x3ea ..." — what tshark -V lists for OPT_NAK_LIST. */
static void nak_list_col(char *out, const struct pgm_pkt *p)
{
	size_t used;
	unsigned i;

	if (!(p->opt.has & (1u << PGM_OPT_NAK_LIST)))
		return;
	used = (size_t)snprintf(out, COL_LEN, "%u:", p->opt.nak_list.count);
	for (i = 0; i < p->opt.nak_list.count && used < COL_LEN; i++)
		used += (size_t)snprintf(out + used, COL_LEN - used, "%s0x%x",
		                         i ? " " : "", p->opt.nak_list.sqn[i]);
}

static void type_cols(char (*col)[COL_LEN], const struct pgm_pkt *p)
{
	switch (p->type) {
	case PGM_SPM:
		snprintf(col[C_SPM_SQN], COL_LEN, "0x%08x", p->u.spm.sqn);
		nla_cols(col, C_SPM_PATH4, C_SPM_PATH6, &p->u.spm.path);
		break;
	case PGM_POLL:
		snprintf(col[C_POLL_SQN], COL_LEN, "0x%08x", p->u.poll.sqn);
		nla_cols(col, C_POLL_PATH4, -1, &p->u.poll.path);
		break;
	case PGM_POLR:
		snprintf(col[C_POLR_SQN], COL_LEN, "0x%08x", p->u.polr.sqn);
		break;
	case PGM_ODATA:
	case PGM_RDATA: /* tshark shows data SQNs in the SPM field */
		snprintf(col[C_SPM_SQN], COL_LEN, "0x%08x", p->u.data.sqn);
		hex_col(col[C_DATA], p->data, p->data_len);
		break;
	case PGM_NAK:
	case PGM_NNAK:
	case PGM_NCF:
		snprintf(col[C_NAK_SQN], COL_LEN, "0x%08x", p->u.nak.sqn);
		nla_cols(col, C_NAK_SRC4, C_NAK_SRC6, &p->u.nak.src);
		nla_cols(col, C_NAK_GRP4, C_NAK_GRP6, &p->u.nak.grp);
		break;
	default:
		break;
	}
}

static void option_cols(char (*col)[COL_LEN], const struct pgm_pkt *p)
{
	if (p->opt.has & (1u << PGM_OPT_FRAGMENT))
		snprintf(col[C_FRAG_FIRST], COL_LEN, "0x%08x", p->opt.fragment.first_sqn);
	if (p->opt.has & (1u << PGM_OPT_JOIN))
		snprintf(col[C_JOIN_MIN], COL_LEN, "0x%08x", p->opt.join_min);
	if (p->opt.has & (1u << PGM_OPT_REDIRECT))
		nla_cols(col, C_REDIRECT4, -1, &p->opt.redirect);
	if (p->opt.has & (1u << PGM_OPT_NAK_BO_IVL))
		snprintf(col[C_NAK_BO_IVL], COL_LEN, "%u", p->opt.nak_bo_ivl.ivl);
	nak_list_col(col[C_NAK_LIST], p);
}

/*
 * One tab-separated line per frame with what tshark must show, in the
 * column order t_codec_tshark.sh asks for. Wireshark 4.0 has no SPMR
 * dissector: an SPMR is expected to show up as bare data bytes.
 */
static void write_expect(FILE *e, unsigned frame, const struct gen_case *c,
                         const uint8_t *pgm, size_t n)
{
	char col[C_COUNT][COL_LEN];
	const struct pgm_pkt *p = &c->pkt;
	int i;

	memset(col, 0, sizeof col);
	snprintf(col[C_FRAME], COL_LEN, "%u", frame);
	if (c->router_alert)
		snprintf(col[C_IP_RA], COL_LEN, "0");
	if (p->type == PGM_SPMR) {
		hex_col(col[C_DATA], pgm, n);
	} else {
		snprintf(col[C_TYPE], COL_LEN, "0x%02x", p->type);
		snprintf(col[C_CKSUM], COL_LEN, "1"); /* PROTO_CHECKSUM_E_GOOD */
		type_cols(col, p);
		option_cols(col, p);
	}
	for (i = 0; i < C_COUNT; i++)
		fprintf(e, "%s%s", i ? "\t" : "", col[i]);
	fputc('\n', e);
}

static int write_seed(const char *dir, const char *name, const uint8_t *b, size_t n)
{
	char path[4096];
	FILE *f;
	int rc;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL)
		return -1;
	rc = write_all(f, b, n);
	return fclose(f) == 0 ? rc : -1;
}

static int emit(struct gen_ctx *g, const struct gen_case *c)
{
	uint8_t frame[MAX_PKT];
	size_t hl, n = pgm_build_len(&c->pkt);
	struct in_addr src, dst;
	const char *dst_s = pgm_type_upstream(c->pkt.type) ? "10.0.1.254" : "239.192.0.1";

	inet_pton(AF_INET, pgm_type_upstream(c->pkt.type) ? "10.0.2.2" : "10.0.1.1", &src);
	inet_pton(AF_INET, dst_s, &dst);
	hl = pgm_ip_build(frame, sizeof frame, src, dst, 16, c->router_alert, n);
	if (n == 0 || hl == 0 || pgm_build(frame + hl, sizeof frame - hl, &c->pkt) != n) {
		fprintf(stderr, "pgm_pcapgen: cannot build %s\n", c->name);
		return -1;
	}
	g->frame++;
	if (pcap_record(g->pcap, g->frame, frame, hl + n) != 0)
		return -1;
	if (g->expect)
		write_expect(g->expect, g->frame, c, frame + hl, n);
	if (g->seed_dir && write_seed(g->seed_dir, c->name, frame + hl, n) != 0)
		return -1;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: pgm_pcapgen -o out.pcap [-e expect.tsv] [-s seed_dir]\n");
	exit(2);
}

/* Write every case; returns 0 or -1. */
static int generate(struct gen_ctx *g)
{
	struct case_list *cases = calloc(1, sizeof *cases);
	size_t i;
	int rc;

	if (cases == NULL)
		return -1;
	spm_cases(cases);
	data_cases(cases);
	nak_cases(cases);
	rc = pcap_header(g->pcap);
	for (i = 0; i < cases->n && rc == 0; i++)
		rc = emit(g, &cases->c[i]);
	free(cases);
	return rc;
}

int main(int argc, char **argv)
{
	struct gen_ctx g = { NULL, NULL, NULL, 0 };
	const char *out = NULL, *expect = NULL;
	int ch, rc;

	while ((ch = getopt(argc, argv, "o:e:s:")) != -1) {
		switch (ch) {
		case 'o': out = optarg; break;
		case 'e': expect = optarg; break;
		case 's': g.seed_dir = optarg; break;
		default: usage();
		}
	}
	if (out == NULL || optind != argc)
		usage();
	g.pcap = fopen(out, "wb");
	if (g.pcap == NULL || (expect && (g.expect = fopen(expect, "w")) == NULL)) {
		fprintf(stderr, "pgm_pcapgen: %s\n", strerror(errno));
		if (g.pcap)
			fclose(g.pcap);
		return 1;
	}
	rc = generate(&g);
	if (fclose(g.pcap) != 0 || (g.expect && fclose(g.expect) != 0))
		rc = -1;
	if (rc != 0)
		fprintf(stderr, "pgm_pcapgen: write failed\n");
	return rc == 0 ? 0 : 1;
}
