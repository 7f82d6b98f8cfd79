/*-------------------------------------------------------------------------
 *
 * loader_stored_sum.c
 *		Sums the rows a delivery table holds into the core's chargeback
 *		summary, in C.
 *
 * A delivery sent by bedrock-cost-load is stored by the client's COPY,
 * and the server summarises it itself from what it stored (a client's
 * sums are never trusted).  By SQL that is a GROUP BY over 14 keys
 * (bedrock_cost._summarize_load_table: about 6 s for a million rows); here
 * one scan of the table feeds every row to the same summary the loader
 * keeps while streaming (src/core/cur_summary.c), which loader_summary.c
 * then writes and rolls up as it does for a streamed delivery.  The values
 * are read as stored: the usage day is the UTC day of usage_start, the
 * numerics their text (so the sums keep the display scale sum() gives),
 * the principal its canonical text, the tags map its jsonb text (each
 * distinct principal and map converted once, byte_memo.c), and the tokens
 * the stored tokens column (BC_SUM_TOKENS_GIVEN).
 *
 * The same scan reads a delivery's day summary back (usage_summary_l<load_id>,
 * its groups summed already: bc_sum_add_group), so that a rebuild of its
 * model-day summary rolls it up again in C (bedrock_cost._rebuild_daily).
 *
 * Whatever the core cannot take gives NULL, and the caller summarises by
 * SQL instead, which groups the same rows the same way (or raises the
 * error the stored rows deserve): a column missing or of another type, a
 * NULL where the summary has NOT NULL, an infinite timestamp, a NaN or
 * infinite numeric, a summary beyond bedrock_cost.summary_memory, a table
 * Citus distributes (its rows are on the shards), and a scan that did not
 * see exactly the rows bc_verify_stored counted.  (The caller also leaves
 * to SQL a database whose rows cannot be binary COPY rows, and a schema
 * not yet updated: loader_summary.c.)
 *
 * IDENTIFICATION
 *		src/ext/loader_stored_sum.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "access/relscan.h"
#include "access/xact.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "byte_memo.h"
#include "cur_summary.h"
#include "guc.h"
#include "iam_arn.h"
#include "loader.h"

/* the columns read, in this order */
enum
{
	C_DAY,
	C_PAYER,
	C_ACCOUNT,
	C_TYPE,
	C_PRODUCT,
	C_USAGE_TYPE,
	C_PRINCIPAL,
	C_TAGS,
	C_RESOURCE,
	C_PAYER_NAME,
	C_ACCOUNT_NAME,
	C_UNBLENDED,
	C_NET,
	C_AMOUNT,
	C_TOKENS,
	C_LINE_ITEMS,
	C_NET_ROWS,
	NCOLS
};

typedef struct StoredCol
{
	const char *name;
	Oid			type;			/* InvalidOid: iam_arn */
} StoredCol;

/*
 * The columns read: those of a delivery table's rows (line_items_l<load_id>)
 * but the last two; a delivery's day summary, its groups summed already
 * (usage_summary_l<load_id>), has the same but usage_date for C_DAY, and
 * the last two (col_of)
 */
static const StoredCol cols[NCOLS] = {
	{"usage_start", TIMESTAMPTZOID},
	{"payer_account_id", TEXTOID},
	{"usage_account_id", TEXTOID},
	{"line_item_type", TEXTOID},
	{"product_name", TEXTOID},
	{"usage_type", TEXTOID},
	{"principal", InvalidOid},
	{"tags", JSONBOID},
	{"resource_id", TEXTOID},
	{"payer_account_name", TEXTOID},
	{"usage_account_name", TEXTOID},
	{"unblended_cost", NUMERICOID},
	{"net_unblended_cost", NUMERICOID},
	{"usage_amount", NUMERICOID},
	{"tokens", NUMERICOID},
	{"line_items", INT8OID},
	{"net_rows", INT8OID},
};
static const StoredCol group_day = {"usage_date", DATEOID};

