/*-------------------------------------------------------------------------
 *
 * test_cur_time.c
 *		CUR timestamp parsing, calendar checks, canonical output, billing
 *		period and identity_time_interval.
 *
 * IDENTIFICATION
 *		test/unit/test_cur_time.c
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"
#include "cur_time.h"

/* canonical text or status code as text */
static const char *
tcanon(const char *s, char *buf)
{
	static char code[16];
	bc_time_status st = bc_time_canonical(s, strlen(s), buf, NULL, NULL);

	if (st == BC_TIME_OK)
		return buf;
	snprintf(code, sizeof(code), "E%d", (int) st);
	return code;
}

UNIT_TEST(time_accepts)
{
	char		b[BC_TIME_FORMAT_MAX];

	CHECK_STR_EQ(tcanon("2026-04-01T00:00:00Z", b), "2026-04-01 00:00:00+00");
	CHECK_STR_EQ(tcanon("2025-08-01T00:00:00.000Z", b), "2025-08-01 00:00:00+00");
	CHECK_STR_EQ(tcanon("2026-04-01T13:05:09.5Z", b), "2026-04-01 13:05:09.5+00");
	CHECK_STR_EQ(tcanon("2026-04-01T13:05:09.123456Z", b), "2026-04-01 13:05:09.123456+00");
	CHECK_STR_EQ(tcanon("2026-04-01T13:05:09.120000000Z", b), "2026-04-01 13:05:09.12+00");
	CHECK_STR_EQ(tcanon("2026-04-01 13:05:09", b), "2026-04-01 13:05:09+00");
	CHECK_STR_EQ(tcanon("2026-04-01T13:05:09+00:00", b), "2026-04-01 13:05:09+00");
	CHECK_STR_EQ(tcanon("2026-04-01T13:05:09+0000", b), "2026-04-01 13:05:09+00");
	CHECK_STR_EQ(tcanon("2026-04-01T13:05:09-00", b), "2026-04-01 13:05:09+00");
	CHECK_STR_EQ(tcanon("2026-04-01T13:05:09z", b), "2026-04-01 13:05:09+00");
	CHECK_STR_EQ(tcanon("20250901T000000.000Z", b), "2025-09-01 00:00:00+00");
	CHECK_STR_EQ(tcanon("2024-02-29T23:59:59Z", b), "2024-02-29 23:59:59+00");
	CHECK_STR_EQ(tcanon("2000-02-29T00:00:00Z", b), "2000-02-29 00:00:00+00");
	CHECK_STR_EQ(tcanon("0001-01-01T00:00:00Z", b), "0001-01-01 00:00:00+00");
}

UNIT_TEST(time_rejects)
{
	char		b[BC_TIME_FORMAT_MAX];
	char		want[8];
	size_t		pos;
	bc_time		t;

#define E(code) (snprintf(want, sizeof(want), "E%d", (int) (code)), want)
	CHECK_STR_EQ(tcanon("", b), E(BC_TIME_EMPTY));
	CHECK_STR_EQ(tcanon("2026-04-01", b), E(BC_TIME_SYNTAX));
	CHECK_STR_EQ(tcanon("2026-04-01T00:00Z", b), E(BC_TIME_SYNTAX));
	CHECK_STR_EQ(tcanon("2026-4-01T00:00:00Z", b), E(BC_TIME_SYNTAX));
	CHECK_STR_EQ(tcanon(" 2026-04-01T00:00:00Z", b), E(BC_TIME_SYNTAX));
	CHECK_STR_EQ(tcanon("2026-04-01T00:00:00Z ", b), E(BC_TIME_SYNTAX));
	CHECK_STR_EQ(tcanon("2026-04-01T00:00:00.Z", b), E(BC_TIME_SYNTAX));
	CHECK_STR_EQ(tcanon("2026-04-01T00:00:00.0000000000Z", b), E(BC_TIME_SYNTAX));
	CHECK_STR_EQ(tcanon("2026-04-01X00:00:00Z", b), E(BC_TIME_SYNTAX));
	CHECK_STR_EQ(tcanon("20260401 000000Z", b), E(BC_TIME_SYNTAX));
	CHECK_STR_EQ(tcanon("2026-04-01T00:00:00UTC", b), E(BC_TIME_SYNTAX));
	CHECK_STR_EQ(tcanon("2026-04-01T00:00:00+1", b), E(BC_TIME_SYNTAX));
	CHECK_STR_EQ(tcanon("2026-02-29T00:00:00Z", b), E(BC_TIME_RANGE));
	CHECK_STR_EQ(tcanon("1900-02-29T00:00:00Z", b), E(BC_TIME_RANGE));
	CHECK_STR_EQ(tcanon("2026-04-31T00:00:00Z", b), E(BC_TIME_RANGE));
	CHECK_STR_EQ(tcanon("2026-13-01T00:00:00Z", b), E(BC_TIME_RANGE));
	CHECK_STR_EQ(tcanon("2026-00-01T00:00:00Z", b), E(BC_TIME_RANGE));
	CHECK_STR_EQ(tcanon("2026-04-00T00:00:00Z", b), E(BC_TIME_RANGE));
	CHECK_STR_EQ(tcanon("2026-04-01T24:00:00Z", b), E(BC_TIME_RANGE));
	CHECK_STR_EQ(tcanon("2026-04-01T23:60:00Z", b), E(BC_TIME_RANGE));
	CHECK_STR_EQ(tcanon("2026-04-01T23:59:60Z", b), E(BC_TIME_RANGE));
	CHECK_STR_EQ(tcanon("0000-01-01T00:00:00Z", b), E(BC_TIME_RANGE));
	CHECK_STR_EQ(tcanon("2026-04-01T00:00:00+01:00", b), E(BC_TIME_ZONE));
	CHECK_STR_EQ(tcanon("2026-04-01T00:00:00.0000001Z", b), E(BC_TIME_PRECISION));
	CHECK_INT_EQ(bc_time_parse("2026-04-01T00:00:00+05:30", 25, &t, &pos), BC_TIME_ZONE);
	CHECK_INT_EQ(pos, 19);
	CHECK_INT_EQ(bc_time_parse("2026-04-01T0x:00:00Z", 20, &t, &pos), BC_TIME_SYNTAX);
	CHECK_INT_EQ(pos, 12);
	/* only len bytes are read */
	CHECK_INT_EQ(bc_time_parse("2026-04-01T00:00:00Zjunk", 20, &t, &pos), BC_TIME_OK);
#undef E
}

