/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Control socket: a listening AF_UNIX stream socket in the daemon's epoll
 * loop, a bounded set of clients, bounded buffers. Nothing here blocks:
 * big replies are produced only as fast as the client reads them; a
 * client that keeps sending requests without reading is dropped once its
 * buffers fill; a client sending garbage gets one best-effort ERROR and
 * is dropped; with all slots taken, the least active client makes room.
 */
#include "ctl_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/timerq.h"

static uint64_t default_now(void *arg)
{
	(void)arg;
	return mono_ms();
}

/* --- output --- */

static void client_close(struct ctl_client *cl);

/* Poll for output only while some is pending; stop reading after EOF. */
static bool client_update_events(struct ctl_client *cl)
{
	uint32_t ev = (cl->peer_done ? 0 : EPOLLIN) |
	              (cl->out_off < cl->out_len ? EPOLLOUT : 0);
	if (ev == cl->events)
		return true;
	if (ev_mod(cl->ctl->epfd, &cl->h, ev) < 0) {
		log_warn("ctl: epoll_ctl");
		return false;
	}
	cl->events = ev;
	return true;
}

/* Write what the socket takes now. False on a write error. */
static bool client_flush(struct ctl_client *cl)
{
	while (cl->out_off < cl->out_len) {
		ssize_t n = send(cl->h.fd, cl->out + cl->out_off, cl->out_len - cl->out_off,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0)
			return false;
		cl->out_off += (size_t)n;
		cl->last_active = ++cl->ctl->activity;
	}
	if (cl->out_off == cl->out_len)
		cl->out_off = cl->out_len = 0;
	return client_update_events(cl);
}

/* Make room for len more bytes within CTL_OUTBUF_MAX. */
static bool client_reserve(struct ctl_client *cl, size_t len)
{
	if (cl->out_off > 0) {
		memmove(cl->out, cl->out + cl->out_off, cl->out_len - cl->out_off);
		cl->out_len -= cl->out_off;
		cl->out_off = 0;
	}
	if (len > CTL_OUTBUF_MAX - cl->out_len)
		return false;
	size_t need = cl->out_len + len;
	if (need <= cl->out_cap)
		return true;
	size_t cap = cl->out_cap ? cl->out_cap : 4096;
	while (cap < need)
		cap *= 2;
	if (cap > CTL_OUTBUF_MAX)
		cap = CTL_OUTBUF_MAX;
	uint8_t *p = realloc(cl->out, cap);
	if (p == NULL)
		return false;
	cl->out = p;
	cl->out_cap = cap;
	return true;
}

bool ctl_client_put(struct ctl_client *cl, const uint8_t *msg, size_t len)
{
	if (cl->failed)
		return false;
	if (len == 0) {
		/* an encoder refused its record: a bug, never send half a reply */
		log_warnx("ctl: reply record could not be encoded");
		cl->failed = true;
		return false;
	}
	if (!client_reserve(cl, len)) {
		/* the kernel may have room: drain and try once more */
		if (!client_flush(cl) || !client_reserve(cl, len)) {
			log_warnx("ctl: client does not read its replies, dropped");
			cl->failed = true;
			return false;
		}
	}
	memcpy(cl->out + cl->out_len, msg, len);
	cl->out_len += len;
	return true;
}

void ctl_reply_error(struct ctl_client *cl, uint16_t code, const char *fmt, ...)
{
	char text[CTL_ERR_TEXT_MAX + 1];
	uint8_t msg[CTL_MAX_MSG];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	ctl_client_put(cl, msg, ctl_enc_error(msg, sizeof msg, code, text));
}

void ctl_reply_end(struct ctl_client *cl)
{
	uint8_t msg[CTL_HDR_LEN];
	ctl_client_put(cl, msg, ctl_enc_end(msg, sizeof msg));
}

/* --- input --- */

/* A framing error: say why (best effort, one write) and give up on the client. */
static bool client_reject(struct ctl_client *cl, uint16_t code, const char *why)
{
	log_warnx("ctl: dropping client: %s", why);
	ctl_reply_error(cl, code, "%s", why);
	(void)client_flush(cl);
	return false;
}

/* Encode more of a streamed reply while the client keeps up. */
static void client_stream(struct ctl_client *cl)
{
	while (cl->stream != NULL && !cl->failed) {
		size_t pending = cl->out_len - cl->out_off;
		if (pending >= CTL_OUT_HIGH)
			return;
		ctl_stream_more(cl, CTL_OUT_HIGH - pending);
		if (!client_flush(cl))
			cl->failed = true;
	}
}

