/*-------------------------------------------------------------------------
 *
 * gen_decimal.c
 *		Exact decimal formatting of scaled integers for the CUR generator.
 *
 * Every printed value is exactly v / 10^scale: the digits of the integer
 * are placed around a decimal point (or given an exponent), nothing is
 * rounded and no floating point is involved.
 *
 * IDENTIFICATION
 *		src/tools/gen_decimal.c
 *
 *-------------------------------------------------------------------------
 */
#include "gen_decimal.h"

#include <string.h>

/* decimal digits of |v| into d (most significant first); returns count */
static int
abs_digits(bc_gen_i128 v, char *d)
{
	unsigned __int128 u = v < 0 ? (unsigned __int128) 0 - (unsigned __int128) v : (unsigned __int128) v;
	char		tmp[48];
	int			n = 0,
				i;

	do
	{
		tmp[n++] = (char) ('0' + (int) (u % 10));
		u /= 10;
	} while (u != 0);
	for (i = 0; i < n; i++)
		d[i] = tmp[n - 1 - i];
	return n;
}

/* plain or fixed notation */
static int
fmt_positional(char *buf, int neg, const char *d, int n, int scale, int trim)
{
	int			len = 0,
				intlen = n - scale,
				i,
				last;
	char		frac[48];
	int			fraclen = 0;

	if (neg)
		buf[len++] = '-';
	if (intlen <= 0)
		buf[len++] = '0';
	else
		for (i = 0; i < intlen; i++)
			buf[len++] = d[i];
	/* fractional digits, left-padded with zeros when n < scale */
	for (i = 0; i < scale; i++)
	{
		int			k = n - scale + i;

		frac[fraclen++] = k < 0 ? '0' : d[k];
	}
	last = fraclen;
	if (trim)
	{
		while (last > 1 && frac[last - 1] == '0')
			last--;
		if (last == 0)
		{
			frac[0] = '0';
			last = 1;
		}
	}
	if (scale == 0 && trim)
	{
		frac[0] = '0';
		last = 1;
	}
	if (last > 0)
	{
		buf[len++] = '.';
		memcpy(buf + len, frac, last);
		len += last;
	}
	buf[len] = '\0';
	return len;
}

/* exponent notation: d[0].d[1..]E<exp>, mantissa trimmed, Java style */
static int
fmt_exponent(char *buf, int neg, const char *d, int n, int scale)
{
	int			len = 0,
				m = n,
				exp10 = (n - 1) - scale,
				i;
	char		e[16];
	int			elen = 0;
	unsigned	ue;

	while (m > 1 && d[m - 1] == '0')
		m--;
	if (neg)
		buf[len++] = '-';
	buf[len++] = d[0];
	buf[len++] = '.';
	if (m == 1)
		buf[len++] = '0';
	else
		for (i = 1; i < m; i++)
			buf[len++] = d[i];
	buf[len++] = 'E';
	if (exp10 < 0)
		buf[len++] = '-';
	ue = (unsigned) (exp10 < 0 ? -exp10 : exp10);
	do
	{
		e[elen++] = (char) ('0' + ue % 10);
		ue /= 10;
	} while (ue != 0);
	while (elen > 0)
		buf[len++] = e[--elen];
	buf[len] = '\0';
	return len;
}

/* format v / 10^scale exactly */
int
bc_gen_fmt_decimal(char *buf, bc_gen_i128 v, int scale, bc_gen_dec_style style)
{
	char		d[48];
	int			n = abs_digits(v, d);
	int			neg = v < 0;

	if (style == BC_GEN_DEC_EXP)
	{
		if (v == 0)
		{
			strcpy(buf, "0.0");
			return 3;
		}
		return fmt_exponent(buf, neg, d, n, scale);
	}
	return fmt_positional(buf, neg, d, n, scale, style == BC_GEN_DEC_PLAIN);
}
