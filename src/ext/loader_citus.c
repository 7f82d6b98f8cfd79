/*-------------------------------------------------------------------------
 *
 * loader_citus.c
 *		Writes a delivery's rows into a Citus distributed table.
 *
 * CopyFrom, which the loader calls directly (loader_copy_into.c), writes into
 * the heap of the relation it is given.  On a Citus coordinator the
 * delivery table is distributed (78_citus.sql) and its heap is an empty
 * shell: rows written there would be invisible, and the verification
 * before the swap would fail the delivery.  Citus sends rows to the shards
 * from its own executor, so for a distributed table the loader has
 * bedrock_cost._insert_copy_rows run
 *
 *		INSERT INTO bedrock_cost.<table> SELECT (r.x).* FROM
 *			(SELECT bedrock_cost._copy_rows(<table>, NULL::<table>) AS x
 *			 OFFSET 0) AS r
 *
 * and _copy_rows hands out, one per call, the rows of the same COPY data (the same
 * data_source callback, the same input functions through NextCopyFrom),
 * so every check and error of the loader applies unchanged.  Citus plans
 * it as an INSERT ... SELECT through the coordinator: the rows go to the
 * shards once, over its COPY protocol, before the swap.  Nothing here
 * links against Citus: whether a table is distributed is asked of
 * bedrock_cost._citus_distribution() at run time.
 *
 * IDENTIFICATION
 *		src/ext/loader_citus.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_type.h"
#include "commands/copy.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "parser/parse_node.h"
#include "utils/rel.h"

#include "loader.h"

PG_FUNCTION_INFO_V1(bedrock_cost_copy_rows);

/* the COPY whose rows _copy_rows hands out; set only around the INSERT */
typedef struct BcRowsSource
{
	Oid			relid;
	List	   *attnames;
	List	   *options;
	int			(*data_source) (void *outbuf, int minread, int maxread);
	const BcDelivery *d;
	int64		load_id;
	int			phase;
} BcRowsSource;

static BcRowsSource *bc_rows_source = NULL;

/* whether rel is a Citus distributed table (asked of the SQL side) */
bool
bc_citus_distributed(Relation rel)
{
	Oid			argtypes[1] = {REGCLASSOID};
	Datum		args[1] = {ObjectIdGetDatum(RelationGetRelid(rel))};
	bool		isnull = true;
	int			rc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_with_args("SELECT bedrock_cost._citus_distribution($1)",
							   1, argtypes, args, NULL, false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "bedrock_cost: could not ask whether %s is distributed",
			 RelationGetRelationName(rel));
	(void) SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	SPI_finish();
	return !isnull;
}

/*
 * The rows of data_source (COPY data with the given column list and
 * options) into the distributed table rel, through the INSERT ... SELECT
 * of bedrock_cost._insert_copy_rows (78_citus.sql).  Returns the rows
 * stored.
 */
uint64
bc_citus_copy(Relation rel, List *attnames, List *options,
			  int (*data_source) (void *outbuf, int minread, int maxread),
			  const BcDelivery *d, int64 load_id, int phase)
{
	BcRowsSource src;
	Oid			argtypes[1] = {REGCLASSOID};
	Datum		args[1] = {ObjectIdGetDatum(RelationGetRelid(rel))};
	bool		isnull = true;
	Datum		rows = Int64GetDatum(0);

	src.relid = RelationGetRelid(rel);
	src.attnames = attnames;
	src.options = options;
	src.data_source = data_source;
	src.d = d;
	src.load_id = load_id;
	src.phase = phase;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	bc_rows_source = &src;
	PG_TRY();
	{
		if (SPI_execute_with_args("SELECT bedrock_cost._insert_copy_rows($1)",
								  1, argtypes, args, NULL, false, 1) != SPI_OK_SELECT ||
			SPI_processed != 1)
			elog(ERROR, "bedrock_cost: could not insert into %s",
				 RelationGetRelationName(rel));
		rows = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	}
	PG_FINALLY();
	{
		bc_rows_source = NULL;
	}
	PG_END_TRY();
	SPI_finish();
	return isnull ? 0 : (uint64) DatumGetInt64(rows);
}

