/*-------------------------------------------------------------------------
 *
 * cur_decimal.c
 *		Exact decimal parsing, formatting and addition on __int128.
 *
 * Overflow is checked by comparing against powers of ten before every
 * multiplication or addition, so no __int128 arithmetic ever overflows
 * (and no compiler-runtime overflow helpers are needed).
 *
 * IDENTIFICATION
 *		src/core/cur_decimal.c
 *
 *-------------------------------------------------------------------------
 */
#include "cur_decimal.h"

#include <stdint.h>
#include <string.h>

typedef unsigned __int128 u128;

#define P19 ((u128) 10000000000000000000ULL)

/* 10^0 .. 10^38 */
static const u128 pow10_tab[39] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
	100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
	10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL,
	P19 * 10ULL, P19 * 100ULL, P19 * 1000ULL, P19 * 10000ULL, P19 * 100000ULL,
	P19 * 1000000ULL, P19 * 10000000ULL, P19 * 100000000ULL, P19 * 1000000000ULL,
	P19 * 10000000000ULL, P19 * 100000000000ULL, P19 * 1000000000000ULL,
	P19 * 10000000000000ULL, P19 * 100000000000000ULL, P19 * 1000000000000000ULL,
	P19 * 10000000000000000ULL, P19 * 100000000000000000ULL, P19 * 1000000000000000000ULL,
	P19 * P19
};

#define LIMIT (pow10_tab[38])	/* magnitudes stay below this */

