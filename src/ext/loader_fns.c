/*-------------------------------------------------------------------------
 *
 * loader_fns.c
 *		SQL-callable entry points of the loader: bedrock_cost.load_export
 *		and bedrock_cost.load_file.
 *
 * A call works in two phases inside the caller's transaction:
 *
 *	1. each delivery is loaded into its own fresh table inside its own
 *	   subtransaction; on success its ledger row is written as 'running'
 *	   (or 'noop' when the same delivery was loaded before); on error the
 *	   subtransaction is rolled back (the fresh table with it), and the
 *	   failure is written to the ledger in the outer transaction;
 *	2. the loaded deliveries are swapped in, oldest first (DETACH the
 *	   period's current partition to history, ATTACH the new table), each
 *	   in its own subtransaction.
 *
 * Phase 2 runs last so the ACCESS EXCLUSIVE lock a DETACH takes on
 * line_items is held only from the first swap to the commit, not while
 * files are read: readers wait at most for the swaps, and see the old
 * period or the new one, never a mix (the swap itself: loader_swap.c).
 *
 * Failures are not raised: they are returned (status 'failed' with the
 * error) and reported as a WARNING, because raising would roll back the
 * ledger row that records them.  The caller's transaction therefore
 * commits the failure record; the current data of the period is untouched.
 *
 * Loads of one (export, period) are serialised by a transaction-scoped
 * advisory lock (loader_ledger.c).  The DDL runs as the owner of
 * bedrock_cost.line_items (privilege.c: pinned search_path, restricted),
 * after the caller was checked to be superuser or a member of
 * bedrock_cost_admin and the files were located and opened as the caller.
 *
 * IDENTIFICATION
 *		src/ext/loader_fns.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "delivery.h"
#include "guc.h"
#include "loader.h"
#include "subxact.h"

PG_FUNCTION_INFO_V1(bedrock_cost_load_export);
PG_FUNCTION_INFO_V1(bedrock_cost_load_file);
PG_FUNCTION_INFO_V1(bedrock_cost_restore_load);

/* what happened to one delivery */
typedef struct BcResult
{
	int64		load_id;
	BcDelivery *d;
	BcLoadStats *stats;
	const char *status;			/* running (to swap), done, noop, failed */
	char	   *error;
} BcResult;

#define RESULT_COLUMNS 7

/* set by the worker around its call of load_export: loads.loaded_via = 'worker' */
bool		bc_loading_for_worker = false;

/*
 * Whether d is older than the period's current delivery: delivered before
 * it (manifest modification times, then manifest paths, which in the
 * create-new layout begin with the delivery's time).  One file given to
 * load_file is not ordered: the caller says it is the period's delivery.
 */
static bool
older_than_current(BcDelivery *d, BcLook *look)
{
	int			c;

	if (!d->from_manifest || look->current_id < 0 || !d->delivered_known ||
		!look->current_delivered_known)
		return false;
	if (d->delivered_at != look->current_delivered_at)
		return d->delivered_at < look->current_delivered_at;
	c = strcmp(d->manifest_path ? d->manifest_path : "",
			   look->current_manifest ? look->current_manifest : "");
	return c < 0;
}

/*
 * What the ledger (read after the period's lock) says of delivery d: NULL
 * when it is to be loaded, else why not, with the load that says so in
 * *same_as: stale (older than the current delivery), and, once its key is
 * known, noop (the same delivery is current) or duplicate (the same
 * delivery is current under another export: loading it would count it
 * twice).  With server_read, the key comes from files the server read, and
 * only a current load the server read itself is the same: a client's
 * declared key never makes the server skip the real files.  force loads
 * anyway.
 */
const char *
bc_decide(BcDelivery *d, BcLook *look, const char *key, bool server_read, int64 *same_as)
{
	int64		other;

	*same_as = -1;
	if (d->forced)
		return NULL;
	if (older_than_current(d, look))
	{
		*same_as = look->current_id;
		return "stale";
	}
	if (key == NULL)
		return NULL;
	if (look->current_id > 0 && (look->current_by_server || !server_read) &&
		strcmp(key, look->current_key) == 0)
	{
		*same_as = look->current_id;
		return "noop";
	}
	if ((other = bc_ledger_current_elsewhere(d, key)) > 0)
	{
		*same_as = other;
		return "duplicate";
	}
	return NULL;
}

