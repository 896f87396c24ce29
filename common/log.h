/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging in the OpenBSD daemon manner: stderr in the foreground,
 * syslog otherwise.
 */
#ifndef PGMNE_LOG_H
#define PGMNE_LOG_H

#include <stdarg.h>
#include <stdnoreturn.h>

/*
 * Before log_init() messages go to stderr. With foreground == 0 they go
 * to syslog (LOG_DAEMON) under `ident`, which must stay valid (openlog(3)
 * keeps the pointer). log_debug() prints only when verbose is non-zero.
 */
void log_init(const char *ident, int foreground, int verbose);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));   /* with strerror(errno) */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* with strerror(errno), exit 1 */
noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
