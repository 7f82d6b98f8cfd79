/*-------------------------------------------------------------------------
 *
 * worker_poll.c
 *		One poll of the registered exports: scan each export folder,
 *		decide whether its deliveries are ready, load them with the loader,
 *		and record the outcome.  Shared by the launcher (a transaction per
 *		step: list, scan an export, load it) and bedrock_cost.poll_now()
 *		(the caller's transaction).  worker_launcher.c documents the
 *		transactions, memory contexts and locking.
 *
 * The state of each delivery (worker_scan.c finds them) is kept in
 * bedrock_cost.export_deliveries:
 *	 incomplete	 a file the manifest lists is missing;
 *	 settling	 complete, with a fingerprint first seen by this poll: it
 *				 must be unchanged on a later poll before it is loaded, so
 *				 files still being written are not read;
 *	 loaded		 the loader loaded it (or found it already loaded);
 *	 failed		 the last attempt failed: retried when next_attempt has
 *				 passed (poll_interval doubled per failure, capped at an
 *				 hour), or at once when its fingerprint changes.
 * A poll loads an export when at least one delivery is ready and none is
 * settling.  It then calls bedrock_cost.load_export() on the folder, which
 * loads every delivery it has not loaded yet, each in its own
 * subtransaction, and returns one row per delivery (failures are returned,
 * not raised).  The call, the refresh of the chargeback views
 * (bedrock_cost.refresh_chargeback(), when it exists) and the NOTIFYs run
 * in one subtransaction of the export's transaction: if any of them
 * raises, all of it is rolled back and the error recorded on the ready
 * deliveries; the poll then goes on with the next export.  A load that
 * dies with its process leaves a committed loading marker, which a later
 * scan turns into an 'interrupted' failure.
 *
 * Every SQL text here runs under search_path "pg_catalog, pg_temp" (the
 * launcher pins it for its process, poll_now for its own duration) and
 * also names every operator, type and function with its schema:
 * OPERATOR(pg_catalog.=), $1::pg_catalog.int4, pg_catalog.clock_timestamp(),
 * and joins use ON, not USING (which looks "=" up in the search_path).
 * LEAST is spelt pg_catalog.int4smaller/float8smaller.  The worker runs
 * as the bootstrap superuser or as bedrock_cost.worker_role, and nothing
 * a database owner or schema creator puts on the path may run in its place.
 * test/t/066_sql_qualified.pl checks these texts mechanically.
 *
 * IDENTIFICATION
 *		src/ext/worker_poll.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "guc.h"
#include "loader.h"
#include "subxact.h"
#include "worker.h"

PG_FUNCTION_INFO_V1(bedrock_cost_poll_now);

/* longest backoff after failures, unless poll_interval is longer */
#define BC_BACKOFF_CAP_S 3600

bool		bc_in_launcher = false;
int			bc_debug_load_pause_ms = 0;

/* a registered export */
typedef struct PollExport
{
	char	   *id;				/* export_id, as text for SPI parameters */
	char	   *name;
	char	   *path;			/* absolute */
} PollExport;

/* one row returned by bedrock_cost.load_export() */
typedef struct LoaderRow
{
	char	   *load_id;
	char	   *period;			/* YYYY-MM-DD */
	char	   *execution_id;
	char	   *status;			/* done, noop, failed */
	char	   *rows_loaded;
	char	   *rows_rejected;
	char	   *error;
} LoaderRow;

/* the load of one export folder */
typedef struct LoadCall
{
	PollExport *export;
	const char *exportdir;
	MemoryContext cxt;			/* where rows go: outlives the subtransaction */
	List	   *rows;			/* of LoaderRow * */
	long		duration_ms;
} LoadCall;

/* what reconcile_delivery decided */
typedef enum
{
	DL_WAIT,					/* nothing to do now */
	DL_SETTLING,				/* complete but changed recently */
	DL_READY					/* to load */
} DeliveryDecision;

/* ---------------------------------------------------------------------
 * SPI, subtransactions, steps
 * ---------------------------------------------------------------------
 */

