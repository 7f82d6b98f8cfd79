/*-------------------------------------------------------------------------
 *
 * loader_ledger.c
 *		The load ledger (bedrock_cost.loads and its child tables), the
 *		per-period advisory lock, and the calls into the swap procedures.
 *
 * Every statement goes through SPI with typed parameters; no value is
 * ever spliced into SQL text.  Identifiers (delivery table names) are
 * built and quoted by the PL/pgSQL procedures in 40_loader.sql with
 * format('%I').  The caller holds an SPI connection, as the owner of
 * line_items with search_path pinned to pg_catalog, pg_temp
 * (privilege.c); even so, every table, function, operator and type in
 * these texts is named with its schema, so no object of any other schema
 * can ever be picked up.
 *
 * Lock, then look: a load takes its period's advisory lock before it
 * reads the ledger, and every statement here runs with a snapshot taken
 * when it starts (SPI with read_only false, under READ COMMITTED; the
 * loader refuses other isolation levels), so what a load decides from the
 * ledger includes everything committed before it got the lock.
 *
 * IDENTIFICATION
 *		src/ext/loader_ledger.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#include "loader.h"

#define MAX_ARGS 24

/* a statement being assembled: its parameters */
typedef struct Params
{
	int			n;
	Oid			types[MAX_ARGS];
	Datum		values[MAX_ARGS];
	char		nulls[MAX_ARGS];
} Params;

/* add a text parameter (NULL when s is NULL) */
static void
p_text(Params *p, const char *s)
{
	p->types[p->n] = TEXTOID;
	p->values[p->n] = s ? CStringGetTextDatum(s) : (Datum) 0;
	p->nulls[p->n++] = s ? ' ' : 'n';
}

/* add a bigint parameter */
static void
p_int8(Params *p, int64 v)
{
	p->types[p->n] = INT8OID;
	p->values[p->n] = Int64GetDatum(v);
	p->nulls[p->n++] = ' ';
}

/* add an integer parameter */
static void
p_int4(Params *p, int32 v)
{
	p->types[p->n] = INT4OID;
	p->values[p->n] = Int32GetDatum(v);
	p->nulls[p->n++] = ' ';
}

/* add a date parameter (NULL when !known) */
static void
p_date(Params *p, DateADT d, bool known)
{
	p->types[p->n] = DATEOID;
	p->values[p->n] = DateADTGetDatum(d);
	p->nulls[p->n++] = known ? ' ' : 'n';
}

/* add a boolean parameter */
static void
p_bool(Params *p, bool v)
{
	p->types[p->n] = BOOLOID;
	p->values[p->n] = BoolGetDatum(v);
	p->nulls[p->n++] = ' ';
}

/* run a statement; returns SPI's result code after checking it */
static int
run(const char *sql, Params *p, bool read_only)
{
	int			rc = SPI_execute_with_args(sql, p ? p->n : 0,
										   p ? p->types : NULL,
										   p ? p->values : NULL,
										   p ? p->nulls : NULL,
										   read_only, 0);

	if (rc < 0)
		elog(ERROR, "bedrock_cost ledger statement failed (%s): %s",
			 SPI_result_code_string(rc), sql);
	return rc;
}

/* the first column of the first result row as int8, or -1 without rows */
static int64
first_int8(void)
{
	bool		isnull;
	Datum		d;

	if (SPI_processed == 0)
		return -1;
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		return -1;
	switch (SPI_tuptable->tupdesc->attrs[0].atttypid)
	{
		case INT4OID:
			return DatumGetInt32(d);
		default:
			return DatumGetInt64(d);
	}
}

/* add a timestamptz parameter (NULL when !known) */
static void
p_tstz(Params *p, TimestampTz t, bool known)
{
	p->types[p->n] = TIMESTAMPTZOID;
	p->values[p->n] = TimestampTzGetDatum(t);
	p->nulls[p->n++] = known ? ' ' : 'n';
}

/* the first column of the first result row as text, or NULL */
static char *
first_text(int col)
{
	if (SPI_processed == 0)
		return NULL;
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col);
}

