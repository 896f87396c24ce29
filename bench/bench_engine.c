/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench_engine: the NE state engine alone, no I/O.
 *
 * A fake interface table (upstream "up0", downstream "dn0") and an ne_io
 * whose send only counts. SPMs create the sessions; then each round runs
 * the life of a million repair states through ne_handle(), one phase per
 * RFC 3208 §7 event, every packet prebuilt by the codec and visited in a
 * shuffled order (a real NAK storm does not arrive sorted):
 *
 *   nak-new      unicast NAK for a new SQN: state created, NCF + NAK sent
 *   nak-pending  the same NAK again before any NCF (§7.3)
 *   ncf          NCF from upstream confirms the state (§7.5)
 *   nak-elim     duplicate NAK after the NCF: eliminated (§7.4)
 *   rdata        RDATA forwarded on the interfaces in the state, state freed
 *   nak-refill   nak-new again, to give the timer something to expire
 *   expire       one ne_tick() past every deadline (states per second)
 *
 * Baseline, same packets, same run: pgm_ip_parse + pgm_parse alone (the
 * part of ne_handle every packet pays before any state is touched). Rates
 * are per CPU-second of this thread (CLOCK_THREAD_CPUTIME_ID), so another
 * process on the core does not count against us; wall time is shown too.
 * Memory: ne_rstate_bytes()/ne_session_bytes() and the RSS growth from
 * ne_new() to a million live states (/proc/self/statm).
 *
 * Targets (printed PASS/MISS, not asserted): >= 5M events/s per core over
 * the NAK/NCF/RDATA phases, <= 64 bytes per repair state.
 *
 * The engine runs with the daemon's defaults, NCF rate limiting (§7.2,
 * --ncf-ivl) on; each round is run again with it off (ncf_ivl_ms = 0),
 * rounds alternating, so the limiter's cost shows as its own column and
 * row. --ncf-ivl MS|default runs one interval only (profile_engine.sh).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "bench/benchpkt.h"
#include "common/wire.h"
#include "engine/ne.h"

#define SLOT        64           /* bytes per prebuilt packet */
#define MAX_ROUNDS  20
#define IF_UP       2            /* fake ifindexes */
#define IF_DN       3
#define T0_MS       1000000      /* fake clock; constant inside a phase */
#define TARGET_EPS  5e6
#define TARGET_BPS  64.0
#define DEFAULT_STATES (1u << 20)

enum phase { P_NAK_NEW, P_NAK_PENDING, P_NCF, P_NAK_ELIM, P_RDATA, P_NAK_REFILL, P_COUNT };

static const char *const phase_name[P_COUNT] = {
	"nak-new", "nak-pending", "ncf", "nak-elim", "rdata", "nak-refill",
};

struct bench {
	unsigned states, sessions, rounds;
	unsigned batch;      /* packets per ne_prefetch() batch; 1 = none */
	bool shuffle;
	struct ne_ifaces ifaces;
	struct ne_config cfg;
	uint64_t sends;
	uint8_t *pkt;        /* states * SLOT bytes, one phase at a time */
	uint8_t *len;        /* packet lengths */
	uint32_t *order;     /* event number of packet slot i */
	struct bpkt_flow up, down; /* downstream (ODATA side) and upstream flows */
	/* results[round][phase] */
	double cpu_eps[MAX_ROUNDS][P_COUNT], wall_eps[MAX_ROUNDS][P_COUNT];
	double off_eps[MAX_ROUNDS][P_COUNT]; /* cpu_eps with ncf_ivl_ms = 0 */
	uint32_t ncf_ivl;    /* the headline config's interval (default: daemon's) */
	uint32_t rcache_bytes; /* the repair cache (default: daemon's; 0 = off) */
	bool compare_off;    /* also run every round with the limiter off */
	bool off_round;      /* this round is the limiter-off one */
	double base_eps[MAX_ROUNDS][P_COUNT];
	double expire_sps[MAX_ROUNDS];
	uint64_t phase_sends[P_COUNT];
	unsigned phase_drop[P_COUNT];
	size_t phase_live[P_COUNT]; /* repair states after the phase */
	size_t rss_delta;
	size_t states_live;
	size_t expired;
};

static int fake_send(void *ctx, const uint8_t *pgm, size_t len, struct in_addr src,
                     struct in_addr dst, int ifindex, uint8_t ttl, bool ra)
{
	struct bench *b = ctx;
	(void)pgm; (void)len; (void)src; (void)dst; (void)ifindex; (void)ttl; (void)ra;
	b->sends++;
	return 0;
}

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t rss_bytes(void)
{
	unsigned long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return (size_t)res * (size_t)sysconf(_SC_PAGESIZE);
}

