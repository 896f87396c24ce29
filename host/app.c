/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event-loop set-up of pgmsend and pgmrecv: signals, socket, poll. */
#include "host/app.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>

#include "host/pktin.h"
#include "host/sock.h"

int app_open_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	sigdelset(&set, SIGPIPE); /* blocked only: a write error is reported instead */
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int app_open_socket(const char *prog)
{
	int fd = sock_open();
	if (fd < 0)
		fprintf(stderr, "%s: cannot open raw PGM socket: %s\n", prog, sock_open_hint(errno));
	return fd;
}

bool app_sock_out(void *arg, uint8_t *pkt, size_t len, struct in_addr dst, bool router_alert)
{
	const int *sock = arg;
	return sock_send(*sock, pkt, len, dst, router_alert);
}

bool app_poll(const char *prog, struct pollfd *fds, nfds_t n, int timeout_ms)
{
	if (poll(fds, n, timeout_ms) < 0 && errno != EINTR) {
		fprintf(stderr, "%s: poll: %s\n", prog, strerror(errno));
		return false;
	}
	return true;
}

int app_timeout_ms(uint64_t next, uint64_t now)
{
	if (next <= now)
		return 0;
	return next - now > 60000 ? 60000 : (int)(next - now);
}

void app_drain(int sock, uint8_t *buf, size_t cap, app_pkt_fn on_pkt, void *arg,
               uint64_t *malformed, uint64_t now)
{
	for (int i = 0; i < APP_RX_BATCH; i++) {
		ssize_t n = sock_recv(sock, buf, cap);
		if (n < 0)
			return;
		struct pgm_ip ip;
		struct pgm_pkt p;
		if (pktin_parse(buf, (size_t)n, &ip, &p) != PGM_OK) {
			(*malformed)++;
			continue;
		}
		on_pkt(arg, &ip, &p, now);
	}
}
