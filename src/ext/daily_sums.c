/*-------------------------------------------------------------------------
 *
 * daily_sums.c
 *		The sums of a chargeback_daily row, in one aggregate state.
 *
 * bedrock_cost._daily_sums(token_kind text, tokens numeric, unblended
 * numeric, net numeric, cost numeric, line_items bigint) sums a group of
 * model-day summary rows (usage_daily) into what a chargeback_daily row
 * holds, as a numeric[] of DS_NSUMS (DailySum order): the unblended and
 * net cost of every row, the tokens and the cost (in the basis the caller
 * chose) of each token kind, and the line items.  An element is NULL when
 * no row gave it a value, as sum(x) FILTER (WHERE token_kind = k) is.
 *
 * The same with eleven sum() aggregates held eleven numeric states per
 * group: 116 MB of hash table for a month of 1M line items (48,836
 * groups), whose allocation was most of chargeback_daily's refresh.  One
 * state of eleven exact values makes it 42 MB.  The additions are
 * numeric_add, exact, so the sums and their display scales are those of
 * sum().
 *
 * Since 0.2.0 chargeback_daily no longer groups (usage_daily is kept at
 * its grain), and 0.2.0's schema has no such aggregate.  The functions
 * stay in the library for 0.1.0: its install script (which the update
 * path starts from) creates the aggregate on them, and a 0.1.0 database
 * refreshes with it until ALTER EXTENSION bedrock_cost UPDATE.
 *
 * IDENTIFICATION
 *		src/ext/daily_sums.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "usage_type.h"

/* the sums, in the order of the result */
typedef enum DailySum
{
	DS_UNBLENDED,
	DS_NET,
	DS_TOKENS,					/* then one per token kind */
	DS_COST = DS_TOKENS + 4,	/* then one per token kind */
	DS_LINE_ITEMS = DS_COST + 4,
	DS_NSUMS
} DailySum;


typedef struct DailySums
{
	Datum		v[DS_NSUMS];
	bool		set[DS_NSUMS];
	int64		line_items;
} DailySums;

PG_FUNCTION_INFO_V1(bc_sql_daily_sums_add);
PG_FUNCTION_INFO_V1(bc_sql_daily_sums_final);

/* adds argument arg (numeric, skipped when NULL) to sum i, in the state's context */
static void
add(DailySums *st, int i, FunctionCallInfo fcinfo, int arg)
{
	Datum		x,
				prev;

	if (PG_ARGISNULL(arg))
		return;
	x = PG_GETARG_DATUM(arg);
	if (!st->set[i])
	{
		st->v[i] = NumericGetDatum(DatumGetNumericCopy(x));
		st->set[i] = true;
		return;
	}
	prev = st->v[i];
	st->v[i] = DirectFunctionCall2(numeric_add, prev, x);
	pfree(DatumGetPointer(prev));
}

/*
 * The token kind of argument 1 as 0..3 (BC_KIND_INPUT to BC_KIND_CACHE_WRITE,
 * named as the parser names them: bc_token_kind_name), -1 for another or none
 */
static int
kind_of(FunctionCallInfo fcinfo)
{
	text	   *k;
	int			i;

	if (PG_ARGISNULL(1))
		return -1;
	k = PG_GETARG_TEXT_PP(1);
	for (i = 0; i < 4; i++)
	{
		const char *name = bc_token_kind_name((bc_token_kind) (BC_KIND_INPUT + i));

		if (VARSIZE_ANY_EXHDR(k) == strlen(name) &&
			memcmp(VARDATA_ANY(k), name, VARSIZE_ANY_EXHDR(k)) == 0)
			return i;
	}
	return -1;
}

/*
 * _daily_sums_add(state internal, token_kind text, tokens numeric,
 * unblended numeric, net numeric, cost numeric, line_items bigint)
 */
Datum
bc_sql_daily_sums_add(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt,
				old;
	DailySums  *st;
	int			k;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("_daily_sums_add called in a non-aggregate context")));
	old = MemoryContextSwitchTo(aggcxt);
	st = PG_ARGISNULL(0) ? (DailySums *) palloc0(sizeof(DailySums)) : (DailySums *) PG_GETARG_POINTER(0);
	add(st, DS_UNBLENDED, fcinfo, 3);
	add(st, DS_NET, fcinfo, 4);
	if ((k = kind_of(fcinfo)) >= 0)
	{
		add(st, DS_TOKENS + k, fcinfo, 2);
		add(st, DS_COST + k, fcinfo, 5);
	}
	if (!PG_ARGISNULL(6))
	{
		st->line_items += PG_GETARG_INT64(6);
		st->set[DS_LINE_ITEMS] = true;
	}
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(st);
}

/* _daily_sums_final(state internal) RETURNS numeric[] */
Datum
bc_sql_daily_sums_final(PG_FUNCTION_ARGS)
{
	DailySums  *st;
	Datum		v[DS_NSUMS];
	bool		nulls[DS_NSUMS];
	int			dims[1] = {DS_NSUMS};
	int			lbs[1] = {1};
	int			i;

	st = (DailySums *) PG_GETARG_POINTER(0);
	for (i = 0; i < DS_NSUMS; i++)
	{
		nulls[i] = !st->set[i];
		v[i] = st->v[i];
	}
	if (st->set[DS_LINE_ITEMS])
		v[DS_LINE_ITEMS] = DirectFunctionCall1(int8_numeric, Int64GetDatum(st->line_items));
	PG_RETURN_ARRAYTYPE_P(construct_md_array(v, nulls, 1, dims, lbs, NUMERICOID, -1, false, TYPALIGN_INT));
}
