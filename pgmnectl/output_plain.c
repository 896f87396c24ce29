/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pgmnectl plain output: aligned tables, one per show command. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "output.h"
#include "table.h"
#include "util.h"

#define U64(buf, v) snprintf(buf, sizeof buf, "%" PRIu64, (uint64_t)(v))

void plain_fmt_ms(char *buf, size_t len, uint64_t ms)
{
	snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 "s", ms / 1000, ms % 1000);
}

/* "500ms", "10s": timer settings read best in their own unit. */
static void fmt_ivl(char *buf, size_t len, uint32_t ms)
{
	if (ms != 0 && ms % 1000 == 0)
		snprintf(buf, len, "%" PRIu32 "s", ms / 1000);
	else
		snprintf(buf, len, "%" PRIu32 "ms", ms);
}

static void print_interfaces(const struct nectl_reply *rep, FILE *f)
{
	static const char *const head[] = {
		"Interface", "Index", "Address", "State", "Mcast", "PGM", "NakRptIvl",
		"NakRptRte", "NakRdataIvl", "NakElimIvl", "SessionLife", "NcfIvl", "NcfTtl",
		"NakTtl" };
	struct nectl_table t;
	tbl_init(&t, 14, head, "lrllllrrrrrrrr");
	for (size_t i = 0; i < rep->n_ifs; i++) {
		const struct ctl_if *x = &rep->ifs[i];
		char idx[12], addr[INET_ADDRSTRLEN], rpt[16], rte[16], rdata[16], elim[16],
		     life[16], ncfivl[16], ncf[4], nak[4];
		U64(idx, x->ifindex);
		nectl_fmt_addr(addr, sizeof addr, x->addr);
		fmt_ivl(rpt, sizeof rpt, x->nak_rpt_ivl_ms);
		fmt_ivl(rte, sizeof rte, x->nak_rpt_rte_ms);
		fmt_ivl(rdata, sizeof rdata, x->nak_rdata_ivl_ms);
		fmt_ivl(elim, sizeof elim, x->nak_elim_ivl_ms);
		fmt_ivl(life, sizeof life, x->session_lifetime_ms);
		/* 0 turns the §7.2 rate limit off: say so rather than "0ms" */
		if (x->ncf_ivl_ms == 0)
			snprintf(ncfivl, sizeof ncfivl, "off");
		else
			fmt_ivl(ncfivl, sizeof ncfivl, x->ncf_ivl_ms);
		U64(ncf, x->ncf_ttl);
		U64(nak, x->nak_ttl);
		const char *row[] = { x->name, idx, x->addr.s_addr ? addr : "-",
		                      x->flags & CTL_IF_UP ? "up" : "down",
		                      x->flags & CTL_IF_MULTICAST ? "yes" : "no",
		                      x->flags & CTL_IF_ENABLED ? "on" : "off",
		                      rpt, rte, rdata, elim, life, ncfivl, ncf, nak };
		tbl_row(&t, row);
	}
	tbl_print(&t, f);
	tbl_free(&t);
}

static void print_sessions(const struct nectl_reply *rep, FILE *f)
{
	static const char *const head[] = {
		"TSI", "Group", "Source", "Dport", "Upstream", "Via", "SpmSqn", "Trail", "Lead",
		"Age", "LastSpm", "RStates" };
	struct nectl_table t;
	tbl_init(&t, 12, head, "llllllrrrrrr");
	for (size_t i = 0; i < rep->n_sessions; i++) {
		const struct ctl_session *s = &rep->sessions[i];
		char tsi[PGM_TSI_STRLEN], grp[INET_ADDRSTRLEN], src[INET_ADDRSTRLEN],
		     up[INET_ADDRSTRLEN], dport[8], sqn[12], trail[12], lead[12], age[24],
		     spm[24], rs[12];
		pgm_tsi_format(&s->tsi, tsi, sizeof tsi);
		nectl_fmt_addr(grp, sizeof grp, s->group);
		nectl_fmt_addr(src, sizeof src, s->source);
		nectl_fmt_addr(up, sizeof up, s->upstream);
		U64(dport, s->dport);
		U64(sqn, s->spm_sqn);
		U64(trail, s->trail);
		U64(lead, s->lead);
		plain_fmt_ms(age, sizeof age, s->age_ms);
		plain_fmt_ms(spm, sizeof spm, s->spm_age_ms);
		U64(rs, s->rstates);
		const char *row[] = { tsi, grp, src, dport, s->upstream.s_addr ? up : "-",
		                      s->upstream_ifname[0] ? s->upstream_ifname : "-",
		                      sqn, trail, lead, age, spm, rs };
		tbl_row(&t, row);
	}
	tbl_print(&t, f);
	tbl_free(&t);
}

