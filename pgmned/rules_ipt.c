/* SPDX-License-Identifier: GPL-2.0-or-later */
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
#include "../engine/ne.h"
#include "pktmark.h"

#define RULESET_MAX 16384 /* three chains and a rule per interface */
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
/* The tag as an iptables mark match (pktmark.h). */
#define PKTMARK_MATCH "0x50000000/0xff000000"
_Static_assert(PKTMARK_TAG == 0x50000000u && PKTMARK_TAG_MASK == 0xff000000u,
               "PKTMARK_MATCH spells the tag");

struct chains {
	char pre[IPT_CHAIN_LEN], post[IPT_CHAIN_LEN], in[IPT_CHAIN_LEN];
};

static void chain_names(uint16_t queue, struct chains *c)
{
	snprintf(c->pre, IPT_CHAIN_LEN, IPT_CHAIN_PRE, queue);
	snprintf(c->post, IPT_CHAIN_LEN, IPT_CHAIN_POST, queue);
	snprintf(c->in, IPT_CHAIN_LEN, IPT_CHAIN_IN, queue);
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

static int iptables(const char *table, const char *op, const char *chain)
{
	char *argv[] = { "iptables", "-w", "10", "-t", (char *)(uintptr_t)table,
	                 (char *)(uintptr_t)op, (char *)(uintptr_t)chain, NULL };

	return run(argv, -1, true);
}

/*
 * Every jump of ours from builtin (one per stale run): "-D builtin
 * m0 m1 [m2 m3] -j chain" until it fails. m2 and m3 may be NULL.
 */
static void remove_jumps(const char *table, const char *builtin, const char *const m[4],
                         const char *chain)
{
	char *argv[14] = { "iptables", "-w", "10", "-t", (char *)(uintptr_t)table, "-D",
	                   (char *)(uintptr_t)builtin };
	int n = 7;

	for (int i = 0; i < 4 && m[i] != NULL; i++)
		argv[n++] = (char *)(uintptr_t)m[i];
	argv[n++] = "-j";
	argv[n++] = (char *)(uintptr_t)chain;
	argv[n] = NULL;
	for (int i = 0; i < STALE_JUMPS_MAX; i++)
		if (run(argv, -1, true) != 0)
			break;
}

static void remove_chain(const char *table, const char *chain)
{
	iptables(table, "-F", chain);
	iptables(table, "-X", chain);
}

void ipt_rules_remove(uint16_t queue)
{
	static const char *const pgm[4] = { "-p", "113" };
	static const char *const tagged[4] = { "-m", "mark", "--mark", PKTMARK_MATCH };
	struct chains c;

	chain_names(queue, &c);
	remove_jumps("raw", "PREROUTING", pgm, c.pre);
	remove_jumps("mangle", "POSTROUTING", tagged, c.post);
	remove_jumps("filter", "INPUT", pgm, c.in);
	remove_chain("raw", c.pre);
	remove_chain("mangle", c.post);
	remove_chain("filter", c.in);
}

/*
 * The tagging chain, flushed and refilled (iptables-restore flushes a
 * chain it declares): ODATA and fragments keep their mark, every other
 * PGM packet arriving on a PGM interface gets the tag and that
 * interface's ifindex.
 */
static size_t put_tagging(char *buf, size_t len, const char *pre, const struct ne_ifaces *ifs)
{
	size_t n = (size_t)snprintf(buf, len,
		"*raw\n"
		":%1$s - [0:0]\n"
		"-A %1$s -m u32 --u32 " U32_ODATA " -j RETURN\n"
		"-A %1$s -m u32 --u32 " U32_FRAGMENT " -j RETURN\n", pre);

	for (unsigned i = 0; i < NE_MAX_IFACES && n < len; i++) {
		const struct ne_iface *f = &ifs->v[i];

		if (f->ifindex == 0 || !f->enabled || f->name[0] == '\0' ||
		    (uint32_t)f->ifindex > PKTMARK_IFINDEX_MASK)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "-A %s -i %s -j MARK --set-mark 0x%08x\n",
		                      pre, f->name, PKTMARK_TAG | (uint32_t)f->ifindex);
	}
	return n;
}

/*
 * The whole rule set as iptables-restore input: applied atomically per
 * table. Only PGM (or tagged PGM) takes the jumps, so other traffic meets
 * one match at each hook. Returns the length, or 0 if it did not fit.
 */
static size_t ruleset(char *buf, size_t len, uint16_t queue, const struct ne_ifaces *ifs)
{
	struct chains c;
	size_t n;

	chain_names(queue, &c);
	n = put_tagging(buf, len, c.pre, ifs);
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n,
			"-I PREROUTING 1 -p 113 -j %1$s\n"
			"COMMIT\n"
			"*mangle\n"
			":%2$s - [0:0]\n"
			"-A %2$s -j NFQUEUE --queue-num %4$u --queue-bypass\n"
			"-I POSTROUTING 1 -m mark --mark " PKTMARK_MATCH " -j %2$s\n"
			"COMMIT\n"
			"*filter\n"
			":%3$s - [0:0]\n"
			"-A %3$s -m u32 --u32 " U32_ODATA " -j ACCEPT\n"
			"-A %3$s -m u32 --u32 " U32_FRAGMENT " -j ACCEPT\n"
			"-A %3$s -j NFQUEUE --queue-num %4$u --queue-bypass\n"
			"-I INPUT 1 -p 113 -j %3$s\n"
			"COMMIT\n", c.pre, c.post, c.in, queue);
	return n < len ? n : 0;
}

/* Feed text to iptables-restore --noflush. Its exit status, -1 if not run. */
static int restore(const char *text, size_t n)
{
	char *argv[] = { "iptables-restore", "-w", "10", "--noflush", NULL };
	int p[2], rc;

	if (pipe2(p, O_CLOEXEC) < 0) {
		log_warn("rules: pipe");
		return -1;
	}
	/* The text is below the pipe's capacity (64 KiB): no deadlock writing first. */
	if (write(p[1], text, n) != (ssize_t)n) {
		log_warn("rules: pipe write");
		close(p[0]);
		close(p[1]);
		return -1;
	}
	close(p[1]);
	rc = run(argv, p[0], false);
	close(p[0]);
	return rc;
}

int ipt_rules_install(uint16_t queue, const struct ne_ifaces *ifs)
{
	static char text[RULESET_MAX];
	size_t n;
	int rc;

	/* A crashed run of this queue may have left its chains behind. */
	ipt_rules_remove(queue);
	n = ruleset(text, sizeof text, queue, ifs);
	if (n == 0)
		return -1;
	rc = restore(text, n);
	if (rc != 0) {
		log_warnx("rules: iptables-restore failed (exit %d); are xt_u32, MARK and "
		          "NFQUEUE available?", rc);
		ipt_rules_remove(queue);
		return -1;
	}
	return 0;
}

int ipt_rules_retag(uint16_t queue, const struct ne_ifaces *ifs)
{
	static char text[RULESET_MAX];
	char pre[IPT_CHAIN_LEN];
	size_t n;

	snprintf(pre, sizeof pre, IPT_CHAIN_PRE, queue);
	n = put_tagging(text, sizeof text, pre, ifs);
	if (n + sizeof "COMMIT\n" > sizeof text)
		return -1;
	memcpy(text + n, "COMMIT\n", sizeof "COMMIT\n");
	if (restore(text, n + sizeof "COMMIT\n" - 1) != 0) {
		log_warnx("rules: cannot update %s for the new interfaces", pre);
		return -1;
	}
	return 0;
}