/* run one statement with text parameters (NULL pointer: SQL NULL) */
static void
spi_run(const char *sql, int nargs, const char **args, int expected)
{
	Oid			types[10] = {0};
	Datum		values[10] = {0};
	char		nulls[10] = {0};
	int			rc;
	int			i;

	Assert(nargs <= 10);
	for (i = 0; i < nargs; i++)
	{
		types[i] = TEXTOID;
		values[i] = args[i] ? CStringGetTextDatum(args[i]) : (Datum) 0;
		nulls[i] = args[i] ? ' ' : 'n';
	}
	rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);
	if (rc != expected)
		elog(ERROR, "bedrock_cost: unexpected SPI result %d for: %s", rc, sql);
}

/* column col (1-based) of row row of the last result, copied into cxt */
static char *
spi_text(uint64 row, int col, MemoryContext cxt)
{
	char	   *v = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);

	return v ? MemoryContextStrdup(cxt, v) : NULL;
}

/* a boolean column of the last result (NULL reads as false) */
static bool
spi_bool(uint64 row, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc,
								  col, &isnull);

	return !isnull && DatumGetBool(d);
}

/*
 * Run fn(arg) in a subtransaction of the current transaction.  Returns
 * NULL on success; on error the subtransaction is rolled back and the
 * error message (allocated in the caller's context) is returned.
 */
char *
bc_worker_try(void (*fn) (void *arg), void *arg)
{
	ErrorData  *edata = bc_subxact_try(fn, arg, CurrentMemoryContext);
	char	   *err;

	if (edata == NULL)
		return NULL;
	err = bc_error_text(edata);
	FreeErrorData(edata);
	return err;
}

/*
 * Run one step.  In the launcher (own_xacts) the step is a transaction of
 * its own; an error that escapes it (bookkeeping, not a load: loads are
 * caught in their subtransaction) is logged, the transaction aborted, and
 * the poll goes on.  In poll_now the step runs in the caller's transaction
 * and errors propagate.
 */
static void
run_step(bool own_xacts, const char *activity, void (*fn) (void *arg), void *arg)
{
	MemoryContext cxt = CurrentMemoryContext;

	if (!own_xacts)
	{
		fn(arg);
		return;
	}
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	debug_query_string = activity;
	pgstat_report_activity(STATE_RUNNING, activity);
	PG_TRY();
	{
		fn(arg);
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		EmitErrorReport();
		AbortCurrentTransaction();
		FlushErrorState();
	}
	PG_END_TRY();
	debug_query_string = NULL;
	MemoryContextSwitchTo(cxt);
	pgstat_report_stat(false);
}

/* the backoff settings as SPI parameters: base and cap, in seconds */
static void
backoff_args(char base[16], char cap[16])
{
	snprintf(base, 16, "%d", bc_poll_interval);
	snprintf(cap, 16, "%d", Max(BC_BACKOFF_CAP_S, bc_poll_interval));
}

/* SQL for the next attempt after failure number (failures + 1), $base and $cap */
#define BACKOFF_SQL(failures, base, cap) \
	"pg_catalog.clock_timestamp() OPERATOR(pg_catalog.+) pg_catalog.make_interval(secs =>" \
	" pg_catalog.float8smaller(" cap "::pg_catalog.float8, " base "::pg_catalog.float8" \
	" OPERATOR(pg_catalog.*) pg_catalog.power(2, pg_catalog.int4smaller(" failures ", 30))))"

/* ---------------------------------------------------------------------
 * the extension, the exports
 * ---------------------------------------------------------------------
 */

/*
 * Whether the extension is installed in this database.  Read from the
 * catalogs, which need no privilege: to_regclass() would raise for a
 * worker role without USAGE on the schema yet.
 */
bool
bc_extension_ready(void)
{
	bool		ready;

	SPI_connect();
	spi_run("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension x"
			"  WHERE x.extname OPERATOR(pg_catalog.=) 'bedrock_cost')"
			" AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
			"  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
			"  WHERE n.nspname OPERATOR(pg_catalog.=) 'bedrock_cost'"
			"  AND c.relname OPERATOR(pg_catalog.=) 'export_deliveries')",
			0, NULL, SPI_OK_SELECT);
	ready = spi_bool(0, 1);
	SPI_finish();
	return ready;
}

/* the exports to poll, and where to put them */
typedef struct ExportList
{
	MemoryContext cxt;
	List	   *exports;
} ExportList;

