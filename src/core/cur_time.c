/*-------------------------------------------------------------------------
 *
 * cur_time.c
 *		CUR timestamps: the strict row form, the manifest's billing period
 *		forms, calendar checks and epoch arithmetic (see cur_time.h).
 *
 * The row form is parsed for every timestamp of every Bedrock row (three
 * per row), so it is read at fixed offsets in one pass; its parts feed the
 * row checks and the binary COPY values without another reading of the
 * digits.
 *
 * IDENTIFICATION
 *		src/core/cur_time.c
 *
 *-------------------------------------------------------------------------
 */
#include "cur_time.h"

#include <string.h>

/* leap year of the proleptic Gregorian calendar */
static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* days in a month (m 1-12) */
static int
month_days(int y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return (m == 2 && is_leap(y)) ? 29 : d[m - 1];
}

/* true when the parts form a real date and time */
static bool
valid_parts(const bc_time *t)
{
	return t->year >= 1 && t->month >= 1 && t->month <= 12 && t->day >= 1 &&
		t->hour >= 0 && t->hour <= 23 && t->minute >= 0 && t->minute <= 59 &&
		t->second >= 0 && t->second <= 59 && t->day <= month_days(t->year, t->month);
}

/* ---------------------------------------------------------------------- */
/* the row form */

/* n decimal digits at s, as an int, or -1 */
static int
digits_at(const char *s, int n)
{
	int			v = 0;

	for (int i = 0; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z */
bool
bc_time_parse_cur(const char *s, size_t len, bc_time *t)
{
	size_t		i;

	if (len < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
		s[13] != ':' || s[16] != ':')
		return false;
	t->year = digits_at(s, 4);
	t->month = digits_at(s + 5, 2);
	t->day = digits_at(s + 8, 2);
	t->hour = digits_at(s + 11, 2);
	t->minute = digits_at(s + 14, 2);
	t->second = digits_at(s + 17, 2);
	t->usec = 0;
	/* valid_parts, spelt out: it runs for every timestamp of every row */
	if (t->year < 1 || t->month < 1 || t->month > 12 || t->day < 1 ||
		t->hour < 0 || t->hour > 23 || t->minute < 0 || t->minute > 59 ||
		t->second < 0 || t->second > 59 || t->day > month_days(t->year, t->month))
		return false;
	i = 19;
	if (s[i] == '.')
	{
		size_t		start = ++i;
		int			u = 0;

		while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 6)
			u = u * 10 + (s[i++] - '0');
		if (i == start || (i < len && s[i] >= '0' && s[i] <= '9'))
			return false;
		for (size_t n = i - start; n < 6; n++)
			u *= 10;
		t->usec = u;
	}
	return i == len - 1 && s[i] == 'Z';
}

/* the first day of a month at midnight */
bool
bc_time_is_month_start(const bc_time *t)
{
	return t->day == 1 && t->hour == 0 && t->minute == 0 && t->second == 0 &&
		t->usec == 0;
}

/* ---------------------------------------------------------------------- */
/* the manifest forms */

/* read exactly n digits at s[*i]; false if not all digits */
static bool
digits(const char *s, size_t len, size_t *i, int n, int *out)
{
	int			v = 0;

	for (int k = 0; k < n; k++)
	{
		if (*i >= len || s[*i] < '0' || s[*i] > '9')
			return false;
		v = v * 10 + (s[*i] - '0');
		(*i)++;
	}
	*out = v;
	return true;
}

/* expect one byte */
static bool
expect(const char *s, size_t len, size_t *i, char c)
{
	if (*i >= len || s[*i] != c)
		return false;
	(*i)++;
	return true;
}

/* the zone suffix at s[i..len): UTC forms only */
static bool
utc_zone(const char *s, size_t len, size_t i)
{
	int			hh;
	int			mm = 0;

	if (i == len)
		return true;
	if (s[i] == 'Z' || s[i] == 'z')
		return i + 1 == len;
	if (s[i] != '+' && s[i] != '-')
		return false;
	i++;
	if (!digits(s, len, &i, 2, &hh))
		return false;
	if (i < len)
	{
		if (s[i] == ':')
			i++;
		if (!digits(s, len, &i, 2, &mm))
			return false;
	}
	return i == len && hh == 0 && mm == 0;
}

/* a timestamp in any of the manifest forms */
static bool
parse_manifest_form(const char *s, size_t len, bc_time *t)
{
	size_t		i = 0;
	bool		compact;

	memset(t, 0, sizeof(*t));
	if (!digits(s, len, &i, 4, &t->year))
		return false;
	compact = (i < len && s[i] != '-');
	if (!compact && !expect(s, len, &i, '-'))
		return false;
	if (!digits(s, len, &i, 2, &t->month))
		return false;
	if (!compact && !expect(s, len, &i, '-'))
		return false;
	if (!digits(s, len, &i, 2, &t->day))
		return false;
	if (i >= len || (s[i] != 'T' && (compact || s[i] != ' ')))
		return false;
	i++;
	if (!digits(s, len, &i, 2, &t->hour))
		return false;
	if (!compact && !expect(s, len, &i, ':'))
		return false;
	if (!digits(s, len, &i, 2, &t->minute))
		return false;
	if (!compact && !expect(s, len, &i, ':'))
		return false;
	if (!digits(s, len, &i, 2, &t->second))
		return false;
	if (i < len && s[i] == '.')
	{
		int			nd = 0;

		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
		{
			if (nd < 6)
				t->usec = t->usec * 10 + (s[i] - '0');
			else if (s[i] != '0')
				return false;
			nd++;
			i++;
		}
		if (nd == 0 || nd > 9)
			return false;
		for (; nd < 6; nd++)
			t->usec *= 10;
	}
	return utc_zone(s, len, i) && valid_parts(t);
}

/* write n digits of v, zero padded */
static void
put_digits(char *buf, int v, int n)
{
	for (int k = n - 1; k >= 0; k--)
	{
		buf[k] = (char) ('0' + v % 10);
		v /= 10;
	}
}

/* billing period date of a manifest's billingPeriod.start */
bool
bc_time_billing_period(const char *s, size_t len, char out[11])
{
	bc_time		t;

	out[0] = '\0';
	if (len == 0 || !parse_manifest_form(s, len, &t) || !bc_time_is_month_start(&t))
		return false;
	put_digits(out, t.year, 4);
	out[4] = '-';
	put_digits(out + 5, t.month, 2);
	memcpy(out + 7, "-01", 4);
	return true;
}

/* ---------------------------------------------------------------------- */
/* arithmetic */

/* days from 1970-01-01 to y-m-d (H. Hinnant's days_from_civil) */
int64_t
bc_time_days(int year, int month, int day)
{
	int64_t		y = year - (month <= 2);
	int64_t		era = (y >= 0 ? y : y - 399) / 400;
	unsigned	yoe = (unsigned) (y - era * 400);
	unsigned	doy = (153 * (unsigned) (month > 2 ? month - 3 : month + 9) + 2) / 5 +
		(unsigned) day - 1;
	unsigned	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t) doe - 719468;
}

/* epoch microseconds */
int64_t
bc_time_epoch_usec(const bc_time *t)
{
	int64_t		secs = bc_time_days(t->year, t->month, t->day) * 86400 +
		t->hour * 3600 + t->minute * 60 + t->second;

	return secs * 1000000 + t->usec;
}
