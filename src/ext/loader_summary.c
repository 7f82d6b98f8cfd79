/*-------------------------------------------------------------------------
 *
 * loader_summary.c
 *		Stores the chargeback summary of a delivery in its summary table.
 *
 * While the rows of a delivery stream through the core transformation, the
 * core sums them at the grain of the chargeback views (cur_summary.c).
 * After the line-item COPY, this file writes those sums into the
 * delivery's summary table (bedrock_cost.usage_summary_l<load_id>, created
 * with its line-item table) as tuples formed from them
 * (loader_summary_insert.c), then rolls them up over the usage days
 * (bc_sum_period) into its period summary table (usage_period_l<load_id>)
 * and per model and token kind (bc_sum_model_day) into its model-day
 * summary table (usage_daily_l<load_id>), written the same way.  With
 * bedrock_cost.read_ahead, a thread computes the two rollups while the
 * summary is written (threads.h): plain C over the core's summary, which
 * nothing changes meanwhile.  When the core could not keep the summary
 * (bedrock_cost.summary_memory exceeded or 0, or a database or client
 * encoding that rules out binary COPY of the line items; the tuple writer
 * itself needs only a UTF-8 database) the summaries are computed by SQL
 * over the rows just stored (bedrock_cost._summarize_load_table), and when
 * only a rollup did not fit, that one by SQL over the summary
 * (bedrock_cost._summarize_period, _summarize_daily): slower, same result.
 * A delivery whose rows were stored by bedrock-cost-load (or copied by
 * restore_load) is summed from its table into the same summary
 * (loader_stored_sum.c), then stored the same way.
 *
 * IDENTIFICATION
 *		src/ext/loader_summary.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "executor/spi.h"

#include "catalog/namespace.h"
#include "utils/lsyscache.h"

#include "cur_summary.h"
#include "guc.h"
#include "loader.h"
#include "threads.h"

/*
 * Write a summary of the core into a table of the delivery: table (of
 * load_id) with its columns and their count.
 */
static int64
write_summary(const bc_sum *sum, BcDelivery *d, int64 load_id, const char *table,
			  const char *columns, int ncolumns)
{
	return (int64) bc_summary_insert(sum, psprintf("%s" INT64_FORMAT, table, load_id),
									 columns, ncolumns, d, load_id);
}

/* a rollup of the summary: how to compute it, where it goes, its SQL fallback */
typedef struct BcRollup
{
	bc_sum	   *(*rollup) (const bc_sum *day, size_t max_bytes);
	const char *table;			/* the delivery's table, less its load_id */
	const char *columns;
	int			ncolumns;
	int64		(*fallback) (int64 load_id);
	const char *template;		/* the table's template ... */
	const char *since;			/* ... has this column in the schema whose
								 * rows the core writes (NULL: any) */
} BcRollup;

enum
{
	ROLLUP_PERIOD,
	ROLLUP_MODEL_DAY
};

static const BcRollup rollups[] = {
	[ROLLUP_PERIOD] = {bc_sum_period, "usage_period_l", bc_sum_period_copy_columns,
	BC_SUM_PERIOD_COPY_NCOLUMNS, bc_ledger_summarize_period, NULL, NULL},
	/* 0.1.0's usage_daily has line_item_type and token_kind rows */
	[ROLLUP_MODEL_DAY] = {bc_sum_model_day, "usage_daily_l", bc_sum_model_day_copy_columns,
	BC_SUM_MODEL_DAY_COPY_NCOLUMNS, bc_ledger_summarize_daily,
	"usage_daily_template", "attribution"},
};

/*
 * Is the installed schema the one whose rows the core writes for r?  A
 * database not yet updated (ALTER EXTENSION bedrock_cost UPDATE) keeps
 * its version's tables, and its own SQL fallback computes them.
 */
static bool
rollup_fits_schema(const BcRollup *r)
{
	Oid			rel;

	if (r->template == NULL)
		return true;
	rel = get_relname_relid(r->template, get_namespace_oid("bedrock_cost", false));
	return OidIsValid(rel) && get_attnum(rel, r->since) != InvalidAttrNumber;
}

