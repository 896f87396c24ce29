/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmnectl -j: the reply as one JSON document. Names are stable (tests
 * and scripts read them); times are plain milliseconds.
 */
#include "json_writer.h"
#include "output.h"
#include "util.h"

static void json_interfaces(struct jw *w, const struct nectl_reply *rep)
{
	jw_arr(w, "interfaces");
	for (size_t i = 0; i < rep->n_ifs; i++) {
		const struct ctl_if *x = &rep->ifs[i];
		char addr[INET_ADDRSTRLEN];
		nectl_fmt_addr(addr, sizeof addr, x->addr);
		jw_obj(w, NULL);
		jw_str(w, "name", x->name);
		jw_u64(w, "ifindex", x->ifindex);
		jw_str(w, "address", addr);
		jw_bool(w, "up", x->flags & CTL_IF_UP);
		jw_bool(w, "multicast", x->flags & CTL_IF_MULTICAST);
		jw_bool(w, "enabled", x->flags & CTL_IF_ENABLED);
		jw_u64(w, "nak_rpt_ivl_ms", x->nak_rpt_ivl_ms);
		jw_u64(w, "nak_rpt_rte_ms", x->nak_rpt_rte_ms);
		jw_u64(w, "nak_rdata_ivl_ms", x->nak_rdata_ivl_ms);
		jw_u64(w, "nak_elim_ivl_ms", x->nak_elim_ivl_ms);
		jw_u64(w, "session_lifetime_ms", x->session_lifetime_ms);
		jw_u64(w, "ncf_ivl_ms", x->ncf_ivl_ms);
		jw_u64(w, "ncf_ttl", x->ncf_ttl);
		jw_u64(w, "nak_ttl", x->nak_ttl);
		jw_end_obj(w);
	}
	jw_end_arr(w);
}

static void json_sessions(struct jw *w, const struct nectl_reply *rep)
{
	jw_arr(w, "sessions");
	for (size_t i = 0; i < rep->n_sessions; i++) {
		const struct ctl_session *s = &rep->sessions[i];
		char tsi[PGM_TSI_STRLEN], a[INET_ADDRSTRLEN];
		jw_obj(w, NULL);
		jw_str(w, "tsi", pgm_tsi_format(&s->tsi, tsi, sizeof tsi));
		nectl_fmt_addr(a, sizeof a, s->group);
		jw_str(w, "group", a);
		nectl_fmt_addr(a, sizeof a, s->source);
		jw_str(w, "source", a);
		jw_u64(w, "dport", s->dport);
		nectl_fmt_addr(a, sizeof a, s->upstream);
		jw_str(w, "upstream", a);
		jw_str(w, "upstream_interface", s->upstream_ifname);
		jw_u64(w, "spm_sqn", s->spm_sqn);
		jw_u64(w, "trail", s->trail);
		jw_u64(w, "lead", s->lead);
		jw_u64(w, "age_ms", s->age_ms);
		jw_u64(w, "last_spm_ms", s->spm_age_ms);
		jw_u64(w, "repair_states", s->rstates);
		jw_end_obj(w);
	}
	jw_end_arr(w);
}

static void json_state(struct jw *w, const struct nectl_reply *rep)
{
	jw_arr(w, "repair_states");
	for (size_t i = 0; i < rep->n_rstates; i++) {
		const struct nectl_rstate *r = &rep->rstates[i];
		char tsi[PGM_TSI_STRLEN], a[INET_ADDRSTRLEN];
		jw_obj(w, NULL);
		jw_str(w, "tsi", pgm_tsi_format(&r->tsi, tsi, sizeof tsi));
		nectl_fmt_addr(a, sizeof a, r->group);
		jw_str(w, "group", a);
		jw_u64(w, "sqn", r->sqn);
		jw_str(w, "state", ctl_phase_name(r->phase));
		jw_arr(w, "interfaces");
		for (unsigned k = 0; k < r->n_ifaces; k++)
			jw_str(w, NULL, r->ifname[k]);
		jw_end_arr(w);
		jw_u64(w, "retries", r->retries);
		jw_u64(w, "time_left_ms", r->time_left_ms);
		jw_u64(w, "elim_left_ms", r->elim_left_ms);
		jw_end_obj(w);
	}
	jw_end_arr(w);
}

static void json_named(struct jw *w, const char *key, const char *const *names,
                       const uint64_t *v, size_t n)
{
	jw_obj(w, key);
	for (size_t i = 0; i < n; i++)
		jw_u64(w, names[i], v[i]);
	jw_end_obj(w);
}

static void json_traffic(struct jw *w, const struct nectl_reply *rep)
{
	jw_arr(w, "interfaces");
	for (size_t i = 0; i < rep->n_counters; i++) {
		const struct ctl_if_counters *c = &rep->counters[i];
		jw_obj(w, NULL);
		jw_str(w, "name", c->name);
		jw_u64(w, "ifindex", c->ifindex);
		json_named(w, "counters", ctl_if_counter_names, c->v, NE_IF_COUNTER_N);
		jw_end_obj(w);
	}
	jw_end_arr(w);
	if (!rep->has_health)
		return;
	const struct ctl_health *h = &rep->health;
	json_named(w, "health", ctl_health_counter_names, h->v, NE_HEALTH_COUNTER_N);
	jw_obj(w, "malformed");
	for (size_t i = 1; i < PGM_E_COUNT; i++)
		jw_u64(w, pgm_err_name((enum pgm_err)i), h->malformed[i]);
	jw_end_obj(w);
	jw_u64(w, "sessions", h->sessions);
	jw_u64(w, "repair_states", h->rstates);
	jw_u64(w, "repair_cache_packets", h->rcache_entries);
	jw_u64(w, "repair_cache_bytes", h->rcache_bytes);
}

static void json_reply(const struct ctl_req *req, const struct nectl_reply *rep, FILE *f)
{
	struct jw w;
	jw_init(&w, f);
	jw_obj(&w, NULL);
	switch (req->type) {
	case CTL_REQ_SHOW_INTERFACES: json_interfaces(&w, rep); break;
	case CTL_REQ_SHOW_SESSIONS: json_sessions(&w, rep); break;
	case CTL_REQ_SHOW_STATE: json_state(&w, rep); break;
	case CTL_REQ_SHOW_TRAFFIC: json_traffic(&w, rep); break;
	case CTL_REQ_CLEAR_TRAFFIC: jw_u64(&w, "cleared_interfaces", rep->cleared); break;
	case CTL_REQ_CLEAR_RTX_STATE: jw_u64(&w, "cleared_repair_states", rep->cleared); break;
	default: break;
	}
	jw_end_obj(&w);
	jw_done(&w);
}

const struct output output_json = {
	.reply = json_reply,
	.refresh_separator = "",
};
