/*-------------------------------------------------------------------------
 *
 * test_cur_transform.c
 *		Unit tests of the core row transformation: exact sums (narrow and
 *		wide), decimal checks, one Bedrock row's COPY line, non-Bedrock
 *		counting and row rejection.
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

/* sum a list of texts and return the result text (static buffer) */
static const char *
sum_of(const char *const *v, int n)
{
	static char out[8192];
	bc_xsum		s;
	bc_buf		b;

	bc_xsum_init(&s);
	bc_buf_init(&b);
	for (int i = 0; i < n; i++)
		bc_xsum_add(&s, v[i], strlen(v[i]));
	bc_xsum_text(&s, &b);
	snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
	bc_buf_free(&b);
	bc_xsum_free(&s);
	return out;
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

UNIT_TEST(xf_checks)
{
	CHECK(bc_xf_decimal_check("12.5", 4));
	CHECK(bc_xf_decimal_check(".5", 2));
	CHECK(!bc_xf_decimal_check("12.3.4e", 7));
	CHECK(!bc_xf_decimal_check("1e991", 5));
	CHECK(!bc_xf_decimal_check("NaN", 3));
}

static const char csv[] =
"bill_billing_entity,bill_payer_account_id,bill_billing_period_start_date,bill_billing_period_end_date,"
"identity_line_item_id,identity_time_interval,line_item_line_item_type,line_item_usage_start_date,"
"line_item_usage_end_date,line_item_usage_account_id,line_item_product_code,line_item_usage_type,"
"line_item_operation,line_item_usage_amount,line_item_unblended_cost,line_item_net_unblended_cost,"
"line_item_iam_principal,line_item_line_item_description,pricing_unit,product,tags\n"
"AWS,111122223333,2026-04-01T00:00:00Z,2026-05-01T00:00:00Z,id1,x,Usage,2026-04-02T00:00:00Z,"
"2026-04-02T01:00:00Z,111122223333,AmazonBedrock,USE1-Claude4.6Sonnet-input-tokens,InvokeModel,"
"1.5,0.0045,0.004,arn:aws:iam::111122223333:user/alice,in\ttab,1K tokens,"
"\"{\"\"product_name\"\":\"\"Amazon Bedrock\"\"}\",\"{\"\"iamPrincipal/team\"\":\"\"a\\\\b\"\"}\"\n"
"AWS,111122223333,2026-04-01T00:00:00Z,2026-05-01T00:00:00Z,id2,x,Usage,2026-04-02T00:00:00Z,"
"2026-04-02T01:00:00Z,111122223333,AmazonEC2,BoxUsage,RunInstances,1,0.10,,,,Hrs,{},{}\n"
"AWS,111122223333,2026-04-01T00:00:00Z,2026-05-01T00:00:00Z,id3,x,Usage,2026-04-02T00:00:00Z,"
"2026-04-02T01:00:00Z,111122223333,AmazonBedrock,USE1-X,Op,1,12.3.4e,,,,Units,{},{}\n";

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
				 "arn:aws:iam::111122223333:user/alice\t{\"iamPrincipal/team\":\"a\\\\\\\\b\"}\tid1\n");

	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	bc_buf_reset(&out);
	CHECK_INT_EQ(bc_xf_row(&x, &row, &out), BC_XF_OTHER);
	CHECK_INT_EQ((int) out.len, 0);

	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_INT_EQ(bc_xf_row(&x, &row, &out), BC_XF_REJECT);
	CHECK_INT_EQ(x.reject_col, BC_COL_LINE_ITEM_UNBLENDED_COST);
	CHECK_STR_EQ(x.reject_reason, "invalid number");
	bc_xf_reject(&x, &row);

	CHECK_INT_EQ((int) x.rows_read, 3);
	CHECK_INT_EQ((int) x.rows_loaded, 1);
	CHECK_INT_EQ((int) x.rows_other, 1);
	CHECK_INT_EQ((int) x.rows_rejected, 1);
	CHECK_INT_EQ(x.ntotals, 2);
	CHECK_INT_EQ(x.nusage, 1);
	CHECK_INT_EQ((int) x.totals[0].rejected_rows, 1);	/* Usage, Bedrock */
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
