/*-------------------------------------------------------------------------
 *
 * test_cur_time.c
 *		CUR timestamps: the strict row form with its parts, the billing
 *		period forms of manifests, calendar checks and epoch arithmetic.
 *
 * IDENTIFICATION
 *		test/unit/test_cur_time.c
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"
#include "cur_time.h"

/* the parts of a row timestamp as "Y-M-D h:m:s.u", or "refused" */
static const char *
tparts(const char *s)
{
	static char out[64];
	bc_time		t;

	if (!bc_time_parse_cur(s, strlen(s), &t))
		return "refused";
	snprintf(out, sizeof(out), "%d-%d-%d %d:%d:%d.%d", t.year, t.month, t.day,
			 t.hour, t.minute, t.second, t.usec);
	return out;
}

/* the billing period of a manifest's start, or "refused" */
static const char *
tperiod(const char *s)
{
	static char out[11];

	if (!bc_time_billing_period(s, strlen(s), out))
	{
		if (out[0] != '\0')
			return "refused, but wrote a period";
		return "refused";
	}
	return out;
}

UNIT_TEST(time_row_form_accepts)
{
	CHECK_STR_EQ(tparts("2026-04-01T00:00:00Z"), "2026-4-1 0:0:0.0");
	CHECK_STR_EQ(tparts("2025-08-01T00:00:00.000Z"), "2025-8-1 0:0:0.0");
	CHECK_STR_EQ(tparts("2026-04-01T13:05:09.5Z"), "2026-4-1 13:5:9.500000");
	CHECK_STR_EQ(tparts("2026-04-01T13:05:09.123456Z"), "2026-4-1 13:5:9.123456");
	CHECK_STR_EQ(tparts("2026-04-01T13:05:09.000001Z"), "2026-4-1 13:5:9.1");
	CHECK_STR_EQ(tparts("2024-02-29T23:59:59Z"), "2024-2-29 23:59:59.0");
	CHECK_STR_EQ(tparts("2000-02-29T00:00:00Z"), "2000-2-29 0:0:0.0");
	CHECK_STR_EQ(tparts("0001-01-01T00:00:00Z"), "1-1-1 0:0:0.0");
	CHECK_STR_EQ(tparts("9999-12-31T23:59:59.999999Z"), "9999-12-31 23:59:59.999999");
}

UNIT_TEST(time_row_form_refuses)
{
	bc_time		t;

	/* shapes the manifest accepts, not a row */
	CHECK_STR_EQ(tparts("2026-04-01T00:00:00"), "refused");
	CHECK_STR_EQ(tparts("2026-04-01 00:00:00Z"), "refused");
	CHECK_STR_EQ(tparts("2026-04-01T00:00:00z"), "refused");
	CHECK_STR_EQ(tparts("2026-04-01T00:00:00+00:00"), "refused");
	CHECK_STR_EQ(tparts("20260401T000000Z"), "refused");
	CHECK_STR_EQ(tparts("2026-04-01T00:00:00.0000000Z"), "refused");
	/* not timestamps */
	CHECK_STR_EQ(tparts(""), "refused");
	CHECK_STR_EQ(tparts("2026-04-01"), "refused");
	CHECK_STR_EQ(tparts("2026-04-01T00:00:00.Z"), "refused");
	CHECK_STR_EQ(tparts("2026-04-01T00:00:00ZZ"), "refused");
	CHECK_STR_EQ(tparts("2026-04-01T00:00:00Z "), "refused");
	CHECK_STR_EQ(tparts(" 2026-04-01T00:00:00Z"), "refused");
	CHECK_STR_EQ(tparts("2026-4-01T00:00:00Z"), "refused");
	CHECK_STR_EQ(tparts("2026-04-01T0x:00:00Z"), "refused");
	CHECK_STR_EQ(tparts("+026-04-01T00:00:00Z"), "refused");
	/* not real dates and times */
	CHECK_STR_EQ(tparts("2025-13-45T99:61:00Z"), "refused");
	CHECK_STR_EQ(tparts("2026-02-29T00:00:00Z"), "refused");
	CHECK_STR_EQ(tparts("1900-02-29T00:00:00Z"), "refused");
	CHECK_STR_EQ(tparts("2026-04-31T00:00:00Z"), "refused");
	CHECK_STR_EQ(tparts("2026-00-01T00:00:00Z"), "refused");
	CHECK_STR_EQ(tparts("2026-04-00T00:00:00Z"), "refused");
	CHECK_STR_EQ(tparts("2026-04-01T24:00:00Z"), "refused");
	CHECK_STR_EQ(tparts("2026-04-01T23:60:00Z"), "refused");
	CHECK_STR_EQ(tparts("2026-04-01T23:59:60Z"), "refused");
	CHECK_STR_EQ(tparts("0000-01-01T00:00:00Z"), "refused");
	/* only len bytes are read */
	CHECK(bc_time_parse_cur("2026-04-01T00:00:00Zjunk", 20, &t));
	CHECK(!bc_time_parse_cur("2026-04-01T00:00:00.5Z", 21, &t));
}

