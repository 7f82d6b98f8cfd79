/*-------------------------------------------------------------------------
 *
 * loader_copy.c
 *		Streams the files of one delivery through PostgreSQL's COPY
 *		machinery into the delivery's fresh table.
 *
 * BeginCopyFrom is given a data_source_cb that hands out the COPY data of
 * the core's delivery stream (cur_stream.c, shared with bedrock-cost-load):
 * it opens each file (gzip + CSV, columns by header name), runs the core
 * row transformation (cur_transform.c: keeps the Amazon Bedrock rows,
 * checks and transforms them, keeps the exact totals) and checks each
 * file's sha256 at its end.  CopyFrom does the rest (input functions,
 * multi-insert, pg_stat_progress_copy).  The callback has no user-data
 * argument, so its state is the file-static bc_copy (set for the duration
 * of one COPY).
 *
 * With bedrock_cost.read_ahead (the default) the stream reads and
 * transforms in the read-ahead thread of cur_pipe.c, which parks at every
 * file end, reader error and rejected row so that this file handles them
 * on the backend's own thread, as without it; and when the encodings allow
 * it the rows are binary COPY rows (copy_binary.c).
 *
 * Every row is counted in the delivery's exact totals by line item type
 * (Bedrock or not), so the whole file reconciles.  A bad value fails the
 * delivery with the stream's error naming file, line and column, unless
 * bedrock_cost.max_rejected_rows allows rejecting it (it is then kept in
 * the statistics for load_errors).  Reader errors (gzip, CSV syntax,
 * encoding, ragged rows) always fail the delivery: the reader cannot
 * resynchronise after them.  Where a failure was is kept for load_errors.
 *
 * The stream (the thread, malloc'd buffers, a file descriptor) is closed
 * by a reset callback of the copy's memory context, a child of the
 * subtransaction's CurTransactionContext, so an ERROR, a cancel or a FATAL
 * anywhere stops and joins the thread and cannot leak anything.
 *
 * IDENTIFICATION
 *		src/ext/loader_copy.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "copy_binary.h"
#include "cur_stream.h"
#include "cur_summary.h"
#include "cur_transform.h"
#include "guc.h"
#include "loader.h"

/* with the read-ahead thread: how long to wait for a chunk between interrupt checks */
#define PIPE_WAIT_MS 100

/* state of the COPY in progress */
typedef struct BcCopyState
{
	BcDelivery *d;
	BcLoadStats *stats;			/* lives in stats->cxt, survives an abort */
	bc_stream_file *files;		/* the delivery's files, for the stream */
	bc_stream	stream;			/* the reading of the delivery (core) */
	bool		stream_ready;
	bool		done;			/* every file read to its end */
	const char *src;			/* the COPY data being handed out ... */
	size_t		src_len;
	size_t		src_pos;		/* ... and how much of it was */
	bc_xf		xf;				/* the core transformation: lines, totals */
	bool		xf_ready;
} BcCopyState;

static BcCopyState *bc_copy = NULL;

/* where the error that failed the delivery was, for the ledger */
static BcRowError bc_fail_where;
static bool bc_fail_where_set = false;

/* ---------------------------------------------------------------------- */
/* lifetime and errors */