/* the state of one summing scan */
typedef struct StoredSum
{
	bool		groups;			/* a day summary's groups, not line items */
	AttrNumber	attno[NCOLS];	/* 0: not read */
	BcByteMemo *principals;		/* iam_arn payload -> canonical text */
	BcByteMemo *tags;			/* jsonb bytes -> jsonb text */
	MemoryContext row_cxt;		/* reset per row */
} StoredSum;

/* column c of the table st reads, NULL when it reads none there */
static const StoredCol *
col_of(const StoredSum *st, int c)
{
	if (c == C_DAY && st->groups)
		return &group_day;
	if ((c == C_LINE_ITEMS || c == C_NET_ROWS) && !st->groups)
		return NULL;
	return &cols[c];
}

/* the attribute numbers of the columns, if each is there with its type */
static bool
find_columns(Relation rel, StoredSum *st)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Oid			arn_type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
										   CStringGetDatum("iam_arn"),
										   ObjectIdGetDatum(get_namespace_oid("bedrock_cost", false)));

	for (int c = 0; c < NCOLS; c++)
	{
		const StoredCol *col = col_of(st, c);
		int			i;

		st->attno[c] = 0;
		if (col == NULL)
			continue;
		for (i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute a = TupleDescAttr(desc, i);

			if (!a->attisdropped && strcmp(NameStr(a->attname), col->name) == 0)
				break;
		}
		if (i == desc->natts ||
			TupleDescAttr(desc, i)->atttypid != (col->type != InvalidOid ? col->type : arn_type))
			return false;
		st->attno[c] = (AttrNumber) (i + 1);
	}
	return true;
}

/* a text column's bytes (NULL for NULL) */
static const char *
text_of(TupleTableSlot *slot, AttrNumber attno, size_t *len)
{
	bool		isnull;
	Datum		d = slot_getattr(slot, attno, &isnull);
	text	   *t;

	if (isnull)
	{
		*len = 0;
		return NULL;
	}
	t = DatumGetTextPP(d);
	*len = VARSIZE_ANY_EXHDR(t);
	return VARDATA_ANY(t);
}

/* a numeric column's text as numeric_out writes it (NULL for NULL) */
static const char *
numeric_of(TupleTableSlot *slot, AttrNumber attno, size_t *len)
{
	bool		isnull;
	Datum		d = slot_getattr(slot, attno, &isnull);
	char	   *s;

	if (isnull)
	{
		*len = 0;
		return NULL;
	}
	s = DatumGetCString(DirectFunctionCall1(numeric_out, d));
	*len = strlen(s);
	return s;
}

/*
 * The text of a principal or a tags map, converted once per distinct
 * stored bytes: jsonb text for a map, canonical text for an iam_arn.
 */
static const char *
memo_text(BcByteMemo *memo, struct varlena *v, bool is_jsonb, size_t *len)
{
	const char *bytes = VARDATA_ANY(v);
	int			n = VARSIZE_ANY_EXHDR(v);
	Datum		kept;
	text	   *t;

	if (!bc_byte_memo_find(memo, bytes, n, &kept))
	{
		char	   *s;

		if (is_jsonb)
		{
			Jsonb	   *jb = (Jsonb *) PG_DETOAST_DATUM(PointerGetDatum(v));

			s = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
		}
		else
			s = bc_iam_arn_to_cstring(v, NULL);
		if (bc_byte_memo_may_keep(memo, n))
		{
			/* kept for the whole scan, in the memo's context */
			MemoryContext old = MemoryContextSwitchTo(bc_byte_memo_context(memo));

			kept = PointerGetDatum(cstring_to_text(s));
			MemoryContextSwitchTo(old);
			(void) bc_byte_memo_keep(memo, bytes, n, kept);
		}
		else
			kept = PointerGetDatum(cstring_to_text(s));
	}
	t = (text *) DatumGetPointer(kept);
	*len = VARSIZE_ANY_EXHDR(t);
	return VARDATA_ANY(t);
}

