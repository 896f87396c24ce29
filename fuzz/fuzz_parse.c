/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for the PGM codec. For any input:
 *  - pgm_parse() and pgm_ip_parse() never read out of bounds (the input
 *    is an exactly sized heap copy, so ASan sees one byte too far);
 *  - a packet that parses can be rebuilt from its view, the rebuilt
 *    bytes parse again with a valid checksum and to the same view;
 *  - the NE's in-place edits (path NLA rewrite, OPX invalidation) stay
 *    inside the buffer and keep a valid checksum valid.
 *  - the input as text through pgm_tsi_parse(): what parses formats and
 *    parses back to the same TSI.
 * Any violation aborts, which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cksum.h"
#include "common/tsi.h"
#include "common/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

/* Options without chain bookkeeping, unused NAK list slots cleared. */
static void semantic_opts(const struct pgm_opts *in, struct pgm_opts *out)
{
	memcpy(out, in, sizeof *out);
	out->has &= ~(1u << PGM_OPT_LENGTH);
	out->count = out->unknown = out->invalidate_count = 0;
	out->total_len = 0;
	memset(out->invalidate_off, 0, sizeof out->invalidate_off);
	if (out->nak_list.count < PGM_MAX_NAK_LIST)
		memset(out->nak_list.sqn + out->nak_list.count, 0,
		       (PGM_MAX_NAK_LIST - out->nak_list.count) * sizeof(uint32_t));
}

static int same_view(const struct pgm_pkt *a, const struct pgm_pkt *b)
{
	const uint8_t keep = (uint8_t)~(PGM_OPT_PRESENT | PGM_OPT_NETSIG);
	struct pgm_opts oa, ob;

	semantic_opts(&a->opt, &oa);
	semantic_opts(&b->opt, &ob);
	return a->type == b->type && a->sport == b->sport && a->dport == b->dport &&
	       pgm_tsi_eq(&a->tsi, &b->tsi) && a->tsdu_len == b->tsdu_len &&
	       (a->opt_flags & keep) == (b->opt_flags & keep) &&
	       a->hdr_len == b->hdr_len && a->nla_off == b->nla_off &&
	       memcmp(&a->u, &b->u, sizeof a->u) == 0 &&
	       memcmp(&oa, &ob, sizeof oa) == 0 && a->data_len == b->data_len &&
	       (a->data_len == 0 || memcmp(a->data, b->data, a->data_len) == 0);
}

/* build(view) parses back, checksum included, to the same view. */
static void check_rebuild(const struct pgm_pkt *p)
{
	size_t n = pgm_build_len(p);
	uint8_t *b;
	struct pgm_pkt q;

	check(n > 0);
	b = malloc(n);
	check(b != NULL);
	check(pgm_build(b, n, p) == n);
	check(pgm_build(b, n - 1, p) == 0);
	check(pgm_parse(b, n, 0, &q) == PGM_OK);
	check(same_view(p, &q));
	free(b);
}

/* The NE's edits on the packet itself. */
static void check_edits(uint8_t *buf, size_t len, const struct pgm_pkt *p)
{
	int cksum_was_ok = pgm_cksum_ok(buf, len);
	struct pgm_pkt q;
	struct pgm_nla nla;

	if (p->type == PGM_SPM || p->type == PGM_POLL) {
		nla = p->type == PGM_SPM ? p->u.spm.path : p->u.poll.path;
		memset(&nla.u, 0xA5, pgm_nla_addr_len(nla.afi));
		check(pgm_rewrite_path_nla(buf, len, p, &nla));
		check(pgm_parse(buf, len, PGM_PARSE_NO_CSUM, &q) == PGM_OK);
		check(pgm_nla_eq(p->type == PGM_SPM ? &q.u.spm.path : &q.u.poll.path, &nla));
		check(!cksum_was_ok || pgm_cksum_ok(buf, len));
	}
	pgm_invalidate_options(buf, len, p);
	check(pgm_parse(buf, len, PGM_PARSE_NO_CSUM, &q) == PGM_OK);
	check(q.opt.invalidate_count == 0);
	check(!cksum_was_ok || pgm_cksum_ok(buf, len));
}

static void check_tsi_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char text[PGM_TSI_STRLEN];
	struct pgm_tsi t, u;

	check(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	if (pgm_tsi_parse(s, &t)) {
		check(pgm_tsi_parse(pgm_tsi_format(&t, text, sizeof text), &u));
		check(pgm_tsi_eq(&t, &u));
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct pgm_pkt p;
	struct pgm_ip ip;

	check(buf != NULL);
	memcpy(buf, data, size);
	(void)pgm_ip_parse(buf, size, &ip);
	(void)pgm_parse(buf, size, 0, &p);
	if (pgm_parse(buf, size, PGM_PARSE_NO_CSUM, &p) == PGM_OK) {
		check(p.data == NULL || (p.data >= buf && p.data + p.data_len == buf + size));
		check_rebuild(&p);
		check_edits(buf, size, &p);
	}
	free(buf);
	check_tsi_text(data, size);
	return 0;
}
