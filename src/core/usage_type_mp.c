/*-------------------------------------------------------------------------
 *
 * usage_type_mp.c
 *		Marketplace usage types: "<REG>-MP:<REG>_<dimension>[-Units]".
 *
 * Two dimension naming generations exist and neither is guessable from
 * the other:
 *	 CamelCase   [Million][Batch][Cache(Read|Write)[<ttl>]][Input|Output]Token(Count|s)
 *				 then _Global _Geo _Batch _LatencyOptimized _LongContext
 *				 (also _Standard _Flex _Priority) qualifiers; InputImageCount;
 *				 Reserved_<n>Month_(Input|Output)TPM[_Geo|_Global];
 *				 ProvisionedThroughput_...; Created_image
 *	 snake_case  (input|output|cache_read|cache_write)_tokens then _<ttl>,
 *				 _long_ctx, _global, _geo, _standard, _batch, _flex,
 *				 _priority qualifiers; created_image; search_units
 * The model is not in the usage type: it is the product name
 * ("Claude Sonnet 4.6 (Amazon Bedrock Edition)").
 *
 * IDENTIFICATION
 *		src/core/usage_type_mp.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "usage_type_int.h"

#define MAX_SEGS 12

typedef struct seg
{
	const char *p;
	size_t		len;
} seg;

/* split (p, len) on '_' into at most MAX_SEGS segments; -1 when more or any is empty */
static int
split_underscore(const char *p, size_t len, seg *segs)
{
	int			n = 0;
	size_t		i = 0;

	while (i <= len)
	{
		size_t		j = i;

		while (j < len && p[j] != '_')
			j++;
		if (n == MAX_SEGS || j == i)
			return -1;
		segs[n].p = p + i;
		segs[n].len = j - i;
		n++;
		i = j + 1;
	}
	return n;
}

/* consume a case-insensitive literal prefix of a CamelCase head */
static bool
eat(const char **p, size_t *len, const char *lit)
{
	if (!bc_ut_istarts(*p, *len, lit))
		return false;
	*p += strlen(lit);
	*len -= strlen(lit);
	return true;
}

/* [Million][Batch][Cache(Read|Write)[ttl]][Input|Output]Token(Count|s) */
static bool
camel_head(const char *p, size_t len, bc_usage_type *out)
{
	bc_token_kind kind = BC_KIND_NONE;

	(void) eat(&p, &len, "million");
	if (eat(&p, &len, "batch"))
		out->tier = BC_TIER_BATCH;
	if (eat(&p, &len, "cache"))
	{
		size_t		n = 0;

		if (eat(&p, &len, "read"))
			kind = BC_KIND_CACHE_READ;
		else if (eat(&p, &len, "write"))
			kind = BC_KIND_CACHE_WRITE;
		else
			return false;
		while (n < len && p[n] >= '0' && p[n] <= '9')
			n++;
		if (n > 0 && n < len && bc_ut_is_ttl(p, n + 1))
		{
			bc_ut_set(&out->cache_ttl, p, n + 1);
			p += n + 1;
			len -= n + 1;
		}
	}
	if (eat(&p, &len, "input"))
	{
		if (kind == BC_KIND_NONE)
			kind = BC_KIND_INPUT;
	}
	else if (eat(&p, &len, "output"))
	{
		if (kind != BC_KIND_NONE)
			return false;
		kind = BC_KIND_OUTPUT;
	}
	if (kind == BC_KIND_NONE ||
		!(bc_ut_ieq(p, len, "tokencount") || bc_ut_ieq(p, len, "tokens")))
		return false;
	out->token_kind = kind;
	return true;
}

/* one CamelCase qualifier segment */
static bool
camel_qualifier(const seg *s, bc_usage_type *out)
{
	if (bc_ut_ieq(s->p, s->len, "global"))
		out->routing = BC_ROUTING_CROSS_REGION_GLOBAL;
	else if (bc_ut_ieq(s->p, s->len, "geo"))
		out->routing = BC_ROUTING_CROSS_REGION_GEO;
	else if (bc_ut_ieq(s->p, s->len, "batch"))
		out->tier = BC_TIER_BATCH;
	else if (bc_ut_ieq(s->p, s->len, "latencyoptimized"))
		out->tier = BC_TIER_LATENCY_OPTIMIZED;
	else if (bc_ut_ieq(s->p, s->len, "longcontext"))
		out->context = BC_CONTEXT_LONG;
	else if (bc_ut_ieq(s->p, s->len, "standard"))
		out->tier = BC_TIER_STANDARD;
	else if (bc_ut_ieq(s->p, s->len, "flex"))
		out->tier = BC_TIER_FLEX;
	else if (bc_ut_ieq(s->p, s->len, "priority"))
		out->tier = BC_TIER_PRIORITY;
	else
		return false;
	return true;
}

/* "<n>Month" */
static bool
is_months(const seg *s)
{
	size_t		n = 0;

	while (n < s->len && s->p[n] >= '0' && s->p[n] <= '9')
		n++;
	return n > 0 && bc_ut_ieq(s->p + n, s->len - n, "month");
}

/* Reserved_<n>Month_(Input|Output)TPM[_Geo|_Global] */
static bool
camel_reserved(const seg *segs, int n, bc_usage_type *out)
{
	if (n < 3 || n > 4 || !is_months(&segs[1]) ||
		!(bc_ut_ieq(segs[2].p, segs[2].len, "inputtpm") ||
		  bc_ut_ieq(segs[2].p, segs[2].len, "outputtpm")))
		return false;
	if (n == 4 && !(bc_ut_ieq(segs[3].p, segs[3].len, "geo") ||
					bc_ut_ieq(segs[3].p, segs[3].len, "global")))
		return false;
	if (n == 4)
		(void) camel_qualifier(&segs[3], out);
	out->token_kind = BC_KIND_MODEL_UNIT_HOUR;
	out->tier = BC_TIER_RESERVED;
	return true;
}

