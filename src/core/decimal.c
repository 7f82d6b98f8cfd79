/*-------------------------------------------------------------------------
 *
 * decimal.c
 *		Exact decimal texts without PostgreSQL: the scanner of what
 *		numeric_in accepts and exact running sums (see decimal.h).
 *
 * IDENTIFICATION
 *		src/core/decimal.c
 *
 *-------------------------------------------------------------------------
 */
#include "decimal.h"

#include <stdlib.h>
#include <string.h>

#define SUM_SCALE BC_XSUM_SCALE
#define SUM_LIMIT ((__int128) 1 << 120)
/* wide sums: digit i weighs 10^(i - WIDE_OFF); ten's complement */
#define WIDE_DIGITS BC_XSUM_WIDE_BYTES
#define WIDE_OFF 2020

/*
 * Scan a decimal: see decimal.h for the grammar.  The leading
 * significant digits go into p->mant while there are at most
 * BC_DECIMAL_MANT_DIGITS of them; an integer digit beyond that, or a
 * non-zero fraction digit, sets p->big (trailing fraction zeros past the
 * limit change nothing).  One pass: the checks of every row call it.
 */
bool
bc_decimal_scan(const char *s, size_t len, bc_decimal_parts *p)
{
	size_t		i = 0;
	__int128	mant = 0;
	int			frac = 0,
				sig = 0;
	bool		big = false;
	size_t		ndigits;

	p->neg = false;
	p->exp10 = 0;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		p->neg = (s[i++] == '-');
	p->int_pos = i;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
	{
		if (sig > 0 || s[i] != '0')
			sig++;
		if (sig > BC_DECIMAL_MANT_DIGITS)
			big = true;
		else
			mant = mant * 10 + (s[i] - '0');
	}
	p->int_len = i - p->int_pos;
	p->frac_pos = i;
	if (i < len && s[i] == '.')
	{
		p->frac_pos = ++i;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		{
			if (sig > 0 || s[i] != '0')
				sig++;
			if (sig > BC_DECIMAL_MANT_DIGITS)
			{
				if (s[i] != '0')
					big = true;
				continue;
			}
			mant = mant * 10 + (s[i] - '0');
			frac++;
		}
	}
	p->frac_len = i - p->frac_pos;
	p->mant_end = i;
	ndigits = p->int_len + p->frac_len;
	if (ndigits == 0 || ndigits > BC_DECIMAL_MAX_DIGITS)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E'))
	{
		bool		eneg = false;
		size_t		estart;
		long		exp10 = 0;

		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			eneg = (s[i++] == '-');
		for (estart = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		{
			if (exp10 <= BC_DECIMAL_MAX_EXP)
				exp10 = exp10 * 10 + (s[i] - '0');
		}
		if (i == estart || exp10 > BC_DECIMAL_MAX_EXP)
			return false;
		p->exp10 = eneg ? -exp10 : exp10;
	}
	if (i != len)
		return false;
	p->mant = mant;
	p->mant_frac = frac;
	p->big = big;
	return true;
}

/* the powers of ten of the units' range */
static const int64_t pow10[SUM_SCALE + 1] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000, INT64_C(10000000000), INT64_C(100000000000),
	INT64_C(1000000000000), INT64_C(10000000000000),
	INT64_C(100000000000000), INT64_C(1000000000000000),
	INT64_C(10000000000000000), INT64_C(100000000000000000),
	INT64_C(1000000000000000000)
};

/*
 * The value of a scanned decimal as a count of 10^-SUM_SCALE units when
 * that is exact and small (true), else false.  Most values (at most 17
 * significant digits, none below 10^-SUM_SCALE) take one multiplication.
 */
bool
bc_decimal_units(const bc_decimal_parts *p, __int128 *units)
{
	long		shift = p->exp10 - p->mant_frac + SUM_SCALE;
	__int128	v = p->mant;

	if (p->big)
		return false;
	if (v == 0)
	{
		*units = 0;
		return true;
	}
	if (shift >= 0 && shift <= SUM_SCALE && v < pow10[17])
	{
		/* below 10^17 * 10^18 < SUM_LIMIT */
		v *= pow10[shift];
	}
	else if (shift >= 0 && shift <= 38)
	{
		for (long k = 0; k < shift; k++)
		{
			if (v > SUM_LIMIT / 10)
				return false;
			v *= 10;
		}
		if (v >= SUM_LIMIT)
			return false;
	}
	else if (shift < 0 && shift >= -38)
	{
		for (long k = 0; k < -shift; k++)
		{
			if (v % 10 != 0)
				return false;
			v /= 10;
		}
	}
	else
		return false;
	*units = p->neg ? -v : v;
	return true;
}

