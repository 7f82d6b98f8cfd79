/*-------------------------------------------------------------------------
 *
 * guc.h
 *		Configuration settings of bedrock_cost (bedrock_cost.*).
 *
 * IDENTIFICATION
 *		src/ext/guc.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_GUC_H
#define BC_GUC_H

extern char *bc_database;
extern char *bc_worker_role;
extern char *bc_export_root;
extern int	bc_poll_interval;
extern bool bc_enabled;
extern int	bc_max_rejected_rows;
extern int	bc_history_retention;
extern bool bc_read_ahead;
extern int	bc_swap_lock_timeout;
extern int	bc_swap_retries;
extern bool bc_allow_empty_period;
extern bool bc_client_replaces_server_loads;
extern int	bc_summary_memory;	/* kB */
extern bool bc_debug_plain_copy;	/* test only */
extern int	bc_debug_pause_after_rows;	/* test only */

extern void bc_define_gucs(bool preloading);

#endif							/* BC_GUC_H */
