/*-------------------------------------------------------------------------
 *
 * cur_transform.c
 *		CUR 2.0 row -> loader COPY text row, classification and exact
 *		totals, without PostgreSQL (see cur_transform.h).
 *
 * The row logic of both loaders: load_export (src/ext/loader_copy.c)
 * and bedrock-cost-load call it for every row, so both check the same
 * values in the same order with the same reasons and write the same
 * bytes.  Decimals are accepted as numeric_in accepts them; JSON maps are
 * checked with the core validator (cur_json.c): jsonb's acceptance for maps,
 * its own reason texts.
 *
 * IDENTIFICATION
 *		src/core/cur_transform.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "cur_transform.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arn.h"
#include "copy_binary.h"
#include "cur_json.h"
#include "cur_summary.h"
#include "cur_time.h"
#include "usage_type.h"

const char	bc_xf_copy_columns[] =
"billing_period, export_id, load_id, file_no, line_number, usage_start, "
"usage_end, line_item_type, payer_account_id, usage_account_id, billing_entity, "
"product_code, product_name, usage_type, operation, pricing_unit, usage_amount, "
"tokens, unblended_cost, net_unblended_cost, principal, tags, line_item_id, "
"resource_id, payer_account_name, usage_account_name, list_cost, invoice_id, currency";

/* ---------------------------------------------------------------------- */
/* decimals */

/* true when txt is a decimal numeric_in accepts (no NaN, no Infinity) */
bool
bc_xf_decimal_check(const char *txt, size_t len)
{
	bc_decimal_parts p;

	return bc_decimal_scan(txt, len, &p);
}

/* ---------------------------------------------------------------------- */
/* the billing period */

/* the billing period of a row, "YYYY-MM-01" */
bool
bc_xf_row_period(const bc_cur_row *row, char out[11])
{
	const bc_cur_field *f = &row->f[BC_COL_BILL_BILLING_PERIOD_START_DATE];
	bc_time		t;

	if (!bc_time_parse_cur(f->ptr, f->len, &t) || !bc_time_is_month_start(&t))
		return false;
	snprintf(out, 11, "%04d-%02d-01", t.year, t.month);
	return true;
}

/* ---------------------------------------------------------------------- */
/* state */

/* start a delivery */
bool
bc_xf_init(bc_xf *x, const char *period_text)
{
	int			ny,
				nm;

	memset(x, 0, sizeof(*x));
	snprintf(x->period_text, sizeof(x->period_text), "%s", period_text);
	x->period_year = atoi(x->period_text);
	x->period_month = atoi(x->period_text + 5);
	ny = x->period_year + (x->period_month == 12);
	nm = x->period_month % 12 + 1;
	snprintf(x->period_end_text, sizeof(x->period_end_text), "%04d-%02d-01", ny, nm);
	x->usage_min = (bc_time_days(x->period_year, x->period_month, 1) -
					BC_XF_USAGE_SLACK_DAYS) * BC_TIME_USEC_PER_DAY;
	x->usage_max = (bc_time_days(ny, nm, 1) + BC_XF_USAGE_SLACK_DAYS) * BC_TIME_USEC_PER_DAY;
	x->period_seen_len = -1;
	x->last_total = -1;
	x->usage_cap = 1024;
	x->usage = calloc(x->usage_cap, sizeof(char *));
	x->usage_list = calloc(x->usage_cap, sizeof(char *));
	x->usage_types = calloc(x->usage_cap, sizeof(char *));
	x->usage_products = calloc(x->usage_cap, sizeof(char *));
	if (x->usage == NULL || x->usage_list == NULL || x->usage_types == NULL ||
		x->usage_products == NULL)
		return false;
	return true;
}

/* release a delivery's state */
void
bc_xf_free(bc_xf *x)
{
	for (int i = 0; i < x->ntotals; i++)
	{
		free(x->totals[i].line_item_type);
		bc_xsum_free(&x->totals[i].unblended);
		bc_xsum_free(&x->totals[i].net);
		bc_xsum_free(&x->totals[i].rejected);
	}
	free(x->totals);
	for (int i = 0; i < x->nusage; i++)
	{
		free(x->usage_list[i]);
		free(x->usage_types[i]);
		free(x->usage_products[i]);
	}
	free(x->usage);
	free(x->usage_list);
	free(x->usage_types);
	free(x->usage_products);
	free(x->scratch);
	bc_sum_free(x->sum);
	memset(x, 0, sizeof(*x));
}

/* keep the delivery's summary */
bool
bc_xf_set_summary(bc_xf *x, size_t max_bytes)
{
	bc_sum_free(x->sum);
	x->sum = bc_sum_create(max_bytes);
	return x->sum != NULL;
}

/* the delivery's summary, NULL when none */
bc_sum *
bc_xf_summary(const bc_xf *x)
{
	return x->sum;
}

