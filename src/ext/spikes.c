/*-------------------------------------------------------------------------
 *
 * spikes.c
 *		The days far above their series' days before: the rows of
 *		bedrock_cost.spikes, in one pass over chargeback_daily.
 *
 * bedrock_cost._spike_days(days refcursor, periods date[], heads date[],
 * factor numeric, min_cost numeric, min_tokens numeric) reads the cursor
 * _spikes_rows opened on chargeback_daily (the columns of SpikeCol, ordered
 * by principal) and returns, for every day of the periods and
 * the first 14 days of the heads, each token kind whose day is a spike:
 *   - a series is an export, principal (NULL: unattributed) and model; its
 *     day sums its rows (accounts, attribution, tags maps); a token kind is
 *     present on a day when one of those rows has a cost or tokens of it;
 *   - the baseline is the median of the kind's present days in the 14 days
 *     before (bc_median_of_days), the other days counting as 0;
 *   - but a day of a month without a current delivery of the export is
 *     unknown, not 0: the cursor's last column says whether the month before
 *     the row's is loaded, and a day whose 14 days before hold fewer than 7
 *     known days (the first week of the first month loaded, or of a month
 *     after a gap) is not judged; with 7 to 13 known days, the median is
 *     of those.  A cursor without that column (0.1.0's _spikes_rows) counts
 *     every day before as known;
 *   - spike_on: cost when cost >= min_cost and cost > factor x baseline
 *     cost, tokens likewise with min_tokens; a day with neither is not
 *     returned.
 * The rows of one principal are held at a time (in a memory context reset
 * per principal), sorted here by model, export, day and period, so the
 * memory does not grow with the months read, and the cursor sorts on one
 * key: the principal ARNs share their first bytes, so a second key (the
 * model) was compared on most comparisons, and it cost 40% of the sort.
 * The same in SQL (group, unpivot, a window array_agg per kind, a median
 * per row) cost about 0.75 s for a month of a 1M-row export; this is a
 * fifth of it.
 *
 * IDENTIFICATION
 *		src/ext/spikes.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/tuplestore.h"

#include "median.h"
#include "usage_type.h"

/* rows fetched from the cursor at a time */
#define BC_SPIKE_FETCH 10000
/* the days before a day that make its baseline */
#define BC_SPIKE_WINDOW 14
/* the known days of its window a day needs to be judged */
#define BC_SPIKE_MIN_KNOWN 7
/* the token kinds, BC_KIND_INPUT to BC_KIND_CACHE_WRITE (usage_type.h), in that order */
#define BC_KINDS 4

/* the cursor's columns, in order */
typedef enum SpikeCol
{
	COL_PERIOD,
	COL_EXPORT,
	COL_DATE,
	COL_PRINCIPAL,
	COL_MODEL,
	COL_PERSON,
	COL_ROLE,
	COL_KINDS					/* then cost and tokens of each kind */
} SpikeCol;

#define BC_SPIKE_COLS (COL_KINDS + 2 * BC_KINDS)
/* then, optionally, whether the month before the row's is loaded (boolean) */
#define COL_PREV_LOADED BC_SPIKE_COLS
#define BC_SPIKE_COLS_MAX (BC_SPIKE_COLS + 1)

/* a row of the cursor, then (merged) a series' day: its rows summed */
typedef struct SpikeDay
{
	int			model;			/* index in the group's models */
	int32		export_id;
	DateADT		period;
	DateADT		date;
	Datum		cost[BC_KINDS];
	Datum		tokens[BC_KINDS];
	bool		present[BC_KINDS];
	bool		prev_loaded;	/* the export's month before period is loaded */
} SpikeDay;

/* the rows of the principal being read */
typedef struct SpikeGroup
{
	bool		open;
	char	   *principal;		/* NULL: unattributed usage */
	char	   *person;
	char	   *role;
	char	  **models;			/* its distinct models (an element NULL: no model) */
	int			nmodels;
	int			model_cap;
	int			last_model;		/* the model of the row added last */
	SpikeDay   *rows;
	int			nrows;
	int			cap;
	MemoryContext cxt;			/* the rows and strings */
} SpikeGroup;

