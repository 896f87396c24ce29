/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmnectl's pieces (the C files of pgmnectl/): grammar, JSON writer, tables,
 * Prometheus escaping, formatters. Output goes to memory streams and is
 * compared byte for byte.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgmnectl/json_writer.h"
#include "pgmnectl/output.h"
#include "pgmnectl/parser.h"
#include "pgmnectl/table.h"
#include "pgmnectl/util.h"
#include "unit_util.h"

/* A memory stream and what was written to it. */
struct mem {
	FILE *f;
	char *buf;
	size_t len;
};

static void mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m->f);
}

/* Close and return the text (caller frees). */
static char *mem_text(struct mem *m)
{
	fclose(m->f);
	return m->buf;
}

static int parse(const char *line, struct nectl_cmd *cmd)
{
	char copy[256], *argv[16];
	int argc = 0;
	snprintf(copy, sizeof copy, "%s", line);
	for (char *t = strtok(copy, " "); t != NULL && argc < 16; t = strtok(NULL, " "))
		argv[argc++] = t;
	return parser_parse(argc, argv, cmd);
}

static void test_grammar_commands(void)
{
	struct nectl_cmd c;
	CU_ASSERT_EQUAL(parse("show interfaces", &c), NECTL_EXIT_OK);
	CU_ASSERT_EQUAL(c.req.type, CTL_REQ_SHOW_INTERFACES);
	CU_ASSERT_EQUAL(c.req.flags, 0);
	CU_ASSERT_EQUAL(parse("sh ses", &c), NECTL_EXIT_OK);
	CU_ASSERT_EQUAL(c.req.type, CTL_REQ_SHOW_SESSIONS);
	CU_ASSERT_EQUAL(parse("show state 239.1.2.3 0a0b0c0d0e0f.7000", &c), NECTL_EXIT_OK);
	CU_ASSERT_EQUAL(c.req.type, CTL_REQ_SHOW_STATE);
	CU_ASSERT_EQUAL(c.req.flags, CTL_F_GROUP | CTL_F_TSI);
	CU_ASSERT_EQUAL(c.req.group.s_addr, inet_addr("239.1.2.3"));
	CU_ASSERT_EQUAL(c.req.tsi.sport, 7000);
	CU_ASSERT_EQUAL(c.req.tsi.gsi[5], 0x0f);
	CU_ASSERT_EQUAL(parse("show state 1.2.3.4.5.6.7000", &c), NECTL_EXIT_OK);
	CU_ASSERT_EQUAL(c.req.flags, CTL_F_TSI);
	CU_ASSERT_EQUAL(parse("show traffic --prometheus eth0", &c), NECTL_EXIT_OK);
	CU_ASSERT_TRUE(c.prometheus);
	CU_ASSERT_EQUAL(c.req.flags, CTL_F_IFACE);
	CU_ASSERT_STRING_EQUAL(c.req.ifname, "eth0");
	CU_ASSERT_EQUAL(parse("show traffic eth0 --prometheus", &c), NECTL_EXIT_OK);
	CU_ASSERT_TRUE(c.prometheus);
	CU_ASSERT_EQUAL(parse("clear rtx-state 224.0.0.1", &c), NECTL_EXIT_OK);
	CU_ASSERT_EQUAL(c.req.type, CTL_REQ_CLEAR_RTX_STATE);
	CU_ASSERT_EQUAL(c.req.flags, CTL_F_GROUP);
	CU_ASSERT_EQUAL(parse("clear traffic", &c), NECTL_EXIT_OK);
	CU_ASSERT_EQUAL(c.req.type, CTL_REQ_CLEAR_TRAFFIC);
	CU_ASSERT_EQUAL(parse("watch show state", &c), NECTL_EXIT_OK);
	CU_ASSERT_TRUE(c.watch);
	CU_ASSERT_EQUAL(c.req.type, CTL_REQ_SHOW_STATE);
}

static void test_grammar_errors(void)
{
	struct nectl_cmd c;
	/* "s" is a prefix of "show" only at the top; "s" under show is ambiguous */
	CU_ASSERT_EQUAL(parse("show s", &c), NECTL_EXIT_USAGE);
	CU_ASSERT_EQUAL(parse("", &c), NECTL_EXIT_USAGE);
	CU_ASSERT_EQUAL(parse("show", &c), NECTL_EXIT_USAGE);
	CU_ASSERT_EQUAL(parse("frob", &c), NECTL_EXIT_USAGE);
	CU_ASSERT_EQUAL(parse("watch clear traffic", &c), NECTL_EXIT_USAGE);
	CU_ASSERT_EQUAL(parse("show state 10.1.1.1", &c), NECTL_EXIT_BADARG);     /* unicast */
	CU_ASSERT_EQUAL(parse("show state 239.1.1", &c), NECTL_EXIT_BADARG);
	CU_ASSERT_EQUAL(parse("show state 0a0b0c0d0e0f.70000", &c), NECTL_EXIT_BADARG);
	CU_ASSERT_EQUAL(parse("show state 239.1.1.1 239.1.1.2", &c), NECTL_EXIT_BADARG);
	CU_ASSERT_EQUAL(parse("show traffic a/b", &c), NECTL_EXIT_BADARG);
	CU_ASSERT_EQUAL(parse("show traffic 0123456789abcdef", &c), NECTL_EXIT_BADARG);
	CU_ASSERT_EQUAL(parse("show traffic eth0 eth1", &c), NECTL_EXIT_BADARG);
	CU_ASSERT_EQUAL(parse("clear traffic -x", &c), NECTL_EXIT_BADARG);
	CU_ASSERT_EQUAL(parse("show sessions now", &c), NECTL_EXIT_BADARG);
}

