/*-------------------------------------------------------------------------
 *
 * worker.h
 *		The ingest background worker: the launcher's main loop
 *		(worker_launcher.c) and one poll of the registered exports
 *		(worker_poll.c), shared with bedrock_cost.poll_now().
 *
 * IDENTIFICATION
 *		src/ext/worker.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_WORKER_H
#define BC_WORKER_H

#include "nodes/pg_list.h"

/* bgw_type and application_name of the launcher */
#define BC_LAUNCHER_TYPE "bedrock_cost launcher"

/* the group role whose members may run the worker (sql/install/05_roles.sql) */
#define BC_WORKER_GROUP "bedrock_cost_worker"

/* BC_SAFE_SEARCH_PATH: the search_path every SQL text of the worker runs under */
#include "privilege.h"

/* channel of the NOTIFY sent with each completed load */
#define BC_NOTIFY_CHANNEL "bedrock_cost_load"

/* test-only: milliseconds to wait after a load, before its commit */
extern int	bc_debug_load_pause_ms;

/* register the launcher; called from _PG_init while preloading */
extern void bc_register_launcher(void);

/* true in the launcher process: polls then report to pg_stat_activity */
extern bool bc_in_launcher;

/*
 * One poll of every registered export.  With own_xacts (the launcher) each
 * step runs in a transaction of its own; otherwise everything runs in the
 * caller's transaction (poll_now).  Lists that must outlive a step live in
 * pollcxt.  Returns the number of deliveries loaded.
 */
extern int	bc_poll_once(bool own_xacts, MemoryContext pollcxt);

/* whether the extension is installed in this database (needs a transaction) */
extern bool bc_extension_ready(void);

/* mark loads left 'running' by a crashed or killed process (needs a transaction) */
extern void bc_fix_stale_loads(void);

/* a delivery the worker found in an export folder (one manifest) */
typedef struct BcWorkerDelivery
{
	void	   *scan;			/* the scan that found it (worker_scan.c), while it lasts */
	struct bc_delivery *core;	/* the core's delivery, while the scan lasts */
	char	   *manifest;		/* relative to the export folder */
	char	   *period;			/* YYYY-MM-01 */
	char	   *execution_id;	/* NULL when unknown */
	char	   *fingerprint;
	char	   *missing;		/* why incomplete; NULL when complete */
	char	   *error;			/* manifest unusable; NULL when fine */
	bool		ready;			/* to be loaded by this poll */
} BcWorkerDelivery;

/* worker_scan.c: deliveries on disk (the core's, see src/core/delivery.h) */
extern List *bc_worker_find_deliveries(const char *export_path);
extern void bc_worker_inspect_delivery(BcWorkerDelivery *dl, MemoryContext cxt);

/* run fn(arg) in a subtransaction; NULL on success, else the error message */
extern char *bc_worker_try(void (*fn) (void *arg), void *arg);

#endif							/* BC_WORKER_H */