/* step: the registered exports that are not paused, in name order */
static void
list_exports(void *arg)
{
	ExportList *el = arg;
	uint64		i;

	SPI_connect();
	spi_run("SELECT export_id, export_name, path FROM bedrock_cost.exports"
			" WHERE export_name IS NOT NULL AND NOT paused ORDER BY export_name",
			0, NULL, SPI_OK_SELECT);
	for (i = 0; i < SPI_processed; i++)
	{
		PollExport *e = MemoryContextAllocZero(el->cxt, sizeof(PollExport));
		MemoryContext old;

		e->id = spi_text(i, 1, el->cxt);
		e->name = spi_text(i, 2, el->cxt);
		e->path = spi_text(i, 3, el->cxt);
		old = MemoryContextSwitchTo(el->cxt);
		el->exports = lappend(el->exports, e);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
}

/*
 * Lock the export for this transaction and check it is still registered,
 * not paused, and not backing off after a failed scan.  False: skip it
 * (another session is polling it, or there is nothing to do).
 */
static bool
claim_export(PollExport *e)
{
	const char *args[1] = {e->id};

	spi_run("SELECT pg_catalog.pg_try_advisory_xact_lock("
			"pg_catalog.hashtext('bedrock_cost export'), $1::pg_catalog.int4)",
			1, args, SPI_OK_SELECT);
	if (!spi_bool(0, 1))
		return false;
	spi_run("SELECT s.scan_next_attempt IS NULL"
			"  OR s.scan_next_attempt OPERATOR(pg_catalog.<=) pg_catalog.clock_timestamp()"
			" FROM bedrock_cost.exports e"
			" LEFT JOIN bedrock_cost.export_state s"
			"  ON s.export_id OPERATOR(pg_catalog.=) e.export_id"
			" WHERE e.export_id OPERATOR(pg_catalog.=) $1::pg_catalog.int4"
			"  AND e.export_name IS NOT NULL AND NOT e.paused",
			1, args, SPI_OK_SELECT);
	if (SPI_processed != 1 || !spi_bool(0, 1))
		return false;
	spi_run("INSERT INTO bedrock_cost.export_state AS s (export_id, last_poll)"
			" VALUES ($1::pg_catalog.int4, pg_catalog.clock_timestamp()) ON CONFLICT (export_id)"
			" DO UPDATE SET last_poll = excluded.last_poll",
			1, args, SPI_OK_INSERT);
	return true;
}

/* ---------------------------------------------------------------------
 * recording what was found and what happened
 * ---------------------------------------------------------------------
 */

/* the last error of an export, for export_status */
static void
record_export_error(PollExport *e, const char *err)
{
	spi_run("UPDATE bedrock_cost.export_state SET last_error = $2,"
			" last_error_at = pg_catalog.clock_timestamp()"
			" WHERE export_id OPERATOR(pg_catalog.=) $1::pg_catalog.int4",
			2, (const char *[]) {e->id, err}, SPI_OK_UPDATE);
}

/* a failure to scan the export folder: counted, backed off, logged */
static void
record_scan_failure(PollExport *e, const char *err)
{
	char		base[16];
	char		cap[16];

	backoff_args(base, cap);
	spi_run("UPDATE bedrock_cost.export_state"
			" SET scan_failures = scan_failures OPERATOR(pg_catalog.+) 1,"
			" scan_next_attempt = " BACKOFF_SQL("scan_failures", "$3", "$4") ","
			" last_error = $2, last_error_at = pg_catalog.clock_timestamp()"
			" WHERE export_id OPERATOR(pg_catalog.=) $1::pg_catalog.int4",
			4, (const char *[]) {e->id, err, base, cap}, SPI_OK_UPDATE);
	ereport(LOG,
			(errmsg("bedrock_cost: could not scan export \"%s\": %s", e->name, err)));
}

/* a failed attempt at a delivery: counted, backed off, kept as last error */
static void
record_delivery_failure(PollExport *e, const BcWorkerDelivery *dl, const char *err)
{
	char		base[16];
	char		cap[16];

	backoff_args(base, cap);
	spi_run("INSERT INTO bedrock_cost.export_deliveries AS d (export_id, manifest,"
			" billing_period, execution_id, fingerprint, first_seen, status, failures,"
			" next_attempt, last_error, last_attempt)"
			" VALUES ($1::pg_catalog.int4, $2, $3::pg_catalog.date, $4, $5,"
			" pg_catalog.clock_timestamp(), 'failed', 1, "
			BACKOFF_SQL("0", "$7", "$8") ", $6, pg_catalog.clock_timestamp())"
			" ON CONFLICT (export_id, manifest) DO UPDATE SET"
			" billing_period = excluded.billing_period, execution_id = excluded.execution_id,"
			" first_seen = CASE WHEN d.fingerprint OPERATOR(pg_catalog.=) excluded.fingerprint"
			"   THEN d.first_seen ELSE excluded.first_seen END,"
			" fingerprint = excluded.fingerprint, status = 'failed', detail = NULL,"
			" failures = CASE WHEN d.status OPERATOR(pg_catalog.=) 'failed'"
			"   THEN d.failures OPERATOR(pg_catalog.+) 1 ELSE 1 END,"
			" next_attempt = " BACKOFF_SQL("CASE WHEN d.status OPERATOR(pg_catalog.=) 'failed'"
										  " THEN d.failures ELSE 0 END", "$7", "$8") ","
			" last_error = excluded.last_error, last_attempt = excluded.last_attempt,"
			" loading_since = NULL, loading_pid = NULL",
			8, (const char *[]) {e->id, dl->manifest, dl->period, dl->execution_id,
			dl->fingerprint, err, base, cap}, SPI_OK_INSERT);
	record_export_error(e, err);
	ereport(LOG,
			(errmsg("bedrock_cost: export \"%s\" billing period %.7s execution id %s failed: %s",
					e->name, dl->period, dl->execution_id ? dl->execution_id : "(unknown)",
					err)));
}

/* a new or changed fingerprint: 'incomplete' or 'settling', failures cleared */
static void
record_new_fingerprint(PollExport *e, const BcWorkerDelivery *dl)
{
	spi_run("INSERT INTO bedrock_cost.export_deliveries AS d (export_id, manifest,"
			" billing_period, execution_id, fingerprint, first_seen, status, detail)"
			" VALUES ($1::pg_catalog.int4, $2, $3::pg_catalog.date, $4, $5,"
			" pg_catalog.clock_timestamp(), $6, $7)"
			" ON CONFLICT (export_id, manifest) DO UPDATE SET"
			" billing_period = excluded.billing_period, execution_id = excluded.execution_id,"
			" fingerprint = excluded.fingerprint, first_seen = excluded.first_seen,"
			" status = excluded.status, detail = excluded.detail, failures = 0,"
			" next_attempt = NULL, last_error = NULL",
			7, (const char *[]) {e->id, dl->manifest, dl->period, dl->execution_id,
			dl->fingerprint, dl->missing ? "incomplete" : "settling", dl->missing},
			SPI_OK_INSERT);
}

/*
 * Bring the recorded state of a delivery up to date with what is on disk,
 * and decide what to do with it now.
 */
static DeliveryDecision
reconcile_delivery(PollExport *e, const BcWorkerDelivery *dl, TimestampTz poll_start)
{
	char	   *status;
	bool		same;
	bool		seen_before;
	bool		due;
	bool		loading;
	bool		interrupted;

	spi_run("SELECT fingerprint OPERATOR(pg_catalog.=) $3, status,"
			" first_seen OPERATOR(pg_catalog.<) $4::pg_catalog.timestamptz,"
			" next_attempt IS NULL"
			"  OR next_attempt OPERATOR(pg_catalog.<=) pg_catalog.clock_timestamp(),"
			" loading_pid IS NOT NULL,"
			" loading_pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid()"
			"  OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a"
			"   WHERE a.pid OPERATOR(pg_catalog.=) loading_pid"
			"   AND a.backend_start OPERATOR(pg_catalog.<=) loading_since)"
			" FROM bedrock_cost.export_deliveries"
			" WHERE export_id OPERATOR(pg_catalog.=) $1::pg_catalog.int4"
			" AND manifest OPERATOR(pg_catalog.=) $2",
			4, (const char *[]) {e->id, dl->manifest, dl->fingerprint,
			timestamptz_to_str(poll_start)}, SPI_OK_SELECT);
	same = SPI_processed == 1 && spi_bool(0, 1);
	status = SPI_processed == 1 ? spi_text(0, 2, CurrentMemoryContext) : NULL;
	seen_before = SPI_processed == 1 && spi_bool(0, 3);
	due = SPI_processed == 1 && spi_bool(0, 4);
	loading = SPI_processed == 1 && spi_bool(0, 5);
	interrupted = loading && spi_bool(0, 6);

	if (interrupted)
	{
		/* a load of ours died with its process: a failed attempt, backed off */
		record_delivery_failure(e, dl, "interrupted: the process loading this delivery ended"
								" (crash, kill or shutdown) before the load committed");
		return DL_WAIT;
	}
	if (loading)
		return DL_WAIT;			/* being loaded by a live process */
	if (dl->error)
	{
		/* an unusable manifest counts as a failed attempt, with backoff */
		if (!same || strcmp(status, "failed") != 0 || due)
			record_delivery_failure(e, dl, dl->error);
		return DL_WAIT;
	}
	if (!same)
	{
		record_new_fingerprint(e, dl);
		return dl->missing ? DL_WAIT : DL_SETTLING;
	}
	if (dl->missing || strcmp(status, "loaded") == 0)
		return DL_WAIT;
	if (strcmp(status, "failed") == 0)
		return due ? DL_READY : DL_WAIT;
	return seen_before ? DL_READY : DL_SETTLING;
}

/* a delivery the loader loaded, or found already loaded */
static void
record_delivery_loaded(PollExport *e, const BcWorkerDelivery *dl, const LoaderRow *r)
{
	spi_run("UPDATE bedrock_cost.export_deliveries SET status = 'loaded', detail = NULL,"
			" failures = 0, next_attempt = NULL, last_error = NULL,"
			" last_attempt = pg_catalog.clock_timestamp(),"
			" loaded_at = pg_catalog.clock_timestamp(),"
			" load_id = $3::pg_catalog.int8, rows_loaded = $4::pg_catalog.int8,"
			" loading_since = NULL, loading_pid = NULL"
			" WHERE export_id OPERATOR(pg_catalog.=) $1::pg_catalog.int4"
			" AND manifest OPERATOR(pg_catalog.=) $2",
			4, (const char *[]) {e->id, dl->manifest, r->load_id, r->rows_loaded},
			SPI_OK_UPDATE);
	spi_run("UPDATE bedrock_cost.export_state SET last_success = pg_catalog.clock_timestamp()"
			" WHERE export_id OPERATOR(pg_catalog.=) $1::pg_catalog.int4",
			1, (const char *[]) {e->id}, SPI_OK_UPDATE);
}

/* ---------------------------------------------------------------------
 * loading
 * ---------------------------------------------------------------------
 */

/*
 * Test only: hold the load's transaction open for bc_debug_load_pause_ms,
 * so tests can kill or restart the server in the middle of a load.  In
 * the launcher, a reload that sets the pause to 0 ends it.
 */
static void
debug_pause(void)
{
	TimestampTz end = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
												  bc_debug_load_pause_ms);

	for (;;)
	{
		long		left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), end);

		if (left <= 0)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 left, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (bc_in_launcher && ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			if (bc_debug_load_pause_ms <= 0)
				break;
		}
	}
}

