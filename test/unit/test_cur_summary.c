/*-------------------------------------------------------------------------
 *
 * test_cur_summary.c
 *		Unit tests of the chargeback summary (cur_summary.c): grouping,
 *		display scales of the sums, net and token columns, exact sums past
 *		10^-18 and past __int128, the memory bound, chunked emission, a
 *		randomized comparison with a naive reference, and the summary the
 *		row transformation keeps (text and binary rows).
 *
 * The summary is read back from its binary COPY rows with a decoder of
 * this file (numeric included), so every check is of what PostgreSQL
 * would store.
 *
 * IDENTIFICATION
 *		test/unit/test_cur_summary.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "cur_summary.h"
#include "cur_transform.h"

/* days since 2000-01-01 of 2026-04-01 */
#define APR1 9587

/* ---------------------------------------------------------------------- */
/* reading binary COPY rows back */

typedef struct reader
{
	const unsigned char *p;
	size_t		len;
	size_t		pos;
	bool		bad;
} reader;

/* a big-endian integer of n bytes */
static int64_t
rd_be(reader *r, int n)
{
	uint64_t	v = 0;

	if (r->pos + n > r->len)
	{
		r->bad = true;
		return 0;
	}
	for (int i = 0; i < n; i++)
		v = v << 8 | r->p[r->pos++];
	if (n == 2)
		return (int16_t) v;
	if (n == 4)
		return (int32_t) v;
	return (int64_t) v;
}

/* append printf text to out[*o] */
static void
put(char *out, size_t cap, size_t *o, const char *fmt,...)
			__attribute__((format(printf, 4, 5)));

static void
put(char *out, size_t cap, size_t *o, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	if (*o < cap)
		*o += vsnprintf(out + *o, cap - *o, fmt, ap);
	va_end(ap);
}

/* YYYY-MM-DD of days since 2000-01-01 (civil-from-days) */
static void
put_date(char *out, size_t cap, size_t *o, int32_t pg_days)
{
	int64_t		z = (int64_t) pg_days + 10957 + 719468;
	int64_t		era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t		doe = z - era * 146097;
	int64_t		yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t		doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t		mp = (5 * doy + 2) / 153;
	int64_t		d = doy - (153 * mp + 2) / 5 + 1;
	int64_t		m = mp < 10 ? mp + 3 : mp - 9;

	put(out, cap, o, "%04lld-%02lld-%02lld", (long long) (yoe + era * 400 + (m <= 2)),
		(long long) m, (long long) d);
}

/* a numeric value (numeric_send's form) as numeric_out's text */
static void
put_numeric(reader *r, int32_t len, char *out, size_t cap, size_t *o)
{
	int			ndigits = (int) rd_be(r, 2);
	int			weight = (int) rd_be(r, 2);
	int			sign = (int) rd_be(r, 2) & 0xffff;
	int			dscale = (int) rd_be(r, 2);
	int			dig[4096];

	if (len != 8 + 2 * ndigits || ndigits > 4096)
	{
		r->bad = true;
		return;
	}
	for (int i = 0; i < ndigits; i++)
		dig[i] = (int) rd_be(r, 2);
	if (sign == 0x4000)
		put(out, cap, o, "-");
	else if (sign != 0)
		r->bad = true;
	if (weight < 0)
		put(out, cap, o, "0");
	for (int w = weight; w >= 0; w--)
	{
		int			idx = weight - w;
		int			v = idx < ndigits ? dig[idx] : 0;

		put(out, cap, o, w == weight ? "%d" : "%04d", v);
	}
	if (dscale > 0)
		put(out, cap, o, ".");
	for (int k = 1; dscale > 0; k++)
	{
		int			idx = weight + k;
		int			v = idx >= 0 && idx < ndigits ? dig[idx] : 0;
		char		four[5];

		snprintf(four, sizeof(four), "%04d", v);
		put(out, cap, o, "%.*s", dscale < 4 ? dscale : 4, four);
		dscale -= 4;
	}
}

/* column kinds of a summary row */
enum
{
	C_DATE, C_INT4, C_INT8, C_TEXT, C_VTEXT, C_NUMERIC
};

static const int col_kind[BC_SUM_COPY_NCOLUMNS] = {
	C_DATE, C_INT4, C_INT8, C_DATE, C_TEXT, C_TEXT, C_TEXT, C_TEXT, C_TEXT,
	C_VTEXT, C_VTEXT, C_INT8, C_NUMERIC, C_NUMERIC, C_INT8, C_NUMERIC, C_NUMERIC,
	C_TEXT, C_TEXT, C_TEXT
};

/* column kinds of a model-day row (bc_sum_model_day) */
static const int model_day_kind[BC_SUM_MODEL_DAY_COPY_NCOLUMNS] = {
	C_DATE, C_INT4, C_INT8, C_DATE, C_TEXT, C_TEXT, C_TEXT, C_VTEXT, C_VTEXT,
	C_TEXT, C_INT8, C_NUMERIC, C_NUMERIC,
	C_NUMERIC, C_NUMERIC, C_NUMERIC, C_NUMERIC,
	C_NUMERIC, C_NUMERIC, C_NUMERIC, C_NUMERIC,
	C_NUMERIC, C_NUMERIC, C_NUMERIC, C_NUMERIC
};

/* the columns before resource_id, payer and usage account names */
#define SUM_SUMS_END 17

/*
 * The rows of binary COPY data as lines of '|'-separated values (NULL for
 * a null), columns from..to-1 (numbered as in a day-grain row: a
 * period-grain row has no column 3); "BAD" when the data is not
 * BC_SUM_COPY_NCOLUMNS (or BC_SUM_PERIOD_COPY_NCOLUMNS) well-formed columns
 * a row.
 */
static char *
decode_cols(const char *data, size_t len, int from, int to)
{
	size_t		cap = 1 << 20;
	char	   *out = malloc(cap);
	size_t		o = 0;
	reader		r = {(const unsigned char *) data, len, 0, false};

	out[0] = '\0';
	while (r.pos < len && !r.bad)
	{
		int			ncols = (int) rd_be(&r, 2);
		bool		shown = false;	/* a column of this row was output */

		if (ncols != BC_SUM_COPY_NCOLUMNS && ncols != BC_SUM_PERIOD_COPY_NCOLUMNS &&
			ncols != BC_SUM_MODEL_DAY_COPY_NCOLUMNS)
			r.bad = true;
		for (int k = 0; k < ncols && !r.bad; k++)
		{
			/* a period-grain row has no usage_date (column 3) */
			int			c = ncols == BC_SUM_PERIOD_COPY_NCOLUMNS && k >= 3 ? k + 1 : k;
			int			kind = ncols == BC_SUM_MODEL_DAY_COPY_NCOLUMNS ? model_day_kind[k] : col_kind[c];
			int32_t		flen = (int32_t) rd_be(&r, 4);
			size_t		start = o;

			if (c > from && shown)
				put(out, cap, &o, "|");
			if (flen < 0)
				put(out, cap, &o, "NULL");
			else if (r.pos + flen > len)
				r.bad = true;
			else if (kind == C_DATE)
				put_date(out, cap, &o, (int32_t) rd_be(&r, 4));
			else if (kind == C_INT4)
				put(out, cap, &o, "%d", (int) rd_be(&r, 4));
			else if (kind == C_INT8)
				put(out, cap, &o, "%lld", (long long) rd_be(&r, 8));
			else if (kind == C_NUMERIC)
				put_numeric(&r, flen, out, cap, &o);
			else
			{
				int			skip = kind == C_VTEXT ? 1 : 0;

				if (skip && (flen < 1 || r.p[r.pos] != 1))
					r.bad = true;
				put(out, cap, &o, "%.*s", (int) (flen - skip), (const char *) r.p + r.pos + skip);
				r.pos += flen;
			}
			if (c < from || c >= to)
				o = start;
			else
				shown = true;
		}
		put(out, cap, &o, "\n");
	}
	if (r.bad || o >= cap)
		snprintf(out, cap, "BAD");
	return out;
}

/* decode_cols of the key and sum columns, from column from */
static char *
decode(const char *data, size_t len, int from)
{
	return decode_cols(data, len, from, SUM_SUMS_END);
}