/*
 * |value| < 10^n: the weight of the first non-zero digit (the power of ten
 * it stands for) is below n.  Without an exponent, n integer digits or
 * fewer settle it without looking at them.
 */
bool
bc_decimal_below_pow10(const char *s, const bc_decimal_parts *p, int n)
{
	size_t		nd = p->int_len + p->frac_len;

	if (p->exp10 == 0 && p->int_len <= (size_t) n)
		return true;
	for (size_t k = 0; k < nd; k++)
	{
		char		c = k < p->int_len ? s[p->int_pos + k] : s[p->frac_pos + k - p->int_len];

		if (c != '0')
			return (long) p->int_len - 1 - (long) k + p->exp10 < n;
	}
	return true;				/* zero */
}

/* numeric_in's display scale: fraction digits less the exponent, >= 0 */
int
bc_decimal_dscale(const bc_decimal_parts *p)
{
	long		dscale = (long) p->frac_len - p->exp10;

	return dscale > 0 ? (int) dscale : 0;
}

/* ---------------------------------------------------------------------- */
/* exact sums */

/* start an empty sum */
void
bc_xsum_init(bc_xsum *s)
{
	s->units = 0;
	s->wide = false;
	s->digits = NULL;
}

/* release a sum's wide digits */
void
bc_xsum_free(bc_xsum *s)
{
	free(s->digits);
	s->digits = NULL;
}

/* ten's complement of a wide number, in place */
static void
wide_negate(int8_t *d)
{
	int			carry = 1;

	for (int i = 0; i < WIDE_DIGITS; i++)
	{
		int			v = 9 - d[i] + carry;

		d[i] = (int8_t) (v % 10);
		carry = v / 10;
	}
}

/* acc += add (both ten's complement) */
static void
wide_add(int8_t *acc, const int8_t *add)
{
	int			carry = 0;

	for (int i = 0; i < WIDE_DIGITS; i++)
	{
		int			v = acc[i] + add[i] + carry;

		acc[i] = (int8_t) (v % 10);
		carry = v / 10;
	}
}

/* the wide form of units * 10^-SUM_SCALE */
static void
wide_of_units(__int128 units, int8_t *d)
{
	bool		neg = units < 0;
	unsigned __int128 u = neg ? -(unsigned __int128) units : (unsigned __int128) units;

	memset(d, 0, WIDE_DIGITS);
	for (int i = WIDE_OFF - SUM_SCALE; u != 0; i++)
	{
		d[i] = (int8_t) (u % 10);
		u /= 10;
	}
	if (neg)
		wide_negate(d);
}

/* the wide form of a scanned decimal text */
static void
wide_of_text(const char *s, const bc_decimal_parts *p, int8_t *d)
{
	/* the first integer digit weighs 10^(int_len - 1 + exp10) */
	long		pos = (long) p->int_len - 1 + p->exp10;

	memset(d, 0, WIDE_DIGITS);
	for (size_t i = 0; i < p->int_len + p->frac_len; i++, pos--)
	{
		char		c = i < p->int_len ? s[p->int_pos + i] : s[p->frac_pos + i - p->int_len];

		if (WIDE_OFF + pos >= 0 && WIDE_OFF + pos < WIDE_DIGITS)
			d[WIDE_OFF + pos] = (int8_t) (c - '0');
	}
	if (p->neg)
		wide_negate(d);
}

/* add a count of 10^-SUM_SCALE units to a narrow sum's, when it fits */
bool
bc_xsum_units_add(__int128 *sum, __int128 units)
{
	if ((units >= 0 && *sum < SUM_LIMIT - units) ||
		(units < 0 && *sum > -SUM_LIMIT - units))
	{
		*sum += units;
		return true;
	}
	return false;
}

/* add a scanned decimal to a sum; false (unchanged) when out of memory */
bool
bc_xsum_add_parts(bc_xsum *sum, const char *s, const bc_decimal_parts *p)
{
	int8_t		tmp[WIDE_DIGITS];
	__int128	u;

	if (!sum->wide && bc_decimal_units(p, &u) && bc_xsum_units_add(&sum->units, u))
		return true;
	if (!sum->wide)
	{
		sum->digits = malloc(WIDE_DIGITS);
		if (sum->digits == NULL)
			return false;
		wide_of_units(sum->units, sum->digits);
		sum->wide = true;
		sum->units = 0;
	}
	wide_of_text(s, p, tmp);
	wide_add(sum->digits, tmp);
	return true;
}

