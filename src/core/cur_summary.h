/*-------------------------------------------------------------------------
 *
 * cur_summary.h
 *		The PostgreSQL-free chargeback summary of one delivery: its Amazon
 *		Bedrock rows summed, exactly, per usage day, accounts, line item
 *		type, product name, usage type, principal and tags map, while the
 *		rows stream through the row transformation.
 *
 * The grain is that of bedrock_cost.usage_summary (sql/install/40_loader.sql)
 * and of the chargeback views that read it: a group is the byte-exact
 * values of
 *
 *	 usage_date (the UTC day of line_item_usage_start_date), payer account,
 *	 usage account, line item type, product name (or none), usage type,
 *	 principal (or none), tags map text ("{}" when empty), resource id,
 *	 payer account name, usage account name (each or none)
 *
 * and holds
 *
 *	 line_items		rows
 *	 unblended		sum of line_item_unblended_cost
 *	 net			sum of line_item_net_unblended_cost where the row has one,
 *					else of its unblended cost
 *	 net_rows		rows with a net unblended cost
 *	 tokens			sum of usage_amount * 10^tokens_shift over the rows with
 *					tokens (NULL when none has)
 *	 usage_amount	sum of line_item_usage_amount over the rows with one
 *					(NULL when none has)
 *
 * Sums are exact (bc_xsum) and keep the display scale PostgreSQL's sum()
 * over the stored numeric values would have: the largest scale of the
 * values added, so a summary row reads exactly like the same sum over
 * line_items.  Two groups whose tags maps are the same jsonb but different
 * text are two summary rows; readers sum over the summary, so that only
 * makes the summary a little finer.
 *
 * Memory is bounded: every byte it allocates (string dictionary, groups,
 * tables, wide sums) counts against max_bytes; past it the summary gives
 * up (drops its groups, ignores further rows, bc_sum_overflowed() is true)
 * and the caller computes the summary another way
 * (bedrock_cost._summarize_load_table).  An allocation failure gives up
 * the same way with bc_sum_nomem() true.  A group takes about 150 bytes
 * (cur_summary.c), plus the texts the first time they are seen.
 *
 * Not thread-safe: one thread adds, then (or later) one thread emits.
 *
 * IDENTIFICATION
 *		src/core/cur_summary.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_CUR_SUMMARY_H
#define BC_CUR_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "decimal.h"

/* columns of a summary COPY row (bc_sum_copy_columns) */
#define BC_SUM_COPY_NCOLUMNS 20
/* columns of a period-grain summary COPY row (bc_sum_period_copy_columns) */
#define BC_SUM_PERIOD_COPY_NCOLUMNS 19
/* columns of a model-day summary COPY row (bc_sum_model_day_copy_columns) */
#define BC_SUM_MODEL_DAY_COPY_NCOLUMNS 25

/* the values of one accepted Bedrock row, as the transformation checked them */
typedef struct bc_sum_row
{
	int32_t		usage_date;		/* days since 2000-01-01 (UTC day of usage start) */
	const char *payer;
	size_t		payer_len;
	const char *account;
	size_t		account_len;
	const char *line_item_type;
	size_t		line_item_type_len;
	const char *product_name;	/* NULL: the row has none */
	size_t		product_name_len;
	const char *usage_type;
	size_t		usage_type_len;
	const char *principal;		/* NULL: the row has none */
	size_t		principal_len;
	const char *tags;			/* the tags map text, "{}" when empty */
	size_t		tags_len;
	const char *resource_id;	/* NULL: none (absent or empty) */
	size_t		resource_id_len;
	const char *payer_name;		/* NULL: none */
	size_t		payer_name_len;
	const char *account_name;	/* NULL: none */
	size_t		account_name_len;
	const char *unblended;		/* decimal text (bc_decimal_scan's grammar) */
	size_t		unblended_len;
	const char *net;			/* NULL: the row has no net unblended cost */
	size_t		net_len;
	const char *usage_amount;	/* NULL: the row has no usage amount */
	size_t		usage_amount_len;
	int			tokens_shift;	/* -1: not tokens; BC_SUM_TOKENS_GIVEN: tokens
								 * is the row's tokens value; else tokens =
								 * usage_amount * 10^tokens_shift (when
								 * usage_amount is not NULL) */
	const char *tokens;			/* with BC_SUM_TOKENS_GIVEN: decimal text, or
								 * NULL: the row has no tokens */
	size_t		tokens_len;
} bc_sum_row;

