/*-------------------------------------------------------------------------
 *
 * loader_copy.c
 *		Streams the files of one delivery through PostgreSQL's COPY
 *		machinery into the delivery's fresh table.
 *
 * BeginCopyFrom is given a data_source_cb that pulls rows from the core
 * CUR reader (gzip + CSV, columns by header name) and hands them to the
 * core row transformation (cur_transform.c, shared with bedrock-cost-load),
 * which keeps the Amazon Bedrock rows, checks and transforms them into
 * COPY text-format lines for CopyFrom (input functions, multi-insert and
 * pg_stat_progress_copy) and keeps the exact totals.  The callback has no
 * user-data argument, so its state is the file-static bc_copy (set for the
 * duration of one COPY).
 *
 * With bedrock_cost.read_ahead (the default) the reading and the row
 * transformation run in the read-ahead thread of cur_pipe.c, which parks
 * at every file end, reader error and rejected row so that this file
 * handles them on the backend's own thread, as without it; and when the
 * encodings allow it the rows are binary COPY rows (copy_binary.c).
 *
 * Every row is counted in the delivery's exact totals by line item type
 * (Bedrock or not), so the whole file reconciles.  A bad value fails the
 * delivery with an error naming file, line and column, unless
 * bedrock_cost.max_rejected_rows allows rejecting it (it is then kept in
 * the statistics for load_errors).  Reader errors (gzip, CSV syntax,
 * encoding, ragged rows) always fail the delivery: the reader cannot
 * resynchronise after them.
 *
 * The reader (malloc'd buffers, a file descriptor) is closed by a reset
 * callback of the copy's memory context, a child of the subtransaction's
 * CurTransactionContext, so an ERROR anywhere cannot leak it.
 *
 * IDENTIFICATION
 *		src/ext/loader_copy.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/copy.h"
#include "executor/executor.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_relation.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "arn.h"
#include "copy_binary.h"
#include "cur_pipe.h"
#include "cur_reader.h"
#include "cur_transform.h"
#include "guc.h"
#include "loader.h"
#include "usage_type.h"

/* COPY text buffered before handing it out */
#define FILL_TARGET 65536
/* with the read-ahead thread: bytes per chunk, and how long to wait for one */
#define PIPE_CHUNK_TARGET 131072
#define PIPE_WAIT_MS 100
/* cut stored values and raw rows to this size */
#define VALUE_MAX 1000
#define RAW_MAX 10000

/* the columns of the delivery table COPY fills, in the order emitted */
static const char *const copy_columns[] = {
	"billing_period", "export_id", "load_id", "file_no", "line_number",
	"usage_start", "usage_end", "line_item_type", "payer_account_id",
	"usage_account_id", "billing_entity", "product_code", "product_name",
	"usage_type", "operation", "pricing_unit", "usage_amount", "tokens",
	"unblended_cost", "net_unblended_cost", "principal", "tags",
	"line_item_id"
};

/* state of the COPY in progress */
typedef struct BcCopyState
{
	BcDelivery *d;
	BcLoadStats *stats;			/* lives in stats->cxt, survives an abort */
	int64		load_id;
	int			file_idx;		/* index of the open file, -1 before the first */
	bc_cur_reader *reader;
	bool		done;			/* every file read to its end */
	bc_buf		out;			/* COPY text made by fill() */
	const char *src;			/* the COPY text being handed out ... */
	size_t		src_len;
	size_t		src_pos;		/* ... and how much of it was */
	int64		file_read0;		/* rows_read and rows_loaded when the */
	int64		file_loaded0;	/* open file was opened */
	bc_pipe		pipe;			/* the read-ahead thread, when started */
	bool		piped;
	bool		binary;			/* binary COPY rows (with the pipe) */
	bool		chunk_held;		/* src is a chunk taken from the pipe */
	char		period_text[11];	/* YYYY-MM-01 */
	MemoryContext rowcxt;		/* reset after each row */
	bc_xf		xf;				/* the core transformation: lines, totals */
	bool		xf_ready;
	bc_cur_row	row;
} BcCopyState;

static BcCopyState *bc_copy = NULL;

/* where the error that failed the delivery was, for the ledger */
static BcRowError bc_fail_where;
static bool bc_fail_where_set = false;

/* ---------------------------------------------------------------------- */
/* reader lifetime */

