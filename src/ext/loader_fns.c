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
 * period or the new one, never a mix.
 *
 * Failures are not raised: they are returned (status 'failed' with the
 * error) and reported as a WARNING, because raising would roll back the
 * ledger row that records them.  The caller's transaction therefore
 * commits the failure record; the current data of the period is untouched.
 *
 * Loads of one (export, period) are serialised by a transaction-scoped
 * advisory lock (loader_ledger.c).  The DDL runs as the owner of
 * bedrock_cost.line_items, after the caller was checked to be superuser or
 * a member of bedrock_cost_admin and the paths were checked as the caller.
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
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/syscache.h"

#include "loader.h"

PG_FUNCTION_INFO_V1(bedrock_cost_load_export);
PG_FUNCTION_INFO_V1(bedrock_cost_load_file);

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

/* superuser or bedrock_cost_admin, else an error (the load functions and the client API) */
void
bc_check_caller(void)
{
	Oid			admin = get_role_oid("bedrock_cost_admin", true);

	if (superuser())
		return;
	if (OidIsValid(admin) && has_privs_of_role(GetUserId(), admin))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to load CUR exports"),
			 errdetail("Only superusers and members of bedrock_cost_admin may load.")));
}

/* the owner of bedrock_cost.line_items, who runs the DDL of a load */
Oid
bc_line_items_owner(void)
{
	Oid			nsp = get_namespace_oid("bedrock_cost", false);
	Oid			rel = get_relname_relid("line_items", nsp);
	HeapTuple	tup;
	Oid			owner;

	if (!OidIsValid(rel))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation bedrock_cost.line_items does not exist"),
				 errhint("Run CREATE EXTENSION bedrock_cost.")));
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", rel);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/* the error text kept in the ledger: message, and detail when there is one */
static char *
error_text(ErrorData *edata)
{
	if (edata->detail != NULL)
		return psprintf("%s\nDETAIL: %s", edata->message, edata->detail);
	return pstrdup(edata->message);
}

/*
 * The work of one delivery inside its subtransaction; returns the status
 * ("running" when loaded, "noop", or NULL when it is a duplicate to skip).
 */
static const char *
load_one(BcDelivery *d, int64 load_id, BcLoadStats *stats)
{
	char		key[65] = "";
	bool		hashed = false;
	char	   *table;

	if (d->from_manifest)
		bc_open_delivery(d);
	else
		bc_peek_period(d);
	if (bc_delivery_is_latest_copy(d))
		return NULL;
	bc_ledger_lock_period(d);
	if (!d->from_manifest || bc_ledger_execution_seen(d))
	{
		int64		same;

		bc_progress_phase(d, load_id, BC_PHASE_HASHING);
		bc_hash_files(d);
		bc_progress_done();
		bc_load_key(d, key);
		hashed = true;
		memcpy(stats->delivery_key, key, 65);
		same = bc_ledger_find_same(d, key);
		if (same > 0)
		{
			bc_ledger_noop(d, load_id, same, stats);
			return "noop";
		}
	}
	table = bc_ledger_create_table(d, load_id);
	bc_copy_delivery(d, load_id, table, stats);
	if (!hashed)
		bc_load_key(d, stats->delivery_key);
	bc_ledger_loaded(d, load_id, table, stats);
	return "running";
}

/*
 * A cancel (pg_cancel_backend or statement_timeout: SQLSTATE 57014)
 * is the caller's decision, not a fault of the delivery: it ends the whole
 * statement, as it would in a PL/pgSQL exception block, instead of being
 * recorded as a failed load while the next delivery starts.
 */
static void
rethrow_if_cancel(ErrorData *edata)
{
	if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
		ReThrowError(edata);
}

