/*-------------------------------------------------------------------------
 *
 * test_cur_transform.c
 *		Unit tests of the core row transformation: exact sums (narrow and
 *		wide), decimal checks, one Bedrock row's COPY line, non-Bedrock
 *		counting, row rejection, the data-quality checks (usage dates in
 *		order and near the billing period, magnitudes of costs and amounts)
 *		and the sums of the rejected rows.
 *
 * IDENTIFICATION
 *		test/unit/test_cur_transform.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "cur_transform.h"

/*
 * Sum a list of texts and return the result text (static buffer), with
 * exactly dscale fraction digits (bc_xsum_text_scale), or as bc_xsum_text
 * writes it when dscale is negative.
 */
static const char *
sum_scaled(const char *const *v, int n, int dscale)
{
	static char out[8192];
	bc_xsum		s;
	bc_buf		b;

	bc_xsum_init(&s);
	bc_buf_init(&b);
	for (int i = 0; i < n; i++)
		bc_xsum_add(&s, v[i], strlen(v[i]));
	if (dscale < 0)
		bc_xsum_text(&s, &b);
	else
		bc_xsum_text_scale(&s, dscale, &b);
	snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
	bc_buf_free(&b);
	bc_xsum_free(&s);
	return out;
}

/* a sum of texts as bc_xsum_text writes it */
static const char *
sum_of(const char *const *v, int n)
{
	return sum_scaled(v, n, -1);
}

UNIT_TEST(xsum_narrow)
{
	const char *a[] = {"1.5", "2.25", "-0.75", "1e2", "3E-3"};
	const char *z[] = {"0"};
	const char *neg[] = {"-1.5", "0.25"};

	CHECK_STR_EQ(sum_of(a, 5), "103.003");
	CHECK_STR_EQ(sum_of(z, 1), "0");
	CHECK_STR_EQ(sum_of(neg, 2), "-1.25");
}

UNIT_TEST(xsum_wide)
{
	/* 20 decimals force the wide path; exact result kept */
	const char *a[] = {"0.00000000000000000001", "1.5", "-0.5"};
	/* 40 integer digits overflow __int128 units */
	const char *b[] = {"1234567890123456789012345678901234567890", "1", "-2"};
	const char *c[] = {"1e-25", "-1e-25"};

	CHECK_STR_EQ(sum_of(a, 3), "1.00000000000000000001");
	CHECK_STR_EQ(sum_of(b, 3), "1234567890123456789012345678901234567889");
	CHECK_STR_EQ(sum_of(c, 2), "0");
}

UNIT_TEST(xsum_units_scaled)
{
	const __int128 e18 = (__int128) 1000000000000000000;
	int64_t		v = 0;

	/* 1.25 at scale 2 and 5; -0.5 at scale 1; 0 */
	CHECK(bc_xsum_units_scaled(e18 + e18 / 4, 2, &v));
	CHECK(v == 125);
	CHECK(bc_xsum_units_scaled(e18 + e18 / 4, 5, &v));
	CHECK(v == 125000);
	CHECK(bc_xsum_units_scaled(-e18 / 2, 1, &v));
	CHECK(v == -5);
	CHECK(bc_xsum_units_scaled(0, 18, &v));
	CHECK(v == 0);
	/* the largest and smallest that fit, at scale 0 */
	CHECK(bc_xsum_units_scaled((__int128) INT64_MAX * e18, 0, &v));
	CHECK(v == INT64_MAX);
	CHECK(bc_xsum_units_scaled((__int128) INT64_MIN * e18, 0, &v));
	CHECK(v == INT64_MIN);
	/* 999999999999999.999999 at scale 6 does not fit; nor a scale past 18 */
	CHECK(!bc_xsum_units_scaled(((__int128) INT64_C(999999999999999999) * 1000 + 999)
								* 1000000000000, 6, &v));
	CHECK(!bc_xsum_units_scaled(e18, 19, &v));
	CHECK(!bc_xsum_units_scaled(e18, -1, &v));
}

