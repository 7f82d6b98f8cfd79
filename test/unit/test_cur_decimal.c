/*-------------------------------------------------------------------------
 *
 * test_cur_decimal.c
 *		Exact decimal parsing, canonical formatting, addition, comparison
 *		and fixed-point conversion.
 *
 * IDENTIFICATION
 *		test/unit/test_cur_decimal.c
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"
#include "cur_decimal.h"

/* canonical text of s, or the status name */
static const char *
canon(const char *s, char *buf)
{
	size_t		n;
	bc_dec_status st = bc_dec_canonical(s, strlen(s), buf, &n, NULL);

	switch (st)
	{
		case BC_DEC_OK:
			return buf;
		case BC_DEC_EMPTY:
			return "EMPTY";
		case BC_DEC_SYNTAX:
			return "SYNTAX";
		case BC_DEC_TOO_MANY_DIGITS:
			return "DIGITS";
		case BC_DEC_TOO_MANY_DECIMALS:
			return "DECIMALS";
		case BC_DEC_OVERFLOW:
			return "OVERFLOW";
	}
	return "?";
}

UNIT_TEST(decimal_parse_canonical)
{
	char		b[BC_DEC_FORMAT_MAX];

	CHECK_STR_EQ(canon("0", b), "0");
	CHECK_STR_EQ(canon("-0", b), "0");
	CHECK_STR_EQ(canon("-0.000", b), "0");
	CHECK_STR_EQ(canon("0e-999999999", b), "0");
	CHECK_STR_EQ(canon("0.0001234", b), "0.0001234");
	CHECK_STR_EQ(canon("-12.5", b), "-12.5");
	CHECK_STR_EQ(canon("+12.50", b), "12.5");
	CHECK_STR_EQ(canon("120.0", b), "120");
	CHECK_STR_EQ(canon("1.2E-7", b), "0.00000012");
	CHECK_STR_EQ(canon("1.2e-7", b), "0.00000012");
	CHECK_STR_EQ(canon("4e3", b), "4000");
	CHECK_STR_EQ(canon("4E+3", b), "4000");
	CHECK_STR_EQ(canon("007", b), "7");
	CHECK_STR_EQ(canon("0.10", b), "0.1");
	CHECK_STR_EQ(canon("1500", b), "1500");
	CHECK_STR_EQ(canon("1.0E-10", b), "0.0000000001");
	CHECK_STR_EQ(canon("123.456e2", b), "12345.6");
	CHECK_STR_EQ(canon("123.456e-2", b), "1.23456");
	CHECK_STR_EQ(canon("2.2250738585072014E-10", b), "0.00000000022250738585072014");
	/* 38 nines as integer and as fraction */
	CHECK_STR_EQ(canon("99999999999999999999999999999999999999", b), "99999999999999999999999999999999999999");
	CHECK_STR_EQ(canon("-0.99999999999999999999999999999999999999", b), "-0.99999999999999999999999999999999999999");
	CHECK_STR_EQ(canon("1e-38", b), "0.00000000000000000000000000000000000001");
	CHECK_STR_EQ(canon("1e37", b), "10000000000000000000000000000000000000");
	/* trailing zeros beyond 38 places are fine: the value is exact */
	CHECK_STR_EQ(canon("1.000000000000000000000000000000000000000000000000", b), "1");
	/* leading zeros do not count as significant */
	CHECK_STR_EQ(canon("0000000000000000000000000000000000000000001.5", b), "1.5");
	CHECK_STR_EQ(canon("12345678901234567890.123456789012345678", b), "12345678901234567890.123456789012345678");
}

UNIT_TEST(decimal_rejects)
{
	char		b[BC_DEC_FORMAT_MAX];
	size_t		pos = 99;
	bc_decimal	d;

	CHECK_STR_EQ(canon("", b), "EMPTY");
	CHECK_STR_EQ(canon(" 1", b), "SYNTAX");
	CHECK_STR_EQ(canon("1 ", b), "SYNTAX");
	CHECK_STR_EQ(canon(".5", b), "SYNTAX");
	CHECK_STR_EQ(canon("5.", b), "SYNTAX");
	CHECK_STR_EQ(canon("-", b), "SYNTAX");
	CHECK_STR_EQ(canon("+", b), "SYNTAX");
	CHECK_STR_EQ(canon("1e", b), "SYNTAX");
	CHECK_STR_EQ(canon("1e+", b), "SYNTAX");
	CHECK_STR_EQ(canon("1.2.3", b), "SYNTAX");
	CHECK_STR_EQ(canon("--1", b), "SYNTAX");
	CHECK_STR_EQ(canon("NaN", b), "SYNTAX");
	CHECK_STR_EQ(canon("Infinity", b), "SYNTAX");
	CHECK_STR_EQ(canon("0x10", b), "SYNTAX");
	CHECK_STR_EQ(canon("1,5", b), "SYNTAX");
	CHECK_STR_EQ(canon("1e5x", b), "SYNTAX");
	CHECK_STR_EQ(canon("100000000000000000000000000000000000000", b), "OVERFLOW");
	CHECK_STR_EQ(canon("1e38", b), "OVERFLOW");
	CHECK_STR_EQ(canon("1e999999999999", b), "OVERFLOW");
	CHECK_STR_EQ(canon("1e-39", b), "DECIMALS");
	CHECK_STR_EQ(canon("0.000000000000000000000000000000000000001", b), "DECIMALS");
	CHECK_STR_EQ(canon("1.2345678901234567890123456789012345678", b), "1.2345678901234567890123456789012345678");
	CHECK_STR_EQ(canon("1.23456789012345678901234567890123456789", b), "DIGITS");
	CHECK_STR_EQ(canon("123456789012345678901234567890123456789", b), "DIGITS");
	CHECK_INT_EQ(bc_dec_parse("12x4", 4, &d, &pos), BC_DEC_SYNTAX);
	CHECK_INT_EQ(pos, 2);
	CHECK_INT_EQ(bc_dec_parse("1.", 2, &d, &pos), BC_DEC_SYNTAX);
	CHECK_INT_EQ(pos, 2);
	/* not NUL-terminated: only len bytes are read */
	CHECK_INT_EQ(bc_dec_parse("1.59", 3, &d, &pos), BC_DEC_OK);
	CHECK_INT_EQ((long long) d.coef, 15);
	CHECK_INT_EQ(d.scale, 1);
	CHECK_STR_EQ(bc_dec_strerror(BC_DEC_TOO_MANY_DECIMALS), "number has more than 38 decimal places");
}

