/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pgmned settings: config file and flag values, every error named. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/ctlproto.h"
#include "pgmned/settings.h"
#include "unit_util.h"

static struct ned_opts opts;
static char err[256];

static int parse(const char *text)
{
	ned_opts_defaults(&opts);
	err[0] = '\0';
	return ned_cfg_parse(&opts, text, "t.conf", err, sizeof err);
}

/* The message names the line and contains `what`. */
static void expect_error(const char *text, const char *what)
{
	CU_ASSERT_EQUAL(parse(text), -1);
	if (strstr(err, what) == NULL)
		fprintf(stderr, "\nerror '%s' does not mention '%s'\n", err, what);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, what));
	CU_ASSERT_EQUAL(strncmp(err, "t.conf:", 7), 0);
}

static void test_defaults(void)
{
	struct ne_config c;
	char buf[128];

	ne_config_defaults(&c);
	ned_opts_defaults(&opts);
	CU_ASSERT_EQUAL(opts.queue, NED_DEFAULT_QUEUE);
	CU_ASSERT_EQUAL(opts.n_ifaces, 0);
	CU_ASSERT_EQUAL(memcmp(&opts.ne, &c, sizeof c), 0);
	CU_ASSERT_EQUAL(ned_opts_check(&opts, err, sizeof err), 0);
	ned_ctl_path(&opts, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, CTL_DEFAULT_SOCKET);
	opts.queue = 7;
	ned_ctl_path(&opts, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "/run/pgmned-q7.sock");
}

static void test_every_key(void)
{
	static const char text[] =
		"# full example\n"
		"\n"
		"interface eth0\n"
		"interface  eth1   # second\n"
		"queue 7\n"
		"socket /tmp/x.sock\n"
		"nak-rpt-ivl 300\n"
		"nak-rpt-rte 100\n"
		"nak-rdata-ivl 2000\n"
		"nak-elim-ivl 150\n"
		"\tsession-lifetime 60\r\n"
		"max-sessions 10\n"
		"max-rstates 1000\n"
		"max-rstates-per-session 100\n"
		"ncf-ttl 1\n"
		"nak-ttl 255";   /* no final newline */

	CU_ASSERT_EQUAL_FATAL(parse(text), 0);
	CU_ASSERT_EQUAL(opts.n_ifaces, 2);
	CU_ASSERT_STRING_EQUAL(opts.ifaces[0], "eth0");
	CU_ASSERT_STRING_EQUAL(opts.ifaces[1], "eth1");
	CU_ASSERT_EQUAL(opts.queue, 7);
	CU_ASSERT_STRING_EQUAL(opts.ctl_path, "/tmp/x.sock");
	CU_ASSERT_EQUAL(opts.ne.nak_rpt_ivl_ms, 300);
	CU_ASSERT_EQUAL(opts.ne.nak_rpt_rte_ms, 100);
	CU_ASSERT_EQUAL(opts.ne.nak_rdata_ivl_ms, 2000);
	CU_ASSERT_EQUAL(opts.ne.nak_elim_ivl_ms, 150);
	CU_ASSERT_EQUAL(opts.ne.session_lifetime_ms, 60000);
	CU_ASSERT_EQUAL(opts.ne.max_sessions, 10);
	CU_ASSERT_EQUAL(opts.ne.max_rstates, 1000);
	CU_ASSERT_EQUAL(opts.ne.max_rstates_per_session, 100);
	CU_ASSERT_EQUAL(opts.ne.ncf_ttl, 1);
	CU_ASSERT_EQUAL(opts.ne.nak_ttl, 255);
	CU_ASSERT_EQUAL(ned_opts_check(&opts, err, sizeof err), 0);
}

static void test_every_key_documented(void)
{
	char buf[128];

	ned_opts_defaults(&opts);
	for (size_t i = 0; i < ned_optdesc_count; i++) {
		const struct ned_optdesc *d = &ned_optdescs[i];

		CU_ASSERT_PTR_EQUAL(ned_opt_find(d->name), d);
		CU_ASSERT_TRUE(d->help != NULL && d->help[0] != '\0');
		ned_opt_format(&opts, d, buf, sizeof buf);
		CU_ASSERT_TRUE(buf[0] != '\0');
	}
	CU_ASSERT_PTR_NULL(ned_opt_find("nope"));
}