UNIT_TEST(xsum_text_scale)
{
	const char *a[] = {"1.5"};
	const char *z[] = {"-1.50", "1.5"};
	const char *neg[] = {"-0.25"};
	const char *big[] = {"123456789012345678.5", "-1"};
	const char *w[] = {"1e-25", "-2"};
	const char *wb[] = {"1e30", "0.5"};

	CHECK_STR_EQ(sum_scaled(a, 1, 1), "1.5");
	CHECK_STR_EQ(sum_scaled(a, 1, 3), "1.500");
	CHECK_STR_EQ(sum_scaled(a, 1, 20), "1.50000000000000000000");
	CHECK_STR_EQ(sum_scaled(z, 2, 0), "0");
	CHECK_STR_EQ(sum_scaled(z, 2, 2), "0.00");
	CHECK_STR_EQ(sum_scaled(neg, 1, 4), "-0.2500");
	CHECK_STR_EQ(sum_scaled(big, 2, 1), "123456789012345677.5");
	/* wide sums */
	CHECK_STR_EQ(sum_scaled(w, 2, 25), "-1.9999999999999999999999999");
	CHECK_STR_EQ(sum_scaled(w, 2, 27), "-1.999999999999999999999999900");
	CHECK_STR_EQ(sum_scaled(wb, 2, 1), "1000000000000000000000000000000.5");
	CHECK_STR_EQ(sum_scaled(wb, 2, 3), "1000000000000000000000000000000.500");
}

/* bc_decimal_dscale of a decimal text, -1 when not one */
static int
dscale_of(const char *s)
{
	bc_decimal_parts p;

	if (!bc_decimal_scan(s, strlen(s), &p))
		return -1;
	return bc_decimal_dscale(&p);
}

UNIT_TEST(decimal_dscale)
{
	CHECK_INT_EQ(dscale_of("1.50"), 2);
	CHECK_INT_EQ(dscale_of("2"), 0);
	CHECK_INT_EQ(dscale_of("1.5e3"), 0);
	CHECK_INT_EQ(dscale_of("15e-3"), 3);
	CHECK_INT_EQ(dscale_of("-.5E+1"), 0);
	CHECK_INT_EQ(dscale_of("5."), 0);
	CHECK_INT_EQ(dscale_of("0.000"), 3);
	CHECK_INT_EQ(dscale_of("1.25e1"), 1);
	CHECK_INT_EQ(dscale_of("1e-990"), 990);
}

/* bc_decimal_units of a decimal text as text, "none" when not narrow */
static const char *
units_of(const char *s)
{
	static char out[64];
	bc_decimal_parts p;
	__int128	u;
	unsigned __int128 a;
	char		rev[64];
	int			n = 0,
				o = 0;

	if (!bc_decimal_scan(s, strlen(s), &p) || !bc_decimal_units(&p, &u))
		return "none";
	a = u < 0 ? -(unsigned __int128) u : (unsigned __int128) u;
	do
	{
		rev[n++] = (char) ('0' + (int) (a % 10));
		a /= 10;
	} while (a != 0);
	if (u < 0)
		out[o++] = '-';
	while (n > 0)
		out[o++] = rev[--n];
	out[o] = '\0';
	return out;
}

UNIT_TEST(decimal_units)
{
	CHECK_STR_EQ(units_of("1.5"), "1500000000000000000");
	CHECK_STR_EQ(units_of("-0.000000000000000001"), "-1");
	CHECK_STR_EQ(units_of("0.0000000000000000010"), "1");
	CHECK_STR_EQ(units_of("1e-19"), "none");
	CHECK_STR_EQ(units_of("0e-500"), "0");
	CHECK_STR_EQ(units_of("99999999999999999"), "99999999999999999000000000000000000");
	CHECK_STR_EQ(units_of("1.5e3"), "1500000000000000000000");
	/* the narrow range: below 2^120 units */
	CHECK_STR_EQ(units_of("1329227995784915872"), "1329227995784915872000000000000000000");
	CHECK_STR_EQ(units_of("1329227995784915873"), "none");
	CHECK_STR_EQ(units_of("-1329227995784915872.90380706028034457"),
				 "-1329227995784915872903807060280344570");
	CHECK_STR_EQ(units_of("1329227995784915872.90380706028034458"), "none");
	/* more than 36 significant digits: not narrow */
	CHECK_STR_EQ(units_of("1.000000000000000000000000000000000001"), "none");
}