/* the pieces of a delivery for an audit_log row, as JSON text */
static char *
audit_detail(BcDelivery *d, int64 load_id)
{
	StringInfoData b;

	initStringInfo(&b);
	appendStringInfo(&b, "{\"load_id\": " INT64_FORMAT ", \"billing_period\": ", load_id);
	escape_json(&b, DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d->period))));
	appendStringInfoString(&b, ", \"export\": ");
	escape_json(&b, d->export_path);
	appendStringInfoString(&b, ", \"manifest\": ");
	if (d->manifest_path)
		escape_json(&b, d->manifest_path);
	else
		appendStringInfoString(&b, "null");
	appendStringInfoString(&b, ", \"file\": ");
	if (!d->from_manifest && d->nfiles > 0)
		escape_json(&b, d->files[0].path);
	else
		appendStringInfoString(&b, "null");
	appendStringInfo(&b, ", \"forced\": %s, \"complete\": %s}",
					 d->forced ? "true" : "false", d->complete ? "true" : "false");
	return b.data;
}

/*
 * One file given as a period's complete delivery: refused when the
 * period's manifest lists other files, unless the caller said complete.
 */
static void
check_single_file(BcDelivery *d)
{
	char	   *others = NULL;
	int			n = 0;
	char		period[11];
	bc_derror	err = {0};

	if (d->from_manifest || d->complete)
		return;
	snprintf(period, sizeof(period), "%s",
			 DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d->period))));
	if (!bc_export_file_others(d, period, &others, &n, &err))
		bc_raise_derror(&err);
	if (n > 0)
	{
		char	   *detail = pstrdup(others);
		char	   *main = bc_delivery_partial_message(d->files[0].path);
		char	   *msg = pstrdup(main ? main : "out of memory");

		free(others);
		free(main);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg_internal("%s", msg),
				 errdetail("%s.", detail),
				 errhint("Load the export with bedrock_cost.load_export(), or pass complete => true if this file really is the whole delivery.")));
	}
}

/*
 * The work of one delivery inside its subtransaction; returns the status
 * ("running" when loaded, "noop", "stale", "duplicate", or NULL when it is
 * AWS's latest copy of a delivery already in this call).  The ledger is
 * read only after the period's lock (lock, then look), each statement with
 * a fresh snapshot, so two loads of one period decide one after the other.
 */
static const char *
load_one(BcDelivery *d, int64 load_id, BcLoadStats *stats)
{
	char		key[65] = "";
	bool		hashed = false;
	char	   *table;
	BcLook		look;
	const char *status;
	int64		same_as;

	if (d->from_manifest)
		bc_open_delivery(d);
	else
	{
		bc_peek_period(d);
		check_single_file(d);
	}
	if (bc_delivery_is_latest_copy(d))
		return NULL;
	bc_ledger_lock_period(d);
	bc_ledger_look(d, &look);
	status = bc_decide(d, &look, NULL, true, &same_as);
	if (status == NULL && (!d->from_manifest || look.execution_seen))
	{
		/* the same execution was seen: is it the same delivery? */
		bc_progress_phase(d, load_id, BC_PHASE_HASHING);
		bc_hash_files(d);
		bc_progress_done();
		bc_load_key(d, key);
		hashed = true;
		memcpy(stats->delivery_key, key, 65);
		status = bc_decide(d, &look, key, true, &same_as);
	}
	if (status != NULL)
	{
		bc_ledger_record(d, load_id, status, same_as, stats);
		return status;
	}
	table = bc_ledger_create_table(d, load_id);
	bc_copy_delivery(d, load_id, table, stats);
	bc_verify_stored(load_id, stats, false);
	if (!hashed)
		bc_load_key(d, stats->delivery_key);
	if (stats->rows_loaded == 0 && look.current_rows > 0 && !bc_allow_empty_period)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA),
				 errmsg("the delivery has no Amazon Bedrock rows: it would empty billing period %s of export \"%s\", which holds " INT64_FORMAT " rows",
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d->period))),
						d->export_path, look.current_rows),
				 errhint("SET bedrock_cost.allow_empty_period = on to accept it.")));
	bc_ledger_loaded(d, load_id, table, stats);
	if (d->forced || d->complete)
		bc_ledger_audit(d->forced ? "force_load" : "load_single_file",
						psprintf("load " INT64_FORMAT, load_id), audit_detail(d, load_id));
	return "running";
}

/*
 * The load of one delivery (r), as bc_subxact_try runs it: load it and
 * close its files (after a failure, the caller closes them)
 */
static void
run_load(void *arg)
{
	BcResult   *r = arg;

	r->status = load_one(r->d, r->load_id, r->stats);
	bc_close_delivery(r->d);
}

