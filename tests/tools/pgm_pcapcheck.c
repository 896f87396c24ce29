/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgm_pcapcheck: run every IPv4 PGM packet of a classic pcap file through
 * our parser (pgm_ip_parse + pgm_parse, checksum verified), so captures
 * of another implementation (OpenPGM) check our decoder the way
 * pgm_pcapgen + tshark check our encoder.
 *
 *   pgm_pcapcheck [-v] file.pcap
 *
 * Link types: Ethernet (1), raw IP (101), Linux cooked (113). Prints a
 * count per packet type and option, each failure with its frame number
 * and pgm_err name; exits 1 if any PGM packet fails or none is found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/wire.h"

#define PCAP_MAGIC 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define MAX_SNAP 262144
#define ETH_HLEN 14
#define SLL_HLEN 16

struct pcap_in {
	FILE *f;
	bool swap;
	uint32_t linktype;
};

struct tally {
	unsigned frames, pgm, bad;
	unsigned by_type[16];
	unsigned by_opt[32];
	unsigned by_err[PGM_E_COUNT];
};

static uint32_t rd32(const uint8_t *b, bool swap)
{
	uint32_t v;
	memcpy(&v, b, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static int pcap_open(struct pcap_in *in, const char *path)
{
	uint8_t h[24];
	uint32_t magic;

	in->f = fopen(path, "rb");
	if (in->f == NULL || fread(h, 1, sizeof h, in->f) != sizeof h)
		return -1;
	memcpy(&magic, h, 4);
	if (magic == PCAP_MAGIC || magic == PCAP_MAGIC_NS)
		in->swap = false;
	else if (__builtin_bswap32(magic) == PCAP_MAGIC || __builtin_bswap32(magic) == PCAP_MAGIC_NS)
		in->swap = true;
	else
		return -1;
	in->linktype = rd32(h + 20, in->swap);
	return 0;
}

/* Next record into buf; returns captured length, 0 at end, -1 on error. */
static long pcap_next(struct pcap_in *in, uint8_t *buf, size_t cap)
{
	uint8_t rec[16];
	uint32_t incl;
	size_t got = fread(rec, 1, sizeof rec, in->f);

	if (got == 0 && feof(in->f))
		return 0;
	if (got != sizeof rec)
		return -1;
	incl = rd32(rec + 8, in->swap);
	if (incl > cap || fread(buf, 1, incl, in->f) != incl)
		return -1;
	return (long)incl;
}

/* Offset of the IPv4 header in a frame, or -1 if the frame is not IPv4. */
static long ip_offset(uint32_t linktype, const uint8_t *b, size_t n)
{
	switch (linktype) {
	case 1: /* Ethernet */
		return n > ETH_HLEN && b[12] == 0x08 && b[13] == 0x00 ? ETH_HLEN : -1;
	case 101: /* raw IP */
		return n > 0 && (b[0] >> 4) == 4 ? 0 : -1;
	case 113: /* Linux cooked v1 */
		return n > SLL_HLEN && b[14] == 0x08 && b[15] == 0x00 ? SLL_HLEN : -1;
	default:
		return -1;
	}
}

static void count_options(struct tally *t, const struct pgm_pkt *p)
{
	unsigned i;
	for (i = 0; i < 32; i++)
		if (p->opt.has & (1u << i))
			t->by_opt[i]++;
}

static void check_frame(struct tally *t, uint32_t linktype, const uint8_t *b, size_t n, bool verbose)
{
	long off = ip_offset(linktype, b, n);
	struct pgm_ip ip;
	struct pgm_pkt p;
	enum pgm_err e;

	if (off < 0 || pgm_ip_parse(b + off, n - (size_t)off, &ip) != PGM_OK ||
	    ip.proto != PGM_IPPROTO)
		return;
	t->pgm++;
	e = pgm_parse(b + off + ip.hdr_len, ip.total_len - ip.hdr_len, 0, &p);
	t->by_err[e]++;
	if (e != PGM_OK) {
		t->bad++;
		printf("frame %u: %s\n", t->frames, pgm_err_name(e));
		return;
	}
	t->by_type[p.type & 0x0F]++;
	count_options(t, &p);
	if (verbose)
		printf("frame %u: %s len %u opts 0x%x\n", t->frames, pgm_type_name(p.type),
		       (unsigned)(ip.total_len - ip.hdr_len), p.opt.has);
}

static void report(const struct tally *t)
{
	unsigned i;

	printf("frames %u pgm %u bad %u\n", t->frames, t->pgm, t->bad);
	for (i = 0; i < 16; i++)
		if (t->by_type[i])
			printf("type %s %u\n", pgm_type_name((uint8_t)i), t->by_type[i]);
	for (i = 0; i < 32; i++)
		if (t->by_opt[i])
			printf("option %s %u\n", pgm_opt_name((uint8_t)i), t->by_opt[i]);
}

int main(int argc, char **argv)
{
	struct pcap_in in = { NULL, false, 0 };
	struct tally t;
	uint8_t *buf;
	bool verbose = false;
	long n;
	int ch;

	while ((ch = getopt(argc, argv, "v")) != -1) {
		if (ch != 'v') {
			fprintf(stderr, "usage: pgm_pcapcheck [-v] file.pcap\n");
			return 2;
		}
		verbose = true;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: pgm_pcapcheck [-v] file.pcap\n");
		return 2;
	}
	memset(&t, 0, sizeof t);
	buf = malloc(MAX_SNAP);
	if (buf == NULL || pcap_open(&in, argv[optind]) != 0) {
		fprintf(stderr, "pgm_pcapcheck: cannot read %s as pcap\n", argv[optind]);
		free(buf);
		if (in.f)
			fclose(in.f);
		return 2;
	}
	while ((n = pcap_next(&in, buf, MAX_SNAP)) > 0) {
		t.frames++;
		check_frame(&t, in.linktype, buf, (size_t)n, verbose);
	}
	fclose(in.f);
	free(buf);
	report(&t);
	if (n < 0) {
		fprintf(stderr, "pgm_pcapcheck: truncated capture\n");
		return 1;
	}
	return t.pgm > 0 && t.bad == 0 ? 0 : 1;
}