/* memory context reset callback: close the reader whatever happened */
static void
close_reader_cb(void *arg)
{
	BcCopyState *cs = arg;

	/* the thread may be using the reader and the transformation: stop it first */
	bc_pipe_stop(&cs->pipe);
	cs->piped = false;
	if (cs->reader != NULL)
		bc_cur_close(cs->reader);
	cs->reader = NULL;
	if (cs->xf_ready)
		bc_xf_free(&cs->xf);
	cs->xf_ready = false;
	bc_buf_free(&cs->out);
	if (bc_copy == cs)
		bc_copy = NULL;
}

/* the message of a reader error, with its position */
static char *
reader_message(const bc_cur_error *e)
{
	char		buf[2048];

	return pstrdup(bc_cur_format_error(e, buf, sizeof(buf)));
}

/* remember where a failure was, for load_errors */
static void
set_fail_where(const char *file, int64 line, const char *column,
			   const char *value, const char *raw)
{
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

	bc_fail_where.file = file ? pstrdup(file) : NULL;
	bc_fail_where.line = line;
	bc_fail_where.column = (column && column[0]) ? pstrdup(column) : NULL;
	bc_fail_where.value = value ? pnstrdup(value, VALUE_MAX) : NULL;
	bc_fail_where.raw = raw ? pnstrdup(raw, RAW_MAX) : NULL;
	bc_fail_where.reason = NULL;
	bc_fail_where_set = true;
	MemoryContextSwitchTo(old);
}

/* forget the last failure position (called before each delivery) */
void
bc_copy_clear_failure(void)
{
	bc_fail_where_set = false;
	memset(&bc_fail_where, 0, sizeof(bc_fail_where));
}

/* where the last failure was, or NULL */
BcRowError *
bc_copy_failure(void)
{
	return bc_fail_where_set ? &bc_fail_where : NULL;
}

/* raise a reader error (gzip, CSV, encoding, shape) for file path */
static void
raise_reader_error(const char *path, bc_cur_status st, const bc_cur_error *e)
{
	set_fail_where(path, (int64) e->line, e->column, e->value[0] ? e->value : NULL, NULL);
	if (st == BC_CUR_ERR_IO)
	{
		errno = e->sys_errno;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read \"%s\": %m", path)));
	}
	ereport(ERROR,
			(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
			 errmsg("invalid CUR file \"%s\": %s", path, reader_message(e))));
}

/* open file i of the delivery, checking the columns the loader needs */
static bc_cur_reader *
open_file(BcDelivery *d, int i)
{
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_status st;
	const char *path = d->files[i].path;

	memset(&e, 0, sizeof(e));
	st = bc_cur_open_fd(&r, d->files[i].fd, path, BC_CUR_OPT_SHA256, &e);
	if (st != BC_CUR_OK)
		raise_reader_error(path, st, &e);
	return r;
}

/* ---------------------------------------------------------------------- */
/* the billing period of a file (load_file) */

/*
 * Learn the billing period of a load_file delivery from the first data
 * row's bill_billing_period_start_date.
 */
void
bc_peek_period(BcDelivery *d)
{
	BcCopyState *cs = palloc0(sizeof(BcCopyState));
	MemoryContextCallback *cb = palloc0(sizeof(MemoryContextCallback));
	bc_cur_status st;
	const bc_cur_field *f;
	int			y,
				m,
				day;
	bool		midnight;

	cb->func = close_reader_cb;
	cb->arg = cs;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	cs->reader = open_file(d, 0);
	st = bc_cur_next(cs->reader, &cs->row);
	if (st == BC_CUR_EOF)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA),
				 errmsg("\"%s\" has no data rows, so its billing period is unknown",
						d->files[0].path)));
	if (st != BC_CUR_ROW)
		raise_reader_error(d->files[0].path, st, bc_cur_error_get(cs->reader));
	f = &cs->row.f[BC_COL_BILL_BILLING_PERIOD_START_DATE];
	if (!bc_xf_timestamp_check(f->ptr, f->len, &y, &m, &day, &midnight) ||
		day != 1 || !midnight)
	{
		set_fail_where(d->files[0].path, (int64) cs->row.line,
					   "bill_billing_period_start_date", f->ptr, NULL);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_DATETIME_FORMAT),
				 errmsg("invalid billing period start in \"%s\", line %llu, column bill_billing_period_start_date: \"%s\"",
						d->files[0].path, (unsigned long long) cs->row.line,
						pnstrdup(f->ptr, VALUE_MAX))));
	}
	d->period = date2j(y, m, 1) - POSTGRES_EPOCH_JDATE;
	d->period_known = true;
	bc_cur_close(cs->reader);
	cs->reader = NULL;
}

