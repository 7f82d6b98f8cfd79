/*-------------------------------------------------------------------------
 *
 * loader.h
 *		Shared declarations of the CUR 2.0 loader (loader_*.c).
 *
 * A delivery (BcDelivery) is the unit of work: the files one manifest lists
 * for one (export, billing period), or one file given to load_file.  It is
 * loaded into a fresh table by loader_copy.c, recorded by loader_ledger.c
 * and swapped in by loader_swap.c; loader_delivery.c finds deliveries and
 * keeps every path inside the export folder.
 *
 * IDENTIFICATION
 *		src/ext/loader.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_LOADER_H
#define BC_LOADER_H

#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/date.h"
#include "utils/relcache.h"
#include "utils/timestamp.h"

/* one file of a delivery */
typedef struct BcLoadFile
{
	char	   *path;			/* export folder + relative path, for messages and the ledger */
	int			fd;				/* open descriptor to read (owned by the core delivery), -1 if none */
	int64		size;			/* bytes on disk when found */
	char		sha256[65];		/* hex; "" until known */
	int64		rows_read;		/* data rows read */
	int64		rows_loaded;	/* Bedrock rows fed to COPY */
} BcLoadFile;

struct bc_delivery;
typedef struct BcExport BcExport;

/* one delivery: the files of one manifest (or one ad hoc file) */
typedef struct BcDelivery
{
	BcExport   *ex;				/* the export it was found in (NULL: client API) */
	struct bc_delivery *core;	/* the core's delivery (NULL: client API) */
	int			core_index;		/* its position in the export's scan */
	char	   *export_path;	/* canonical export folder */
	int32		export_id;		/* bedrock_cost.exports, set by the ledger */
	bool		from_manifest;	/* load_export (true) or load_file (false) */
	char	   *manifest_path;	/* NULL for load_file */
	bool		top_level;		/* the period's latest-copy manifest (create-new layout) */
	char	   *execution_id;	/* NULL for load_file */
	bool		period_known;	/* load_file learns it from the first row */
	DateADT		period;			/* first day of the billing month */
	int			nfiles;
	BcLoadFile *files;
	TimestampTz delivered_at;	/* the manifest's (or the file's) modification time */
	bool		delivered_known;
	const char *loaded_via;		/* sql, worker, client (loads.loaded_via) */
	Oid			caller;			/* who called the load */
	bool		forced;			/* force => true */
	bool		complete;		/* load_file: complete => true */
} BcDelivery;

/* what the ledger says of a delivery's period, read after its period lock */
typedef struct BcLook
{
	int64		current_id;		/* the current (done) load of the export and period, -1 */
	char		current_key[65];
	TimestampTz current_delivered_at;
	bool		current_delivered_known;
	char	   *current_manifest;
	bool		current_by_server;	/* the server read its files (not the client) */
	int64		current_rows;
	bool		execution_seen; /* the execution id is in the period's ledger, any export */
} BcLook;

/* totals of one (line item type, Bedrock or not) */
typedef struct BcTotal
{
	char	   *line_item_type;
	bool		is_bedrock;
	int64		rows;
	int64		rejected_rows;
	char	   *unblended;		/* exact sum of unblended cost, as text */
	char	   *net;			/* the same for net unblended cost (NULL when absent) */
	bool		net_present;
	char	   *rejected;		/* the same for the rejected rows whose cost is a number */
} BcTotal;

/* one rejected row, or the error that failed the delivery */
typedef struct BcRowError
{
	char	   *file;
	int64		line;			/* 0 when not about a line */
	char	   *column;			/* NULL when not about a column */
	char	   *value;
	char	   *reason;
	char	   *raw;
} BcRowError;

