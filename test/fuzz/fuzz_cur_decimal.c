/*-------------------------------------------------------------------------
 *
 * fuzz_cur_decimal.c
 *		libFuzzer harness of the exact decimal parser: a parsed value must
 *		format to text that parses back to the same value and formats the
 *		same; a + b - b must give a back when no overflow occurs.  The
 *		input is split at the first '|' into two numbers.
 *
 * IDENTIFICATION
 *		test/fuzz/fuzz_cur_decimal.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cur_decimal.h"

/* parse, then check the round trip */
static int
check_one(const char *s, size_t len, bc_decimal *out)
{
	char		b1[BC_DEC_FORMAT_MAX];
	char		b2[BC_DEC_FORMAT_MAX];
	size_t		n1;
	bc_decimal	again;
	size_t		pos = 0;
	bc_dec_status st = bc_dec_parse(s, len, out, &pos);

	if (st == BC_DEC_SYNTAX && pos > len)
		abort();
	if (st != BC_DEC_OK)
		return 0;
	n1 = bc_dec_format(out, b1);
	if (n1 != strlen(b1) || n1 >= BC_DEC_FORMAT_MAX)
		abort();
	if (bc_dec_parse(b1, n1, &again, NULL) != BC_DEC_OK || bc_dec_cmp(out, &again) != 0)
		abort();
	bc_dec_format(&again, b2);
	if (strcmp(b1, b2) != 0)
		abort();
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;
	const char *bar = memchr(s, '|', size);
	size_t		la = bar ? (size_t) (bar - s) : size;
	bc_decimal	a;
	bc_decimal	b;

	if (!check_one(s, la, &a))
		return 0;
	if (bar && check_one(bar + 1, size - la - 1, &b))
	{
		bc_decimal	sum;
		bc_decimal	back;
		bc_decimal	nb = b;

		nb.coef = -b.coef;
		if (bc_dec_add(&a, &b, &sum) == BC_DEC_OK &&
			bc_dec_add(&sum, &nb, &back) == BC_DEC_OK && bc_dec_cmp(&back, &a) != 0)
			abort();
		if (bc_dec_cmp(&a, &b) != -bc_dec_cmp(&b, &a))
			abort();
	}
	return 0;
}
