/*-------------------------------------------------------------------------
 *
 * cur_decimal.h
 *		Exact decimal numbers for CUR costs, amounts and rates.
 *
 * A bc_decimal is coef * 10^-scale with |coef| < 10^38 and 0 <= scale
 * <= BC_DEC_MAX_SCALE, held in an __int128.  Parsing is exact (no
 * floating point anywhere): a number that cannot be held exactly is an
 * error, never rounded.  Trailing zeros are dropped while parsing, so the
 * stored scale is the smallest that holds the value.
 *
 * Accepted text (strict, no surrounding whitespace):
 *		[+|-] digits [ . digits ] [ (e|E) [+|-] digits ]
 * e.g. "0.0001234", "-12.5", "1.2E-7", "4e3", "120.0", "007".  Rejected:
 * "" (BC_DEC_EMPTY, so a caller can map it to NULL), ".5", "5.", "1e",
 * " 1", "1 ", "NaN", "Infinity", "0x10", "1,5" (BC_DEC_SYNTAX); more than
 * 38 significant digits (BC_DEC_TOO_MANY_DIGITS); more than
 * BC_DEC_MAX_SCALE decimal places after dropping trailing zeros
 * (BC_DEC_TOO_MANY_DECIMALS); an integer part beyond 38 digits
 * (BC_DEC_OVERFLOW).
 *
 * IDENTIFICATION
 *		src/core/cur_decimal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_CUR_DECIMAL_H
#define BC_CUR_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>

#define BC_DEC_MAX_DIGITS	38
#define BC_DEC_MAX_SCALE	38
/* longest text bc_dec_format writes, with the NUL */
#define BC_DEC_FORMAT_MAX	48

typedef struct bc_decimal
{
	__int128	coef;			/* |coef| < 10^38 */
	int			scale;			/* 0..BC_DEC_MAX_SCALE */
} bc_decimal;

typedef enum bc_dec_status
{
	BC_DEC_OK = 0,
	BC_DEC_EMPTY,				/* zero-length input */
	BC_DEC_SYNTAX,				/* not a decimal number */
	BC_DEC_TOO_MANY_DIGITS,		/* more than 38 significant digits */
	BC_DEC_TOO_MANY_DECIMALS,	/* more than BC_DEC_MAX_SCALE decimals */
	BC_DEC_OVERFLOW				/* magnitude 10^38 or more */
} bc_dec_status;

/*
 * Parse s[0..len) into *out.  On BC_DEC_SYNTAX, *errpos (may be NULL) is
 * the offset of the first offending byte (len if the text ends early).
 */
extern bc_dec_status bc_dec_parse(const char *s, size_t len, bc_decimal *out,
								  size_t *errpos);

/*
 * Canonical text: optional '-', integer digits, and a fraction without
 * trailing zeros only if non-zero ("0", "-12.5", "0.00000012", "4000").
 * Accepted by PostgreSQL's numeric input.  buf needs BC_DEC_FORMAT_MAX
 * bytes; returns the length written (without the NUL).
 */
extern size_t bc_dec_format(const bc_decimal *d, char *buf);

/* parse and reformat in one call; buf needs BC_DEC_FORMAT_MAX bytes */
extern bc_dec_status bc_dec_canonical(const char *s, size_t len, char *buf,
									  size_t *outlen, size_t *errpos);

/* exact sum; BC_DEC_OVERFLOW (out untouched) if it does not fit */
extern bc_dec_status bc_dec_add(const bc_decimal *a, const bc_decimal *b,
								bc_decimal *out);

/* -1, 0, 1 as a <, =, > b (exact) */
extern int	bc_dec_cmp(const bc_decimal *a, const bc_decimal *b);

/*
 * The value as an integer count of 10^-scale units (e.g. scale 18 for
 * fixed point).  BC_DEC_TOO_MANY_DECIMALS if that would drop non-zero
 * digits, BC_DEC_OVERFLOW if it does not fit in |x| < 10^38.
 */
extern bc_dec_status bc_dec_to_scaled(const bc_decimal *d, int scale, __int128 *out);

/* zero value */
extern void bc_dec_zero(bc_decimal *d);

/* static lower-case message for a status */
extern const char *bc_dec_strerror(bc_dec_status st);

#endif							/* BC_CUR_DECIMAL_H */
