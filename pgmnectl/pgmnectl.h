/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmnectl's exit codes, returned by every part of it: each failure
 * class its own, so scripts can tell them apart.
 */
#ifndef PGMNE_NECTL_H
#define PGMNE_NECTL_H

enum nectl_exit {
	NECTL_EXIT_OK = 0,
	NECTL_EXIT_FAIL = 1,      /* daemon said no, protocol or I/O error */
	NECTL_EXIT_USAGE = 2,     /* unknown command or option */
	NECTL_EXIT_BADARG = 3,    /* bad argument (group, TSI, interface) */
	NECTL_EXIT_NODAEMON = 4,  /* no socket, or nobody listening on it */
	NECTL_EXIT_PERM = 5,      /* not allowed to use the socket */
};

#endif
