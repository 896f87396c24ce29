/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's single event loop is epoll; every file descriptor in it is
 * registered with a struct ev_handler whose fn runs when the fd is ready.
 * Embed the handler in the owning struct and recover it with container_of.
 */
#ifndef PGMNE_EVENT_H
#define PGMNE_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>

struct ev_handler {
	int fd;
	void (*fn)(struct ev_handler *h, uint32_t events);
};

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

static inline int ev_add(int epfd, struct ev_handler *h, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };
	return epoll_ctl(epfd, EPOLL_CTL_ADD, h->fd, &ev);
}

static inline int ev_mod(int epfd, struct ev_handler *h, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };
	return epoll_ctl(epfd, EPOLL_CTL_MOD, h->fd, &ev);
}

static inline int ev_del(int epfd, struct ev_handler *h)
{
	return epoll_ctl(epfd, EPOLL_CTL_DEL, h->fd, NULL);
}

#endif