/* NOTIFY bedrock_cost_load with the JSON payload of one completed load */
static void
notify_load(LoadCall *lc, LoaderRow *r)
{
	char		ms[24];

	snprintf(ms, sizeof(ms), "%ld", lc->duration_ms);
	spi_run("SELECT pg_catalog.pg_notify('" BC_NOTIFY_CHANNEL "', pg_catalog.json_build_object("
			"'export', $1, 'export_id', $2::pg_catalog.int4, 'billing_period', $3::pg_catalog.date,"
			" 'execution_id', $4, 'load_id', $5::pg_catalog.int8, 'rows_loaded', $6::pg_catalog.int8,"
			" 'rows_rejected', $7::pg_catalog.int8, 'duration_ms', $8::pg_catalog.int8)"
			"::pg_catalog.text)",
			8, (const char *[]) {lc->export->name, lc->export->id, r->period,
			r->execution_id, r->load_id, r->rows_loaded, r->rows_rejected, ms},
			SPI_OK_SELECT);
}

/* the rows load_export returned, kept in lc->cxt; whether any is done */
static bool
keep_loader_rows(LoadCall *lc)
{
	bool		any_done = false;

	for (uint64 i = 0; i < SPI_processed; i++)
	{
		LoaderRow  *r = MemoryContextAllocZero(lc->cxt, sizeof(LoaderRow));
		MemoryContext old;

		r->load_id = spi_text(i, 1, lc->cxt);
		r->period = spi_text(i, 2, lc->cxt);
		r->execution_id = spi_text(i, 3, lc->cxt);
		r->status = spi_text(i, 4, lc->cxt);
		r->rows_loaded = spi_text(i, 5, lc->cxt);
		r->rows_rejected = spi_text(i, 6, lc->cxt);
		r->error = spi_text(i, 7, lc->cxt);
		any_done |= strcmp(r->status, "done") == 0;
		old = MemoryContextSwitchTo(lc->cxt);
		lc->rows = lappend(lc->rows, r);
		MemoryContextSwitchTo(old);
	}
	return any_done;
}

