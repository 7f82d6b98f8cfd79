/*-------------------------------------------------------------------------
 *
 * cur_transform.h
 *		The PostgreSQL-free transformation of CUR 2.0 rows into the loader's
 *		COPY text rows: Bedrock classification, value checks, exact totals
 *		by line item type, distinct usage types.
 *
 * This is the row logic of the server-side loader (src/ext/loader_copy.c)
 * in plain C, shared with it, so bedrock-cost-load produces the same
 * rows, the same totals and the same row errors as load_export:
 *
 *	- every row is counted in the totals of (line item type, Bedrock or not);
 *	- the costs of every row are checked (decimals below BC_XF_MAX_MAGNITUDE);
 *	- a Bedrock row (bc_is_bedrock_line, Marketplace rows by product name)
 *	  is checked (billing period, usage dates in order and within
 *	  BC_XF_USAGE_SLACK_DAYS of the billing period, usage amount, ARN,
 *	  tags map) and appended to the output as one COPY text line of the
 *	  delivery table;
 *	- a bad value makes bc_xf_row return BC_XF_REJECT with the column and
 *	  the reason; the caller applies its rejection policy (bc_xf_reject
 *	  counts a tolerated reject in the totals like the server does, its
 *	  unblended cost in the rejected sum when it is a number in range).
 *	- with bc_xf_set_summary, every emitted Bedrock row is also added to
 *	  the delivery's chargeback summary (cur_summary.h), with the values
 *	  its COPY row stores.
 *
 * Decimal checks accept what numeric_in accepts and totals are exact sums
 * (decimal.h: bc_decimal_scan, bc_xsum).  No floating point anywhere.
 *
 * Memory: bc_xf owns malloc'd tables; bc_xf_free releases them.
 * Allocation failure sets x->nomem and makes bc_xf_row return BC_XF_NOMEM.
 *
 * IDENTIFICATION
 *		src/core/cur_transform.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_CUR_TRANSFORM_H
#define BC_CUR_TRANSFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cur_reader.h"
#include "decimal.h"

/* columns of a COPY row (bc_xf_copy_columns) */
#define BC_XF_COPY_NCOLUMNS 29
/* longest reason text of a row error */
#define BC_XF_REASON_MAX 512
/* longest usage type + product name pair kept for the dimension (as the server) */
#define BC_XF_USAGE_KEY_LEN 512
/* bytes of a value, and of a raw row (bc_xf_raw_row), kept for load_errors */
#define BC_XF_VALUE_MAX 1000
#define BC_XF_RAW_MAX 10000

/*
 * Data-quality bounds (README, "Errors and rejected rows"): the unblended
 * and net unblended cost of every row, and the usage amount of a Bedrock
 * row, must be below 10^BC_XF_MAX_MAGNITUDE in absolute value; the usage
 * dates of a Bedrock row may lie at most BC_XF_USAGE_SLACK_DAYS days
 * before the first day of the billing period (usage start) or after the
 * first day of the next month (usage end).
 */
#define BC_XF_MAX_MAGNITUDE 15
#define BC_XF_USAGE_SLACK_DAYS 31

/* totals of one (line item type, Bedrock or not) */
typedef struct bc_xf_total
{
	char	   *line_item_type;
	bool		is_bedrock;
	int64_t		rows;
	int64_t		rejected_rows;
	bc_xsum		unblended;
	bc_xsum		net;
	bool		net_present;
	bc_xsum		rejected;		/* unblended cost of the rejected rows whose
								 * cost is a number below the bound */
} bc_xf_total;

/* what bc_xf_row did with a row */
typedef enum bc_xf_result
{
	BC_XF_OTHER = 0,			/* not Bedrock: counted, nothing emitted */
	BC_XF_EMITTED,				/* Bedrock: counted, one line appended */
	BC_XF_REJECT,				/* bad value: see x->reject_col / reject_reason */
	BC_XF_NOMEM					/* allocation failed */
} bc_xf_result;

