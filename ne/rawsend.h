/*
 * Packets the engine originates or forwards itself (NCFs, upstream NAKs):
 * one raw IPv4 socket with IP_HDRINCL, because an NCF carries the ODATA
 * source's address as its IP source (RFC 3208 §7.2), not ours.
 */
#ifndef PGMNE_RAWSEND_H
#define PGMNE_RAWSEND_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RAWSEND_MAX 65535 /* an IPv4 datagram */

struct rawsend {
	int fd;
	uint8_t buf[RAWSEND_MAX];          /* IP header + PGM being sent */
};

/* Open the socket (needs CAP_NET_RAW). 0, or -1 with errno. */
int rawsend_open(struct rawsend *r);
void rawsend_close(struct rawsend *r);

/* struct ne_io.send with ctx = struct rawsend; the engine counts failures. */
int rawsend_send(void *ctx, const uint8_t *pgm, size_t len, struct in_addr src,
                 struct in_addr dst, int ifindex, uint8_t ttl, bool router_alert);

#endif
