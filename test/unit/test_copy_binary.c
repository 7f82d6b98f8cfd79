/*-------------------------------------------------------------------------
 *
 * test_copy_binary.c
 *		Unit tests of the binary COPY values: numerics byte for byte as
 *		numeric_send writes what numeric_in read (digits, weight, sign,
 *		display scale, exponents, zero), timestamps and dates against
 *		known day counts, text and versioned text framing, and a whole
 *		binary row of the transformation.
 *
 * IDENTIFICATION
 *		test/unit/test_copy_binary.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "copy_binary.h"
#include "cur_time.h"

/* lower-case hex of a buffer (static) */
static const char *
hex_of(const bc_buf *b)
{
	static char out[4096];
	size_t		o = 0;

	for (size_t i = 0; i < b->len && o + 3 < sizeof(out); i++)
		o += snprintf(out + o, sizeof(out) - o, "%02x", (unsigned char) b->data[i]);
	out[o] = '\0';
	return out;
}

/* hex of the numeric value of txt * 10^shift, or "refused" */
static const char *
numeric_hex(const char *txt, int shift)
{
	bc_buf		b;
	static char out[4096];

	bc_buf_init(&b);
	if (!bc_cb_numeric(&b, txt, strlen(txt), shift))
		snprintf(out, sizeof(out), "refused");
	else
		snprintf(out, sizeof(out), "%s", hex_of(&b));
	bc_buf_free(&b);
	return out;
}

/* hex of the timestamptz value of a row timestamp txt, or "refused" */
static const char *
timestamp_hex(const char *txt)
{
	bc_buf		b;
	static char out[256];

	bc_time		t;

	bc_buf_init(&b);
	if (!bc_time_parse_cur(txt, strlen(txt), &t))
		snprintf(out, sizeof(out), "refused");
	else
	{
		bc_cb_timestamp(&b, bc_time_epoch_usec(&t));
		snprintf(out, sizeof(out), "%s", hex_of(&b));
	}
	bc_buf_free(&b);
	return out;
}

UNIT_TEST(cb_numeric)
{
	/* length, ndigits, weight, sign, dscale, base-10000 digits */
	CHECK_STR_EQ(numeric_hex("0.0045", 0), "0000000a" "0001" "ffff" "0000" "0004" "002d");
	CHECK_STR_EQ(numeric_hex("1.5e3", 0), "0000000a" "0001" "0000" "0000" "0000" "05dc");
	CHECK_STR_EQ(numeric_hex("1.5", 3), "0000000a" "0001" "0000" "0000" "0000" "05dc");
	CHECK_STR_EQ(numeric_hex("-1234567.891", 0),
				 "0000000e" "0003" "0001" "4000" "0003" "007b" "11d7" "22ce");
	CHECK_STR_EQ(numeric_hex("0", 0), "00000008" "0000" "0000" "0000" "0000");
	CHECK_STR_EQ(numeric_hex("-0.00", 0), "00000008" "0000" "0000" "0000" "0002");
	CHECK_STR_EQ(numeric_hex("12e-5", 0), "0000000c" "0002" "ffff" "0000" "0005" "0001" "07d0");
	CHECK_STR_EQ(numeric_hex(".5", 0), "0000000a" "0001" "ffff" "0000" "0001" "1388");
	CHECK_STR_EQ(numeric_hex("+10000", 0), "0000000a" "0001" "0001" "0000" "0000" "0001");
	CHECK_STR_EQ(numeric_hex("0012.3400", 0), "0000000c" "0002" "0000" "0000" "0004" "000c" "0d48");
	CHECK_STR_EQ(numeric_hex("1E+2", -4), "0000000a" "0001" "ffff" "0000" "0002" "0064");
	CHECK_STR_EQ(numeric_hex("", 0), "refused");
}

/* hex of bc_cb_numeric_units(units, 18, dscale) */
static const char *
units_hex(__int128 units, int dscale)
{
	bc_buf		b;
	static char out[4096];

	bc_buf_init(&b);
	bc_cb_numeric_units(&b, units, 18, dscale);
	snprintf(out, sizeof(out), "%s", hex_of(&b));
	bc_buf_free(&b);
	return out;
}

