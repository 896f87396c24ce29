/*
 * opgm_send — a PGM source built on stock OpenPGM 5.3, for interop tests.
 *
 * Sends a file (stdin when none) to a multicast group as APDUs over PGM
 * on raw IP (protocol 113; needs root), then lingers serving repairs
 * (NAK -> NCF + RDATA) before closing. OpenPGM 5 has no thread of its own:
 * NAKs, SPM heartbeats and repairs are only processed while the program
 * calls pgm_recv(), so one non-blocking loop interleaves sending with that.
 * SIGINT/SIGTERM end the linger early with a clean close.
 *
 * Command line compatible with bin/pgmsend:
 *   opgm_send -n "IFADDR;GROUP" -p PORT [-r RATE_KBIT] [-s SOURCE_PORT] [FILE]
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pgm/pgm.h>

static const char *errmsg(const pgm_error_t *err)
{
	return err && err->message ? err->message : "unknown error";
}

enum { EXIT_ARGS = 2 };

struct opts {
	const char *network;
	const char *file;
	int port;
	int sport;
	long rate_kbit;
	int apdu;
	int ttl;
	int linger_s;
	int spm_ms;
	bool verbose;
};

struct sender {
	struct opts o;
	pgm_sock_t *sock;
	uint8_t *data;
	size_t len;
	size_t off;
	uint64_t apdus;
};

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
	    "usage: opgm_send -n \"IFADDR;GROUP\" -p PORT [-r RATE_KBIT] [-s SOURCE_PORT]\n"
	    "                 [-a APDU_BYTES] [-T TTL] [-l LINGER_S] [-S SPM_MS] [-v] [FILE]\n"
	    "Send FILE (stdin when none) over PGM (OpenPGM 5.3, raw IP protocol 113),\n"
	    "then keep serving repairs for LINGER_S seconds (SIGINT/SIGTERM end it).\n"
	    "  -n   numeric interface address and group, e.g. \"10.0.1.1;239.192.0.1\"\n"
	    "  -p   data-destination port\n"
	    "  -r   transmit rate limit in kbit/s (default 10000)\n"
	    "  -s   data-source port (default: random)\n"
	    "  -a   APDU size in bytes (default 1024: one ODATA each)\n"
	    "  -T   multicast TTL (default 16)\n"
	    "  -l   linger after the last byte, seconds (default 10)\n"
	    "  -S   ambient SPM interval in ms (default 1000)\n"
	    "exit: 0 sent, 1 runtime error, 2 bad arguments\n");
}

static bool parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	*o = (struct opts){ .port = -1, .rate_kbit = 10000, .apdu = 1024, .ttl = 16,
	                    .linger_s = 10, .spm_ms = 1000 };
	int c;
	long v;
	while ((c = getopt_long(argc, argv, "n:p:r:s:a:T:l:S:vh", lopts, NULL)) != -1) {
		switch (c) {
		case 'n': o->network = optarg; break;
		case 'p': if (!parse_int(optarg, 1, 65535, &v)) goto bad; o->port = (int)v; break;
		case 'r': if (!parse_int(optarg, 8, 10000000, &v)) goto bad; o->rate_kbit = v; break;
		case 's': if (!parse_int(optarg, 1, 65535, &v)) goto bad; o->sport = (int)v; break;
		case 'a': if (!parse_int(optarg, 1, 65000, &v)) goto bad; o->apdu = (int)v; break;
		case 'T': if (!parse_int(optarg, 1, 255, &v)) goto bad; o->ttl = (int)v; break;
		case 'l': if (!parse_int(optarg, 0, 3600, &v)) goto bad; o->linger_s = (int)v; break;
		case 'S': if (!parse_int(optarg, 10, 60000, &v)) goto bad; o->spm_ms = (int)v; break;
		case 'v': o->verbose = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (!o->network || o->port < 0) {
		fprintf(stderr, "opgm_send: -n and -p are required\n");
		usage(stderr);
		return -1;
	}
	if (optind < argc)
		o->file = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "opgm_send: one FILE at most\n");
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "opgm_send: bad value for -%c: %s\n", c, optarg);
	usage(stderr);
	return -1;
}

static int read_all(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = path ? fopen(path, "rb") : stdin;
	if (!f) {
		fprintf(stderr, "opgm_send: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t cap = 65536, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	bool err = !buf || ferror(f);
	if (path)
		fclose(f);
	if (err) {
		fprintf(stderr, "opgm_send: reading input failed\n");
		free(buf);
		return -1;
	}
	*data = buf;
	*len = n;
	return 0;
}

static bool setopt_int(pgm_sock_t *sock, int opt, int val, const char *name)
{
	if (!pgm_setsockopt(sock, IPPROTO_PGM, opt, &val, sizeof val)) {
		fprintf(stderr, "opgm_send: setting %s failed\n", name);
		return false;
	}
	return true;
}

static int open_socket(struct sender *s)
{
	const struct opts *o = &s->o;
	pgm_error_t *err = NULL;
	struct pgm_addrinfo_t *res = NULL;

	if (!pgm_getaddrinfo(o->network, NULL, &res, &err)) {
		fprintf(stderr, "opgm_send: parsing network \"%s\": %s\n", o->network, errmsg(err));
		pgm_error_free(err);
		return -1;
	}
	if (!pgm_socket(&s->sock, res->ai_send_addrs[0].gsr_group.ss_family, SOCK_SEQPACKET, IPPROTO_PGM, &err)) {
		fprintf(stderr, "opgm_send: socket: %s\n", errmsg(err));
		pgm_error_free(err);
		pgm_freeaddrinfo(res);
		return -1;
	}

	/* Window: every APDU stays repairable until we close. */
	size_t tpdus = s->len / (size_t)o->apdu + 2;
	if (o->apdu > 1400)
		tpdus = tpdus * ((size_t)o->apdu / 1400 + 1);
	long txw = (long)tpdus + 1000;
	if (txw > 1000000) {
		fprintf(stderr, "opgm_send: input too large for the transmit window\n");
		pgm_freeaddrinfo(res);
		return -1;
	}
	/* Heartbeat SPMs close behind data so a lost tail is noticed fast. */
	const int heartbeat[] = { 50 * 1000, 100 * 1000, 200 * 1000, 400 * 1000, 800 * 1000,
	                          o->spm_ms * 1000 };
	long rate = o->rate_kbit * 1000 / 8;
	bool ok = setopt_int(s->sock, PGM_SEND_ONLY, 1, "PGM_SEND_ONLY") &&
	          setopt_int(s->sock, PGM_MTU, 1500, "PGM_MTU") &&
	          setopt_int(s->sock, PGM_TXW_SQNS, (int)txw, "PGM_TXW_SQNS") &&
	          setopt_int(s->sock, PGM_TXW_MAX_RTE, (int)rate, "PGM_TXW_MAX_RTE") &&
	          setopt_int(s->sock, PGM_AMBIENT_SPM, o->spm_ms * 1000, "PGM_AMBIENT_SPM") &&
	          pgm_setsockopt(s->sock, IPPROTO_PGM, PGM_HEARTBEAT_SPM, heartbeat, sizeof heartbeat);
	if (!ok) {
		pgm_freeaddrinfo(res);
		return -1;
	}

	struct pgm_sockaddr_t addr;
	memset(&addr, 0, sizeof addr);
	addr.sa_port = (uint16_t)o->port;
	addr.sa_addr.sport = (uint16_t)o->sport;
	/* Every namespace shares the host name: make the GSI from address + pid. */
	char gsi_seed[128];
	int seed_len = snprintf(gsi_seed, sizeof gsi_seed, "%s/%ld/%ld", o->network, (long)getpid(),
	                        (long)time(NULL));
	if (!pgm_gsi_create_from_data(&addr.sa_addr.gsi, (const uint8_t *)gsi_seed, (size_t)seed_len)) {
		fprintf(stderr, "opgm_send: cannot create GSI\n");
		pgm_freeaddrinfo(res);
		return -1;
	}
	struct pgm_interface_req_t if_req;
	memset(&if_req, 0, sizeof if_req);
	if_req.ir_interface = res->ai_recv_addrs[0].gsr_interface;
	memcpy(&if_req.ir_address, &res->ai_send_addrs[0].gsr_addr, sizeof if_req.ir_address);
	if (!pgm_bind3(s->sock, &addr, sizeof addr, &if_req, sizeof if_req, &if_req, sizeof if_req, &err)) {
		fprintf(stderr, "opgm_send: bind: %s\n", errmsg(err));
		pgm_error_free(err);
		pgm_freeaddrinfo(res);
		return -1;
	}
	for (unsigned i = 0; i < res->ai_recv_addrs_len; i++)
		pgm_setsockopt(s->sock, IPPROTO_PGM, PGM_JOIN_GROUP, &res->ai_recv_addrs[i],
		               sizeof(struct group_req));
	ok = pgm_setsockopt(s->sock, IPPROTO_PGM, PGM_SEND_GROUP, &res->ai_send_addrs[0],
	                    sizeof(struct group_req));
	pgm_freeaddrinfo(res);
	ok = ok && setopt_int(s->sock, PGM_MULTICAST_LOOP, 0, "PGM_MULTICAST_LOOP") &&
	     setopt_int(s->sock, PGM_MULTICAST_HOPS, o->ttl, "PGM_MULTICAST_HOPS") &&
	     setopt_int(s->sock, PGM_NOBLOCK, 1, "PGM_NOBLOCK");
	if (!ok)
		return -1;
	if (!pgm_connect(s->sock, &err)) {
		fprintf(stderr, "opgm_send: connect: %s\n", errmsg(err));
		pgm_error_free(err);
		return -1;
	}
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int timeval_ms(pgm_sock_t *sock, int opt)
{
	struct timeval tv;
	socklen_t optlen = sizeof tv;
	if (!pgm_getsockopt(sock, IPPROTO_PGM, opt, &tv, &optlen))
		return 10;
	long ms = tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
	return ms < 0 ? 0 : ms > 1000 ? 1000 : (int)ms;
}