/*
 * The subtransaction of a load: load_export on the folder, then, if
 * anything was loaded, the refresh, the line items of the deliveries
 * swapped in (deferred until then: bc_defer_line_items, so that readers of
 * line_items do not wait for the refresh), and one NOTIFY per loaded
 * delivery.  Line items that cannot be swapped in fail the whole load.
 */
static void
load_export_folder(void *arg)
{
	LoadCall   *lc = arg;
	TimestampTz start = GetCurrentTimestamp();
	ListCell   *c;

	SPI_connect();
	PG_TRY();
	{
		bool		any_done;

		/* the ledger says the worker loaded (loads.loaded_via) */
		bc_loading_for_worker = true;
		bc_defer_line_items(lc->cxt);
		spi_run("SELECT load_id, billing_period, execution_id, status, rows_loaded,"
				" rows_rejected, error FROM bedrock_cost.load_export($1)",
				1, &lc->exportdir, SPI_OK_SELECT);
		bc_loading_for_worker = false;
		any_done = keep_loader_rows(lc);
		if (any_done && bc_debug_load_pause_ms > 0)
			debug_pause();
		bc_refresh_then_swap_line_items(any_done, lc->cxt);
		lc->duration_ms = TimestampDifferenceMilliseconds(start, GetCurrentTimestamp());
		foreach(c, lc->rows)
			if (strcmp(((LoaderRow *) lfirst(c))->status, "done") == 0)
				notify_load(lc, lfirst(c));
	}
	PG_FINALLY();
	{
		bc_loading_for_worker = false;
		bc_defer_line_items(NULL);
	}
	PG_END_TRY();
	SPI_finish();
}

