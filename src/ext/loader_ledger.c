/*-------------------------------------------------------------------------
 *
 * loader_ledger.c
 *		The load ledger (bedrock_cost.loads and its child tables), the
 *		per-period advisory lock, and the calls into the swap procedures.
 *
 * Every statement goes through SPI with typed parameters; no value is
 * ever spliced into SQL text.  Identifiers (delivery table names) are
 * built and quoted by the PL/pgSQL procedures in 40_loader.sql with
 * format('%I').  The caller holds an SPI connection.
 *
 * IDENTIFICATION
 *		src/ext/loader_ledger.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "loader.h"

#define MAX_ARGS 16

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
	run("SELECT export_id FROM bedrock_cost.exports WHERE path = $1", &p, false);
	if (SPI_processed == 1)
		return (int32) first_int8();
	run("INSERT INTO bedrock_cost.exports (path) VALUES ($1) "
		"ON CONFLICT (path) DO NOTHING", &p, false);
	run("SELECT export_id FROM bedrock_cost.exports WHERE path = $1", &p, false);
	return (int32) first_int8();
}

/*
 * Serialise loads of one (export, period): a transaction-scoped advisory
 * lock on a hash of both, held until the caller's transaction ends.
 */
void
bc_ledger_lock_period(BcDelivery *d)
{
	Params		p = {0};

	p_text(&p, psprintf("bedrock_cost load %s %s", d->export_path,
						DatumGetCString(DirectFunctionCall1(date_out,
															DateADTGetDatum(d->period)))));
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

/* true when a successful load of this period already had this execution id */
bool
bc_ledger_execution_seen(BcDelivery *d)
{
	Params		p = {0};

	p_int4(&p, d->export_id);
	p_date(&p, d->period, true);
	p_text(&p, d->execution_id);
	run("SELECT 1 FROM bedrock_cost.loads WHERE export_id = $1 AND billing_period = $2 "
		"AND execution_id IS NOT DISTINCT FROM $3 AND status IN ('done', 'superseded', 'running') LIMIT 1",
		&p, true);
	return SPI_processed > 0;
}

/* the newest successful load of the same delivery (same key), or -1 */
int64
bc_ledger_find_same(BcDelivery *d, char key[65])
{
	Params		p = {0};

	p_int4(&p, d->export_id);
	p_date(&p, d->period, true);
	p_text(&p, key);
	run("SELECT load_id FROM bedrock_cost.loads WHERE export_id = $1 AND billing_period = $2 "
		"AND delivery_key = $3 AND status IN ('done', 'superseded', 'running') "
		"ORDER BY load_id DESC LIMIT 1", &p, true);
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

	p_int8(&p, load_id);
	p_int4(&p, d->export_id);
	p_date(&p, d->period, d->period_known);
	p_text(&p, d->from_manifest ? "export" : "file");
	p_text(&p, d->manifest_path);
	p_text(&p, d->execution_id);
	p_text(&p, stats && stats->delivery_key[0] ? stats->delivery_key : NULL);
	p_text(&p, status);
	p_int8(&p, stats ? stats->rows_read : 0);
	p_int8(&p, stats ? stats->rows_loaded : 0);
	p_int8(&p, stats ? stats->rows_rejected : 0);
	p_int8(&p, stats ? stats->rows_other : 0);
	p_int8(&p, stats ? stats->bytes_read : 0);
	p_text(&p, table);
	p_text(&p, error);
	p_int8(&p, same_as);
	run("INSERT INTO bedrock_cost.loads (load_id, export_id, billing_period, source, "
		"manifest_path, execution_id, delivery_key, status, started_at, finished_at, "
		"rows_read, rows_loaded, rows_rejected, rows_other, bytes_read, data_table, error, same_as) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, pg_catalog.statement_timestamp(), "
		"CASE WHEN $8 = 'running' THEN NULL ELSE pg_catalog.clock_timestamp() END, "
		"$9, $10, $11, $12, $13, $14, $15, NULLIF($16, -1))",
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
		run("INSERT INTO bedrock_cost.load_totals (load_id, line_item_type, is_bedrock, rows, "
			"rejected_rows, unblended_cost, net_unblended_cost) "
			"VALUES ($1, $2, $3, $4, $5, $6::numeric, $7::numeric)", &p, false);
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
		"VALUES ($1, $2, $3, NULLIF($4, 0), $5, $6, $7, $8)", &p, false);
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

/* record a noop: the delivery is the one load same_as already loaded */
void
bc_ledger_noop(BcDelivery *d, int64 load_id, int64 same_as, BcLoadStats *stats)
{
	insert_load(d, load_id, "noop", same_as, NULL, stats, NULL);
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

/* make the delivery the current data of its period (see _swap_in) */
void
bc_ledger_swap_in(int64 load_id)
{
	Params		p = {0};

	p_int8(&p, load_id);
	run("SELECT bedrock_cost._swap_in($1)", &p, false);
}

/* record that a loaded delivery could not be swapped in, and drop its table */
void
bc_ledger_swap_failed(int64 load_id, const char *message)
{
	Params		p = {0};

	p_int8(&p, load_id);
	p_text(&p, message);
	run("UPDATE bedrock_cost.loads SET status = 'failed', error = $2, data_table = NULL, "
		"finished_at = pg_catalog.clock_timestamp() WHERE load_id = $1", &p, false);
	p.n = 1;
	run("SELECT bedrock_cost._drop_load_table($1)", &p, false);
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
		"LATERAL bedrock_cost.parse_usage_type(u.ut, NULLIF(u.pn, '')) AS p "
		"ON CONFLICT (usage_type, product_name) DO NOTHING", &p, false);
}