/* phase 1 for one delivery: load it in a subtransaction, record the outcome */
static BcResult *
process_delivery(BcDelivery *d, MemoryContext keep)
{
	MemoryContext oldcxt;
	BcResult   *r = MemoryContextAllocZero(keep, sizeof(BcResult));
	ErrorData  *edata;

	r->d = d;
	r->stats = MemoryContextAllocZero(keep, sizeof(BcLoadStats));
	r->stats->cxt = keep;
	d->export_id = bc_ledger_export_id(d->export_path);
	r->load_id = bc_ledger_next_id();
	bc_copy_clear_failure();

	/* what the load allocates outlives its subtransaction */
	oldcxt = MemoryContextSwitchTo(keep);
	edata = bc_subxact_try(run_load, r, keep);
	MemoryContextSwitchTo(oldcxt);
	if (edata == NULL)
		return r;
	bc_close_delivery(d);
	bc_rethrow_if_cancel(edata);

	r->status = "failed";
	r->error = MemoryContextStrdup(keep, bc_error_text(edata));
	bc_ledger_failed(d, r->load_id, r->stats, r->error, bc_copy_failure());
	ereport(WARNING,
			(errcode(edata->sqlerrcode),
			 errmsg("bedrock_cost: load %lld failed: %s",
					(long long) r->load_id, edata->message),
			 edata->detail ? errdetail("%s", edata->detail) : 0));
	return r;
}

/* phase 2 for one loaded delivery: swap it in, or record why not */
static void
swap_delivery(BcResult *r, MemoryContext keep)
{
	bc_progress_phase(r->d, r->load_id, BC_PHASE_SWAPPING);
	r->error = bc_swap_in_retrying(r->load_id, keep);
	bc_progress_done();
	if (r->error == NULL)
	{
		r->status = "done";
		return;
	}
	r->status = "failed";
	bc_ledger_swap_failed(r->load_id, r->error);
	ereport(WARNING,
			(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
			 errmsg("bedrock_cost: load %lld could not be swapped in: %s",
					(long long) r->load_id, r->error)));
}

/*
 * Load a list of deliveries (both phases) as the owner of line_items;
 * returns the list of BcResult, allocated in keep.
 */
static List *
load_deliveries(List *deliveries, MemoryContext keep, bool forced, bool complete)
{
	List	   *results = NIL;
	ListCell   *lc;
	BcOwnerScope scope = {0};

	foreach(lc, deliveries)
	{
		BcDelivery *d = lfirst(lc);

		d->caller = GetUserId();
		d->loaded_via = bc_loading_for_worker ? "worker" : "sql";
		d->forced = forced;
		d->complete = complete;
	}
	bc_owner_enter(&scope);

	foreach(lc, deliveries)
	{
		BcResult   *r = process_delivery(lfirst(lc), keep);

		if (r->status != NULL)
		{
			MemoryContext old = MemoryContextSwitchTo(keep);

			results = lappend(results, r);
			MemoryContextSwitchTo(old);
		}
	}
	foreach(lc, results)
	{
		BcResult   *r = lfirst(lc);

		if (strcmp(r->status, "running") == 0)
			swap_delivery(r, keep);
	}

	bc_owner_leave(&scope);
	return results;
}

/* the result row of one delivery */
static void
result_values(BcResult *r, Datum *values, bool *nulls)
{
	memset(nulls, 0, sizeof(bool) * RESULT_COLUMNS);
	values[0] = Int64GetDatum(r->load_id);
	if (r->d->period_known)
		values[1] = DateADTGetDatum(r->d->period);
	else
		nulls[1] = true;
	if (r->d->execution_id)
		values[2] = CStringGetTextDatum(r->d->execution_id);
	else
		nulls[2] = true;
	values[3] = CStringGetTextDatum(r->status);
	/* a failed delivery stored nothing, whatever it had read */
	values[4] = Int64GetDatum(strcmp(r->status, "failed") == 0 ? 0 : r->stats->rows_loaded);
	values[5] = Int64GetDatum(r->stats->rows_rejected);
	if (r->error)
		values[6] = CStringGetTextDatum(r->error);
	else
		nulls[6] = true;
}

/* a boolean argument that must not be NULL */
static bool
bool_arg(FunctionCallInfo fcinfo, int n, const char *name)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
	return PG_GETARG_BOOL(n);
}

/*
 * load_export with refresh: the deliveries loaded with their line items
 * deferred, then the chargeback refresh and those line items
 * (bc_refresh_then_swap_line_items); deferring is off again on the way out,
 * error or not.
 */
static List *
load_refreshing(List *deliveries, MemoryContext keep, bool force)
{
	List	   *volatile results = NIL;

	bc_defer_line_items(keep);
	PG_TRY();
	{
		results = load_deliveries(deliveries, keep, force, false);
		bc_refresh_then_swap_line_items(true, keep);
	}
	PG_FINALLY();
	{
		bc_defer_line_items(NULL);
	}
	PG_END_TRY();
	return results;
}