/* a varlena column (principal, tags), detoasted to its packed form */
static struct varlena *
varlena_of(TupleTableSlot *slot, AttrNumber attno)
{
	bool		isnull;
	Datum		d = slot_getattr(slot, attno, &isnull);

	return isnull ? NULL : PG_DETOAST_DATUM_PACKED(d);
}

/*
 * The summary row of the stored row in slot; false when the core cannot
 * take it (see the file header).
 */
static bool
row_of(StoredSum *st, TupleTableSlot *slot, bc_sum_row *r)
{
	bool		isnull;
	TimestampTz ts;
	struct varlena *v;

	memset(r, 0, sizeof(*r));
	if (st->groups)
	{
		DateADT		day = DatumGetDateADT(slot_getattr(slot, st->attno[C_DAY], &isnull));

		if (isnull || DATE_NOT_FINITE(day))
			return false;
		r->usage_date = (int32_t) day;
	}
	else
	{
		ts = DatumGetTimestampTz(slot_getattr(slot, st->attno[C_DAY], &isnull));
		if (isnull || TIMESTAMP_NOT_FINITE(ts))
			return false;
		/* the UTC day, as (usage_start AT TIME ZONE 'UTC')::date */
		r->usage_date = (int32_t) (ts >= 0 ? ts / USECS_PER_DAY : -((-ts - 1) / USECS_PER_DAY) - 1);
	}
	r->payer = text_of(slot, st->attno[C_PAYER], &r->payer_len);
	r->account = text_of(slot, st->attno[C_ACCOUNT], &r->account_len);
	r->line_item_type = text_of(slot, st->attno[C_TYPE], &r->line_item_type_len);
	r->product_name = text_of(slot, st->attno[C_PRODUCT], &r->product_name_len);
	r->usage_type = text_of(slot, st->attno[C_USAGE_TYPE], &r->usage_type_len);
	if ((v = varlena_of(slot, st->attno[C_PRINCIPAL])) != NULL)
		r->principal = memo_text(st->principals, v, false, &r->principal_len);
	if ((v = varlena_of(slot, st->attno[C_TAGS])) != NULL)
		r->tags = memo_text(st->tags, v, true, &r->tags_len);
	r->resource_id = text_of(slot, st->attno[C_RESOURCE], &r->resource_id_len);
	r->payer_name = text_of(slot, st->attno[C_PAYER_NAME], &r->payer_name_len);
	r->account_name = text_of(slot, st->attno[C_ACCOUNT_NAME], &r->account_name_len);
	r->unblended = numeric_of(slot, st->attno[C_UNBLENDED], &r->unblended_len);
	r->net = numeric_of(slot, st->attno[C_NET], &r->net_len);
	r->usage_amount = numeric_of(slot, st->attno[C_AMOUNT], &r->usage_amount_len);
	r->tokens = numeric_of(slot, st->attno[C_TOKENS], &r->tokens_len);
	r->tokens_shift = BC_SUM_TOKENS_GIVEN;
	/* what the summary's NOT NULL columns need (SQL raises the error) */
	return r->payer != NULL && r->account != NULL && r->line_item_type != NULL &&
		r->usage_type != NULL && r->tags != NULL && r->unblended != NULL;
}

/* add the row r read from slot: a line item, or a group summed already */
static bool
add_row(StoredSum *st, TupleTableSlot *slot, bc_sum *sum, const bc_sum_row *r)
{
	bool		null1,
				null2;
	int64		line_items,
				net_rows;

	if (!st->groups)
		return bc_sum_add(sum, r);
	line_items = DatumGetInt64(slot_getattr(slot, st->attno[C_LINE_ITEMS], &null1));
	net_rows = DatumGetInt64(slot_getattr(slot, st->attno[C_NET_ROWS], &null2));
	return !null1 && !null2 && bc_sum_add_group(sum, r, line_items, net_rows);
}

