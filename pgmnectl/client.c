/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmnectl's side of the control socket: connect, send one request,
 * collect typed records until END (or ERROR), all within a deadline.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/timerq.h"
#include "client.h"
#include "util.h"

#define NECTL_REPLY_TIMEOUT_MS 10000
#define NECTL_MAX_RECORDS (1u << 20)

static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One line on stderr; returns the exit code to use. */
static int fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("pgmnectl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return code;
}

static int connect_daemon(const char *path, int *fdp)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path)
		return fail(NECTL_EXIT_BADARG, "socket path too long: %s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(NECTL_EXIT_FAIL, "socket: %s", strerror(errno));
	if (connect(fd, (const struct sockaddr *)&sa, sizeof sa) == 0) {
		*fdp = fd;
		return NECTL_EXIT_OK;
	}
	int err = errno;
	close(fd);
	switch (err) {
	case ENOENT:
		return fail(NECTL_EXIT_NODAEMON, "daemon not running: no control socket %s", path);
	case ECONNREFUSED:
		return fail(NECTL_EXIT_NODAEMON, "daemon not running: nobody listens on %s", path);
	case EACCES:
	case EPERM:
		return fail(NECTL_EXIT_PERM, "permission denied: %s", path);
	case EAGAIN:
		return fail(NECTL_EXIT_FAIL, "daemon busy: %s accepts no more connections", path);
	default:
		return fail(NECTL_EXIT_FAIL, "%s: %s", path, strerror(err));
	}
}

/* Wait until fd is ready for events or the deadline passes. */
static bool wait_ready(int fd, short events, uint64_t deadline)
{
	for (;;) {
		uint64_t now = mono_ms();
		if (now >= deadline)
			return false;
		struct pollfd p = { .fd = fd, .events = events };
		int n = poll(&p, 1, (int)(deadline - now));
		if (n > 0)
			return true;
		if (n < 0 && errno != EINTR)
			return false;
	}
}

static int send_request(int fd, const struct ctl_req *req, uint64_t deadline)
{
	uint8_t msg[CTL_MAX_MSG];
	size_t len = ctl_enc_req(msg, sizeof msg, req);
	size_t off = 0;
	if (len == 0)
		return fail(NECTL_EXIT_FAIL, "cannot encode request");
	while (off < len) {
		ssize_t n = send(fd, msg + off, len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return fail(NECTL_EXIT_FAIL, "sending request: %s", strerror(errno));
		if (!wait_ready(fd, POLLOUT, deadline))
			return fail(NECTL_EXIT_FAIL, "daemon does not take the request");
	}
	return NECTL_EXIT_OK;
}

/* Append one element to a growable array of records. */
static void *append(void *arr, size_t *n, size_t *cap, size_t size, const void *elem)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		arr = nectl_xrealloc(arr, *cap, size);
	}
	memcpy((char *)arr + *n * size, elem, size);
	(*n)++;
	return arr;
}

/* Decode a repair state into its compact form. */
static bool take_rstate(const struct ctl_msg *m, struct nectl_reply *rep)
{
	struct ctl_rstate *r = nectl_xrealloc(NULL, 1, sizeof *r);
	bool ok = ctl_dec_rstate(m, r);
	if (ok) {
		struct nectl_rstate k = {
			.tsi = r->tsi, .group = r->group, .sqn = r->sqn, .phase = r->phase,
			.retries = r->retries, .time_left_ms = r->time_left_ms,
			.elim_left_ms = r->elim_left_ms, .n_ifaces = r->n_ifaces,
		};
		k.ifname = nectl_xrealloc(NULL, r->n_ifaces, sizeof *k.ifname);
		memcpy(k.ifname, r->ifname, r->n_ifaces * sizeof *k.ifname);
		rep->rstates = append(rep->rstates, &rep->n_rstates, &rep->cap_rstates, sizeof k, &k);
	}
	free(r);
	return ok;
}

static int daemon_error(const struct ctl_msg *m)
{
	struct ctl_error e;
	if (!ctl_dec_error(m, &e))
		return fail(NECTL_EXIT_FAIL, "malformed error message from daemon");
	fprintf(stderr, "pgmnectl: %s\n", e.text);
	return e.code == CTL_E_NO_SUCH_IFACE || e.code == CTL_E_BAD_ARGUMENT ?
	       NECTL_EXIT_BADARG : NECTL_EXIT_FAIL;
}

/* Decode one reply record into rep. -1: END; else an exit code. */
static int take_record(const struct ctl_msg *m, struct nectl_reply *rep)
{
	bool ok = false;
	if (rep->n_ifs + rep->n_sessions + rep->n_rstates + rep->n_counters >= NECTL_MAX_RECORDS)
		return fail(NECTL_EXIT_FAIL, "reply too large");
	switch (m->hdr.type) {
	case CTL_REP_END:
		return ctl_dec_end(m) ? -1 : fail(NECTL_EXIT_FAIL, "malformed end of reply");
	case CTL_REP_ERROR:
		return daemon_error(m);
	case CTL_REP_INTERFACE: {
		struct ctl_if r;
		if ((ok = ctl_dec_if(m, &r)))
			rep->ifs = append(rep->ifs, &rep->n_ifs, &rep->cap_ifs, sizeof r, &r);
		break;
	}
	case CTL_REP_SESSION: {
		struct ctl_session r;
		if ((ok = ctl_dec_session(m, &r)))
			rep->sessions = append(rep->sessions, &rep->n_sessions, &rep->cap_sessions,
			                       sizeof r, &r);
		break;
	}
	case CTL_REP_RSTATE:
		ok = take_rstate(m, rep);
		break;
	case CTL_REP_IF_COUNTERS: {
		struct ctl_if_counters r;
		if ((ok = ctl_dec_if_counters(m, &r)))
			rep->counters = append(rep->counters, &rep->n_counters, &rep->cap_counters,
			                       sizeof r, &r);
		break;
	}
	case CTL_REP_HEALTH:
		ok = rep->has_health = ctl_dec_health(m, &rep->health);
		break;
	case CTL_REP_CLEARED:
		ok = ctl_dec_cleared(m, &rep->cleared);
		break;
	default:
		break;
	}
	if (!ok)
		return fail(NECTL_EXIT_FAIL, "malformed %s record from daemon",
		            ctl_type_name(m->hdr.type));
	return NECTL_EXIT_OK;
}