UNIT_TEST(xf_checks)
{
	CHECK(bc_xf_decimal_check("12.5", 4));
	CHECK(bc_xf_decimal_check(".5", 2));
	CHECK(!bc_xf_decimal_check("12.3.4e", 7));
	CHECK(!bc_xf_decimal_check("1e991", 5));
	CHECK(!bc_xf_decimal_check("NaN", 3));
}

/* bc_decimal_below_pow10(s, 15) of a decimal text, or -1 when not one */
static int
below15(const char *s)
{
	bc_decimal_parts p;

	if (!bc_decimal_scan(s, strlen(s), &p))
		return -1;
	return bc_decimal_below_pow10(s, &p, 15);
}

UNIT_TEST(xf_decimal_magnitude)
{
	CHECK_INT_EQ(below15("0"), 1);
	CHECK_INT_EQ(below15("-0.00e990"), 1);
	CHECK_INT_EQ(below15("0.0375"), 1);
	CHECK_INT_EQ(below15("999999999999999"), 1);
	CHECK_INT_EQ(below15("-999999999999999.999999999999"), 1);
	CHECK_INT_EQ(below15("000000000000000000000000001.5"), 1);
	CHECK_INT_EQ(below15("1e14"), 1);
	CHECK_INT_EQ(below15("9.99e14"), 1);
	CHECK_INT_EQ(below15("0.00001e19"), 1);
	CHECK_INT_EQ(below15("1e-990"), 1);
	CHECK_INT_EQ(below15("1000000000000000"), 0);
	CHECK_INT_EQ(below15("-1000000000000000"), 0);
	CHECK_INT_EQ(below15("1e15"), 0);
	CHECK_INT_EQ(below15("0.0001e19"), 0);
	CHECK_INT_EQ(below15("000001000000000000000.0"), 0);
	CHECK_INT_EQ(below15("123456789012345678901234567890123456789"), 0);
	CHECK_INT_EQ(below15("9e990"), 0);
	CHECK_INT_EQ(below15("-9E+990"), 0);
	CHECK_INT_EQ(below15("9e991"), -1);
}

/*
 * Rows of a small CSV (header csv_dq_header, period 2026-04-01 unless the
 * caller's xf says otherwise) through bc_xf_row, rejects counted by
 * bc_xf_reject; what happened to each, one "line: result" per row.
 */
static const char csv_dq_header[] =
"bill_billing_entity,bill_payer_account_id,bill_billing_period_start_date,"
"line_item_line_item_type,line_item_usage_start_date,line_item_usage_end_date,"
"line_item_usage_account_id,line_item_product_code,line_item_usage_type,"
"line_item_usage_amount,line_item_unblended_cost,line_item_net_unblended_cost,pricing_unit\n";

static const char *
run_rows(bc_xf *x, const char *rows)
{
	static char out[8192];
	size_t		o = 0;
	char	   *csv = malloc(strlen(csv_dq_header) + strlen(rows) + 1);
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_row	row;
	bc_buf		b;

	strcpy(csv, csv_dq_header);
	strcat(csv, rows);
	out[0] = '\0';
	bc_buf_init(&b);
	if (bc_cur_open_memory(&r, csv, strlen(csv), 0, &e) != BC_CUR_OK)
	{
		free(csv);
		return "open failed";
	}
	while (bc_cur_next(r, &row) == BC_CUR_ROW)
	{
		bc_xf_result xr = bc_xf_row(x, &row, &b);

		if (xr == BC_XF_REJECT)
		{
			o += snprintf(out + o, sizeof(out) - o, "%llu: %s: %s\n",
						  (unsigned long long) row.line,
						  bc_cur_columns[x->reject_col].name, x->reject_reason);
			bc_xf_reject(x, &row);
		}
		else
			o += snprintf(out + o, sizeof(out) - o, "%llu: %s\n", (unsigned long long) row.line,
						  xr == BC_XF_EMITTED ? "emitted" : xr == BC_XF_OTHER ? "other" : "nomem");
		bc_buf_reset(&b);
	}
	bc_buf_free(&b);
	bc_cur_close(r);
	free(csv);
	return out;
}