/* feed every row of rel to sum; the rows read, or -1 when one could not be */
static int64
scan_rows(Relation rel, StoredSum *st, bc_sum *sum)
{
	Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());
	TableScanDesc scan = table_beginscan(rel, snap, 0, NULL);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	int64		rows = 0;
	bool		ok = true;

	while (ok && table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		MemoryContext old = MemoryContextSwitchTo(st->row_cxt);
		bc_sum_row	r;

		if ((rows & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		ok = row_of(st, slot, &r) && add_row(st, slot, sum, &r);
		MemoryContextSwitchTo(old);
		MemoryContextReset(st->row_cxt);
		rows++;
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	UnregisterSnapshot(snap);
	return ok ? rows : -1;
}

/*
 * The core's summary of the rows of bedrock_cost.<table> (groups: a day
 * summary's, else a delivery table's), which must hold expected_rows
 * rows; NULL when they cannot be summed in C (see the file header).  Free
 * it with bc_sum_free.
 */
static bc_sum *
sum_table(const char *table, bool groups, int64 expected_rows)
{
	Relation	rel;
	StoredSum	st;
	bc_sum	   *volatile sum = NULL;
	volatile int64 rows = -1;
	MemoryContext cxt;

	if (bc_summary_memory <= 0)
		return NULL;
	/* the rows of this transaction's earlier commands */
	CommandCounterIncrement();
	rel = table_openrv(makeRangeVar("bedrock_cost", pstrdup(table), -1), AccessShareLock);
	st.groups = groups;
	if (bc_citus_distributed(rel) || !find_columns(rel, &st))
	{
		table_close(rel, AccessShareLock);
		return NULL;
	}
	cxt = AllocSetContextCreate(CurrentMemoryContext, "bedrock_cost stored sum",
								ALLOCSET_DEFAULT_SIZES);
	st.principals = bc_byte_memo_create(cxt);
	st.tags = bc_byte_memo_create(cxt);
	st.row_cxt = AllocSetContextCreate(cxt, "bedrock_cost stored sum row",
									   ALLOCSET_DEFAULT_SIZES);
	sum = bc_sum_create((size_t) bc_summary_memory * 1024);
	if (sum == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	PG_TRY();
	{
		rows = scan_rows(rel, &st, sum);
	}
	PG_CATCH();
	{
		bc_sum_free(sum);
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextDelete(cxt);
	table_close(rel, AccessShareLock);
	if (rows != expected_rows || bc_sum_overflowed(sum) || bc_sum_nomem(sum))
	{
		ereport(DEBUG1,
				(errmsg_internal("bedrock_cost: %s not summed in C (%lld rows read of %lld, %s), summarised by SQL",
								 table, (long long) rows, (long long) expected_rows,
								 bc_sum_overflowed(sum) ? "beyond bedrock_cost.summary_memory or a value the core does not take" :
								 bc_sum_nomem(sum) ? "out of memory" : "a value the summary cannot take")));
		bc_sum_free(sum);
		return NULL;
	}
	return sum;
}

/*
 * The core's summary of the rows delivery table line_items_l<load_id>
 * holds, which must be expected_rows; NULL when it cannot be summed in C.
 */
bc_sum *
bc_sum_stored_rows(int64 load_id, int64 expected_rows)
{
	return sum_table(psprintf("line_items_l" INT64_FORMAT, load_id), false, expected_rows);
}

/*
 * The core's summary made of the groups of delivery load_id's day summary
 * (usage_summary_l<load_id>, expected_rows rows), to roll up again; NULL
 * when it cannot be read in C.
 */
bc_sum *
bc_sum_stored_summary(int64 load_id, int64 expected_rows)
{
	return sum_table(psprintf("usage_summary_l" INT64_FORMAT, load_id), true, expected_rows);
}