/* the summary's rows, columns from..to-1, malloc'd */
static char *
cols_of(const bc_sum *s, int from, int to)
{
	bc_buf		b;
	size_t		cursor = 0;
	char	   *out;

	bc_buf_init(&b);
	while (bc_sum_emit(s, &cursor, 2026, 4, 7, 42, &b, SIZE_MAX))
		;
	out = decode_cols(b.data, b.len, from, to);
	bc_buf_free(&b);
	return out;
}

/* the summary's rows (from usage_date on), malloc'd */
static char *
lines_of(const bc_sum *s)
{
	return cols_of(s, 3, SUM_SUMS_END);
}

#define CHECK_LINES(s, want) \
	do { char *l_ = lines_of(s); CHECK_STR_EQ(l_, want); free(l_); } while (0)

/* ---------------------------------------------------------------------- */
/* rows */

/* a row of payer 1, account 2, Usage, usage type U */
static bc_sum_row
row_of(int32_t date, const char *product, const char *principal, const char *tags,
	   const char *cost, const char *net, const char *amount, int shift)
{
	bc_sum_row	r;

	memset(&r, 0, sizeof(r));
	r.usage_date = date;
	r.payer = "1";
	r.payer_len = 1;
	r.account = "2";
	r.account_len = 1;
	r.line_item_type = "Usage";
	r.line_item_type_len = 5;
	r.product_name = product;
	r.product_name_len = product ? strlen(product) : 0;
	r.usage_type = "U";
	r.usage_type_len = 1;
	r.principal = principal;
	r.principal_len = principal ? strlen(principal) : 0;
	r.tags = tags;
	r.tags_len = strlen(tags);
	r.unblended = cost;
	r.unblended_len = strlen(cost);
	r.net = net;
	r.net_len = net ? strlen(net) : 0;
	r.usage_amount = amount;
	r.usage_amount_len = amount ? strlen(amount) : 0;
	r.tokens_shift = shift;
	return r;
}

/* add a row_of row; the result of bc_sum_add */
static bool
add(bc_sum *s, int32_t date, const char *product, const char *principal, const char *tags,
	const char *cost, const char *net, const char *amount, int shift)
{
	bc_sum_row	r = row_of(date, product, principal, tags, cost, net, amount, shift);

	return bc_sum_add(s, &r);
}

#define ALICE "arn:aws:iam::111122223333:user/alice"
#define PB "Amazon Bedrock"

