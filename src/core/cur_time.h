/*-------------------------------------------------------------------------
 *
 * cur_time.h
 *		Validation and normalisation of CUR timestamps (always UTC).
 *
 * Accepted (strict, no surrounding whitespace):
 *		YYYY-MM-DD{T| }HH:MM:SS[.f...][zone]
 *		YYYYMMDDTHHMMSS[.f...][zone]		(compact form seen in manifests)
 * with 1 to 9 fractional digits (digits past the 6th, microseconds, must
 * be zero), and zone one of: nothing (taken as UTC), "Z", "z", "+00",
 * "+0000", "+00:00", "-00", "-0000", "-00:00".  A non-zero offset is
 * BC_TIME_ZONE (CUR is UTC by definition; we do not convert).  Fields must
 * form a real calendar date and time: year 0001-9999, hour 00-23, minute
 * and second 00-59 (no leap second, no 24:00).
 *
 * Output is canonical text for COPY into timestamptz:
 *		"YYYY-MM-DD HH:MM:SS[.ffffff]+00"
 * with the fraction only when non-zero and without trailing zeros.
 *
 * IDENTIFICATION
 *		src/core/cur_time.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_CUR_TIME_H
#define BC_CUR_TIME_H

#include <stddef.h>
#include <stdint.h>

/* longest text bc_time_format writes, with the NUL */
#define BC_TIME_FORMAT_MAX 40

typedef struct bc_time
{
	int			year;
	int			month;			/* 1-12 */
	int			day;			/* 1-31 */
	int			hour;
	int			minute;
	int			second;
	int			usec;			/* 0-999999 */
} bc_time;

typedef enum bc_time_status
{
	BC_TIME_OK = 0,
	BC_TIME_EMPTY,				/* zero-length input */
	BC_TIME_SYNTAX,				/* not of the accepted shape */
	BC_TIME_RANGE,				/* not a real date/time (2026-02-30, 25:00) */
	BC_TIME_ZONE,				/* offset other than UTC */
	BC_TIME_PRECISION,			/* non-zero digits below microseconds */
	BC_TIME_NOT_PERIOD_START,	/* billing period start not a month start */
	BC_TIME_ORDER				/* interval end not after start */
} bc_time_status;

/* parse s[0..len); *errpos (may be NULL) = offset of the offending byte */
extern bc_time_status bc_time_parse(const char *s, size_t len, bc_time *t,
									size_t *errpos);

/* canonical text into buf[BC_TIME_FORMAT_MAX]; returns the length */
extern size_t bc_time_format(const bc_time *t, char *buf);

/* parse and format in one call */
extern bc_time_status bc_time_canonical(const char *s, size_t len, char *buf,
										size_t *outlen, size_t *errpos);

/*
 * Billing period from bill_billing_period_start_date: the timestamp must
 * be the first day of a month at 00:00:00 UTC; writes "YYYY-MM-01" (date
 * text for COPY) into out[11].
 */
extern bc_time_status bc_time_billing_period(const char *s, size_t len, char out[11],
											 size_t *errpos);

/*
 * identity_time_interval "START/END": both timestamps, END after START.
 * *errpos is relative to s.
 */
extern bc_time_status bc_time_interval(const char *s, size_t len, bc_time *start,
									   bc_time *end, size_t *errpos);

/* -1, 0, 1 */
extern int	bc_time_cmp(const bc_time *a, const bc_time *b);

/* microseconds since 1970-01-01 00:00:00 UTC (proleptic Gregorian) */
extern int64_t bc_time_epoch_usec(const bc_time *t);

/* static lower-case message for a status */
extern const char *bc_time_strerror(bc_time_status st);

#endif							/* BC_CUR_TIME_H */