/* dimensions that are not token counts, in either naming */
static bool
special_dimension(const seg *segs, int n, bc_usage_type *out)
{
	if (n == 2 && bc_ut_ieq(segs[0].p, segs[0].len, "created") &&
		bc_ut_ieq(segs[1].p, segs[1].len, "image"))
		out->token_kind = BC_KIND_IMAGE;
	else if (n == 2 && bc_ut_ieq(segs[0].p, segs[0].len, "search") &&
			 bc_ut_ieq(segs[1].p, segs[1].len, "units"))
		out->token_kind = BC_KIND_SEARCH_UNIT;
	else if (bc_ut_ieq(segs[0].p, segs[0].len, "reserved"))
		return camel_reserved(segs, n, out);
	else if (bc_ut_ieq(segs[0].p, segs[0].len, "provisionedthroughput"))
	{
		out->token_kind = BC_KIND_MODEL_UNIT_HOUR;
		out->tier = BC_TIER_PROVISIONED;
	}
	else if (bc_ut_ieq(segs[0].p, segs[0].len, "inputimagecount"))
	{
		int			i;

		for (i = 1; i < n; i++)
			if (!camel_qualifier(&segs[i], out))
				return false;
		out->token_kind = BC_KIND_IMAGE;
	}
	else
		return false;
	return true;
}

/* CamelCase token dimension: head then qualifiers */
static bool
parse_camel(const seg *segs, int n, bc_usage_type *out)
{
	int			i;

	if (!camel_head(segs[0].p, segs[0].len, out))
		return false;
	for (i = 1; i < n; i++)
		if (!camel_qualifier(&segs[i], out))
			return false;
	return true;
}

/* one snake_case qualifier starting at segs[*i]; advances *i */
static bool
snake_qualifier(const seg *segs, int n, int *i, bc_usage_type *out)
{
	const seg  *s = &segs[*i];

	if (bc_ut_is_ttl(s->p, s->len))
		bc_ut_set(&out->cache_ttl, s->p, s->len);
	else if (bc_ut_ieq(s->p, s->len, "long") && *i + 1 < n &&
			 (bc_ut_ieq(segs[*i + 1].p, segs[*i + 1].len, "ctx") ||
			  bc_ut_ieq(segs[*i + 1].p, segs[*i + 1].len, "context")))
	{
		out->context = BC_CONTEXT_LONG;
		(*i)++;
	}
	else if (bc_ut_ieq(s->p, s->len, "latency") && *i + 1 < n &&
			 bc_ut_ieq(segs[*i + 1].p, segs[*i + 1].len, "optimized"))
	{
		out->tier = BC_TIER_LATENCY_OPTIMIZED;
		(*i)++;
	}
	else if (!camel_qualifier(s, out))	/* global geo standard batch flex priority */
		return false;
	(*i)++;
	return true;
}

/* snake_case token dimension */
static bool
parse_snake(const seg *segs, int n, bc_usage_type *out)
{
	int			i = 0;

	if (bc_ut_ieq(segs[0].p, segs[0].len, "input"))
		out->token_kind = BC_KIND_INPUT;
	else if (bc_ut_ieq(segs[0].p, segs[0].len, "output"))
		out->token_kind = BC_KIND_OUTPUT;
	else if (bc_ut_ieq(segs[0].p, segs[0].len, "cache") && n > 1 &&
			 bc_ut_ieq(segs[1].p, segs[1].len, "read"))
	{
		out->token_kind = BC_KIND_CACHE_READ;
		i++;
	}
	else if (bc_ut_ieq(segs[0].p, segs[0].len, "cache") && n > 1 &&
			 bc_ut_ieq(segs[1].p, segs[1].len, "write"))
	{
		out->token_kind = BC_KIND_CACHE_WRITE;
		i++;
	}
	else
		return false;
	i++;
	if (i >= n || !bc_ut_ieq(segs[i].p, segs[i].len, "tokens"))
		return false;
	i++;
	while (i < n)
		if (!snake_qualifier(segs, n, &i, out))
			return false;
	return true;
}

/* "<REG>_<dimension>[-Units]" after "MP:" */
bool
bc_ut_parse_marketplace(const char *p, size_t len, bc_usage_type *out)
{
	seg			segs[MAX_SEGS];
	size_t		i = 0;
	int			n;

	while (i < len && i < 6 && p[i] != '_')
		i++;
	if (i == 0 || i >= len || p[i] != '_')
		return false;
	p += i + 1;
	len -= i + 1;
	if (len > 6 && bc_ut_ieq(p + len - 6, 6, "-units"))
		len -= 6;
	bc_ut_set(&out->dimension, p, len);
	n = split_underscore(p, len, segs);
	if (n <= 0)
		return false;
	out->grammar = (segs[0].p[0] >= 'a' && segs[0].p[0] <= 'z') ?
		BC_GRAMMAR_MP_SNAKE : BC_GRAMMAR_MP_CAMEL;
	if (special_dimension(segs, n, out))
		return true;
	if (out->grammar == BC_GRAMMAR_MP_SNAKE)
		return parse_snake(segs, n, out);
	return parse_camel(segs, n, out);
}
