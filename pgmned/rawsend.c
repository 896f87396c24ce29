/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Raw IPv4 output for the engine (struct ne_io.send). */
#include "rawsend.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/wire.h"
#include "pktmark.h"

#define IP_HDR_MAX 24 /* pgm_ip_build: 20 bytes, 24 with Router Alert */

int rawsend_open(struct rawsend *r, uint64_t *errors)
{
	int off = 0, on = 1;
	uint32_t mark = PKTMARK_OWN;

	r->errors = errors;
	r->n = 0;
	/* IPPROTO_RAW implies IP_HDRINCL and never receives: send only. */
	r->fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_RAW);
	if (r->fd < 0)
		return -1;
	/*
	 * Our NCFs must not loop back into the multicast router (NCFs stop
	 * at the first PGM hop, §7.5) nor to local listeners. Their mark
	 * is not the queue tag (pktmark.h): never queued back to us.
	 */
	if (setsockopt(r->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof off) < 0 ||
	    setsockopt(r->fd, IPPROTO_IP, IP_HDRINCL, &on, sizeof on) < 0 ||
	    setsockopt(r->fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0) {
		int e = errno;
		close(r->fd);
		r->fd = -1;
		errno = e;
		return -1;
	}
	return 0;
}

void rawsend_close(struct rawsend *r)
{
	if (r->fd >= 0) {
		rawsend_flush(r);
		close(r->fd);
	}
	r->fd = -1;
}

/*
 * With IP_HDRINCL the kernel still routes by destination; for multicast
 * the outgoing interface comes from IP_PKTINFO's ipi_ifindex (the
 * per-message form of IP_MULTICAST_IF), checked on Linux 6.x.
 */
static void fill_msg(struct msghdr *msg, struct iovec *iov, struct sockaddr_in *sin,
                     union rawsend_ctl *ctl, const uint8_t *buf, size_t len,
                     struct in_addr dst, int ifindex)
{
	*sin = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr = dst };
	*iov = (struct iovec){ .iov_base = (void *)(uintptr_t)buf, .iov_len = len };
	*msg = (struct msghdr){ .msg_name = sin, .msg_namelen = sizeof *sin,
	                        .msg_iov = iov, .msg_iovlen = 1 };
	if (IN_MULTICAST(ntohl(dst.s_addr)) && ifindex > 0) {
		struct in_pktinfo pi = { .ipi_ifindex = ifindex };
		struct cmsghdr *c;

		memset(ctl, 0, sizeof *ctl);
		msg->msg_control = ctl->buf;
		msg->msg_controllen = sizeof ctl->buf;
		c = CMSG_FIRSTHDR(msg);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
	}
}

static void log_failure(const struct msghdr *msg)
{
	const struct sockaddr_in *sin = msg->msg_name;
	char d[INET_ADDRSTRLEN];

	log_debug("send to %s: %s", inet_ntop(AF_INET, &sin->sin_addr, d, sizeof d),
	          strerror(errno));
}

void rawsend_flush(struct rawsend *r)
{
	unsigned i = 0;

	while (i < r->n) {
		int k = sendmmsg(r->fd, &r->msg[i], r->n - i, MSG_DONTWAIT);

		if (k > 0) {
			i += (unsigned)k;
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		/* msg[i] itself failed (sendmmsg reports the first error). */
		log_failure(&r->msg[i].msg_hdr);
		if (r->errors)
			(*r->errors)++;
		i++;
	}
	r->n = 0;
}

/* One packet too big for a slot, after those queued before it. */
static int send_now(struct rawsend *r, size_t len, struct in_addr dst, int ifindex)
{
	struct msghdr msg;
	struct iovec iov;
	struct sockaddr_in sin;
	union rawsend_ctl ctl;

	rawsend_flush(r);
	fill_msg(&msg, &iov, &sin, &ctl, r->buf, len, dst, ifindex);
	if (sendmsg(r->fd, &msg, MSG_DONTWAIT) == (ssize_t)len)
		return 0;
	log_failure(&msg);
	return -1;
}

int rawsend_send(void *ctx, const uint8_t *pgm, size_t len, struct in_addr src,
                 struct in_addr dst, int ifindex, uint8_t ttl, bool router_alert)
{
	struct rawsend *r = ctx;
	size_t hl;

	if (len > RAWSEND_SLOT - IP_HDR_MAX) {
		hl = pgm_ip_build(r->buf, sizeof r->buf, src, dst, ttl, router_alert, len);
		if (hl == 0 || len > sizeof r->buf - hl)
			return -1;
		memcpy(r->buf + hl, pgm, len);
		return send_now(r, hl + len, dst, ifindex);
	}
	if (r->n == RAWSEND_BATCH)
		rawsend_flush(r);
	uint8_t *buf = r->slot[r->n];
	hl = pgm_ip_build(buf, RAWSEND_SLOT, src, dst, ttl, router_alert, len);
	if (hl == 0 || len > RAWSEND_SLOT - hl)
		return -1;
	memcpy(buf + hl, pgm, len);
	fill_msg(&r->msg[r->n].msg_hdr, &r->iov[r->n], &r->dst[r->n], &r->ctl[r->n], buf,
	         hl + len, dst, ifindex);
	r->n++;
	return 0;
}