static void add_iface(struct ne_ifaces *t, int ifindex, const char *name, const char *addr)
{
	struct ne_iface *f = ne_iface_get(t, ifindex);
	snprintf(f->name, sizeof(f->name), "%s", name);
	inet_pton(AF_INET, addr, &f->addr);
	f->up = f->multicast = f->enabled = true;
}

static void setup(struct bench *b)
{
	add_iface(&b->ifaces, IF_UP, "up0", "10.1.0.1");
	add_iface(&b->ifaces, IF_DN, "dn0", "10.2.0.1");
	/* Data flows from the source 10.1.0.100 down to group 239.192.0.1;
	 * receivers on 10.2.0.0/24 send NAKs to us at 10.2.0.1. */
	struct bpkt_flow d = { .ttl = 16, .sport = 7500, .dport = 7501, .payload = 16,
	                       .trail = 1000, .lead = 1000 + b->states };
	inet_pton(AF_INET, "10.1.0.100", &d.src);
	inet_pton(AF_INET, "239.192.0.1", &d.dst);
	d.odata_src = d.src;
	d.group = d.dst;
	b->down = d;
	b->up = d; /* NAKs: receiver -> us */
	inet_pton(AF_INET, "10.2.0.50", &b->up.src);
	inet_pton(AF_INET, "10.2.0.1", &b->up.dst);

	ne_config_defaults(&b->cfg);
	b->cfg.max_sessions = b->sessions;
	b->cfg.max_rstates = b->states;
	b->cfg.max_rstates_per_session = b->states;
	b->cfg.rcache_bytes = b->rcache_bytes;

	b->pkt = malloc((size_t)b->states * SLOT);
	b->len = malloc(b->states);
	b->order = malloc((size_t)b->states * sizeof(uint32_t));
	if (!b->pkt || !b->len || !b->order) {
		fprintf(stderr, "bench_engine: out of memory\n");
		exit(1);
	}
	/* Fixed-seed shuffle: every run visits the same order. */
	uint64_t x = 0x9E3779B97F4A7C15ull;
	for (uint32_t i = 0; i < b->states; i++)
		b->order[i] = i;
	for (uint32_t i = b->states - 1; b->shuffle && i > 0; i--) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		uint32_t j = (uint32_t)(x % (i + 1u)), t = b->order[i];
		b->order[i] = b->order[j];
		b->order[j] = t;
	}
	/* Touch the packet area now so its pages are not counted as engine
	 * RSS (not with zeros: the compiler may turn malloc+memset 0 into a
	 * calloc that touches nothing). */
	memset(b->pkt, 0xA5, (size_t)b->states * SLOT);
	memset(b->len, 0xA5, b->states);
}

/* Event e is TSI e % sessions, SQN trail + e / sessions. */
static void build_phase(struct bench *b, enum phase p)
{
	uint8_t type = p == P_NCF ? PGM_NCF : p == P_RDATA ? PGM_RDATA : PGM_NAK;
	const struct bpkt_flow *f = type == PGM_NAK ? &b->up : &b->down;
	for (uint32_t i = 0; i < b->states; i++) {
		uint32_t e = b->order[i];
		size_t n = bpkt_build(b->pkt + (size_t)i * SLOT, SLOT, type, f, e % b->sessions,
		                      f->trail + e / b->sessions);
		if (n == 0) {
			fprintf(stderr, "bench_engine: packet does not fit %d bytes\n", SLOT);
			exit(1);
		}
		b->len[i] = (uint8_t)n;
	}
}

static void meta_of(enum phase p, struct ne_meta *m)
{
	if (p == P_NCF || p == P_RDATA)
		*m = (struct ne_meta){ NE_HOOK_FORWARD, IF_UP, IF_DN };
	else
		*m = (struct ne_meta){ NE_HOOK_INPUT, IF_DN, 0 };
}

/* Baseline: what every packet costs before the engine's own work. */
static double run_parse(struct bench *b, unsigned *bad)
{
	struct pgm_ip iph;
	struct pgm_pkt pkt;
	unsigned nbad = 0;
	double t = clock_s(CLOCK_THREAD_CPUTIME_ID);
	for (uint32_t i = 0; i < b->states; i++) {
		const uint8_t *ip = b->pkt + (size_t)i * SLOT;
		if (pgm_ip_parse(ip, b->len[i], &iph) != PGM_OK ||
		    pgm_parse(ip + iph.hdr_len, iph.total_len - iph.hdr_len, 0, &pkt) != PGM_OK)
			nbad++;
	}
	t = clock_s(CLOCK_THREAD_CPUTIME_ID) - t;
	*bad = nbad;
	return t > 0 ? b->states / t : 0;
}

