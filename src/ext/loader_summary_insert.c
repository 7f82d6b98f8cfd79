/*-------------------------------------------------------------------------
 *
 * loader_summary_insert.c
 *		Writes a chargeback summary the core keeps into a table of the
 *		delivery as tuples formed from its sums, without a COPY round trip.
 *
 * The core hands each summary row over as cells (cur_summary.h): dates,
 * counts, exact sums and ids of the texts of its dictionary.  Each distinct
 * text is converted once per column type, by that type's input function
 * (text, iam_arn, jsonb: the same parsers COPY would run), and the datum
 * is reused by every row that names it; each sum becomes a numeric with
 * the display scale the core kept (straight from its integer units when
 * they fit in 64 bits, else through its exact text and numeric_in).  Rows
 * go to the table in batches (table_multi_insert, as COPY does), each
 * checked against the table's NOT NULL and CHECK constraints, and its
 * partition constraint when it is a partition.  The table is opened with
 * the checks a COPY FROM makes (bc_open_for_insert); one with triggers or
 * indexes is refused, since they would not run: the loader writes into
 * tables it has just created, or whose index it dropped meanwhile.
 *
 * IDENTIFICATION
 *		src/ext/loader_summary_insert.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "parser/parse_relation.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"

#include "cur_summary.h"
#include "loader.h"

/* rows per table_multi_insert */
#define BATCH_ROWS 1000

/* the columns before the cells: billing_period, export_id, load_id */
#define CONST_COLUMNS 3

/* the datums of the dictionary's texts for one column type and typmod */
typedef struct TextDatums
{
	Oid			typid;
	int32		typmod;			/* the input function's third argument */
	FmgrInfo	in;				/* its input function */
	Oid			ioparam;
	Datum	   *datum;			/* by text id ... */
	bool	   *have;			/* ... once converted */
} TextDatums;

typedef struct SumWriter
{
	const bc_sum *sum;
	Relation	rel;
	int			attnum[BC_SUM_MAX_CELLS + CONST_COLUMNS];	/* of each column, 0-based */
	TextDatums *texts[BC_SUM_MAX_CELLS + CONST_COLUMNS];	/* text columns' */
	TextDatums	types[BC_SUM_MAX_CELLS];	/* distinct types of text columns */
	int			ntypes;
	MemoryContext cache_cxt;	/* the texts' datums */
	bc_buf		scratch;
} SumWriter;

/* the type of column i of the table */
static Oid
column_type(SumWriter *w, int i)
{
	return TupleDescAttr(RelationGetDescr(w->rel), w->attnum[i])->atttypid;
}

/* the type modifier of column i of the table */
static int32
column_typmod(SumWriter *w, int i)
{
	return TupleDescAttr(RelationGetDescr(w->rel), w->attnum[i])->atttypmod;
}

/* column i (a column of the list) must be of type want */
static void
expect_type(SumWriter *w, int i, Oid want)
{
	if (column_type(w, i) != want)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of table \"%s\" has type %s, expected %s",
						NameStr(TupleDescAttr(RelationGetDescr(w->rel), w->attnum[i])->attname),
						RelationGetRelationName(w->rel),
						format_type_be(column_type(w, i)), format_type_be(want))));
}

/*
 * The converted texts of column i's type and typmod, set up on first use
 * (a value converted under one typmod is not reused under another, whose
 * input function could refuse it)
 */
static TextDatums *
text_datums(SumWriter *w, int i)
{
	Oid			typid = column_type(w, i);
	int32		typmod = column_typmod(w, i);
	Oid			infunc;
	TextDatums *t;
	uint32		n = bc_sum_text_ids(w->sum);

	for (int k = 0; k < w->ntypes; k++)
	{
		if (w->types[k].typid == typid && w->types[k].typmod == typmod)
			return &w->types[k];
	}
	t = &w->types[w->ntypes++];
	t->typid = typid;
	t->typmod = typmod;
	getTypeInputInfo(typid, &infunc, &t->ioparam);
	fmgr_info_cxt(infunc, &t->in, w->cache_cxt);
	t->datum = MemoryContextAllocHuge(w->cache_cxt, sizeof(Datum) * Max(n, 1));
	t->have = MemoryContextAllocZero(w->cache_cxt, sizeof(bool) * Max(n, 1));
	return t;
}

/*
 * Map the listed columns to the table's attributes: every column of the
 * table must be listed (nothing is left to a default).
 */