/* ---------------------------------------------------------------------- */
/* row errors */

/* the known columns of a row as a JSON object: the raw row for load_errors */
static char *
raw_row(BcCopyState *cs)
{
	StringInfoData buf;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (int c = 0; c < BC_COL__COUNT; c++)
	{
		const bc_cur_field *f = &cs->row.f[c];

		if (!f->present)
			continue;
		if (!first)
			appendStringInfoString(&buf, ", ");
		first = false;
		escape_json(&buf, bc_cur_columns[c].name);
		appendStringInfoString(&buf, ": ");
		if (f->null)
			appendStringInfoString(&buf, "null");
		else
			escape_json(&buf, pnstrdup(f->ptr, Min(f->len, VALUE_MAX)));
		if (buf.len > RAW_MAX)
			break;
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * A bad value in a row: reject the row while bedrock_cost.max_rejected_rows
 * allows it, else fail the delivery naming file, line and column.
 */
static void
row_error(BcCopyState *cs, int col, const char *reason)
{
	const bc_cur_field *f = &cs->row.f[col];
	const char *path = cs->d->files[cs->file_idx].path;
	const char *colname = bc_cur_columns[col].name;
	char	   *value = pnstrdup(f->ptr, Min(f->len, VALUE_MAX));
	BcLoadStats *stats = cs->stats;

	if (stats->rows_rejected < bc_max_rejected_rows)
	{
		MemoryContext old = MemoryContextSwitchTo(stats->cxt);
		BcRowError *e = palloc0(sizeof(BcRowError));

		e->file = pstrdup(path);
		e->line = (int64) cs->row.line;
		e->column = pstrdup(colname);
		e->value = pstrdup(value);
		e->reason = pstrdup(reason);
		e->raw = raw_row(cs);
		stats->rejects = lappend(stats->rejects, e);
		stats->rows_rejected++;
		MemoryContextSwitchTo(old);
		bc_xf_reject(&cs->xf, &cs->row);
		return;
	}
	set_fail_where(path, (int64) cs->row.line, colname, value, raw_row(cs));
	if (bc_max_rejected_rows > 0)
		ereport(ERROR,
				(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
				 errmsg("more than %d rejected rows (bedrock_cost.max_rejected_rows)",
						bc_max_rejected_rows),
				 errdetail("The last one: %s in \"%s\", line %llu, column %s: \"%s\".",
						   reason, path, (unsigned long long) cs->row.line,
						   colname, value)));
	ereport(ERROR,
			(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
			 errmsg("%s in \"%s\", line %llu, column %s: \"%s\"",
					reason, path, (unsigned long long) cs->row.line, colname, value)));
}

/* ---------------------------------------------------------------------- */
/* one row */

/* allocation failed in the core reader or transformation */
static void
out_of_memory(BcCopyState *cs)
{
	ereport(ERROR,
			(errcode(ERRCODE_OUT_OF_MEMORY),
			 errmsg("out of memory while loading \"%s\"",
					cs->d->files[cs->file_idx].path)));
}

/* the transformation's counters after some rows: delivery and open file */
static void
apply_counts(BcCopyState *cs, int64 rows_read, int64 rows_loaded, int64 rows_other)
{
	cs->stats->rows_read = rows_read;
	cs->stats->rows_loaded = rows_loaded;
	cs->stats->rows_other = rows_other;
	if (cs->file_idx >= 0 && cs->file_idx < cs->d->nfiles)
	{
		BcLoadFile *file = &cs->d->files[cs->file_idx];

		file->rows_read = rows_read - cs->file_read0;
		file->rows_loaded = rows_loaded - cs->file_loaded0;
	}
}

/* the rows and compressed bytes read so far, for the progress view */
static void
report_progress(BcCopyState *cs, uint64 file_bytes)
{
	bc_progress_rows(cs->stats->rows_read, cs->stats->bytes_read + (int64) file_bytes);
}

/*
 * Classify, check, count and (for Bedrock rows) emit the current row with
 * the core transformation; a rejected value goes to row_error.
 */
static void
process_row(BcCopyState *cs)
{
	bc_xf	   *x = &cs->xf;
	bc_xf_result r = bc_xf_row(x, &cs->row, &cs->out);

	apply_counts(cs, x->rows_read, x->rows_loaded, x->rows_other);
	if (r == BC_XF_REJECT)
		row_error(cs, x->reject_col, x->reject_reason);
	else if (r == BC_XF_NOMEM)
		out_of_memory(cs);
}

/* move the core's totals and usage types into the statistics (stats->cxt) */
static void
collect_totals(BcCopyState *cs)
{
	MemoryContext old = MemoryContextSwitchTo(cs->stats->cxt);
	bc_xf	   *x = &cs->xf;
	bc_buf		b;

	bc_buf_init(&b);
	for (int i = 0; i < x->ntotals; i++)
	{
		bc_xf_total *xt = &x->totals[i];
		BcTotal    *t = palloc0(sizeof(BcTotal));

		t->line_item_type = pstrdup(xt->line_item_type);
		t->is_bedrock = xt->is_bedrock;
		t->rows = xt->rows;
		t->rejected_rows = xt->rejected_rows;
		bc_buf_reset(&b);
		bc_xsum_text(&xt->unblended, &b);
		t->unblended = pnstrdup(b.data ? b.data : "0", b.len);
		t->net_present = xt->net_present;
		if (xt->net_present)
		{
			bc_buf_reset(&b);
			bc_xsum_text(&xt->net, &b);
			t->net = pnstrdup(b.data ? b.data : "0", b.len);
		}
		cs->stats->totals = lappend(cs->stats->totals, t);
	}
	bc_buf_free(&b);
	for (int i = 0; i < x->nusage; i++)
	{
		cs->stats->usage_types = lappend(cs->stats->usage_types, pstrdup(x->usage_types[i]));
		cs->stats->usage_products = lappend(cs->stats->usage_products,
											pstrdup(x->usage_products[i]));
	}
	MemoryContextSwitchTo(old);
}

/* finish the open file: sizes, hash check, close */
static void
finish_file(BcCopyState *cs)
{
	BcLoadFile *file = &cs->d->files[cs->file_idx];
	char		hex[65];

	cs->stats->bytes_read += (int64) bc_cur_bytes_in(cs->reader);
	if (!bc_cur_sha256_hex(cs->reader, hex))
		elog(ERROR, "could not get the sha256 of \"%s\"", file->path);
	if (file->sha256[0] != '\0' && strcmp(file->sha256, hex) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("file \"%s\" changed while it was being loaded", file->path)));
	memcpy(file->sha256, hex, 65);
	bc_cur_close(cs->reader);
	cs->reader = NULL;
}

/* open the next file, or mark the stream done */
static void
next_file(BcCopyState *cs)
{
	cs->file_idx++;
	if (cs->file_idx >= cs->d->nfiles)
	{
		cs->done = true;
		return;
	}
	bc_progress_file(cs->file_idx + 1, cs->stats->bytes_read);
	cs->reader = open_file(cs->d, cs->file_idx);
	bc_xf_set_file(&cs->xf, cs->d->export_id, cs->load_id, cs->file_idx + 1);
	cs->file_read0 = cs->xf.rows_read;
	cs->file_loaded0 = cs->xf.rows_loaded;
}

/* refill cs->out with COPY text until FILL_TARGET bytes or the end */
static void
fill(BcCopyState *cs)
{
	MemoryContext old;

	bc_buf_reset(&cs->out);
	cs->src_pos = 0;
	old = MemoryContextSwitchTo(cs->rowcxt);
	while (!cs->done && cs->out.len < FILL_TARGET)
	{
		bc_cur_status st;

		if (cs->reader == NULL)
		{
			MemoryContextSwitchTo(old);
			next_file(cs);
			MemoryContextSwitchTo(cs->rowcxt);
			continue;
		}
		st = bc_cur_next(cs->reader, &cs->row);
		if (st == BC_CUR_ROW)
		{
			process_row(cs);
			MemoryContextReset(cs->rowcxt);
		}
		else if (st == BC_CUR_EOF)
		{
			MemoryContextSwitchTo(old);
			finish_file(cs);
			MemoryContextSwitchTo(cs->rowcxt);
		}
		else
			raise_reader_error(cs->d->files[cs->file_idx].path, st,
							   bc_cur_error_get(cs->reader));
	}
	MemoryContextSwitchTo(old);
	cs->src = cs->out.data;
	cs->src_len = cs->out.len;
	report_progress(cs, cs->reader ? bc_cur_bytes_in(cs->reader) : 0);
}

/*
 * The read-ahead thread stopped after chunk c (it is parked): handle why,
 * on this thread, as fill() would, and resume it.
 */
static void
handle_stop(BcCopyState *cs, const bc_pipe_chunk *c)
{
	MemoryContext old = MemoryContextSwitchTo(cs->rowcxt);

	switch (c->stop)
	{
		case BC_PIPE_MORE:
			break;
		case BC_PIPE_EOF:
			finish_file(cs);
			next_file(cs);
			if (!cs->done)
				bc_pipe_feed(&cs->pipe, cs->reader);
			break;
		case BC_PIPE_READ_ERROR:
			raise_reader_error(cs->d->files[cs->file_idx].path, c->status,
							   bc_cur_error_get(cs->reader));
			break;
		case BC_PIPE_REJECT:
			row_error(cs, cs->xf.reject_col, cs->xf.reject_reason);
			bc_pipe_feed(&cs->pipe, NULL);
			break;
		case BC_PIPE_NOMEM:
			out_of_memory(cs);
			break;
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(cs->rowcxt);
}

/*
 * With the read-ahead thread: give back the chunk handed out, take the
 * next one (or return with none after PIPE_WAIT_MS, so that the caller
 * can check for interrupts) and handle the stop it may end with.
 */
static void
fill_piped(BcCopyState *cs)
{
	bc_pipe_chunk *c;

	if (cs->chunk_held)
	{
		bc_pipe_release(&cs->pipe);
		cs->chunk_held = false;
		cs->src_len = cs->src_pos = 0;
	}
	if (cs->file_idx < 0)
	{
		next_file(cs);
		if (cs->done)
			return;
		bc_pipe_feed(&cs->pipe, cs->reader);
	}
	c = bc_pipe_take(&cs->pipe, PIPE_WAIT_MS);
	if (c == NULL)
		return;
	cs->chunk_held = true;
	cs->src = c->text.data;
	cs->src_len = c->text.len;
	cs->src_pos = 0;
	apply_counts(cs, c->rows_read, c->rows_loaded, c->rows_other);
	handle_stop(cs, c);
	report_progress(cs, c->stop == BC_PIPE_EOF ? 0 : c->bytes_in);
}

/*
 * COPY's data source: hand out at least minread bytes of COPY text, fewer
 * only at the end of the delivery.
 */
static int
bc_copy_read_cb(void *outbuf, int minread, int maxread)
{
	BcCopyState *cs = bc_copy;
	int			n = 0;

	if (cs == NULL)
		elog(ERROR, "bedrock_cost COPY callback called outside a load");
	while (n < minread)
	{
		int			avail = (int) (cs->src_len - cs->src_pos);

		if (avail > 0)
		{
			int			take = Min(avail, maxread - n);

			memcpy((char *) outbuf + n, cs->src + cs->src_pos, take);
			cs->src_pos += take;
			n += take;
			continue;
		}
		if (cs->done)
			break;
		CHECK_FOR_INTERRUPTS();
		if (cs->piped)
			fill_piped(cs);
		else
			fill(cs);
	}
	return n;
}

/* ---------------------------------------------------------------------- */
/* the COPY */

/* the checks DoCopy makes before a COPY FROM, which CopyFrom does not */
static void
check_copy_allowed(ParseState *pstate, ParseNamespaceItem *nsitem,
				   Relation rel, List *attnames)
{
	BcPermInfo *perm = BC_PERMINFO(nsitem);
	TupleDesc	desc = RelationGetDescr(rel);
	ListCell   *lc;

	perm->requiredPerms = ACL_INSERT;
	foreach(lc, attnames)
	{
		const char *name = strVal(lfirst(lc));

		for (int i = 0; i < desc->natts; i++)
		{
			if (strcmp(NameStr(TupleDescAttr(desc, i)->attname), name) == 0)
				perm->insertedCols = bms_add_member(perm->insertedCols,
												   i + 1 - FirstLowInvalidHeapAttributeNumber);
		}
	}
	BC_ExecCheckPermissions(pstate, true);
	if (check_enable_rls(RelationGetRelid(rel), InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY FROM not supported with row-level security")));
	PreventCommandIfReadOnly("COPY FROM");
	PreventCommandIfParallelMode("COPY FROM");
}

/*
 * Whether the rows can go to COPY in binary format.  The receive functions
 * of text, jsonb and iam_arn take their bytes in the client encoding
 * (pq_getmsgtext), while the files are UTF-8: binary needs a UTF-8
 * database and a UTF-8 (or SQL_ASCII, as in a background worker) client
 * encoding.  Otherwise the text format with COPY's ENCODING 'UTF8' is used.
 */
static bool
binary_possible(void)
{
	int			client = pg_get_client_encoding();

	return GetDatabaseEncoding() == PG_UTF8 &&
		(client == PG_UTF8 || client == PG_SQL_ASCII);
}

/*
 * Start the read-ahead thread (bedrock_cost.read_ahead); when the system
 * refuses a thread, load without it.
 */
static void
start_read_ahead(BcCopyState *cs)
{
	int			rc = bc_pipe_start(&cs->pipe, &cs->xf, &cs->row, PIPE_CHUNK_TARGET);

	if (rc == 0)
	{
		cs->piped = true;
		return;
	}
	errno = rc;
	ereport(LOG,
			(errmsg("bedrock_cost could not start its read-ahead thread, loading without it: %m")));
}

/*
 * Load the files of delivery d into its fresh table (bedrock_cost.<table>)
 * with one COPY.  Fills stats (allocated in stats->cxt, which must outlive
 * an abort of the current subtransaction).
 */
void
bc_copy_delivery(BcDelivery *d, int64 load_id, const char *table,
				 BcLoadStats *stats)
{
	MemoryContext cxt = AllocSetContextCreate(CurTransactionContext,
											  "bedrock_cost copy",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	MemoryContextCallback *cb = palloc0(sizeof(MemoryContextCallback));
	BcCopyState *cs = palloc0(sizeof(BcCopyState));
	Relation	rel;
	ParseState *pstate;
	ParseNamespaceItem *nsitem;
	List	   *attnames = NIL;
	List	   *options;
	CopyFromState cstate;
	int			y,
				m,
				day;

	cs->d = d;
	cs->stats = stats;
	cs->load_id = load_id;
	cs->file_idx = -1;
	bc_buf_init(&cs->out);
	cs->rowcxt = AllocSetContextCreate(cxt, "bedrock_cost row", ALLOCSET_SMALL_SIZES);
	j2date(d->period + POSTGRES_EPOCH_JDATE, &y, &m, &day);
	snprintf(cs->period_text, sizeof(cs->period_text), "%04d-%02d-%02d", y, m, day);
	if (!bc_xf_init(&cs->xf, cs->period_text))
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	cs->xf_ready = true;
	cb->func = close_reader_cb;
	cb->arg = cs;
	MemoryContextRegisterResetCallback(cxt, cb);
	if (bc_read_ahead)
		start_read_ahead(cs);
	if (cs->piped && binary_possible())
	{
		cs->binary = true;
		bc_xf_set_binary(&cs->xf, true);
		/* BeginCopyFrom reads the file header through the callback */
		cs->src = bc_cb_header;
		cs->src_len = BC_CB_HEADER_LEN;
		cs->src_pos = 0;
	}

	rel = table_openrv(makeRangeVar("bedrock_cost", pstrdup(table), -1), RowExclusiveLock);
	pstate = make_parsestate(NULL);
	nsitem = addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock, NULL, false, false);
	for (int i = 0; i < lengthof(copy_columns); i++)
		attnames = lappend(attnames, makeString(pstrdup(copy_columns[i])));
	check_copy_allowed(pstate, nsitem, rel, attnames);
	ereport(DEBUG1,
			(errmsg_internal("bedrock_cost: load %lld: read-ahead %s, %s COPY rows",
							 (long long) load_id, cs->piped ? "on" : "off",
							 cs->binary ? "binary" : "text")));
	if (cs->binary)
		options = list_make1(makeDefElem("format", (Node *) makeString("binary"), -1));
	else
		options = list_make2(makeDefElem("format", (Node *) makeString("text"), -1),
							 makeDefElem("encoding", (Node *) makeString("UTF8"), -1));

	bc_copy = cs;
	cstate = BC_BeginCopyFrom(pstate, rel, NULL, NULL, false, bc_copy_read_cb,
							  attnames, options);
	bc_progress_phase(d, load_id, BC_PHASE_COPYING);
	(void) CopyFrom(cstate);
	EndCopyFrom(cstate);
	bc_copy = NULL;
	collect_totals(cs);

	table_close(rel, NoLock);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}
