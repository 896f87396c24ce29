/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Control protocol between pgmned and pgmnectl, defined once here.
 *
 * Every message is a 4-byte header {version, type, length} followed by
 * `length` bytes of payload, all integers big-endian. The header layout
 * never changes between versions, so either side can always recognise a
 * peer of another version and say so. The client sends one request; the
 * daemon answers with typed records and ends with END, or stops with
 * ERROR. Every decoder checks the exact payload length of its type.
 *
 * Changing a record, or the counter sets in counters.h, or enum
 * pgm_err, changes the protocol: bump CTL_VERSION.
 */
#ifndef PGMNE_CTLPROTO_H
#define PGMNE_CTLPROTO_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#include "counters.h"
#include "tsi.h"
#include "wire.h"

#define CTL_VERSION 5 /* 2: interfaces carry ncf_ivl_ms; 3: health RuleQueued; 4: NakRetryDeferred, QueueBacklogs; 5: the repair cache's counters and usage */
#define CTL_HDR_LEN 4
#define CTL_MAX_PAYLOAD 2048 /* the largest record (rstate, 64 ifaces) fits */
#define CTL_MAX_MSG (CTL_HDR_LEN + CTL_MAX_PAYLOAD)
#define CTL_MAX_IFACES 64    /* interfaces named in one repair state */
#define CTL_ERR_TEXT_MAX 200
/* Where pgmned listens on its default queue and pgmnectl connects (-s). */
#define CTL_DEFAULT_SOCKET "/run/pgmned.sock"
/* Bytes for a control socket path and its NUL. */
#define CTL_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

enum ctl_type {
	/* requests, pgmnectl -> pgmned; all share struct ctl_req */
	CTL_REQ_SHOW_INTERFACES = 1,
	CTL_REQ_SHOW_SESSIONS,
	CTL_REQ_SHOW_STATE,
	CTL_REQ_SHOW_TRAFFIC,
	CTL_REQ_CLEAR_TRAFFIC,
	CTL_REQ_CLEAR_RTX_STATE,
	CTL_REQ_LAST = CTL_REQ_CLEAR_RTX_STATE,
	/* replies, pgmned -> pgmnectl */
	CTL_REP_INTERFACE = 64,
	CTL_REP_SESSION,
	CTL_REP_RSTATE,
	CTL_REP_IF_COUNTERS,
	CTL_REP_HEALTH,
	CTL_REP_CLEARED,
	CTL_REP_END,
	CTL_REP_ERROR,
};

/* Error codes carried by CTL_REP_ERROR. */
enum ctl_errcode {
	CTL_E_VERSION = 1,     /* request of another protocol version */
	CTL_E_MALFORMED,       /* bad header or payload length */
	CTL_E_UNKNOWN_REQUEST, /* request type this daemon does not know */
	CTL_E_BAD_ARGUMENT,    /* filter not allowed for this request */
	CTL_E_NO_SUCH_IFACE,   /* interface name not in the table */
	CTL_E_BUSY,            /* the daemon cannot answer now (out of memory) */
};

struct ctl_hdr {
	uint8_t version;
	uint8_t type;
	uint16_t len; /* payload bytes after the header */
};

/* A framed message: header plus a view of its payload. */
struct ctl_msg {
	struct ctl_hdr hdr;
	const uint8_t *payload;
};

enum ctl_frame_result {
	CTL_FRAME_OK,          /* a whole message is there */
	CTL_FRAME_MORE,        /* need more bytes */
	CTL_FRAME_BAD_VERSION, /* the header is another version's */
	CTL_FRAME_TOO_BIG,     /* length above CTL_MAX_PAYLOAD */
};

/*
 * Look at `avail` bytes at buf: is a whole message there? On CTL_FRAME_OK
 * fills *m and *total (header + payload bytes to consume). The header is
 * filled for every result but CTL_FRAME_MORE.
 */
enum ctl_frame_result ctl_frame(const uint8_t *buf, size_t avail, struct ctl_msg *m,
                                size_t *total);

/* Request filters (struct ctl_req.flags). */
#define CTL_F_GROUP 0x01
#define CTL_F_TSI   0x02
#define CTL_F_IFACE 0x04

struct ctl_req {
	uint8_t type;                 /* enum ctl_type, a CTL_REQ_* */
	uint8_t flags;                /* which of the filters below are set */
	struct in_addr group;
	struct pgm_tsi tsi;
	char ifname[IF_NAMESIZE];     /* NUL-terminated */
};

/* Interface flags (struct ctl_if.flags). */
#define CTL_IF_UP        0x01
#define CTL_IF_MULTICAST 0x02
#define CTL_IF_ENABLED   0x04

