/*-------------------------------------------------------------------------
 *
 * copy_binary.c
 *		Values in PostgreSQL's binary COPY format (see copy_binary.h).
 *
 * The numeric conversion follows numeric_in (set_var_from_str) on the
 * parts bc_decimal_scan finds (the one decimal grammar): the decimal
 * digits are placed so that the first base-10000 digit is aligned, the
 * display scale is the number of fraction digits minus the exponent (at
 * least 0), and leading/trailing zero digits are dropped (make_result
 * does the same on receipt, zero becomes positive).
 *
 * IDENTIFICATION
 *		src/core/copy_binary.c
 *
 *-------------------------------------------------------------------------
 */
#include "copy_binary.h"

#include <string.h>

#include "cur_time.h"

#define NUMERIC_NEG 0x4000
#define DEC_DIGITS 4

const char	bc_cb_header[BC_CB_HEADER_LEN] = {
	'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', '\0',
	0, 0, 0, 0,					/* flags: no OIDs */
	0, 0, 0, 0					/* no header extension */
};

/* append the low nbytes bytes of v, big-endian */
static void
put_be(bc_buf *out, uint64_t v, int nbytes)
{
	char		b[8];

	for (int i = nbytes - 1; i >= 0; i--)
	{
		b[i] = (char) v;
		v >>= 8;
	}
	bc_buf_put(out, b, (size_t) nbytes);
}

/* append an int16, big-endian */
void
bc_cb_i16(bc_buf *out, int16_t v)
{
	put_be(out, (uint16_t) v, 2);
}

/* append an int32, big-endian */
static void
put_i32(bc_buf *out, int32_t v)
{
	put_be(out, (uint32_t) v, 4);
}

/* append an int64, big-endian */
static void
put_i64(bc_buf *out, int64_t v)
{
	put_be(out, (uint64_t) v, 8);
}

/* an int4 value */
void
bc_cb_int4(bc_buf *out, int32_t v)
{
	put_i32(out, 4);
	put_i32(out, v);
}

/* an int8 value */
void
bc_cb_int8(bc_buf *out, int64_t v)
{
	put_i32(out, 8);
	put_i64(out, v);
}

/* a NULL */
void
bc_cb_null(bc_buf *out)
{
	put_i32(out, -1);
}

/* a text value */
void
bc_cb_text(bc_buf *out, const char *s, size_t len)
{
	put_i32(out, (int32_t) len);
	if (len > 0)
		bc_buf_put(out, s, len);
}

/* version byte 1, then the text (jsonb_recv, iam_arn_recv) */
void
bc_cb_versioned_text(bc_buf *out, const char *s, size_t len)
{
	put_i32(out, (int32_t) len + 1);
	bc_buf_putc(out, 1);
	if (len > 0)
		bc_buf_put(out, s, len);
}

/* a date value */
void
bc_cb_date(bc_buf *out, int year, int month, int day)
{
	bc_cb_date_days(out, (int32_t) (bc_time_days(year, month, day) - BC_TIME_PG_EPOCH_DAYS));
}

/* a date value of days since 2000-01-01 */
void
bc_cb_date_days(bc_buf *out, int32_t pg_days)
{
	put_i32(out, 4);
	put_i32(out, pg_days);
}

/* a timestamptz value from microseconds since 1970-01-01 00:00 UTC */
void
bc_cb_timestamp(bc_buf *out, int64_t epoch_usec)
{
	put_i32(out, 8);
	put_i64(out, epoch_usec - BC_TIME_PG_EPOCH_DAYS * BC_TIME_USEC_PER_DAY);
}

/*
 * A numeric field from its base-10000 groups g[0..n) (most significant
 * first, g[0] of weight weight): leading and trailing zero groups dropped,
 * zero positive with weight 0, as numeric_send writes it.
 */
static void
put_numeric(bc_buf *out, const int16_t *g, int n, int weight, bool neg, int dscale)
{
	int			first = 0,
				last = n;

	while (first < last && g[first] == 0)
	{
		first++;
		weight--;
	}
	while (last > first && g[last - 1] == 0)
		last--;
	if (last == first)
	{
		weight = 0;
		neg = false;
	}
	put_i32(out, 8 + 2 * (last - first));
	bc_cb_i16(out, (int16_t) (last - first));
	bc_cb_i16(out, (int16_t) weight);
	bc_cb_i16(out, (int16_t) (neg ? NUMERIC_NEG : 0));
	bc_cb_i16(out, (int16_t) dscale);
	for (int i = first; i < last; i++)
		bc_cb_i16(out, g[i]);
}

