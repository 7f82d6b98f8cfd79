/*-------------------------------------------------------------------------
 *
 * decimal.h
 *		Exact decimal texts without PostgreSQL: the one scanner of what
 *		numeric_in accepts (less NaN and Infinity), and exact running sums.
 *
 * Sums are exact: an __int128 count of 10^-18 units, falling back to a
 * wide fixed-point decimal when a value has more decimals or the sum
 * grows too large.  No floating point anywhere.
 *
 * IDENTIFICATION
 *		src/core/decimal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_DECIMAL_H
#define BC_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* an exact running sum of decimal texts */
#define BC_XSUM_SCALE 18
typedef struct bc_xsum
{
	__int128	units;			/* value * 10^BC_XSUM_SCALE while !wide */
	bool		wide;			/* switched to the wide digits */
	int8_t	   *digits;			/* wide: ten's complement digits, see .c */
} bc_xsum;

/* heap bytes of a sum once wide (its digits) */
#define BC_XSUM_WIDE_BYTES 4100

extern void bc_xsum_init(bc_xsum *s);
extern void bc_xsum_free(bc_xsum *s);
/* add a decimal text; false (sum unchanged) when it is not a decimal */
extern bool bc_xsum_add(bc_xsum *s, const char *txt, size_t len);
/* exact text of the sum (trailing fraction zeros trimmed) into b */
extern void bc_xsum_text(const bc_xsum *s, bc_buf *b);

/*
 * Exact text of the sum with exactly dscale fraction digits (zeros padded)
 * into b.  The sum must have no non-zero digit below 10^-dscale (a sum of
 * values whose bc_decimal_dscale is at most dscale has none).
 */
extern void bc_xsum_text_scale(const bc_xsum *s, int dscale, bc_buf *b);

/*
 * The one scanner of decimal texts: the grammar numeric_in accepts, less
 * NaN and Infinity, within the limits above: [+-]digits[.digits] or
 * [+-][digits].digits, BC_DECIMAL_MAX_DIGITS digits at most, then
 * optionally (e|E)[+-]digits with a value within +-BC_DECIMAL_MAX_EXP.
 * Nothing else, no spaces.  On success it reports where the digits are,
 * the exponent, and the leading BC_DECIMAL_MANT_DIGITS significant digits
 * as an integer (for exact arithmetic without another pass).
 */
#define BC_DECIMAL_MAX_DIGITS 1000
#define BC_DECIMAL_MAX_EXP 990
#define BC_DECIMAL_MANT_DIGITS 36

typedef struct bc_decimal_parts
{
	bool		neg;			/* a leading '-' */
	size_t		int_pos;		/* integer digits: s[int_pos, int_pos + int_len) */
	size_t		int_len;
	size_t		frac_pos;		/* fraction digits: s[frac_pos, frac_pos + frac_len) */
	size_t		frac_len;
	size_t		mant_end;		/* where the exponent starts (or the length) */
	long		exp10;			/* the exponent, 0 when none */
	__int128	mant;			/* the digits up to the last one kept, as an integer */
	int			mant_frac;		/* how many of those are fraction digits */
	bool		big;			/* a digit of the integer part, or a non-zero one,
								 * beyond BC_DECIMAL_MANT_DIGITS significant */
} bc_decimal_parts;

extern bool bc_decimal_scan(const char *s, size_t len, bc_decimal_parts *p);

/*
 * The display scale numeric_in gives a scanned decimal: its fraction
 * digits less its exponent, at least 0 ("1.50" 2, "1.5e3" 0, "15e-3" 3).
 * A decimal times 10^k is the same parts with exp10 + k.
 */
extern int	bc_decimal_dscale(const bc_decimal_parts *p);

/*
 * Add a scanned decimal (the text s it was scanned from, parts *p) to a
 * sum; false (sum unchanged) only when the sum had to turn wide and its
 * digits could not be allocated.
 */
extern bool bc_xsum_add_parts(bc_xsum *sum, const char *s, const bc_decimal_parts *p);

/*
 * A scanned decimal as a count of 10^-18 units (what a narrow bc_xsum
 * holds); false when it has a non-zero digit below 10^-18 or is too large
 * for the narrow range.
 */
extern bool bc_decimal_units(const bc_decimal_parts *p, __int128 *units);

/*
 * Add a count of 10^-18 units (bc_decimal_units) to a narrow bc_xsum's
 * units; false (sum unchanged) when the sum would leave the narrow range:
 * it must then turn wide.
 */
extern bool bc_xsum_units_add(__int128 *sum, __int128 units);

/*
 * A narrow sum's units at display scale dscale, as the integer v with
 * value v * 10^-dscale (digits below 10^-dscale dropped: a sum of values
 * of at most dscale fraction digits has none); false when dscale is
 * beyond BC_XSUM_SCALE or v does not fit in 64 bits.
 */
extern bool bc_xsum_units_scaled(__int128 units, int dscale, int64_t *v);

/*
 * True when the decimal s (scanned into *p) is below 10^n in absolute
 * value.
 */
extern bool bc_decimal_below_pow10(const char *s, const bc_decimal_parts *p, int n);

#endif							/* BC_DECIMAL_H */