/* the id of an export folder, registering it on first sight */
int32
bc_ledger_export_id(const char *export_path)
{
	Params		p = {0};

	p_text(&p, export_path);

	/*
	 * Look first, insert only when missing: INSERT ... ON CONFLICT waits for
	 * any transaction updating the existing row (pause_export and
	 * resume_export do), and the worker's poll transaction already holds
	 * export_state, which resume_export updates next: a deadlock.
	 */
	run("SELECT e.export_id FROM bedrock_cost.exports AS e "
		"WHERE e.path OPERATOR(pg_catalog.=) $1", &p, false);
	if (SPI_processed == 1)
		return (int32) first_int8();
	run("INSERT INTO bedrock_cost.exports (path) VALUES ($1) "
		"ON CONFLICT (path) DO NOTHING", &p, false);
	run("SELECT e.export_id FROM bedrock_cost.exports AS e "
		"WHERE e.path OPERATOR(pg_catalog.=) $1", &p, false);
	return (int32) first_int8();
}

/* "YYYY-MM-DD" of a date, whatever DateStyle says */
static char *
period_text(DateADT period)
{
	int			y,
				m,
				d;

	j2date(period + POSTGRES_EPOCH_JDATE, &y, &m, &d);
	return psprintf("%04d-%02d-%02d", y, m, d);
}

/*
 * Serialise loads of one (export, period): a transaction-scoped advisory
 * lock on a hash of both, held until the caller's transaction ends.  The
 * key does not depend on any setting of the session (DateStyle), so every
 * loader, the worker and the client API wait for each other.
 */
void
bc_ledger_lock_period(BcDelivery *d)
{
	Params		p = {0};

	p_text(&p, psprintf("bedrock_cost load %s %s", d->export_path, period_text(d->period)));
	run("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended($1, 0))",
		&p, false);
}

/* a fresh load id */
int64
bc_ledger_next_id(void)
{
	run("SELECT pg_catalog.nextval(pg_catalog.pg_get_serial_sequence('bedrock_cost.loads', 'load_id'))",
		NULL, false);
	return first_int8();
}

/*
 * What the ledger says of d's period, read after its period lock, each
 * statement with a fresh snapshot: the current load of the export, and
 * whether the execution id is in the period's ledger of any export.
 */
void
bc_ledger_look(BcDelivery *d, BcLook *look)
{
	Params		p = {0};
	char	   *v;

	memset(look, 0, sizeof(*look));
	look->current_id = -1;
	p_int4(&p, d->export_id);
	p_date(&p, d->period, true);
	run("SELECT l.load_id, l.delivery_key, l.delivered_at, l.manifest_path, "
		"l.loaded_via OPERATOR(pg_catalog.<>) 'client', l.rows_loaded "
		"FROM bedrock_cost.loads AS l "
		"WHERE l.export_id OPERATOR(pg_catalog.=) $1 AND l.billing_period OPERATOR(pg_catalog.=) $2 "
		"AND l.status OPERATOR(pg_catalog.=) 'done'", &p, false);
	if (SPI_processed > 0)
	{
		bool		isnull;
		Datum		at;

		look->current_id = first_int8();
		v = first_text(2);
		strlcpy(look->current_key, v ? v : "", sizeof(look->current_key));
		at = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
		look->current_delivered_known = !isnull;
		if (!isnull)
			look->current_delivered_at = DatumGetTimestampTz(at);
		v = first_text(4);
		look->current_manifest = v ? pstrdup(v) : NULL;
		look->current_by_server = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
															 SPI_tuptable->tupdesc, 5, &isnull));
		look->current_rows = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
														 SPI_tuptable->tupdesc, 6, &isnull));
	}
	if (d->execution_id == NULL)
		return;
	p.n = 0;
	p_date(&p, d->period, true);
	p_text(&p, d->execution_id);
	run("SELECT 1 FROM bedrock_cost.loads AS l "
		"WHERE l.billing_period OPERATOR(pg_catalog.=) $1 "
		"AND l.execution_id OPERATOR(pg_catalog.=) $2 "
		"AND (l.status OPERATOR(pg_catalog.=) 'done' OR l.status OPERATOR(pg_catalog.=) 'superseded' "
		"OR l.status OPERATOR(pg_catalog.=) 'running') "
		"LIMIT 1", &p, false);
	look->execution_seen = SPI_processed > 0;
}