static void
map_columns(SumWriter *w, List *attnames)
{
	TupleDesc	desc = RelationGetDescr(w->rel);
	int			unlisted = 0;
	ListCell   *lc;

	foreach(lc, attnames)
	{
		const char *name = strVal(lfirst(lc));
		int			i = foreach_current_index(lc);

		w->attnum[i] = attnameAttNum(w->rel, name, false) - 1;
		if (w->attnum[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation \"%s\" does not exist",
							name, RelationGetRelationName(w->rel))));
	}
	for (int a = 0; a < desc->natts; a++)
		unlisted += !TupleDescAttr(desc, a)->attisdropped;
	unlisted -= list_length(attnames);
	if (unlisted != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("table \"%s\" has columns the chargeback summary does not write",
						RelationGetRelationName(w->rel))));
	expect_type(w, 0, DATEOID);
	expect_type(w, 1, INT4OID);
	expect_type(w, 2, INT8OID);
}

/* a datum of text id as the type of column i */
static Datum
text_datum(SumWriter *w, int i, uint32 id)
{
	TextDatums *t = w->texts[i];

	if (t == NULL)
		t = w->texts[i] = text_datums(w, i);
	if (!t->have[id])
	{
		MemoryContext old = MemoryContextSwitchTo(w->cache_cxt);
		size_t		len;
		const char *p = bc_sum_text(w->sum, id, &len);

		t->datum[id] = InputFunctionCall(&t->in, pnstrdup(p, len), t->ioparam, t->typmod);
		t->have[id] = true;
		MemoryContextSwitchTo(old);
	}
	return t->datum[id];
}