/* the loader's row for a delivery: same period and execution id, the last one */
static LoaderRow *
row_for(LoadCall *lc, const BcWorkerDelivery *dl)
{
	LoaderRow  *found = NULL;
	ListCell   *c;

	foreach(c, lc->rows)
	{
		LoaderRow  *r = lfirst(c);

		if (r->period && strcmp(r->period, dl->period) == 0 &&
			r->execution_id && dl->execution_id &&
			strcmp(r->execution_id, dl->execution_id) == 0)
			found = r;
	}
	return found;
}

/* record what the load of an export did to each of its deliveries */
static void
record_load(LoadCall *lc, List *deliveries, const char *err)
{
	ListCell   *c;

	foreach(c, deliveries)
	{
		BcWorkerDelivery *dl = lfirst(c);
		LoaderRow  *r = err ? NULL : row_for(lc, dl);

		/*
		 * Settled: loaded now, or the loader found nothing to load (the same
		 * delivery is current: noop; an older one: stale; current under
		 * another export: duplicate); the latter are not news
		 */
		if (r && (strcmp(r->status, "done") == 0 ||
				  (dl->ready && (strcmp(r->status, "noop") == 0 ||
								 strcmp(r->status, "stale") == 0 ||
								 strcmp(r->status, "duplicate") == 0))))
			record_delivery_loaded(lc->export, dl, r);
		else if (dl->ready)
			record_delivery_failure(lc->export, dl,
									err ? err : r && r->error ? r->error :
									"the loader returned no result for this delivery");
	}
	if (err)
		return;
	foreach(c, lc->rows)
	{
		LoaderRow  *r = lfirst(c);

		if (strcmp(r->status, "done") == 0)
			ereport(LOG,
					(errmsg("bedrock_cost: export \"%s\" billing period %.7s execution id %s loaded: load %s, %s rows, %s rejected, in %ld ms",
							lc->export->name, r->period ? r->period : "?",
							r->execution_id ? r->execution_id : "(none)", r->load_id,
							r->rows_loaded, r->rows_rejected, lc->duration_ms)));
	}
}

/* ---------------------------------------------------------------------
 * one export
 * ---------------------------------------------------------------------
 */

/* what polling one export works on */
typedef struct ExportPoll
{
	PollExport *export;
	TimestampTz poll_start;
	MemoryContext pollcxt;		/* outlives the steps */
	List	   *deliveries;		/* found by the scan; in pollcxt once decided */
	bool		load;			/* the scan decided to load */
	int			loaded;
} ExportPoll;