UNIT_TEST(time_month_start)
{
	bc_time		t;

	CHECK(bc_time_parse_cur("2026-04-01T00:00:00Z", 20, &t));
	CHECK(bc_time_is_month_start(&t));
	CHECK(bc_time_parse_cur("2026-04-01T00:00:00.000Z", 24, &t));
	CHECK(bc_time_is_month_start(&t));
	CHECK(bc_time_parse_cur("2026-04-01T00:00:00.000001Z", 27, &t));
	CHECK(!bc_time_is_month_start(&t));
	CHECK(bc_time_parse_cur("2026-04-02T00:00:00Z", 20, &t));
	CHECK(!bc_time_is_month_start(&t));
	CHECK(bc_time_parse_cur("2026-04-01T00:00:01Z", 20, &t));
	CHECK(!bc_time_is_month_start(&t));
}

UNIT_TEST(time_billing_period)
{
	CHECK_STR_EQ(tperiod("2026-04-01T00:00:00Z"), "2026-04-01");
	CHECK_STR_EQ(tperiod("2025-12-01T00:00:00.000Z"), "2025-12-01");
	CHECK_STR_EQ(tperiod("20250901T000000.000Z"), "2025-09-01");
	CHECK_STR_EQ(tperiod("20250901T000000Z"), "2025-09-01");
	CHECK_STR_EQ(tperiod("2026-04-01 00:00:00"), "2026-04-01");
	CHECK_STR_EQ(tperiod("2026-04-01T00:00:00.000000000Z"), "2026-04-01");
	CHECK_STR_EQ(tperiod("2026-04-01T00:00:00+00:00"), "2026-04-01");
	CHECK_STR_EQ(tperiod("2026-04-01T00:00:00+0000"), "2026-04-01");
	CHECK_STR_EQ(tperiod("2026-04-01T00:00:00+00"), "2026-04-01");
	CHECK_STR_EQ(tperiod("2026-04-01T00:00:00-00:00"), "2026-04-01");
	CHECK_STR_EQ(tperiod("2026-04-01T00:00:00z"), "2026-04-01");
	CHECK_STR_EQ(tperiod("0001-01-01T00:00:00Z"), "0001-01-01");
	/* not a month start */
	CHECK_STR_EQ(tperiod("2026-04-02T00:00:00Z"), "refused");
	CHECK_STR_EQ(tperiod("2026-04-01T00:00:01Z"), "refused");
	CHECK_STR_EQ(tperiod("2026-04-01T00:00:00.000001Z"), "refused");
	/* not a timestamp of the manifest forms */
	CHECK_STR_EQ(tperiod(""), "refused");
	CHECK_STR_EQ(tperiod("2026-04-01"), "refused");
	CHECK_STR_EQ(tperiod("2026-04-01T00:00:00+01:00"), "refused");
	CHECK_STR_EQ(tperiod("2026-04-01T00:00:00+1"), "refused");
	CHECK_STR_EQ(tperiod("2026-04-01T00:00:00UTC"), "refused");
	CHECK_STR_EQ(tperiod("2026-04-01T00:00:00.0000000001Z"), "refused");
	CHECK_STR_EQ(tperiod("2026-04-01T00:00:00.Z"), "refused");
	CHECK_STR_EQ(tperiod("2026-04-01T00:00:00Z "), "refused");
	CHECK_STR_EQ(tperiod("20260401 000000Z"), "refused");
	CHECK_STR_EQ(tperiod("2026-13-01T00:00:00Z"), "refused");
	CHECK_STR_EQ(tperiod("0000-01-01T00:00:00Z"), "refused");
}

UNIT_TEST(time_epoch)
{
	bc_time		t;

	CHECK_INT_EQ((long long) bc_time_days(1970, 1, 1), 0);
	CHECK_INT_EQ((long long) bc_time_days(2000, 1, 1), 10957);
	CHECK_INT_EQ((long long) (bc_time_days(1600, 2, 29) - bc_time_days(2000, 1, 1)), -146038);
	CHECK_INT_EQ((long long) (bc_time_days(2026, 3, 1) - bc_time_days(2026, 2, 28)), 1);
	CHECK_INT_EQ((long long) (bc_time_days(2024, 3, 1) - bc_time_days(2024, 2, 28)), 2);
	CHECK_INT_EQ((long long) bc_time_days(1, 1, 1), -719162);
	CHECK(bc_time_parse_cur("1970-01-01T00:00:00Z", 20, &t));
	CHECK_INT_EQ((long long) bc_time_epoch_usec(&t), 0);
	CHECK(bc_time_parse_cur("2026-04-01T00:00:00.25Z", 23, &t));
	CHECK_INT_EQ((long long) bc_time_epoch_usec(&t), 1775001600250000LL);
	CHECK(bc_time_parse_cur("1969-12-31T23:59:59Z", 20, &t));
	CHECK_INT_EQ((long long) bc_time_epoch_usec(&t), -1000000);
	CHECK(bc_time_parse_cur("9999-12-31T23:59:59.999999Z", 27, &t));
	CHECK_INT_EQ((long long) bc_time_epoch_usec(&t), 253402300799999999LL);
}