/* memory context reset callback: stop the thread and close the file whatever happened */
static void
close_stream_cb(void *arg)
{
	BcCopyState *cs = arg;

	if (cs->stream_ready)
		bc_stream_close(&cs->stream);
	cs->stream_ready = false;
	if (cs->xf_ready)
		bc_xf_free(&cs->xf);
	cs->xf_ready = false;
	if (bc_copy == cs)
		bc_copy = NULL;
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

/* a copy of a core string in the current memory context, NULL kept */
static char *
dup_or_null(const char *s)
{
	return s ? pstrdup(s) : NULL;
}

/*
 * Raise the failure the core reported (its message, the SQLSTATE of its
 * kind), keeping its position for load_errors.  The core's strings are
 * copied and freed first.
 */
static void
raise_error(bc_stream_error *e)
{
	char	   *message = pstrdup(e->message);
	char	   *detail = dup_or_null(e->detail);
	bc_stream_errkind kind = e->kind;
	int			sys_errno = e->sys_errno;
	int			code;

	if (e->has_where)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		bc_fail_where.file = dup_or_null(e->where.file);
		bc_fail_where.line = e->where.line;
		bc_fail_where.column = dup_or_null(e->where.column);
		bc_fail_where.value = dup_or_null(e->where.value);
		bc_fail_where.reason = NULL;
		bc_fail_where.raw = dup_or_null(e->where.raw);
		bc_fail_where_set = true;
		MemoryContextSwitchTo(old);
	}
	bc_stream_error_free(e);
	switch (kind)
	{
		case BC_STREAM_ERR_READ:
			errno = sys_errno;
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg_internal("%s", message)));
			break;
		case BC_STREAM_ERR_FORMAT:
		case BC_STREAM_ERR_ROW:
			code = ERRCODE_BAD_COPY_FILE_FORMAT;
			break;
		case BC_STREAM_ERR_CHANGED:
			code = ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE;
			break;
		case BC_STREAM_ERR_NO_ROWS:
			code = ERRCODE_NO_DATA;
			break;
		case BC_STREAM_ERR_PERIOD:
			code = ERRCODE_INVALID_DATETIME_FORMAT;
			break;
		case BC_STREAM_ERR_NOMEM:
			code = ERRCODE_OUT_OF_MEMORY;
			break;
		default:
			code = ERRCODE_INTERNAL_ERROR;
			break;
	}
	ereport(ERROR,
			(errcode(code),
			 errmsg_internal("%s", message),
			 detail ? errdetail_internal("%s", detail) : 0));
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
	bc_stream_file f;
	bc_stream_error e;
	char		period[11];

	bc_stream_file_set(&f, d->files[0].fd, d->files[0].path, d->files[0].sha256);
	if (!bc_stream_peek_period(&f, period, &e))
		raise_error(&e);
	d->period = date2j(atoi(period), atoi(period + 5), 1) - POSTGRES_EPOCH_JDATE;
	d->period_known = true;
}

/* ---------------------------------------------------------------------- */
/* the rows */

/*
 * A rejected row: keep it for load_errors while
 * bedrock_cost.max_rejected_rows allows, else fail the delivery naming
 * file, line and column.
 */
static void
reject_row(BcCopyState *cs)
{
	const bc_stream_where *r = &cs->stream.reject;
	MemoryContext old;
	BcRowError *e;

	if (!bc_stream_tolerate(&cs->stream, bc_max_rejected_rows))
		raise_error(&cs->stream.error);
	old = MemoryContextSwitchTo(cs->stats->cxt);
	e = palloc0(sizeof(BcRowError));
	e->file = pstrdup(r->file);
	e->line = r->line;
	e->column = pstrdup(r->column);
	e->value = pstrdup(r->value);
	e->reason = pstrdup(r->reason);
	e->raw = pstrdup(r->raw);
	cs->stats->rejects = lappend(cs->stats->rejects, e);
	cs->stats->rows_rejected++;
	MemoryContextSwitchTo(old);
}

