/*-------------------------------------------------------------------------
 *
 * cur_time.h
 *		The one parser of CUR timestamps (always UTC), for the rows and for
 *		the manifest's billing period.
 *
 * Two grammars, both of real calendar dates and times (year 0001-9999,
 * hour 00-23, minute and second 00-59: no leap second, no 24:00):
 *
 *	- the row form, strict, of every timestamp column of a CUR 2.0 row
 *	  (bc_time_parse_cur): YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z, nothing else;
 *
 *	- the forms of a manifest's billingPeriod.start
 *	  (bc_time_billing_period), more lenient because manifests have been
 *	  seen in several: YYYY-MM-DD{T| }HH:MM:SS[.f...][zone] and the compact
 *	  YYYYMMDDTHHMMSS[.f...][zone], with 1 to 9 fractional digits (those
 *	  past the 6th, below microseconds, must be zero) and zone one of:
 *	  nothing (taken as UTC), "Z", "z", "+00", "+0000", "+00:00", "-00",
 *	  "-0000", "-00:00" (CUR is UTC by definition; no offset is converted).
 *
 * The row form is a subset of the manifest forms: what bc_time_parse_cur
 * accepts, the manifest grammar accepts with the same parts.
 *
 * IDENTIFICATION
 *		src/core/cur_time.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_CUR_TIME_H
#define BC_CUR_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BC_TIME_USEC_PER_DAY INT64_C(86400000000)
/* PostgreSQL's epoch, 2000-01-01, in days since 1970-01-01 */
#define BC_TIME_PG_EPOCH_DAYS 10957

/* the parts of a parsed timestamp (UTC) */
typedef struct bc_time
{
	int			year;			/* 1-9999 */
	int			month;			/* 1-12 */
	int			day;			/* 1-31 */
	int			hour;			/* 0-23 */
	int			minute;			/* 0-59 */
	int			second;			/* 0-59 */
	int			usec;			/* 0-999999 */
} bc_time;

/*
 * A timestamp of a CUR row, s[0..len): YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z with
 * a real date and time.  True with its parts in *t; false when it is not
 * one (*t is then undefined).
 */
extern bool bc_time_parse_cur(const char *s, size_t len, bc_time *t);

/* true when t is the first day of a month at 00:00:00.000000 */
extern bool bc_time_is_month_start(const bc_time *t);

/*
 * The billing period of a manifest's billingPeriod.start, s[0..len), in
 * any of the manifest forms above: it must be the first day of a month at
 * 00:00:00 UTC.  Writes "YYYY-MM-01" (date text) into out[11]; false (and
 * out "") when s is not such a timestamp.
 */
extern bool bc_time_billing_period(const char *s, size_t len, char out[11]);

/* days from 1970-01-01 to a date of the proleptic Gregorian calendar */
extern int64_t bc_time_days(int year, int month, int day);

/* microseconds since 1970-01-01 00:00:00 UTC */
extern int64_t bc_time_epoch_usec(const bc_time *t);

#endif							/* BC_CUR_TIME_H */