/* leading columns of the next file's lines (or binary rows) */
void
bc_xf_set_file(bc_xf *x, int32_t export_id, int64_t load_id, int file_no)
{
	bc_buf		b;

	if (!x->binary)
	{
		x->prefix_len = snprintf(x->prefix, sizeof(x->prefix), "%s\t%d\t%lld\t%d\t",
								 x->period_text, (int) export_id, (long long) load_id,
								 file_no);
		return;
	}
	/* field count, billing_period, export_id, load_id, file_no */
	bc_buf_init(&b);
	bc_cb_i16(&b, BC_XF_COPY_NCOLUMNS);
	bc_cb_date(&b, atoi(x->period_text), atoi(x->period_text + 5), 1);
	bc_cb_int4(&b, export_id);
	bc_cb_int8(&b, load_id);
	bc_cb_int4(&b, file_no);
	if (b.nomem || b.len > sizeof(x->prefix))
		x->nomem = true;
	else
	{
		memcpy(x->prefix, b.data, b.len);
		x->prefix_len = (int) b.len;
	}
	bc_buf_free(&b);
}

/* write binary COPY rows (bc_cb_header first) instead of text lines */
void
bc_xf_set_binary(bc_xf *x, bool binary)
{
	x->binary = binary;
}

/* the totals entry of (type, is_bedrock), created on first use; NULL on OOM */
static bc_xf_total *
total_for(bc_xf *x, const char *type, size_t len, bool is_bedrock)
{
	bc_xf_total *t;

	if (x->last_total >= 0)
	{
		t = &x->totals[x->last_total];
		if (t->is_bedrock == is_bedrock && strlen(t->line_item_type) == len &&
			memcmp(t->line_item_type, type, len) == 0)
			return t;
	}
	for (int i = 0; i < x->ntotals; i++)
	{
		t = &x->totals[i];
		if (t->is_bedrock == is_bedrock && strlen(t->line_item_type) == len &&
			memcmp(t->line_item_type, type, len) == 0)
		{
			x->last_total = i;
			return t;
		}
	}
	if (x->ntotals == x->cap_totals)
	{
		int			cap = x->cap_totals ? x->cap_totals * 2 : 16;
		bc_xf_total *n = realloc(x->totals, cap * sizeof(bc_xf_total));

		if (n == NULL)
			return NULL;
		x->totals = n;
		x->cap_totals = cap;
	}
	t = &x->totals[x->ntotals];
	memset(t, 0, sizeof(*t));
	t->line_item_type = malloc(len + 1);
	if (t->line_item_type == NULL)
		return NULL;
	memcpy(t->line_item_type, type, len);
	t->line_item_type[len] = '\0';
	t->is_bedrock = is_bedrock;
	bc_xsum_init(&t->unblended);
	bc_xsum_init(&t->net);
	bc_xsum_init(&t->rejected);
	x->last_total = x->ntotals++;
	return t;
}

/* FNV-1a of a usage type */
static uint32_t
hash_key(const char *s, size_t len)
{
	uint32_t	h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char) s[i]) * 16777619u;
	return h;
}

/* grow the usage-type set and lists to twice their size; false on OOM */
static bool
usage_grow(bc_xf *x)
{
	int			cap = x->usage_cap * 2;
	char	  **tab = calloc(cap, sizeof(char *));
	char	  **list = realloc(x->usage_list, cap * sizeof(char *));
	int			i;

	if (list != NULL)
		x->usage_list = list;
	list = realloc(x->usage_types, cap * sizeof(char *));
	if (list != NULL)
		x->usage_types = list;
	list = realloc(x->usage_products, cap * sizeof(char *));
	if (list != NULL)
		x->usage_products = list;
	if (tab == NULL || list == NULL)
	{
		free(tab);
		return false;
	}
	for (int k = 0; k < x->nusage; k++)
	{
		const char *s = x->usage_list[k];

		for (i = hash_key(s, strlen(s)) & (cap - 1); tab[i]; i = (i + 1) & (cap - 1))
			;
		tab[i] = x->usage_list[k];
	}
	free(x->usage);
	x->usage = tab;
	x->usage_cap = cap;
	return true;
}

/*
 * Remember a (usage type, product name) pair for the dimension table, as
 * the server's note_usage_type: keyed "type\x01product", pairs longer than
 * BC_XF_USAGE_KEY_LEN - 2 bytes skipped.
 */
