/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capability check and drop with libcap. */
#include "caps.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/capability.h>

#include "../common/log.h"

static const cap_value_t needed[] = { CAP_NET_ADMIN, CAP_NET_RAW };
#define N_NEEDED (sizeof needed / sizeof needed[0])

static bool is_needed(cap_value_t c)
{
	for (size_t i = 0; i < N_NEEDED; i++)
		if (needed[i] == c)
			return true;
	return false;
}

bool caps_check(char *missing, size_t len)
{
	cap_t caps = cap_get_proc();
	size_t used = 0;
	bool ok = true;

	missing[0] = '\0';
	for (size_t i = 0; i < N_NEEDED; i++) {
		cap_flag_value_t v = CAP_CLEAR;

		if (caps)
			cap_get_flag(caps, needed[i], CAP_EFFECTIVE, &v);
		if (v == CAP_SET)
			continue;
		ok = false;
		char *name = cap_to_name(needed[i]);
		int n = snprintf(missing + used, len - used, "%s%s", used ? " " : "",
		                 name ? name : "?");
		cap_free(name);
		if (n > 0 && (size_t)n < len - used)
			used += (size_t)n;
	}
	cap_free(caps);
	return ok;
}

static bool have_effective(cap_value_t c)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;

	if (caps)
		cap_get_flag(caps, c, CAP_EFFECTIVE, &v);
	cap_free(caps);
	return v == CAP_SET;
}

static int drop_bounding(void)
{
	/*
	 * Needs CAP_SETPCAP, so before the process set shrinks. Started with
	 * only the two we need (systemd AmbientCapabilities=), there is no
	 * CAP_SETPCAP and the service manager has bounded the set already.
	 */
	if (!have_effective(CAP_SETPCAP)) {
		log_debug("caps: no CAP_SETPCAP, bounding set left as it is");
		return 0;
	}
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
		if (is_needed(c) || cap_get_bound(c) != 1)
			continue; /* kept, unknown to this kernel, or gone already */
		if (cap_drop_bound(c) < 0 && errno != EINVAL) {
			log_warn("caps: drop %d from bounding set", (int)c);
			return -1;
		}
	}
	return 0;
}

int caps_drop(void)
{
	cap_t caps;
	int rc = 0;

	if (drop_bounding() < 0)
		return -1;
	caps = cap_init(); /* all clear */
	if (caps == NULL ||
	    cap_set_flag(caps, CAP_PERMITTED, N_NEEDED, needed, CAP_SET) < 0 ||
	    cap_set_flag(caps, CAP_EFFECTIVE, N_NEEDED, needed, CAP_SET) < 0 ||
	    cap_set_flag(caps, CAP_INHERITABLE, N_NEEDED, needed, CAP_SET) < 0 ||
	    cap_set_proc(caps) < 0) {
		log_warn("caps: set process capabilities");
		rc = -1;
	}
	cap_free(caps);
	/*
	 * Ambient: children (iptables at exit) keep the two even when we do
	 * not run as uid 0, e.g. under systemd with User= and
	 * AmbientCapabilities=.
	 */
	for (size_t i = 0; rc == 0 && i < N_NEEDED; i++)
		if (cap_set_ambient(needed[i], CAP_SET) < 0) {
			log_warn("caps: ambient");
			rc = -1;
		}
	return rc;
}
