/*-------------------------------------------------------------------------
 *
 * usage_type_fns.c
 *		SQL-callable glue of the usage-type parser, the Bedrock line
 *		classification, pricing-unit scaling, the region table and the
 *		canonical model key.
 *
 * The canonical model key consults bedrock_cost.model_aliases.  Each call
 * site loads the whole (small) table once per query into a hash keyed by
 * the normalised alias (fn_extra), so a statement sees one consistent
 * mapping and a million-row parse costs one table scan.  Functions that
 * read it are STABLE; the others are IMMUTABLE.
 *
 * IDENTIFICATION
 *		src/ext/usage_type_fns.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "usage_type.h"

PG_FUNCTION_INFO_V1(bc_sql_parse_usage_type);
PG_FUNCTION_INFO_V1(bc_sql_model_key);
PG_FUNCTION_INFO_V1(bc_sql_model_vendor);
PG_FUNCTION_INFO_V1(bc_sql_model_normalize);
PG_FUNCTION_INFO_V1(bc_sql_is_bedrock_line);
PG_FUNCTION_INFO_V1(bc_sql_pricing_unit_scale);
PG_FUNCTION_INFO_V1(bc_sql_token_count);
PG_FUNCTION_INFO_V1(bc_sql_region_name);
PG_FUNCTION_INFO_V1(bc_sql_billing_regions);

/* longest normalised alias kept in the lookup hash */
#define ALIAS_KEY_LEN 256

/* number of columns of bedrock_cost.usage_type_parts */
#define UT_NATTS 18

/* parse results memoised per call site: key buffer size and entry limit */
#define PARSE_KEY_LEN 128
#define PARSE_CACHE_MAX 4096

/* one memoised parse: usage type NUL product name, zero padded */
typedef struct parse_entry
{
	char		key[PARSE_KEY_LEN];
	HeapTuple	tuple;
} parse_entry;

typedef struct alias_entry
{
	char		key[ALIAS_KEY_LEN]; /* normalised alias, zero padded */
	char	   *model_key;
	char	   *vendor;			/* NULL when the row names none */
} alias_entry;

/*
 * Per-call-site cache: the alias hash, the blessed result descriptor, and
 * memoised parse results.  A CUR file holds few distinct usage types (a few
 * hundred per million rows), so most rows are a hash hit and a tuple copy.
 * The memo is valid for the whole query because the alias hash is.
 */
typedef struct ut_cache
{
	HTAB	   *aliases;
	TupleDesc	tupdesc;
	HTAB	   *parses;
	long		nparses;
} ut_cache;

/* text datum of a slice, or NULL */
static inline void
put_slice(Datum *values, bool *nulls, int i, bc_slice sl)
{
	if (sl.ptr == NULL || sl.len == 0)
		nulls[i] = true;
	else
		values[i] = PointerGetDatum(cstring_to_text_with_len(sl.ptr, (int) sl.len));
}

/* text datum of a static name, or NULL */
static inline void
put_name(Datum *values, bool *nulls, int i, const char *name)
{
	if (name == NULL)
		nulls[i] = true;
	else
		values[i] = CStringGetTextDatum(name);
}

/* load bedrock_cost.model_aliases into a hash in mcxt; user rows override seeds */
static HTAB *
load_aliases(MemoryContext mcxt)
{
	HASHCTL		ctl;
	HTAB	   *h;
	uint64		i;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = ALIAS_KEY_LEN;
	ctl.entrysize = sizeof(alias_entry);
	ctl.hcxt = mcxt;
	h = hash_create("bedrock_cost model aliases", 128, &ctl,
					HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT alias, model_key, vendor FROM bedrock_cost.model_aliases "
					"ORDER BY seeded DESC, alias", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read bedrock_cost.model_aliases");
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		char	   *alias = SPI_getvalue(tup, td, 1);
		char	   *mkey = SPI_getvalue(tup, td, 2);
		char	   *vendor = SPI_getvalue(tup, td, 3);
		char		norm[ALIAS_KEY_LEN];
		alias_entry *e;

		if (alias == NULL || mkey == NULL)
			continue;
		memset(norm, 0, sizeof(norm));
		if (bc_model_normalize(alias, strlen(alias), norm, sizeof(norm)) >= sizeof(norm))
			continue;
		e = (alias_entry *) hash_search(h, norm, HASH_ENTER, NULL);
		e->model_key = MemoryContextStrdup(mcxt, mkey);
		e->vendor = vendor != NULL && vendor[0] != '\0' ? MemoryContextStrdup(mcxt, vendor) : NULL;
	}
	SPI_finish();
	return h;
}