static void run_engine(struct bench *b, struct ne *ne, enum phase p, unsigned r)
{
	struct ne_meta m;
	bool mod;
	unsigned drops = 0;
	uint64_t sends0 = b->sends;
	meta_of(p, &m);
	double w = clock_s(CLOCK_MONOTONIC), t = clock_s(CLOCK_THREAD_CPUTIME_ID);
	for (uint32_t i = 0; i < b->states; i += b->batch) {
		uint32_t end = i + b->batch < b->states ? i + b->batch : b->states;
		/* --batch N: as a datapath with an N-packet receive batch would,
		 * hint every packet of the batch before handling the first. */
		for (uint32_t k = i; b->batch > 1 && k < end; k++)
			ne_prefetch(ne, b->pkt + (size_t)k * SLOT, b->len[k]);
		for (uint32_t k = i; k < end; k++)
			drops += ne_handle(ne, b->pkt + (size_t)k * SLOT, b->len[k], &m, T0_MS,
			                   &mod) == NE_DROP;
	}
	t = clock_s(CLOCK_THREAD_CPUTIME_ID) - t;
	w = clock_s(CLOCK_MONOTONIC) - w;
	if (b->off_round) { /* only the rate: the rest describes the headline */
		b->off_eps[r][p] = t > 0 ? b->states / t : 0;
		return;
	}
	b->cpu_eps[r][p] = t > 0 ? b->states / t : 0;
	b->wall_eps[r][p] = w > 0 ? b->states / w : 0;
	b->phase_sends[p] = b->sends - sends0;
	b->phase_drop[p] = drops;
}

/* SPMs announce every session, as they would on the wire, in FORWARD. */
static void make_sessions(struct bench *b, struct ne *ne)
{
	uint8_t buf[SLOT];
	struct ne_meta m = { NE_HOOK_FORWARD, IF_UP, IF_DN };
	bool mod;
	for (unsigned s = 0; s < b->sessions; s++) {
		size_t n = bpkt_build(buf, sizeof(buf), PGM_SPM, &b->down, s, 1);
		ne_handle(ne, buf, n, &m, T0_MS, &mod);
	}
}