/* the thresholds, the days wanted and where the spikes go */
typedef struct SpikeRun
{
	Datum		factor;
	Datum		min_cost;
	Datum		min_tokens;
	Datum		zero;
	DateADT    *periods;
	int			nperiods;
	DateADT    *heads;
	int			nheads;
	Tuplestorestate *out;
	TupleDesc	desc;
	bool		months_known;	/* the cursor says which months are loaded */
} SpikeRun;

PG_FUNCTION_INFO_V1(bc_sql_spike_days);

static bool
num_ge(Datum a, Datum b)
{
	return DatumGetBool(DirectFunctionCall2(numeric_ge, a, b));
}

static bool
num_gt(Datum a, Datum b)
{
	return DatumGetBool(DirectFunctionCall2(numeric_gt, a, b));
}

/* the dates of a date[] argument (no NULL element) */
static DateADT *
date_array(ArrayType *arr, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	DateADT    *out;
	int			i;

	deconstruct_array(arr, DATEOID, sizeof(DateADT), true, TYPALIGN_INT, &elems, &nulls, n);
	out = (DateADT *) palloc(sizeof(DateADT) * (*n + 1));
	for (i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("_spike_days: a billing period is NULL")));
		out[i] = DatumGetDateADT(elems[i]);
	}
	return out;
}

static bool
date_member(DateADT d, const DateADT *set, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		if (set[i] == d)
			return true;
	return false;
}

/* whether a day's spikes are computed: a day of the periods, or of the first 14 of a head */
static bool
day_wanted(const SpikeRun *run, const SpikeDay *day)
{
	if (date_member(day->period, run->periods, run->nperiods))
		return true;
	return date_member(day->period, run->heads, run->nheads)
		&& day->date < day->period + BC_SPIKE_WINDOW;
}

/*
 * the cursor's columns are those of SpikeCol, with these types, then
 * optionally COL_PREV_LOADED (boolean): whether it is there
 */
static bool
check_cursor(TupleDesc desc, const char *name)
{
	int			i;
	bool		known = desc->natts == BC_SPIKE_COLS_MAX;
	bool		ok = desc->natts == BC_SPIKE_COLS || known;

	for (i = 0; ok && i < BC_SPIKE_COLS; i++)
	{
		Oid			want = i >= COL_KINDS ? NUMERICOID
			: i == COL_PERIOD || i == COL_DATE ? DATEOID
			: i == COL_EXPORT ? INT4OID : TEXTOID;

		ok = SPI_gettypeid(desc, i + 1) == want;
	}
	if (ok && known)
		ok = SPI_gettypeid(desc, COL_PREV_LOADED + 1) == BOOLOID;
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("cursor \"%s\" does not have the columns _spike_days reads", name)));
	return known;
}

/* a row of the cursor, deformed once (columns in SpikeCol order) */
typedef struct SpikeTuple
{
	Datum		v[BC_SPIKE_COLS_MAX];
	bool		n[BC_SPIKE_COLS_MAX];
} SpikeTuple;

/* a text column, copied into the series' context (NULL stays NULL) */
static char *
text_col(const SpikeTuple *t, int col, MemoryContext cxt)
{
	MemoryContext old;
	char	   *s;

	if (t->n[col])
		return NULL;
	old = MemoryContextSwitchTo(cxt);
	s = TextDatumGetCString(t->v[col]);
	MemoryContextSwitchTo(old);
	return s;
}

/* a text column equals a string (NULL equals NULL only) */
static bool
same_text(const SpikeTuple *t, int col, const char *s)
{
	text	   *v;

	if (t->n[col] || s == NULL)
		return t->n[col] && s == NULL;
	v = DatumGetTextPP(t->v[col]);
	return VARSIZE_ANY_EXHDR(v) == strlen(s)
		&& memcmp(VARDATA_ANY(v), s, VARSIZE_ANY_EXHDR(v)) == 0;
}

/* the row belongs to the open group */
static bool
same_group(const SpikeGroup *g, const SpikeTuple *t)
{
	return g->open && same_text(t, COL_PRINCIPAL, g->principal);
}

/*
 * the index of a row's model among the group's, added when new (the last
 * one tried first: a principal's rows of a model tend to come together)
 */