/* the call site's cache, created on first use */
static ut_cache *
get_cache(FunctionCallInfo fcinfo, bool want_tupdesc)
{
	ut_cache   *c = (ut_cache *) fcinfo->flinfo->fn_extra;

	if (c == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		c = (ut_cache *) palloc0(sizeof(ut_cache));
		if (want_tupdesc)
		{
			TupleDesc	td;
			HASHCTL		ctl;

			if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("function returning record called in context that cannot accept type record")));
			c->tupdesc = BlessTupleDesc(CreateTupleDescCopy(td));
			memset(&ctl, 0, sizeof(ctl));
			ctl.keysize = PARSE_KEY_LEN;
			ctl.entrysize = sizeof(parse_entry);
			ctl.hcxt = fcinfo->flinfo->fn_mcxt;
			c->parses = hash_create("bedrock_cost parsed usage types", 256, &ctl,
									HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		}
		MemoryContextSwitchTo(old);
		c->aliases = load_aliases(fcinfo->flinfo->fn_mcxt);
		fcinfo->flinfo->fn_extra = c;
	}
	return c;
}

/* canonical key of a model name: alias table on the normalised name, else the normalised name */
static text *
model_key_of(ut_cache *c, const char *model, size_t len)
{
	char		norm[ALIAS_KEY_LEN];
	size_t		n;
	alias_entry *e;

	memset(norm, 0, sizeof(norm));
	n = bc_model_normalize(model, len, norm, sizeof(norm));
	if (n == 0)
		return NULL;
	if (n < sizeof(norm))
	{
		e = (alias_entry *) hash_search(c->aliases, norm, HASH_FIND, NULL);
		if (e != NULL)
			return cstring_to_text(e->model_key);
		return cstring_to_text_with_len(norm, (int) n);
	}
	/* too long for the hash: normalise into a palloc'd buffer, no alias */
	{
		char	   *buf = palloc(n + 1);

		bc_model_normalize(model, len, buf, n + 1);
		return cstring_to_text_with_len(buf, (int) n);
	}
}

/* the parse of one row as a heap tuple in the current memory context */
static HeapTuple
parse_row(ut_cache *c, const char *ut, size_t utlen, const char *pn, size_t pnlen)
{
	bc_usage_type u;
	bc_slice	m;
	Datum		values[UT_NATTS];
	bool		nulls[UT_NATTS];
	text	   *key;

	bc_usage_type_parse(ut, utlen, &u);
	m = bc_row_model(&u, pn, pnlen);

	memset(nulls, 0, sizeof(nulls));
	put_slice(values, nulls, 0, u.region_code);
	put_name(values, nulls, 1, u.region);
	put_slice(values, nulls, 2, m);
	key = m.len > 0 ? model_key_of(c, m.ptr, m.len) : NULL;
	if (key == NULL)
		nulls[3] = true;
	else
		values[3] = PointerGetDatum(key);
	put_name(values, nulls, 4, bc_token_kind_name(u.token_kind));
	put_slice(values, nulls, 5, u.cache_ttl);
	put_name(values, nulls, 6, bc_tier_name(u.tier));
	put_name(values, nulls, 7, bc_routing_name(u.routing));
	put_name(values, nulls, 8, bc_context_name(u.context));
	put_name(values, nulls, 9, bc_endpoint_name(u.endpoint));
	put_name(values, nulls, 10, bc_modality_name(u.modality));
	values[11] = BoolGetDatum(u.marketplace);
	values[12] = BoolGetDatum(u.custom_model);
	values[13] = BoolGetDatum(u.recognized);
	put_name(values, nulls, 14, bc_grammar_name(u.grammar));
	put_slice(values, nulls, 15, u.body);
	put_slice(values, nulls, 16, u.dimension);
	put_slice(values, nulls, 17, u.detail);
	return heap_form_tuple(c->tupdesc, values, nulls);
}

/*
 * Memo key: the usage type, a NUL, then (when there is a product name) the
 * byte 1 and the product name, zero padded.  Text holds no NUL, so the key
 * is unambiguous.  False when it does not fit (such rows are not memoised).
 */
static bool
parse_key(char *buf, const char *ut, size_t utlen, const char *pn, size_t pnlen)
{
	size_t		need = utlen + (pn != NULL ? 2 + pnlen : 0);

	if (need >= PARSE_KEY_LEN)
		return false;
	memset(buf, 0, PARSE_KEY_LEN);
	memcpy(buf, ut, utlen);
	if (pn != NULL)
	{
		buf[utlen + 1] = 1;
		memcpy(buf + utlen + 2, pn, pnlen);
	}
	return true;
}

