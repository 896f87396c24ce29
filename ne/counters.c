/* Counter names, generated from the X-macro lists in counters.h. */
#include "counters.h"

#define NE_CNT_NAME(name) #name,
const char *const ne_if_counter_names[NE_IF_COUNTER_N] = { NE_IF_COUNTERS(NE_CNT_NAME) };
const char *const ne_health_counter_names[NE_HEALTH_COUNTER_N] = {
	NE_HEALTH_COUNTERS(NE_CNT_NAME)
};
#undef NE_CNT_NAME
