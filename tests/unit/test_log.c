/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging: foreground output goes to stderr with strerror for the _warn
 * and fatal variants; debug only when verbose; fatal exits 1. Each case
 * runs in a child whose stderr is a pipe we read back.
 */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "unit_util.h"

enum which { INFO, WARN, WARNX, DEBUG_QUIET, DEBUG_VERBOSE, FATAL, FATALX };

static void child(enum which w)
{
	log_init("test_log", 1, w == DEBUG_VERBOSE);
	errno = ENOENT;
	switch (w) {
	case INFO: log_info("hello %d", 42); break;
	case WARN: log_warn("open %s", "x"); break;
	case WARNX: log_warnx("plain %s", "warning"); break;
	case DEBUG_QUIET: log_debug("hidden"); break;
	case DEBUG_VERBOSE: log_debug("shown %u", 7u); break;
	case FATAL: fatal("cannot %s", "go on"); break;
	case FATALX: fatalx("bad config"); break;
	}
	_exit(0);
}

/* Run case w; returns its exit status and what it wrote to stderr. */
static int run(enum which w, char *out, size_t cap)
{
	int fds[2], status = -1;
	size_t got = 0;
	ssize_t r;
	pid_t pid;

	CU_ASSERT_FATAL(pipe(fds) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDERR_FILENO);
		child(w);
	}
	close(fds[1]);
	/* Reads end at EOF when the child exits: bounded by the child. */
	while (got + 1 < cap && (r = read(fds[0], out + got, cap - 1 - got)) > 0)
		got += (size_t)r;
	out[got] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_info(void)
{
	char out[256];
	CU_ASSERT_EQUAL(run(INFO, out, sizeof out), 0);
	CU_ASSERT_STRING_EQUAL(out, "hello 42\n");
}

static void test_warn_has_strerror(void)
{
	char out[256];
	CU_ASSERT_EQUAL(run(WARN, out, sizeof out), 0);
	CU_ASSERT_STRING_EQUAL(out, "open x: No such file or directory\n");
	CU_ASSERT_EQUAL(run(WARNX, out, sizeof out), 0);
	CU_ASSERT_STRING_EQUAL(out, "plain warning\n");
}

static void test_debug_needs_verbose(void)
{
	char out[256];
	CU_ASSERT_EQUAL(run(DEBUG_QUIET, out, sizeof out), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_EQUAL(run(DEBUG_VERBOSE, out, sizeof out), 0);
	CU_ASSERT_STRING_EQUAL(out, "shown 7\n");
}

static void test_fatal_exits(void)
{
	char out[256];
	CU_ASSERT_EQUAL(run(FATAL, out, sizeof out), 1);
	CU_ASSERT_STRING_EQUAL(out, "cannot go on: No such file or directory\n");
	CU_ASSERT_EQUAL(run(FATALX, out, sizeof out), 1);
	CU_ASSERT_STRING_EQUAL(out, "bad config\n");
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"info", test_info},
		{"warn carries strerror", test_warn_has_strerror},
		{"debug only when verbose", test_debug_needs_verbose},
		{"fatal exits 1", test_fatal_exits},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("log", tests);
	return unit_run();
}