/*
 * bedrock_cost.parse_usage_type(usage_type text, product_name text DEFAULT NULL)
 * RETURNS bedrock_cost.usage_type_parts
 */
Datum
bc_sql_parse_usage_type(PG_FUNCTION_ARGS)
{
	ut_cache   *c;
	text	   *ut;
	const char *pn = NULL;
	size_t		pnlen = 0;
	size_t		utlen;
	char		kbuf[PARSE_KEY_LEN];
	parse_entry *e;
	bool		found;
	HeapTuple	tup;
	MemoryContext old;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	c = get_cache(fcinfo, true);
	ut = PG_GETARG_TEXT_PP(0);
	utlen = VARSIZE_ANY_EXHDR(ut);
	if (PG_NARGS() > 1 && !PG_ARGISNULL(1))
	{
		text	   *pnt = PG_GETARG_TEXT_PP(1);

		pn = VARDATA_ANY(pnt);
		pnlen = VARSIZE_ANY_EXHDR(pnt);
	}

	if (!parse_key(kbuf, VARDATA_ANY(ut), utlen, pn, pnlen))
		PG_RETURN_DATUM(HeapTupleGetDatum(parse_row(c, VARDATA_ANY(ut), utlen, pn, pnlen)));

	e = (parse_entry *) hash_search(c->parses, kbuf, HASH_FIND, NULL);
	if (e != NULL)
		PG_RETURN_DATUM(heap_copy_tuple_as_datum(e->tuple, c->tupdesc));

	tup = parse_row(c, VARDATA_ANY(ut), utlen, pn, pnlen);
	if (c->nparses < PARSE_CACHE_MAX)
	{
		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		e = (parse_entry *) hash_search(c->parses, kbuf, HASH_ENTER, &found);
		if (!found)
		{
			e->tuple = heap_copytuple(tup);
			c->nparses++;
		}
		MemoryContextSwitchTo(old);
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(tup));
}

/*
 * The model named by arguments 0 and 1 of model_key and model_vendor: the
 * model as billed, or (when it is NULL or empty) the model of a "...
 * (Amazon Bedrock Edition)" product name.  False when there is neither.
 */
static bool
model_argument(FunctionCallInfo fcinfo, const char **p, size_t *len)
{
	*p = NULL;
	*len = 0;
	if (!PG_ARGISNULL(0))
	{
		text	   *t = PG_GETARG_TEXT_PP(0);

		*p = VARDATA_ANY(t);
		*len = VARSIZE_ANY_EXHDR(t);
	}
	if (*len == 0 && PG_NARGS() > 1 && !PG_ARGISNULL(1))
	{
		text	   *t = PG_GETARG_TEXT_PP(1);
		bc_slice	m;

		if (bc_marketplace_model(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &m))
		{
			*p = m.ptr;
			*len = m.len;
		}
	}
	return *len > 0;
}

/*
 * bedrock_cost.model_key(model text, product_name text DEFAULT NULL) RETURNS text
 * The canonical key of the model (model_argument); NULL when there is none.
 */
Datum
bc_sql_model_key(PG_FUNCTION_ARGS)
{
	const char *p;
	size_t		len;
	text	   *key;

	if (!model_argument(fcinfo, &p, &len))
		PG_RETURN_NULL();
	key = model_key_of(get_cache(fcinfo, false), p, len);
	if (key == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(key);
}

/*
 * bedrock_cost.model_vendor(model text, product_name text DEFAULT NULL) RETURNS text
 * The vendor of the model (model_argument): the vendor of its
 * model_aliases row when that row names one, else bc_model_vendor; NULL
 * when there is no model or neither knows it.
 */
Datum
bc_sql_model_vendor(PG_FUNCTION_ARGS)
{
	const char *p;
	size_t		len;
	char		norm[ALIAS_KEY_LEN];
	const char *v;

	if (!model_argument(fcinfo, &p, &len))
		PG_RETURN_NULL();
	memset(norm, 0, sizeof(norm));
	if (bc_model_normalize(p, len, norm, sizeof(norm)) < sizeof(norm))
	{
		alias_entry *e = (alias_entry *) hash_search(get_cache(fcinfo, false)->aliases,
													 norm, HASH_FIND, NULL);

		if (e != NULL && e->vendor != NULL)
			PG_RETURN_TEXT_P(cstring_to_text(e->vendor));
	}
	v = bc_model_vendor(p, len);
	if (v == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(v));
}

/* bedrock_cost.model_normalize(model text) RETURNS text: the C fallback alone */
Datum
bc_sql_model_normalize(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	size_t		len = VARSIZE_ANY_EXHDR(t);
	char	   *buf = palloc(len + 1);
	size_t		n = bc_model_normalize(VARDATA_ANY(t), len, buf, len + 1);

	if (n == 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf, (int) n));
}

