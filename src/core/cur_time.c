/*-------------------------------------------------------------------------
 *
 * cur_time.c
 *		CUR timestamp parsing, calendar checks and canonical output.
 *
 * IDENTIFICATION
 *		src/core/cur_time.c
 *
 *-------------------------------------------------------------------------
 */
#include "cur_time.h"

#include <stdbool.h>
#include <string.h>

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

/* leap year */
static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* days in a month */
static int
month_days(int y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return (m == 2 && is_leap(y)) ? 29 : d[m - 1];
}

/* the zone suffix at s[i..len): UTC forms only */
static bc_time_status
parse_zone(const char *s, size_t len, size_t *i)
{
	int			hh;
	int			mm = 0;

	if (*i == len)
		return BC_TIME_OK;
	if (s[*i] == 'Z' || s[*i] == 'z')
	{
		(*i)++;
		return *i == len ? BC_TIME_OK : BC_TIME_SYNTAX;
	}
	if (s[*i] != '+' && s[*i] != '-')
		return BC_TIME_SYNTAX;
	(*i)++;
	if (!digits(s, len, i, 2, &hh))
		return BC_TIME_SYNTAX;
	if (*i < len)
	{
		if (s[*i] == ':')
			(*i)++;
		if (!digits(s, len, i, 2, &mm))
			return BC_TIME_SYNTAX;
	}
	if (*i != len)
		return BC_TIME_SYNTAX;
	return (hh == 0 && mm == 0) ? BC_TIME_OK : BC_TIME_ZONE;
}

/* parse */
bc_time_status
bc_time_parse(const char *s, size_t len, bc_time *t, size_t *errpos)
{
	size_t		i = 0;
	size_t		dummy;
	bc_time_status st;
	bool		compact;

	if (errpos == NULL)
		errpos = &dummy;
	*errpos = 0;
	if (len == 0)
		return BC_TIME_EMPTY;
	memset(t, 0, sizeof(*t));
	if (!digits(s, len, &i, 4, &t->year))
		goto syntax;
	compact = (i < len && s[i] != '-');
	if (!compact && !expect(s, len, &i, '-'))
		goto syntax;
	if (!digits(s, len, &i, 2, &t->month))
		goto syntax;
	if (!compact && !expect(s, len, &i, '-'))
		goto syntax;
	if (!digits(s, len, &i, 2, &t->day))
		goto syntax;
	if (i >= len || (s[i] != 'T' && (compact || s[i] != ' ')))
		goto syntax;
	i++;
	if (!digits(s, len, &i, 2, &t->hour))
		goto syntax;
	if (!compact && !expect(s, len, &i, ':'))
		goto syntax;
	if (!digits(s, len, &i, 2, &t->minute))
		goto syntax;
	if (!compact && !expect(s, len, &i, ':'))
		goto syntax;
	if (!digits(s, len, &i, 2, &t->second))
		goto syntax;
	if (i < len && s[i] == '.')
	{
		int			nd = 0;

		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
		{
			if (nd < 6)
				t->usec = t->usec * 10 + (s[i] - '0');
			else if (s[i] != '0')
			{
				*errpos = i;
				return BC_TIME_PRECISION;
			}
			nd++;
			i++;
		}
		if (nd == 0 || nd > 9)
			goto syntax;
		for (; nd < 6; nd++)
			t->usec *= 10;
	}
	{
		size_t		zstart = i;

		st = parse_zone(s, len, &i);
		if (st != BC_TIME_OK)
		{
			*errpos = st == BC_TIME_ZONE ? zstart : i;
			return st;
		}
	}
	if (t->year < 1 || t->month < 1 || t->month > 12 || t->day < 1 ||
		t->day > month_days(t->year, t->month) || t->hour > 23 ||
		t->minute > 59 || t->second > 59)
		return BC_TIME_RANGE;
	return BC_TIME_OK;
syntax:
	*errpos = i;
	return BC_TIME_SYNTAX;
}

/* write n digits of v, zero padded */
static size_t
put_digits(char *buf, int v, int n)
{
	for (int k = n - 1; k >= 0; k--)
	{
		buf[k] = (char) ('0' + v % 10);
		v /= 10;
	}
	return n;
}