/* the COPY a _copy_rows scan reads, across its calls */
typedef struct BcRowsScan
{
	Relation	rel;
	CopyFromState cstate;
	TupleDesc	desc;			/* of the rows returned: rel's row type */
	Datum	   *values;
	bool	   *nulls;
	bool		done;
} BcRowsScan;

/* ends the COPY and closes rel: at the end of the rows, or when the scan stops early */
static void
end_rows_scan(Datum arg)
{
	BcRowsScan *scan = (BcRowsScan *) DatumGetPointer(arg);

	if (scan->done)
		return;
	scan->done = true;
	EndCopyFrom(scan->cstate);
	table_close(scan->rel, NoLock);
}

/* the first call: the COPY of the loader's source into rel begins */
static BcRowsScan *
begin_rows_scan(FunctionCallInfo fcinfo, FuncCallContext *funcctx)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	BcRowsSource *src = bc_rows_source;
	Oid			relid = PG_ARGISNULL(0) ? InvalidOid : PG_GETARG_OID(0);
	MemoryContext old;
	BcRowsScan *scan;
	TupleDesc	result;

	if (src == NULL || src->relid != relid || rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("bedrock_cost._copy_rows is called by the loader only")));
	bc_rows_source = NULL;		/* one scan per COPY */
	old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
	scan = palloc0(sizeof(BcRowsScan));
	scan->rel = table_open(relid, AccessShareLock);
	if (get_call_result_type(fcinfo, NULL, &result) != TYPEFUNC_COMPOSITE ||
		result->natts != RelationGetDescr(scan->rel)->natts)
		elog(ERROR, "bedrock_cost: _copy_rows returns the row type of %s",
			 RelationGetRelationName(scan->rel));
	scan->desc = BlessTupleDesc(CreateTupleDescCopy(result));
	scan->values = palloc(sizeof(Datum) * scan->desc->natts);
	scan->nulls = palloc(sizeof(bool) * scan->desc->natts);
	scan->cstate = BC_BeginCopyFrom(make_parsestate(NULL), scan->rel, NULL, NULL, false,
									src->data_source, src->attnames, src->options);
	bc_progress_in_copy(src->d, src->load_id, src->phase);
	RegisterExprContextCallback(rsinfo->econtext, end_rows_scan, PointerGetDatum(scan));
	MemoryContextSwitchTo(old);
	return scan;
}

/*
 * bedrock_cost._copy_rows(rel regclass, row_type anyelement) RETURNS SETOF
 * anyelement: the rows of the COPY in progress for rel, one per call, as
 * rel's row type (row_type: NULL::rel).  Value per call, not a tuplestore:
 * called in a select list, the rows stream from the COPY data to the
 * INSERT (a FROM-clause function would be read into a tuplestore first, a
 * month of rows spilled to disk and read back).  Only meaningful inside
 * bc_citus_copy; refused anywhere else.
 */
Datum
bedrock_cost_copy_rows(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	FuncCallContext *funcctx;
	BcRowsScan *scan;

	if (SRF_IS_FIRSTCALL())
	{
		funcctx = SRF_FIRSTCALL_INIT();
		funcctx->user_fctx = begin_rows_scan(fcinfo, funcctx);
	}
	funcctx = SRF_PERCALL_SETUP();
	scan = (BcRowsScan *) funcctx->user_fctx;
	CHECK_FOR_INTERRUPTS();
	if (!scan->done && NextCopyFrom(scan->cstate, rsinfo->econtext, scan->values, scan->nulls))
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(heap_form_tuple(scan->desc, scan->values, scan->nulls)));
	end_rows_scan(PointerGetDatum(scan));
	SRF_RETURN_DONE(funcctx);
}
