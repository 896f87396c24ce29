/*
 * pgmned's rules as iptables chains (rules_ipt.h), installed with
 * iptables-restore: the fallback when nftables cannot take ours.
 */
#include "rules_ipt.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/log.h"

#define CHAIN_LEN 32
#define STALE_JUMPS_MAX 16 /* jumps left by crashed runs, removed one by one */

extern char **environ;

/*
 * What the kernel keeps to itself, ODATA first so the common case is one
 * match long: ODATA (PGM type, offset 4 past the IP header whatever its
 * length, 0x04), then IP fragments (MF set or a fragment offset: no whole
 * PGM header to judge, so forwarded as they are). Every other PGM packet
 * goes to the queue. Each match runs through nft_compat with iptables-nft,
 * ~100 ns per ODATA packet here; one xt_bpf match for both tests measured
 * the same (issue #7, docs/bench.md section 2), so u32 stays.
 */
#define U32_ODATA "0>>22&0x3C@4>>24=0x04"
#define U32_FRAGMENT "4&0x3FFF=0x1:0x3FFF"

static void chain_names(uint16_t queue, char *fwd, char *in)
{
	snprintf(fwd, CHAIN_LEN, IPT_CHAIN_FWD, queue);
	snprintf(in, CHAIN_LEN, IPT_CHAIN_IN, queue);
}

/*
 * Run argv (no shell), stdin from fd `in` (or /dev/null when -1), stderr
 * discarded when quiet. Returns the exit status, -1 if it did not run.
 */
static int run(char *const argv[], int in, bool quiet)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, rc;

	posix_spawn_file_actions_init(&fa);
	if (in >= 0)
		posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
	else
		posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	if (quiet)
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		errno = rc;
		log_warn("rules: cannot run %s", argv[0]);
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int iptables(bool quiet, const char *op, const char *chain, const char *arg1,
                    const char *arg2)
{
	char *argv[] = { "iptables", "-w", "10", (char *)(uintptr_t)op,
	                 (char *)(uintptr_t)chain, (char *)(uintptr_t)arg1,
	                 (char *)(uintptr_t)arg2, NULL };

	return run(argv, -1, quiet);
}

/* The jump is "-p 113 -j chain" since issue #7; "-j chain" is an older run's. */
static void remove_jumps(const char *builtin, const char *chain)
{
	char *pgm[] = { "iptables", "-w", "10", "-D", (char *)(uintptr_t)builtin, "-p", "113",
	                "-j", (char *)(uintptr_t)chain, NULL };

	for (int i = 0; i < STALE_JUMPS_MAX; i++)
		if (run(pgm, -1, true) != 0)
			break;
	for (int i = 0; i < STALE_JUMPS_MAX; i++)
		if (iptables(true, "-D", builtin, "-j", chain) != 0)
			break;
}

void ipt_rules_remove(uint16_t queue)
{
	char fwd[CHAIN_LEN], in[CHAIN_LEN];

	chain_names(queue, fwd, in);
	remove_jumps("FORWARD", fwd);
	remove_jumps("INPUT", in);
	iptables(true, "-F", fwd, NULL, NULL);
	iptables(true, "-X", fwd, NULL, NULL);
	iptables(true, "-F", in, NULL, NULL);
	iptables(true, "-X", in, NULL, NULL);
}

/*
 * The whole rule set as iptables-restore input: applied atomically. Only
 * PGM takes the jumps (other traffic meets one native protocol compare),
 * so the chains' rules need no -p 113 of their own.
 */
static int ruleset(char *buf, size_t len, uint16_t queue)
{
	char fwd[CHAIN_LEN], in[CHAIN_LEN];

	chain_names(queue, fwd, in);
	return snprintf(buf, len,
		"*filter\n"
		":%1$s - [0:0]\n"
		":%2$s - [0:0]\n"
		"-A %1$s -m u32 --u32 " U32_ODATA " -j ACCEPT\n"
		"-A %1$s -m u32 --u32 " U32_FRAGMENT " -j ACCEPT\n"
		"-A %1$s -j NFQUEUE --queue-num %3$u --queue-bypass\n"
		"-A %2$s -m u32 --u32 " U32_ODATA " -j ACCEPT\n"
		"-A %2$s -m u32 --u32 " U32_FRAGMENT " -j ACCEPT\n"
		"-A %2$s -j NFQUEUE --queue-num %3$u --queue-bypass\n"
		"-I FORWARD 1 -p 113 -j %1$s\n"
		"-I INPUT 1 -p 113 -j %2$s\n"
		"COMMIT\n", fwd, in, queue);
}

int ipt_rules_install(uint16_t queue)
{
	char text[1024];
	char *argv[] = { "iptables-restore", "-w", "10", "--noflush", NULL };
	int p[2], n, rc;

	/* A crashed run of this queue may have left its chains behind. */
	ipt_rules_remove(queue);
	n = ruleset(text, sizeof text, queue);
	if (n < 0 || (size_t)n >= sizeof text)
		return -1;
	if (pipe2(p, O_CLOEXEC) < 0) {
		log_warn("rules: pipe");
		return -1;
	}
	/* The text is far below the pipe's capacity: no deadlock writing first. */
	if (write(p[1], text, (size_t)n) != n) {
		log_warn("rules: pipe write");
		close(p[0]);
		close(p[1]);
		return -1;
	}
	close(p[1]);
	rc = run(argv, p[0], false);
	close(p[0]);
	if (rc != 0) {
		log_warnx("rules: iptables-restore failed (exit %d); is xt_u32/NFQUEUE available?",
		          rc);
		ipt_rules_remove(queue);
		return -1;
	}
	return 0;
}