static void test_json_writer(void)
{
	struct mem m;
	mem_open(&m);
	struct jw w;
	jw_init(&w, m.f);
	jw_obj(&w, NULL);
	jw_str(&w, "s", "a\"b\\c\nd\x01\x7f" "\xc3\xa9");
	jw_arr(&w, "empty");
	jw_end_arr(&w);
	jw_obj(&w, "o");
	jw_u64(&w, "max", UINT64_MAX);
	jw_bool(&w, "t", true);
	jw_end_obj(&w);
	jw_arr(&w, "a");
	jw_u64(&w, NULL, 1);
	jw_str(&w, NULL, "x");
	jw_end_arr(&w);
	jw_end_obj(&w);
	jw_done(&w);
	char *out = mem_text(&m);
	CU_ASSERT_STRING_EQUAL(out,
		"{\n"
		"  \"s\": \"a\\\"b\\\\c\\u000ad\\u0001\\u007f\xc3\xa9\",\n"
		"  \"empty\": [],\n"
		"  \"o\": {\n"
		"    \"max\": 18446744073709551615,\n"
		"    \"t\": true\n"
		"  },\n"
		"  \"a\": [\n"
		"    1,\n"
		"    \"x\"\n"
		"  ]\n"
		"}\n");
	free(out);
}

static void test_table(void)
{
	static const char *const head[] = { "Name", "Count", "Note" };
	struct nectl_table t;
	tbl_init(&t, 3, head, "lrl");
	const char *r1[] = { "a", "1", "x" };
	const char *r2[] = { "longer-name", "12345", "" };
	tbl_row(&t, r1);
	tbl_row(&t, r2);
	struct mem m;
	mem_open(&m);
	tbl_print(&t, m.f);
	tbl_free(&t);
	char *out = mem_text(&m);
	/* columns two blanks apart, numbers right-aligned, no trailing blanks */
	CU_ASSERT_STRING_EQUAL(out,
		"Name         Count  Note\n"
		"a                1  x\n"
		"longer-name  12345  \n");
	free(out);
}

static void test_prometheus_labels(void)
{
	struct ctl_if_counters c = { .ifindex = 1 };
	snprintf(c.name, sizeof c.name, "a\"b\\c");
	c.v[0] = 7;
	struct nectl_reply rep = { .counters = &c, .n_counters = 1 };
	struct ctl_req req = { .type = CTL_REQ_SHOW_TRAFFIC };
	struct mem m;
	mem_open(&m);
	output_prom.reply(&req, &rep, m.f);
	char *out = mem_text(&m);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "# TYPE pgmne_in_spms_total counter\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "pgmne_in_spms_total{interface=\"a\\\"b\\\\c\"} 7\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "pgmne_rdata_eliminated_oif_total{"));
	CU_ASSERT_PTR_NULL(strstr(out, "pgmne_sessions")); /* no health record, no gauges */
	free(out);
}

static void test_formatters(void)
{
	char b[32];
	prom_snake_case(b, sizeof b, "InNakNoSessionErrors");
	CU_ASSERT_STRING_EQUAL(b, "in_nak_no_session_errors");
	prom_snake_case(b, sizeof b, "RdataEliminatedOIF");
	CU_ASSERT_STRING_EQUAL(b, "rdata_eliminated_oif");
	prom_snake_case(b, 6, "InNakNoSessionErrors"); /* cut, never overrun */
	CU_ASSERT_TRUE(strlen(b) < 6);
	plain_fmt_ms(b, sizeof b, 0);
	CU_ASSERT_STRING_EQUAL(b, "0.000s");
	plain_fmt_ms(b, sizeof b, 61250);
	CU_ASSERT_STRING_EQUAL(b, "61.250s");
	plain_fmt_ms(b, sizeof b, UINT64_MAX);
	CU_ASSERT_STRING_EQUAL(b, "18446744073709551.615s");
	struct in_addr a = { .s_addr = inet_addr("10.1.2.3") };
	nectl_fmt_addr(b, sizeof b, a);
	CU_ASSERT_STRING_EQUAL(b, "10.1.2.3");
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"grammar: commands", test_grammar_commands},
		{"grammar: errors and exit codes", test_grammar_errors},
		{"JSON writer escapes and nests", test_json_writer},
		{"aligned table", test_table},
		{"Prometheus label escaping", test_prometheus_labels},
		{"formatters", test_formatters},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("nectl", tests);
	return unit_run();
}
