/*-------------------------------------------------------------------------
 *
 * loader_swap.c
 *		Swapping a loaded delivery in: its two steps, each retried while
 *		readers hold the parents it locks, and the background worker's
 *		deferral of the second.
 *
 * A swap makes a delivery the current data of its period (_swap_in, in
 * the caller's transaction): first its summaries and the ledger
 * (_swap_in_summaries), then its line items (_swap_in_line_items), always
 * in this order, so that two swaps lock the parents alike.  Each step runs
 * in a subtransaction that waits at most bedrock_cost.swap_lock_timeout for
 * its locks and is retried bedrock_cost.swap_retries times, so that readers
 * queued behind a waiting swap wait no longer than that.  A restatement's
 * DETACH takes the parent in ACCESS EXCLUSIVE mode until the commit; the
 * background worker, and load_export(..., refresh => true), which refresh
 * the chargeback in the load's transaction, run the line items' step after
 * that refresh (bc_defer_line_items, bc_refresh_then_swap_line_items), so
 * that readers of line_items wait for that last step only.
 *
 * IDENTIFICATION
 *		src/ext/loader_swap.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "guc.h"
#include "loader.h"
#include "privilege.h"
#include "subxact.h"

/*
 * A cancel (pg_cancel_backend or statement_timeout: SQLSTATE 57014)
 * is the caller's decision, not a fault of the delivery: it ends the whole
 * statement, as it would in a PL/pgSQL exception block, instead of being
 * recorded as a failed load while the next delivery starts.
 */
void
bc_rethrow_if_cancel(ErrorData *edata)
{
	if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
		ReThrowError(edata);
}

/* one step of a swap, as bc_subxact_try runs it */
typedef struct StepCall
{
	void		(*step) (int64);
	int64		load_id;
	bool		lock_wait;
} StepCall;