/*
 * tokens_shift of a row whose tokens are given as a value of their own
 * (bc_sum_row.tokens): a row read back from a table, where the tokens
 * were stored next to the usage amount (bc_sum_add only).
 */
#define BC_SUM_TOKENS_GIVEN (-2)

typedef struct bc_sum bc_sum;

/*
 * A summary that holds at most max_bytes of groups (keys, sums, table);
 * NULL on allocation failure.
 */
extern bc_sum *bc_sum_create(size_t max_bytes);
extern void bc_sum_free(bc_sum *s);

/*
 * Add one row.  Returns false when the summary is (or just became)
 * overflowed or out of memory; the caller then stops relying on it.  The
 * decimal texts must be ones bc_decimal_scan accepts (the transformation
 * checked them); one that is not makes the summary give up as on overflow.
 * With tokens_shift BC_SUM_TOKENS_GIVEN the tokens are summed from
 * r->tokens, whether or not the row has a usage amount.
 */
extern bool bc_sum_add(bc_sum *s, const bc_sum_row *r);

/*
 * Add a group of line_items rows summed already (a row of a summary read
 * back from its table): r's sums are the group's, with tokens_shift
 * BC_SUM_TOKENS_GIVEN and the net cost given (coalesced over the rows, as
 * the summary keeps it), net_rows the rows of them that had a net cost.
 * Sums and display scales add as bc_sum_add's do; anything else makes the
 * summary give up as on overflow.
 */
extern bool bc_sum_add_group(bc_sum *s, const bc_sum_row *r, int64_t line_items,
							 int64_t net_rows);

/*
 * bc_sum_add of a row whose decimals were scanned already: the
 * bc_decimal_scan of r->unblended, of r->net (ignored when that is NULL)
 * and of r->usage_amount (likewise).
 */
extern bool bc_sum_add_scanned(bc_sum *s, const bc_sum_row *r,
							   const bc_decimal_parts *unblended,
							   const bc_decimal_parts *net,
							   const bc_decimal_parts *usage_amount);

extern bool bc_sum_overflowed(const bc_sum *s);
extern bool bc_sum_nomem(const bc_sum *s);
/* groups held */
extern int64_t bc_sum_groups(const bc_sum *s);
/* bytes held, counted against max_bytes (the bc_sum itself included) */
extern size_t bc_sum_bytes(const bc_sum *s);

/*
 * Append the binary COPY rows (copy_binary.h; no file header, no trailer)
 * of the groups from *cursor on to out, in the column order of
 * bc_sum_copy_columns, until out->len reaches max_bytes or every group is
 * written; advances *cursor (start with 0).  Returns false when there was
 * no group left to write.  The constant columns: billing period
 * (period_year, period_month, day 1), export_id, load_id.  Groups come
 * in the order their first rows were added.  On allocation failure
 * out->nomem is set (and *cursor no longer advances): check it.
 */
extern bool bc_sum_emit(const bc_sum *s, size_t *cursor, int period_year, int period_month,
						int32_t export_id, int64_t load_id, bc_buf *out, size_t max_bytes);

/*
 * The values of a summary row, one cell per column after the constant
 * ones (billing_period, export_id, load_id), in the column order of the
 * summary's COPY columns: the one layout both bc_sum_emit (binary COPY
 * rows) and the server's direct tuple writer (loader_summary_insert.c)
 * render.
 */
typedef enum bc_sum_cell_kind
{
	BC_SUM_CELL_NULL,			/* SQL NULL */
	BC_SUM_CELL_DATE,			/* days: days since 2000-01-01 */
	BC_SUM_CELL_INT8,			/* i8 */
	BC_SUM_CELL_TEXT,			/* id: a text of the dictionary (bc_sum_text) */
	BC_SUM_CELL_VTEXT,			/* id: the same, as the text of a versioned
								 * binary type (iam_arn, jsonb) */
	BC_SUM_CELL_SUM				/* an exact sum shown with dscale digits:
								 * units * 10^-BC_XSUM_SCALE, or wide */
} bc_sum_cell_kind;

typedef struct bc_sum_cell
{
	bc_sum_cell_kind kind;
	int32_t		days;
	uint32_t	id;
	int			dscale;
	int64_t		i8;
	__int128	units;
	const bc_xsum *wide;		/* SUM: NULL when narrow (units) */
} bc_sum_cell;

