/*-------------------------------------------------------------------------
 *
 * worker_launcher.c
 *		The "bedrock_cost launcher" background worker: registered when the
 *		library is preloaded, connected to bedrock_cost.database, it polls
 *		the registered exports every bedrock_cost.poll_interval seconds and
 *		loads new deliveries in its own process (worker_poll.c).
 *
 * Processes.  One static worker, no dynamic ones: loads run in-process
 * through SPI.  If the launcher dies (an uncaught error, a crash, kill -9)
 * the postmaster restarts it after bgw_restart_time (BC_RESTART_S); a crash
 * also makes the postmaster reinitialise every backend, as for any backend
 * crash.  SIGTERM is handled by die(), so it is acted upon at the next
 * CHECK_FOR_INTERRUPTS(), never inside a critical section; the process then
 * exits with the current transaction aborted.  Postmaster death ends the
 * wait (WL_EXIT_ON_PM_DEATH).  SIGHUP sets ConfigReloadPending and the
 * latch; the loop rereads the configuration and polls at once.
 *
 * Transactions.  Each step of a poll is a transaction of its own: listing
 * the exports; scanning one export folder (recording what is on disk and
 * deciding whether to load; when it decides to, it also commits a
 * loading_since/loading_pid marker on the deliveries to load); loading
 * that folder.  The load step calls bedrock_cost.load_export(), the
 * chargeback refresh and the NOTIFYs in one subtransaction, then records
 * the outcome on the deliveries and clears the markers in the step's own
 * transaction: the state tables are always consistent with the loaded
 * data.  A crash at any point leaves the data and the ledger as before the
 * load (nothing of it committed) and the markers in place; the next scan
 * sees a marker whose process is gone, counts an 'interrupted' failure with
 * backoff, and the delivery is loaded again after the backoff (so a
 * delivery that crashes the server cannot cause a tight crash loop).
 * Loads the loader left 'running' are marked failed when the launcher
 * starts.  bedrock_cost.poll_now() runs the same steps in the caller's
 * transaction.
 *
 * Role.  The launcher connects as bedrock_cost.worker_role, or as the
 * bootstrap superuser when that is empty.  A role that is not a superuser
 * polls only once it has the privileges of bedrock_cost_worker and,
 * through it, of bedrock_cost_admin (the loader's requirement); until then
 * the launcher logs it once and waits, as it waits for CREATE EXTENSION.
 *
 * search_path.  Right after connecting, before any SQL, the launcher pins
 * search_path to "pg_catalog, pg_temp" at PGC_S_OVERRIDE, above any ALTER
 * DATABASE or ALTER ROLE default, so that neither the database's owner
 * nor anyone with CREATE on a schema can put an operator, function or type
 * in the way of the worker's SQL (which also qualifies every one of them,
 * see worker_poll.c).
 *
 * Memory.  The launcher keeps nothing across polls except its settings.
 * Lists that must outlive a step's transaction (the exports, the
 * deliveries of the export to load) live in "bedrock_cost poll", a child of
 * TopMemoryContext reset at the start of every loop iteration; the loop
 * switches back to it after every commit (which leaves
 * CurrentMemoryContext at TopMemoryContext).  Everything else is allocated
 * in SPI or transaction contexts and freed with them.
 *
 * Locking.  Each step takes pg_try_advisory_xact_lock on the export
 * (hashtext('bedrock_cost export'), export_id); a step that cannot get it
 * skips the export for this poll, so the launcher and poll_now() never
 * scan or load the same export at once.  Between the scan and the load
 * steps of the launcher, the markers keep a poll_now() from loading the
 * same deliveries (a live marker means "being loaded").  The loader
 * takes the locks it needs for the partition swap; they are held to the
 * end of the load's transaction.
 *
 * IDENTIFICATION
 *		src/ext/worker_launcher.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include <limits.h>

#include "access/xact.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "guc.h"
#include "worker.h"

/* seconds before the postmaster restarts a launcher that exited with an error */
#define BC_RESTART_S 5

/* what the launcher has logged or done once, across iterations */
typedef struct LauncherState
{
	bool		waiting_logged; /* "extension not installed" logged */
	bool		role_logged;	/* "role lacks privileges" logged */
	bool		stale_fixed;	/* stale loads marked failed */
} LauncherState;

PGDLLEXPORT void bc_launcher_main(Datum main_arg);

/* the wait event of the launcher's sleep (custom on PG17+) */
static uint32
launcher_wait_event(void)
{
	static uint32 event = 0;

	if (event == 0)
		event = BC_WAIT_EVENT("BedrockCostLauncher");
	return event;
}

/* register the launcher; called from _PG_init while preloading */
void
bc_register_launcher(void)
{
	BackgroundWorker worker;

	DefineCustomIntVariable("bedrock_cost.debug_load_pause_ms",
							gettext_noop("Test only: milliseconds each load waits before it commits."),
							NULL, &bc_debug_load_pause_ms, 0, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_MS | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							NULL, NULL, NULL);

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BC_RESTART_S;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "bedrock_cost");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "bc_launcher_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, BC_LAUNCHER_TYPE);
	snprintf(worker.bgw_type, BGW_MAXLEN, BC_LAUNCHER_TYPE);
	worker.bgw_notify_pid = 0;
	RegisterBackgroundWorker(&worker);
}