/* the step, under the swap's lock timeout when it waits for locks */
static void
run_step(void *arg)
{
	StepCall   *call = arg;
	int			nest = NewGUCNestLevel();

	if (call->lock_wait)
		(void) set_config_option("lock_timeout", psprintf("%d", bc_swap_lock_timeout),
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	call->step(call->load_id);
	AtEOXact_GUC(true, nest);
}

/*
 * Run one step of a delivery's swap (step(load_id)) in a subtransaction;
 * with lock_wait, waiting at most bedrock_cost.swap_lock_timeout for its
 * locks, so that readers queued behind the waiting swap wait no longer
 * than that.  Returns NULL when done, the error when it failed (a cancel
 * is raised again); *busy tells whether it only gave way to a lock.
 */
static ErrorData *
try_step(void (*step) (int64), int64 load_id, bool lock_wait, MemoryContext keep, bool *busy)
{
	StepCall	call = {step, load_id, lock_wait};
	ErrorData  *failure = bc_subxact_try(run_step, &call, keep);

	*busy = false;
	if (failure == NULL)
		return NULL;
	bc_rethrow_if_cancel(failure);
	*busy = failure->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE ||
		failure->sqlerrcode == ERRCODE_T_R_DEADLOCK_DETECTED;
	return failure;
}

/* sleep ms milliseconds, interruptibly */
static void
pause_ms(long ms)
{
	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					 ms, PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
}

/*
 * Run one step of a swap until it is done, giving way to readers that hold
 * rel (a parent whose lock the step asks for): each attempt waits at most
 * bedrock_cost.swap_lock_timeout, and is retried bedrock_cost.swap_retries
 * times after a pause of 100 ms, twice as long each time, at most 5 s.  A
 * deadlock with a reader counts as giving way.  Returns NULL when done,
 * else the error (allocated in cxt).
 */
static char *
swap_step_retrying(void (*step) (int64), const char *rel, int64 load_id, MemoryContext cxt)
{
	ErrorData  *edata;
	bool		busy;
	long		pause = 100;

	for (int attempt = 0;; attempt++)
	{
		edata = try_step(step, load_id, true, cxt, &busy);
		if (edata == NULL)
			return NULL;
		if (!busy || attempt >= bc_swap_retries)
			break;
		ereport(LOG,
				(errmsg("bedrock_cost: load %lld gave way to readers of %s (attempt %d of %d), retrying in %ld ms",
						(long long) load_id, rel, attempt + 1, bc_swap_retries + 1, pause)));
		pause_ms(pause);
		pause = Min(pause * 2, 5000);
	}
	if (busy)
		return MemoryContextStrdup(cxt,
								   psprintf("could not swap the delivery in: %s stayed locked by other sessions through %d attempts of %d ms (bedrock_cost.swap_retries, bedrock_cost.swap_lock_timeout)",
											rel, bc_swap_retries + 1, bc_swap_lock_timeout));
	return MemoryContextStrdup(cxt, bc_error_text(edata));
}

/*
 * Deliveries whose line items wait for bc_swap_in_deferred_line_items
 * (int64 load ids in deferred_cxt), while deferring is on.
 */
static MemoryContext deferred_cxt = NULL;
static List *deferred = NIL;

/*
 * Turn deferring on (cxt: where the list of waiting deliveries lives, until
 * bc_swap_in_deferred_line_items) or off (NULL).  While it is on, a swap
 * runs its first step only (_swap_in_summaries: the summaries and the
 * ledger, which the chargeback reads), and the line items wait.  The
 * background worker turns it on around its load_export, and load_export
 * itself when asked to refresh, and they swap the line items in after the
 * refresh of the chargeback, in the same transaction
 * (bc_refresh_then_swap_line_items):
 * a restatement's DETACH takes line_items in ACCESS EXCLUSIVE mode until
 * the commit, and readers of the line items then wait for that last step
 * only, not for the refresh.  Nothing is deferred in a schema whose swap
 * has no steps (0.1.0, not yet updated).
 */
void
bc_defer_line_items(MemoryContext cxt)
{
	deferred = NIL;
	deferred_cxt = cxt != NULL && bc_ledger_swap_has_steps() ? cxt : NULL;
}

/*
 * Swap in the line items of the deliveries deferred since
 * bc_defer_line_items (oldest first, as their summaries were), as the owner
 * of line_items, and turn deferring off.  Returns NULL when all are in,
 * else the error of the first that could not be (allocated in cxt): the
 * caller must then roll its transaction back, as the ledger already says
 * the deliveries are current.
 */
char *
bc_swap_in_deferred_line_items(MemoryContext cxt)
{
	List	   *todo = deferred;
	char	   *error = NULL;
	BcOwnerScope scope = {0};
	ListCell   *lc;

	deferred = NIL;
	deferred_cxt = NULL;
	if (todo == NIL)
		return NULL;
	bc_owner_enter(&scope);
	foreach(lc, todo)
	{
		int64		load_id = *(int64 *) lfirst(lc);

		error = swap_step_retrying(bc_ledger_swap_in_line_items, "bedrock_cost.line_items",
								   load_id, cxt);
		if (error != NULL)
		{
			error = MemoryContextStrdup(cxt, psprintf("load %lld: %s", (long long) load_id, error));
			break;
		}
	}
	bc_owner_leave(&scope);
	return error;
}

/*
 * The chargeback refresh the loads of a transaction are followed by:
 * bedrock_cost.refresh_chargeback(), when the installed schema has it
 * (bc_ledger_has_function), as the caller, in a nested SPI connection.  The
 * name is schema-qualified and the function pins its own search_path.
 */
static void
refresh_chargeback(void)
{
	Oid			no_args[1] = {InvalidOid};

	if (!bc_ledger_has_function("refresh_chargeback", 0, no_args))
		return;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT bedrock_cost.refresh_chargeback()", false, 0) != SPI_OK_SELECT)
		elog(ERROR, "bedrock_cost.refresh_chargeback() failed");
	SPI_finish();
}

/*
 * The end of loads run with deferring on (bc_defer_line_items): the
 * chargeback refresh when asked (refresh_chargeback), then the deferred
 * line items.  Line items that cannot be swapped in raise an error: the
 * caller's transaction is to be rolled back, since the ledger already says
 * the deliveries are current.
 */
void
bc_refresh_then_swap_line_items(bool refresh, MemoryContext cxt)
{
	char	   *error;

	if (refresh)
		refresh_chargeback();
	error = bc_swap_in_deferred_line_items(cxt);
	if (error != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("%s", error)));
}

/*
 * Swap a loaded delivery in, giving way to readers (swap_step_retrying):
 * both steps, or the first only while deferring (bc_defer_line_items).
 * First, once, the unique indexes on its summaries' grain, built from their
 * rows before any lock on the parents is asked for (a grain held twice
 * fails the delivery here); the progress entry of the load is kept across
 * them.  Returns NULL when swapped in, else the error (allocated in cxt).
 */
char *
bc_swap_in_retrying(int64 load_id, MemoryContext cxt)
{
	ErrorData  *edata;
	bool		busy;
	BcProgressSaved progress;
	char	   *error;

	bc_progress_save(&progress);
	edata = try_step(bc_ledger_index_summaries, load_id, false, cxt, &busy);
	bc_progress_restore(&progress);
	if (edata != NULL)
		return MemoryContextStrdup(cxt, bc_error_text(edata));
	if (deferred_cxt == NULL)
		return swap_step_retrying(bc_ledger_swap_in, "bedrock_cost.line_items", load_id, cxt);
	error = swap_step_retrying(bc_ledger_swap_in_summaries, "bedrock_cost.usage_summary",
							   load_id, cxt);
	if (error == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(deferred_cxt);
		int64	   *id = palloc(sizeof(int64));

		*id = load_id;
		deferred = lappend(deferred, id);
		MemoryContextSwitchTo(old);
	}
	return error;
}