static void one_round(struct bench *b, unsigned r, bool off)
{
	struct ne_io io = { .ctx = b, .send = fake_send };
	b->off_round = off;
	b->cfg.ncf_ivl_ms = off ? 0 : b->ncf_ivl;
	size_t rss0 = rss_bytes();
	struct ne *ne = ne_new(&b->cfg, &b->ifaces, &io);
	if (ne == NULL) {
		fprintf(stderr, "bench_engine: ne_new failed (%u states)\n", b->states);
		exit(1);
	}
	make_sessions(b, ne);
	if (ne_session_count(ne) != b->sessions)
		fprintf(stderr, "bench_engine: warning: %zu sessions, expected %u\n",
		        ne_session_count(ne), b->sessions);
	for (enum phase p = 0; p < P_COUNT; p++) {
		if (p != P_NAK_PENDING)
			build_phase(b, p); /* nak-pending repeats nak-new's packets */
		unsigned bad;
		double base = run_parse(b, &bad);
		if (!off)
			b->base_eps[r][p] = base;
		if (bad)
			fprintf(stderr, "bench_engine: %u packets do not parse in %s\n", bad,
			        phase_name[p]);
		run_engine(b, ne, p, r);
		if (off)
			continue;
		b->phase_live[p] = ne_rstate_count(ne);
		if (p == P_NAK_NEW && r == 0) {
			b->rss_delta = rss_bytes() - rss0;
			b->states_live = ne_rstate_count(ne);
		}
	}
	/* Every deadline lies within NAK_RDATA_IVL + NAK_RPT_IVL of T0. */
	size_t before = ne_rstate_count(ne);
	double t = clock_s(CLOCK_THREAD_CPUTIME_ID);
	ne_tick(ne, T0_MS + 3600 * 1000);
	t = clock_s(CLOCK_THREAD_CPUTIME_ID) - t;
	size_t expired = before - ne_rstate_count(ne);
	if (!off) {
		b->expired = expired;
		b->expire_sps[r] = t > 0 ? expired / t : 0;
	}
	ne_free(ne);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(const double *v, unsigned n)
{
	double s[MAX_ROUNDS];
	memcpy(s, v, n * sizeof(double));
	qsort(s, n, sizeof(double), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static double col_median(const struct bench *b, const double (*v)[P_COUNT], enum phase p)
{
	double c[MAX_ROUNDS];
	for (unsigned r = 0; r < b->rounds; r++)
		c[r] = v[r][p];
	return median(c, b->rounds);
}

/* One summary row: to stdout, and to $BENCH_SUMMARY as TSV for run.sh. */
static void result(const struct bench *b, const char *metric, const char *value,
                   const char *target, const char *verdict)
{
	char m[160], states[32] = "";
	/* The shuffled 1M-state run is the one that counts; others say what
	 * they changed. */
	if (b->states != DEFAULT_STATES)
		snprintf(states, sizeof(states), " (%u states)", b->states);
	char batch[32] = "";
	if (b->batch > 1)
		snprintf(batch, sizeof(batch), " (batch %u)", b->batch);
	snprintf(m, sizeof(m), "%s%s%s%s", metric, b->shuffle ? "" : " (sorted)", batch, states);
	metric = m;
	printf("result: %-12s %-36s %14s %10s %s\n", "engine", metric, value, target, verdict);
	const char *path = getenv("BENCH_SUMMARY");
	FILE *f = path && *path ? fopen(path, "a") : NULL;
	if (f) {
		fprintf(f, "engine\t%s\t%s\t%s\t%s\n", metric, value, target, verdict);
		fclose(f);
	}
}

static void print_machine(void)
{
	char model[128] = "?", line[256];
	struct utsname u;
	FILE *f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
			snprintf(model, sizeof(model), "%s", strchr(line, ':') + 2);
			model[strcspn(model, "\n")] = '\0';
			break;
		}
	if (f)
		fclose(f);
	uname(&u);
	/* The load says how much of the noise other tenants contribute. */
	double load[3] = { 0, 0, 0 };
	f = fopen("/proc/loadavg", "r");
	if (f && fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
		load[0] = -1;
	if (f)
		fclose(f);
	printf("machine: nproc=%ld cpu=\"%s\" kernel=%s loadavg=\"%.2f %.2f %.2f\"\n",
	       sysconf(_SC_NPROCESSORS_ONLN), model, u.release, load[0], load[1], load[2]);
}

/* Events per CPU-second over the NAK/NCF/RDATA life of a state. */
static double mix_of(const struct bench *b, const double (*v)[P_COUNT])
{
	double tot_t = 0, tot_n = 0;
	for (enum phase p = P_NAK_NEW; p <= P_RDATA; p++) {
		double e = col_median(b, v, p);
		tot_n += b->states;
		tot_t += e > 0 ? b->states / e : 0;
	}
	return tot_t > 0 ? tot_n / tot_t : 0;
}

static void report(struct bench *b)
{
	char v[64];

	printf("%-12s %9s %11s %11s %12s %7s %8s %8s %8s %11s\n", "phase", "events", "engine/s",
	       "wall/s", "parse-only/s", "ratio", "sends", "drops", "states",
	       b->compare_off ? "ncf-ivl-0/s" : "");
	for (enum phase p = 0; p < P_COUNT; p++) {
		double e = col_median(b, b->cpu_eps, p), base = col_median(b, b->base_eps, p);
		printf("%-12s %9u %11.0f %11.0f %12.0f %7.3f %8llu %8u %8zu", phase_name[p],
		       b->states, e, col_median(b, b->wall_eps, p), base, base > 0 ? e / base : 0,
		       (unsigned long long)b->phase_sends[p], b->phase_drop[p], b->phase_live[p]);
		if (b->compare_off)
			printf(" %11.0f", col_median(b, b->off_eps, p));
		printf("\n");
	}
	printf("%-12s %9zu %11.0f  (one ne_tick; states expired per second)\n", "expire",
	       b->expired, median(b->expire_sps, b->rounds));
	printf("engine/s: events per CPU-second of this thread, ncf_ivl_ms=%u; ratio = engine/s "
	       "over parse-only/s on the same packets\n(1.0 = the engine costs nothing beyond "
	       "parsing); sends/drops/states: last round%s\n", b->ncf_ivl,
	       b->compare_off ? "; ncf-ivl-0/s: engine/s with NCF rate limiting off" : "");

	double mix = mix_of(b, b->cpu_eps);
	snprintf(v, sizeof(v), "%.0f", mix);
	result(b, "events/s/core nak+ncf+rdata mix", v, ">=5000000",
	       mix >= TARGET_EPS ? "PASS" : "MISS");
	if (b->compare_off) {
		double off = mix_of(b, b->off_eps);
		snprintf(v, sizeof(v), "%.0f", off);
		result(b, "events/s/core mix, ncf-ivl 0", v, ">=5000000",
		       off >= TARGET_EPS ? "PASS" : "MISS");
		snprintf(v, sizeof(v), "%.3f", off > 0 ? mix / off : 0);
		result(b, "mix ratio limiter on/off", v, "-", "info");
	}
	for (enum phase p = P_NAK_NEW; p <= P_RDATA; p++) {
		char m[64];
		double e = col_median(b, b->cpu_eps, p);
		snprintf(m, sizeof(m), "events/s/core %s", phase_name[p]);
		snprintf(v, sizeof(v), "%.0f", e);
		result(b, m, v, ">=5000000", e >= TARGET_EPS ? "PASS" : "MISS");
	}
	snprintf(v, sizeof(v), "%zu", ne_rstate_bytes());
	result(b, "bytes/repair state (ne_rstate_bytes)", v, "<=64",
	       ne_rstate_bytes() <= TARGET_BPS ? "PASS" : "MISS");
	double rss = b->states_live ? (double)b->rss_delta / (double)b->states_live : 0;
	snprintf(v, sizeof(v), "%.1f", rss);
	result(b, "bytes/repair state (RSS delta)", v, "<=64", rss <= TARGET_BPS ? "PASS" : "MISS");
	snprintf(v, sizeof(v), "%zu", ne_session_bytes());
	result(b, "bytes/session (ne_session_bytes)", v, "-", "info");
	if (b->states_live != b->states)
		printf("warning: %zu live states after nak-new, expected %u\n", b->states_live,
		       b->states);
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_engine [--quick] [--states N] [--sessions N] "
	                "[--rounds N] [--sorted] [--batch N] [--ncf-ivl MS|default]\n"
	                "       [--repair-cache BYTES]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct bench b; /* large: not on the stack */
	static const struct option lo[] = {
		{ "quick", no_argument, NULL, 'Q' },
		{ "states", required_argument, NULL, 'n' },
		{ "sessions", required_argument, NULL, 's' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "sorted", no_argument, NULL, 'o' },
		{ "batch", required_argument, NULL, 'b' },
		{ "ncf-ivl", required_argument, NULL, 'i' },
		{ "repair-cache", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	b.states = DEFAULT_STATES;
	b.sessions = 1024;
	b.rounds = 3;
	b.batch = 1;
	b.shuffle = true;
	struct ne_config defaults;
	ne_config_defaults(&defaults);
	b.ncf_ivl = defaults.ncf_ivl_ms;
	b.rcache_bytes = defaults.rcache_bytes;
	b.compare_off = true;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'Q': b.rounds = 1; break;
		case 'n': b.states = (unsigned)strtoul(optarg, NULL, 0); break;
		case 's': b.sessions = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'r': b.rounds = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'o': b.shuffle = false; break;
		case 'b': b.batch = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'c': b.rcache_bytes = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'i': /* one interval only, no limiter-off rounds */
			b.compare_off = false;
			if (strcmp(optarg, "default") != 0)
				b.ncf_ivl = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		default: usage();
		}
	}
	if (b.states < 2 || b.sessions == 0 || b.sessions > b.states || b.rounds == 0 ||
	    b.rounds > MAX_ROUNDS || b.states > (1u << 26) || b.batch == 0 || b.batch > 1024)
		usage();

	printf("bench_engine: RFC 3208 §7 state engine alone, fake interfaces, no-op send\n");
	printf("config: states=%u sessions=%u sqns/session=%u rounds=%u order=%s batch=%u "
	       "ncf_ivl_ms=%u%s repair_cache=%u rstate_bytes=%zu session_bytes=%zu (median of rounds shown)\n",
	       b.states, b.sessions, (b.states + b.sessions - 1) / b.sessions, b.rounds,
	       b.shuffle ? "shuffled" : "sorted", b.batch, b.ncf_ivl,
	       b.compare_off ? " (and 0)" : "", b.rcache_bytes, ne_rstate_bytes(), ne_session_bytes());
	print_machine();
	fflush(stdout);
	setup(&b);
	for (unsigned r = 0; r < b.rounds; r++) {
		one_round(&b, r, false);
		if (b.compare_off)
			one_round(&b, r, true);
	}
	report(&b);
	free(b.pkt);
	free(b.len);
	free(b.order);
	return 0;
}