/* an exact sum as a numeric with its display scale */
static Datum
sum_datum(SumWriter *w, const bc_sum_cell *c)
{
#ifdef BC_HAVE_INT64_DIV_FAST_TO_NUMERIC
	int64_t		v;

	if (c->wide == NULL && bc_xsum_units_scaled(c->units, c->dscale, &v))
		return NumericGetDatum(int64_div_fast_to_numeric(v, c->dscale));
#endif
	bc_buf_reset(&w->scratch);
	bc_sum_cell_text(c, &w->scratch);	/* NUL-terminated, as every bc_buf */
	if (w->scratch.nomem)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	return DirectFunctionCall3(numeric_in, CStringGetDatum(w->scratch.data),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/* the datum of cell c, for column i (after the constant columns) */
static Datum
cell_datum(SumWriter *w, int i, const bc_sum_cell *c, bool *isnull)
{
	*isnull = false;
	switch (c->kind)
	{
		case BC_SUM_CELL_NULL:
			*isnull = true;
			return (Datum) 0;
		case BC_SUM_CELL_DATE:
			return DateADTGetDatum((DateADT) c->days);
		case BC_SUM_CELL_INT8:
			return Int64GetDatum(c->i8);
		case BC_SUM_CELL_TEXT:
		case BC_SUM_CELL_VTEXT:
			return text_datum(w, i, c->id);
		case BC_SUM_CELL_SUM:
			return sum_datum(w, c);
	}
	elog(ERROR, "bedrock_cost: unknown summary cell kind %d", (int) c->kind);
	return (Datum) 0;
}

/* the first row's cells fix the columns' types: check them against the table */
static void
check_cells(SumWriter *w, const bc_sum_cell *cells, int ncells)
{
	for (int j = 0; j < ncells; j++)
	{
		int			i = j + CONST_COLUMNS;

		if (cells[j].kind == BC_SUM_CELL_DATE)
			expect_type(w, i, DATEOID);
		else if (cells[j].kind == BC_SUM_CELL_INT8)
			expect_type(w, i, INT8OID);
		else if (cells[j].kind == BC_SUM_CELL_SUM)
			expect_type(w, i, NUMERICOID);
	}
}

/* the values of a row into slot: the constant columns, then the cells */
static void
fill_slot(SumWriter *w, TupleTableSlot *slot, const BcDelivery *d, int64 load_id,
		  const bc_sum_cell *cells, int ncells, MemoryContext batch_cxt)
{
	MemoryContext old = MemoryContextSwitchTo(batch_cxt);

	ExecClearTuple(slot);
	for (int a = 0; a < slot->tts_tupleDescriptor->natts; a++)
		slot->tts_isnull[a] = true;
	slot->tts_values[w->attnum[0]] = DateADTGetDatum(d->period);
	slot->tts_values[w->attnum[1]] = Int32GetDatum(d->export_id);
	slot->tts_values[w->attnum[2]] = Int64GetDatum(load_id);
	for (int i = 0; i < CONST_COLUMNS; i++)
		slot->tts_isnull[w->attnum[i]] = false;
	for (int j = 0; j < ncells; j++)
	{
		int			a = w->attnum[j + CONST_COLUMNS];

		slot->tts_values[a] = cell_datum(w, j + CONST_COLUMNS, &cells[j],
										 &slot->tts_isnull[a]);
	}
	MemoryContextSwitchTo(old);
	ExecStoreVirtualTuple(slot);
}

/* the options of the inserts: a table of this transaction, as COPY, skips the free space map */
static int
insert_options(Relation rel)
{
	return (rel->rd_createSubid != InvalidSubTransactionId ||
			BC_REL_FIRST_FILENODE_SUBID(rel) != InvalidSubTransactionId) ?
		TABLE_INSERT_SKIP_FSM : 0;
}

/* form, check and insert the rows, a batch at a time */
static uint64
insert_rows(SumWriter *w, const BcDelivery *d, int64 load_id, ResultRelInfo *rri,
			EState *estate)
{
	TupleTableSlot *slots[BATCH_ROWS] = {0};
	BulkInsertState bistate = GetBulkInsertState();
	CommandId	cid = GetCurrentCommandId(true);
	int			options = insert_options(w->rel);
	bool		check = RelationGetDescr(w->rel)->constr != NULL;
	bool		partition = w->rel->rd_rel->relispartition;
	MemoryContext batch_cxt = AllocSetContextCreate(CurrentMemoryContext,
													"bedrock_cost summary rows",
													ALLOCSET_DEFAULT_SIZES);
	size_t		cursor = 0;
	uint64		rows = 0;
	int			n = 0;
	int			ncells;

	do
	{
		bc_sum_cell cells[BC_SUM_MAX_CELLS];

		ncells = bc_sum_next_cells(w->sum, &cursor, cells);
		if (ncells > 0)
		{
			if (rows == 0 && n == 0)
				check_cells(w, cells, ncells);
			if (slots[n] == NULL)
				slots[n] = table_slot_create(w->rel, NULL);
			fill_slot(w, slots[n], d, load_id, cells, ncells, batch_cxt);
			if (check)
				ExecConstraints(rri, slots[n], estate);
			if (partition)
				ExecPartitionCheck(rri, slots[n], estate, true);
			n++;
		}
		if (n == BATCH_ROWS || (ncells == 0 && n > 0))
		{
			table_multi_insert(w->rel, slots, n, cid, options, bistate);
			for (int i = 0; i < n; i++)
				ExecClearTuple(slots[i]);
			rows += n;
			n = 0;
			MemoryContextReset(batch_cxt);
			/* what the constraint checks allocated */
			ResetPerTupleExprContext(estate);
			pgstat_progress_update_param(BC_PROGRESS_COPY_TUPLES, (int64) rows);
			CHECK_FOR_INTERRUPTS();
		}
	} while (ncells > 0);
	FreeBulkInsertState(bistate);
	table_finish_bulk_insert(w->rel, options);
	for (int i = 0; i < BATCH_ROWS && slots[i] != NULL; i++)
		ExecDropSingleTupleTableSlot(slots[i]);
	MemoryContextDelete(batch_cxt);
	return rows;
}

/*
 * Write the summary sum of delivery d into bedrock_cost.<table> (of
 * load_id; columns: the summary's COPY columns, every column of the
 * table), shown in load_progress as its summarising phase.  Returns the
 * rows written.
 */
uint64
bc_summary_insert(const bc_sum *sum, const char *table, const char *columns,
				  int ncolumns, const BcDelivery *d, int64 load_id)
{
	SumWriter	w = {0};
	struct ParseState *pstate;
	List	   *attnames;
	EState	   *estate;
	ResultRelInfo *rri;
	uint64		rows;

	w.sum = sum;
	w.rel = bc_open_for_insert(table, columns, ncolumns, &pstate, &attnames);
	if (w.rel->trigdesc != NULL || RelationGetIndexList(w.rel) != NIL ||
		w.rel->rd_rel->relkind != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("table \"%s\" has triggers or indexes, or is not a plain table: the chargeback summary is not written into it",
						RelationGetRelationName(w.rel))));
	map_columns(&w, attnames);
	w.cache_cxt = AllocSetContextCreate(CurrentMemoryContext, "bedrock_cost summary texts",
										ALLOCSET_DEFAULT_SIZES);
	bc_buf_init(&w.scratch);
	estate = CreateExecutorState();
	rri = makeNode(ResultRelInfo);
	InitResultRelInfo(rri, w.rel, 0, NULL, 0);
	bc_progress_in_copy(d, load_id, BC_PHASE_SUMMARISING);
	rows = insert_rows(&w, d, load_id, rri, estate);
	FreeExecutorState(estate);
	bc_buf_free(&w.scratch);
	MemoryContextDelete(w.cache_cxt);
	table_close(w.rel, NoLock);
	return rows;
}
