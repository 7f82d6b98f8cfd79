/*-------------------------------------------------------------------------
 *
 * loader_summary.c
 *		Stores the chargeback summary of a delivery in its summary table.
 *
 * While the rows of a delivery stream through the core transformation, the
 * core sums them at the grain of the chargeback views (cur_summary.c).
 * After the line-item COPY, this file writes those sums into the
 * delivery's summary table (bedrock_cost.usage_summary_l<load_id>, created
 * with its line-item table) with a second, binary COPY, then rolls them up
 * over the usage days (bc_sum_period) into its period summary table
 * (usage_period_l<load_id>) and per model and token kind (bc_sum_model_day)
 * into its model-day summary table (usage_daily_l<load_id>), a COPY each.  When the core could not keep
 * the summary (bedrock_cost.summary_memory exceeded or 0, or a database
 * whose encoding rules out binary COPY rows) the summaries are computed by
 * SQL over the rows just stored (bedrock_cost._summarize_load_table), and
 * when only a rollup did not fit, that one by SQL over the summary
 * (bedrock_cost._summarize_period, _summarize_daily): slower, same result.
 *
 * The COPY data source callback has no user-data argument, so its state is
 * the file-static bc_sum_copy (set for the duration of one COPY).
 *
 * IDENTIFICATION
 *		src/ext/loader_summary.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "catalog/namespace.h"
#include "miscadmin.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"

#include "copy_binary.h"
#include "cur_summary.h"
#include "guc.h"
#include "loader.h"

/* bytes of COPY rows written per refill */
#define SUMMARY_CHUNK (256 * 1024)

/* state of the summary COPY in progress */
typedef struct BcSumCopy
{
	const bc_sum *sum;
	size_t		cursor;			/* next group to write */
	int			year;
	int			month;
	int32		export_id;
	int64		load_id;
	bc_buf		buf;			/* COPY data being handed out ... */
	size_t		pos;			/* ... and how much of it was */
	bool		done;			/* every group written */
} BcSumCopy;

static BcSumCopy *bc_sum_copy = NULL;

/* refill the buffer with the next groups */
static void
refill(BcSumCopy *sc)
{
	bc_buf_reset(&sc->buf);
	sc->pos = 0;
	if (!bc_sum_emit(sc->sum, &sc->cursor, sc->year, sc->month, sc->export_id,
					 sc->load_id, &sc->buf, SUMMARY_CHUNK))
		sc->done = true;
	if (sc->buf.nomem)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
}

/* COPY's data source: the summary's binary rows */
static int
summary_read_cb(void *outbuf, int minread, int maxread)
{
	BcSumCopy  *sc = bc_sum_copy;
	int			n = 0;

	if (sc == NULL)
		elog(ERROR, "bedrock_cost summary COPY callback called outside a load");
	while (n < minread)
	{
		int			avail = (int) (sc->buf.len - sc->pos);

		if (avail > 0)
		{
			int			take = Min(avail, maxread - n);

			memcpy((char *) outbuf + n, sc->buf.data + sc->pos, take);
			sc->pos += take;
			n += take;
			continue;
		}
		if (sc->done)
			break;
		CHECK_FOR_INTERRUPTS();
		refill(sc);
	}
	return n;
}

/*
 * Write a summary of the core into a table of the delivery: table (of
 * load_id) with its COPY columns and their count.
 */
static int64
copy_summary(const bc_sum *sum, BcDelivery *d, int64 load_id, const char *table,
			 const char *columns, int ncolumns)
{
	BcSumCopy	sc = {0};
	int			day;
	volatile uint64 rows = 0;

	sc.sum = sum;
	sc.export_id = d->export_id;
	sc.load_id = load_id;
	j2date(d->period + POSTGRES_EPOCH_JDATE, &sc.year, &sc.month, &day);
	bc_buf_init(&sc.buf);
	/* the file header first, then the rows */
	bc_buf_put(&sc.buf, bc_cb_header, BC_CB_HEADER_LEN);
	bc_sum_copy = &sc;
	PG_TRY();
	{
		rows = bc_copy_into(psprintf("%s" INT64_FORMAT, table, load_id),
							columns, ncolumns, true,
							summary_read_cb, d, load_id, BC_PHASE_SUMMARISING);
	}
	PG_FINALLY();
	{
		bc_sum_copy = NULL;
		bc_buf_free(&sc.buf);
	}
	PG_END_TRY();
	return (int64) rows;
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

static const BcRollup rollups[] = {
	{bc_sum_period, "usage_period_l", bc_sum_period_copy_columns,
	BC_SUM_PERIOD_COPY_NCOLUMNS, bc_ledger_summarize_period, NULL, NULL},
	/* 0.1.0's usage_daily has line_item_type and token_kind rows */
	{bc_sum_model_day, "usage_daily_l", bc_sum_model_day_copy_columns,
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
 * Store a rollup of the core's summary sum into its table of delivery d,
 * under the same memory bound, else (it did not fit) compute it by SQL
 * from the summary table just written.
 */
static void
store_rollup(const BcRollup *r, const bc_sum *sum, BcDelivery *d, int64 load_id)
{
	bc_sum	   *rolled;

	if (!rollup_fits_schema(r))
	{
		(void) r->fallback(load_id);
		return;
	}
	rolled = r->rollup(sum, (size_t) bc_summary_memory * 1024);

	if (rolled != NULL && !bc_sum_overflowed(rolled) && !bc_sum_nomem(rolled))
	{
		PG_TRY();
		{
			(void) copy_summary(rolled, d, load_id, r->table, r->columns, r->ncolumns);
		}
		PG_FINALLY();
		{
			bc_sum_free(rolled);
		}
		PG_END_TRY();
		return;
	}
	bc_sum_free(rolled);
	ereport(DEBUG1,
			(errmsg_internal("bedrock_cost: load %lld: %s%lld not rolled up in memory (beyond bedrock_cost.summary_memory, or a tags map with a number), computed by SQL",
							 (long long) load_id, r->table, (long long) load_id)));
	(void) r->fallback(load_id);
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
		stats->summary_rows = copy_summary(sum, d, load_id, "usage_summary_l",
										   bc_sum_copy_columns, BC_SUM_COPY_NCOLUMNS);
		stats->summary_via = "stream";
		for (int i = 0; i < lengthof(rollups); i++)
			store_rollup(&rollups[i], sum, d, load_id);
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
