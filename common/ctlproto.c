/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Control protocol encoders and decoders (see ctlproto.h). Byte order is
 * converted here and only here; every read and write is bounds-checked
 * through a cursor that latches the first overrun.
 */
#include "ctlproto.h"

#include <string.h>

#define NAME_STR(n) #n,
const char *const ctl_if_counter_names[NE_IF_COUNTER_N] = { NE_IF_COUNTERS(NAME_STR) };
const char *const ctl_health_counter_names[NE_HEALTH_COUNTER_N] = { NE_HEALTH_COUNTERS(NAME_STR) };
#undef NAME_STR

/* Payload lengths of the fixed-size records. */
enum {
	REQ_LEN = 1 + 1 + 4 + 8 + IF_NAMESIZE,
	IF_LEN = 4 + IF_NAMESIZE + 4 + 1 + 6 * 4 + 1 + 1,
	SESSION_LEN = 8 + 3 * 4 + 2 + 4 + IF_NAMESIZE + 3 * 4 + 2 * 8 + 4,
	RSTATE_FIXED_LEN = 8 + 4 + 4 + 1 + 4 + 8 + 8 + 1,
	IF_COUNTERS_LEN = 4 + IF_NAMESIZE + 2 + 8 * NE_IF_COUNTER_N,
	HEALTH_LEN = 2 + 8 * NE_HEALTH_COUNTER_N + 2 + 8 * PGM_E_COUNT + 4 * 8,
	CLEARED_LEN = 4,
	ERROR_FIXED_LEN = 2,
};

/* --- writing --- */

struct wcur {
	uint8_t *p;
	size_t cap, off;
	bool bad;
};

static void w_bytes(struct wcur *w, const void *src, size_t n)
{
	if (w->bad || n > w->cap - w->off) {
		w->bad = true;
		return;
	}
	memcpy(w->p + w->off, src, n);
	w->off += n;
}

static void w_u8(struct wcur *w, uint8_t v)
{
	w_bytes(w, &v, 1);
}

static void w_u16(struct wcur *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	w_bytes(w, b, sizeof b);
}

static void w_u32(struct wcur *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	w_bytes(w, b, sizeof b);
}

static void w_u64(struct wcur *w, uint64_t v)
{
	w_u32(w, (uint32_t)(v >> 32));
	w_u32(w, (uint32_t)v);
}

/* Addresses travel in network order already: copy the bytes as they are. */
static void w_addr(struct wcur *w, struct in_addr a)
{
	w_bytes(w, &a.s_addr, 4);
}

static void w_tsi(struct wcur *w, const struct pgm_tsi *t)
{
	w_bytes(w, t->gsi, sizeof t->gsi);
	w_u16(w, t->sport);
}

/* A fixed IF_NAMESIZE field; the name must be NUL-terminated inside it. */
static void w_name(struct wcur *w, const char name[IF_NAMESIZE])
{
	char field[IF_NAMESIZE] = { 0 };
	size_t n = strnlen(name, IF_NAMESIZE);
	if (n == IF_NAMESIZE) {
		w->bad = true;
		return;
	}
	memcpy(field, name, n);
	w_bytes(w, field, sizeof field);
}

/* Start a message: header with a length patched in by w_finish(). */
static struct wcur w_start(uint8_t *buf, size_t cap, uint8_t type)
{
	struct wcur w = { .p = buf, .cap = cap };
	w_u8(&w, CTL_VERSION);
	w_u8(&w, type);
	w_u16(&w, 0);
	return w;
}

static size_t w_finish(struct wcur *w)
{
	if (w->bad || w->off - CTL_HDR_LEN > CTL_MAX_PAYLOAD)
		return 0;
	size_t len = w->off - CTL_HDR_LEN;
	w->p[2] = (uint8_t)(len >> 8);
	w->p[3] = (uint8_t)len;
	return w->off;
}

/* --- reading --- */