/*
 * The current load of another export holding the same delivery (same key)
 * in d's period, or -1: loading it again would count it twice.
 */
int64
bc_ledger_current_elsewhere(BcDelivery *d, const char *key)
{
	Params		p = {0};

	p_int4(&p, d->export_id);
	p_date(&p, d->period, true);
	p_text(&p, key);
	run("SELECT l.load_id FROM bedrock_cost.loads AS l "
		"WHERE l.export_id OPERATOR(pg_catalog.<>) $1 AND l.billing_period OPERATOR(pg_catalog.=) $2 "
		"AND l.delivery_key OPERATOR(pg_catalog.=) $3 AND l.status OPERATOR(pg_catalog.=) 'done' "
		"ORDER BY l.load_id DESC LIMIT 1", &p, false);
	return first_int8();
}

/* create the table the delivery is loaded into; returns its name */
char *
bc_ledger_create_table(BcDelivery *d, int64 load_id)
{
	Params		p = {0};
	bool		isnull;
	Datum		v;

	p_int8(&p, load_id);
	p_date(&p, d->period, true);
	p_int4(&p, d->export_id);
	run("SELECT bedrock_cost._create_load_table($1, $2, $3)", &p, false);
	v = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return TextDatumGetCString(v);
}

/* insert the ledger row of a delivery */
static void
insert_load(BcDelivery *d, int64 load_id, const char *status, int64 same_as,
			const char *table, BcLoadStats *stats, const char *error)
{
	Params		p = {0};
	bool		failed = strcmp(status, "failed") == 0;

	p_int8(&p, load_id);
	p_int4(&p, d->export_id);
	p_date(&p, d->period, d->period_known);
	p_text(&p, d->from_manifest ? "export" : "file");
	p_text(&p, d->manifest_path);
	p_text(&p, d->execution_id);
	p_text(&p, stats && stats->delivery_key[0] ? stats->delivery_key : NULL);
	p_text(&p, status);
	p_int8(&p, stats ? stats->rows_read : 0);
	/* a failed delivery stored nothing, whatever it had read */
	p_int8(&p, stats && !failed ? stats->rows_loaded : 0);
	p_int8(&p, stats ? stats->rows_rejected : 0);
	p_int8(&p, stats ? stats->rows_other : 0);
	p_int8(&p, stats ? stats->bytes_read : 0);
	p_text(&p, table);
	p_text(&p, error);
	p_int8(&p, same_as);
	p_text(&p, d->loaded_via ? d->loaded_via : "sql");
	p_text(&p, OidIsValid(d->caller) ? GetUserNameFromId(d->caller, false) : NULL);
	p_tstz(&p, d->delivered_at, d->delivered_known);
	p_bool(&p, d->forced);
	p_int8(&p, stats && !failed && stats->summary_via ? stats->summary_rows : 0);
	p_text(&p, stats && !failed ? stats->summary_via : NULL);
	run("INSERT INTO bedrock_cost.loads (load_id, export_id, billing_period, source, "
		"manifest_path, execution_id, delivery_key, status, started_at, finished_at, "
		"rows_read, rows_loaded, rows_rejected, rows_other, bytes_read, data_table, error, same_as, "
		"loaded_via, current_user_name, delivered_at, forced, summary_rows, summary_via) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, pg_catalog.statement_timestamp(), "
		"CASE WHEN $8 OPERATOR(pg_catalog.=) 'running' THEN NULL ELSE pg_catalog.clock_timestamp() END, "
		"$9, $10, $11, $12, $13, $14, $15, "
		"CASE WHEN $16 OPERATOR(pg_catalog.>) 0 THEN $16 END, "
		"$17, $18, $19, $20, CASE WHEN $22 IS NOT NULL THEN $21 END, $22)",
		&p, false);
}

/* insert the files of a delivery */
static void
insert_files(BcDelivery *d, int64 load_id)
{
	for (int i = 0; i < d->nfiles; i++)
	{
		Params		p = {0};
		BcLoadFile *f = &d->files[i];

		if (f->path == NULL)
			continue;
		p_int8(&p, load_id);
		p_int4(&p, i + 1);
		p_text(&p, f->path);
		p_int8(&p, f->size);
		p_text(&p, f->sha256[0] ? f->sha256 : NULL);
		p_int8(&p, f->rows_read);
		p_int8(&p, f->rows_loaded);
		run("INSERT INTO bedrock_cost.load_files (load_id, file_no, path, size, sha256, rows_read, rows_loaded) "
			"VALUES ($1, $2, $3, $4, $5, $6, $7)", &p, false);
	}
}