/* bedrock_cost.worker_role, or NULL when empty (the bootstrap superuser) */
static const char *
configured_role(void)
{
	return (bc_worker_role != NULL && bc_worker_role[0] != '\0') ? bc_worker_role : NULL;
}

/* run fn in a transaction of its own; true when it committed */
static bool
in_transaction(bool (*fn) (void), bool *result)
{
	MemoryContext cxt = CurrentMemoryContext;
	volatile bool ok = true;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	PG_TRY();
	{
		*result = fn();
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		EmitErrorReport();
		AbortCurrentTransaction();
		FlushErrorState();
		ok = false;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	return ok;
}

/*
 * Whether the role the launcher runs as may poll: a superuser, or a role
 * with the privileges of bedrock_cost_worker (the worker's state, the
 * stale-load fix) and of bedrock_cost_admin (the loader checks it).  As a
 * transaction body.
 */
static bool
role_may_poll(void)
{
	Oid			worker = get_role_oid(BC_WORKER_GROUP, true);
	Oid			admin = get_role_oid("bedrock_cost_admin", true);

	if (superuser())
		return true;
	return OidIsValid(worker) && OidIsValid(admin) &&
		has_privs_of_role(GetUserId(), worker) &&
		has_privs_of_role(GetUserId(), admin);
}

/* fix stale ledger rows; as a transaction body */
static bool
fix_stale_loads(void)
{
	bc_fix_stale_loads();
	return true;
}

/* show what the launcher is doing between polls in pg_stat_activity */
static void
report_idle(uint64 cycle, const char *what)
{
	char		buf[256];

	snprintf(buf, sizeof(buf),
			 "bedrock_cost launcher: %s (cycle " UINT64_FORMAT ", poll_interval %ds)",
			 what, cycle, bc_poll_interval);
	pgstat_report_activity(STATE_IDLE, buf);
}

/*
 * One iteration of the loop: poll if enabled, installed and privileged.
 * Returns what to show in pg_stat_activity until the next one.
 */
static const char *
launcher_iteration(MemoryContext pollcxt, LauncherState *st)
{
	bool		ok = false;

	if (!bc_enabled)
		return "disabled (bedrock_cost.enabled = off)";
	if (bc_export_root == NULL || bc_export_root[0] == '\0')
		return "idle, bedrock_cost.export_root is not set";
	if (!in_transaction(bc_extension_ready, &ok) || !ok)
	{
		if (!st->waiting_logged)
			ereport(LOG,
					(errmsg("bedrock_cost launcher: extension bedrock_cost is not installed in database \"%s\", waiting",
							bc_database),
					 errhint("Run CREATE EXTENSION bedrock_cost in that database.")));
		st->waiting_logged = true;
		st->stale_fixed = false;
		return "waiting for CREATE EXTENSION bedrock_cost";
	}
	if (st->waiting_logged)
		ereport(LOG,
				(errmsg("bedrock_cost launcher: extension bedrock_cost found in database \"%s\"",
						bc_database)));
	st->waiting_logged = false;
	if (!in_transaction(role_may_poll, &ok) || !ok)
	{
		if (!st->role_logged)
			ereport(LOG,
					(errmsg("bedrock_cost launcher: role \"%s\" does not have the privileges of "
							BC_WORKER_GROUP " and bedrock_cost_admin, waiting", bc_worker_role),
					 errhint("Run: GRANT " BC_WORKER_GROUP " TO %s;",
							 quote_identifier(bc_worker_role))));
		st->role_logged = true;
		return "waiting for the privileges of " BC_WORKER_GROUP;
	}
	if (st->role_logged)
		ereport(LOG,
				(errmsg("bedrock_cost launcher: role \"%s\" has the privileges of " BC_WORKER_GROUP,
						bc_worker_role)));
	st->role_logged = false;
	if (!st->stale_fixed)
		st->stale_fixed = in_transaction(fix_stale_loads, &ok);
	(void) bc_poll_once(true, pollcxt);
	MemoryContextSwitchTo(pollcxt);
	return "idle";
}

/* entry point of the launcher */
void
bc_launcher_main(Datum main_arg)
{
	MemoryContext pollcxt;
	LauncherState st = {0};
	uint64		cycle = 0;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	BackgroundWorkerInitializeConnection(bc_database, configured_role(), 0);

	/*
	 * Before any SQL: the database's and the role's defaults (ALTER
	 * DATABASE/ROLE ... SET search_path) were applied when connecting; this
	 * overrides them for the life of the process.
	 */
	SetConfigOption("search_path", BC_SAFE_SEARCH_PATH, PGC_SUSET, PGC_S_OVERRIDE);
	pgstat_report_appname(BC_LAUNCHER_TYPE);
	bc_in_launcher = true;
	if (configured_role() != NULL)
		ereport(LOG,
				(errmsg("bedrock_cost launcher started in database \"%s\" as role \"%s\"",
						bc_database, bc_worker_role)));
	else
		ereport(LOG,
				(errmsg("bedrock_cost launcher started in database \"%s\" as the bootstrap superuser",
						bc_database)));

	pollcxt = AllocSetContextCreate(TopMemoryContext, "bedrock_cost poll",
									ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		const char *what;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		MemoryContextReset(pollcxt);
		MemoryContextSwitchTo(pollcxt);
		cycle++;
		what = launcher_iteration(pollcxt, &st);
		report_idle(cycle, what);

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 bc_poll_interval * 1000L, launcher_wait_event());
		ResetLatch(MyLatch);
	}
}