struct ctl_if {
	uint32_t ifindex;
	char name[IF_NAMESIZE];
	struct in_addr addr;
	uint8_t flags;
	uint32_t nak_rpt_ivl_ms, nak_rpt_rte_ms, nak_rdata_ivl_ms, nak_elim_ivl_ms;
	uint32_t session_lifetime_ms;
	uint32_t ncf_ivl_ms;          /* §7.2 NCF rate limit; 0 = off */
	uint8_t ncf_ttl, nak_ttl;
};

struct ctl_session {
	struct pgm_tsi tsi;
	struct in_addr group, source, upstream;
	uint16_t dport;
	uint32_t upstream_ifindex;
	char upstream_ifname[IF_NAMESIZE]; /* "" when unknown */
	uint32_t spm_sqn, trail, lead;
	uint64_t age_ms;       /* since the session was created */
	uint64_t spm_age_ms;   /* since the last in-sequence SPM */
	uint32_t rstates;
};

/* Repair state phases, as enum ne_rstate_phase. */
enum ctl_phase { CTL_PHASE_PENDING, CTL_PHASE_CONFIRMED, CTL_PHASE_ANTICIPATED,
                 CTL_PHASE_COUNT };

struct ctl_rstate {
	struct pgm_tsi tsi;
	struct in_addr group;
	uint32_t sqn;
	uint8_t phase;         /* enum ctl_phase */
	uint32_t retries;
	uint64_t time_left_ms; /* until the state goes away */
	uint64_t elim_left_ms; /* duplicates eliminated for this long (0 = not) */
	uint8_t n_ifaces;
	char ifname[CTL_MAX_IFACES][IF_NAMESIZE]; /* interfaces that asked */
};

struct ctl_if_counters {
	uint32_t ifindex;
	char name[IF_NAMESIZE];
	uint64_t v[NE_IF_COUNTER_N];    /* in counters.h order */
};

struct ctl_health {
	uint64_t v[NE_HEALTH_COUNTER_N]; /* in counters.h order */
	uint64_t malformed[PGM_E_COUNT]; /* by enum pgm_err; [PGM_OK] unused */
	uint64_t sessions, rstates;
	uint64_t rcache_bytes, rcache_entries; /* the repair cache now (engine/rcache.h) */
};

struct ctl_error {
	uint16_t code;                   /* enum ctl_errcode */
	char text[CTL_ERR_TEXT_MAX + 1]; /* printable ASCII, NUL-terminated */
};

/*
 * Encoders write one whole message (header and payload) into buf of
 * capacity cap and return its length, or 0 when it does not fit or the
 * record is invalid (a name without NUL, too many interfaces).
 */
size_t ctl_enc_req(uint8_t *buf, size_t cap, const struct ctl_req *r);
size_t ctl_enc_if(uint8_t *buf, size_t cap, const struct ctl_if *r);
size_t ctl_enc_session(uint8_t *buf, size_t cap, const struct ctl_session *r);
size_t ctl_enc_rstate(uint8_t *buf, size_t cap, const struct ctl_rstate *r);
size_t ctl_enc_if_counters(uint8_t *buf, size_t cap, const struct ctl_if_counters *r);
size_t ctl_enc_health(uint8_t *buf, size_t cap, const struct ctl_health *r);
size_t ctl_enc_cleared(uint8_t *buf, size_t cap, uint32_t count);
size_t ctl_enc_end(uint8_t *buf, size_t cap);
/* text is cut at CTL_ERR_TEXT_MAX bytes; non-printable bytes become '?'. */
size_t ctl_enc_error(uint8_t *buf, size_t cap, uint16_t code, const char *text);

/*
 * Decoders take a message framed by ctl_frame() and return false unless
 * its type is theirs and its payload has exactly the right length and
 * valid contents (NUL-terminated names, known phase, filters that exist).
 */
bool ctl_dec_req(const struct ctl_msg *m, struct ctl_req *r);
bool ctl_dec_if(const struct ctl_msg *m, struct ctl_if *r);
bool ctl_dec_session(const struct ctl_msg *m, struct ctl_session *r);
bool ctl_dec_rstate(const struct ctl_msg *m, struct ctl_rstate *r);
bool ctl_dec_if_counters(const struct ctl_msg *m, struct ctl_if_counters *r);
bool ctl_dec_health(const struct ctl_msg *m, struct ctl_health *r);
bool ctl_dec_cleared(const struct ctl_msg *m, uint32_t *count);
bool ctl_dec_end(const struct ctl_msg *m);
bool ctl_dec_error(const struct ctl_msg *m, struct ctl_error *r);

/* Names for printing: counters in counters.h order, phases. */
extern const char *const ctl_if_counter_names[NE_IF_COUNTER_N];
extern const char *const ctl_health_counter_names[NE_HEALTH_COUNTER_N];
const char *ctl_phase_name(uint8_t phase);
const char *ctl_type_name(uint8_t type);

#endif
