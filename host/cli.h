/* Small helpers shared by the command-line tools: strict number parsing. */
#ifndef PGMNE_HOST_CLI_H
#define PGMNE_HOST_CLI_H

#include <stdbool.h>
#include <stdint.h>

/* Whole string a decimal number in [min, max]? */
bool cli_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

/* Decimal seconds with up to 3 decimals ("2", "0.5") in [0, max_s], as ms. */
bool cli_seconds_ms(const char *s, uint32_t max_s, uint64_t *out_ms);

#endif