/* the transformation state of one delivery */
typedef struct bc_xf
{
	char		period_text[11];	/* YYYY-MM-01 of the delivery */
	char		period_end_text[16];	/* YYYY-MM-01 of the next month */
	int			period_year;
	int			period_month;
	int64_t		usage_min;		/* earliest usage start allowed (epoch usec) */
	int64_t		usage_max;		/* latest usage end allowed (epoch usec) */
	char		period_seen[32];	/* the last bill_billing_period_start_date
									 * text found to be the period's start */
	int			period_seen_len;	/* its length, -1 when none */
	char		prefix[128];	/* constant leading columns of every line */
	int			prefix_len;

	int64_t		rows_read;
	int64_t		rows_loaded;
	int64_t		rows_other;
	int64_t		rows_rejected;

	bc_xf_total *totals;
	int			ntotals;
	int			cap_totals;
	int			last_total;

	char	  **usage;			/* open-addressing set of "type\x01product" keys */
	int			usage_cap;
	int			nusage;
	char	  **usage_list;		/* the keys in first-seen order */
	char	  **usage_types;	/* their usage types, same order */
	char	  **usage_products;	/* their product names ("" when none) */

	char	   *scratch;		/* decoded product_name */
	size_t		scratch_cap;

	/* the last rejected value */
	int			reject_col;
	char		reject_reason[BC_XF_REASON_MAX];

	bool		binary;			/* binary COPY rows instead of text lines */
	bool		nomem;

	struct bc_sum *sum;			/* the delivery's summary (cur_summary.h), or
								 * NULL */
} bc_xf;

/*
 * Start a delivery of billing period "YYYY-MM-01" (period_text).  Returns
 * false on allocation failure.
 */
extern bool bc_xf_init(bc_xf *x, const char *period_text);
extern void bc_xf_free(bc_xf *x);

/*
 * Emit rows in PostgreSQL's binary COPY format (copy_binary.h; the stream
 * must start with bc_cb_header) instead of text lines.  Before
 * bc_xf_set_file.
 */
extern void bc_xf_set_binary(bc_xf *x, bool binary);

/*
 * Keep the chargeback summary of the delivery's emitted rows
 * (cur_summary.h), within max_bytes.  After bc_xf_init; false on
 * allocation failure.  A summary that overflows or runs out of memory
 * later neither rejects a row nor fails the load: it only becomes
 * unusable (bc_sum_overflowed, bc_sum_nomem).
 */
extern bool bc_xf_set_summary(bc_xf *x, size_t max_bytes);
/* the summary bc_xf_set_summary made, NULL when none; freed by bc_xf_free */
extern struct bc_sum *bc_xf_summary(const bc_xf *x);

/* set the constant leading columns for the next file (period, ids, file_no) */
extern void bc_xf_set_file(bc_xf *x, int32_t export_id, int64_t load_id, int file_no);

/* transform one row, appending its COPY line to out when it is Bedrock */
extern bc_xf_result bc_xf_row(bc_xf *x, const bc_cur_row *row, bc_buf *out);

/*
 * Count a tolerated rejected row (after BC_XF_REJECT) the way the server
 * does: in the rejected_rows of its line item type, classified without the
 * product name, and its line_item_unblended_cost in the rejected sum when
 * that is a number below 10^BC_XF_MAX_MAGNITUDE.
 */
extern void bc_xf_reject(bc_xf *x, const bc_cur_row *row);

/* the known columns of a row as a JSON object (load_errors.raw) */
extern void bc_xf_raw_row(const bc_cur_row *row, bc_buf *b);

/*
 * The billing period "YYYY-MM-01" of a row's bill_billing_period_start_date
 * (must be a month's first day at midnight); false when it is not one.
 */
extern bool bc_xf_row_period(const bc_cur_row *row, char out[11]);

/* true when txt is a decimal bc_decimal_scan accepts */
extern bool bc_xf_decimal_check(const char *txt, size_t len);

/* columns the COPY lines fill, in order, comma-separated */
extern const char bc_xf_copy_columns[];

#endif							/* BC_CUR_TRANSFORM_H */