/* "eth1,eth2", or "-" for none. */
static void join_ifaces(const struct nectl_rstate *r, char *buf, size_t len)
{
	size_t o = 0;
	snprintf(buf, len, "-");
	for (unsigned i = 0; i < r->n_ifaces; i++) {
		int n = snprintf(buf + o, len - o, "%s%s", i ? "," : "", r->ifname[i]);
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
}

static void print_state(const struct nectl_reply *rep, FILE *f)
{
	static const char *const head[] = {
		"TSI", "Group", "SQN", "State", "Interfaces", "Retries", "TimeLeft", "ElimLeft" };
	struct nectl_table t;
	tbl_init(&t, 8, head, "llrllrrr");
	for (size_t i = 0; i < rep->n_rstates; i++) {
		const struct nectl_rstate *r = &rep->rstates[i];
		char tsi[PGM_TSI_STRLEN], grp[INET_ADDRSTRLEN], sqn[12],
		     ifs[CTL_MAX_IFACES * IF_NAMESIZE], retries[12], left[24], elim[24];
		pgm_tsi_format(&r->tsi, tsi, sizeof tsi);
		nectl_fmt_addr(grp, sizeof grp, r->group);
		U64(sqn, r->sqn);
		join_ifaces(r, ifs, sizeof ifs);
		U64(retries, r->retries);
		plain_fmt_ms(left, sizeof left, r->time_left_ms);
		if (r->elim_left_ms)
			plain_fmt_ms(elim, sizeof elim, r->elim_left_ms);
		else
			snprintf(elim, sizeof elim, "-");
		const char *row[] = { tsi, grp, sqn, ctl_phase_name(r->phase), ifs, retries,
		                      left, elim };
		tbl_row(&t, row);
	}
	tbl_print(&t, f);
	tbl_free(&t);
}

/* Counters as rows, interfaces as columns, like the MIB's table. */
static void print_if_counters(const struct nectl_reply *rep, FILE *f)
{
	size_t ncols = rep->n_counters + 1;
	const char **head = nectl_xrealloc(NULL, ncols, sizeof *head);
	const char **row = nectl_xrealloc(NULL, ncols, sizeof *row);
	char (*val)[24] = nectl_xrealloc(NULL, ncols, sizeof *val);
	char *align = nectl_xrealloc(NULL, ncols + 1, 1);
	head[0] = "Counter";
	memset(align, 'r', ncols);
	align[0] = 'l';
	align[ncols] = '\0';
	for (size_t c = 0; c < rep->n_counters; c++)
		head[c + 1] = rep->counters[c].name;
	struct nectl_table t;
	tbl_init(&t, ncols, head, align);
	for (size_t i = 0; i < NE_IF_COUNTER_N; i++) {
		row[0] = ctl_if_counter_names[i];
		for (size_t c = 0; c < rep->n_counters; c++) {
			U64(val[c + 1], rep->counters[c].v[i]);
			row[c + 1] = val[c + 1];
		}
		tbl_row(&t, row);
	}
	tbl_print(&t, f);
	tbl_free(&t);
	free(head);
	free(row);
	free(val);
	free(align);
}

static void print_name_values(const char *title, const char *const *names,
                              const uint64_t *v, size_t n, FILE *f)
{
	const char *h[2] = { title, "Count" };
	struct nectl_table t;
	tbl_init(&t, 2, h, "lr");
	for (size_t i = 0; i < n; i++) {
		char val[24];
		U64(val, v[i]);
		const char *row[] = { names[i], val };
		tbl_row(&t, row);
	}
	tbl_print(&t, f);
	tbl_free(&t);
}

static void print_traffic(const struct nectl_reply *rep, FILE *f)
{
	print_if_counters(rep, f);
	if (!rep->has_health)
		return;
	const struct ctl_health *h = &rep->health;
	fputc('\n', f);
	print_name_values("Health", ctl_health_counter_names, h->v, NE_HEALTH_COUNTER_N, f);
	fputc('\n', f);
	const char *reasons[PGM_E_COUNT];
	for (size_t i = 1; i < PGM_E_COUNT; i++)
		reasons[i] = pgm_err_name((enum pgm_err)i);
	/* index 0 is "ok": not a malformation */
	print_name_values("Malformed", reasons + 1, h->malformed + 1, PGM_E_COUNT - 1, f);
	fprintf(f, "\nSessions %" PRIu64 ", repair states %" PRIu64 ", repair cache %" PRIu64
	        " packets (%" PRIu64 " bytes)\n", h->sessions, h->rstates, h->rcache_entries,
	        h->rcache_bytes);
}

static void plain_reply(const struct ctl_req *req, const struct nectl_reply *rep, FILE *f)
{
	switch (req->type) {
	case CTL_REQ_SHOW_INTERFACES: print_interfaces(rep, f); break;
	case CTL_REQ_SHOW_SESSIONS: print_sessions(rep, f); break;
	case CTL_REQ_SHOW_STATE: print_state(rep, f); break;
	case CTL_REQ_SHOW_TRAFFIC: print_traffic(rep, f); break;
	case CTL_REQ_CLEAR_TRAFFIC:
		fprintf(f, "cleared traffic counters of %" PRIu32 " interface%s\n", rep->cleared,
		        rep->cleared == 1 ? "" : "s");
		break;
	case CTL_REQ_CLEAR_RTX_STATE:
		fprintf(f, "cleared %" PRIu32 " repair state%s\n", rep->cleared,
		        rep->cleared == 1 ? "" : "s");
		break;
	default:
		break;
	}
}

const struct output output_plain = {
	.reply = plain_reply,
	.refresh_separator = "\n",
};
