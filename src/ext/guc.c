/*-------------------------------------------------------------------------
 *
 * guc.c
 *		Defines the bedrock_cost.* settings.
 *
 * Settings are defined before the shared_preload_libraries early return in
 * _PG_init, so they exist (and SET works) whether or not the library was
 * preloaded.
 *
 * IDENTIFICATION
 *		src/ext/guc.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include <limits.h>

#include "guc.h"

char	   *bc_database = NULL;
char	   *bc_worker_role = NULL;
char	   *bc_export_root = NULL;
int			bc_poll_interval = 60;
bool		bc_enabled = true;
int			bc_max_rejected_rows = 0;
int			bc_history_retention = 0;
bool		bc_read_ahead = true;
int			bc_swap_lock_timeout = 1000;
int			bc_swap_retries = 10;
bool		bc_allow_empty_period = false;
bool		bc_client_replaces_server_loads = false;
int			bc_summary_memory = 256 * 1024;
bool		bc_debug_plain_copy = false;
int			bc_debug_pause_after_rows = 0;

/* export_root must be an absolute path (or empty: the worker then loads nothing) */
static bool
check_export_root(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	if ((*newval)[0] != '/')
	{
		GUC_check_errdetail("bedrock_cost.export_root must be an absolute path.");
		return false;
	}
	return true;
}

/*
 * Define every bedrock_cost.* setting.  Settings fixed at server start
 * (PGC_POSTMASTER) can only be defined while preloading: a backend that
 * loads the library later must not try, as core refuses it with a FATAL.
 */
void
bc_define_gucs(bool preloading)
{
	if (preloading)
	{
		DefineCustomStringVariable("bedrock_cost.database",
								   gettext_noop("Database the bedrock_cost worker connects to."),
								   NULL, &bc_database, "postgres",
								   PGC_POSTMASTER, 0, NULL, NULL, NULL);
		DefineCustomStringVariable("bedrock_cost.worker_role",
								   gettext_noop("Role the bedrock_cost worker connects as."),
								   gettext_noop("Empty means the bootstrap superuser; otherwise a LOGIN role, member of bedrock_cost_worker."),
								   &bc_worker_role, "",
								   PGC_POSTMASTER, 0, NULL, NULL, NULL);
	}
	DefineCustomStringVariable("bedrock_cost.export_root",
							   gettext_noop("Folder under which every registered CUR export must live; the worker reads nothing outside it."),
							   gettext_noop("Empty means the worker loads nothing."),
							   &bc_export_root, "",
							   PGC_SIGHUP, GUC_SUPERUSER_ONLY,
							   check_export_root, NULL, NULL);
	DefineCustomIntVariable("bedrock_cost.poll_interval",
							gettext_noop("Seconds between two scans of the registered exports."),
							NULL, &bc_poll_interval, 60, 1, INT_MAX / 1000,
							PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomBoolVariable("bedrock_cost.enabled",
							 gettext_noop("Whether the worker scans and loads exports."),
							 NULL, &bc_enabled, true,
							 PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("bedrock_cost.max_rejected_rows",
							gettext_noop("Rows a delivery may reject (kept in bedrock_cost.load_errors) before the whole delivery fails."),
							gettext_noop("0, the default, is strict: any bad row fails the delivery."),
							&bc_max_rejected_rows, 0, 0, INT_MAX,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("bedrock_cost.history_retention",
							gettext_noop("Superseded deliveries kept per billing period as history; 0 keeps all."),
							NULL, &bc_history_retention, 0, 0, INT_MAX,
							PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("bedrock_cost.read_ahead",
							 gettext_noop("Whether loads read and transform the CUR files in a helper thread while COPY stores the rows."),
							 gettext_noop("The thread runs only the extension's own reader (zlib, libcsv, the row checks), never PostgreSQL code."),
							 &bc_read_ahead, true,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("bedrock_cost.swap_lock_timeout",
							gettext_noop("How long a swap waits for the locks on line_items before it gives way and retries."),
							gettext_noop("Readers queued behind a waiting swap wait at most this long."),
							&bc_swap_lock_timeout, 1000, 1, INT_MAX,
							PGC_USERSET, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("bedrock_cost.swap_retries",
							gettext_noop("How many times a swap that gave way is retried (with a growing pause) before the delivery fails."),
							NULL, &bc_swap_retries, 10, 0, 1000,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("bedrock_cost.allow_empty_period",
							 gettext_noop("Whether a delivery without Amazon Bedrock rows may replace a period that has some."),
							 NULL, &bc_allow_empty_period, false,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("bedrock_cost.client_replaces_server_loads",
							 gettext_noop("Whether a delivery sent by bedrock-cost-load may replace one the server loaded from its own files."),
							 gettext_noop("Only a superuser can set it."),
							 &bc_client_replaces_server_loads, false,
							 PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("bedrock_cost.summary_memory",
							gettext_noop("Memory a load may use for the chargeback summary it computes while the rows stream through it."),
							gettext_noop("Beyond it, or at 0, the summary is computed by SQL over the stored rows after the COPY (slower, same result)."),
							&bc_summary_memory, 256 * 1024, 0, INT_MAX / 1024,
							PGC_USERSET, GUC_UNIT_KB, NULL, NULL, NULL);
	DefineCustomBoolVariable("bedrock_cost.debug_plain_copy",
							 gettext_noop("Test only: loads write into a Citus distributed table with a plain COPY."),
							 gettext_noop("The rows then land in the coordinator's empty shell table; the check before the swap must fail the delivery (test/citus/run.sh)."),
							 &bc_debug_plain_copy, false,
							 PGC_SUSET, GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE, NULL, NULL, NULL);
	/* test only: makes cancel, terminate and kill tests independent of timing */
	DefineCustomIntVariable("bedrock_cost.debug_pause_after_rows",
							gettext_noop("Test only: a server load waits, once it has loaded this many rows of a delivery, until it is cancelled or terminated."),
							gettext_noop("0, the default, never waits.  The wait shows in pg_stat_activity as wait_event_type Extension."),
							&bc_debug_pause_after_rows, 0, 0, INT_MAX,
							PGC_SUSET, GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE, NULL, NULL, NULL);
	MarkGUCPrefixReserved("bedrock_cost");
}