/* argument i as (pointer, length); NULL when the argument is NULL */
static const char *
arg_text(FunctionCallInfo fcinfo, int i, size_t *len)
{
	text	   *t;

	*len = 0;
	if (PG_NARGS() <= i || PG_ARGISNULL(i))
		return NULL;
	t = PG_GETARG_TEXT_PP(i);
	*len = VARSIZE_ANY_EXHDR(t);
	return VARDATA_ANY(t);
}

/* bedrock_cost.is_bedrock_line(product_code, billing_entity, product_name) RETURNS boolean */
Datum
bc_sql_is_bedrock_line(PG_FUNCTION_ARGS)
{
	size_t		l0,
				l1,
				l2;
	const char *pc = arg_text(fcinfo, 0, &l0);
	const char *be = arg_text(fcinfo, 1, &l1);
	const char *pn = arg_text(fcinfo, 2, &l2);

	PG_RETURN_BOOL(bc_is_bedrock_line(pc, l0, be, l1, pn, l2));
}

/* certainty label of a bc_pricing_unit_scale return code */
static const char *
unit_certainty(int rc)
{
	return rc == BC_UNIT_OK ? "exact" : rc == BC_UNIT_ASSUMED ? "assumed" : "unknown";
}

/*
 * bedrock_cost.pricing_unit_scale(unit text, description text DEFAULT NULL,
 *	 OUT scale bigint, OUT is_tokens boolean, OUT certainty text)
 */
Datum
bc_sql_pricing_unit_scale(PG_FUNCTION_ARGS)
{
	TupleDesc	td;
	size_t		ul,
				dl;
	const char *u = arg_text(fcinfo, 0, &ul);
	const char *d = arg_text(fcinfo, 1, &dl);
	int64_t		scale;
	bool		is_tokens;
	int			rc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (u == NULL)
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning record called in context that cannot accept type record")));
	td = BlessTupleDesc(td);
	rc = bc_pricing_unit_scale(u, ul, d, dl, &scale, &is_tokens);
	values[0] = Int64GetDatum((int64) scale);
	values[1] = BoolGetDatum(is_tokens);
	values[2] = CStringGetTextDatum(unit_certainty(rc));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(td, values, nulls)));
}

/*
 * bedrock_cost.token_count(usage_amount numeric, pricing_unit text,
 *	 description text DEFAULT NULL) RETURNS numeric
 * usage_amount x scale, exact; NULL for non-token units.
 */
Datum
bc_sql_token_count(PG_FUNCTION_ARGS)
{
	size_t		ul,
				dl;
	const char *u = arg_text(fcinfo, 1, &ul);
	const char *d = arg_text(fcinfo, 2, &dl);
	int64_t		scale;
	bool		is_tokens;
	Datum		scaled;

	if (PG_ARGISNULL(0) || u == NULL)
		PG_RETURN_NULL();
	(void) bc_pricing_unit_scale(u, ul, d, dl, &scale, &is_tokens);
	if (!is_tokens)
		PG_RETURN_NULL();
	scaled = DirectFunctionCall1(int8_numeric, Int64GetDatum((int64) scale));
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_mul, PG_GETARG_DATUM(0), scaled));
}

/* bedrock_cost.region_name(code text) RETURNS text */
Datum
bc_sql_region_name(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	const char *r = bc_region_name(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));

	if (r == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(r));
}

/* bedrock_cost.billing_regions() RETURNS TABLE (code, region, location) */
Datum
bc_sql_billing_regions(PG_FUNCTION_ARGS)
{
	FuncCallContext *fc;
	const bc_region_entry *e;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		TupleDesc	td;

		fc = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(fc->multi_call_memory_ctx);
		if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("function returning record called in context that cannot accept type record")));
		fc->tuple_desc = BlessTupleDesc(td);
		fc->max_calls = bc_region_count();
		MemoryContextSwitchTo(old);
	}
	fc = SRF_PERCALL_SETUP();
	if (fc->call_cntr < fc->max_calls)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		e = bc_region_at((int) fc->call_cntr);
		values[0] = CStringGetTextDatum(e->code);
		values[1] = CStringGetTextDatum(e->region);
		values[2] = CStringGetTextDatum(e->location);
		SRF_RETURN_NEXT(fc, HeapTupleGetDatum(heap_form_tuple(fc->tuple_desc, values, nulls)));
	}
	SRF_RETURN_DONE(fc);
}