/* insert the totals of a delivery */
static void
insert_totals(int64 load_id, BcLoadStats *stats)
{
	ListCell   *lc;

	foreach(lc, stats->totals)
	{
		BcTotal    *t = lfirst(lc);
		Params		p = {0};

		p_int8(&p, load_id);
		p_text(&p, t->line_item_type);
		p_bool(&p, t->is_bedrock);
		p_int8(&p, t->rows);
		p_int8(&p, t->rejected_rows);
		p_text(&p, t->unblended);
		p_text(&p, t->net_present ? t->net : NULL);
		p_text(&p, t->rejected ? t->rejected : "0");
		p_bool(&p, stats->declared);
		run("INSERT INTO bedrock_cost.load_totals (load_id, line_item_type, is_bedrock, rows, "
			"rejected_rows, unblended_cost, net_unblended_cost, rejected_unblended_cost, declared) "
			"VALUES ($1, $2, $3, $4, $5, $6::pg_catalog.numeric, $7::pg_catalog.numeric, "
			"$8::pg_catalog.numeric, $9)", &p, false);
	}
}

/* insert one load_errors row */
static void
insert_error(int64 load_id, int error_no, BcRowError *e)
{
	Params		p = {0};

	p_int8(&p, load_id);
	p_int4(&p, error_no);
	p_text(&p, e->file);
	p_int8(&p, e->line);
	p_text(&p, e->column);
	p_text(&p, e->value);
	p_text(&p, e->reason);
	p_text(&p, e->raw);
	run("INSERT INTO bedrock_cost.load_errors (load_id, error_no, file, line, column_name, value, reason, raw) "
		"VALUES ($1, $2, $3, CASE WHEN $4 OPERATOR(pg_catalog.>) 0 THEN $4 END, $5, $6, $7, $8)",
		&p, false);
}

/* insert the rejected rows of a delivery; returns how many */
static int
insert_rejects(int64 load_id, BcLoadStats *stats)
{
	ListCell   *lc;
	int			n = 0;

	foreach(lc, stats->rejects)
		insert_error(load_id, ++n, lfirst(lc));
	return n;
}

/*
 * Record a delivery that is not loaded because of another load, same_as:
 * noop (that load is the same delivery, current), stale (that current
 * load is newer), duplicate (that load of another export is the same
 * delivery).
 */
void
bc_ledger_record(BcDelivery *d, int64 load_id, const char *status, int64 same_as,
				 BcLoadStats *stats)
{
	insert_load(d, load_id, status, same_as, NULL, stats, NULL);
	if (strcmp(status, "noop") != 0)
		insert_files(d, load_id);
}

/*
 * Record a delivery loaded into its table (status running until the swap
 * makes it done): the ledger row, files, totals, rejected rows, and the
 * usage types it brought.
 */
void
bc_ledger_loaded(BcDelivery *d, int64 load_id, const char *table,
				 BcLoadStats *stats)
{
	insert_load(d, load_id, "running", -1, table, stats, NULL);
	insert_files(d, load_id);
	insert_totals(load_id, stats);
	insert_rejects(load_id, stats);
	bc_ledger_usage_types(stats->usage_types, stats->usage_products);
}

/*
 * Record a failed delivery (after its subtransaction rolled back): the
 * ledger row with the error, the files known, the rejected rows seen so
 * far and, last, the error itself with its file, line and column.
 */
void
bc_ledger_failed(BcDelivery *d, int64 load_id, BcLoadStats *stats,
				 const char *message, BcRowError *where)
{
	BcRowError	e = {0};
	int			n;

	insert_load(d, load_id, "failed", -1, NULL, stats, message);
	insert_files(d, load_id);
	n = insert_rejects(load_id, stats);
	if (where != NULL)
		e = *where;
	e.reason = unconstify(char *, message);
	insert_error(load_id, n + 1, &e);
}

