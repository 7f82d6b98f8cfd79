/*-------------------------------------------------------------------------
 *
 * loader_values.c
 *		Exact sums of decimal texts (the ledger's cost totals).
 *
 * Row values themselves are checked by the core transform shared with the
 * client (src/core/cur_transform.c).
 *
 * Sums are exact: an __int128 count of 10^-BC_SUM_SCALE units, falling
 * back to numeric arithmetic for a value with more fractional digits or a
 * sum that would overflow.  Nothing here goes through floating point.
 *
 * IDENTIFICATION
 *		src/ext/loader_values.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

#include "loader.h"

#define BC_SUM_SCALE 18
/* exact sums stay below this many units before switching to numeric */
#define BC_SUM_LIMIT ((__int128) 1 << 120)

/* start an empty sum */
void
bc_sum_init(BcSum *s)
{
	s->units = 0;
	s->overflow = false;
	s->big = (Datum) 0;
}

/*
 * Parse a CUR decimal: [+-]digits[.digits][(e|E)[+-]digits], or
 * [+-].digits; at most 1000 digits and an exponent within +-990 (numeric_in
 * accepts +-1000; the margin leaves room for the token scale shift).  Sets *units to value * 10^BC_SUM_SCALE when that is exact
 * and small enough (*exact true), else *exact false.  Returns false when
 * the text is not a decimal.
 */
static bool
parse_decimal(const char *s, size_t len, __int128 *units, bool *exact)
{
	size_t		i = 0;
	bool		neg = false;
	__int128	mant = 0;
	int			ndigits = 0,
				frac = 0,
				sig = 0;
	long		exp10 = 0;
	bool		big = false;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = (s[i++] == '-');
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, ndigits++)
	{
		if (sig > 0 || s[i] != '0')
			sig++;
		if (sig > 36)
			big = true;
		else
			mant = mant * 10 + (s[i] - '0');
	}
	if (i < len && s[i] == '.')
	{
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, ndigits++)
		{
			if (sig > 0 || s[i] != '0')
				sig++;
			if (sig > 36)
			{
				if (s[i] != '0')
					big = true;
				continue;		/* trailing zeros beyond 36 digits are harmless */
			}
			mant = mant * 10 + (s[i] - '0');
			frac++;
		}
	}
	if (ndigits == 0 || ndigits > 1000)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E'))
	{
		bool		eneg = false;
		int			edigits = 0;

		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			eneg = (s[i++] == '-');
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, edigits++)
		{
			if (exp10 <= 1000)
				exp10 = exp10 * 10 + (s[i] - '0');
		}
		if (edigits == 0)
			return false;
		if (exp10 > 990)
			return false;		/* numeric_in refuses exponents beyond 1000 */
		if (eneg)
			exp10 = -exp10;
	}
	if (i != len)
		return false;

	/* value = mant * 10^(exp10 - frac); want mant * 10^(exp10 - frac + SCALE) */
	*exact = false;
	if (!big)
	{
		long		shift = exp10 - frac + BC_SUM_SCALE;

		if (mant == 0)
		{
			*units = 0;
			*exact = true;
		}
		else if (shift >= 0 && shift <= 38)
		{
			__int128	v = mant;
			bool		ok = true;

			for (long k = 0; k < shift; k++)
			{
				if (v > BC_SUM_LIMIT / 10)
				{
					ok = false;
					break;
				}
				v *= 10;
			}
			if (ok && v < BC_SUM_LIMIT)
			{
				*units = neg ? -v : v;
				*exact = true;
			}
		}
		else if (shift < 0 && shift >= -38)
		{
			/* exact only if the dropped digits are zeros */
			__int128	v = mant;
			bool		ok = true;

			for (long k = 0; k < -shift; k++)
			{
				if (v % 10 != 0)
				{
					ok = false;
					break;
				}
				v /= 10;
			}
			if (ok)
			{
				*units = neg ? -v : v;
				*exact = true;
			}
		}
	}
	return true;
}

/* numeric Datum of a checked decimal text */
static Datum
numeric_of_text(const char *txt, size_t len)
{
	char	   *c = pnstrdup(txt, len);

	return DirectFunctionCall3(numeric_in, CStringGetDatum(c),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/* exact decimal text of units * 10^-BC_SUM_SCALE, trailing zeros trimmed */
static char *
units_text(__int128 units)
{
	char		digits[64];
	int			n = 0;
	bool		neg = units < 0;
	unsigned __int128 u = neg ? -(unsigned __int128) units : (unsigned __int128) units;
	StringInfoData out;
	int			intlen,
				fraclen;

	do
	{
		digits[n++] = '0' + (int) (u % 10);
		u /= 10;
	} while (u != 0);
	while (n <= BC_SUM_SCALE)
		digits[n++] = '0';
	/* digits[] is reversed; the last BC_SUM_SCALE (lowest) are the fraction */
	fraclen = BC_SUM_SCALE;
	while (fraclen > 0 && digits[BC_SUM_SCALE - fraclen] == '0')
		fraclen--;
	intlen = n - BC_SUM_SCALE;
	initStringInfo(&out);
	if (neg)
		appendStringInfoChar(&out, '-');
	for (int k = n - 1; k >= n - intlen; k--)
		appendStringInfoChar(&out, digits[k]);
	if (fraclen > 0)
	{
		appendStringInfoChar(&out, '.');
		for (int k = BC_SUM_SCALE - 1; k >= BC_SUM_SCALE - fraclen; k--)
			appendStringInfoChar(&out, digits[k]);
	}
	return out.data;
}

/* move an exact sum to numeric arithmetic */
static void
sum_to_numeric(BcSum *s)
{
	char	   *t = units_text(s->units);

	s->big = numeric_of_text(t, strlen(t));
	s->overflow = true;
	s->units = 0;
}

/*
 * Add a decimal text to a sum; returns false (sum unchanged) when the text
 * is not a decimal.  Allocates only on the rare numeric fallback path, in
 * the current memory context, which must outlive the sum.
 */
bool
bc_sum_add_text(BcSum *s, const char *txt, size_t len)
{
	__int128	u;
	bool		exact;

	if (!parse_decimal(txt, len, &u, &exact))
		return false;
	if (!s->overflow && exact &&
		((u >= 0 && s->units < BC_SUM_LIMIT - u) ||
		 (u < 0 && s->units > -BC_SUM_LIMIT - u)))
	{
		s->units += u;
		return true;
	}
	if (!s->overflow)
		sum_to_numeric(s);
	s->big = DirectFunctionCall2(numeric_add, s->big, numeric_of_text(txt, len));
	return true;
}

/* the exact decimal text of a sum */
char *
bc_sum_text(const BcSum *s)
{
	if (s->overflow)
		return DatumGetCString(DirectFunctionCall1(numeric_out, s->big));
	return units_text(s->units);
}