/* canonical text */
size_t
bc_time_format(const bc_time *t, char *buf)
{
	size_t		o = 0;

	o += put_digits(buf + o, t->year, 4);
	buf[o++] = '-';
	o += put_digits(buf + o, t->month, 2);
	buf[o++] = '-';
	o += put_digits(buf + o, t->day, 2);
	buf[o++] = ' ';
	o += put_digits(buf + o, t->hour, 2);
	buf[o++] = ':';
	o += put_digits(buf + o, t->minute, 2);
	buf[o++] = ':';
	o += put_digits(buf + o, t->second, 2);
	if (t->usec)
	{
		int			n = 6;
		int			u = t->usec;

		while (u % 10 == 0)
		{
			u /= 10;
			n--;
		}
		buf[o++] = '.';
		o += put_digits(buf + o, u, n);
	}
	memcpy(buf + o, "+00", 4);
	return o + 3;
}

/* parse + format */
bc_time_status
bc_time_canonical(const char *s, size_t len, char *buf, size_t *outlen, size_t *errpos)
{
	bc_time		t;
	bc_time_status st = bc_time_parse(s, len, &t, errpos);
	size_t		n = 0;

	buf[0] = '\0';
	if (st == BC_TIME_OK)
		n = bc_time_format(&t, buf);
	if (outlen)
		*outlen = n;
	return st;
}

/* billing period date */
bc_time_status
bc_time_billing_period(const char *s, size_t len, char out[11], size_t *errpos)
{
	bc_time		t;
	bc_time_status st = bc_time_parse(s, len, &t, errpos);

	out[0] = '\0';
	if (st != BC_TIME_OK)
		return st;
	if (t.day != 1 || t.hour || t.minute || t.second || t.usec)
		return BC_TIME_NOT_PERIOD_START;
	put_digits(out, t.year, 4);
	out[4] = '-';
	put_digits(out + 5, t.month, 2);
	memcpy(out + 7, "-01", 4);
	return BC_TIME_OK;
}

/* START/END interval */
bc_time_status
bc_time_interval(const char *s, size_t len, bc_time *start, bc_time *end, size_t *errpos)
{
	const char *slash = memchr(s, '/', len);
	size_t		dummy;
	size_t		a;
	bc_time_status st;

	if (errpos == NULL)
		errpos = &dummy;
	*errpos = 0;
	if (len == 0)
		return BC_TIME_EMPTY;
	if (slash == NULL)
	{
		*errpos = len;
		return BC_TIME_SYNTAX;
	}
	a = (size_t) (slash - s);
	st = bc_time_parse(s, a, start, errpos);
	if (st == BC_TIME_EMPTY)
		st = BC_TIME_SYNTAX;
	if (st != BC_TIME_OK)
		return st;
	st = bc_time_parse(slash + 1, len - a - 1, end, errpos);
	*errpos += a + 1;
	if (st == BC_TIME_EMPTY)
		st = BC_TIME_SYNTAX;
	if (st != BC_TIME_OK)
		return st;
	*errpos = 0;
	if (bc_time_cmp(start, end) >= 0)
		return BC_TIME_ORDER;
	return BC_TIME_OK;
}

/* compare */
int
bc_time_cmp(const bc_time *a, const bc_time *b)
{
	int64_t		x = bc_time_epoch_usec(a);
	int64_t		y = bc_time_epoch_usec(b);

	return x < y ? -1 : x > y;
}

/* days from 1970-01-01 to y-m-d (civil calendar algorithm) */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t		era;
	int64_t		yoe;
	int64_t		doy;
	int64_t		doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* epoch microseconds */
int64_t
bc_time_epoch_usec(const bc_time *t)
{
	int64_t		days = days_from_civil(t->year, t->month, t->day);
	int64_t		secs = days * 86400 + t->hour * 3600 + t->minute * 60 + t->second;

	return secs * 1000000 + t->usec;
}

/* message */
const char *
bc_time_strerror(bc_time_status st)
{
	switch (st)
	{
		case BC_TIME_OK:
			return "no error";
		case BC_TIME_EMPTY:
			return "empty timestamp";
		case BC_TIME_SYNTAX:
			return "invalid timestamp syntax (expected YYYY-MM-DDTHH:MM:SS[.fff]Z)";
		case BC_TIME_RANGE:
			return "timestamp is not a valid calendar date and time";
		case BC_TIME_ZONE:
			return "timestamp has a non-UTC offset";
		case BC_TIME_PRECISION:
			return "timestamp has precision below microseconds";
		case BC_TIME_NOT_PERIOD_START:
			return "billing period start is not the first day of a month at 00:00:00";
		case BC_TIME_ORDER:
			return "time interval end is not after its start";
	}
	return "unknown timestamp status";
}