/* run one of the summarising functions on a delivery; the bigint it returns */
static int64
summarize(const char *sql, int64 load_id)
{
	Params		p = {0};

	p_int8(&p, load_id);
	run(sql, &p, false);
	return first_int8();
}

/*
 * Compute the chargeback summary of a delivery from its stored rows
 * (bedrock_cost._summarize_load_table); returns the summary rows.
 */
int64
bc_ledger_summarize(int64 load_id)
{
	return summarize("SELECT bedrock_cost._summarize_load_table($1)", load_id);
}

/*
 * Compute the period summary of a delivery from its summary
 * (bedrock_cost._summarize_period); returns its rows.
 */
int64
bc_ledger_summarize_period(int64 load_id)
{
	return summarize("SELECT bedrock_cost._summarize_period($1)", load_id);
}

/*
 * Compute the model-day summary of a delivery from its summary
 * (bedrock_cost._summarize_daily); returns its rows.
 */
int64
bc_ledger_summarize_daily(int64 load_id)
{
	return summarize("SELECT bedrock_cost._summarize_daily($1)", load_id);
}

/*
 * The delivery load_id records in the ledger, as far as summing its stored
 * rows needs it (a restore's: loader_summary.c): export and billing
 * period; *rows_loaded the rows it loaded and *summary_rows the rows of
 * its day summary (-1 when unknown).
 */
BcDelivery *
bc_ledger_delivery_of(int64 load_id, int64 *rows_loaded, int64 *summary_rows)
{
	Params		p = {0};
	BcDelivery *d = palloc0(sizeof(BcDelivery));
	bool		isnull;
	Datum		v;

	p_int8(&p, load_id);
	run("SELECT l.export_id, l.billing_period, l.rows_loaded, l.summary_rows FROM bedrock_cost.loads AS l "
		"WHERE l.load_id OPERATOR(pg_catalog.=) $1", &p, false);
	if (SPI_processed != 1)
		elog(ERROR, "bedrock_cost: load %lld is not in the ledger", (long long) load_id);
	d->export_id = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	d->period = DatumGetDateADT(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	d->period_known = true;
	v = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
	*rows_loaded = isnull ? -1 : DatumGetInt64(v);
	v = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull);
	*summary_rows = isnull ? -1 : DatumGetInt64(v);
	return d;
}

/*
 * Empty the model-day summary of load_id for its rows to be written again
 * (see _clear_daily); returns whether it had its unique index on the
 * grain, to build it again.
 */
bool
bc_ledger_clear_daily(int64 load_id)
{
	Params		p = {0};

	p_int8(&p, load_id);
	run("SELECT bedrock_cost._clear_daily($1)::pg_catalog.int4", &p, false);
	return first_int8() == 1;
}

/* record how the summary of load_id was computed, and its rows */
void
bc_ledger_set_summary(int64 load_id, const BcLoadStats *stats)
{
	Params		p = {0};

	p_int8(&p, load_id);
	p_int8(&p, stats->summary_rows);
	p_text(&p, stats->summary_via);
	run("UPDATE bedrock_cost.loads SET summary_rows = $2, summary_via = $3 "
		"WHERE load_id OPERATOR(pg_catalog.=) $1", &p, false);
}

/*
 * Does the installed schema have bedrock_cost.name with these argument
 * types?  A catalog lookup, no SQL: what a database not yet updated
 * (ALTER EXTENSION bedrock_cost UPDATE) lacks is told apart this way.
 */
bool
bc_ledger_has_function(const char *name, int nargs, const Oid *argtypes)
{
	return OidIsValid(LookupFuncName(list_make2(makeString("bedrock_cost"), makeString(pstrdup(name))),
									 nargs, argtypes, true));
}

/*
 * Is the installed schema 0.2.0 or later?  A database not yet updated
 * keeps 0.1.0's, which has no _index_summaries and whose
 * loads.summary_via admits stream and sql only.
 */
bool
bc_ledger_schema_is_current(void)
{
	Oid			argtypes[1] = {INT8OID};

	return bc_ledger_has_function("_index_summaries", 1, argtypes);
}

/*
 * the unique indexes on the grain of the delivery's period and model-day
 * summaries (see _index_summaries); nothing in a database whose schema
 * predates them (0.1.0, not yet updated), whose _swap_in does not ask for
 * them
 */