static int
model_of(SpikeGroup *g, const SpikeTuple *t)
{
	int			i;

	if (g->last_model >= 0 && same_text(t, COL_MODEL, g->models[g->last_model]))
		return g->last_model;
	for (i = 0; i < g->nmodels; i++)
		if (same_text(t, COL_MODEL, g->models[i]))
			return g->last_model = i;
	if (g->nmodels == g->model_cap)
	{
		g->model_cap *= 2;
		g->models = (char **) repalloc(g->models, sizeof(char *) * g->model_cap);
	}
	g->models[g->nmodels] = text_col(t, COL_MODEL, g->cxt);
	return g->last_model = g->nmodels++;
}

/* the k-th cost or tokens of a row (0 when NULL), in the group's context */
static Datum
num_col(const SpikeTuple *t, int col, const SpikeRun *run, MemoryContext cxt)
{
	MemoryContext old;
	Datum		copy;

	if (t->n[col])
		return run->zero;
	old = MemoryContextSwitchTo(cxt);
	copy = NumericGetDatum(DatumGetNumericCopy(t->v[col]));
	MemoryContextSwitchTo(old);
	return copy;
}

/* adds a row of the cursor to the group */
static void
add_row(SpikeGroup *g, const SpikeTuple *t, const SpikeRun *run)
{
	SpikeDay   *row;
	int			k;

	if (g->nrows == g->cap)
	{
		g->cap *= 2;
		g->rows = (SpikeDay *) repalloc(g->rows, sizeof(SpikeDay) * g->cap);
	}
	row = &g->rows[g->nrows++];
	row->model = model_of(g, t);
	row->export_id = DatumGetInt32(t->v[COL_EXPORT]);
	row->period = DatumGetDateADT(t->v[COL_PERIOD]);
	row->date = DatumGetDateADT(t->v[COL_DATE]);
	row->prev_loaded = !run->months_known
		|| (!t->n[COL_PREV_LOADED] && DatumGetBool(t->v[COL_PREV_LOADED]));
	for (k = 0; k < BC_KINDS; k++)
	{
		row->cost[k] = num_col(t, COL_KINDS + 2 * k, run, g->cxt);
		row->tokens[k] = num_col(t, COL_KINDS + 2 * k + 1, run, g->cxt);
		row->present[k] = DatumGetBool(DirectFunctionCall2(numeric_ne, row->cost[k], run->zero))
			|| DatumGetBool(DirectFunctionCall2(numeric_ne, row->tokens[k], run->zero));
	}
}

/* starts the group of a row */
static void
open_group(SpikeGroup *g, const SpikeTuple *t)
{
	MemoryContextReset(g->cxt);
	g->open = true;
	g->principal = text_col(t, COL_PRINCIPAL, g->cxt);
	g->person = text_col(t, COL_PERSON, g->cxt);
	g->role = text_col(t, COL_ROLE, g->cxt);
	g->model_cap = 8;
	g->nmodels = 0;
	g->last_model = -1;
	g->models = (char **) MemoryContextAlloc(g->cxt, sizeof(char *) * g->model_cap);
	g->cap = 64;
	g->nrows = 0;
	g->rows = (SpikeDay *) MemoryContextAlloc(g->cxt, sizeof(SpikeDay) * g->cap);
}

static Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = s == NULL;
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

/* one spike row */
static void
emit(const SpikeRun *run, const SpikeGroup *g, const SpikeDay *day, int k,
	 Datum base_cost, Datum base_tokens, const char *spike_on)
{
	Datum		v[13];
	bool		n[13] = {false};

	v[0] = DateADTGetDatum(day->period);
	v[1] = Int32GetDatum(day->export_id);
	v[2] = DateADTGetDatum(day->date);
	v[3] = text_or_null(g->principal, &n[3]);
	v[4] = text_or_null(g->person, &n[4]);
	v[5] = text_or_null(g->role, &n[5]);
	v[6] = text_or_null(g->models[day->model], &n[6]);
	v[7] = CStringGetTextDatum(bc_token_kind_name((bc_token_kind) (BC_KIND_INPUT + k)));
	v[8] = day->cost[k];
	v[9] = base_cost;
	v[10] = day->tokens[k];
	v[11] = base_tokens;
	v[12] = CStringGetTextDatum(spike_on);
	tuplestore_putvalues(run->out, run->desc, v, n);
}

