/*-------------------------------------------------------------------------
 *
 * median_fns.c
 *		The median of a window of days, the baseline of the spikes.
 *
 * bedrock_cost._median_of_days(vals numeric[], days integer): the median
 * of vals padded with zeros to days values (the days of the window without
 * usage), exact: the middle value for an odd count, the mean of the two
 * middle ones for an even count, with trailing zeros trimmed.  refresh
 * computes it for every candidate day of every series, so it is C: a SQL
 * version (unnest, sort, array subscript) cost about 20 us a call.
 * bc_median_of_days is the same median for C callers (spikes.c).
 *
 * IDENTIFICATION
 *		src/ext/median_fns.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "median.h"

PG_FUNCTION_INFO_V1(bc_sql_median_of_days);

/* the longest array sorted by insertion */
#define BC_MEDIAN_INSERTION 32

/* a < b for numeric Datums (unpacked: numeric_cmp then copies nothing) */
static bool
num_lt(Datum a, Datum b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, a, b)) < 0;
}

/* qsort comparator of numeric Datums */
static int
cmp_numeric(const void *a, const void *b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, *(const Datum *) a, *(const Datum *) b));
}

/*
 * A numeric constant, parsed once per backend: the median runs for every
 * candidate day of every series at each refresh
 */
static Datum
numeric_constant(const char *text, Datum *slot)
{
	MemoryContext old;

	if (*slot == (Datum) 0)
	{
		old = MemoryContextSwitchTo(TopMemoryContext);
		*slot = DirectFunctionCall3(numeric_in, CStringGetDatum(text),
									ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
		MemoryContextSwitchTo(old);
	}
	return *slot;
}

static Datum zero_slot = (Datum) 0;
static Datum half_slot = (Datum) 0;

/*
 * The i-th smallest of the n values: v[0..nv) sorted, of which v[0..neg)
 * are negative, and the n - nv zeros of the days without a value, which
 * sort between the negative ones and the others
 */
static Datum
nth_value(const Datum *v, int nv, int neg, int n, int i, Datum zero)
{
	int			zeros = n - nv;

	if (i < neg)
		return v[i];
	if (i < neg + zeros)
		return zero;
	return v[i - zeros];
}

/*
 * The median of vals[0..nvals) padded with zeros to days values (NULL when
 * there is no value at all); vals is left as it is.  Only the values are
 * sorted (insertion sort for a window of days, which holds at most 14 of
 * them; qsort for a longer array given to the SQL function), the zeros of
 * the days without one placed where they sort: a quarter of the spikes'
 * refresh went to sorting the padded window.
 */
Datum
bc_median_of_days(Datum *vals, int nvals, int days, bool *isnull)
{
	int			n = nvals > days ? nvals : days;
	Datum	   *v;
	Datum		zero;
	Datum		m;
	int			neg = 0;
	int			i,
				j;

	*isnull = n <= 0;
	if (n <= 0)
		return (Datum) 0;
	zero = numeric_constant("0", &zero_slot);
	v = (Datum *) palloc(sizeof(Datum) * (nvals + 1));
	for (i = 0; i < nvals; i++)
	{
		Datum		x = PointerGetDatum(PG_DETOAST_DATUM(vals[i]));

		for (j = i; j > 0 && nvals <= BC_MEDIAN_INSERTION && num_lt(x, v[j - 1]); j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	if (nvals > BC_MEDIAN_INSERTION)
		qsort(v, nvals, sizeof(Datum), cmp_numeric);
	while (neg < nvals && num_lt(v[neg], zero))
		neg++;
	if (n % 2 == 1)
		return nth_value(v, nvals, neg, n, n / 2, zero);
	/* times 0.5, not divided by 2: a product is exact, a quotient is rounded */
	m = DirectFunctionCall2(numeric_add, nth_value(v, nvals, neg, n, n / 2 - 1, zero),
							nth_value(v, nvals, neg, n, n / 2, zero));
	m = DirectFunctionCall2(numeric_mul, m, numeric_constant("0.5", &half_slot));
	return DirectFunctionCall1(numeric_trim_scale, m);
}

/* bedrock_cost._median_of_days(vals numeric[], days integer) RETURNS numeric */
Datum
bc_sql_median_of_days(PG_FUNCTION_ARGS)
{
	ArrayType  *arr;
	Datum	   *elems = NULL;
	bool	   *nulls = NULL;
	int			nelems = 0;
	int32		days = PG_ARGISNULL(1) ? 0 : PG_GETARG_INT32(1);
	Datum		zero = numeric_constant("0", &zero_slot);
	Datum		m;
	bool		isnull;
	int			i;

	if (!PG_ARGISNULL(0))
	{
		arr = PG_GETARG_ARRAYTYPE_P(0);
		if (ARR_ELEMTYPE(arr) != NUMERICOID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("_median_of_days expects a numeric[]")));
		deconstruct_array(arr, NUMERICOID, -1, false, TYPALIGN_INT, &elems, &nulls, &nelems);
	}
	for (i = 0; i < nelems; i++)
		if (nulls[i])
			elems[i] = zero;
	m = bc_median_of_days(elems, nelems, days, &isnull);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(m);
}