void
bc_ledger_index_summaries(int64 load_id)
{
	Params		p = {0};

	if (!bc_ledger_schema_is_current())
		return;
	p_int8(&p, load_id);
	run("SELECT bedrock_cost._index_summaries($1)", &p, false);
}

/*
 * The text of an error, as the ledger and the worker's state tables keep
 * it: the message, and the detail when there is one.
 */
char *
bc_error_text(ErrorData *edata)
{
	if (edata->detail != NULL)
		return psprintf("%s\nDETAIL: %s", edata->message, edata->detail);
	return pstrdup(edata->message != NULL ? edata->message : "unknown error");
}

/* make the delivery the current data of its period (see _swap_in) */
void
bc_ledger_swap_in(int64 load_id)
{
	Params		p = {0};

	p_int8(&p, load_id);
	run("SELECT bedrock_cost._swap_in($1)", &p, false);
}

/*
 * Can a swap be run in its two steps (_swap_in_summaries, later
 * _swap_in_line_items)?  Not in a schema that predates them.
 */
bool
bc_ledger_swap_has_steps(void)
{
	Oid			argtypes[1] = {INT8OID};

	return bc_ledger_has_function("_swap_in_line_items", 1, argtypes);
}

/* the first step of a swap: the summaries and the ledger (see _swap_in_summaries) */
void
bc_ledger_swap_in_summaries(int64 load_id)
{
	Params		p = {0};

	p_int8(&p, load_id);
	run("SELECT bedrock_cost._swap_in_summaries($1)", &p, false);
}

/* the second step of a swap: the line items (see _swap_in_line_items) */
void
bc_ledger_swap_in_line_items(int64 load_id)
{
	Params		p = {0};

	p_int8(&p, load_id);
	run("SELECT bedrock_cost._swap_in_line_items($1)", &p, false);
}

/* record that a loaded delivery could not be swapped in, and drop its table */
void
bc_ledger_swap_failed(int64 load_id, const char *message)
{
	Params		p = {0};

	p_int8(&p, load_id);
	p_text(&p, message);
	run("UPDATE bedrock_cost.loads AS l SET status = 'failed', error = $2, data_table = NULL, "
		"rows_loaded = 0, finished_at = pg_catalog.clock_timestamp() "
		"WHERE l.load_id OPERATOR(pg_catalog.=) $1", &p, false);
	p.n = 1;
	run("SELECT bedrock_cost._drop_load_table($1)", &p, false);
}

/* an audit_log row (bedrock_cost._audit) for an action of the loader */
void
bc_ledger_audit(const char *action, const char *object, const char *detail_json)
{
	Params		p = {0};

	p_text(&p, action);
	p_text(&p, object);
	p_text(&p, detail_json);
	run("SELECT bedrock_cost._audit($1, $2, NULL::pg_catalog.jsonb, $3::pg_catalog.jsonb)",
		&p, false);
}

/* a text[] Datum of a list of C strings */
static Datum
text_array(List *strings)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(list_length(strings), 1));
	ListCell   *lc;
	int			i = 0;

	foreach(lc, strings)
		elems[i++] = CStringGetTextDatum((char *) lfirst(lc));
	return PointerGetDatum(construct_array(elems, i, TEXTOID, -1, false, TYPALIGN_INT));
}

/* add the (usage type, product name) pairs of a load to bedrock_cost.usage_types */
void
bc_ledger_usage_types(List *usage_types, List *products)
{
	Params		p = {0};

	if (usage_types == NIL)
		return;
	for (int i = 0; i < 2; i++)
	{
		p.types[i] = TEXTARRAYOID;
		p.values[i] = text_array(i == 0 ? usage_types : products);
		p.nulls[i] = ' ';
	}
	p.n = 2;
	run("INSERT INTO bedrock_cost.usage_types "
		"SELECT u.ut, u.pn, p.* FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS u(ut, pn), "
		"LATERAL bedrock_cost.parse_usage_type(u.ut, "
		"CASE WHEN u.pn OPERATOR(pg_catalog.=) '' THEN NULL ELSE u.pn END) AS p "
		"ON CONFLICT (usage_type, product_name) DO NOTHING", &p, false);
}