UNIT_TEST(time_billing_period)
{
	char		p[11];

	CHECK_INT_EQ(bc_time_billing_period("2026-04-01T00:00:00Z", 20, p, NULL), BC_TIME_OK);
	CHECK_STR_EQ(p, "2026-04-01");
	CHECK_INT_EQ(bc_time_billing_period("2025-12-01T00:00:00.000Z", 24, p, NULL), BC_TIME_OK);
	CHECK_STR_EQ(p, "2025-12-01");
	CHECK_INT_EQ(bc_time_billing_period("2026-04-02T00:00:00Z", 20, p, NULL), BC_TIME_NOT_PERIOD_START);
	CHECK_STR_EQ(p, "");
	CHECK_INT_EQ(bc_time_billing_period("2026-04-01T00:00:01Z", 20, p, NULL), BC_TIME_NOT_PERIOD_START);
	CHECK_INT_EQ(bc_time_billing_period("", 0, p, NULL), BC_TIME_EMPTY);
	CHECK_STR_EQ(bc_time_strerror(BC_TIME_NOT_PERIOD_START),
				 "billing period start is not the first day of a month at 00:00:00");
}

UNIT_TEST(time_interval_and_epoch)
{
	bc_time		a;
	bc_time		b;
	size_t		pos;
	const char *iv = "2025-07-01T00:00:00Z/2025-08-01T00:00:00Z";

	CHECK_INT_EQ(bc_time_interval(iv, strlen(iv), &a, &b, &pos), BC_TIME_OK);
	CHECK_INT_EQ(a.month, 7);
	CHECK_INT_EQ(b.month, 8);
	CHECK_INT_EQ(bc_time_epoch_usec(&b) - bc_time_epoch_usec(&a), 31LL * 86400 * 1000000);
	iv = "2022-07-01T01:00:00Z/2022-07-01T01:00:00Z";
	CHECK_INT_EQ(bc_time_interval(iv, strlen(iv), &a, &b, &pos), BC_TIME_ORDER);
	iv = "2022-07-01T01:00:00Z/2022-07-01T0x:00:00Z";
	CHECK_INT_EQ(bc_time_interval(iv, strlen(iv), &a, &b, &pos), BC_TIME_SYNTAX);
	CHECK_INT_EQ(pos, 33);
	iv = "2022-07-01T01:00:00Z";
	CHECK_INT_EQ(bc_time_interval(iv, strlen(iv), &a, &b, &pos), BC_TIME_SYNTAX);
	iv = "/2022-07-01T01:00:00Z";
	CHECK_INT_EQ(bc_time_interval(iv, strlen(iv), &a, &b, &pos), BC_TIME_SYNTAX);
	CHECK_INT_EQ(bc_time_parse("1970-01-01T00:00:00Z", 20, &a, NULL), BC_TIME_OK);
	CHECK_INT_EQ(bc_time_epoch_usec(&a), 0);
	CHECK_INT_EQ(bc_time_parse("2026-04-01T00:00:00.25Z", 23, &a, NULL), BC_TIME_OK);
	CHECK_INT_EQ(bc_time_epoch_usec(&a), 1775001600250000LL);
	CHECK_INT_EQ(bc_time_parse("1969-12-31T23:59:59Z", 20, &a, NULL), BC_TIME_OK);
	CHECK_INT_EQ(bc_time_epoch_usec(&a), -1000000);
}