/* the first day of the month before the month of period */
static DateADT
month_before(DateADT period)
{
	int			y,
				m,
				d;

	j2date(period + POSTGRES_EPOCH_JDATE, &y, &m, &d);
	if (--m == 0)
	{
		m = 12;
		y--;
	}
	return date2j(y, m, 1) - POSTGRES_EPOCH_JDATE;
}

/*
 * The known days of a day's window, the BC_SPIKE_WINDOW days before it:
 * all of them when the cursor does not say which months are loaded, else
 * those from the first day of its period's month on, and of the month
 * before when that one is loaded.
 */
static int
known_days(const SpikeRun *run, const SpikeDay *day)
{
	DateADT		from;

	if (!run->months_known)
		return BC_SPIKE_WINDOW;
	from = day->prev_loaded ? month_before(day->period) : day->period;
	if (day->date - from >= BC_SPIKE_WINDOW)
		return BC_SPIKE_WINDOW;
	return day->date > from ? day->date - from : 0;
}

/*
 * The spike of kind k of day idx[i] of a series (days, whose present days
 * of that kind are idx[0..), ascending dates): the baseline reads the days
 * from idx[lo] on that are before day i's date, the days of the window not
 * present counting as 0; a day with fewer than BC_SPIKE_MIN_KNOWN known
 * days in its window is not judged.
 */
static void
spike_of_day(const SpikeRun *run, const SpikeGroup *g, const SpikeDay *days,
			 const int *idx, int lo, int i, int k, Datum *costs, Datum *tokens)
{
	const SpikeDay *day = &days[idx[i]];
	int			nwin = 0;
	int			j;
	bool		isnull;
	Datum		base_cost,
				base_tokens;
	bool		on_cost,
				on_tokens;
	int			known = known_days(run, day);

	if (known < BC_SPIKE_MIN_KNOWN)
		return;
	for (j = lo; j < i && days[idx[j]].date < day->date; j++)
	{
		costs[nwin] = days[idx[j]].cost[k];
		tokens[nwin++] = days[idx[j]].tokens[k];
	}
	base_cost = bc_median_of_days(costs, nwin, known, &isnull);
	base_tokens = bc_median_of_days(tokens, nwin, known, &isnull);
	on_cost = num_ge(day->cost[k], run->min_cost)
		&& num_gt(day->cost[k], DirectFunctionCall2(numeric_mul, run->factor, base_cost));
	on_tokens = num_ge(day->tokens[k], run->min_tokens)
		&& num_gt(day->tokens[k], DirectFunctionCall2(numeric_mul, run->factor, base_tokens));
	if (on_cost || on_tokens)
		emit(run, g, day, k, base_cost, base_tokens,
			 on_cost && on_tokens ? "cost,tokens" : on_cost ? "cost" : "tokens");
}

/* the spikes of a series (its days in ascending order), kind by kind */
static void
series_spikes(const SpikeRun *run, const SpikeGroup *g, const SpikeDay *days, int ndays)
{
	int		   *idx = (int *) palloc(sizeof(int) * ndays);
	Datum	   *costs = (Datum *) palloc(sizeof(Datum) * ndays);
	Datum	   *tokens = (Datum *) palloc(sizeof(Datum) * ndays);
	int			k;

	for (k = 0; k < BC_KINDS; k++)
	{
		int			n = 0,
					lo = 0,
					i;

		for (i = 0; i < ndays; i++)
			if (days[i].present[k])
				idx[n++] = i;
		for (i = 0; i < n; i++)
		{
			const SpikeDay *day = &days[idx[i]];

			while (days[idx[lo]].date < day->date - BC_SPIKE_WINDOW)
				lo++;
			if (day_wanted(run, day)
				&& (num_ge(day->cost[k], run->min_cost) || num_ge(day->tokens[k], run->min_tokens)))
				spike_of_day(run, g, days, idx, lo, i, k, costs, tokens);
		}
	}
}