/*
 * Let OpenPGM process what came in (NAKs, SPMRs) and its timers (SPMs,
 * repairs); returns how long it may sleep, in ms, or -1 on a fatal error.
 */
static int service(struct sender *s)
{
	char buf[4096];
	for (int i = 0; i < 1000; i++) {
		size_t n = 0;
		pgm_error_t *err = NULL;
		int st = pgm_recv(s->sock, buf, sizeof buf, 0, &n, &err);
		switch (st) {
		case PGM_IO_STATUS_NORMAL:
			continue; /* a send-only socket gets no data; keep draining */
		case PGM_IO_STATUS_TIMER_PENDING:
			return timeval_ms(s->sock, PGM_TIME_REMAIN);
		case PGM_IO_STATUS_RATE_LIMITED:
			return timeval_ms(s->sock, PGM_RATE_REMAIN);
		case PGM_IO_STATUS_WOULD_BLOCK:
			return 1000;
		default:
			if (err) {
				fprintf(stderr, "opgm_send: recv: %s\n", errmsg(err));
				pgm_error_free(err);
			}
			if (st == PGM_IO_STATUS_RESET)
				continue;
			fprintf(stderr, "opgm_send: recv status %d\n", st);
			return -1;
		}
	}
	return 0;
}

static int wait_events(struct sender *s, int timeout_ms, bool want_send)
{
	struct pollfd fds[PGM_SEND_SOCKET_READ_COUNT + PGM_SEND_SOCKET_WRITE_COUNT + 1];
	int n = (int)(sizeof fds / sizeof fds[0]);
	memset(fds, 0, sizeof fds);
	if (pgm_poll_info(s->sock, fds, &n, want_send ? POLLIN | POLLOUT : POLLIN) < 0)
		return -1;
	if (poll(fds, (nfds_t)n, timeout_ms) < 0 && errno != EINTR)
		return -1;
	return 0;
}

