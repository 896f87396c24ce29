/* Raw IPv4 output for the engine (struct ne_io.send). */
#include "rawsend.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/wire.h"

int rawsend_open(struct rawsend *r)
{
	int off = 0, on = 1;

	/* IPPROTO_RAW implies IP_HDRINCL and never receives: send only. */
	r->fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_RAW);
	if (r->fd < 0)
		return -1;
	/*
	 * Our NCFs must not loop back into the multicast router (NCFs stop
	 * at the first PGM hop, §7.5) nor to local listeners.
	 */
	if (setsockopt(r->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof off) < 0 ||
	    setsockopt(r->fd, IPPROTO_IP, IP_HDRINCL, &on, sizeof on) < 0) {
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
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/*
 * With IP_HDRINCL the kernel still routes by destination; for multicast
 * the outgoing interface comes from IP_PKTINFO's ipi_ifindex (the
 * per-message form of IP_MULTICAST_IF), checked on Linux 6.x.
 */
static ssize_t send_on(int fd, const uint8_t *buf, size_t len, struct in_addr dst,
                       int ifindex)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = dst };
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct msghdr msg = {
		.msg_name = &sin, .msg_namelen = sizeof sin,
		.msg_iov = &iov, .msg_iovlen = 1,
	};

	if (IN_MULTICAST(ntohl(dst.s_addr)) && ifindex > 0) {
		struct in_pktinfo pi = { .ipi_ifindex = ifindex };
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof ctl);
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof ctl.buf;
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
	}
	return sendmsg(fd, &msg, MSG_DONTWAIT);
}

int rawsend_send(void *ctx, const uint8_t *pgm, size_t len, struct in_addr src,
                 struct in_addr dst, int ifindex, uint8_t ttl, bool router_alert)
{
	struct rawsend *r = ctx;
	uint8_t *buf = r->buf;
	size_t hl;
	char d[INET_ADDRSTRLEN];

	hl = pgm_ip_build(buf, sizeof r->buf, src, dst, ttl, router_alert, len);
	if (hl == 0 || len > sizeof r->buf - hl)
		return -1;
	memcpy(buf + hl, pgm, len);
	if (send_on(r->fd, buf, hl + len, dst, ifindex) == (ssize_t)(hl + len))
		return 0;
	log_debug("send to %s ifindex %d: %s", inet_ntop(AF_INET, &dst, d, sizeof d),
	          ifindex, strerror(errno));
	return -1;
}