/* Frame, check and serve one message at in+*off. False: drop the client. */
static bool client_message(struct ctl_client *cl, size_t *off, bool *more)
{
	struct ctl_msg m;
	struct ctl_req req;
	size_t total = 0;
	enum ctl_frame_result fr = ctl_frame(cl->in + *off, cl->in_len - *off, &m, &total);
	*more = fr == CTL_FRAME_OK;
	if (fr == CTL_FRAME_MORE)
		return true;
	if (fr == CTL_FRAME_BAD_VERSION) {
		char why[64];
		snprintf(why, sizeof why, "control protocol version %u, daemon speaks %u",
		         m.hdr.version, CTL_VERSION);
		return client_reject(cl, CTL_E_VERSION, why);
	}
	if (fr == CTL_FRAME_TOO_BIG)
		return client_reject(cl, CTL_E_MALFORMED, "message too long");
	*off += total;
	if (m.hdr.type == 0 || m.hdr.type > CTL_REQ_LAST) {
		/* well framed, just not known here (a newer pgmnectl?) */
		ctl_reply_error(cl, CTL_E_UNKNOWN_REQUEST, "unknown request type %u", m.hdr.type);
		return true;
	}
	if (!ctl_dec_req(&m, &req))
		return client_reject(cl, CTL_E_MALFORMED, "malformed request");
	ctl_serve(cl, &req);
	return true;
}

/*
 * Serve the whole requests in the input buffer, one reply at a time:
 * while a streamed reply waits for the socket, later requests wait in
 * the buffer. False: drop the client.
 */
static bool client_process(struct ctl_client *cl)
{
	size_t off = 0;
	bool ok = true, more = true;
	while (ok && more && !cl->failed) {
		client_stream(cl);
		if (cl->stream != NULL)
			break;
		ok = client_message(cl, &off, &more);
	}
	memmove(cl->in, cl->in + off, cl->in_len - off);
	cl->in_len -= off;
	return ok && !cl->failed && client_flush(cl);
}

/* After EOF from the peer: anything left to do? */
static bool client_done(const struct ctl_client *cl)
{
	return cl->peer_done && cl->stream == NULL &&
	       (cl->in_len > 0 /* a request cut short */ || cl->out_off == cl->out_len);
}

/* Read what is there (bounded per event), serve it. False: drop the client. */
static bool client_read(struct ctl_client *cl)
{
	for (int i = 0; i < CTL_READS_PER_EVENT && !cl->peer_done; i++) {
		/* a full buffer holds a whole message (ctl_frame refuses longer
		 * ones) that waits only while a streamed reply is unread */
		if (cl->in_len == sizeof cl->in) {
			log_warnx("ctl: client sends requests without reading replies, dropped");
			return false;
		}
		ssize_t n = recv(cl->h.fd, cl->in + cl->in_len, sizeof cl->in - cl->in_len,
		                 MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			return false;
		if (n == 0)
			cl->peer_done = true;
		cl->in_len += (size_t)n;
		cl->last_active = ++cl->ctl->activity;
		if (!client_process(cl))
			return false;
	}
	return !client_done(cl);
}

static void client_event(struct ev_handler *h, uint32_t events)
{
	struct ctl_client *cl = container_of(h, struct ctl_client, h);
	bool alive = !(events & EPOLLERR) && !cl->evicted;
	if (alive && (events & EPOLLOUT))
		alive = client_flush(cl) && client_process(cl) && !client_done(cl);
	if (alive && (events & (EPOLLIN | EPOLLHUP)) && !cl->peer_done)
		alive = client_read(cl);
	if (alive && (events & EPOLLHUP) && cl->out_off == cl->out_len)
		alive = false;
	if (!alive)
		client_close(cl);
}

/* --- clients --- */

static void client_close(struct ctl_client *cl)
{
	struct ctl *c = cl->ctl;
	for (size_t i = 0; i < CTL_SLOTS; i++)
		if (c->clients[i] == cl)
			c->clients[i] = NULL;
	ev_del(c->epfd, &cl->h);
	close(cl->h.fd);
	ctl_stream_free(cl->stream);
	free(cl->out);
	free(cl);
	if (c->accept_paused && ev_mod(c->epfd, &c->listen, EPOLLIN) == 0)
		c->accept_paused = false;
}

/*
 * With CTL_MAX_CLIENTS connected, the least recently active one is shut
 * down: a new operator command always gets served, and clients holding
 * connections without reading cannot lock the socket up. It is only
 * shut down here; its own next event (sure to come) frees it, since an
 * event for it may already be waiting in this round of epoll_wait.
 */
static void evict_if_full(struct ctl *c)
{
	struct ctl_client *victim = NULL;
	size_t live = 0;
	for (size_t i = 0; i < CTL_SLOTS; i++) {
		struct ctl_client *cl = c->clients[i];
		if (cl == NULL || cl->evicted)
			continue;
		live++;
		if (victim == NULL || cl->last_active < victim->last_active)
			victim = cl;
	}
	if (live < CTL_MAX_CLIENTS || victim == NULL)
		return;
	log_warnx("ctl: %d clients, dropping the least active one", CTL_MAX_CLIENTS);
	shutdown(victim->h.fd, SHUT_RDWR);
	victim->evicted = true;
}

static void client_new(struct ctl *c, int fd)
{
	evict_if_full(c);
	size_t slot = 0;
	while (slot < CTL_SLOTS && c->clients[slot] != NULL)
		slot++;
	struct ctl_client *cl = slot < CTL_SLOTS ? calloc(1, sizeof *cl) : NULL;
	if (cl == NULL) {
		log_warnx("ctl: no room for another client");
		close(fd);
		return;
	}
	cl->h.fd = fd;
	cl->h.fn = client_event;
	cl->ctl = c;
	cl->last_active = ++c->activity;
	cl->events = EPOLLIN;
	if (ev_add(c->epfd, &cl->h, cl->events) < 0) {
		log_warn("ctl: epoll_ctl");
		close(fd);
		free(cl);
		return;
	}
	c->clients[slot] = cl;
}

static void ctl_accept(struct ev_handler *h, uint32_t events)
{
	struct ctl *c = container_of(h, struct ctl, listen);
	(void)events;
	for (int i = 0; i < CTL_ACCEPTS_PER_EVENT; i++) {
		int fd = accept4(h->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			client_new(c, fd);
			continue;
		}
		if (errno == EMFILE || errno == ENFILE) {
			/* level-triggered: stop listening until a client goes away */
			log_warn("ctl: accept");
			if (ev_mod(c->epfd, &c->listen, 0) == 0)
				c->accept_paused = true;
		} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		           errno != ECONNABORTED) {
			log_warn("ctl: accept");
		}
		return;
	}
}

