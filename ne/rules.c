/* iptables rules of one pgmned instance, installed with iptables-restore. */
#include "rules.h"

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
 * What the kernel keeps to itself: IP fragments (MF set or a fragment
 * offset: no whole PGM header to judge, so forwarded as they are) and
 * ODATA (PGM type, offset 4 past the IP header whatever its length, 0x04).
 * Every other PGM packet goes to the queue.
 *
 * Both tests are one match, so an ODATA packet costs the chain one match
 * (issue #7: each xtables match goes through nft_compat with iptables-nft,
 * the dominant cost on the ODATA path). Classic BPF for xt_bpf, run from
 * the IP header, JIT-compiled by the kernel:
 *   0 ldh  [6]                frag_off
 *   1 jset #0x3fff  -> 5      MF or an offset: a fragment
 *   2 ldxb 4*([0]&0xf)        IP header length
 *   3 ldb  [x+4]              PGM type
 *   4 jeq  #4       -> 5, 6
 *   5 ret  #1                 keep in the kernel
 *   6 ret  #0                 (also when the packet is too short)
 */
#define BPF_KERNEL_ONLY \
	"7,40 0 0 6,69 3 0 16383,177 0 0 0,80 0 0 4,21 0 1 4,6 0 0 1,6 0 0 0"
/* The same with two u32 matches, for a kernel without xt_bpf. */
#define U32_ODATA "0>>22&0x3C@4>>24=0x04"
#define U32_FRAGMENT "4&0x3FFF=0x1:0x3FFF"

static void chain_names(uint16_t queue, char *fwd, char *in)
{
	snprintf(fwd, CHAIN_LEN, "PGMNE-Q%u-FWD", queue);
	snprintf(in, CHAIN_LEN, "PGMNE-Q%u-IN", queue);
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

void rules_remove(uint16_t queue)
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

/* One chain: what stays in the kernel is accepted first, the rest queued. */
static int chain_rules(char *buf, size_t len, const char *chain, uint16_t queue, bool bpf)
{
	if (bpf)
		return snprintf(buf, len,
			"-A %1$s -m bpf --bytecode \"" BPF_KERNEL_ONLY "\" -j ACCEPT\n"
			"-A %1$s -j NFQUEUE --queue-num %2$u --queue-bypass\n", chain, queue);
	/* ODATA first: the common case is one match long. */
	return snprintf(buf, len,
		"-A %1$s -m u32 --u32 \"" U32_ODATA "\" -j ACCEPT\n"
		"-A %1$s -m u32 --u32 \"" U32_FRAGMENT "\" -j ACCEPT\n"
		"-A %1$s -j NFQUEUE --queue-num %2$u --queue-bypass\n", chain, queue);
}

/*
 * The whole rule set as iptables-restore input: applied atomically. Only
 * PGM jumps to our chains: other traffic meets one protocol compare.
 * Returns its length, -1 if it does not fit.
 */
static int ruleset(char *buf, size_t len, uint16_t queue, bool bpf)
{
	char fwd[CHAIN_LEN], in[CHAIN_LEN];
	size_t at = 0;
	int n;

	chain_names(queue, fwd, in);
	n = snprintf(buf, len, "*filter\n:%s - [0:0]\n:%s - [0:0]\n", fwd, in);
	if (n < 0 || (size_t)n >= len - at)
		return -1;
	at += (size_t)n;
	n = chain_rules(buf + at, len - at, fwd, queue, bpf);
	if (n < 0 || (size_t)n >= len - at)
		return -1;
	at += (size_t)n;
	n = chain_rules(buf + at, len - at, in, queue, bpf);
	if (n < 0 || (size_t)n >= len - at)
		return -1;
	at += (size_t)n;
	n = snprintf(buf + at, len - at,
		"-I FORWARD 1 -p 113 -j %s\n-I INPUT 1 -p 113 -j %s\nCOMMIT\n", fwd, in);
	if (n < 0 || (size_t)n >= len - at)
		return -1;
	return (int)(at + (size_t)n);
}

/* Feed text to iptables-restore --noflush. Its exit status, -1 if not run. */
static int restore(const char *text, int n, bool quiet)
{
	char *argv[] = { "iptables-restore", "-w", "10", "--noflush", NULL };
	int p[2], rc;

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
	rc = run(argv, p[0], quiet);
	close(p[0]);
	return rc;
}

int rules_install(uint16_t queue)
{
	char text[1024];
	int n, rc;

	/* A crashed run of this queue may have left its chains behind. */
	rules_remove(queue);
	/* xt_bpf first (one match per ODATA packet); u32 where it is missing. */
	n = ruleset(text, sizeof text, queue, true);
	rc = n < 0 ? -1 : restore(text, n, true);
	if (rc != 0) {
		log_info("rules: xt_bpf not available (iptables-restore exit %d); using u32", rc);
		rules_remove(queue);
		n = ruleset(text, sizeof text, queue, false);
		rc = n < 0 ? -1 : restore(text, n, false);
	}
	if (rc != 0) {
		log_warnx("rules: iptables-restore failed (exit %d); is xt_u32/NFQUEUE available?",
		          rc);
		rules_remove(queue);
		return -1;
	}
	return 0;
}
