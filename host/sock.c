/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Raw PGM sockets (IP protocol 113). */
#include "host/sock.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/wire.h"

/* Socket buffers: a token bucket's burst of full-size packets and more. */
#define SOCK_BUF (4 * 1024 * 1024)

int sock_open(void)
{
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, PGM_IPPROTO);
	if (fd < 0)
		return -1;
	int sz = SOCK_BUF;
	/* best effort: smaller buffers only mean more loss under load */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	return fd;
}

const char *sock_open_hint(int err)
{
	if (err == EPERM || err == EACCES)
		return "raw IP sockets need CAP_NET_RAW (run as root or setcap cap_net_raw+ep)";
	return strerror(err);
}

bool sock_bind(int fd, struct in_addr local)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr = local};
	return bind(fd, (const struct sockaddr *)&sin, sizeof(sin)) == 0;
}

bool sock_mcast_out(int fd, struct in_addr ifaddr, int ttl, bool loop)
{
	int l = loop ? 1 : 0;
	return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &ifaddr, sizeof(ifaddr)) == 0 &&
	       setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) == 0 &&
	       setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &l, sizeof(l)) == 0;
}

bool sock_join(int fd, struct in_addr group, struct in_addr ifaddr)
{
	struct ip_mreq mr = {.imr_multiaddr = group, .imr_interface = ifaddr};
	return setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) == 0;
}

bool sock_send(int fd, void *pkt, size_t len, struct in_addr dst, bool router_alert)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = dst};
	struct iovec iov = {.iov_base = pkt, .iov_len = len};
	/* RFC 2113 Router Alert: type 148, length 4, value 0 */
	static const uint8_t ra[4] = {0x94, 0x04, 0x00, 0x00};
	union {
		struct cmsghdr hdr;
		uint8_t buf[CMSG_SPACE(sizeof(ra))];
	} ctl;
	struct msghdr msg = {
		.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1,
	};
	if (router_alert) {
		/* IP_RETOPTS as ancillary data sets IP options for this packet only */
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_RETOPTS;
		c->cmsg_len = CMSG_LEN(sizeof(ra));
		memcpy(CMSG_DATA(c), ra, sizeof(ra));
	}
	for (int tries = 0; tries < 3; tries++) {
		if (sendmsg(fd, &msg, 0) == (ssize_t)len)
			return true;
		if (errno != EINTR)
			break;
	}
	return false;
}

ssize_t sock_recv(int fd, void *buf, size_t cap)
{
	ssize_t n;
	do
		n = recv(fd, buf, cap, 0);
	while (n < 0 && errno == EINTR);
	return n;
}
