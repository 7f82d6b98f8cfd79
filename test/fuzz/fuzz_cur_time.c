/*-------------------------------------------------------------------------
 *
 * fuzz_cur_time.c
 *		libFuzzer harness of the timestamp module: the row form and the
 *		billing period forms of manifests never read out of bounds; a
 *		row timestamp has real parts, is one of the manifest forms (with
 *		the same billing period when it is a month start), and written
 *		back with six fraction digits parses to the same instant; the day
 *		count steps by one from each date to the next.
 *
 * IDENTIFICATION
 *		test/fuzz/fuzz_cur_time.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cur_time.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the date after y-m-d, by the calendar's rules */
static void
next_day(int *y, int *m, int *d)
{
	static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int			last = md[*m - 1];

	if (*m == 2 && ((*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0))
		last = 29;
	if (++*d <= last)
		return;
	*d = 1;
	if (++*m <= 12)
		return;
	*m = 1;
	++*y;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;
	bc_time		t,
				u;
	char		p[11];
	char		b[64];
	bool		bp;
	int			y,
				m,
				d;

	bp = bc_time_billing_period(s, size, p);
	if (!bp && p[0] != '\0')
		abort();
	if (bp && (strlen(p) != 10 || memcmp(p + 7, "-01", 3) != 0))
		abort();
	if (!bc_time_parse_cur(s, size, &t))
		return 0;
	if (t.year < 1 || t.year > 9999 || t.month < 1 || t.month > 12 || t.day < 1 ||
		t.day > 31 || t.hour < 0 || t.hour > 23 || t.minute < 0 || t.minute > 59 ||
		t.second < 0 || t.second > 59 || t.usec < 0 || t.usec > 999999)
		abort();
	/* the row form is one of the manifest forms */
	if (bp != bc_time_is_month_start(&t))
		abort();
	if (bp)
	{
		snprintf(b, sizeof(b), "%04d-%02d-01", t.year, t.month);
		if (strcmp(b, p) != 0)
			abort();
	}
	/* written back, the same instant */
	snprintf(b, sizeof(b), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", t.year, t.month, t.day,
			 t.hour, t.minute, t.second, t.usec);
	if (!bc_time_parse_cur(b, strlen(b), &u) ||
		bc_time_epoch_usec(&u) != bc_time_epoch_usec(&t))
		abort();
	/* the next day is one day later */
	y = t.year;
	m = t.month;
	d = t.day;
	next_day(&y, &m, &d);
	if (bc_time_days(y, m, d) != bc_time_days(t.year, t.month, t.day) + 1)
		abort();
	return 0;
}