struct rcur {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

static void r_bytes(struct rcur *r, void *dst, size_t n)
{
	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, r->p + r->off, n);
	r->off += n;
}

static uint8_t r_u8(struct rcur *r)
{
	uint8_t v;
	r_bytes(r, &v, 1);
	return v;
}

static uint16_t r_u16(struct rcur *r)
{
	uint8_t b[2];
	r_bytes(r, b, sizeof b);
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t r_u32(struct rcur *r)
{
	uint8_t b[4];
	r_bytes(r, b, sizeof b);
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint64_t r_u64(struct rcur *r)
{
	uint64_t hi = r_u32(r);
	return hi << 32 | r_u32(r);
}

static struct in_addr r_addr(struct rcur *r)
{
	struct in_addr a;
	r_bytes(r, &a.s_addr, 4);
	return a;
}

static void r_tsi(struct rcur *r, struct pgm_tsi *t)
{
	r_bytes(r, t->gsi, sizeof t->gsi);
	t->sport = r_u16(r);
}

static void r_name(struct rcur *r, char name[IF_NAMESIZE])
{
	r_bytes(r, name, IF_NAMESIZE);
	if (memchr(name, '\0', IF_NAMESIZE) == NULL) {
		r->bad = true;
		name[0] = '\0';
	}
}

/* Reader over m's payload if m has the type and exactly `len` bytes. */
static struct rcur r_start(const struct ctl_msg *m, uint8_t type, size_t len)
{
	struct rcur r = { .p = m->payload, .len = m->hdr.len };
	if (m->hdr.version != CTL_VERSION || m->hdr.type != type || m->hdr.len != len)
		r.bad = true;
	return r;
}

static bool r_done(const struct rcur *r)
{
	return !r->bad && r->off == r->len;
}

/* --- framing --- */

enum ctl_frame_result ctl_frame(const uint8_t *buf, size_t avail, struct ctl_msg *m,
                                size_t *total)
{
	if (avail < CTL_HDR_LEN)
		return CTL_FRAME_MORE;
	m->hdr.version = buf[0];
	m->hdr.type = buf[1];
	m->hdr.len = (uint16_t)(buf[2] << 8 | buf[3]);
	m->payload = buf + CTL_HDR_LEN;
	if (m->hdr.version != CTL_VERSION)
		return CTL_FRAME_BAD_VERSION;
	if (m->hdr.len > CTL_MAX_PAYLOAD)
		return CTL_FRAME_TOO_BIG;
	if (avail - CTL_HDR_LEN < m->hdr.len)
		return CTL_FRAME_MORE;
	*total = CTL_HDR_LEN + (size_t)m->hdr.len;
	return CTL_FRAME_OK;
}

/* --- requests --- */

static bool req_type_valid(uint8_t type)
{
	return type >= CTL_REQ_SHOW_INTERFACES && type <= CTL_REQ_LAST;
}

#define CTL_F_ALL (CTL_F_GROUP | CTL_F_TSI | CTL_F_IFACE)

size_t ctl_enc_req(uint8_t *buf, size_t cap, const struct ctl_req *q)
{
	if (!req_type_valid(q->type) || (q->flags & ~CTL_F_ALL) != 0)
		return 0;
	struct wcur w = w_start(buf, cap, q->type);
	w_u8(&w, q->type);
	w_u8(&w, q->flags);
	w_addr(&w, q->group);
	w_tsi(&w, &q->tsi);
	w_name(&w, q->ifname);
	return w_finish(&w);
}

/*
 * The request type travels twice (header and payload) so that a request
 * decoded without its header still says what it is; both must agree.
 */
bool ctl_dec_req(const struct ctl_msg *m, struct ctl_req *q)
{
	struct rcur r = r_start(m, m->hdr.type, REQ_LEN);
	q->type = r_u8(&r);
	q->flags = r_u8(&r);
	q->group = r_addr(&r);
	r_tsi(&r, &q->tsi);
	r_name(&r, q->ifname);
	return r_done(&r) && q->type == m->hdr.type && req_type_valid(q->type) &&
	       (q->flags & ~CTL_F_ALL) == 0;
}

/* --- interface --- */

size_t ctl_enc_if(uint8_t *buf, size_t cap, const struct ctl_if *x)
{
	struct wcur w = w_start(buf, cap, CTL_REP_INTERFACE);
	w_u32(&w, x->ifindex);
	w_name(&w, x->name);
	w_addr(&w, x->addr);
	w_u8(&w, x->flags);
	w_u32(&w, x->nak_rpt_ivl_ms);
	w_u32(&w, x->nak_rpt_rte_ms);
	w_u32(&w, x->nak_rdata_ivl_ms);
	w_u32(&w, x->nak_elim_ivl_ms);
	w_u32(&w, x->session_lifetime_ms);
	w_u32(&w, x->ncf_ivl_ms);
	w_u8(&w, x->ncf_ttl);
	w_u8(&w, x->nak_ttl);
	return w_finish(&w);
}

bool ctl_dec_if(const struct ctl_msg *m, struct ctl_if *x)
{
	struct rcur r = r_start(m, CTL_REP_INTERFACE, IF_LEN);
	x->ifindex = r_u32(&r);
	r_name(&r, x->name);
	x->addr = r_addr(&r);
	x->flags = r_u8(&r);
	x->nak_rpt_ivl_ms = r_u32(&r);
	x->nak_rpt_rte_ms = r_u32(&r);
	x->nak_rdata_ivl_ms = r_u32(&r);
	x->nak_elim_ivl_ms = r_u32(&r);
	x->session_lifetime_ms = r_u32(&r);
	x->ncf_ivl_ms = r_u32(&r);
	x->ncf_ttl = r_u8(&r);
	x->nak_ttl = r_u8(&r);
	return r_done(&r);
}

/* --- session --- */

size_t ctl_enc_session(uint8_t *buf, size_t cap, const struct ctl_session *s)
{
	struct wcur w = w_start(buf, cap, CTL_REP_SESSION);
	w_tsi(&w, &s->tsi);
	w_addr(&w, s->group);
	w_addr(&w, s->source);
	w_addr(&w, s->upstream);
	w_u16(&w, s->dport);
	w_u32(&w, s->upstream_ifindex);
	w_name(&w, s->upstream_ifname);
	w_u32(&w, s->spm_sqn);
	w_u32(&w, s->trail);
	w_u32(&w, s->lead);
	w_u64(&w, s->age_ms);
	w_u64(&w, s->spm_age_ms);
	w_u32(&w, s->rstates);
	return w_finish(&w);
}

bool ctl_dec_session(const struct ctl_msg *m, struct ctl_session *s)
{
	struct rcur r = r_start(m, CTL_REP_SESSION, SESSION_LEN);
	r_tsi(&r, &s->tsi);
	s->group = r_addr(&r);
	s->source = r_addr(&r);
	s->upstream = r_addr(&r);
	s->dport = r_u16(&r);
	s->upstream_ifindex = r_u32(&r);
	r_name(&r, s->upstream_ifname);
	s->spm_sqn = r_u32(&r);
	s->trail = r_u32(&r);
	s->lead = r_u32(&r);
	s->age_ms = r_u64(&r);
	s->spm_age_ms = r_u64(&r);
	s->rstates = r_u32(&r);
	return r_done(&r);
}

/* --- repair state: fixed part, then n_ifaces names --- */

size_t ctl_enc_rstate(uint8_t *buf, size_t cap, const struct ctl_rstate *s)
{
	if (s->n_ifaces > CTL_MAX_IFACES || s->phase >= CTL_PHASE_COUNT)
		return 0;
	struct wcur w = w_start(buf, cap, CTL_REP_RSTATE);
	w_tsi(&w, &s->tsi);
	w_addr(&w, s->group);
	w_u32(&w, s->sqn);
	w_u8(&w, s->phase);
	w_u32(&w, s->retries);
	w_u64(&w, s->time_left_ms);
	w_u64(&w, s->elim_left_ms);
	w_u8(&w, s->n_ifaces);
	for (unsigned i = 0; i < s->n_ifaces; i++)
		w_name(&w, s->ifname[i]);
	return w_finish(&w);
}

bool ctl_dec_rstate(const struct ctl_msg *m, struct ctl_rstate *s)
{
	/* The length depends on n_ifaces, the last fixed byte: peek at it. */
	size_t n = m->hdr.len >= RSTATE_FIXED_LEN ? m->payload[RSTATE_FIXED_LEN - 1] : 0;
	if (n > CTL_MAX_IFACES)
		return false;
	struct rcur r = r_start(m, CTL_REP_RSTATE, RSTATE_FIXED_LEN + n * IF_NAMESIZE);
	r_tsi(&r, &s->tsi);
	s->group = r_addr(&r);
	s->sqn = r_u32(&r);
	s->phase = r_u8(&r);
	s->retries = r_u32(&r);
	s->time_left_ms = r_u64(&r);
	s->elim_left_ms = r_u64(&r);
	s->n_ifaces = r_u8(&r);
	for (unsigned i = 0; i < s->n_ifaces && !r.bad; i++)
		r_name(&r, s->ifname[i]);
	return r_done(&r) && s->phase < CTL_PHASE_COUNT;
}

/* --- per-interface counters --- */

size_t ctl_enc_if_counters(uint8_t *buf, size_t cap, const struct ctl_if_counters *c)
{
	struct wcur w = w_start(buf, cap, CTL_REP_IF_COUNTERS);
	w_u32(&w, c->ifindex);
	w_name(&w, c->name);
	w_u16(&w, NE_IF_COUNTER_N);
	for (unsigned i = 0; i < NE_IF_COUNTER_N; i++)
		w_u64(&w, c->v[i]);
	return w_finish(&w);
}

bool ctl_dec_if_counters(const struct ctl_msg *m, struct ctl_if_counters *c)
{
	struct rcur r = r_start(m, CTL_REP_IF_COUNTERS, IF_COUNTERS_LEN);
	c->ifindex = r_u32(&r);
	r_name(&r, c->name);
	if (r_u16(&r) != NE_IF_COUNTER_N)
		return false;
	for (unsigned i = 0; i < NE_IF_COUNTER_N; i++)
		c->v[i] = r_u64(&r);
	return r_done(&r);
}

/* --- health --- */

size_t ctl_enc_health(uint8_t *buf, size_t cap, const struct ctl_health *h)
{
	struct wcur w = w_start(buf, cap, CTL_REP_HEALTH);
	w_u16(&w, NE_HEALTH_COUNTER_N);
	for (unsigned i = 0; i < NE_HEALTH_COUNTER_N; i++)
		w_u64(&w, h->v[i]);
	w_u16(&w, PGM_E_COUNT);
	for (unsigned i = 0; i < PGM_E_COUNT; i++)
		w_u64(&w, h->malformed[i]);
	w_u64(&w, h->sessions);
	w_u64(&w, h->rstates);
	w_u64(&w, h->rcache_bytes);
	w_u64(&w, h->rcache_entries);
	return w_finish(&w);
}

bool ctl_dec_health(const struct ctl_msg *m, struct ctl_health *h)
{
	struct rcur r = r_start(m, CTL_REP_HEALTH, HEALTH_LEN);
	if (r_u16(&r) != NE_HEALTH_COUNTER_N)
		return false;
	for (unsigned i = 0; i < NE_HEALTH_COUNTER_N; i++)
		h->v[i] = r_u64(&r);
	if (r_u16(&r) != PGM_E_COUNT)
		return false;
	for (unsigned i = 0; i < PGM_E_COUNT; i++)
		h->malformed[i] = r_u64(&r);
	h->sessions = r_u64(&r);
	h->rstates = r_u64(&r);
	h->rcache_bytes = r_u64(&r);
	h->rcache_entries = r_u64(&r);
	return r_done(&r);
}

/* --- cleared, end, error --- */

size_t ctl_enc_cleared(uint8_t *buf, size_t cap, uint32_t count)
{
	struct wcur w = w_start(buf, cap, CTL_REP_CLEARED);
	w_u32(&w, count);
	return w_finish(&w);
}

bool ctl_dec_cleared(const struct ctl_msg *m, uint32_t *count)
{
	struct rcur r = r_start(m, CTL_REP_CLEARED, CLEARED_LEN);
	*count = r_u32(&r);
	return r_done(&r);
}

size_t ctl_enc_end(uint8_t *buf, size_t cap)
{
	struct wcur w = w_start(buf, cap, CTL_REP_END);
	return w_finish(&w);
}

bool ctl_dec_end(const struct ctl_msg *m)
{
	struct rcur r = r_start(m, CTL_REP_END, 0);
	return r_done(&r);
}

static bool printable(uint8_t ch)
{
	return ch >= 0x20 && ch < 0x7F;
}

size_t ctl_enc_error(uint8_t *buf, size_t cap, uint16_t code, const char *text)
{
	struct wcur w = w_start(buf, cap, CTL_REP_ERROR);
	w_u16(&w, code);
	size_t n = strnlen(text, CTL_ERR_TEXT_MAX);
	for (size_t i = 0; i < n; i++)
		w_u8(&w, printable((uint8_t)text[i]) ? (uint8_t)text[i] : '?');
	return w_finish(&w);
}

bool ctl_dec_error(const struct ctl_msg *m, struct ctl_error *e)
{
	if (m->hdr.len < ERROR_FIXED_LEN || m->hdr.len > ERROR_FIXED_LEN + CTL_ERR_TEXT_MAX)
		return false;
	struct rcur r = r_start(m, CTL_REP_ERROR, m->hdr.len);
	e->code = r_u16(&r);
	size_t n = m->hdr.len - ERROR_FIXED_LEN;
	r_bytes(&r, e->text, n);
	e->text[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!printable((uint8_t)e->text[i]))
			return false;
	return r_done(&r);
}

/* --- names --- */

const char *ctl_phase_name(uint8_t phase)
{
	static const char *const names[CTL_PHASE_COUNT] = {
		[CTL_PHASE_PENDING] = "pending",
		[CTL_PHASE_CONFIRMED] = "confirmed",
		[CTL_PHASE_ANTICIPATED] = "anticipated",
	};
	return phase < CTL_PHASE_COUNT ? names[phase] : "unknown";
}

const char *ctl_type_name(uint8_t type)
{
	switch (type) {
	case CTL_REQ_SHOW_INTERFACES: return "show interfaces";
	case CTL_REQ_SHOW_SESSIONS: return "show sessions";
	case CTL_REQ_SHOW_STATE: return "show state";
	case CTL_REQ_SHOW_TRAFFIC: return "show traffic";
	case CTL_REQ_CLEAR_TRAFFIC: return "clear traffic";
	case CTL_REQ_CLEAR_RTX_STATE: return "clear rtx-state";
	case CTL_REP_INTERFACE: return "interface";
	case CTL_REP_SESSION: return "session";
	case CTL_REP_RSTATE: return "repair state";
	case CTL_REP_IF_COUNTERS: return "interface counters";
	case CTL_REP_HEALTH: return "health";
	case CTL_REP_CLEARED: return "cleared";
	case CTL_REP_END: return "end";
	case CTL_REP_ERROR: return "error";
	default: return "unknown";
	}
}