/*
 * bedrock_cost.load_export(path text, force boolean DEFAULT false, refresh
 * boolean DEFAULT false): load every new delivery under an export folder;
 * one result row per delivery considered.  force loads even a delivery
 * that is current already or older than the current one (audited).
 * refresh brings the chargeback up to date in the same call, as the
 * background worker does: the line items of the deliveries are swapped in
 * after the refresh (bc_defer_line_items), so that readers of line_items
 * do not wait for it.  A 0.1.0 definition has no refresh argument.
 */
Datum
bedrock_cost_load_export(PG_FUNCTION_ARGS)
{
	char	   *path;
	bool		force;
	bool		refresh;
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext keep;
	List	   *deliveries;
	List	   *results;
	ListCell   *lc;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("path must not be null")));
	path = text_to_cstring(PG_GETARG_TEXT_PP(0));
	force = bool_arg(fcinfo, 1, "force");
	refresh = PG_NARGS() > 2 && bool_arg(fcinfo, 2, "refresh");
	bc_check_caller();
	PreventCommandIfReadOnly("bedrock_cost.load_export()");
	bc_require_read_committed("bedrock_cost.load_export()");
	InitMaterializedSRF(fcinfo, 0);
	keep = AllocSetContextCreate(CurrentMemoryContext, "bedrock_cost load",
								 ALLOCSET_DEFAULT_SIZES);
	deliveries = bc_export_deliveries(bc_open_export(path, false, keep));
	if (refresh)
		results = load_refreshing(deliveries, keep, force);
	else
		results = load_deliveries(deliveries, keep, force, false);

	foreach(lc, results)
	{
		Datum		values[RESULT_COLUMNS];
		bool		nulls[RESULT_COLUMNS];

		result_values(lfirst(lc), values, nulls);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	MemoryContextDelete(keep);
	return (Datum) 0;
}

/*
 * bedrock_cost.load_file(path text, complete boolean DEFAULT false, force
 * boolean DEFAULT false): load one file as the complete delivery of the
 * billing period found in it.  Refused when the period's manifest lists
 * other files, unless complete (audited).
 */
Datum
bedrock_cost_load_file(PG_FUNCTION_ARGS)
{
	char	   *path;
	bool		complete;
	bool		force;
	TupleDesc	desc;
	MemoryContext keep;
	List	   *results;
	Datum		values[RESULT_COLUMNS];
	bool		nulls[RESULT_COLUMNS];
	HeapTuple	tup;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("path must not be null")));
	path = text_to_cstring(PG_GETARG_TEXT_PP(0));
	complete = bool_arg(fcinfo, 1, "complete");
	force = bool_arg(fcinfo, 2, "force");
	bc_check_caller();
	PreventCommandIfReadOnly("bedrock_cost.load_file()");
	bc_require_read_committed("bedrock_cost.load_file()");
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	desc = BlessTupleDesc(desc);
	keep = AllocSetContextCreate(CurrentMemoryContext, "bedrock_cost load",
								 ALLOCSET_DEFAULT_SIZES);
	results = load_deliveries(bc_export_deliveries(bc_open_export(path, true, keep)), keep,
							  force, complete);
	result_values(linitial(results), values, nulls);
	tup = heap_form_tuple(desc, values, nulls);
	MemoryContextDelete(keep);
	PG_RETURN_DATUM(HeapTupleGetDatum(tup));
}

/*
 * bedrock_cost.restore_load(load_id bigint): make a superseded delivery the
 * current data of its period again, as a new load copied from its history
 * partition (bedrock_cost._prepare_restore, under the period's lock),
 * summarised from the rows copied (loader_summary.c) and swapped in like
 * any load, giving way to readers.  Returns the new load id.
 */
Datum
bedrock_cost_restore_load(PG_FUNCTION_ARGS)
{
	int64		old_id = PG_GETARG_INT64(0);
	int64		new_id;
	char	   *error;
	BcOwnerScope scope = {0};
	Oid			argtype = INT8OID;
	Datum		arg = Int64GetDatum(old_id);
	bool		isnull;

	bc_check_caller();
	PreventCommandIfReadOnly("bedrock_cost.restore_load()");
	bc_require_read_committed("bedrock_cost.restore_load()");
	bc_owner_enter(&scope);
	if (SPI_execute_with_args("SELECT bedrock_cost._prepare_restore($1)", 1, &argtype, &arg,
							  NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not prepare the restore of load %lld", (long long) old_id);
	new_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	/* 0.1.0's _prepare_restore (a schema not yet updated) summarised by SQL */
	if (bc_ledger_schema_is_current())
		bc_summary_store_restored(new_id);
	error = bc_swap_in_retrying(new_id, CurrentMemoryContext);
	if (error != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("%s", error)));
	bc_owner_leave(&scope);
	PG_RETURN_INT64(new_id);
}