static void test_format_roundtrip(void)
{
	char buf[64];

	CU_ASSERT_EQUAL_FATAL(parse("session-lifetime 42\nncf-ttl 9\n"), 0);
	ned_opt_format(&opts, ned_opt_find("session-lifetime"), buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "42");
	ned_opt_format(&opts, ned_opt_find("ncf-ttl"), buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "9");
	/* rules: nft by default, each kind by name */
	ned_opt_format(&opts, ned_opt_find("rules"), buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "nft");
	CU_ASSERT_EQUAL(opts.rules, NED_RULES_NFT);
	CU_ASSERT_EQUAL_FATAL(parse("rules iptables\n"), 0);
	CU_ASSERT_EQUAL(opts.rules, NED_RULES_IPTABLES);
	ned_opt_format(&opts, ned_opt_find("rules"), buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "iptables");
	CU_ASSERT_EQUAL_FATAL(parse("rules none\n"), 0);
	CU_ASSERT_EQUAL(opts.rules, NED_RULES_NONE);
	CU_ASSERT_EQUAL_FATAL(parse("rules nft\n"), 0);
	CU_ASSERT_EQUAL(opts.rules, NED_RULES_NFT);
}

static void test_later_wins_and_duplicates(void)
{
	CU_ASSERT_EQUAL_FATAL(parse("queue 5\nqueue 6\ninterface a\ninterface a\n"), 0);
	CU_ASSERT_EQUAL(opts.queue, 6);
	CU_ASSERT_EQUAL(opts.n_ifaces, 1);
}

static void test_errors(void)
{
	expect_error("bogus 1\n", "unknown setting 'bogus'");
	expect_error("queue\n", "queue: missing value");
	expect_error("queue abc\n", "queue: 'abc' is not a number");
	expect_error("queue -1\n", "'-1' is not a number");
	expect_error("queue 1x\n", "'1x' is not a number");
	expect_error("queue 65536\n", "queue: 65536 out of range 0..65535");
	expect_error("queue 99999999999\n", "is not a number");
	expect_error("nak-rpt-ivl 0\n", "nak-rpt-ivl: 0 out of range");
	expect_error("session-lifetime 86401\n", "session-lifetime: 86401 out of range");
	expect_error("ncf-ttl 256\n", "ncf-ttl: 256 out of range 1..255");
	expect_error("queue 1 2\n", "queue: unexpected '2'");
	expect_error("interface abcdefghijklmnop\n", "interface: name 'abcdefghijklmnop' too long");
	expect_error("rules ebtables\n", "rules: 'ebtables' is not nft, iptables or none");
	expect_error("rules NFT\n", "rules: 'NFT' is not");
	expect_error("socket relative.sock\n", "socket: 'relative.sock' is not an absolute path");
	/* error on line 3 is reported as line 3 */
	expect_error("# c\nqueue 1\nqueue x\n", "t.conf:3:");
}