/* what loading one delivery produced */
typedef struct BcLoadStats
{
	int64		rows_read;
	int64		rows_loaded;
	int64		rows_rejected;
	int64		rows_other;
	int64		bytes_read;
	List	   *totals;			/* of BcTotal * */
	List	   *rejects;		/* of BcRowError * */
	List	   *usage_types;	/* of char *, distinct pairs with ... */
	List	   *usage_products;	/* ... these product names (char *, "" if none) */
	char		delivery_key[65];
	bool		declared;		/* the totals were declared by bedrock-cost-load */
	int64		summary_rows;	/* rows of the chargeback summary */
	const char *summary_via;	/* how it was computed: stream, stored or sql (NULL: none) */
	MemoryContext cxt;			/* where the lists live; survives an abort */
} BcLoadStats;

/* privilege.c: who may load, and acting as the owner of line_items */
#include "privilege.h"

/* loader_delivery.c: the server's use of the core delivery layer (delivery.h) */
struct bc_derror;
extern void bc_raise_derror(struct bc_derror *e);
extern BcExport *bc_open_export(const char *path, bool is_file, MemoryContext cxt);
extern const char *bc_export_path(BcExport *ex);
extern List *bc_export_deliveries(BcExport *ex);
extern void bc_open_delivery(BcDelivery *d);
extern bool bc_delivery_is_latest_copy(BcDelivery *d);
extern bool bc_export_file_others(BcDelivery *d, const char *period, char **others,
								  int *nothers, struct bc_derror *err);
extern void bc_close_delivery(BcDelivery *d);
extern void bc_hash_files(BcDelivery *d);
extern void bc_load_key(BcDelivery *d, char key[65]);

/*
 * loader_progress.c: the loader's slots in the COPY progress parameters
 * (COPY uses 0-5), read by the bedrock_cost.load_progress view, and the
 * phases of a load.
 */
#define BC_PROGRESS_FILE_NO 13		/* file being read, 1-based */
#define BC_PROGRESS_FILES_TOTAL 14	/* files of the delivery */
#define BC_PROGRESS_PHASE 15
#define BC_PROGRESS_BYTES_TOTAL 16	/* compressed bytes of all its files */
#define BC_PROGRESS_BYTES_READ 17	/* compressed bytes done */
#define BC_PROGRESS_ROWS_READ 18	/* rows read from the files */
#define BC_PROGRESS_LOAD_ID 19
#define BC_PHASE_HASHING 1		/* hashing the files of an execution seen before */
#define BC_PHASE_COPYING 2		/* reading the files into the delivery table */
#define BC_PHASE_SWAPPING 3		/* swapping the delivery table in */
#define BC_PHASE_SUMMARISING 4	/* storing the delivery's chargeback summary */
extern void bc_progress_phase(const BcDelivery *d, int64 load_id, int phase);
extern void bc_progress_in_copy(const BcDelivery *d, int64 load_id, int phase);
extern void bc_progress_file(int file_no, int64 bytes_done);
extern void bc_progress_rows(int64 rows_read, int64 bytes_done);
extern void bc_progress_done(void);

/* a backend progress entry, kept across a command with one of its own */
typedef struct BcProgressSaved
{
	ProgressCommandType command;	/* PROGRESS_COMMAND_INVALID: none */
	Oid			relid;
	int64		param[PGSTAT_NUM_PROGRESS_PARAM];
} BcProgressSaved;

extern void bc_progress_save(BcProgressSaved *saved);
extern void bc_progress_restore(const BcProgressSaved *saved);

/* loader_fns.c */
extern bool bc_loading_for_worker;	/* set by the worker while it calls load_export */
extern const char *bc_decide(BcDelivery *d, BcLook *look, const char *key,
							 bool server_read, int64 *same_as);

/* loader_swap.c */
extern void bc_rethrow_if_cancel(ErrorData *edata);
extern char *bc_swap_in_retrying(int64 load_id, MemoryContext cxt);
extern void bc_defer_line_items(MemoryContext cxt);
extern char *bc_swap_in_deferred_line_items(MemoryContext cxt);
extern void bc_refresh_then_swap_line_items(bool refresh, MemoryContext cxt);

/* loader_copy.c */
extern void bc_peek_period(BcDelivery *d);
extern void bc_copy_delivery(BcDelivery *d, int64 load_id, const char *table,
							 BcLoadStats *stats);