/*
 * Store rolled, the rollup r of the core's summary of delivery d, into
 * its table, else (it did not fit: NULL, overflowed, out of memory, or a
 * schema not yet updated) compute that table by SQL from the summary
 * table just written.
 */
static void
store_rollup(const BcRollup *r, const bc_sum *rolled, BcDelivery *d, int64 load_id)
{
	if (rolled != NULL && !bc_sum_overflowed(rolled) && !bc_sum_nomem(rolled))
	{
		(void) write_summary(rolled, d, load_id, r->table, r->columns, r->ncolumns);
		return;
	}
	if (rollup_fits_schema(r))
		ereport(DEBUG1,
				(errmsg_internal("bedrock_cost: load %lld: %s%lld not rolled up in memory (beyond bedrock_cost.summary_memory, or a tags map with a number), computed by SQL",
								 (long long) load_id, r->table, (long long) load_id)));
	(void) r->fallback(load_id);
}

/* the rollups of a summary, computed by a task (threads.h) */
typedef struct BcRollupTask
{
	const bc_sum *day;
	size_t		max_bytes;
	bool		fits[lengthof(rollups)];	/* rollup_fits_schema */
	bc_sum	   *rolled[lengthof(rollups)];
} BcRollupTask;

/* the task: plain C, in a thread while the summary's COPY runs */
static void
rollup_task(void *arg)
{
	BcRollupTask *rt = arg;

	for (int i = 0; i < lengthof(rollups); i++)
		rt->rolled[i] = rt->fits[i] ? rollups[i].rollup(rt->day, rt->max_bytes) : NULL;
}

/*
 * Store the core's summary sum of delivery d and its rollups: with
 * bedrock_cost.read_ahead the rollups are computed by a thread while the
 * summary is written (each under bedrock_cost.summary_memory, so the
 * three together hold at most three times that).
 */
static void
store_from_core(const bc_sum *sum, BcDelivery *d, int64 load_id, BcLoadStats *stats)
{
	BcRollupTask rt = {0};
	bc_task		task;

	rt.day = sum;
	rt.max_bytes = (size_t) bc_summary_memory * 1024;
	for (int i = 0; i < lengthof(rollups); i++)
		rt.fits[i] = rollup_fits_schema(&rollups[i]);
	bc_task_start(&task, rollup_task, &rt, bc_read_ahead);
	PG_TRY();
	{
		stats->summary_rows = write_summary(sum, d, load_id, "usage_summary_l",
										   bc_sum_copy_columns, BC_SUM_COPY_NCOLUMNS);
		bc_task_join(&task);
		for (int i = 0; i < lengthof(rollups); i++)
			store_rollup(&rollups[i], rt.rolled[i], d, load_id);
	}
	PG_FINALLY();
	{
		/* after an error in the summary's COPY the task may still run */
		bc_task_abandon(&task);
		for (int i = 0; i < lengthof(rollups); i++)
			bc_sum_free(rt.rolled[i]);
	}
	PG_END_TRY();
}

/*
 * Store the chargeback summary of delivery d (loaded as load_id): the
 * core's, when it kept one, else computed by SQL from the stored rows.
 * Records how in stats.
 */
void
bc_summary_store(const bc_sum *sum, BcDelivery *d, int64 load_id, BcLoadStats *stats)
{
	if (sum != NULL && !bc_sum_overflowed(sum) && !bc_sum_nomem(sum))
	{
		store_from_core(sum, d, load_id, stats);
		stats->summary_via = "stream";
		return;
	}
	if (sum != NULL)
		ereport(DEBUG1,
				(errmsg_internal("bedrock_cost: load %lld: summary beyond bedrock_cost.summary_memory, computed by SQL",
								 (long long) load_id)));
	bc_progress_phase(d, load_id, BC_PHASE_SUMMARISING);
	stats->summary_rows = bc_ledger_summarize(load_id);
	stats->summary_via = "sql";
	bc_progress_done();
}