static void test_long_line_and_path(void)
{
	char text[700];
	char path[200];

	memset(text, 'a', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	expect_error(text, "t.conf:1: line too long");

	memset(path, 'p', sizeof path - 1);
	path[0] = '/';
	path[sizeof path - 1] = '\0';
	snprintf(text, sizeof text, "socket %s\n", path);
	expect_error(text, "socket: path too long");
}

static void test_too_many_ifaces(void)
{
	char name[IF_NAMESIZE];

	ned_opts_defaults(&opts);
	for (int i = 0; i < NE_MAX_IFACES; i++) {
		snprintf(name, sizeof name, "if%d", i);
		CU_ASSERT_EQUAL(ned_opt_set(&opts, "interface", name, err, sizeof err), 0);
	}
	CU_ASSERT_EQUAL(ned_opt_set(&opts, "interface", "one-more", err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "interface: more than 64 interfaces"));
}

static void test_cross_checks(void)
{
	CU_ASSERT_EQUAL_FATAL(parse("nak-rdata-ivl 100\nnak-elim-ivl 200\n"), 0);
	CU_ASSERT_EQUAL(ned_opts_check(&opts, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nak-elim-ivl (200) must not exceed nak-rdata-ivl"));

	CU_ASSERT_EQUAL_FATAL(parse("max-rstates 10\nmax-rstates-per-session 11\n"), 0);
	CU_ASSERT_EQUAL(ned_opts_check(&opts, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "max-rstates-per-session (11) must not exceed"));
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void test_load_file(void)
{
	char path[] = "/tmp/test_cfgfile.XXXXXX";
	int fd = mkstemp(path);
	char *big;

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);

	write_file(path, "queue 9\n", 8);
	ned_opts_defaults(&opts);
	CU_ASSERT_EQUAL(ned_cfg_load(&opts, path, err, sizeof err), 0);
	CU_ASSERT_EQUAL(opts.queue, 9);

	write_file(path, "queue 9\nqueue z\n", 16);
	CU_ASSERT_EQUAL(ned_cfg_load(&opts, path, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":2: queue: 'z' is not a number"));
	CU_ASSERT_EQUAL(strncmp(err, path, strlen(path)), 0);

	write_file(path, "queue 9\0\n", 9);
	CU_ASSERT_EQUAL(ned_cfg_load(&opts, path, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "contains a NUL byte"));

	big = malloc(NED_CFG_MAX_BYTES + 10);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, '\n', NED_CFG_MAX_BYTES + 10);
	write_file(path, big, NED_CFG_MAX_BYTES + 10);
	free(big);
	CU_ASSERT_EQUAL(ned_cfg_load(&opts, path, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "larger than"));

	unlink(path);
	CU_ASSERT_EQUAL(ned_cfg_load(&opts, path, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));
}

static void test_build_flags_win(void)
{
	char path[] = "/tmp/test_cfgfile.XXXXXX";
	int fd = mkstemp(path);
	const struct ned_setting flags[] = { { "queue", "12" }, { "interface", "b" } };
	const struct ned_setting bad[] = { { "queue", "x" } };
	const struct ned_setting clash[] = { { "nak-elim-ivl", "900" } };

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	static const char text[] = "queue 11\nnak-rdata-ivl 800\ninterface a\n";

	write_file(path, text, strlen(text));

	CU_ASSERT_EQUAL(ned_opts_build(&opts, path, flags, 2, err, sizeof err), 0);
	CU_ASSERT_EQUAL(opts.queue, 12);                 /* the flag wins */
	CU_ASSERT_EQUAL(opts.ne.nak_rdata_ivl_ms, 800);  /* the file fills in */
	CU_ASSERT_EQUAL(opts.n_ifaces, 2);               /* repeatable: both */

	CU_ASSERT_EQUAL(ned_opts_build(&opts, path, bad, 1, err, sizeof err), -1);
	CU_ASSERT_STRING_EQUAL(err, "--queue: 'x' is not a number");

	/* the checks run on the merged result */
	CU_ASSERT_EQUAL(ned_opts_build(&opts, path, clash, 1, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nak-elim-ivl (900) must not exceed nak-rdata-ivl (800)"));

	/* no file: defaults and flags only */
	CU_ASSERT_EQUAL(ned_opts_build(&opts, NULL, flags, 1, err, sizeof err), 0);
	CU_ASSERT_EQUAL(opts.queue, 12);
	CU_ASSERT_EQUAL(opts.n_ifaces, 0);
	unlink(path);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"defaults", test_defaults},
		{"every key", test_every_key},
		{"every key documented", test_every_key_documented},
		{"format round trip", test_format_roundtrip},
		{"later line wins, duplicate interface", test_later_wins_and_duplicates},
		{"errors named", test_errors},
		{"long line, long path", test_long_line_and_path},
		{"too many interfaces", test_too_many_ifaces},
		{"cross checks", test_cross_checks},
		{"load file", test_load_file},
		{"file then flags, flags win", test_build_flags_win},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("cfgfile", tests);
	return unit_run();
}