static int run(struct sender *s)
{
	int64_t t0 = now_ms();
	while (s->off < s->len && !g_stop) {
		/*
		 * Pace in the application too: OpenPGM's token bucket holds a
		 * second's worth of tokens, so a file smaller than that would
		 * leave in one line-rate burst.
		 */
		int64_t due = t0 + (int64_t)((double)s->off * 8.0 / (double)s->o.rate_kbit);
		int64_t ahead = due - now_ms();
		if (ahead > 0) {
			int svc = service(s);
			if (svc < 0)
				return -1;
			if (wait_events(s, svc < ahead ? svc : (int)ahead, false) < 0)
				return -1;
			continue;
		}
		size_t chunk = s->len - s->off;
		if (chunk > (size_t)s->o.apdu)
			chunk = (size_t)s->o.apdu;
		size_t sent = 0;
		int st = pgm_send(s->sock, s->data + s->off, chunk, &sent);
		int wait_ms;
		switch (st) {
		case PGM_IO_STATUS_NORMAL:
			s->off += chunk;
			s->apdus++;
			continue;
		case PGM_IO_STATUS_RATE_LIMITED:
			wait_ms = timeval_ms(s->sock, PGM_RATE_REMAIN);
			break;
		case PGM_IO_STATUS_WOULD_BLOCK:
		case PGM_IO_STATUS_CONGESTION:
			wait_ms = 10;
			break;
		default:
			fprintf(stderr, "opgm_send: send status %d\n", st);
			return -1;
		}
		int svc = service(s);
		if (svc < 0)
			return -1;
		if (svc < wait_ms)
			wait_ms = svc;
		if (wait_events(s, wait_ms, true) < 0)
			return -1;
	}
	if (s->o.verbose || g_stop)
		fprintf(stderr, "opgm_send: %zu bytes in %llu APDUs in %lld ms%s\n", s->off,
		        (unsigned long long)s->apdus, (long long)(now_ms() - t0),
		        g_stop ? " (interrupted)" : "");
	if (s->off < s->len)
		return -1;
	/* Linger: serve NAKs with NCFs and RDATA, keep SPMs flowing. */
	int64_t end = now_ms() + (int64_t)s->o.linger_s * 1000;
	while (!g_stop) {
		int64_t left = end - now_ms();
		if (left <= 0)
			break;
		int svc = service(s);
		if (svc < 0)
			return -1;
		int wait_ms = svc < left ? svc : (int)left;
		if (wait_events(s, wait_ms, false) < 0)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sender s;
	memset(&s, 0, sizeof s);
	if (parse_args(argc, argv, &s.o) < 0)
		return EXIT_ARGS;
	if (read_all(s.o.file, &s.data, &s.len) < 0)
		return 1;

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	pgm_error_t *err = NULL;
	if (!pgm_init(&err)) {
		fprintf(stderr, "opgm_send: pgm_init: %s\n", errmsg(err));
		pgm_error_free(err);
		free(s.data);
		return 1;
	}
	int rc = 1;
	if (open_socket(&s) == 0) {
		fprintf(stderr, "opgm_send: sending %zu bytes to %s port %d\n", s.len, s.o.network,
		        s.o.port);
		rc = run(&s) == 0 ? 0 : 1;
	}
	if (s.sock)
		pgm_close(s.sock, true);
	pgm_shutdown();
	free(s.data);
	return rc;
}