/* the counters after a chunk: delivery, and the file it came from */
static void
apply_counts(BcCopyState *cs, const bc_stream_chunk *c)
{
	cs->stats->rows_read = c->rows_read;
	cs->stats->rows_loaded = c->rows_loaded;
	cs->stats->rows_other = c->rows_other;
	cs->stats->bytes_read = (int64) c->bytes_finished;
	if (c->file >= 0 && c->file < cs->d->nfiles)
	{
		BcLoadFile *file = &cs->d->files[c->file];

		file->rows_read = cs->files[c->file].rows_read;
		file->rows_loaded = cs->files[c->file].rows_loaded;
	}
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
		bc_buf_reset(&b);
		bc_xsum_text(&xt->rejected, &b);
		t->rejected = pnstrdup(b.data ? b.data : "0", b.len);
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

/*
 * Test only (bedrock_cost.debug_pause_after_rows): wait on the latch until
 * the statement is cancelled or the process terminated, never returning,
 * so that a test can interrupt a load at a known point rather than after
 * some time.  The wait is an extension wait event in pg_stat_activity.
 */
static void
debug_pause(void)
{
	static uint32 event = 0;

	if (event == 0)
		event = BC_WAIT_EVENT("BedrockCostDebugPause");
	for (;;)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1L, event);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * Take the next chunk of the delivery (or, with the read-ahead thread,
 * return with none after PIPE_WAIT_MS, so that the caller can check for
 * interrupts) and handle the event it ends with.
 */
static void
next_chunk(BcCopyState *cs)
{
	bc_stream_chunk c;
	bc_stream_event ev = bc_stream_next(&cs->stream, PIPE_WAIT_MS, &c);

	cs->src = c.data;
	cs->src_len = c.len;
	cs->src_pos = 0;
	if (ev == BC_STREAM_WAIT)
		return;
	apply_counts(cs, &c);
	switch (ev)
	{
		case BC_STREAM_FILE_START:
			bc_progress_file(c.file + 1, (int64) c.bytes_finished);
			break;
		case BC_STREAM_FILE_DONE:
			memcpy(cs->d->files[c.file].sha256, cs->files[c.file].sha256, 65);
			break;
		case BC_STREAM_REJECT:
			reject_row(cs);
			break;
		case BC_STREAM_ERROR:
			raise_error(&cs->stream.error);
			break;
		case BC_STREAM_END:
			cs->done = true;
			break;
		default:
			break;
	}
	bc_progress_rows(cs->stats->rows_read, (int64) c.bytes_read);
	if (bc_debug_pause_after_rows > 0 &&
		cs->stats->rows_loaded >= bc_debug_pause_after_rows)
		debug_pause();
}

/*
 * COPY's data source: hand out at least minread bytes of COPY data, fewer
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
		next_chunk(cs);
	}
	return n;
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
	bool		binary = false;
	char		period_text[11];
	int			y,
				m,
				day,
				rc;

	cs->d = d;
	cs->stats = stats;
	cs->files = palloc0(sizeof(bc_stream_file) * Max(d->nfiles, 1));
	for (int i = 0; i < d->nfiles; i++)
		bc_stream_file_set(&cs->files[i], d->files[i].fd, d->files[i].path, d->files[i].sha256);
	j2date(d->period + POSTGRES_EPOCH_JDATE, &y, &m, &day);
	snprintf(period_text, sizeof(period_text), "%04d-%02d-%02d", y, m, day);
	if (!bc_xf_init(&cs->xf, period_text))
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	cs->xf_ready = true;
	/* the chargeback summary while streaming, when its rows can be binary */
	if (bc_copy_binary_possible() && bc_summary_memory > 0 &&
		!bc_xf_set_summary(&cs->xf, (size_t) bc_summary_memory * 1024))
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	cb->func = close_stream_cb;
	cb->arg = cs;
	MemoryContextRegisterResetCallback(cxt, cb);

	/* bedrock_cost.read_ahead: when the system refuses a thread, load without it */
	rc = bc_stream_start(&cs->stream, cs->files, d->nfiles, &cs->xf, d->export_id,
						 load_id, bc_read_ahead);
	cs->stream_ready = true;
	if (rc != 0)
	{
		errno = rc;
		ereport(LOG,
				(errmsg("bedrock_cost could not start its read-ahead thread, loading without it: %m")));
	}
	if (bc_stream_piped(&cs->stream) && bc_copy_binary_possible())
	{
		binary = true;
		bc_xf_set_binary(&cs->xf, true);
		/* BeginCopyFrom reads the file header through the callback */
		cs->src = bc_cb_header;
		cs->src_len = BC_CB_HEADER_LEN;
		cs->src_pos = 0;
	}

	ereport(DEBUG1,
			(errmsg_internal("bedrock_cost: load %lld: read-ahead %s, %s COPY rows",
							 (long long) load_id, bc_stream_piped(&cs->stream) ? "on" : "off",
							 binary ? "binary" : "text")));

	bc_copy = cs;
	(void) bc_copy_into(table, bc_xf_copy_columns, BC_XF_COPY_NCOLUMNS, binary, bc_copy_read_cb,
						d, load_id, BC_PHASE_COPYING);
	bc_copy = NULL;
	collect_totals(cs);
	bc_summary_store(bc_xf_summary(&cs->xf), d, load_id, stats);

	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}