/* phase 1 for one delivery: load it in a subtransaction, record the outcome */
static BcResult *
process_delivery(BcDelivery *d, MemoryContext keep)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	BcResult   *r = MemoryContextAllocZero(keep, sizeof(BcResult));

	r->d = d;
	r->stats = MemoryContextAllocZero(keep, sizeof(BcLoadStats));
	r->stats->cxt = keep;
	d->export_id = bc_ledger_export_id(d->export_path);
	r->load_id = bc_ledger_next_id();
	bc_copy_clear_failure();

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(keep);
	PG_TRY();
	{
		r->status = load_one(d, r->load_id, r->stats);
		bc_close_delivery(d);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(keep);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		bc_close_delivery(d);
		rethrow_if_cancel(edata);

		r->status = "failed";
		r->error = MemoryContextStrdup(keep, error_text(edata));
		bc_ledger_failed(d, r->load_id, r->stats, r->error, bc_copy_failure());
		ereport(WARNING,
				(errcode(edata->sqlerrcode),
				 errmsg("bedrock_cost: load %lld failed: %s",
						(long long) r->load_id, edata->message),
				 edata->detail ? errdetail("%s", edata->detail) : 0));
	}
	PG_END_TRY();
	return r;
}

/* phase 2 for one loaded delivery: swap it in, or record why not */
static void
swap_delivery(BcResult *r, MemoryContext keep)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		bc_progress_phase(r->d, r->load_id, BC_PHASE_SWAPPING);
		bc_ledger_swap_in(r->load_id);
		bc_progress_done();
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		r->status = "done";
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(keep);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		rethrow_if_cancel(edata);

		r->status = "failed";
		r->error = MemoryContextStrdup(keep, error_text(edata));
		bc_ledger_swap_failed(r->load_id, r->error);
		ereport(WARNING,
				(errcode(edata->sqlerrcode),
				 errmsg("bedrock_cost: load %lld could not be swapped in: %s",
						(long long) r->load_id, edata->message)));
	}
	PG_END_TRY();
}

/*
 * Load a list of deliveries (both phases) as the owner of line_items;
 * returns the list of BcResult, allocated in keep.
 */
static List *
load_deliveries(List *deliveries, MemoryContext keep)
{
	List	   *results = NIL;
	ListCell   *lc;
	Oid			save_userid;
	int			save_sec;

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(bc_line_items_owner(), save_sec | SECURITY_LOCAL_USERID_CHANGE);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

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

	SPI_finish();
	SetUserIdAndSecContext(save_userid, save_sec);
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
	values[4] = Int64GetDatum(r->stats->rows_loaded);
	values[5] = Int64GetDatum(r->stats->rows_rejected);
	if (r->error)
		values[6] = CStringGetTextDatum(r->error);
	else
		nulls[6] = true;
}

/*
 * bedrock_cost.load_export(path text): load every new delivery under an
 * export folder; one result row per delivery considered.
 */
Datum
bedrock_cost_load_export(PG_FUNCTION_ARGS)
{
	char	   *path = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext keep;
	List	   *results;
	ListCell   *lc;

	bc_check_caller();
	PreventCommandIfReadOnly("bedrock_cost.load_export()");
	InitMaterializedSRF(fcinfo, 0);
	keep = AllocSetContextCreate(CurrentMemoryContext, "bedrock_cost load",
								 ALLOCSET_DEFAULT_SIZES);
	results = load_deliveries(bc_export_deliveries(bc_open_export(path, false, keep)), keep);

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
 * bedrock_cost.load_file(path text): load one file as the complete
 * delivery of the billing period found in it.
 */
Datum
bedrock_cost_load_file(PG_FUNCTION_ARGS)
{
	char	   *path = text_to_cstring(PG_GETARG_TEXT_PP(0));
	TupleDesc	desc;
	MemoryContext keep;
	List	   *results;
	Datum		values[RESULT_COLUMNS];
	bool		nulls[RESULT_COLUMNS];
	HeapTuple	tup;

	bc_check_caller();
	PreventCommandIfReadOnly("bedrock_cost.load_file()");
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	desc = BlessTupleDesc(desc);
	keep = AllocSetContextCreate(CurrentMemoryContext, "bedrock_cost load",
								 ALLOCSET_DEFAULT_SIZES);
	results = load_deliveries(bc_export_deliveries(bc_open_export(path, true, keep)), keep);
	result_values(linitial(results), values, nulls);
	tup = heap_form_tuple(desc, values, nulls);
	MemoryContextDelete(keep);
	PG_RETURN_DATUM(HeapTupleGetDatum(tup));
}
