/*-------------------------------------------------------------------------
 *
 * fuzz_cur_time.c
 *		libFuzzer harness of the timestamp parser: an accepted timestamp
 *		formats to canonical text that parses back to the same instant;
 *		intervals and billing periods never read out of bounds.
 *
 * IDENTIFICATION
 *		test/fuzz/fuzz_cur_time.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cur_time.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;
	bc_time		t;
	bc_time		u;
	bc_time		end;
	char		b[BC_TIME_FORMAT_MAX];
	char		b2[BC_TIME_FORMAT_MAX];
	char		p[11];
	size_t		pos = 0;

	(void) bc_time_billing_period(s, size, p, &pos);
	(void) bc_time_interval(s, size, &t, &end, &pos);
	if (pos > size)
		abort();
	if (bc_time_parse(s, size, &t, &pos) != BC_TIME_OK)
		return 0;
	bc_time_format(&t, b);
	/* canonical text ends in "+00": parse it back */
	if (bc_time_parse(b, strlen(b), &u, NULL) != BC_TIME_OK ||
		bc_time_epoch_usec(&t) != bc_time_epoch_usec(&u))
		abort();
	bc_time_format(&u, b2);
	if (strcmp(b, b2) != 0)
		abort();
	return 0;
}