/*
 * Store the chargeback summary of delivery d whose rows are stored already
 * (bedrock-cost-load's, a restore's; stats->rows_loaded: the rows its
 * table must hold): summed in C from the stored rows when they can be
 * (loader_stored_sum.c), else by SQL from them.  Records how in stats.
 */
void
bc_summary_store_stored(BcDelivery *d, int64 load_id, BcLoadStats *stats)
{
	bc_sum	   *sum;

	bc_progress_phase(d, load_id, BC_PHASE_SUMMARISING);
	/*
	 * only where the line items could go to COPY in binary format (the
	 * encodings that took the core's summary while streaming); a 0.1.0
	 * schema, not yet updated, records stream or sql only
	 */
	sum = bc_copy_binary_possible() && bc_ledger_schema_is_current() ?
		bc_sum_stored_rows(load_id, stats->rows_loaded) : NULL;
	if (sum == NULL)
	{
		stats->summary_rows = bc_ledger_summarize(load_id);
		stats->summary_via = "sql";
		bc_progress_done();
		return;
	}
	bc_progress_done();
	PG_TRY();
	{
		store_from_core(sum, d, load_id, stats);
	}
	PG_FINALLY();
	{
		bc_sum_free(sum);
	}
	PG_END_TRY();
	stats->summary_via = "stored";
}

/*
 * Store the chargeback summary of restore load_id, whose rows
 * _prepare_restore copied from the delivery it restores: summed in C from
 * them as a client's are, else by SQL; recorded in the ledger.
 */
void
bc_summary_store_restored(int64 load_id)
{
	int64		rows,
				summary_rows;
	BcDelivery *d = bc_ledger_delivery_of(load_id, &rows, &summary_rows);
	BcLoadStats *stats = palloc0(sizeof(BcLoadStats));

	stats->rows_loaded = rows;
	bc_summary_store_stored(d, load_id, stats);
	bc_ledger_set_summary(load_id, stats);
}

/*
 * bedrock_cost._rebuild_daily(load_id bigint): the model-day summary of
 * current delivery load_id (usage_daily_l<load_id>) computed again from its
 * day summary, with the usage-type parser installed now (refresh_chargeback
 * on a new extension version, or asked for a full rebuild): the day
 * summary's groups read back into the core's summary and rolled up in C,
 * the rows replaced (DELETE, under readers) and the unique index on the
 * grain built again when there was one; else, when they cannot be read in
 * C, bedrock_cost._summarize_daily by SQL.  Returns the rows.  Internal:
 * runs in refresh_chargeback, as the owner, with its search_path.
 */
PG_FUNCTION_INFO_V1(bedrock_cost_rebuild_daily);

Datum
bedrock_cost_rebuild_daily(PG_FUNCTION_ARGS)
{
	int64		load_id = PG_GETARG_INT64(0);
	int64		rows,
				summary_rows;
	volatile int64 n = -1;
	BcDelivery *d;
	bc_sum	   *volatile day = NULL;
	bc_sum	   *volatile rolled = NULL;
	const BcRollup *r = &rollups[ROLLUP_MODEL_DAY];

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	d = bc_ledger_delivery_of(load_id, &rows, &summary_rows);
	if (bc_copy_binary_possible() && rollup_fits_schema(r))
		day = bc_sum_stored_summary(load_id, summary_rows);
	PG_TRY();
	{
		if (day != NULL)
			rolled = r->rollup(day, (size_t) bc_summary_memory * 1024);
		if (rolled != NULL && !bc_sum_overflowed(rolled) && !bc_sum_nomem(rolled))
		{
			/* its rows replaced; its index, if it had one, built again */
			bool		indexed = bc_ledger_clear_daily(load_id);

			n = write_summary(rolled, d, load_id, r->table, r->columns, r->ncolumns);
			if (indexed)
				bc_ledger_index_summaries(load_id);
		}
		else
			n = r->fallback(load_id);
	}
	PG_FINALLY();
	{
		bc_sum_free(rolled);
		bc_sum_free(day);
	}
	PG_END_TRY();
	SPI_finish();
	PG_RETURN_INT64(n);
}