static void
note_usage_type(bc_xf *x, const bc_cur_field *f, const char *product_name)
{
	char		key[BC_XF_USAGE_KEY_LEN];
	size_t		plen = product_name ? strlen(product_name) : 0;
	size_t		klen;
	int			i;

	if (f->len + plen + 2 > BC_XF_USAGE_KEY_LEN)
		return;
	memcpy(key, f->ptr, f->len);
	key[f->len] = '\x01';
	memcpy(key + f->len + 1, product_name ? product_name : "", plen);
	klen = f->len + 1 + plen;
	key[klen] = '\0';
	if (x->nusage * 2 >= x->usage_cap && !usage_grow(x))
	{
		x->nomem = true;
		return;
	}
	for (i = hash_key(key, klen) & (x->usage_cap - 1); x->usage[i];
		 i = (i + 1) & (x->usage_cap - 1))
	{
		if (strcmp(x->usage[i], key) == 0)
			return;
	}
	x->usage[i] = strdup(key);
	x->usage_types[x->nusage] = strndup(f->ptr, f->len);
	x->usage_products[x->nusage] = strdup(product_name ? product_name : "");
	if (x->usage[i] == NULL || x->usage_types[x->nusage] == NULL ||
		x->usage_products[x->nusage] == NULL)
	{
		x->nomem = true;
		return;
	}
	x->usage_list[x->nusage++] = x->usage[i];
}

/* ---------------------------------------------------------------------- */
/* row checks */