/* find the deliveries of the export folder (may raise errors) */
static void
discover(void *arg)
{
	ExportPoll *ep = arg;

	ep->deliveries = bc_worker_find_deliveries(ep->export->path);
}

/* show the load in pg_stat_activity (launcher only) */
static void
report_loading(PollExport *e, List *deliveries)
{
	StringInfoData buf;
	ListCell   *c;

	if (!bc_in_launcher)
		return;
	initStringInfo(&buf);
	appendStringInfo(&buf, "bedrock_cost: loading export \"%s\":", e->name);
	foreach(c, deliveries)
	{
		BcWorkerDelivery *dl = lfirst(c);

		if (dl->ready)
			appendStringInfo(&buf, " %.7s (execution id %s)", dl->period,
							 dl->execution_id ? dl->execution_id : "unknown");
	}
	pgstat_report_activity(STATE_RUNNING, buf.data);
}

/* a copy of a delivery in cxt */
static BcWorkerDelivery *
copy_delivery(const BcWorkerDelivery *dl, MemoryContext cxt)
{
	BcWorkerDelivery *c = MemoryContextAllocZero(cxt, sizeof(BcWorkerDelivery));

	c->manifest = MemoryContextStrdup(cxt, dl->manifest);
	c->period = MemoryContextStrdup(cxt, dl->period);
	c->execution_id = dl->execution_id ? MemoryContextStrdup(cxt, dl->execution_id) : NULL;
	c->fingerprint = MemoryContextStrdup(cxt, dl->fingerprint);
	c->ready = dl->ready;
	return c;
}

/*
 * The deliveries about to be loaded get a committed marker (in the
 * launcher: this step commits before the load starts), so a load that
 * dies with its process is found and counted as a failure by a later poll
 * instead of being retried at once, forever.
 */
static void
mark_loading(PollExport *e, List *deliveries)
{
	ListCell   *c;

	foreach(c, deliveries)
	{
		BcWorkerDelivery *dl = lfirst(c);

		if (dl->ready)
			spi_run("UPDATE bedrock_cost.export_deliveries SET"
					" loading_since = pg_catalog.clock_timestamp(),"
					" loading_pid = pg_catalog.pg_backend_pid(),"
					" last_attempt = pg_catalog.clock_timestamp()"
					" WHERE export_id OPERATOR(pg_catalog.=) $1::pg_catalog.int4"
					" AND manifest OPERATOR(pg_catalog.=) $2",
					2, (const char *[]) {e->id, dl->manifest}, SPI_OK_UPDATE);
	}
}

/* step: scan one export folder, record what is there, decide whether to load */
static void
scan_export(void *arg)
{
	ExportPoll *ep = arg;
	ListCell   *c;
	int			ready = 0;
	int			settling = 0;
	char	   *err;
	List	   *kept = NIL;

	SPI_connect();
	if (!claim_export(ep->export))
	{
		SPI_finish();
		return;
	}
	err = bc_worker_try(discover, ep);
	if (err)
	{
		record_scan_failure(ep->export, err);
		SPI_finish();
		return;
	}
	spi_run("UPDATE bedrock_cost.export_state SET scan_failures = 0, scan_next_attempt = NULL"
			" WHERE export_id OPERATOR(pg_catalog.=) $1::pg_catalog.int4"
			" AND scan_failures OPERATOR(pg_catalog.>) 0",
			1, (const char *[]) {ep->export->id}, SPI_OK_UPDATE);

	foreach(c, ep->deliveries)
	{
		BcWorkerDelivery *dl = lfirst(c);
		DeliveryDecision d;

		bc_worker_inspect_delivery(dl, CurrentMemoryContext);
		d = reconcile_delivery(ep->export, dl, ep->poll_start);
		dl->ready = (d == DL_READY);
		ready += (d == DL_READY);
		settling += (d == DL_SETTLING);
	}
	if (ready > 0 && settling == 0)
	{
		MemoryContext old;

		mark_loading(ep->export, ep->deliveries);
		foreach(c, ep->deliveries)
		{
			BcWorkerDelivery *copy = copy_delivery(lfirst(c), ep->pollcxt);

			old = MemoryContextSwitchTo(ep->pollcxt);
			kept = lappend(kept, copy);
			MemoryContextSwitchTo(old);
		}
		ep->load = true;
	}
	ep->deliveries = kept;
	SPI_finish();
}

