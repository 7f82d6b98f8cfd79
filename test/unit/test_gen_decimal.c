/*-------------------------------------------------------------------------
 *
 * test_gen_decimal.c
 *		Unit tests of the generator's exact decimal formatter and its CSV /
 *		JSON escaping (src/tools/gen_decimal.c, src/tools/gen_text.c).
 *
 * The generator's files live in src/tools/, outside the core the unit
 * build links, so they are compiled into this test directly.
 *
 * IDENTIFICATION
 *		test/unit/test_gen_decimal.c
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include <stdlib.h>

#include "../../src/tools/gen_decimal.c"
#include "../../src/tools/gen_text.c"

/* format v / 10^scale in a style into a static buffer */
static const char *
fmt(bc_gen_i128 v, int scale, bc_gen_dec_style st)
{
	static char b[BC_GEN_DEC_BUFSZ];

	bc_gen_fmt_decimal(b, v, scale, st);
	return b;
}

UNIT_TEST(gen_decimal_plain)
{
	CHECK_STR_EQ(fmt(0, 10, BC_GEN_DEC_PLAIN), "0.0");
	CHECK_STR_EQ(fmt(572000000, 10, BC_GEN_DEC_PLAIN), "0.0572");
	CHECK_STR_EQ(fmt(1200000000000LL, 10, BC_GEN_DEC_PLAIN), "120.0");
	CHECK_STR_EQ(fmt(-15162165775670LL, 10, BC_GEN_DEC_PLAIN), "-1516.216577567");
	CHECK_STR_EQ(fmt(1, 10, BC_GEN_DEC_PLAIN), "0.0000000001");
	CHECK_STR_EQ(fmt(80897, 3, BC_GEN_DEC_PLAIN), "80.897");
	CHECK_STR_EQ(fmt(7, 0, BC_GEN_DEC_PLAIN), "7.0");
	CHECK_STR_EQ(fmt(-5, 1, BC_GEN_DEC_PLAIN), "-0.5");
}

UNIT_TEST(gen_decimal_fixed)
{
	CHECK_STR_EQ(fmt(572000000, 10, BC_GEN_DEC_FIXED), "0.0572000000");
	CHECK_STR_EQ(fmt(0, 10, BC_GEN_DEC_FIXED), "0.0000000000");
	CHECK_STR_EQ(fmt(-1, 10, BC_GEN_DEC_FIXED), "-0.0000000001");
	CHECK_STR_EQ(fmt(123, 0, BC_GEN_DEC_FIXED), "123");
	CHECK_STR_EQ(fmt(-40, 0, BC_GEN_DEC_FIXED), "-40");
}

UNIT_TEST(gen_decimal_exponent)
{
	CHECK_STR_EQ(fmt(4500, 10, BC_GEN_DEC_EXP), "4.5E-7");
	CHECK_STR_EQ(fmt(1, 10, BC_GEN_DEC_EXP), "1.0E-10");
	CHECK_STR_EQ(fmt(313500, 10, BC_GEN_DEC_EXP), "3.135E-5");
	CHECK_STR_EQ(fmt(-200, 10, BC_GEN_DEC_EXP), "-2.0E-8");
	CHECK_STR_EQ(fmt(1250, 0, BC_GEN_DEC_EXP), "1.25E3");
	CHECK_STR_EQ(fmt(5, 1, BC_GEN_DEC_EXP), "5.0E-1");
	CHECK_STR_EQ(fmt(0, 10, BC_GEN_DEC_EXP), "0.0");
}

UNIT_TEST(gen_decimal_int128)
{
	/* beyond 64 bits: 2^64 + 1 units of 1e-10 */
	bc_gen_i128 v = ((bc_gen_i128) 1 << 64) + 1;

	CHECK_STR_EQ(fmt(v, 10, BC_GEN_DEC_FIXED), "1844674407.3709551617");
	CHECK_STR_EQ(fmt(-v, 0, BC_GEN_DEC_FIXED), "-18446744073709551617");
}

/* round trip: every printed form parses back (by digits) to the integer */
UNIT_TEST(gen_decimal_exact_roundtrip)
{
	static const long long vals[] = {1, 9, 10, 99, 101, 4500, 999999999, 1000000000,
		123456789012345LL, -7, -1000000};
	int			i,
				st;

	for (i = 0; i < (int) (sizeof(vals) / sizeof(vals[0])); i++)
		for (st = 0; st < 3; st++)
		{
			char		b[BC_GEN_DEC_BUFSZ];
			const char *p;
			long long	mant = 0;
			int			neg = 0,
						frac = 0,
						infrac = 0,
						e = 0,
						eneg = 0;

			bc_gen_fmt_decimal(b, vals[i], 10, (bc_gen_dec_style) st);
			p = b;
			if (*p == '-')
			{
				neg = 1;
				p++;
			}
			for (; *p && *p != 'E'; p++)
			{
				if (*p == '.')
					infrac = 1;
				else
				{
					mant = mant * 10 + (*p - '0');
					frac += infrac;
				}
			}
			if (*p == 'E')
			{
				p++;
				if (*p == '-')
				{
					eneg = 1;
					p++;
				}
				e = atoi(p);
			}
			/* value = mant * 10^(-frac + e*sign); bring to scale 10 */
			{
				int			shift = 10 - frac + (eneg ? -e : e);

				while (shift > 0)
				{
					mant *= 10;
					shift--;
				}
				while (shift < 0)
				{
					CHECK(mant % 10 == 0);
					mant /= 10;
					shift++;
				}
				CHECK_INT_EQ(neg ? -mant : mant, vals[i]);
			}
		}
}

UNIT_TEST(gen_csv_field_quoting)
{
	bc_gen_buf	b = {0};

	bc_gen_csv_field(&b, "plain", 5, 0);
	bc_gen_buf_putc(&b, '|');
	bc_gen_csv_field(&b, "Amazon Web Services, Inc.", 25, 0);
	bc_gen_buf_putc(&b, '|');
	bc_gen_csv_field(&b, "{\"a\":\"b\"}", 9, 1);
	bc_gen_buf_putc(&b, '|');
	bc_gen_csv_field(&b, "", 0, 0);
	bc_gen_buf_putc(&b, '|');
	bc_gen_csv_field(&b, "a\nb", 3, 0);
	CHECK_STR_EQ(b.data, "plain|\"Amazon Web Services, Inc.\"|\"{\"\"a\"\":\"\"b\"\"}\"||\"a\nb\"");
	bc_gen_buf_free(&b);
}

UNIT_TEST(gen_json_escape)
{
	bc_gen_buf	b = {0};

	bc_gen_json_escape(&b, "Données \"x\" \\ \t");
	CHECK_STR_EQ(b.data, "Données \\\"x\\\" \\\\ \\u0009");
	bc_gen_buf_free(&b);
}