/* note a rejected value; always returns false */
static bool
reject(bc_xf *x, int col, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static bool
reject(bc_xf *x, int col, const char *fmt,...)
{
	va_list		ap;

	x->reject_col = col;
	va_start(ap, fmt);
	vsnprintf(x->reject_reason, sizeof(x->reject_reason), fmt, ap);
	va_end(ap);
	return false;
}

/*
 * A decimal column (a cost or an amount): a number, below
 * 10^BC_XF_MAX_MAGNITUDE in absolute value, scanned into *p; empty
 * allowed only when allow_empty (*p is then not set).
 */
static bool
check_decimal(bc_xf *x, const bc_cur_row *row, int col, bool allow_empty,
			  bc_decimal_parts *p)
{
	const bc_cur_field *f = &row->f[col];

	if (f->null || f->len == 0)
	{
		if (allow_empty)
			return true;
		return reject(x, col, "missing number");
	}
	if (!bc_decimal_scan(f->ptr, f->len, p))
		return reject(x, col, "invalid number");
	/* bc_decimal_below_pow10's shortcut, here: most costs take it */
	if ((p->exp10 != 0 || p->int_len > BC_XF_MAX_MAGNITUDE) &&
		!bc_decimal_below_pow10(f->ptr, p, BC_XF_MAX_MAGNITUDE))
		return reject(x, col, "number out of range (absolute value must be below 10^%d)",
					  BC_XF_MAX_MAGNITUDE);
	return true;
}

/* a timestamp column, its parts into *t */
static bool
check_timestamp(bc_xf *x, const bc_cur_row *row, int col, bc_time *t)
{
	const bc_cur_field *f = &row->f[col];

	if (!bc_time_parse_cur(f->ptr, f->len, t))
		return reject(x, col, "invalid timestamp");
	return true;
}

/*
 * The usage dates of a row (start and end as epoch microseconds): the end
 * not before the start, both within BC_XF_USAGE_SLACK_DAYS of the billing
 * period.
 */
static bool
check_usage_dates(bc_xf *x, int64_t start, int64_t end)
{
	if (end < start)
		return reject(x, BC_COL_LINE_ITEM_USAGE_END_DATE, "usage end before usage start");
	if (start < x->usage_min)
		return reject(x, BC_COL_LINE_ITEM_USAGE_START_DATE,
					  "usage date outside the billing period (%s to %s, %d days of slack)",
					  x->period_text, x->period_end_text, BC_XF_USAGE_SLACK_DAYS);
	if (end > x->usage_max)
		return reject(x, BC_COL_LINE_ITEM_USAGE_END_DATE,
					  "usage date outside the billing period (%s to %s, %d days of slack)",
					  x->period_text, x->period_end_text, BC_XF_USAGE_SLACK_DAYS);
	return true;
}

/*
 * Check that a map column is a JSON object; with want_name, find its
 * top-level "product_name" string (decoded into x->scratch, *name NULL when
 * absent).  Returns NULL or the reason.
 */
static const char *
json_object_check(bc_xf *x, const bc_cur_field *f, bool want_name, const char **name)
{
	bc_json_value v,
				key,
				val;
	bc_json_iter it;
	bc_json_status st;
	size_t		pos = 0;

	while (pos < f->len && (f->ptr[pos] == ' ' || f->ptr[pos] == '\t' ||
							f->ptr[pos] == '\n' || f->ptr[pos] == '\r'))
		pos++;
	if (pos >= f->len || f->ptr[pos] != '{')
		return "The value is not a JSON object.";
	st = bc_json_parse_value(f->ptr, f->len, &v, NULL);
	if (st == BC_JSON_STRING && memmem(f->ptr, f->len, "\\u0000", 6) != NULL)
		return "\\u0000 cannot be converted to text.";	/* PostgreSQL's wording */
	if (st != BC_JSON_OK)
		return bc_json_strerror(st);
	if (!want_name)
		return NULL;
	*name = NULL;
	if (bc_json_iter_object(&it, &v) != BC_JSON_OK)
		return NULL;
	while (bc_json_next(&it, &key, &val))
	{
		size_t		outlen;

		if (val.type != BC_JSON_T_STRING ||
			!bc_json_string_eq(&key, "product_name", 12))
			continue;
		if (x->scratch_cap < val.raw_len + 1)
		{
			char	   *p = realloc(x->scratch, val.raw_len + 1);

			if (p == NULL)
			{
				x->nomem = true;
				return NULL;
			}
			x->scratch = p;
			x->scratch_cap = val.raw_len + 1;
		}
		if (bc_json_decode(&val, x->scratch, x->scratch_cap, &outlen) == BC_JSON_OK)
			*name = x->scratch;
		break;
	}
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* COPY text */

/* append a field escaped for COPY text format */
static void
put_text(bc_buf *out, const char *s, size_t len)
{
	size_t		start = 0;

	for (size_t i = 0; i < len; i++)
	{
		const char *esc;

		switch (s[i])
		{
			case '\\':
				esc = "\\\\";
				break;
			case '\t':
				esc = "\\t";
				break;
			case '\n':
				esc = "\\n";
				break;
			case '\r':
				esc = "\\r";
				break;
			default:
				continue;
		}
		bc_buf_put(out, s + start, i - start);
		bc_buf_put(out, esc, 2);
		start = i + 1;
	}
	bc_buf_put(out, s + start, len - start);
}

/* append a column value and a tab */
static void
put_col(bc_buf *out, const bc_cur_field *f)
{
	put_text(out, f->ptr, f->len);
	bc_buf_putc(out, '\t');
}

/* append a column value, \N when null or empty, and a tab */
static void
put_field(bc_buf *out, const bc_cur_field *f)
{
	if (f->null || f->len == 0)
		bc_buf_put(out, "\\N", 2);
	else
		put_text(out, f->ptr, f->len);
	bc_buf_putc(out, '\t');
}

/* a checked decimal txt * 10^shift as text numeric_in reads exactly */
static void
put_shifted(bc_buf *out, const char *txt, size_t len, int shift)
{
	bc_decimal_parts p;

	if (shift == 0 || !bc_decimal_scan(txt, len, &p))
	{
		bc_buf_put(out, txt, len);
		return;
	}
	bc_buf_put(out, txt, p.mant_end);
	bc_buf_printf(out, "e%ld", p.exp10 + shift);
}

/*
 * Append the COPY text line of a checked Bedrock row; tokens_shift is the
 * power of ten turning usage_amount into tokens, or -1 for no tokens.
 */
static void
emit_text(bc_xf *x, const bc_cur_row *row, const char *product_name,
		  int tokens_shift, bc_buf *out)
{
	const bc_cur_field *f = row->f;
	const bc_cur_field *amount = &f[BC_COL_LINE_ITEM_USAGE_AMOUNT];
	const bc_cur_field *tags = &f[BC_COL_TAGS];

	bc_buf_put(out, x->prefix, x->prefix_len);
	bc_buf_printf(out, "%llu\t", (unsigned long long) row->line);
	put_col(out, &f[BC_COL_LINE_ITEM_USAGE_START_DATE]);
	put_col(out, &f[BC_COL_LINE_ITEM_USAGE_END_DATE]);
	put_col(out, &f[BC_COL_LINE_ITEM_LINE_ITEM_TYPE]);
	put_col(out, &f[BC_COL_BILL_PAYER_ACCOUNT_ID]);
	put_col(out, &f[BC_COL_LINE_ITEM_USAGE_ACCOUNT_ID]);
	put_field(out, &f[BC_COL_BILL_BILLING_ENTITY]);
	put_col(out, &f[BC_COL_LINE_ITEM_PRODUCT_CODE]);
	if (product_name != NULL)
		put_text(out, product_name, strlen(product_name));
	else
		bc_buf_put(out, "\\N", 2);
	bc_buf_putc(out, '\t');
	put_col(out, &f[BC_COL_LINE_ITEM_USAGE_TYPE]);
	put_field(out, &f[BC_COL_LINE_ITEM_OPERATION]);
	put_field(out, &f[BC_COL_PRICING_UNIT]);
	put_field(out, amount);
	if (tokens_shift >= 0)
		put_shifted(out, amount->ptr, amount->len, tokens_shift);
	else
		bc_buf_put(out, "\\N", 2);
	bc_buf_putc(out, '\t');
	put_col(out, &f[BC_COL_LINE_ITEM_UNBLENDED_COST]);
	put_field(out, &f[BC_COL_LINE_ITEM_NET_UNBLENDED_COST]);
	put_field(out, &f[BC_COL_LINE_ITEM_IAM_PRINCIPAL]);
	if (tags->null || tags->len == 0)
		bc_buf_put(out, "{}", 2);
	else
		put_text(out, tags->ptr, tags->len);
	bc_buf_putc(out, '\t');
	put_field(out, &f[BC_COL_IDENTITY_LINE_ITEM_ID]);
	put_field(out, &f[BC_COL_LINE_ITEM_RESOURCE_ID]);
	put_field(out, &f[BC_COL_BILL_PAYER_ACCOUNT_NAME]);
	put_field(out, &f[BC_COL_LINE_ITEM_USAGE_ACCOUNT_NAME]);
	put_field(out, &f[BC_COL_PRICING_PUBLIC_ON_DEMAND_COST]);
	put_field(out, &f[BC_COL_BILL_INVOICE_ID]);
	put_field(out, &f[BC_COL_LINE_ITEM_CURRENCY_CODE]);
	/* the last field ends the line, not a tab */
	if (!out->nomem && out->len > 0)
		out->data[out->len - 1] = '\n';
}

/* a value that is NULL when absent or empty (put_field's rule), binary */
static void
bin_field(bc_buf *out, const bc_cur_field *f)
{
	if (f->null || f->len == 0)
		bc_cb_null(out);
	else
		bc_cb_text(out, f->ptr, f->len);
}

/* a numeric that is NULL when absent or empty, binary */
static void
bin_numeric(bc_buf *out, const bc_cur_field *f, int shift)
{
	if (f->null || f->len == 0)
		bc_cb_null(out);
	else
		(void) bc_cb_numeric(out, f->ptr, f->len, shift);
}

/*
 * Append the binary COPY row of a checked Bedrock row: the same values as
 * emit_text, in the same order (every value was checked, so the
 * conversions cannot fail); the usage dates as the checks parsed them
 * (epoch microseconds).
 */
static void
emit_binary(bc_xf *x, const bc_cur_row *row, const char *product_name,
			int tokens_shift, int64_t usage_start, int64_t usage_end, bc_buf *out)
{
	const bc_cur_field *f = row->f;
	const bc_cur_field *amount = &f[BC_COL_LINE_ITEM_USAGE_AMOUNT];
	const bc_cur_field *tags = &f[BC_COL_TAGS];
	const bc_cur_field *principal = &f[BC_COL_LINE_ITEM_IAM_PRINCIPAL];
	const bc_cur_field *cost = &f[BC_COL_LINE_ITEM_UNBLENDED_COST];

	bc_buf_put(out, x->prefix, x->prefix_len);
	bc_cb_int8(out, (int64_t) row->line);
	bc_cb_timestamp(out, usage_start);
	bc_cb_timestamp(out, usage_end);
	bc_cb_text(out, f[BC_COL_LINE_ITEM_LINE_ITEM_TYPE].ptr, f[BC_COL_LINE_ITEM_LINE_ITEM_TYPE].len);
	bc_cb_text(out, f[BC_COL_BILL_PAYER_ACCOUNT_ID].ptr, f[BC_COL_BILL_PAYER_ACCOUNT_ID].len);
	bc_cb_text(out, f[BC_COL_LINE_ITEM_USAGE_ACCOUNT_ID].ptr, f[BC_COL_LINE_ITEM_USAGE_ACCOUNT_ID].len);
	bin_field(out, &f[BC_COL_BILL_BILLING_ENTITY]);
	bc_cb_text(out, f[BC_COL_LINE_ITEM_PRODUCT_CODE].ptr, f[BC_COL_LINE_ITEM_PRODUCT_CODE].len);
	if (product_name != NULL)
		bc_cb_text(out, product_name, strlen(product_name));
	else
		bc_cb_null(out);
	bc_cb_text(out, f[BC_COL_LINE_ITEM_USAGE_TYPE].ptr, f[BC_COL_LINE_ITEM_USAGE_TYPE].len);
	bin_field(out, &f[BC_COL_LINE_ITEM_OPERATION]);
	bin_field(out, &f[BC_COL_PRICING_UNIT]);
	bin_numeric(out, amount, 0);
	if (tokens_shift >= 0)
		bin_numeric(out, amount, tokens_shift);
	else
		bc_cb_null(out);
	(void) bc_cb_numeric(out, cost->ptr, cost->len, 0);
	bin_numeric(out, &f[BC_COL_LINE_ITEM_NET_UNBLENDED_COST], 0);
	if (principal->null || principal->len == 0)
		bc_cb_null(out);
	else
		bc_cb_versioned_text(out, principal->ptr, principal->len);
	if (tags->null || tags->len == 0)
		bc_cb_versioned_text(out, "{}", 2);
	else
		bc_cb_versioned_text(out, tags->ptr, tags->len);
	bin_field(out, &f[BC_COL_IDENTITY_LINE_ITEM_ID]);
	bin_field(out, &f[BC_COL_LINE_ITEM_RESOURCE_ID]);
	bin_field(out, &f[BC_COL_BILL_PAYER_ACCOUNT_NAME]);
	bin_field(out, &f[BC_COL_LINE_ITEM_USAGE_ACCOUNT_NAME]);
	bin_numeric(out, &f[BC_COL_PRICING_PUBLIC_ON_DEMAND_COST], 0);
	bin_field(out, &f[BC_COL_BILL_INVOICE_ID]);
	bin_field(out, &f[BC_COL_LINE_ITEM_CURRENCY_CODE]);
}

/* a field's text, NULL when absent or empty (put_field's rule); its length into *len */
static const char *
text_or_null(const bc_cur_field *f, size_t *len)
{
	*len = f->len;
	return f->null || f->len == 0 ? NULL : f->ptr;
}

/*
 * Add an emitted Bedrock row to the summary: the values emit_text and
 * emit_binary stored (usage_start as parsed, epoch microseconds), the
 * decimals as the checks scanned them (dec: unblended, net, usage amount;
 * the last two set only when not empty).  A summary that gives up does
 * not concern the row.
 */
static void
summarize_row(bc_xf *x, const bc_cur_row *row, const char *product_name,
			  int tokens_shift, int64_t usage_start, const bc_decimal_parts *dec)
{
	const bc_cur_field *f = row->f;
	const bc_cur_field *principal = &f[BC_COL_LINE_ITEM_IAM_PRINCIPAL];
	const bc_cur_field *tags = &f[BC_COL_TAGS];
	const bc_cur_field *net = &f[BC_COL_LINE_ITEM_NET_UNBLENDED_COST];
	const bc_cur_field *amount = &f[BC_COL_LINE_ITEM_USAGE_AMOUNT];
	int64_t		day = usage_start / BC_TIME_USEC_PER_DAY;
	bc_sum_row	r;

	if (usage_start % BC_TIME_USEC_PER_DAY < 0)
		day--;
	r.usage_date = (int32_t) (day - BC_TIME_PG_EPOCH_DAYS);
	r.payer = f[BC_COL_BILL_PAYER_ACCOUNT_ID].ptr;
	r.payer_len = f[BC_COL_BILL_PAYER_ACCOUNT_ID].len;
	r.account = f[BC_COL_LINE_ITEM_USAGE_ACCOUNT_ID].ptr;
	r.account_len = f[BC_COL_LINE_ITEM_USAGE_ACCOUNT_ID].len;
	r.line_item_type = f[BC_COL_LINE_ITEM_LINE_ITEM_TYPE].ptr;
	r.line_item_type_len = f[BC_COL_LINE_ITEM_LINE_ITEM_TYPE].len;
	r.product_name = product_name;
	r.product_name_len = product_name != NULL ? strlen(product_name) : 0;
	r.usage_type = f[BC_COL_LINE_ITEM_USAGE_TYPE].ptr;
	r.usage_type_len = f[BC_COL_LINE_ITEM_USAGE_TYPE].len;
	r.principal = principal->null || principal->len == 0 ? NULL : principal->ptr;
	r.principal_len = principal->len;
	r.tags = tags->null || tags->len == 0 ? "{}" : tags->ptr;
	r.tags_len = tags->null || tags->len == 0 ? 2 : tags->len;
	r.resource_id = text_or_null(&f[BC_COL_LINE_ITEM_RESOURCE_ID], &r.resource_id_len);
	r.payer_name = text_or_null(&f[BC_COL_BILL_PAYER_ACCOUNT_NAME], &r.payer_name_len);
	r.account_name = text_or_null(&f[BC_COL_LINE_ITEM_USAGE_ACCOUNT_NAME], &r.account_name_len);
	r.unblended = f[BC_COL_LINE_ITEM_UNBLENDED_COST].ptr;
	r.unblended_len = f[BC_COL_LINE_ITEM_UNBLENDED_COST].len;
	r.net = net->null || net->len == 0 ? NULL : net->ptr;
	r.net_len = net->len;
	r.usage_amount = amount->null || amount->len == 0 ? NULL : amount->ptr;
	r.usage_amount_len = amount->len;
	r.tokens_shift = tokens_shift;
	(void) bc_sum_add_scanned(x->sum, &r, &dec[0], &dec[1], &dec[2]);
}

/*
 * Check and append the COPY line of a Bedrock row; false when rejected.
 * dec: the scanned unblended and net unblended costs, and room for the
 * usage amount after them.
 */
static bool
emit_bedrock_row(bc_xf *x, const bc_cur_row *row, const char *product_name,
				 bc_decimal_parts *dec, bc_buf *out)
{
	const bc_cur_field *f = row->f;
	const bc_cur_field *bp = &f[BC_COL_BILL_BILLING_PERIOD_START_DATE];
	const bc_cur_field *principal = &f[BC_COL_LINE_ITEM_IAM_PRINCIPAL];
	const bc_cur_field *tags = &f[BC_COL_TAGS];
	const bc_cur_field *amount = &f[BC_COL_LINE_ITEM_USAGE_AMOUNT];
	int64_t		scale = 1;
	bool		is_tokens = false;
	int			shift = 0;
	bc_time		t,
				start,
				end;
	int64_t		start_usec,
				end_usec;
	bc_decimal_parts list;

	/* every row of a file spells its billing period alike: parse it once */
	if ((int) bp->len != x->period_seen_len ||
		memcmp(bp->ptr, x->period_seen, bp->len) != 0)
	{
		if (!bc_time_parse_cur(bp->ptr, bp->len, &t))
			return reject(x, BC_COL_BILL_BILLING_PERIOD_START_DATE, "invalid timestamp");
		if (t.year != x->period_year || t.month != x->period_month ||
			!bc_time_is_month_start(&t))
			return reject(x, BC_COL_BILL_BILLING_PERIOD_START_DATE,
						  "row of another billing period (the delivery is for %s)",
						  x->period_text);
		if (bp->len <= sizeof(x->period_seen))
		{
			memcpy(x->period_seen, bp->ptr, bp->len);
			x->period_seen_len = (int) bp->len;
		}
	}
	if (!check_timestamp(x, row, BC_COL_LINE_ITEM_USAGE_START_DATE, &start) ||
		!check_timestamp(x, row, BC_COL_LINE_ITEM_USAGE_END_DATE, &end))
		return false;
	start_usec = bc_time_epoch_usec(&start);
	end_usec = bc_time_epoch_usec(&end);
	if (!check_usage_dates(x, start_usec, end_usec) ||
		!check_decimal(x, row, BC_COL_LINE_ITEM_USAGE_AMOUNT, true, &dec[2]) ||
		!check_decimal(x, row, BC_COL_PRICING_PUBLIC_ON_DEMAND_COST, true, &list))
		return false;
	if (!principal->null && principal->len > 0)
	{
		bc_arn		a;
		bc_arn_error ae;

		if (bc_arn_parse(principal->ptr, principal->len, &a, &ae) != BC_ARN_OK)
			return reject(x, BC_COL_LINE_ITEM_IAM_PRINCIPAL,
						  "invalid IAM principal ARN (%s at byte %zu)",
						  ae.message, ae.pos);
	}
	if (!tags->null && tags->len > 0)
	{
		const char *why = json_object_check(x, tags, false, NULL);

		if (why != NULL)
			return reject(x, BC_COL_TAGS, "invalid tags map (%s)", why);
	}

	if (!amount->null && amount->len > 0)
	{
		const bc_cur_field *unit = &f[BC_COL_PRICING_UNIT];
		const bc_cur_field *desc = &f[BC_COL_LINE_ITEM_LINE_ITEM_DESCRIPTION];

		(void) bc_pricing_unit_scale(unit->ptr, unit->len, desc->ptr, desc->len,
									 &scale, &is_tokens);
	}
	if (is_tokens)
	{
		int64_t		s = scale;

		while (s > 1 && s % 10 == 0)
		{
			s /= 10;
			shift++;
		}
		if (s != 1)
			return reject(x, BC_COL_PRICING_UNIT,
						  "pricing unit scale %lld is not a power of ten",
						  (long long) scale);
	}
	if (x->binary)
		emit_binary(x, row, product_name, is_tokens ? shift : -1, start_usec, end_usec, out);
	else
		emit_text(x, row, product_name, is_tokens ? shift : -1, out);
	note_usage_type(x, &f[BC_COL_LINE_ITEM_USAGE_TYPE], product_name);
	if (x->sum != NULL)
		summarize_row(x, row, product_name, is_tokens ? shift : -1, start_usec, dec);
	return true;
}

/* classify, check, count and (Bedrock) emit one row */
bc_xf_result
bc_xf_row(bc_xf *x, const bc_cur_row *row, bc_buf *out)
{
	const bc_cur_field *f = row->f;
	const bc_cur_field *type = &f[BC_COL_LINE_ITEM_LINE_ITEM_TYPE];
	const bc_cur_field *pc = &f[BC_COL_LINE_ITEM_PRODUCT_CODE];
	const bc_cur_field *be = &f[BC_COL_BILL_BILLING_ENTITY];
	const bc_cur_field *prod = &f[BC_COL_PRODUCT];
	const bc_cur_field *cost = &f[BC_COL_LINE_ITEM_UNBLENDED_COST];
	const bc_cur_field *net = &f[BC_COL_LINE_ITEM_NET_UNBLENDED_COST];
	const char *product_name = NULL;
	bc_decimal_parts dec[3];	/* unblended, net, usage amount */
	size_t		before = out->len;
	bool		is_bedrock;
	bc_xf_total *t;

	x->rows_read++;
	is_bedrock = bc_is_bedrock_line(pc->ptr, pc->len, be->ptr, be->len, NULL, 0);
	if (is_bedrock ||
		(be->len == 15 && memcmp(be->ptr, "AWS Marketplace", 15) == 0))
	{
		if (prod->present && !prod->null && prod->len > 0)
		{
			const char *why = json_object_check(x, prod, true, &product_name);

			if (why != NULL)
			{
				reject(x, BC_COL_PRODUCT, "invalid product map (%s)", why);
				return BC_XF_REJECT;
			}
		}
		if (!is_bedrock && product_name != NULL)
			is_bedrock = bc_is_bedrock_line(pc->ptr, pc->len, be->ptr, be->len,
											product_name, strlen(product_name));
	}
	if (!check_decimal(x, row, BC_COL_LINE_ITEM_UNBLENDED_COST, false, &dec[0]) ||
		!check_decimal(x, row, BC_COL_LINE_ITEM_NET_UNBLENDED_COST, true, &dec[1]))
		return BC_XF_REJECT;
	if (is_bedrock && !emit_bedrock_row(x, row, product_name, dec, out))
	{
		/* a row rejected half way through leaves nothing of itself behind */
		out->len = before;
		return BC_XF_REJECT;
	}

	t = total_for(x, type->ptr, type->len, is_bedrock);
	if (t == NULL)
		x->nomem = true;
	if (x->nomem || out->nomem)
		return BC_XF_NOMEM;
	t->rows++;
	(void) bc_xsum_add(&t->unblended, cost->ptr, cost->len);
	if (net->present && !net->null && net->len > 0)
	{
		t->net_present = true;
		(void) bc_xsum_add(&t->net, net->ptr, net->len);
	}
	else if (net->present)
		t->net_present = true;
	if (is_bedrock)
	{
		x->rows_loaded++;
		return BC_XF_EMITTED;
	}
	x->rows_other++;
	return BC_XF_OTHER;
}

/* count a tolerated reject like the server (classified without product name) */
void
bc_xf_reject(bc_xf *x, const bc_cur_row *row)
{
	const bc_cur_field *t = &row->f[BC_COL_LINE_ITEM_LINE_ITEM_TYPE];
	const bc_cur_field *pc = &row->f[BC_COL_LINE_ITEM_PRODUCT_CODE];
	const bc_cur_field *be = &row->f[BC_COL_BILL_BILLING_ENTITY];
	const bc_cur_field *cost = &row->f[BC_COL_LINE_ITEM_UNBLENDED_COST];
	bc_decimal_parts p;
	bc_xf_total *tot;

	x->rows_rejected++;
	tot = total_for(x, t->ptr, t->len,
					bc_is_bedrock_line(pc->ptr, pc->len, be->ptr, be->len, NULL, 0));
	if (tot == NULL)
	{
		x->nomem = true;
		return;
	}
	tot->rejected_rows++;
	if (!cost->null && cost->len > 0 && bc_decimal_scan(cost->ptr, cost->len, &p) &&
		bc_decimal_below_pow10(cost->ptr, &p, BC_XF_MAX_MAGNITUDE))
		(void) bc_xsum_add(&tot->rejected, cost->ptr, cost->len);
}

/* the known columns of a row as JSON (the server's raw_row) */
void
bc_xf_raw_row(const bc_cur_row *row, bc_buf *b)
{
	bool		first = true;
	size_t		start = b->len;

	bc_buf_putc(b, '{');
	for (int c = 0; c < BC_COL__COUNT; c++)
	{
		const bc_cur_field *f = &row->f[c];

		if (!f->present)
			continue;
		if (!first)
			bc_buf_put(b, ", ", 2);
		first = false;
		bc_buf_put_json_string(b, bc_cur_columns[c].name, strlen(bc_cur_columns[c].name));
		bc_buf_put(b, ": ", 2);
		if (f->null)
			bc_buf_put(b, "null", 4);
		else
		{
			size_t		n = f->len < BC_XF_VALUE_MAX ? f->len : BC_XF_VALUE_MAX;

			/* pnstrdup stops at a NUL */
			n = strnlen(f->ptr, n);
			bc_buf_put_json_string(b, f->ptr, n);
		}
		if (b->len - start > BC_XF_RAW_MAX)
			break;
	}
	bc_buf_putc(b, '}');
}