/* the decimal text of units * 10^-18 with dscale fraction digits, written here */
static void
units_text(__int128 units, int dscale, char *out)
{
	unsigned __int128 u = units < 0 ? -(unsigned __int128) units : (unsigned __int128) units;
	char		d[64];
	int			n = 0,
				o = 0;

	do
	{
		d[n++] = (char) ('0' + (int) (u % 10));
		u /= 10;
	} while (u != 0 || n <= 18);
	if (units < 0)
		out[o++] = '-';
	for (int i = n - 1; i >= 18; i--)
		out[o++] = d[i];
	if (dscale > 0)
		out[o++] = '.';
	for (int i = 17; i > 17 - dscale; i--)
		out[o++] = i >= 0 ? d[i] : '0';
	out[o] = '\0';
}

UNIT_TEST(cb_numeric_units)
{
	static const int64_t p18 = INT64_C(1000000000000000000);
	uint64_t	seed = 42;

	/* the same bytes as the text checks of cb_numeric */
	CHECK_STR_EQ(units_hex((__int128) 45 * INT64_C(100000000000000), 4),
				 "0000000a" "0001" "ffff" "0000" "0004" "002d");
	CHECK_STR_EQ(units_hex(-(__int128) 1234567891 * INT64_C(1000000000000000), 3),
				 "0000000e" "0003" "0001" "4000" "0003" "007b" "11d7" "22ce");
	CHECK_STR_EQ(units_hex(0, 2), "00000008" "0000" "0000" "0000" "0002");
	CHECK_STR_EQ(units_hex((__int128) 10000 * p18, 0), "0000000a" "0001" "0001" "0000" "0000" "0001");
	CHECK_STR_EQ(units_hex(1, 18), "0000000a" "0001" "fffb" "0000" "0012" "0064");
	/* against the text path, for values of every size and display scale */
	for (int i = 0; i < 20000; i++)
	{
		unsigned __int128 r;
		__int128	units;
		int			dscale,
					bits;
		char		txt[128];
		char		want[4096];

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		r = (unsigned __int128) seed << 64;
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		r |= seed;
		bits = (int) (seed >> 58) * 2 + 1;	/* 1..127 bits */
		r &= ((unsigned __int128) 1 << bits) - 1;
		dscale = (int) ((seed >> 40) % 23);
		units = (__int128) r;
		if (dscale < 18)
		{
			__int128	step = 1;

			for (int k = dscale; k < 18; k++)
				step *= 10;
			units -= units % step;
		}
		if (seed & 1)
			units = -units;
		units_text(units, dscale, txt);
		snprintf(want, sizeof(want), "%s", numeric_hex(txt, 0));
		if (strcmp(units_hex(units, dscale), want) != 0)
			UNIT_FAIL("units of %s (dscale %d): %s, the text path gives %s", txt, dscale,
					  units_hex(units, dscale), want);
	}
}

UNIT_TEST(cb_timestamp_date)
{
	bc_buf		b;

	/* 2026-04-01 is day 9587 after 2000-01-01: 828316800000000 us */
	CHECK_STR_EQ(timestamp_hex("2026-04-01T00:00:00Z"), "00000008" "0002f15988a02000");
	CHECK_STR_EQ(timestamp_hex("2026-04-01T00:00:00.123Z"), "00000008" "0002f15988a20078");
	CHECK_STR_EQ(timestamp_hex("2000-01-01T00:00:00Z"), "00000008" "0000000000000000");
	CHECK_STR_EQ(timestamp_hex("1999-12-31T23:59:59.999999Z"), "00000008" "ffffffffffffffff");
	CHECK_STR_EQ(timestamp_hex("2026-02-30T00:00:00Z"), "refused");
	CHECK_STR_EQ(timestamp_hex("1970-01-01T00:00:00Z"), "00000008" "fffca2fec4c82000");
	bc_buf_init(&b);
	bc_cb_date(&b, 2026, 4, 1);
	CHECK_STR_EQ(hex_of(&b), "00000004" "00002573");
	bc_buf_free(&b);
}

UNIT_TEST(cb_framing)
{
	bc_buf		b;

	bc_buf_init(&b);
	bc_cb_text(&b, "ab", 2);
	bc_cb_null(&b);
	bc_cb_versioned_text(&b, "{}", 2);
	bc_cb_int4(&b, -2);
	bc_cb_int8(&b, 1);
	bc_cb_i16(&b, 23);
	CHECK_STR_EQ(hex_of(&b), "000000026162" "ffffffff" "00000003017b7d" "00000004fffffffe"
				 "000000080000000000000001" "0017");
	bc_buf_free(&b);
	CHECK_INT_EQ(memcmp(bc_cb_header, "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", BC_CB_HEADER_LEN), 0);
}