/* --- socket --- */

/*
 * A socket file left by a daemon that died is replaced; one a live
 * daemon answers on is not, and neither is a file that is no socket.
 */
static bool remove_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	if (lstat(sa->sun_path, &st) < 0) {
		if (errno == ENOENT)
			return true;
		log_warn("control socket %s", sa->sun_path);
		return false;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx("control socket %s: exists and is not a socket", sa->sun_path);
		return false;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("control socket");
		return false;
	}
	int rc = connect(fd, (const struct sockaddr *)sa, sizeof *sa);
	int err = errno;
	close(fd);
	if (rc == 0 || err == EAGAIN || err == EINPROGRESS) {
		log_warnx("control socket %s: another daemon is listening on it", sa->sun_path);
		return false;
	}
	if (err != ECONNREFUSED) {
		errno = err;
		log_warn("control socket %s", sa->sun_path);
		return false;
	}
	if (unlink(sa->sun_path) < 0 && errno != ENOENT) {
		log_warn("control socket %s: unlink", sa->sun_path);
		return false;
	}
	return true;
}

/* Socket bound at sa with mode 0660 from the start, listening. -1 on error. */
static int listen_socket(const struct sockaddr_un *sa, struct stat *st)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("control socket");
		return -1;
	}
	/* umask closes the window in which the file would be wider than 0660 */
	mode_t old = umask(S_IXUSR | S_IXGRP | S_IRWXO);
	int rc = bind(fd, (const struct sockaddr *)sa, sizeof *sa);
	umask(old);
	if (rc < 0) {
		log_warn("control socket %s: bind", sa->sun_path);
		close(fd);
		return -1;
	}
	if (chmod(sa->sun_path, S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP) < 0 ||
	    lstat(sa->sun_path, st) < 0 || listen(fd, CTL_MAX_CLIENTS) < 0) {
		log_warn("control socket %s", sa->sun_path);
		unlink(sa->sun_path);
		close(fd);
		return -1;
	}
	return fd;
}

struct ctl *ctl_open(const char *path, int epfd, struct ne *ne, struct ne_ifaces *ifaces)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path) {
		log_warnx("control socket path too long: %s", path);
		return NULL;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (!remove_stale(&sa))
		return NULL;
	struct ctl *c = calloc(1, sizeof *c);
	if (c == NULL) {
		log_warn("control socket");
		return NULL;
	}
	struct stat st;
	c->listen.fd = listen_socket(&sa, &st);
	if (c->listen.fd < 0) {
		free(c);
		return NULL;
	}
	c->listen.fn = ctl_accept;
	c->epfd = epfd;
	c->ne = ne;
	c->ifaces = ifaces;
	c->now = default_now;
	memcpy(c->path, sa.sun_path, sizeof c->path);
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	if (ev_add(epfd, &c->listen, EPOLLIN) < 0) {
		log_warn("control socket: epoll_ctl");
		unlink(c->path);
		close(c->listen.fd);
		free(c);
		return NULL;
	}
	return c;
}

void ctl_close(struct ctl *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < CTL_SLOTS; i++)
		if (c->clients[i] != NULL)
			client_close(c->clients[i]);
	ev_del(c->epfd, &c->listen);
	close(c->listen.fd);
	struct stat st;
	if (lstat(c->path, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino)
		unlink(c->path);
	free(c);
}

void ctl_set_clock(struct ctl *c, uint64_t (*now)(void *arg), void *arg)
{
	c->now = now;
	c->now_arg = arg;
}

size_t ctl_client_count(const struct ctl *c)
{
	size_t n = 0;
	for (size_t i = 0; i < CTL_SLOTS; i++)
		n += c->clients[i] != NULL;
	return n;
}
