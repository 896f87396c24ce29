/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging in the OpenBSD daemon manner: stderr in the foreground,
 * syslog otherwise. The settings live in syslog's own state and in
 * log_ctx(), a single process-wide logging context (the one piece of
 * state the log API, like openlog(3), cannot take as an argument).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

struct log_ctx {
	int foreground;
	int verbose;
};

static struct log_ctx *log_ctx(void)
{
	/* Function-scope: defaults to foreground so early errors are seen. */
	static struct log_ctx ctx = { 1, 0 };
	return &ctx;
}

void log_init(const char *ident, int foreground, int verbose)
{
	struct log_ctx *c = log_ctx();

	c->foreground = foreground;
	c->verbose = verbose;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void vlog(int pri, const char *fmt, va_list ap)
{
	if (log_ctx()->foreground) {
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		fflush(stderr);
	} else {
		vsyslog(pri, fmt, ap);
	}
}

/* fmt followed by ": strerror(err)" */
static void vlog_errno(int pri, int err, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (log_ctx()->foreground)
		fprintf(stderr, "%s: %s\n", msg, strerror(err));
	else
		syslog(pri, "%s: %s", msg, strerror(err));
}

void log_warn(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_ERR, err, fmt, ap);
	va_end(ap);
	errno = err;
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_ctx()->verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, err, fmt, ap);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