/* parse helper */
static bc_decimal
D(const char *s)
{
	bc_decimal	d;

	bc_dec_zero(&d);
	bc_dec_parse(s, strlen(s), &d, NULL);
	return d;
}

UNIT_TEST(decimal_add_exact)
{
	bc_decimal	sum;
	char		b[BC_DEC_FORMAT_MAX];

	/* 0.1 added ten times is exactly 1 */
	bc_dec_zero(&sum);
	for (int i = 0; i < 10; i++)
	{
		bc_decimal	x = D("0.1");

		CHECK_INT_EQ(bc_dec_add(&sum, &x, &sum), BC_DEC_OK);
	}
	bc_dec_format(&sum, b);
	CHECK_STR_EQ(b, "1");
	{
		bc_decimal	a = D("1.2E-7");
		bc_decimal	c = D("-12.5");
		bc_decimal	r;

		CHECK_INT_EQ(bc_dec_add(&a, &c, &r), BC_DEC_OK);
		bc_dec_format(&r, b);
		CHECK_STR_EQ(b, "-12.49999988");
	}
	{
		bc_decimal	a = D("99999999999999999999999999999999999999");
		bc_decimal	one = D("1");
		bc_decimal	m = D("-1");
		bc_decimal	tiny = D("0.1");
		bc_decimal	r = D("5");

		CHECK_INT_EQ(bc_dec_add(&a, &one, &r), BC_DEC_OVERFLOW);
		CHECK_INT_EQ(bc_dec_add(&a, &m, &r), BC_DEC_OK);
		bc_dec_format(&r, b);
		CHECK_STR_EQ(b, "99999999999999999999999999999999999998");
		/* alignment needs 39 digits */
		CHECK_INT_EQ(bc_dec_add(&a, &tiny, &r), BC_DEC_OVERFLOW);
	}
	{
		/* many costs in a running total stay exact */
		bc_decimal	t;

		bc_dec_zero(&t);
		for (int i = 0; i < 1000; i++)
		{
			bc_decimal	x = D("0.0000123456789");
			bc_decimal	y = D("-3.3E-9");

			bc_dec_add(&t, &x, &t);
			bc_dec_add(&t, &y, &t);
		}
		bc_dec_format(&t, b);
		CHECK_STR_EQ(b, "0.0123423789");
	}
}

UNIT_TEST(decimal_cmp_scaled)
{
	bc_decimal	a = D("1.50");
	bc_decimal	c = D("1.5");
	bc_decimal	big = D("99999999999999999999999999999999999999");
	bc_decimal	small = D("0.00000000000000000000000000000000000001");
	bc_decimal	nbig = D("-99999999999999999999999999999999999999");
	__int128	v;

	CHECK_INT_EQ(bc_dec_cmp(&a, &c), 0);
	{
		bc_decimal	x = D("-2");

		CHECK_INT_EQ(bc_dec_cmp(&x, &c), -1);
		CHECK_INT_EQ(bc_dec_cmp(&c, &x), 1);
	}
	CHECK_INT_EQ(bc_dec_cmp(&big, &small), 1);
	CHECK_INT_EQ(bc_dec_cmp(&small, &big), -1);
	CHECK_INT_EQ(bc_dec_cmp(&nbig, &small), -1);
	{
		bc_decimal	nsmall = D("-0.00000000000000000000000000000000000001");

		CHECK_INT_EQ(bc_dec_cmp(&nbig, &nsmall), -1);
		CHECK_INT_EQ(bc_dec_cmp(&nsmall, &nbig), 1);
	}
	CHECK_INT_EQ(bc_dec_to_scaled(&a, 18, &v), BC_DEC_OK);
	CHECK((long long) v == 1500000000000000000LL);
	{
		bc_decimal	x = D("1.2E-7");

		CHECK_INT_EQ(bc_dec_to_scaled(&x, 8, &v), BC_DEC_OK);
		CHECK_INT_EQ((long long) v, 12);
		CHECK_INT_EQ(bc_dec_to_scaled(&x, 7, &v), BC_DEC_TOO_MANY_DECIMALS);
		x = D("-1200");
		CHECK_INT_EQ(bc_dec_to_scaled(&x, 0, &v), BC_DEC_OK);
		CHECK_INT_EQ((long long) v, -1200);
	}
	CHECK_INT_EQ(bc_dec_to_scaled(&big, 1, &v), BC_DEC_OVERFLOW);
}
