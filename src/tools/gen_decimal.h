/*-------------------------------------------------------------------------
 *
 * gen_decimal.h
 *		Exact decimal formatting of scaled integers for the CUR generator.
 *
 * Money and usage amounts are generated as integers of a small unit
 * (value = v / 10^scale) and printed exactly, never through a double.
 *
 * IDENTIFICATION
 *		src/tools/gen_decimal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_GEN_DECIMAL_H
#define BC_GEN_DECIMAL_H

#include <stddef.h>

typedef __int128 bc_gen_i128;

/* output styles of bc_gen_fmt_decimal */
typedef enum bc_gen_dec_style
{
	BC_GEN_DEC_PLAIN,			/* trailing zeros trimmed, at least one decimal: 0.0, 12.5 */
	BC_GEN_DEC_FIXED,			/* exactly `scale` decimals: 0.0572000000 */
	BC_GEN_DEC_EXP				/* Java-style exponent: 4.5E-7, 1.0E-10, 1.25E3 */
} bc_gen_dec_style;

/* buffer size that always suffices for bc_gen_fmt_decimal */
#define BC_GEN_DEC_BUFSZ 80

/*
 * Write v / 10^scale into buf (at least BC_GEN_DEC_BUFSZ bytes) in the given
 * style, NUL-terminated; returns the length.  0 <= scale <= 30.
 */
extern int	bc_gen_fmt_decimal(char *buf, bc_gen_i128 v, int scale,
							   bc_gen_dec_style style);

#endif							/* BC_GEN_DECIMAL_H */
