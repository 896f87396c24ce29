/*
 * NFQUEUE datapath: the PGM packets our iptables rules queue (everything
 * but ODATA) come here, go through a callback (the engine), and get a
 * verdict back — on every path, errors included.
 */
#ifndef PGMNE_NFQ_H
#define PGMNE_NFQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"
#include "event.h"
#include "ne.h"

/* Decide about one IPv4 packet; may rewrite it in place and set *modified. */
typedef enum ne_verdict (*nfqueue_packet_fn)(void *arg, uint8_t *ip, size_t len,
                                         const struct ne_meta *m, bool *modified);

#define NFQ_BUF_SIZE (65536 + 4096) /* one full-size packet plus netlink framing */

struct mnl_socket;

struct nfqueue {
	struct ev_handler ev;
	struct mnl_socket *nl;
	uint32_t portid;
	uint16_t queue;
	nfqueue_packet_fn fn;
	void *arg;
	struct ne_health_counters *health;
	char rx[NFQ_BUF_SIZE];
	char tx[NFQ_BUF_SIZE];
};

/*
 * Bind queue `queue` in copy-packet mode, fail-open, no ENOBUFS. Returns 0,
 * or -1 with errno (EBUSY/EPERM: another process has the queue).
 */
int nfqueue_open(struct nfqueue *q, uint16_t queue);
void nfqueue_close(struct nfqueue *q);

/* Drain the socket (bounded per call) and give each packet a verdict. */
void nfqueue_input(struct nfqueue *q);

/*
 * Kernel drop counters of the queue from /proc/net/netfilter/nfnetlink_queue:
 * queue_dropped (queue full) and user_dropped (netlink could not deliver).
 */
int nfqueue_read_drops(uint16_t queue, uint64_t *queue_dropped, uint64_t *user_dropped);

#endif