/* the most cells of a row (model-day) */
#define BC_SUM_MAX_CELLS (BC_SUM_MODEL_DAY_COPY_NCOLUMNS - 3)

/*
 * The cells of the next row from *cursor (start with 0) into cells
 * (BC_SUM_MAX_CELLS of them); advances *cursor past it.  Returns the
 * number of cells, 0 when no row is left.  Rows come in bc_sum_emit's
 * order.
 */
extern int	bc_sum_next_cells(const bc_sum *s, size_t *cursor, bc_sum_cell *cells);

/* a text of the dictionary by its id (1..), not NUL-terminated; its length in *len */
extern const char *bc_sum_text(const bc_sum *s, uint32_t id, size_t *len);

/* the ids the dictionary holds are below this */
extern uint32_t bc_sum_text_ids(const bc_sum *s);

/*
 * The text of a SUM cell with its dscale digits after the point, as
 * numeric_in reads it; on allocation failure out->nomem is set.
 */
extern void bc_sum_cell_text(const bc_sum_cell *c, bc_buf *out);

/*
 * The columns of a summary COPY row, comma-separated:
 * billing_period, export_id, load_id, usage_date, payer_account_id,
 * usage_account_id, line_item_type, product_name, usage_type, principal,
 * tags, line_items, unblended_cost, net_unblended_cost, net_rows, tokens,
 * usage_amount
 */
extern const char bc_sum_copy_columns[];

/*
 * The same sums at the grain of a billing period: the groups of day (a
 * summary that neither overflowed nor ran out of memory) merged over their
 * usage days, exactly, in a new summary of at most max_bytes whose rows
 * (bc_sum_emit) have no usage_date column: bc_sum_period_copy_columns,
 * BC_SUM_PERIOD_COPY_NCOLUMNS.  This is the grain of chargeback_base
 * (bedrock_cost.usage_period), about a tenth of the rows of day for a month
 * of usage.  The tags maps are grouped by their jsonb text, as in
 * bc_sum_model_day (maps equal as jsonb are one group, and a map with a
 * number makes the rollup give up): usage_period has a unique index on
 * its grain.  Groups come in the order of their first day group.  NULL when
 * day cannot be rolled up or on allocation failure; a result that
 * overflowed max_bytes (or ran out of memory) says so like any summary
 * (bc_sum_overflowed, bc_sum_nomem) and holds nothing.  Free it with
 * bc_sum_free; it does not refer to day.
 */
extern bc_sum *bc_sum_period(const bc_sum *day, size_t max_bytes);

/* the columns of a period-grain summary COPY row: those of bc_sum_copy_columns without usage_date */
extern const char bc_sum_period_copy_columns[];

/*
 * The same sums at the grain of chargeback_daily (bedrock_cost.usage_daily):
 * per usage day, accounts, attribution, principal, tags map and model, the
 * tokens and costs of the four token kinds side by side, about a fifth of
 * the rows of day for a month of usage.  Its groups are exactly those SQL
 * makes of the same rows, so chargeback_daily reads them without grouping:
 *
 *	 attribution	that of bedrock_cost.attribution(principal, line item
 *					type): attributed, unattributed or account_level
 *	 principal		its text (an accepted IAM ARN text is canonical: equal
 *					iam_arn values are equal texts)
 *	 tags			the jsonb text of the map (jsonb_text.h), so maps equal
 *					as jsonb are one group; a map with a number makes the
 *					rollup give up (bc_sum_overflowed), and the caller
 *					groups in SQL
 *	 model			bedrock_cost.parse_usage_type's of the usage type and
 *					product name (bc_usage_type_parse, bc_row_model: the
 *					model as billed, before any alias)
 *
 * and holds line_items, unblended_cost and net_unblended_cost of every row,
 * then the tokens, the unblended and the net cost of the rows of each
 * token kind (input, output, cache_read, cache_write; NULL when no row of
 * the kind gave a value).  Rows: bc_sum_model_day_copy_columns.  Otherwise
 * as bc_sum_period.
 */
extern bc_sum *bc_sum_model_day(const bc_sum *day, size_t max_bytes);

extern const char bc_sum_model_day_copy_columns[];

#endif							/* BC_CUR_SUMMARY_H */