/* add a decimal text to a sum; false (unchanged) when not a decimal */
bool
bc_xsum_add(bc_xsum *s, const char *txt, size_t len)
{
	bc_decimal_parts p;

	if (!bc_decimal_scan(txt, len, &p))
		return false;
	if (!bc_xsum_add_parts(s, txt, &p))
		abort();
	return true;
}

/*
 * The digits of a narrow sum's absolute value, SUM_SCALE of them fraction
 * digits and at least one integer digit, most significant first, into
 * buf (NUL-terminated); returns their count.
 */
static int
units_digits(__int128 units, char buf[48])
{
	unsigned __int128 u = units < 0 ? -(unsigned __int128) units : (unsigned __int128) units;
	char		rev[48];
	int			n = 0;

	do
	{
		rev[n++] = (char) ('0' + (int) (u % 10));
		u /= 10;
	} while (u != 0 || n <= SUM_SCALE);
	for (int i = 0; i < n; i++)
		buf[i] = rev[n - 1 - i];
	buf[n] = '\0';
	return n;
}

/* the text of a narrow sum with exactly dscale fraction digits */
static void
units_text_scale(__int128 units, int dscale, bc_buf *b)
{
	char		d[48];
	int			n = units_digits(units, d);
	int			first = 0;

	if (units < 0)
		bc_buf_putc(b, '-');
	while (first < n - SUM_SCALE - 1 && d[first] == '0')
		first++;
	bc_buf_put(b, d + first, n - SUM_SCALE - first);
	if (dscale == 0)
		return;
	bc_buf_putc(b, '.');
	bc_buf_put(b, d + n - SUM_SCALE, dscale < SUM_SCALE ? dscale : SUM_SCALE);
	for (int i = SUM_SCALE; i < dscale; i++)
		bc_buf_putc(b, '0');
}

bool
bc_xsum_units_scaled(__int128 units, int dscale, int64_t *v)
{
	__int128	q;

	if (dscale < 0 || dscale > SUM_SCALE)
		return false;
	/* truncated, as numeric_recv truncates digits below its display scale */
	q = units / pow10[SUM_SCALE - dscale];
	if (q < INT64_MIN || q > INT64_MAX)
		return false;
	*v = (int64_t) q;
	return true;
}

/* the text of a wide sum with exactly dscale fraction digits */
static void
wide_text_scale(const int8_t *digits, int dscale, bc_buf *b)
{
	int8_t		d[WIDE_DIGITS];
	int			hi;

	memcpy(d, digits, WIDE_DIGITS);
	if (d[WIDE_DIGITS - 1] >= 5)
	{
		bc_buf_putc(b, '-');
		wide_negate(d);
	}
	for (hi = WIDE_DIGITS - 1; hi > WIDE_OFF && d[hi] == 0; hi--)
		;
	for (int i = hi; i >= WIDE_OFF; i--)
		bc_buf_putc(b, (char) ('0' + d[i]));
	if (dscale > 0)
		bc_buf_putc(b, '.');
	for (int i = WIDE_OFF - 1; i >= WIDE_OFF - dscale; i--)
		bc_buf_putc(b, (char) ('0' + (i >= 0 ? d[i] : 0)));
}

/* exact decimal text of a sum with exactly dscale fraction digits */
void
bc_xsum_text_scale(const bc_xsum *s, int dscale, bc_buf *b)
{
	if (s->wide)
		wide_text_scale(s->digits, dscale, b);
	else
		units_text_scale(s->units, dscale, b);
}

/* the fraction digits a sum needs: down to its last non-zero one */
static int
xsum_natural_scale(const bc_xsum *s)
{
	int			lo;

	if (!s->wide)
	{
		__int128	u = s->units;
		int			scale = SUM_SCALE;

		while (scale > 0 && u % 10 == 0)
		{
			u /= 10;
			scale--;
		}
		return scale;
	}
	for (lo = 0; lo < WIDE_OFF && s->digits[lo] == 0; lo++)
		;
	return WIDE_OFF - lo;
}

/* exact decimal text of a sum, fraction zeros trimmed */
void
bc_xsum_text(const bc_xsum *s, bc_buf *b)
{
	bc_xsum_text_scale(s, xsum_natural_scale(s), b);
}
