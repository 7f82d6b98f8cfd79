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
