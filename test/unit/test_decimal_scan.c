/*-------------------------------------------------------------------------
 *
 * test_decimal_scan.c
 *		Unit tests of bc_decimal_scan, the one decimal grammar of the core
 *		(value checks, exact sums, binary numerics, token shifts): what it
 *		accepts and refuses at the documented limits, and the parts it
 *		reports.
 *
 * IDENTIFICATION
 *		test/unit/test_decimal_scan.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "cur_transform.h"

/* scan a C string */
static bool
scan(const char *s, bc_decimal_parts *p)
{
	return bc_decimal_scan(s, strlen(s), p);
}

/* a string of n copies of c, then tail; malloc'd */
static char *
repeat(char c, int n, const char *tail)
{
	char	   *s = malloc(n + strlen(tail) + 1);

	memset(s, c, n);
	strcpy(s + n, tail);
	return s;
}

UNIT_TEST(decimal_scan_parts)
{
	bc_decimal_parts p;

	CHECK(scan("12.5", &p));
	CHECK(!p.neg);
	CHECK_INT_EQ(p.int_pos, 0);
	CHECK_INT_EQ(p.int_len, 2);
	CHECK_INT_EQ(p.frac_pos, 3);
	CHECK_INT_EQ(p.frac_len, 1);
	CHECK_INT_EQ(p.mant_end, 4);
	CHECK_INT_EQ(p.exp10, 0);
	CHECK_INT_EQ((long long) p.mant, 125);
	CHECK_INT_EQ(p.mant_frac, 1);
	CHECK(!p.big);

	CHECK(scan("-.5e-3", &p));
	CHECK(p.neg);
	CHECK_INT_EQ(p.int_pos, 1);
	CHECK_INT_EQ(p.int_len, 0);
	CHECK_INT_EQ(p.frac_pos, 2);
	CHECK_INT_EQ(p.frac_len, 1);
	CHECK_INT_EQ(p.mant_end, 3);
	CHECK_INT_EQ(p.exp10, -3);
	CHECK_INT_EQ((long long) p.mant, 5);

	CHECK(scan("5.", &p));
	CHECK_INT_EQ(p.int_len, 1);
	CHECK_INT_EQ(p.frac_pos, 2);
	CHECK_INT_EQ(p.frac_len, 0);
	CHECK_INT_EQ(p.mant_end, 2);

	CHECK(scan("+0012.3400E+2", &p));
	CHECK(!p.neg);
	CHECK_INT_EQ(p.int_pos, 1);
	CHECK_INT_EQ(p.int_len, 4);
	CHECK_INT_EQ(p.frac_len, 4);
	CHECK_INT_EQ(p.mant_end, 10);
	CHECK_INT_EQ(p.exp10, 2);
	CHECK_INT_EQ((long long) p.mant, 123400);
	CHECK_INT_EQ(p.mant_frac, 4);

	/* leading zeros do not count, trailing zeros past the limit are dropped */
	CHECK(scan("0.000000000000000000000000000000000000000000012", &p));
	CHECK(!p.big);
	CHECK_INT_EQ((long long) p.mant, 12);
	CHECK_INT_EQ(p.mant_frac, 45);
	CHECK(scan("1.000000000000000000000000000000000000000000", &p));
	CHECK(!p.big);
	CHECK_INT_EQ(p.mant_frac, 35);
	/* 37 significant digits: too many for the mantissa */
	CHECK(scan("1234567890123456789012345678901234567", &p));
	CHECK(p.big);
	CHECK(scan("1.234567890123456789012345678901234561", &p));
	CHECK(p.big);
	CHECK(scan("123456789012345678901234567890123456", &p));
	CHECK(!p.big);
}

UNIT_TEST(decimal_scan_grammar)
{
	static const char *const good[] = {
		"0", "-0", "+3", ".5", "5.", "-7e+2", "1E3", "1.5E-7", "0012.3400",
		"1e990", "1e-990", "1e0000990", "9e990", "-.0e-0"
	};
	static const char *const bad[] = {
		"", "+", "-", ".", "+.", "e5", ".e5", "1e", "1e+", "1e-", "1.2.3",
		"12.3.4e", "1 ", " 1", "NaN", "Infinity", "inf", "1e991", "1e-991",
		"1e99999999999999999999", "0x10", "1,5", "1e5.0", "1e 5", "--1", "1-"
	};
	bc_decimal_parts p;
	char	   *s;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
	{
		if (!scan(good[i], &p))
			UNIT_FAIL("\"%s\" refused", good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		if (scan(bad[i], &p))
			UNIT_FAIL("\"%s\" accepted", bad[i]);
	}
	/* a NUL inside the text is not a decimal */
	CHECK(!bc_decimal_scan("1\0002", 3, &p));

	/* at most 1000 digits, the point and the exponent not counted */
	s = repeat('9', 1000, "");
	CHECK(scan(s, &p));
	CHECK_INT_EQ(p.int_len, 1000);
	free(s);
	s = repeat('9', 1001, "");
	CHECK(!scan(s, &p));
	free(s);
	s = repeat('1', 999, ".5e-3");
	CHECK(scan(s, &p));
	CHECK_INT_EQ(p.exp10, -3);
	free(s);
	s = repeat('1', 1000, ".5");
	CHECK(!scan(s, &p));
	free(s);

	/* the public check is the scanner */
	CHECK(bc_xf_decimal_check("1e990", 5));
	CHECK(!bc_xf_decimal_check("1e991", 5));
}