/* a numeric value: decimal text times 10^shift */
bool
bc_cb_numeric(bc_buf *out, const char *s, size_t len, int shift)
{
	uint8_t		dig[BC_DECIMAL_MAX_DIGITS];
	int16_t		nbase[BC_DECIMAL_MAX_DIGITS / DEC_DIGITS + 2];
	bc_decimal_parts p;
	bool		neg;
	int			nd,
				dweight,
				dscale,
				weight,
				offset,
				ngroups;
	long		exp10;

	if (!bc_decimal_scan(s, len, &p))
		return false;
	/* the digits, integer part then fraction (at most BC_DECIMAL_MAX_DIGITS) */
	nd = (int) (p.int_len + p.frac_len);
	for (int i = 0; i < (int) p.int_len; i++)
		dig[i] = (uint8_t) (s[p.int_pos + i] - '0');
	for (int i = 0; i < (int) p.frac_len; i++)
		dig[p.int_len + i] = (uint8_t) (s[p.frac_pos + i] - '0');
	neg = p.neg;
	p.exp10 += shift;
	exp10 = p.exp10;
	/* weight of the first decimal digit, and the display scale */
	dweight = (int) p.int_len - 1 + (int) exp10;
	dscale = bc_decimal_dscale(&p);
	/* base-10000 weight, and zeros before the first digit to align it */
	weight = dweight >= 0 ? dweight / DEC_DIGITS : -((-dweight - 1) / DEC_DIGITS + 1);
	offset = (weight + 1) * DEC_DIGITS - (dweight + 1);
	ngroups = (offset + nd + DEC_DIGITS - 1) / DEC_DIGITS;
	for (int g = 0; g < ngroups; g++)
	{
		int			v = 0;

		for (int k = 0; k < DEC_DIGITS; k++)
		{
			int			idx = g * DEC_DIGITS + k - offset;

			v = v * 10 + ((idx >= 0 && idx < nd) ? dig[idx] : 0);
		}
		nbase[g] = (int16_t) v;
	}
	put_numeric(out, nbase, ngroups, weight, neg, dscale);
	return true;
}

/*
 * The base-10000 groups of the fraction f (scale decimal digits, below
 * 10^18), most significant first, the last one padded with zeros;
 * returns their count.
 */
static int
fraction_groups(uint64_t f, int scale, int16_t *g)
{
	static const uint64_t pow10[5] = {1, 10, 100, 1000, 10000};
	int			n = (scale + DEC_DIGITS - 1) / DEC_DIGITS;
	int			tail = scale - (n - 1) * DEC_DIGITS;	/* digits in the last group */

	if (n == 0)
		return 0;
	g[n - 1] = (int16_t) ((f % pow10[tail]) * pow10[DEC_DIGITS - tail]);
	f /= pow10[tail];
	for (int i = n - 2; i >= 0; i--)
	{
		g[i] = (int16_t) (f % 10000);
		f /= 10000;
	}
	return n;
}

/* the base-10000 groups of the integer u, most significant first; their count */
static int
integer_groups(unsigned __int128 u, int16_t *g)
{
	int16_t		rev[12];
	int			n = 0;

	while (u > UINT64_MAX)
	{
		rev[n++] = (int16_t) (u % 10000);
		u /= 10000;
	}
	for (uint64_t v = (uint64_t) u; v != 0; v /= 10000)
		rev[n++] = (int16_t) (v % 10000);
	for (int i = 0; i < n; i++)
		g[i] = rev[n - 1 - i];
	return n;
}

void
bc_cb_numeric_units(bc_buf *out, __int128 units, int scale, int dscale)
{
	unsigned __int128 u = units < 0 ? -(unsigned __int128) units : (unsigned __int128) units;
	uint64_t	div = 1;
	int16_t		g[12 + 5];
	int			nint,
				n;

	for (int i = 0; i < scale; i++)
		div *= 10;
	nint = integer_groups(u / div, g);
	n = nint + fraction_groups((uint64_t) (u % div), scale, g + nint);
	put_numeric(out, g, n, nint - 1, units < 0, dscale);
}