UNIT_TEST(sum_groups)
{
	bc_sum	   *s = bc_sum_create(1 << 20);

	CHECK(s != NULL);
	CHECK(add(s, APR1, PB, ALICE, "{}", "1", NULL, NULL, -1));
	CHECK(add(s, APR1 + 1, PB, ALICE, "{}", "2", NULL, NULL, -1));
	CHECK(add(s, APR1, PB, NULL, "{}", "3", NULL, NULL, -1));
	CHECK(add(s, APR1, NULL, ALICE, "{}", "4", NULL, NULL, -1));
	CHECK(add(s, APR1, "", ALICE, "{}", "5", NULL, NULL, -1));
	CHECK(add(s, APR1, PB, ALICE, "{\"a\":\"1\"}", "6", NULL, NULL, -1));
	/* the same jsonb, another text: another group */
	CHECK(add(s, APR1, PB, ALICE, "{\"a\": \"1\"}", "7", NULL, NULL, -1));
	CHECK(add(s, APR1, PB, ALICE, "{}", "10", NULL, NULL, -1));
	CHECK(add(s, APR1, PB, NULL, "{}", "30", NULL, NULL, -1));
	CHECK_INT_EQ(bc_sum_groups(s), 7);
	CHECK_LINES(s,
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|" ALICE "|{}|2|11|11|0|NULL|NULL\n"
				"2026-04-02|1|2|Usage|Amazon Bedrock|U|" ALICE "|{}|1|2|2|0|NULL|NULL\n"
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|NULL|{}|2|33|33|0|NULL|NULL\n"
				"2026-04-01|1|2|Usage|NULL|U|" ALICE "|{}|1|4|4|0|NULL|NULL\n"
				"2026-04-01|1|2|Usage||U|" ALICE "|{}|1|5|5|0|NULL|NULL\n"
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|" ALICE "|{\"a\":\"1\"}|1|6|6|0|NULL|NULL\n"
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|" ALICE "|{\"a\": \"1\"}|1|7|7|0|NULL|NULL\n");
	CHECK(!bc_sum_overflowed(s));
	CHECK(!bc_sum_nomem(s));
	bc_sum_free(s);
}

UNIT_TEST(sum_period)
{
	bc_sum	   *s = bc_sum_create(1 << 20);
	bc_sum	   *p;

	CHECK(add(s, APR1, PB, ALICE, "{}", "1.5", "1.2", "1000", 0));
	CHECK(add(s, APR1 + 1, PB, ALICE, "{}", "2.25", NULL, "2e3", 0));
	CHECK(add(s, APR1 + 2, PB, NULL, "{}", "3", NULL, NULL, -1));
	CHECK(add(s, APR1 + 1, PB, ALICE, "{\"a\":\"1\"}", "4", NULL, NULL, -1));
	CHECK(add(s, APR1 + 3, PB, NULL, "{}", "0.001", "0", "7", -1));
	CHECK_INT_EQ(bc_sum_groups(s), 5);
	p = bc_sum_period(s, 1 << 20);
	CHECK(p != NULL);
	CHECK(!bc_sum_overflowed(p));
	/*
	 * merged over the days, in the order of their first day group; the tags
	 * map as jsonb prints it
	 */
	CHECK_INT_EQ(bc_sum_groups(p), 3);
	CHECK_LINES(p,
				"1|2|Usage|Amazon Bedrock|U|" ALICE "|{}|2|3.75|3.45|1|3000|3000\n"
				"1|2|Usage|Amazon Bedrock|U|NULL|{}|2|3.001|3|1|NULL|7\n"
				"1|2|Usage|Amazon Bedrock|U|" ALICE "|{\"a\": \"1\"}|1|4|4|0|NULL|NULL\n");
	/* the day summary is unchanged */
	CHECK_INT_EQ(bc_sum_groups(s), 5);
	bc_sum_free(p);
	bc_sum_free(s);
}

UNIT_TEST(sum_period_wide)
{
	bc_sum	   *s = bc_sum_create(1 << 20);
	bc_sum	   *p;

	/* each day narrow; their sum past the narrow range; a day wide from the start */
	CHECK(add(s, APR1, PB, ALICE, "{}", "100000000000000000000", NULL, NULL, -1));
	CHECK(add(s, APR1 + 1, PB, ALICE, "{}", "100000000000000000000.5", NULL, NULL, -1));
	CHECK(add(s, APR1 + 2, PB, ALICE, "{}", "0.000000000000000000001", NULL, NULL, -1));
	CHECK(add(s, APR1 + 3, PB, ALICE, "{}", "-0.5", NULL, NULL, -1));
	p = bc_sum_period(s, 1 << 20);
	CHECK(p != NULL);
	CHECK_LINES(p,
				"1|2|Usage|Amazon Bedrock|U|" ALICE "|{}|4|200000000000000000000.000000000000000000001"
				"|200000000000000000000.000000000000000000001|0|NULL|NULL\n");
	bc_sum_free(p);
	/* a budget too small for the rollup: it gives up and says so */
	p = bc_sum_period(s, 64);
	CHECK(p != NULL);
	CHECK(bc_sum_overflowed(p));
	CHECK_INT_EQ(bc_sum_groups(p), 0);
	bc_sum_free(p);
	bc_sum_free(s);
}

/* add a row of usage type ut (and product name pn) */
static bool
add_ut(bc_sum *s, int32_t date, const char *ut, const char *pn, const char *principal,
	   const char *cost, const char *net, const char *amount, int shift)
{
	bc_sum_row	r = row_of(date, pn, principal, "{}", cost, net, amount, shift);

	r.usage_type = ut;
	r.usage_type_len = strlen(ut);
	return bc_sum_add(s, &r);
}

UNIT_TEST(sum_model_day)
{
	bc_sum	   *s = bc_sum_create(1 << 20);
	bc_sum	   *m;

	/* two tiers of one model's input tokens: one group */
	CHECK(add_ut(s, APR1, "USE1-Claude4.6Sonnet-input-tokens", PB, ALICE, "1.5", "1.2", "1000", 0));
	CHECK(add_ut(s, APR1, "USE1-Claude4.6Sonnet-input-tokens-batch", PB, ALICE, "0.25", NULL, "500", 0));
	/* its output tokens, another day of them, another principal */
	CHECK(add_ut(s, APR1, "USE1-Claude4.6Sonnet-output-tokens", PB, ALICE, "3", NULL, "0.002", 6));
	CHECK(add_ut(s, APR1 + 1, "USE1-Claude4.6Sonnet-output-tokens", PB, ALICE, "4", NULL, "7", 0));
	CHECK(add_ut(s, APR1, "USE1-Claude4.6Sonnet-output-tokens", PB, NULL, "5", NULL, "9", 0));
	/* Marketplace: the model from the product name */
	CHECK(add_ut(s, APR1, "USE1-MP:USE1_InputTokenCount-Units", "Claude Sonnet 4.6 (Amazon Bedrock Edition)",
				 ALICE, "6", NULL, "11", 0));
	/* not a token kind: no kind, no tokens summed */
	CHECK(add_ut(s, APR1, "USE1-Guardrail-ContentPolicyUnitsConsumed", PB, ALICE, "0.75", NULL, "13", -1));
	/* unrecognized: no model, no kind */
	CHECK(add_ut(s, APR1, "USE1-SomethingNew", PB, ALICE, "0.125", NULL, "17", -1));
	CHECK_INT_EQ(bc_sum_groups(s), 8);
	m = bc_sum_model_day(s, 1 << 20);
	CHECK(m != NULL);
	CHECK(!bc_sum_overflowed(m));
	/*
	 * five rows (the guardrail and the unknown line: no model, one row), and
	 * a group per row and token kind it has
	 */
	CHECK_INT_EQ(bc_sum_groups(m), 10);
	{
		char	   *l = cols_of(m, 3, BC_SUM_MODEL_DAY_COPY_NCOLUMNS);

		/*
		 * day|payer|account|attribution|principal|tags|model|line items|
		 * unblended|net|tokens, unblended, net of input|output|cache_read|cache_write
		 */
		CHECK_STR_EQ(l,
					 "2026-04-01|1|2|attributed|" ALICE "|{}|Claude4.6Sonnet|3|4.75|4.45|"
					 "1500|2000|NULL|NULL|1.75|3|NULL|NULL|1.45|3|NULL|NULL\n"
					 "2026-04-02|1|2|attributed|" ALICE "|{}|Claude4.6Sonnet|1|4|4|"
					 "NULL|7|NULL|NULL|NULL|4|NULL|NULL|NULL|4|NULL|NULL\n"
					 "2026-04-01|1|2|unattributed|NULL|{}|Claude4.6Sonnet|1|5|5|"
					 "NULL|9|NULL|NULL|NULL|5|NULL|NULL|NULL|5|NULL|NULL\n"
					 "2026-04-01|1|2|attributed|" ALICE "|{}|Claude Sonnet 4.6|1|6|6|"
					 "11|NULL|NULL|NULL|6|NULL|NULL|NULL|6|NULL|NULL|NULL\n"
					 "2026-04-01|1|2|attributed|" ALICE "|{}|NULL|2|0.875|0.875|"
					 "NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL\n");
		free(l);
	}
	bc_sum_free(m);
	/* a budget too small: it gives up, and frees what it took */
	m = bc_sum_model_day(s, 2048);
	CHECK(m != NULL);
	CHECK(bc_sum_overflowed(m));
	CHECK_INT_EQ(bc_sum_groups(m), 0);
	bc_sum_free(m);
	/* only a day summary rolls up */
	m = bc_sum_period(s, 1 << 20);
	CHECK(bc_sum_model_day(m, 1 << 20) == NULL);
	CHECK(bc_sum_period(m, 1 << 20) == NULL);
	bc_sum_free(m);
	bc_sum_free(s);
}

UNIT_TEST(sum_model_day_grain)
{
	bc_sum	   *s = bc_sum_create(1 << 20);
	bc_sum	   *m;
	bc_sum_row	r;
	char	   *l;

	/* two texts of one jsonb map, a third map: two rows */
	CHECK(add(s, APR1, PB, ALICE, "{\"b\":\"1\",\"a\":\"2\"}", "1", NULL, NULL, -1));
	CHECK(add(s, APR1, PB, ALICE, " {\"a\": \"2\", \"b\":\"1\", \"a\":\"2\"}", "2", NULL, NULL, -1));
	CHECK(add(s, APR1, PB, ALICE, "{\"a\":\"3\"}", "4", NULL, NULL, -1));
	/* tax without a principal: account level; usage without one: unattributed */
	r = row_of(APR1, PB, NULL, "{}", "8", NULL, NULL, -1);
	r.line_item_type = "Tax";
	r.line_item_type_len = 3;
	CHECK(bc_sum_add(s, &r));
	r.line_item_type = "SavingsPlanCoveredUsage";
	r.line_item_type_len = strlen(r.line_item_type);
	CHECK(bc_sum_add(s, &r));
	m = bc_sum_model_day(s, 1 << 20);
	CHECK(m != NULL && !bc_sum_overflowed(m));
	l = cols_of(m, 6, 12);
	CHECK_STR_EQ(l,
				 "attributed|" ALICE "|{\"a\": \"2\", \"b\": \"1\"}|NULL|2|3\n"
				 "attributed|" ALICE "|{\"a\": \"3\"}|NULL|1|4\n"
				 "account_level|NULL|{}|NULL|1|8\n"
				 "unattributed|NULL|{}|NULL|1|8\n");
	free(l);
	bc_sum_free(m);
	/* the period grain groups the maps as jsonb too: five day groups, four rows */
	CHECK_INT_EQ(bc_sum_groups(s), 5);
	m = bc_sum_period(s, 1 << 20);
	CHECK(m != NULL && !bc_sum_overflowed(m));
	CHECK_LINES(m,
				"1|2|Usage|Amazon Bedrock|U|" ALICE "|{\"a\": \"2\", \"b\": \"1\"}|2|3|3|0|NULL|NULL\n"
				"1|2|Usage|Amazon Bedrock|U|" ALICE "|{\"a\": \"3\"}|1|4|4|0|NULL|NULL\n"
				"1|2|Tax|Amazon Bedrock|U|NULL|{}|1|8|8|0|NULL|NULL\n"
				"1|2|SavingsPlanCoveredUsage|Amazon Bedrock|U|NULL|{}|1|8|8|0|NULL|NULL\n");
	bc_sum_free(m);
	/* a map with a number: jsonb's equality is not its text's, so no rollup */
	CHECK(add(s, APR1, PB, ALICE, "{\"a\":1}", "1", NULL, NULL, -1));
	m = bc_sum_model_day(s, 1 << 20);
	CHECK(m != NULL && bc_sum_overflowed(m));
	CHECK_INT_EQ(bc_sum_groups(m), 0);
	bc_sum_free(m);
	m = bc_sum_period(s, 1 << 20);
	CHECK(m != NULL && bc_sum_overflowed(m));
	CHECK_INT_EQ(bc_sum_groups(m), 0);
	bc_sum_free(m);
	bc_sum_free(s);
}

UNIT_TEST(sum_key_columns)
{
	bc_sum	   *s = bc_sum_create(1 << 20);
	bc_sum_row	r = row_of(-1, PB, NULL, "{}", "1", NULL, NULL, -1);
	bc_buf		b;
	size_t		cursor = 0;
	char	   *lines;

	/* each key column makes its own group; the same text in two columns */
	CHECK(bc_sum_add(s, &r));
	r.payer = "2";
	CHECK(bc_sum_add(s, &r));
	r.account = "1";
	CHECK(bc_sum_add(s, &r));
	r.line_item_type = "Credit";
	r.line_item_type_len = 6;
	CHECK(bc_sum_add(s, &r));
	r.usage_type = "Usage";
	r.usage_type_len = 5;
	CHECK(bc_sum_add(s, &r));
	CHECK(bc_sum_add(s, &r));
	CHECK_INT_EQ(bc_sum_groups(s), 5);
	bc_buf_init(&b);
	CHECK(bc_sum_emit(s, &cursor, 2025, 12, -3, INT64_C(5000000000), &b, SIZE_MAX));
	CHECK(!bc_sum_emit(s, &cursor, 2025, 12, -3, INT64_C(5000000000), &b, SIZE_MAX));
	lines = decode(b.data, b.len, 0);
	CHECK_STR_EQ(lines,
				 "2025-12-01|-3|5000000000|1999-12-31|1|2|Usage|Amazon Bedrock|U|NULL|{}|1|1|1|0|NULL|NULL\n"
				 "2025-12-01|-3|5000000000|1999-12-31|2|2|Usage|Amazon Bedrock|U|NULL|{}|1|1|1|0|NULL|NULL\n"
				 "2025-12-01|-3|5000000000|1999-12-31|2|1|Usage|Amazon Bedrock|U|NULL|{}|1|1|1|0|NULL|NULL\n"
				 "2025-12-01|-3|5000000000|1999-12-31|2|1|Credit|Amazon Bedrock|U|NULL|{}|1|1|1|0|NULL|NULL\n"
				 "2025-12-01|-3|5000000000|1999-12-31|2|1|Credit|Amazon Bedrock|Usage|NULL|{}|2|2|2|0|NULL|NULL\n");
	free(lines);
	bc_buf_free(&b);
	bc_sum_free(s);
}

UNIT_TEST(sum_dimension_columns)
{
	bc_sum	   *s = bc_sum_create(1 << 20);
	bc_sum_row	r = row_of(-1, PB, NULL, "{}", "1", NULL, NULL, -1);
	bc_buf		b;
	size_t		cursor = 0;
	char	   *lines;

	/* resource id, payer and account names are key columns; none is NULL */
	CHECK(bc_sum_add(s, &r));
	r.resource_id = "arn:aws:bedrock:us-east-1:2:application-inference-profile/p1";
	r.resource_id_len = strlen(r.resource_id);
	CHECK(bc_sum_add(s, &r));
	CHECK(bc_sum_add(s, &r));
	r.payer_name = "Acme";
	r.payer_name_len = 4;
	CHECK(bc_sum_add(s, &r));
	r.account_name = "Dev";
	r.account_name_len = 3;
	CHECK(bc_sum_add(s, &r));
	/* the same text as another column's is its own value here */
	r.account_name = "Acme";
	r.account_name_len = 4;
	CHECK(bc_sum_add(s, &r));
	CHECK_INT_EQ(bc_sum_groups(s), 5);
	bc_buf_init(&b);
	CHECK(bc_sum_emit(s, &cursor, 2026, 4, 1, 2, &b, SIZE_MAX));
	lines = decode_cols(b.data, b.len, 11, BC_SUM_COPY_NCOLUMNS);
	CHECK_STR_EQ(lines,
				 "1|1|1|0|NULL|NULL|NULL|NULL|NULL\n"
				 "2|2|2|0|NULL|NULL|arn:aws:bedrock:us-east-1:2:application-inference-profile/p1|NULL|NULL\n"
				 "1|1|1|0|NULL|NULL|arn:aws:bedrock:us-east-1:2:application-inference-profile/p1|Acme|NULL\n"
				 "1|1|1|0|NULL|NULL|arn:aws:bedrock:us-east-1:2:application-inference-profile/p1|Acme|Dev\n"
				 "1|1|1|0|NULL|NULL|arn:aws:bedrock:us-east-1:2:application-inference-profile/p1|Acme|Acme\n");
	free(lines);
	bc_buf_free(&b);
	bc_sum_free(s);
}

UNIT_TEST(sum_texts)
{
	/*
	 * texts alike but for one byte, at its start, middle or end, of lengths
	 * around words, each right after one it differs from (the previous
	 * row's text is compared first)
	 */
	static const char *const texts[] = {
		"a", "b",
		"abcdefg", "abcdefh", "abcxefh", "xbcxefh",
		"abcdefgh", "abcdefgi", "abcxefgi", "xbcxefgi",
		"abcdefghi", "zbcdefghi", "zbcdxfghi", "zbcdxfghj",
		"0123456789abcdef", "1123456789abcdef", "1123456789Abcdef", "1123456789Abcdeg",
		"0123456789abcdefg", "1123456789abcdefg", "1123456x89abcdefg", "1123456x89abcdefh",
		"arn:aws:iam::1:user/team-1/x@example.com", "brn:aws:iam::1:user/team-1/x@example.com",
		"brn:aws:iam::1:user/team-2/x@example.com", "brn:aws:iam::1:user/team-2/x@example.con"
	};
	int			n = (int) (sizeof(texts) / sizeof(texts[0]));
	bc_sum	   *s = bc_sum_create(1 << 20);
	char		want[4096];
	size_t		o = 0;

	/* twice over, the second time in reverse: each text is its own group */
	for (int i = 0; i < 2 * n; i++)
		CHECK(add(s, APR1, PB, texts[i < n ? i : 2 * n - 1 - i], "{}", "1", NULL, NULL, -1));
	CHECK_INT_EQ(bc_sum_groups(s), n);
	for (int i = 0; i < n; i++)
		put(want, sizeof(want), &o, "2026-04-01|1|2|Usage|Amazon Bedrock|U|%s|{}|2|2|2|0|NULL|NULL\n",
			texts[i]);
	CHECK_LINES(s, want);
	bc_sum_free(s);
}

UNIT_TEST(sum_dscale)
{
	bc_sum	   *s = bc_sum_create(1 << 20);

	/* 1.50 + 2: the larger scale */
	CHECK(add(s, APR1, PB, "a", "{}", "1.50", NULL, NULL, -1));
	CHECK(add(s, APR1, PB, "a", "{}", "2", NULL, NULL, -1));
	/* exponents: 1.5e3 scale 0, 15e-3 scale 3 */
	CHECK(add(s, APR1, PB, "b", "{}", "1.5e3", NULL, NULL, -1));
	CHECK(add(s, APR1, PB, "c", "{}", "15e-3", NULL, NULL, -1));
	CHECK(add(s, APR1, PB, "c", "{}", "+.5E+1", NULL, NULL, -1));
	/* trailing zeros beyond 18 decimals keep their scale */
	CHECK(add(s, APR1, PB, "d", "{}", "2.500000000000000000000", NULL, NULL, -1));
	/* tokens: 1.5 * 10^3 is 1500, scale 0; 0.0000015 * 10^6 is 1.5 */
	CHECK(add(s, APR1, PB, "e", "{}", "0", NULL, "1.5", 3));
	CHECK(add(s, APR1, PB, "f", "{}", "0", NULL, "0.0000015", 6));
	CHECK(add(s, APR1, PB, "f", "{}", "0", NULL, "2", 6));
	CHECK(add(s, APR1, PB, "g", "{}", "0", NULL, "2.25", 0));
	CHECK_LINES(s,
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|a|{}|2|3.50|3.50|0|NULL|NULL\n"
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|b|{}|1|1500|1500|0|NULL|NULL\n"
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|c|{}|2|5.015|5.015|0|NULL|NULL\n"
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|d|{}|1|2.500000000000000000000|2.500000000000000000000|0|NULL|NULL\n"
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|e|{}|1|0|0|0|1500|1.5\n"
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|f|{}|2|0|0|0|2000001.5|2.0000015\n"
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|g|{}|1|0|0|0|2.25|2.25\n");
	bc_sum_free(s);
}

UNIT_TEST(sum_net_tokens_amount)
{
	bc_sum	   *s = bc_sum_create(1 << 20);

	/* net: coalesce(net, unblended), scale of what was added; net_rows */
	CHECK(add(s, APR1, PB, "a", "{}", "1.00", NULL, NULL, -1));
	CHECK(add(s, APR1, PB, "a", "{}", "2", "1.5", NULL, -1));
	CHECK(add(s, APR1, PB, "a", "{}", "3", "-0.125", NULL, -1));
	/* no row with an amount: tokens and amount NULL */
	CHECK(add(s, APR1, PB, "b", "{}", "1", NULL, NULL, -1));
	/* amounts but not tokens: tokens NULL */
	CHECK(add(s, APR1, PB, "c", "{}", "1", NULL, "10", -1));
	CHECK(add(s, APR1, PB, "c", "{}", "1", NULL, NULL, -1));
	/* one row of tokens among others */
	CHECK(add(s, APR1, PB, "d", "{}", "1", NULL, "10", -1));
	CHECK(add(s, APR1, PB, "d", "{}", "1", NULL, "0.75", 3));
	CHECK(add(s, APR1, PB, "d", "{}", "1", NULL, NULL, -1));
	/* tokens of zero are tokens */
	CHECK(add(s, APR1, PB, "e", "{}", "1", NULL, "0", 0));
	CHECK_LINES(s,
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|a|{}|3|6.00|2.375|2|NULL|NULL\n"
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|b|{}|1|1|1|0|NULL|NULL\n"
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|c|{}|2|2|2|0|NULL|10\n"
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|d|{}|3|3|3|0|750|10.75\n"
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|e|{}|1|1|1|0|0|0\n");
	bc_sum_free(s);
}

/* add a row whose tokens are given (a row read back from a table) */
static bool
add_given(bc_sum *s, const char *principal, const char *cost, const char *amount,
		  const char *tokens)
{
	bc_sum_row	r = row_of(APR1, PB, principal, "{}", cost, NULL, amount, BC_SUM_TOKENS_GIVEN);

	r.tokens = tokens;
	r.tokens_len = tokens ? strlen(tokens) : 0;
	return bc_sum_add(s, &r);
}

UNIT_TEST(sum_tokens_given)
{
	bc_sum	   *s = bc_sum_create(1 << 20);

	/* summed as given, with their display scale, not derived from the amount */
	CHECK(add_given(s, "a", "1", "0.75", "750"));
	CHECK(add_given(s, "a", "1", "2", "2000.50"));
	/* tokens without an amount count, an amount without tokens too */
	CHECK(add_given(s, "b", "1", NULL, "5"));
	CHECK(add_given(s, "b", "1", "3", NULL));
	/* neither: both NULL */
	CHECK(add_given(s, "c", "1", NULL, NULL));
	CHECK_LINES(s,
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|a|{}|2|2|2|0|2750.50|2.75\n"
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|b|{}|2|2|2|0|5|3\n"
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|c|{}|1|1|1|0|NULL|NULL\n");
	/* a text the core does not take: the summary gives up */
	CHECK(!add_given(s, "d", "1", NULL, "NaN"));
	CHECK(bc_sum_overflowed(s));
	bc_sum_free(s);
}

/* add a group summed already, tokens and net given */
static bool
add_group(bc_sum *s, const char *principal, const char *cost, const char *net,
		  const char *tokens, int64_t line_items, int64_t net_rows)
{
	bc_sum_row	r = row_of(APR1, PB, principal, "{}", cost, net, NULL, BC_SUM_TOKENS_GIVEN);

	r.tokens = tokens;
	r.tokens_len = tokens ? strlen(tokens) : 0;
	return bc_sum_add_group(s, &r, line_items, net_rows);
}

UNIT_TEST(sum_add_group)
{
	bc_sum	   *rows = bc_sum_create(1 << 20);
	bc_sum	   *groups = bc_sum_create(1 << 20);
	char	   *a;
	char	   *b;

	/* three rows, one with a net cost; tokens on two */
	CHECK(add_given(rows, "a", "1", NULL, "10"));
	{
		bc_sum_row	r = row_of(APR1, PB, "a", "{}", "2.50", "2", NULL, BC_SUM_TOKENS_GIVEN);

		CHECK(bc_sum_add(rows, &r));
	}
	CHECK(add_given(rows, "a", "3", NULL, "5"));
	CHECK(add_given(rows, "b", "1", NULL, NULL));
	/* the same as groups summed already: the day summary's rows */
	CHECK(add_group(groups, "a", "4", "4", "10", 2, 0));
	CHECK(add_group(groups, "a", "2.50", "2", "5", 1, 1));
	CHECK(add_group(groups, "b", "1", "1", NULL, 1, 0));
	a = lines_of(rows);
	b = lines_of(groups);
	CHECK_STR_EQ(b, a);
	CHECK_STR_EQ(a,
				 "2026-04-01|1|2|Usage|Amazon Bedrock|U|a|{}|3|6.50|6|1|15|NULL\n"
				 "2026-04-01|1|2|Usage|Amazon Bedrock|U|b|{}|1|1|1|0|NULL|NULL\n");
	free(a);
	free(b);
	/* a group needs its net cost and tokens given */
	{
		bc_sum_row	r = row_of(APR1, PB, "c", "{}", "1", NULL, NULL, BC_SUM_TOKENS_GIVEN);

		CHECK(!bc_sum_add_group(groups, &r, 1, 0));
		CHECK(bc_sum_overflowed(groups));
	}
	bc_sum_free(rows);
	bc_sum_free(groups);
}

UNIT_TEST(sum_negative)
{
	bc_sum	   *s = bc_sum_create(1 << 20);

	CHECK(add(s, APR1, PB, "a", "{}", "-1.25", "-1", NULL, -1));
	CHECK(add(s, APR1, PB, "a", "{}", "0.5", "-0.5", NULL, -1));
	CHECK(add(s, APR1, PB, "b", "{}", "-1.50", NULL, NULL, -1));
	CHECK(add(s, APR1, PB, "b", "{}", "1.5", NULL, NULL, -1));
	CHECK(add(s, APR1, PB, "c", "{}", "-0.001", NULL, "-3", 3));
	CHECK_LINES(s,
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|a|{}|2|-0.75|-1.5|2|NULL|NULL\n"
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|b|{}|2|0.00|0.00|0|NULL|NULL\n"
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|c|{}|1|-0.001|-0.001|0|-3000|-3\n");
	bc_sum_free(s);
}

UNIT_TEST(sum_wide)
{
	bc_sum	   *s = bc_sum_create(1 << 20);
	size_t		before;

	/* 25 decimals: below 10^-18, exact */
	CHECK(add(s, APR1, PB, "a", "{}", "0.0000000000000000000000001", NULL, NULL, -1));
	CHECK(add(s, APR1, PB, "a", "{}", "1", NULL, NULL, -1));
	CHECK(add(s, APR1, PB, "a", "{}", "-0.0000000000000000000000003", NULL, NULL, -1));
	/* past __int128: narrow first, then wide */
	CHECK(add(s, APR1, PB, "b", "{}", "1.5", NULL, NULL, -1));
	before = bc_sum_bytes(s);
	CHECK(add(s, APR1, PB, "b", "{}", "1e30", NULL, NULL, -1));
	CHECK(bc_sum_bytes(s) >= before + BC_XSUM_WIDE_BYTES);
	CHECK(add(s, APR1, PB, "b", "{}", "-3e30", NULL, NULL, -1));
	/* tokens wide through their shift */
	CHECK(add(s, APR1, PB, "c", "{}", "0", NULL, "123456789012345678901234", 6));
	CHECK(add(s, APR1, PB, "c", "{}", "0", NULL, "1", 6));
	CHECK_LINES(s,
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|a|{}|3|0.9999999999999999999999998|0.9999999999999999999999998|0|NULL|NULL\n"
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|b|{}|3|-1999999999999999999999999999998.5|-1999999999999999999999999999998.5|0|NULL|NULL\n"
				"2026-04-01|1|2|Usage|Amazon Bedrock|U|c|{}|2|0|0|0|123456789012345678901235000000|123456789012345678901235\n");
	bc_sum_free(s);
}

/* the text of a SUM cell, NUL-terminated in a static buffer */
static const char *
cell_text(const bc_sum_cell *c)
{
	static char out[256];
	bc_buf		b;

	bc_buf_init(&b);
	bc_sum_cell_text(c, &b);
	snprintf(out, sizeof(out), "%.*s", (int) b.len, b.data);
	bc_buf_free(&b);
	return out;
}

/* a TEXT or VTEXT cell's text */
static const char *
cell_str(const bc_sum *s, const bc_sum_cell *c)
{
	static char out[256];
	size_t		len;
	const char *p = bc_sum_text(s, c->id, &len);

	snprintf(out, sizeof(out), "%.*s", (int) len, p);
	return out;
}

UNIT_TEST(sum_cells)
{
	bc_sum	   *s = bc_sum_create(1 << 20);
	bc_sum_cell c[BC_SUM_MAX_CELLS];
	size_t		cursor = 0;

	/* a narrow group with a NULL principal, a wide one, then no more rows */
	CHECK(add(s, APR1, PB, NULL, "{\"k\": \"v\"}", "1.25", "-0.5", "7", 3));
	CHECK(add(s, APR1, PB, NULL, "{\"k\": \"v\"}", "2.5", NULL, NULL, 3));
	CHECK(add(s, APR1 + 1, PB, ALICE, "{}", "1e30", NULL, NULL, -1));
	CHECK(add(s, APR1 + 1, PB, ALICE, "{}", "-0.001", NULL, NULL, -1));
	CHECK_INT_EQ(bc_sum_next_cells(s, &cursor, c), BC_SUM_COPY_NCOLUMNS - 3);
	CHECK_INT_EQ(c[0].kind, BC_SUM_CELL_DATE);
	CHECK_INT_EQ(c[0].days, APR1);
	CHECK_INT_EQ(c[1].kind, BC_SUM_CELL_TEXT);
	CHECK_STR_EQ(cell_str(s, &c[1]), "1");
	CHECK_STR_EQ(cell_str(s, &c[2]), "2");
	CHECK_STR_EQ(cell_str(s, &c[3]), "Usage");
	CHECK_STR_EQ(cell_str(s, &c[4]), PB);
	CHECK_STR_EQ(cell_str(s, &c[5]), "U");
	CHECK_INT_EQ(c[6].kind, BC_SUM_CELL_NULL);
	CHECK_INT_EQ(c[7].kind, BC_SUM_CELL_VTEXT);
	CHECK_STR_EQ(cell_str(s, &c[7]), "{\"k\": \"v\"}");
	CHECK_INT_EQ(c[8].kind, BC_SUM_CELL_INT8);
	CHECK_INT_EQ(c[8].i8, 2);
	/* unblended: 3.75 at scale 2, in units of 10^-18 */
	CHECK_INT_EQ(c[9].kind, BC_SUM_CELL_SUM);
	CHECK(c[9].wide == NULL);
	CHECK_INT_EQ(c[9].dscale, 2);
	CHECK((int64_t) (c[9].units / 1000000000000000) == 3750);
	CHECK_STR_EQ(cell_text(&c[9]), "3.75");
	/* net: -0.5 where given, 2.5 where not */
	CHECK_STR_EQ(cell_text(&c[10]), "2.0");
	CHECK_INT_EQ(c[11].i8, 1);
	/* tokens: 7 * 10^3; usage amount 7 */
	CHECK_STR_EQ(cell_text(&c[12]), "7000");
	CHECK_INT_EQ(c[12].dscale, 0);
	CHECK_STR_EQ(cell_text(&c[13]), "7");
	for (int i = 14; i < BC_SUM_COPY_NCOLUMNS - 3; i++)
		CHECK_INT_EQ(c[i].kind, BC_SUM_CELL_NULL);
	/* the wide group: its sum through the wide digits, scale 3 */
	CHECK_INT_EQ(bc_sum_next_cells(s, &cursor, c), BC_SUM_COPY_NCOLUMNS - 3);
	CHECK_INT_EQ(c[0].days, APR1 + 1);
	CHECK_INT_EQ(c[6].kind, BC_SUM_CELL_VTEXT);
	CHECK_STR_EQ(cell_str(s, &c[6]), ALICE);
	CHECK(c[9].wide != NULL);
	CHECK_INT_EQ(c[9].dscale, 3);
	CHECK_STR_EQ(cell_text(&c[9]), "999999999999999999999999999999.999");
	CHECK_INT_EQ(c[12].kind, BC_SUM_CELL_NULL);
	CHECK_INT_EQ(c[13].kind, BC_SUM_CELL_NULL);
	CHECK_INT_EQ(bc_sum_next_cells(s, &cursor, c), 0);
	CHECK_INT_EQ(bc_sum_next_cells(s, &cursor, c), 0);
	CHECK(bc_sum_text_ids(s) > c[6].id);
	bc_sum_free(s);
}

UNIT_TEST(sum_overflow)
{
	bc_sum	   *s = bc_sum_create(100);
	size_t		cursor = 0;
	bc_buf		b;
	char		p[32];
	int			n;

	CHECK(!add(s, APR1, PB, "a", "{}", "1", NULL, NULL, -1));
	CHECK(bc_sum_overflowed(s));
	CHECK(!bc_sum_nomem(s));
	CHECK_INT_EQ(bc_sum_groups(s), 0);
	CHECK(!add(s, APR1, PB, "a", "{}", "1", NULL, NULL, -1));
	bc_buf_init(&b);
	CHECK(!bc_sum_emit(s, &cursor, 2026, 4, 1, 1, &b, SIZE_MAX));
	CHECK_INT_EQ(b.len, 0);
	bc_sum_free(s);

	/* a budget some thousands of groups fill: never exceeded */
	s = bc_sum_create(256 * 1024);
	for (n = 0; n < 100000; n++)
	{
		snprintf(p, sizeof(p), "principal-%d", n);
		if (!add(s, APR1 + n % 30, PB, p, "{}", "1", NULL, NULL, -1))
			break;
		CHECK(bc_sum_bytes(s) <= 256 * 1024);
	}
	CHECK(n > 1000 && n < 2000);
	CHECK(bc_sum_overflowed(s));
	CHECK_INT_EQ(bc_sum_groups(s), 0);
	CHECK(bc_sum_bytes(s) < 1024);
	CHECK(!bc_sum_emit(s, &cursor, 2026, 4, 1, 1, &b, SIZE_MAX));
	bc_sum_free(s);
	bc_buf_free(&b);
}

UNIT_TEST(sum_emit_chunks)
{
	bc_sum	   *s = bc_sum_create(16 << 20);
	bc_buf		whole,
				parts,
				chunk;
	size_t		cursor = 0;
	int			calls = 0;
	char		p[32];

	for (int n = 0; n < 3000; n++)
	{
		snprintf(p, sizeof(p), "principal-%d", n % 700);
		CHECK(add(s, APR1 + n % 5, n % 3 ? PB : NULL, n % 11 ? p : NULL, "{}",
				  n % 97 == 0 ? "-2e-20" : n % 2 ? "1.25" : "-2.5", n % 3 ? "1" : NULL,
				  n % 4 ? "7.5" : NULL,
				  n % 4 == 1 ? 3 : -1));
	}
	CHECK_INT_EQ(bc_sum_groups(s), 1374);
	bc_buf_init(&whole);
	bc_buf_init(&parts);
	bc_buf_init(&chunk);
	CHECK(bc_sum_emit(s, &cursor, 2026, 4, 1, 2, &whole, SIZE_MAX));
	CHECK_INT_EQ(cursor, 1374);
	cursor = 0;
	while (bc_sum_emit(s, &cursor, 2026, 4, 1, 2, &chunk, 1000))
	{
		calls++;
		CHECK(chunk.len < 1000 + 400);
		bc_buf_put(&parts, chunk.data, chunk.len);
		bc_buf_reset(&chunk);
	}
	CHECK(calls > 100);
	CHECK_INT_EQ(parts.len, whole.len);
	CHECK(parts.len == whole.len && memcmp(parts.data, whole.data, whole.len) == 0);
	bc_buf_free(&whole);
	bc_buf_free(&parts);
	bc_buf_free(&chunk);
	bc_sum_free(s);
}

/* ---------------------------------------------------------------------- */
/* randomized, against a naive reference */

/*
 * The reference: a linear list of groups with their key texts, each sum
 * an __int128 count of 10^-REF_SCALE units and the largest display scale
 * of what was written, computed from how each value was written.
 */
#define REF_SCALE 22
#define REF_MAX 1024

typedef struct ref_sum
{
	__int128	units;
	int			dscale;			/* -1: none */
} ref_sum;

typedef struct ref_group
{
	int32_t		date;
	const char *key[7];
	long long	line_items;
	long long	net_rows;
	ref_sum		sums[4];		/* unblended, net, tokens, amount */
} ref_group;

static uint64_t rng_state;

static uint32_t
rng(uint32_t n)
{
	rng_state = rng_state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return (uint32_t) (rng_state >> 33) % n;
}

/* a written decimal: its text, value m * 10^-k, written display scale */
typedef struct ref_value
{
	char		text[96];
	long		m;
	int			k;
	int			frac;			/* fraction digits written */
	int			exp;			/* exponent written */
} ref_value;

/* write m * 10^-k in one of the forms numeric_in reads */
static void
ref_write(ref_value *v, long m, int k)
{
	int			z = (int) rng(3);
	char		digits[64];
	int			nd,
				f,
				e = rng(5) < 3 ? 0 : (int) rng(9) - 4;
	size_t		o = 0;
	long		am = m < 0 ? -m : m;

	v->m = m;
	v->k = k;
	/* the digits of |m| with z trailing zeros: |m| 10^z * 10^-(k + z) */
	nd = snprintf(digits, sizeof(digits), "%ld", am);
	for (int i = 0; i < z; i++)
		digits[nd++] = '0';
	digits[nd] = '\0';
	f = k + z + e;
	while (f < 0)
	{
		digits[nd++] = '0';
		digits[nd] = '\0';
		f++;
	}
	while (nd < f + (int) rng(2))
	{
		memmove(digits + 1, digits, nd + 1);
		digits[0] = '0';
		nd++;
	}
	if (m < 0)
		v->text[o++] = '-';
	else if (rng(8) == 0)
		v->text[o++] = '+';
	memcpy(v->text + o, digits, nd - f);
	o += nd - f;
	if (f > 0 || rng(10) == 0)
		v->text[o++] = '.';
	memcpy(v->text + o, digits + nd - f, f);
	o += f;
	v->text[o] = '\0';
	if (e != 0 || rng(10) == 0)
		snprintf(v->text + o, sizeof(v->text) - o, "%s%s%d", rng(2) ? "e" : "E",
				 e >= 0 && rng(2) ? "+" : "", e);
	v->frac = f;
	v->exp = e;
}

/* a random value: small integers, cents, long fractions, exponents */
static void
ref_random(ref_value *v)
{
	long		m = (long) rng(100000) - (rng(4) == 0 ? 50000 : 0);

	ref_write(v, m, (int) rng(25) - 2);
}

/* add v * 10^shift to a reference sum */
static void
ref_add(ref_sum *s, const ref_value *v, int shift)
{
	__int128	u = v->m;
	int			scale = v->frac - v->exp - shift;

	for (int i = 0; i < REF_SCALE - v->k + shift; i++)
		u *= 10;
	s->units += u;
	if (scale < 0)
		scale = 0;
	if (scale > s->dscale)
		s->dscale = scale;
}

/* a reference sum as text with its display scale */
static void
ref_put_sum(const ref_sum *s, char *out, size_t cap, size_t *o)
{
	unsigned __int128 u = s->units < 0 ? -(unsigned __int128) s->units : (unsigned __int128) s->units;
	char		d[64];
	int			n = 0;

	if (s->dscale < 0)
	{
		put(out, cap, o, "NULL");
		return;
	}
	for (int i = 0; i < REF_SCALE; i++, u /= 10)
		d[i] = (char) ('0' + (int) (u % 10));
	/* d[0..REF_SCALE) fraction digits, least significant first */
	for (int i = 0; i < REF_SCALE - s->dscale; i++)
		if (d[i] != '0')
			put(out, cap, o, "(digit beyond the scale)");
	if (s->units < 0)
		put(out, cap, o, "-");
	{
		char		ip[64];

		do
		{
			ip[n++] = (char) ('0' + (int) (u % 10));
			u /= 10;
		} while (u != 0);
		while (n > 0)
			put(out, cap, o, "%c", ip[--n]);
	}
	if (s->dscale > 0)
		put(out, cap, o, ".");
	for (int i = 1; i <= s->dscale; i++)
		put(out, cap, o, "%c", i <= REF_SCALE ? d[REF_SCALE - i] : '0');
}

/* the same texts (NULL only equal to NULL) */
static bool
same_key(const char *a, const char *b)
{
	return a == NULL ? b == NULL : (b != NULL && strcmp(a, b) == 0);
}

UNIT_TEST(sum_random_vs_reference)
{
	static const char *const payers[] = {"111", "222"};
	static const char *const accounts[] = {"111", "333", "444"};
	static const char *const types[] = {"Usage", "Credit", "Tax"};
	static const char *const products[] = {NULL, "Amazon Bedrock", "", "Claude (Amazon Bedrock Edition)"};
	static const char *const utypes[] = {"USE1-A-input-tokens", "USE1-A-output-tokens"};
	static const char *const principals[] = {NULL, "arn:aws:iam::1:user/a", "arn:aws:iam::1:user/b",
	"arn:aws:sts::1:assumed-role/r/s"};
	static const char *const tagss[] = {"{}", "{\"a\":\"1\"}", "{\"a\": \"1\"}"};
	static const int shifts[] = {-1, 0, 3, 6};
	static ref_group refs[REF_MAX];

	for (int round = 0; round < 30; round++)
	{
		bc_sum	   *s = bc_sum_create(64 << 20);
		bc_sum	   *scanned = bc_sum_create(64 << 20);	/* by bc_sum_add_scanned */
		int			nrefs = 0;
		int			nrows;
		char	   *want = malloc(1 << 20);
		size_t		o = 0;
		char	   *got;

		rng_state = (uint64_t) round * 7919 + 1;
		nrows = 50 + (int) rng(600);
		for (int n = 0; n < nrows; n++)
		{
			bc_sum_row r;
			ref_group  *g = NULL;
			ref_value	cost,
						net,
						amount;
			const char *key[7];
			int32_t		date = APR1 + (int) rng(3) - 1;
			bool		has_net = rng(3) != 0;
			bool		has_amount = rng(4) != 0;
			int			shift = shifts[rng(4)];

			/* runs of equal keys, as exports have them, and changes */
			key[0] = payers[rng(2)];
			key[1] = accounts[rng(3)];
			key[2] = types[rng(3)];
			key[3] = products[rng(4)];
			key[4] = utypes[rng(2)];
			key[5] = principals[rng(4)];
			key[6] = tagss[rng(3)];
			ref_random(&cost);
			ref_random(&net);
			ref_random(&amount);
			memset(&r, 0, sizeof(r));
			r.usage_date = date;
			r.payer = key[0];
			r.payer_len = strlen(key[0]);
			r.account = key[1];
			r.account_len = strlen(key[1]);
			r.line_item_type = key[2];
			r.line_item_type_len = strlen(key[2]);
			r.product_name = key[3];
			r.product_name_len = key[3] ? strlen(key[3]) : 0;
			r.usage_type = key[4];
			r.usage_type_len = strlen(key[4]);
			r.principal = key[5];
			r.principal_len = key[5] ? strlen(key[5]) : 0;
			r.tags = key[6];
			r.tags_len = strlen(key[6]);
			r.unblended = cost.text;
			r.unblended_len = strlen(cost.text);
			r.net = has_net ? net.text : NULL;
			r.net_len = has_net ? strlen(net.text) : 0;
			r.usage_amount = has_amount ? amount.text : NULL;
			r.usage_amount_len = has_amount ? strlen(amount.text) : 0;
			r.tokens_shift = shift;
			CHECK(bc_sum_add(s, &r));
			{
				bc_decimal_parts pc,
							pn,
							pa;

				CHECK(bc_decimal_scan(cost.text, strlen(cost.text), &pc));
				CHECK(bc_decimal_scan(net.text, strlen(net.text), &pn));
				CHECK(bc_decimal_scan(amount.text, strlen(amount.text), &pa));
				CHECK(bc_sum_add_scanned(scanned, &r, &pc, &pn, &pa));
			}

			/* the reference: find the group by comparing every text */
			for (int i = 0; i < nrefs && g == NULL; i++)
			{
				bool		same = refs[i].date == date;

				for (int c = 0; c < 7 && same; c++)
					same = same_key(refs[i].key[c], key[c]);
				if (same)
					g = &refs[i];
			}
			if (g == NULL)
			{
				g = &refs[nrefs++];
				memset(g, 0, sizeof(*g));
				g->date = date;
				memcpy(g->key, key, sizeof(key));
				for (int i = 0; i < 4; i++)
					g->sums[i].dscale = -1;
			}
			g->line_items++;
			ref_add(&g->sums[0], &cost, 0);
			ref_add(&g->sums[1], has_net ? &net : &cost, 0);
			g->net_rows += has_net;
			if (has_amount)
			{
				ref_add(&g->sums[3], &amount, 0);
				if (shift >= 0)
					ref_add(&g->sums[2], &amount, shift);
			}
		}
		for (int i = 0; i < nrefs; i++)
		{
			ref_group  *g = &refs[i];

			put_date(want, 1 << 20, &o, g->date);
			for (int c = 0; c < 7; c++)
				put(want, 1 << 20, &o, "|%s", g->key[c] ? g->key[c] : "NULL");
			put(want, 1 << 20, &o, "|%lld|", g->line_items);
			ref_put_sum(&g->sums[0], want, 1 << 20, &o);
			put(want, 1 << 20, &o, "|");
			ref_put_sum(&g->sums[1], want, 1 << 20, &o);
			put(want, 1 << 20, &o, "|%lld|", g->net_rows);
			ref_put_sum(&g->sums[2], want, 1 << 20, &o);
			put(want, 1 << 20, &o, "|");
			ref_put_sum(&g->sums[3], want, 1 << 20, &o);
			put(want, 1 << 20, &o, "\n");
		}
		CHECK_INT_EQ(bc_sum_groups(s), nrefs);
		got = lines_of(s);
		CHECK_STR_EQ(got, want);
		free(got);
		got = lines_of(scanned);
		CHECK_STR_EQ(got, want);
		free(got);
		bc_sum_free(scanned);
		free(want);
		bc_sum_free(s);
	}
}

/* ---------------------------------------------------------------------- */
/* the summary of the row transformation */

static const char csv_sum[] =
"bill_billing_entity,bill_payer_account_id,bill_billing_period_start_date,"
"line_item_line_item_type,line_item_usage_start_date,line_item_usage_end_date,"
"line_item_usage_account_id,line_item_product_code,line_item_usage_type,"
"line_item_usage_amount,line_item_unblended_cost,line_item_net_unblended_cost,"
"line_item_iam_principal,line_item_line_item_description,pricing_unit,product,tags\n"
/* 2-3: one group, the day's first and last microsecond; tokens 1K */
"AWS,111,2026-04-01T00:00:00Z,Usage,2026-04-02T00:00:00Z,2026-04-02T01:00:00Z,222,AmazonBedrock,"
"USE1-X-input-tokens,1.5,0.0045,0.004," ALICE ",in,1K tokens,"
"\"{\"\"product_name\"\":\"\"Amazon Bedrock\"\"}\",\"{\"\"team\"\":\"\"a\"\"}\"\n"
"AWS,111,2026-04-01T00:00:00Z,Usage,2026-04-02T23:59:59.999999Z,2026-04-03T00:00:00Z,222,AmazonBedrock,"
"USE1-X-input-tokens,2,0.006,," ALICE ",in,1K tokens,"
"\"{\"\"product_name\"\":\"\"Amazon Bedrock\"\"}\",\"{\"\"team\"\":\"\"a\"\"}\"\n"
/* 4: the next day */
"AWS,111,2026-04-01T00:00:00Z,Usage,2026-04-03T00:00:00Z,2026-04-03T01:00:00Z,222,AmazonBedrock,"
"USE1-X-input-tokens,1,0.003,0.0030," ALICE ",in,1K tokens,"
"\"{\"\"product_name\"\":\"\"Amazon Bedrock\"\"}\",\"{\"\"team\"\":\"\"a\"\"}\"\n"
/* 5: no principal, no tags, no product map, not tokens */
"AWS,111,2026-04-01T00:00:00Z,Usage,2026-04-02T10:00:00Z,2026-04-02T11:00:00Z,222,AmazonBedrock,"
"USE1-X-images,3,0.12,,,img,Images,,\n"
/* 6: rejected (cost), 7: not Bedrock */
"AWS,111,2026-04-01T00:00:00Z,Usage,2026-04-02T10:00:00Z,2026-04-02T11:00:00Z,222,AmazonBedrock,"
"USE1-X-images,3,x,,,img,Images,,\n"
"AWS,111,2026-04-01T00:00:00Z,Usage,2026-04-02T10:00:00Z,2026-04-02T11:00:00Z,222,AmazonEC2,"
"BoxUsage,3,5,,,box,Hrs,,\n"
/* 8: a credit before the period, no amount */
"AWS,111,2026-04-01T00:00:00Z,Credit,2026-03-31T23:00:00Z,2026-04-01T00:00:00Z,222,AmazonBedrock,"
"USE1-X-input-tokens,,-0.01,-0.01," ALICE ",credit,,,\n";

/* what a run of csv_sum through bc_xf_row left */
typedef struct xf_run
{
	int64_t		groups;
	bool		overflowed;
	int64_t		loaded;
	int64_t		rejected;
	size_t		out_len;		/* bytes of COPY rows */
	uint32_t	out_hash;		/* and their FNV-1a */
} xf_run;

/*
 * The summary (its lines, malloc'd) of csv_sum through bc_xf_row, text or
 * binary rows, with a summary of max_bytes (0: none, NULL returned)
 */
static char *
transform_summary(bool binary, size_t max_bytes, xf_run *run)
{
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_row	row;
	bc_xf		x;
	bc_buf		out;
	char	   *lines = NULL;

	memset(run, 0, sizeof(*run));
	run->out_hash = 2166136261u;
	if (bc_cur_open_memory(&r, csv_sum, sizeof(csv_sum) - 1, 0, &e) != BC_CUR_OK ||
		!bc_xf_init(&x, "2026-04-01"))
		return strdup("setup failed");
	bc_xf_set_binary(&x, binary);
	if (bc_xf_summary(&x) != NULL || (max_bytes > 0 && !bc_xf_set_summary(&x, max_bytes)))
		return strdup("no summary");
	bc_xf_set_file(&x, 7, 42, 1);
	bc_buf_init(&out);
	while (bc_cur_next(r, &row) == BC_CUR_ROW)
	{
		if (bc_xf_row(&x, &row, &out) == BC_XF_REJECT)
			bc_xf_reject(&x, &row);
	}
	for (size_t i = 0; i < out.len; i++)
		run->out_hash = (run->out_hash ^ (unsigned char) out.data[i]) * 16777619u;
	run->out_len = out.len;
	run->loaded = x.rows_loaded;
	run->rejected = x.rows_rejected;
	if (max_bytes > 0)
	{
		run->groups = bc_sum_groups(bc_xf_summary(&x));
		run->overflowed = bc_sum_overflowed(bc_xf_summary(&x));
		lines = lines_of(bc_xf_summary(&x));
	}
	bc_buf_free(&out);
	bc_xf_free(&x);
	bc_cur_close(r);
	return lines;
}

UNIT_TEST(sum_transform)
{
	const char *want =
	"2026-04-02|111|222|Usage|Amazon Bedrock|USE1-X-input-tokens|" ALICE "|{\"team\":\"a\"}|2|0.0105|0.010|1|3500|3.5\n"
	"2026-04-03|111|222|Usage|Amazon Bedrock|USE1-X-input-tokens|" ALICE "|{\"team\":\"a\"}|1|0.003|0.0030|1|1000|1\n"
	"2026-04-02|111|222|Usage|NULL|USE1-X-images|NULL|{}|1|0.12|0.12|0|NULL|3\n"
	"2026-03-31|111|222|Credit|NULL|USE1-X-input-tokens|" ALICE "|{}|1|-0.01|-0.01|1|NULL|NULL\n";

	for (int binary = 0; binary < 2; binary++)
	{
		xf_run		run,
					bare;
		char	   *got = transform_summary(binary, 1 << 20, &run);

		CHECK_STR_EQ(got, want);
		CHECK_INT_EQ(run.groups, 4);
		CHECK_INT_EQ(run.loaded, 5);
		CHECK_INT_EQ(run.rejected, 1);
		free(got);

		/* the summary changes nothing of the rows */
		CHECK(transform_summary(binary, 0, &bare) == NULL);
		CHECK_INT_EQ(bare.out_len, run.out_len);
		CHECK(bare.out_hash == run.out_hash);
		CHECK_INT_EQ(bare.loaded, 5);
	}
}

UNIT_TEST(sum_transform_overflow)
{
	xf_run		run,
				bare;
	char	   *got = transform_summary(true, 64, &run);

	/* a summary past its budget neither rejects a row nor fails the load */
	CHECK_STR_EQ(got, "");
	CHECK(run.overflowed);
	CHECK_INT_EQ(run.groups, 0);
	CHECK_INT_EQ(run.loaded, 5);
	CHECK_INT_EQ(run.rejected, 1);
	CHECK(transform_summary(true, 0, &bare) == NULL);
	CHECK_INT_EQ(bare.out_len, run.out_len);
	CHECK(bare.out_hash == run.out_hash);
	free(got);
}