/* a row of csv_dq_header: product code, usage start and end, amount, cost, net */
#define DQ_ROW(type, pc, start, end, amount, cost, net) \
	"AWS,1,2026-04-01T00:00:00Z," type "," start "," end ",1," pc ",USE1-X," amount "," cost "," net ",1K tokens\n"

UNIT_TEST(xf_usage_dates)
{
	bc_xf		x;

	CHECK(bc_xf_init(&x, "2026-04-01"));
	CHECK_STR_EQ(run_rows(&x,
						  /* 2: end before start, by a microsecond */
						  DQ_ROW("Usage", "AmazonBedrock", "2026-04-02T00:00:00.000001Z", "2026-04-02T00:00:00Z", "1", "1", "")
						  /* 3: end equal to start is fine */
						  DQ_ROW("Usage", "AmazonBedrock", "2026-04-02T00:00:00Z", "2026-04-02T00:00:00.000Z", "1", "1", "")
						  /* 4: a non-Bedrock row's dates are not checked */
						  DQ_ROW("Usage", "AmazonEC2", "2026-04-03T00:00:00Z", "2026-04-02T00:00:00Z", "1", "1", "")
						  /* 5-6: 31 days before the period, 31 days after its end: the limits */
						  DQ_ROW("Tax", "AmazonBedrock", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", "0", "1", "")
						  DQ_ROW("Credit", "AmazonBedrock", "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z", "0", "-1", "")
						  /* 7-8: a microsecond beyond them */
						  DQ_ROW("Tax", "AmazonBedrock", "2026-02-28T23:59:59.999999Z", "2026-04-01T00:00:00Z", "0", "1", "")
						  DQ_ROW("Credit", "AmazonBedrock", "2026-05-01T00:00:00Z", "2026-06-01T00:00:00.000001Z", "0", "-1", "")
						  /* 9-10: years away */
						  DQ_ROW("Usage", "AmazonBedrock", "2031-04-02T00:00:00Z", "2031-04-02T01:00:00Z", "1", "1", "")
						  DQ_ROW("Usage", "AmazonBedrock", "2019-04-02T00:00:00Z", "2019-04-02T01:00:00Z", "1", "1", "")
						  /* 11: both wrong: the order is named first */
						  DQ_ROW("Usage", "AmazonBedrock", "2031-04-02T00:00:00Z", "2019-04-02T01:00:00Z", "1", "1", "")
						  /* 12: not Bedrock, years away: not checked */
						  DQ_ROW("Usage", "AmazonEC2", "2031-04-02T00:00:00Z", "2031-04-02T01:00:00Z", "1", "1", "")),
				 "2: line_item_usage_end_date: usage end before usage start\n"
				 "3: emitted\n"
				 "4: other\n"
				 "5: emitted\n"
				 "6: emitted\n"
				 "7: line_item_usage_start_date: usage date outside the billing period (2026-04-01 to 2026-05-01, 31 days of slack)\n"
				 "8: line_item_usage_end_date: usage date outside the billing period (2026-04-01 to 2026-05-01, 31 days of slack)\n"
				 "9: line_item_usage_end_date: usage date outside the billing period (2026-04-01 to 2026-05-01, 31 days of slack)\n"
				 "10: line_item_usage_start_date: usage date outside the billing period (2026-04-01 to 2026-05-01, 31 days of slack)\n"
				 "11: line_item_usage_end_date: usage end before usage start\n"
				 "12: other\n");
	bc_xf_free(&x);

	/* December: the period ends with the next year */
	CHECK(bc_xf_init(&x, "2025-12-01"));
	CHECK_STR_EQ(run_rows(&x,
						  "AWS,1,2025-12-01T00:00:00Z,Usage,2026-01-31T00:00:00Z,2026-02-01T00:00:00Z,1,AmazonBedrock,USE1-X,1,1,,Units\n"
						  "AWS,1,2025-12-01T00:00:00Z,Usage,2026-01-31T00:00:00Z,2026-02-01T00:00:01Z,1,AmazonBedrock,USE1-X,1,1,,Units\n"
						  "AWS,1,2025-12-01T00:00:00Z,Usage,2025-10-31T00:00:00Z,2025-12-01T00:00:00Z,1,AmazonBedrock,USE1-X,1,1,,Units\n"
						  "AWS,1,2025-12-01T00:00:00Z,Usage,2025-10-30T23:59:59Z,2025-12-01T00:00:00Z,1,AmazonBedrock,USE1-X,1,1,,Units\n"),
				 "2: emitted\n"
				 "3: line_item_usage_end_date: usage date outside the billing period (2025-12-01 to 2026-01-01, 31 days of slack)\n"
				 "4: emitted\n"
				 "5: line_item_usage_start_date: usage date outside the billing period (2025-12-01 to 2026-01-01, 31 days of slack)\n");
	bc_xf_free(&x);
}

UNIT_TEST(xf_magnitudes)
{
	bc_xf		x;
	const char *why = "number out of range (absolute value must be below 10^15)";
	char		want[2048];

	CHECK(bc_xf_init(&x, "2026-04-01"));
	snprintf(want, sizeof(want),
			 "2: emitted\n"
			 "3: line_item_unblended_cost: %s\n"
			 "4: line_item_unblended_cost: %s\n"
			 "5: line_item_unblended_cost: %s\n"
			 "6: other\n"
			 "7: line_item_net_unblended_cost: %s\n"
			 "8: line_item_usage_amount: %s\n"
			 "9: other\n"
			 "10: line_item_usage_amount: %s\n"
			 "11: line_item_unblended_cost: %s\n",
			 why, why, why, why, why, why, why);
	CHECK_STR_EQ(run_rows(&x,
	/* 2: the largest values below the bound */
						  DQ_ROW("Usage", "AmazonBedrock", "2026-04-02T00:00:00Z", "2026-04-02T01:00:00Z",
								 "999999999999999.9", "-999999999999999.999999", "99999999999999e0")
	/* 3: a 39-digit cost */
						  DQ_ROW("Usage", "AmazonBedrock", "2026-04-02T00:00:00Z", "2026-04-02T01:00:00Z",
								 "1", "123456789012345678901234567890123456789", "")
	/* 4-5: 9e990 and -1e15 on a non-Bedrock row: costs are checked on every row */
						  DQ_ROW("Usage", "AmazonEC2", "2026-04-02T00:00:00Z", "2026-04-02T01:00:00Z",
								 "1", "9e990", "")
						  DQ_ROW("Refund", "AmazonEC2", "2026-04-02T00:00:00Z", "2026-04-02T01:00:00Z",
								 "1", "-1e15", "")
	/* 6: a non-Bedrock row below the bound */
						  DQ_ROW("Usage", "AmazonEC2", "2026-04-02T00:00:00Z", "2026-04-02T01:00:00Z",
								 "1", "0.00001e19", "")
	/* 7: the net cost */
						  DQ_ROW("Usage", "AmazonEC2", "2026-04-02T00:00:00Z", "2026-04-02T01:00:00Z",
								 "1", "1", "0.0001e19")
	/* 8: the usage amount of a Bedrock row */
						  DQ_ROW("Usage", "AmazonBedrock", "2026-04-02T00:00:00Z", "2026-04-02T01:00:00Z",
								 "1000000000000000", "1", "")
	/* 9: the usage amount of other rows is not checked */
						  DQ_ROW("Usage", "AmazonEC2", "2026-04-02T00:00:00Z", "2026-04-02T01:00:00Z",
								 "1000000000000000", "1", "")
						  DQ_ROW("Usage", "AmazonBedrock", "2026-04-02T00:00:00Z", "2026-04-02T01:00:00Z",
								 "-9e990", "1", "")
	/* 11: a cost out of range on a Bedrock row whose dates are also wrong: cost first */
						  DQ_ROW("Usage", "AmazonBedrock", "2026-04-03T00:00:00Z", "2026-04-02T01:00:00Z",
								 "1", "1e16", "")),
				 want);
	CHECK_INT_EQ((int) x.rows_loaded, 1);
	CHECK_INT_EQ((int) x.rows_other, 2);
	CHECK_INT_EQ((int) x.rows_rejected, 7);
	bc_xf_free(&x);
}

/* the exact text of a sum */
static const char *
xsum_str(const bc_xsum *s)
{
	static char out[8192];
	bc_buf		b;

	bc_buf_init(&b);
	bc_xsum_text(s, &b);
	snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
	bc_buf_free(&b);
	return out;
}

/* the totals as "type bedrock rows rejected_rows unblended rejected" lines */
static const char *
totals_str(const bc_xf *x)
{
	static char out[8192];
	size_t		o = 0;

	out[0] = '\0';
	for (int i = 0; i < x->ntotals; i++)
	{
		const bc_xf_total *t = &x->totals[i];

		o += snprintf(out + o, sizeof(out) - o, "%s %s %lld %lld %s", t->line_item_type,
					  t->is_bedrock ? "t" : "f", (long long) t->rows,
					  (long long) t->rejected_rows, xsum_str(&t->unblended));
		o += snprintf(out + o, sizeof(out) - o, " %s\n", xsum_str(&t->rejected));
	}
	return out;
}

UNIT_TEST(xf_rejected_sums)
{
	bc_xf		x;

	CHECK(bc_xf_init(&x, "2026-04-01"));
	(void) run_rows(&x,
	/* Usage, Bedrock: 1.5 accepted; 1.25, 1e-22 (wide) and 2 rejected */
					DQ_ROW("Usage", "AmazonBedrock", "2026-04-02T00:00:00Z", "2026-04-02T01:00:00Z", "1", "1.5", "")
					DQ_ROW("Usage", "AmazonBedrock", "2026-04-03T00:00:00Z", "2026-04-02T01:00:00Z", "1", "1.25", "")
					DQ_ROW("Usage", "AmazonBedrock", "2031-04-02T00:00:00Z", "2031-04-02T01:00:00Z", "1", "0.0000000000000000000001", "")
					DQ_ROW("Usage", "AmazonBedrock", "2026-04-02T00:00:00Z", "2026-04-02T01:00:00Z", "1e15", "2", "")
	/* rejected for their cost: not a number, or out of range: not summed */
					DQ_ROW("Usage", "AmazonBedrock", "2026-04-02T00:00:00Z", "2026-04-02T01:00:00Z", "1", "x1", "")
					DQ_ROW("Usage", "AmazonBedrock", "2026-04-02T00:00:00Z", "2026-04-02T01:00:00Z", "1", "1e15", "")
					DQ_ROW("Usage", "AmazonBedrock", "2026-04-02T00:00:00Z", "2026-04-02T01:00:00Z", "1", "", "")
	/* Tax, not Bedrock: 9e990 not summed, -3.5 (bad net) summed; 10 accepted */
					DQ_ROW("Tax", "AmazonEC2", "2026-04-02T00:00:00Z", "2026-04-02T01:00:00Z", "0", "9e990", "")
					DQ_ROW("Tax", "AmazonEC2", "2026-04-02T00:00:00Z", "2026-04-02T01:00:00Z", "0", "-3.5", "1e15")
					DQ_ROW("Tax", "AmazonEC2", "2026-04-02T00:00:00Z", "2026-04-02T01:00:00Z", "0", "10", ""));
	CHECK_INT_EQ((int) x.rows_rejected, 8);
	CHECK_STR_EQ(totals_str(&x),
				 "Usage t 1 6 1.5 3.2500000000000000000001\n"
				 "Tax f 1 2 10 -3.5\n");
	bc_xf_free(&x);
}

static const char csv[] =
"bill_billing_entity,bill_payer_account_id,bill_billing_period_start_date,bill_billing_period_end_date,"
"identity_line_item_id,identity_time_interval,line_item_line_item_type,line_item_usage_start_date,"
"line_item_usage_end_date,line_item_usage_account_id,line_item_product_code,line_item_usage_type,"
"line_item_operation,line_item_usage_amount,line_item_unblended_cost,line_item_net_unblended_cost,"
"line_item_iam_principal,line_item_line_item_description,pricing_unit,product,tags,"
"line_item_resource_id,bill_payer_account_name,line_item_usage_account_name,"
"pricing_public_on_demand_cost,bill_invoice_id,line_item_currency_code\n"
"AWS,111122223333,2026-04-01T00:00:00Z,2026-05-01T00:00:00Z,id1,x,Usage,2026-04-02T00:00:00Z,"
"2026-04-02T01:00:00Z,111122223333,AmazonBedrock,USE1-Claude4.6Sonnet-input-tokens,InvokeModel,"
"1.5,0.0045,0.004,arn:aws:iam::111122223333:user/alice,in\ttab,1K tokens,"
"\"{\"\"product_name\"\":\"\"Amazon Bedrock\"\"}\",\"{\"\"iamPrincipal/team\"\":\"\"a\\\\b\"\"}\","
"arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc,Acme\tCorp,Dev,0.0050,INV1,USD\n"
"AWS,111122223333,2026-04-01T00:00:00Z,2026-05-01T00:00:00Z,id2,x,Usage,2026-04-02T00:00:00Z,"
"2026-04-02T01:00:00Z,111122223333,AmazonEC2,BoxUsage,RunInstances,1,0.10,,,,Hrs,{},{},,,,,,\n"
"AWS,111122223333,2026-04-01T00:00:00Z,2026-05-01T00:00:00Z,id3,x,Usage,2026-04-02T00:00:00Z,"
"2026-04-02T01:00:00Z,111122223333,AmazonBedrock,USE1-X,Op,1,12.3.4e,,,,Units,{},{},,,,,,\n"
"AWS,111122223333,2026-04-01T00:00:00Z,2026-05-01T00:00:00Z,id4,x,Usage,2026-04-02T00:00:00Z,"
"2026-04-02T01:00:00Z,111122223333,AmazonBedrock,USE1-X,Op,1,1,,,,Units,{},{},,,,1.2.3,,\n"
"AWS,111122223333,2026-04-01T00:00:00Z,2026-05-01T00:00:00Z,id5,x,Usage,2026-04-02T00:00:00Z,"
"2026-04-02T01:00:00Z,111122223333,AmazonBedrock,USE1-X,Op,1,1,,,,Units,{},{},,,,,,\n";

UNIT_TEST(xf_rows)
{
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_row row;
	bc_xf		x;
	bc_buf		out;
	char		period[11];

	CHECK_INT_EQ(bc_cur_open_memory(&r, csv, sizeof(csv) - 1, 0, &e), BC_CUR_OK);
	CHECK(bc_xf_init(&x, "2026-04-01"));
	bc_buf_init(&out);
	bc_xf_set_file(&x, 7, 42, 1);

	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK(bc_xf_row_period(&row, period));
	CHECK_STR_EQ(period, "2026-04-01");
	CHECK_INT_EQ(bc_xf_row(&x, &row, &out), BC_XF_EMITTED);
	CHECK_STR_EQ(out.data,
				 "2026-04-01\t7\t42\t1\t2\t2026-04-02T00:00:00Z\t2026-04-02T01:00:00Z\tUsage\t"
				 "111122223333\t111122223333\tAWS\tAmazonBedrock\tAmazon Bedrock\t"
				 "USE1-Claude4.6Sonnet-input-tokens\tInvokeModel\t1K tokens\t1.5\t1.5e3\t0.0045\t0.004\t"
				 "arn:aws:iam::111122223333:user/alice\t{\"iamPrincipal/team\":\"a\\\\\\\\b\"}\tid1\t"
				 "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc\tAcme\\tCorp\tDev\t"
				 "0.0050\tINV1\tUSD\n");

	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	bc_buf_reset(&out);
	CHECK_INT_EQ(bc_xf_row(&x, &row, &out), BC_XF_OTHER);
	CHECK_INT_EQ((int) out.len, 0);

	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_INT_EQ(bc_xf_row(&x, &row, &out), BC_XF_REJECT);
	CHECK_INT_EQ(x.reject_col, BC_COL_LINE_ITEM_UNBLENDED_COST);
	CHECK_STR_EQ(x.reject_reason, "invalid number");
	bc_xf_reject(&x, &row);

	/* the list cost is checked like the other costs */
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_INT_EQ(bc_xf_row(&x, &row, &out), BC_XF_REJECT);
	CHECK_INT_EQ(x.reject_col, BC_COL_PRICING_PUBLIC_ON_DEMAND_COST);
	CHECK_STR_EQ(x.reject_reason, "invalid number");
	bc_xf_reject(&x, &row);

	/* the new columns empty: NULL */
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	bc_buf_reset(&out);
	CHECK_INT_EQ(bc_xf_row(&x, &row, &out), BC_XF_EMITTED);
	CHECK(strstr(out.data, "\t{}\tid5\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n") != NULL);

	CHECK_INT_EQ((int) x.rows_read, 5);
	CHECK_INT_EQ((int) x.rows_loaded, 2);
	CHECK_INT_EQ((int) x.rows_other, 1);
	CHECK_INT_EQ((int) x.rows_rejected, 2);
	CHECK_INT_EQ(x.ntotals, 2);
	CHECK_INT_EQ(x.nusage, 2);
	CHECK_INT_EQ((int) x.totals[0].rejected_rows, 2);	/* Usage, Bedrock */
	bc_buf_free(&out);
	bc_xf_free(&x);
	bc_cur_close(r);
}

static const char csv_nul[] =
"bill_billing_entity,bill_payer_account_id,bill_billing_period_start_date,"
"identity_line_item_id,line_item_line_item_type,line_item_usage_start_date,"
"line_item_usage_end_date,line_item_usage_account_id,line_item_product_code,line_item_usage_type,"
"line_item_usage_amount,line_item_unblended_cost,tags\n"
"AWS,111122223333,2026-04-01T00:00:00Z,id1,Usage,2026-04-02T00:00:00Z,2026-04-02T01:00:00Z,"
"111122223333,AmazonBedrock,USE1-X,1,1,\"{\"\"a\"\":\"\"\\u0000\"\"}\"\n"
"AWS,111122223333,2026-04-01T00:00:00Z,id1,Usage,2026-04-02T00:00:00Z,2026-04-02T01:00:00Z,"
"111122223333,AmazonBedrock,USE1-X,1,1,[1]\n";

UNIT_TEST(xf_bad_maps)
{
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_row	row;
	bc_xf		x;
	bc_buf		out;

	CHECK_INT_EQ(bc_cur_open_memory(&r, csv_nul, sizeof(csv_nul) - 1, 0, &e), BC_CUR_OK);
	CHECK(bc_xf_init(&x, "2026-04-01"));
	bc_buf_init(&out);
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_INT_EQ(bc_xf_row(&x, &row, &out), BC_XF_REJECT);
	CHECK_INT_EQ(x.reject_col, BC_COL_TAGS);
	CHECK_STR_EQ(x.reject_reason, "invalid tags map (\\u0000 cannot be converted to text.)");
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_INT_EQ(bc_xf_row(&x, &row, &out), BC_XF_REJECT);
	CHECK_STR_EQ(x.reject_reason, "invalid tags map (The value is not a JSON object.)");
	bc_buf_free(&out);
	bc_xf_free(&x);
	bc_cur_close(r);
}