extern void bc_copy_clear_failure(void);
extern BcRowError *bc_copy_failure(void);

/* loader_copy_into.c: the one COPY into a table of the schema, and its checks */
struct ParseState;
extern bool bc_copy_binary_possible(void);
extern Relation bc_open_for_insert(const char *table, const char *columns, int ncolumns,
								   struct ParseState **pstate, List **attnames);
extern uint64 bc_copy_into(const char *table, const char *columns, int ncolumns, bool binary,
						   int (*data_source) (void *outbuf, int minread, int maxread),
						   const BcDelivery *d, int64 load_id, int phase);

/* loader_citus.c: delivery tables distributed by Citus */
extern bool bc_citus_distributed(Relation rel);
extern uint64 bc_citus_copy(Relation rel, List *attnames, List *options,
							int (*data_source) (void *outbuf, int minread, int maxread),
							const BcDelivery *d, int64 load_id, int phase);

/* loader_summary_insert.c: a core summary's rows into a table of the schema */
struct bc_sum;
extern uint64 bc_summary_insert(const struct bc_sum *sum, const char *table,
								const char *columns, int ncolumns,
								const BcDelivery *d, int64 load_id);

/* loader_verify.c */
extern void bc_verify_stored(int64 load_id, BcLoadStats *stats, bool client);

/* loader_summary.c */
extern void bc_summary_store(const struct bc_sum *sum, BcDelivery *d, int64 load_id,
							 BcLoadStats *stats);
extern void bc_summary_store_stored(BcDelivery *d, int64 load_id, BcLoadStats *stats);
extern void bc_summary_store_restored(int64 load_id);

/* loader_stored_sum.c */
extern struct bc_sum *bc_sum_stored_rows(int64 load_id, int64 expected_rows);
extern struct bc_sum *bc_sum_stored_summary(int64 load_id, int64 expected_rows);

/* loader_ledger.c */
extern int32 bc_ledger_export_id(const char *export_path);
extern void bc_ledger_lock_period(BcDelivery *d);
extern void bc_ledger_look(BcDelivery *d, BcLook *look);
extern int64 bc_ledger_current_elsewhere(BcDelivery *d, const char *key);
extern int64 bc_ledger_next_id(void);
extern void bc_ledger_record(BcDelivery *d, int64 load_id, const char *status,
							 int64 same_as, BcLoadStats *stats);
extern void bc_ledger_audit(const char *action, const char *object, const char *detail_json);
extern char *bc_ledger_create_table(BcDelivery *d, int64 load_id);
extern void bc_ledger_loaded(BcDelivery *d, int64 load_id, const char *table,
							 BcLoadStats *stats);
extern void bc_ledger_failed(BcDelivery *d, int64 load_id, BcLoadStats *stats,
							 const char *message, BcRowError *where);
extern int64 bc_ledger_summarize(int64 load_id);
extern bool bc_ledger_has_function(const char *name, int nargs, const Oid *argtypes);
extern bool bc_ledger_schema_is_current(void);
extern BcDelivery *bc_ledger_delivery_of(int64 load_id, int64 *rows_loaded, int64 *summary_rows);
extern void bc_ledger_set_summary(int64 load_id, const BcLoadStats *stats);
extern bool bc_ledger_clear_daily(int64 load_id);
extern int64 bc_ledger_summarize_period(int64 load_id);
extern int64 bc_ledger_summarize_daily(int64 load_id);
extern void bc_ledger_index_summaries(int64 load_id);
extern char *bc_error_text(ErrorData *edata);
extern void bc_ledger_swap_in(int64 load_id);
extern bool bc_ledger_swap_has_steps(void);
extern void bc_ledger_swap_in_summaries(int64 load_id);
extern void bc_ledger_swap_in_line_items(int64 load_id);
extern void bc_ledger_swap_failed(int64 load_id, const char *message);
extern void bc_ledger_usage_types(List *usage_types, List *products);


#endif							/* BC_LOADER_H */