/* Take every whole message in buf[0..*len); -1 once END was seen. */
static int take_messages(uint8_t *buf, size_t *len, struct nectl_reply *rep)
{
	size_t off = 0;
	int rc = NECTL_EXIT_OK;
	while (rc == NECTL_EXIT_OK) {
		struct ctl_msg m;
		size_t total = 0;
		enum ctl_frame_result fr = ctl_frame(buf + off, *len - off, &m, &total);
		if (fr == CTL_FRAME_MORE)
			break;
		if (fr == CTL_FRAME_BAD_VERSION)
			return fail(NECTL_EXIT_FAIL, "daemon speaks control protocol version %u, "
			            "pgmnectl speaks %u", m.hdr.version, CTL_VERSION);
		if (fr == CTL_FRAME_TOO_BIG)
			return fail(NECTL_EXIT_FAIL, "malformed reply from daemon: message too long");
		rc = take_record(&m, rep);
		off += total;
	}
	memmove(buf, buf + off, *len - off);
	*len -= off;
	return rc;
}

static int receive_reply(int fd, struct nectl_reply *rep, uint64_t deadline)
{
	uint8_t buf[2 * CTL_MAX_MSG];
	size_t len = 0;
	for (;;) {
		ssize_t n = recv(fd, buf + len, sizeof buf - len, 0);
		if (n > 0) {
			len += (size_t)n;
			int rc = take_messages(buf, &len, rep);
			if (rc != NECTL_EXIT_OK)
				return rc < 0 ? NECTL_EXIT_OK : rc;
			continue;
		}
		if (n == 0)
			return fail(NECTL_EXIT_FAIL, "daemon closed the connection before the reply ended");
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return fail(NECTL_EXIT_FAIL, "reading reply: %s", strerror(errno));
		if (!wait_ready(fd, POLLIN, deadline))
			return fail(NECTL_EXIT_FAIL, "no reply from daemon within %d s",
			            NECTL_REPLY_TIMEOUT_MS / 1000);
	}
}

/* Sort keys: group, then TSI, then SQN; interfaces by index. */
static int cmp_tsi(const struct pgm_tsi *a, const struct pgm_tsi *b)
{
	int c = memcmp(a->gsi, b->gsi, sizeof a->gsi);
	return c ? c : (a->sport > b->sport) - (a->sport < b->sport);
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return (a > b) - (a < b);
}

static int cmp_session(const void *x, const void *y)
{
	const struct ctl_session *a = x, *b = y;
	int c = cmp_u32(ntohl(a->group.s_addr), ntohl(b->group.s_addr));
	return c ? c : cmp_tsi(&a->tsi, &b->tsi);
}

static int cmp_rstate(const void *x, const void *y)
{
	const struct nectl_rstate *a = x, *b = y;
	int c = cmp_u32(ntohl(a->group.s_addr), ntohl(b->group.s_addr));
	if (c == 0)
		c = cmp_tsi(&a->tsi, &b->tsi);
	return c ? c : cmp_u32(a->sqn, b->sqn);
}

static int cmp_if(const void *x, const void *y)
{
	return cmp_u32(((const struct ctl_if *)x)->ifindex, ((const struct ctl_if *)y)->ifindex);
}

static int cmp_counters(const void *x, const void *y)
{
	return cmp_u32(((const struct ctl_if_counters *)x)->ifindex,
	               ((const struct ctl_if_counters *)y)->ifindex);
}

static void sort_reply(struct nectl_reply *rep)
{
	if (rep->n_sessions)
		qsort(rep->sessions, rep->n_sessions, sizeof *rep->sessions, cmp_session);
	if (rep->n_rstates)
		qsort(rep->rstates, rep->n_rstates, sizeof *rep->rstates, cmp_rstate);
	if (rep->n_ifs)
		qsort(rep->ifs, rep->n_ifs, sizeof *rep->ifs, cmp_if);
	if (rep->n_counters)
		qsort(rep->counters, rep->n_counters, sizeof *rep->counters, cmp_counters);
}

int client_request(const char *path, const struct ctl_req *req, struct nectl_reply *rep)
{
	memset(rep, 0, sizeof *rep);
	uint64_t deadline = mono_ms() + NECTL_REPLY_TIMEOUT_MS;
	int fd = -1;
	int rc = connect_daemon(path, &fd);
	if (rc != NECTL_EXIT_OK)
		return rc;
	rc = send_request(fd, req, deadline);
	if (rc == NECTL_EXIT_OK)
		rc = receive_reply(fd, rep, deadline);
	close(fd);
	if (rc == NECTL_EXIT_OK)
		sort_reply(rep);
	return rc;
}

void client_reply_free(struct nectl_reply *rep)
{
	free(rep->ifs);
	free(rep->sessions);
	for (size_t i = 0; i < rep->n_rstates; i++)
		free(rep->rstates[i].ifname);
	free(rep->rstates);
	free(rep->counters);
	memset(rep, 0, sizeof *rep);
}