/* parse */
bc_dec_status
bc_dec_parse(const char *s, size_t len, bc_decimal *out, size_t *errpos)
{
	size_t		i = 0;
	bool		neg = false;
	u128		mag = 0;
	int			sig = 0;		/* significant digits taken into mag */
	long		pending = 0;	/* zeros seen after the last non-zero digit */
	long		frac = 0;		/* digits after the point */
	long		exp = 0;
	bool		too_many = false;
	size_t		pos_dummy;
	long		e10;

	if (errpos == NULL)
		errpos = &pos_dummy;
	if (len == 0)
	{
		*errpos = 0;
		return BC_DEC_EMPTY;
	}
	if (s[i] == '+' || s[i] == '-')
		neg = (s[i++] == '-');
	for (int part = 0; part < 2; part++)
	{
		size_t		start = i;

		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		{
			int			d = s[i] - '0';

			if (part == 1)
				frac++;
			if (d == 0)
			{
				if (sig > 0)
					pending++;
				continue;
			}
			if (too_many || sig + pending + 1 > BC_DEC_MAX_DIGITS)
			{
				too_many = true;
				continue;
			}
			mag = mag * pow10_tab[pending + 1] + (unsigned) d;
			sig += (int) pending + 1;
			pending = 0;
		}
		if (i == start)
		{
			*errpos = i;
			return BC_DEC_SYNTAX;
		}
		if (part == 0)
		{
			if (i < len && s[i] == '.')
				i++;
			else
				break;
		}
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E'))
	{
		bool		eneg = false;
		size_t		start;

		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			eneg = (s[i++] == '-');
		start = i;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		{
			if (exp < 1000000)
				exp = exp * 10 + (s[i] - '0');
		}
		if (i == start)
		{
			*errpos = i;
			return BC_DEC_SYNTAX;
		}
		if (eneg)
			exp = -exp;
	}
	if (i != len)
	{
		*errpos = i;
		return BC_DEC_SYNTAX;
	}
	if (too_many)
		return BC_DEC_TOO_MANY_DIGITS;
	out->coef = 0;
	out->scale = 0;
	if (mag == 0)
		return BC_DEC_OK;
	e10 = exp - frac + pending;
	if (e10 >= 0)
	{
		if (sig + e10 > BC_DEC_MAX_DIGITS)
			return BC_DEC_OVERFLOW;
		mag *= pow10_tab[e10];
	}
	else if (-e10 > BC_DEC_MAX_SCALE)
		return BC_DEC_TOO_MANY_DECIMALS;
	else
		out->scale = (int) -e10;
	out->coef = neg ? -(__int128) mag : (__int128) mag;
	return BC_DEC_OK;
}

/* write the decimal digits of m (< 10^38), most significant first; returns count */
static int
u128_digits(u128 m, char *buf)
{
	char		tmp[40];
	int			n = 0;
	uint64_t	lo = (uint64_t) (m % P19);
	uint64_t	hi = (uint64_t) (m / P19);

	/* low 19 digits, then the high part */
	if (hi == 0)
	{
		do
		{
			tmp[n++] = (char) ('0' + lo % 10);
			lo /= 10;
		} while (lo);
	}
	else
	{
		for (int k = 0; k < 19; k++)
		{
			tmp[n++] = (char) ('0' + lo % 10);
			lo /= 10;
		}
		while (hi)
		{
			tmp[n++] = (char) ('0' + hi % 10);
			hi /= 10;
		}
	}
	for (int k = 0; k < n; k++)
		buf[k] = tmp[n - 1 - k];
	return n;
}

/* canonical text */
size_t
bc_dec_format(const bc_decimal *d, char *buf)
{
	char		dig[40];
	int			nd;
	int			scale = d->scale;
	size_t		o = 0;
	u128		m;

	if (d->coef == 0)
	{
		buf[0] = '0';
		buf[1] = '\0';
		return 1;
	}
	m = d->coef < 0 ? (u128) (-d->coef) : (u128) d->coef;
	nd = u128_digits(m, dig);
	/* drop trailing fractional zeros */
	while (scale > 0 && nd > 1 && dig[nd - 1] == '0')
	{
		nd--;
		scale--;
	}
	if (d->coef < 0)
		buf[o++] = '-';
	if (scale == 0)
	{
		memcpy(buf + o, dig, nd);
		o += nd;
	}
	else if (nd > scale)
	{
		memcpy(buf + o, dig, nd - scale);
		o += nd - scale;
		buf[o++] = '.';
		memcpy(buf + o, dig + nd - scale, scale);
		o += scale;
	}
	else
	{
		buf[o++] = '0';
		buf[o++] = '.';
		memset(buf + o, '0', scale - nd);
		o += scale - nd;
		memcpy(buf + o, dig, nd);
		o += nd;
	}
	buf[o] = '\0';
	return o;
}

/* parse + format */
bc_dec_status
bc_dec_canonical(const char *s, size_t len, char *buf, size_t *outlen, size_t *errpos)
{
	bc_decimal	d;
	bc_dec_status st = bc_dec_parse(s, len, &d, errpos);

	if (st != BC_DEC_OK)
	{
		buf[0] = '\0';
		if (outlen)
			*outlen = 0;
		return st;
	}
	{
		size_t		n = bc_dec_format(&d, buf);

		if (outlen)
			*outlen = n;
	}
	return BC_DEC_OK;
}

/* scale a coefficient up by k decimal digits, checking the limit */
static bool
scale_up(__int128 c, int k, __int128 *out)
{
	u128		m = c < 0 ? (u128) (-c) : (u128) c;

	if (k > 38 || (k > 0 && m >= pow10_tab[38 - k]))
		return false;
	m *= pow10_tab[k];
	*out = c < 0 ? -(__int128) m : (__int128) m;
	return true;
}

/* exact sum */
bc_dec_status
bc_dec_add(const bc_decimal *a, const bc_decimal *b, bc_decimal *out)
{
	int			scale = a->scale > b->scale ? a->scale : b->scale;
	__int128	x;
	__int128	y;
	__int128	lim = (__int128) LIMIT - 1;

	if (!scale_up(a->coef, scale - a->scale, &x) ||
		!scale_up(b->coef, scale - b->scale, &y))
		return BC_DEC_OVERFLOW;
	if ((y > 0 && x > lim - y) || (y < 0 && x < -lim - y))
		return BC_DEC_OVERFLOW;
	out->coef = x + y;
	out->scale = scale;
	return BC_DEC_OK;
}

/* compare exactly */
int
bc_dec_cmp(const bc_decimal *a, const bc_decimal *b)
{
	bc_decimal	nb = {-b->coef, b->scale};
	bc_decimal	diff;

	if (bc_dec_add(a, &nb, &diff) == BC_DEC_OK)
		return diff.coef < 0 ? -1 : diff.coef > 0;
	/* alignment overflowed: magnitudes differ hugely; compare signs then sizes */
	if ((a->coef < 0) != (b->coef < 0))
		return a->coef < 0 ? -1 : 1;
	{
		/* same sign: the one with fewer decimals (which overflowed) is larger */
		int			bigger_a = a->scale < b->scale;

		if (a->coef < 0)
			return bigger_a ? -1 : 1;
		return bigger_a ? 1 : -1;
	}
}

/* as integer count of 10^-scale units */
bc_dec_status
bc_dec_to_scaled(const bc_decimal *d, int scale, __int128 *out)
{
	if (scale < 0)
		return BC_DEC_TOO_MANY_DECIMALS;
	if (d->scale > scale)
	{
		int			k = d->scale - scale;

		if (d->coef % (__int128) pow10_tab[k] != 0)
			return BC_DEC_TOO_MANY_DECIMALS;
		*out = d->coef / (__int128) pow10_tab[k];
		return BC_DEC_OK;
	}
	if (!scale_up(d->coef, scale - d->scale, out))
		return BC_DEC_OVERFLOW;
	return BC_DEC_OK;
}

/* zero */
void
bc_dec_zero(bc_decimal *d)
{
	d->coef = 0;
	d->scale = 0;
}

/* message */
const char *
bc_dec_strerror(bc_dec_status st)
{
	switch (st)
	{
		case BC_DEC_OK:
			return "no error";
		case BC_DEC_EMPTY:
			return "empty number";
		case BC_DEC_SYNTAX:
			return "invalid number syntax";
		case BC_DEC_TOO_MANY_DIGITS:
			return "number has more than 38 significant digits";
		case BC_DEC_TOO_MANY_DECIMALS:
			return "number has more than 38 decimal places";
		case BC_DEC_OVERFLOW:
			return "number is out of range (10^38 or more)";
	}
	return "unknown decimal status";
}