/* qsort order of a group's rows: model (as first read), export, day, period */
static int
cmp_rows(const void *a, const void *b)
{
	const SpikeDay *x = (const SpikeDay *) a;
	const SpikeDay *y = (const SpikeDay *) b;

	if (x->model != y->model)
		return x->model < y->model ? -1 : 1;
	if (x->export_id != y->export_id)
		return x->export_id < y->export_id ? -1 : 1;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->period != y->period)
		return x->period < y->period ? -1 : 1;
	return 0;
}

/*
 * The spikes of a complete group: its rows sorted, the rows of a day (same
 * model, export, day and period) summed into its first, each model's and
 * export's days a series.
 */
static void
close_group(const SpikeRun *run, SpikeGroup *g)
{
	MemoryContext old;
	int			ndays = 0,
				start,
				i,
				k;

	if (!g->open)
		return;
	old = MemoryContextSwitchTo(g->cxt);
	qsort(g->rows, g->nrows, sizeof(SpikeDay), cmp_rows);
	for (i = 0; i < g->nrows; i++)
	{
		const SpikeDay *row = &g->rows[i];
		SpikeDay   *day;

		if (ndays == 0 || cmp_rows(&g->rows[ndays - 1], row) != 0)
		{
			g->rows[ndays++] = *row;
			continue;
		}
		day = &g->rows[ndays - 1];
		for (k = 0; k < BC_KINDS; k++)
		{
			day->cost[k] = DirectFunctionCall2(numeric_add, day->cost[k], row->cost[k]);
			day->tokens[k] = DirectFunctionCall2(numeric_add, day->tokens[k], row->tokens[k]);
			day->present[k] = day->present[k] || row->present[k];
		}
	}
	for (start = 0; start < ndays; start = i)
	{
		for (i = start; i < ndays && g->rows[i].model == g->rows[start].model
			 && g->rows[i].export_id == g->rows[start].export_id; i++)
			;
		series_spikes(run, g, &g->rows[start], i - start);
	}
	MemoryContextSwitchTo(old);
	g->open = false;
}

/* reads the cursor to its end, group by group */
static void
read_cursor(SpikeRun *run, const char *name)
{
	Portal		portal = SPI_cursor_find(name);
	SpikeGroup	g = {0};
	SpikeTuple	t;
	bool		checked = false;
	uint64		i;

	if (portal == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_CURSOR),
				 errmsg("cursor \"%s\" does not exist", name)));
	g.cxt = AllocSetContextCreate(CurrentMemoryContext, "bedrock_cost spike group",
								  ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		SPI_cursor_fetch(portal, true, BC_SPIKE_FETCH);
		if (SPI_processed == 0)
			break;
		if (!checked)
			run->months_known = check_cursor(SPI_tuptable->tupdesc, name);
		checked = true;
		for (i = 0; i < SPI_processed; i++)
		{
			/* every column is read: deformed once, not one getattr each */
			heap_deform_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, t.v, t.n);
			if (!same_group(&g, &t))
			{
				close_group(run, &g);
				open_group(&g, &t);
			}
			add_row(&g, &t, run);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	close_group(run, &g);
	MemoryContextDelete(g.cxt);
}

/*
 * bedrock_cost._spike_days(days refcursor, periods date[], heads date[],
 * factor numeric, min_cost numeric, min_tokens numeric) RETURNS SETOF record
 */
Datum
bc_sql_spike_days(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	SpikeRun	run;

	InitMaterializedSRF(fcinfo, 0);
	run.out = rsinfo->setResult;
	run.desc = rsinfo->setDesc;
	run.periods = date_array(PG_GETARG_ARRAYTYPE_P(1), &run.nperiods);
	run.heads = date_array(PG_GETARG_ARRAYTYPE_P(2), &run.nheads);
	run.factor = PG_GETARG_DATUM(3);
	run.min_cost = PG_GETARG_DATUM(4);
	run.min_tokens = PG_GETARG_DATUM(5);
	run.zero = DirectFunctionCall1(int4_numeric, Int32GetDatum(0));
	run.months_known = false;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	read_cursor(&run, name);
	SPI_finish();
	return (Datum) 0;
}