/* step: load the export folder the scan found ready, record the outcome */
static void
load_export(void *arg)
{
	ExportPoll *ep = arg;
	List	   *deliveries = ep->deliveries;
	LoadCall	lc;
	ListCell   *c;
	char	   *err;

	SPI_connect();
	if (!claim_export(ep->export))
	{
		/* paused or removed since the scan, or busy: no load, no markers */
		spi_run("UPDATE bedrock_cost.export_deliveries SET loading_since = NULL,"
				" loading_pid = NULL WHERE export_id OPERATOR(pg_catalog.=) $1::pg_catalog.int4"
				" AND loading_pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid()",
				1, (const char *[]) {ep->export->id}, SPI_OK_UPDATE);
		SPI_finish();
		return;
	}
	memset(&lc, 0, sizeof(lc));
	lc.export = ep->export;
	lc.cxt = CurrentMemoryContext;
	report_loading(ep->export, deliveries);
	lc.exportdir = ep->export->path;
	err = bc_worker_try(load_export_folder, &lc);
	record_load(&lc, deliveries, err);
	if (err == NULL)
		foreach(c, lc.rows)
			ep->loaded += strcmp(((LoaderRow *) lfirst(c))->status, "done") == 0;
	SPI_finish();
}

/*
 * One poll of every registered export that is not paused, in name order.
 * Returns the number of deliveries loaded.
 */
int
bc_poll_once(bool own_xacts, MemoryContext pollcxt)
{
	ExportList	el;
	TimestampTz poll_start = GetCurrentTimestamp();
	ListCell   *c;
	int			loaded = 0;

	el.cxt = pollcxt;
	el.exports = NIL;
	run_step(own_xacts, "bedrock_cost: listing exports", list_exports, &el);
	foreach(c, el.exports)
	{
		ExportPoll	ep;

		CHECK_FOR_INTERRUPTS();
		memset(&ep, 0, sizeof(ep));
		ep.export = lfirst(c);
		ep.poll_start = poll_start;
		ep.pollcxt = pollcxt;
		run_step(own_xacts, psprintf("bedrock_cost: scanning export \"%s\"", ep.export->name),
				 scan_export, &ep);
		if (!ep.load)
			continue;
		run_step(own_xacts, psprintf("bedrock_cost: loading export \"%s\"", ep.export->name),
				 load_export, &ep);
		loaded += ep.loaded;
	}
	return loaded;
}

/*
 * SQL: bedrock_cost.poll_now() returns integer, one poll in this session.
 * The poll runs under search_path "pg_catalog, pg_temp", set as a function's
 * SET clause would be: the caller's search_path (which may put someone
 * else's schema first) is restored when the call returns, and an error
 * rolls it back with the transaction.
 */
Datum
bedrock_cost_poll_now(PG_FUNCTION_ARGS)
{
	int			nestlevel;
	int			loaded;

	PreventCommandIfReadOnly("bedrock_cost.poll_now()");
	nestlevel = NewGUCNestLevel();
	if (set_config_option("search_path", BC_SAFE_SEARCH_PATH, PGC_USERSET, PGC_S_SESSION,
						  GUC_ACTION_SAVE, true, 0, false) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("bedrock_cost.poll_now() could not set search_path")));
	loaded = bc_poll_once(false, CurrentMemoryContext);
	AtEOXact_GUC(true, nestlevel);
	PG_RETURN_INT32(loaded);
}

/*
 * Loads a crashed or killed process left 'running' in the ledger, marked
 * failed by bedrock_cost._fix_stale_loads() (SECURITY DEFINER: the worker
 * role may not write the ledger itself).  The loader writes 'running' only
 * inside its loading transaction, so a committed 'running' row cannot
 * belong to a live load; rows of loads in progress are not visible here.
 * Run when the launcher starts.
 */
void
bc_fix_stale_loads(void)
{
	bool		isnull;
	int64		fixed;

	SPI_connect();
	spi_run("SELECT bedrock_cost._fix_stale_loads()", 0, NULL, SPI_OK_SELECT);
	fixed = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
										&isnull));
	if (!isnull && fixed > 0)
		ereport(LOG,
				(errmsg("bedrock_cost: marked " INT64_FORMAT " interrupted loads as failed",
						fixed)));
	SPI_finish();
}
