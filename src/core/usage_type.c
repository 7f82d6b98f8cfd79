/*-------------------------------------------------------------------------
 *
 * usage_type.c
 *		Parser of Amazon Bedrock CUR usage types (line_item_usage_type).
 *
 * The string is "<REG>-<body>" where REG is a billing region code (see
 * regions.c), absent on a few Price List strings.  The body follows one of
 * these grammars, tried in this order:
 *
 * Marketplace, "MP:<REG>_<dimension>[-Units]" (usage_type_mp.c):
 *	 CamelCase   InputTokenCount, CacheWrite1hInputTokenCount,
 *				 MillionBatchInputTokens + _Global _Geo _Batch
 *				 _LatencyOptimized _LongContext qualifiers; InputImageCount,
 *				 Reserved_1Month_InputTPM_Geo, ProvisionedThroughput_...
 *	 snake_case  input_tokens_global_standard, cache_write_tokens_1h_...,
 *				 ..._long_ctx_..., created_image, search_units
 *
 * First-party tokens, right-anchored so model names keep their dashes and
 * dots ("Llama4-Maverick-17B", "anthropic.claude-opus-4-8"):
 *	 <model>[-mantle][-<modality>]-<direction>-<tokens>[-<qualifier>]...
 *	 direction: input, output, cache-read-input, cache-write-input,
 *				cache-read, cache-write, cache_read, cache_write
 *	 tokens:	tokens | token-count | <modality>-token-count
 *	 qualifier: cross-region-global, cross-region-geo, global, geo,
 *				standard, batch, flex, priority, latency-optimized,
 *				long-context, long-ctx, custom-model, <n>m, <n>h (cache TTL)
 *	 The cache forms are tested before plain input/output.
 *
 * First-party features (no tokens): Guardrail-<Policy>UnitsConsumed,
 * <model>-search-units, <model>-input-image, <model>-(T2I|I2I)-<res>[-q],
 * <model>-(T2V|I2V)-..., <model>-ProvisionedThroughput[-...],
 * <model>-Customization-Training, <model>-RFT-Training,
 * <model>-Customization-Storage, <model>-CustomModelImport-Storage,
 * DataAutomation-....
 *
 * IDENTIFICATION
 *		src/core/usage_type.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "usage_type.h"
#include "usage_type_int.h"

/* ---------------------------------------------------------------------
 * enum names
 * ---------------------------------------------------------------------
 */

static const char *const kind_names[] = {
	NULL, "input", "output", "cache_read", "cache_write", "image",
	"video_second", "search_unit", "guardrail_unit", "model_unit_hour",
	"training", "storage", "other"
};
static const char *const tier_names[] = {
	NULL, "standard", "batch", "flex", "priority", "latency_optimized",
	"provisioned", "reserved"
};
static const char *const routing_names[] = {
	NULL, "in_region", "cross_region_geo", "cross_region_global"
};
static const char *const context_names[] = {NULL, "standard", "long"};
static const char *const endpoint_names[] = {NULL, "runtime", "mantle"};
static const char *const modality_names[] = {
	NULL, "text", "image", "speech", "audio", "video"
};
static const char *const grammar_names[] = {
	NULL, "tokens", "mantle", "feature", "mp_camel", "mp_snake"
};

#define NAME_OF(arr, v) \
	(((unsigned) (v)) < sizeof(arr) / sizeof(arr[0]) ? arr[(unsigned) (v)] : NULL)

/* name of a token kind */
const char *
bc_token_kind_name(bc_token_kind k)
{
	return NAME_OF(kind_names, k);
}

/* name of a tier */
const char *
bc_tier_name(bc_tier t)
{
	return NAME_OF(tier_names, t);
}

/* name of a routing */
const char *
bc_routing_name(bc_routing r)
{
	return NAME_OF(routing_names, r);
}

/* name of a context band */
const char *
bc_context_name(bc_context c)
{
	return NAME_OF(context_names, c);
}

/* name of an endpoint */
const char *
bc_endpoint_name(bc_endpoint e)
{
	return NAME_OF(endpoint_names, e);
}

/* name of a modality */
const char *
bc_modality_name(bc_modality m)
{
	return NAME_OF(modality_names, m);
}

/* name of a grammar */
const char *
bc_grammar_name(bc_grammar g)
{
	return NAME_OF(grammar_names, g);
}

/* ---------------------------------------------------------------------
 * region prefix
 * ---------------------------------------------------------------------
 */

/* is (p, len) shaped like a billing code: known, or [A-Z]{3}[0-9]? */
static bool
looks_like_region(const char *p, size_t len)
{
	size_t		i;

	if (bc_region_name(p, len) != NULL)
		return true;
	if (len != 4 || p[3] < '0' || p[3] > '9')
		return false;
	for (i = 0; i < 3; i++)
		if (p[i] < 'A' || p[i] > 'Z')
			return false;
	return true;
}

/* split "REG-body"; without a region-shaped prefix the whole string is the body */
static void
split_region(const char *s, size_t len, bc_usage_type *out)
{
	size_t		i;

	for (i = 0; i < len && i < 5; i++)
	{
		if (s[i] == '-')
		{
			if (looks_like_region(s, i))
			{
				bc_ut_set(&out->region_code, s, i);
				out->region = bc_region_name(s, i);
				bc_ut_set(&out->body, s + i + 1, len - i - 1);
				return;
			}
			break;
		}
	}
	bc_ut_set(&out->body, s, len);
}

/* ---------------------------------------------------------------------
 * right-to-left segment cursor over the body: p[0..end) is unconsumed
 * ---------------------------------------------------------------------
 */
typedef struct rcur
{
	const char *p;
	size_t		end;
} rcur;

/* the last '-'-separated segment of the unconsumed part; false if only one segment */
static bool
r_last(const rcur *c, size_t *start)
{
	size_t		i = c->end;

	while (i > 0 && c->p[i - 1] != '-')
		i--;
	if (i < 2)					/* need a non-empty part before the '-' */
		return false;
	*start = i;
	return true;
}

/* consume the trailing segment when it equals lit (case-insensitive) */
static bool
r_take(rcur *c, const char *lit)
{
	size_t		st;

	if (!r_last(c, &st) || !bc_ut_ieq(c->p + st, c->end - st, lit))
		return false;
	c->end = st - 1;
	return true;
}

/* consume a trailing multi-segment literal ("cross-region-global") */
static bool
r_take_phrase(rcur *c, const char *lit)
{
	size_t		n = strlen(lit);

	if (c->end < n + 2 || c->p[c->end - n - 1] != '-' ||
		!bc_ut_ieq(c->p + c->end - n, n, lit))
		return false;
	c->end -= n + 1;
	return true;
}

/* consume a trailing modality segment, if any */
static bc_modality
r_take_modality(rcur *c)
{
	static const struct
	{
		const char *lit;
		bc_modality m;
	}			mods[] = {
		{"text", BC_MODALITY_TEXT}, {"image", BC_MODALITY_IMAGE},
		{"speech", BC_MODALITY_SPEECH}, {"audio", BC_MODALITY_AUDIO},
		{"video", BC_MODALITY_VIDEO},
	};
	size_t		i;

	for (i = 0; i < sizeof(mods) / sizeof(mods[0]); i++)
		if (r_take(c, mods[i].lit))
			return mods[i].m;
	return BC_MODALITY_NONE;
}

/* ---------------------------------------------------------------------
 * first-party token grammar
 * ---------------------------------------------------------------------
 */

/* trailing qualifiers; each entry is a '-'-joined phrase and its effect */
typedef enum qual_effect
{
	Q_GLOBAL, Q_GEO, Q_STANDARD, Q_BATCH, Q_FLEX, Q_PRIORITY, Q_LATENCY,
	Q_LONG, Q_CUSTOM
} qual_effect;

static const struct
{
	const char *lit;
	qual_effect effect;
}			qualifiers[] = {
	{"cross-region-global", Q_GLOBAL},
	{"cross-region-geo", Q_GEO},
	{"latency-optimized", Q_LATENCY},
	{"long-context", Q_LONG},
	{"long-ctx", Q_LONG},
	{"custom-model", Q_CUSTOM},
	{"global", Q_GLOBAL},
	{"geo", Q_GEO},
	{"standard", Q_STANDARD},
	{"batch", Q_BATCH},
	{"flex", Q_FLEX},
	{"priority", Q_PRIORITY},
};

/* apply one qualifier's effect */
static void
apply_qualifier(bc_usage_type *out, qual_effect e)
{
	switch (e)
	{
		case Q_GLOBAL:
			out->routing = BC_ROUTING_CROSS_REGION_GLOBAL;
			break;
		case Q_GEO:
			out->routing = BC_ROUTING_CROSS_REGION_GEO;
			break;
		case Q_STANDARD:
			out->tier = BC_TIER_STANDARD;
			break;
		case Q_BATCH:
			out->tier = BC_TIER_BATCH;
			break;
		case Q_FLEX:
			out->tier = BC_TIER_FLEX;
			break;
		case Q_PRIORITY:
			out->tier = BC_TIER_PRIORITY;
			break;
		case Q_LATENCY:
			out->tier = BC_TIER_LATENCY_OPTIMIZED;
			break;
		case Q_LONG:
			out->context = BC_CONTEXT_LONG;
			break;
		case Q_CUSTOM:
			out->custom_model = true;
			break;
	}
}

/* strip trailing qualifiers (any order) into out */
static void
take_qualifiers(rcur *c, bc_usage_type *out)
{
	bool		more = true;

	while (more)
	{
		size_t		i,
					st;

		more = false;
		if (r_last(c, &st) && bc_ut_is_ttl(c->p + st, c->end - st))
		{
			bc_ut_set(&out->cache_ttl, c->p + st, c->end - st);
			c->end = st - 1;
			more = true;
			continue;
		}
		for (i = 0; i < sizeof(qualifiers) / sizeof(qualifiers[0]); i++)
		{
			if (r_take_phrase(c, qualifiers[i].lit))
			{
				apply_qualifier(out, qualifiers[i].effect);
				more = true;
				break;
			}
		}
	}
}

/*
 * The direction before "tokens"/"token-count": cache forms first, then
 * input/output.  Returns BC_KIND_NONE when there is none.
 */
static bc_token_kind
take_direction(rcur *c)
{
	if (r_take(c, "cache_read"))
		return BC_KIND_CACHE_READ;
	if (r_take(c, "cache_write"))
		return BC_KIND_CACHE_WRITE;
	if (r_take_phrase(c, "cache-read-input") || r_take_phrase(c, "cache-read"))
		return BC_KIND_CACHE_READ;
	if (r_take_phrase(c, "cache-write-input") || r_take_phrase(c, "cache-write"))
		return BC_KIND_CACHE_WRITE;
	if (r_take(c, "input"))
		return BC_KIND_INPUT;
	if (r_take(c, "output"))
		return BC_KIND_OUTPUT;
	return BC_KIND_NONE;
}

/* <model>[-mantle][-<modality>]-<direction>-<tokens>[-<qualifier>]... */
static bool
parse_tokens(const char *body, size_t len, bc_usage_type *out)
{
	rcur		c = {body, len};
	bc_modality inner = BC_MODALITY_NONE;
	bc_token_kind kind;

	take_qualifiers(&c, out);
	if (r_take_phrase(&c, "token-count"))
		inner = r_take_modality(&c);	/* input-image-token-count */
	else if (!r_take(&c, "tokens") && !r_take(&c, "token"))
		return false;
	kind = take_direction(&c);
	if (kind == BC_KIND_NONE)
		return false;
	out->modality = inner != BC_MODALITY_NONE ? inner : r_take_modality(&c);
	if (r_take(&c, "mantle"))
	{
		out->endpoint = BC_ENDPOINT_MANTLE;
		out->grammar = BC_GRAMMAR_MANTLE;
	}
	else
		out->grammar = BC_GRAMMAR_TOKENS;
	out->token_kind = kind;
	bc_ut_set(&out->model, body, c.end);
	return c.end > 0;
}

/* ---------------------------------------------------------------------
 * first-party features without tokens
 * ---------------------------------------------------------------------
 */

/* a model-suffixed feature: "<model>-<suffix>" */
static const struct
{
	const char *suffix;
	bc_token_kind kind;
}			model_features[] = {
	{"search-units", BC_KIND_SEARCH_UNIT},
	{"input-image", BC_KIND_IMAGE},
	{"customization-training", BC_KIND_TRAINING},
	{"rft-training", BC_KIND_TRAINING},
	{"customization-storage", BC_KIND_STORAGE},
	{"custommodelimport-storage", BC_KIND_STORAGE},
};

/* find the first '-'-segment of (p, len) after the first one that equals lit */
static bool
find_segment(const char *p, size_t len, const char *lit, size_t *at, size_t *seglen)
{
	size_t		i = 0;

	while (i < len)
	{
		size_t		j = i;

		while (j < len && p[j] != '-')
			j++;
		if (i > 0 && bc_ut_ieq(p + i, j - i, lit))
		{
			*at = i;
			*seglen = j - i;
			return true;
		}
		i = j + 1;
	}
	return false;
}

/* "<model>-<KW>[-detail...]" where KW is a keyword segment: model before, detail from KW on */
static bool
parse_keyword_feature(const char *body, size_t len, bc_usage_type *out)
{
	static const struct
	{
		const char *kw;
		bc_token_kind kind;
		bc_tier		tier;
		bool		detail_after;	/* detail starts after the keyword */
	}			kws[] = {
		{"provisionedthroughput", BC_KIND_MODEL_UNIT_HOUR, BC_TIER_PROVISIONED, true},
		{"t2i", BC_KIND_IMAGE, BC_TIER_NONE, false},
		{"i2i", BC_KIND_IMAGE, BC_TIER_NONE, false},
		{"t2v", BC_KIND_VIDEO_SECOND, BC_TIER_NONE, false},
		{"i2v", BC_KIND_VIDEO_SECOND, BC_TIER_NONE, false},
	};
	size_t		i,
				at,
				sl;

	for (i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
	{
		if (!find_segment(body, len, kws[i].kw, &at, &sl) || at < 2)
			continue;
		bc_ut_set(&out->model, body, at - 1);
		if (kws[i].detail_after)
		{
			if (at + sl < len)
				bc_ut_set(&out->detail, body + at + sl + 1, len - at - sl - 1);
		}
		else
			bc_ut_set(&out->detail, body + at, len - at);
		out->token_kind = kws[i].kind;
		out->tier = kws[i].tier;
		out->grammar = BC_GRAMMAR_FEATURE;
		return true;
	}
	return false;
}

/* non-token first-party usage: guardrails, images, training, storage, ... */
static bool
parse_feature(const char *body, size_t len, bc_usage_type *out)
{
	size_t		i;

	if (bc_ut_istarts(body, len, "guardrail-") && len > 10 + 13 &&
		bc_ut_ieq(body + len - 13, 13, "unitsconsumed"))
	{
		bc_ut_set(&out->detail, body + 10, len - 10);
		out->token_kind = BC_KIND_GUARDRAIL_UNIT;
		out->grammar = BC_GRAMMAR_FEATURE;
		return true;
	}
	if (bc_ut_istarts(body, len, "dataautomation-") && len > 15)
	{
		bc_ut_set(&out->detail, body, len);
		out->token_kind = BC_KIND_OTHER;
		out->grammar = BC_GRAMMAR_FEATURE;
		return true;
	}
	for (i = 0; i < sizeof(model_features) / sizeof(model_features[0]); i++)
	{
		rcur		c = {body, len};

		if (r_take_phrase(&c, model_features[i].suffix))
		{
			bc_ut_set(&out->model, body, c.end);
			bc_ut_set(&out->detail, body + c.end + 1, len - c.end - 1);
			out->token_kind = model_features[i].kind;
			out->grammar = BC_GRAMMAR_FEATURE;
			if (out->token_kind == BC_KIND_IMAGE)
			{
				/* "TitanEmbeddingsG1-Image-input-image" */
				out->modality = r_take_modality(&c);
				out->model.len = c.end;
			}
			return true;
		}
	}
	return parse_keyword_feature(body, len, out);
}

/* ---------------------------------------------------------------------
 * driver
 * ---------------------------------------------------------------------
 */

/* defaults of a recognized parse, per kind */
static void
fill_defaults(bc_usage_type *out)
{
	bc_token_kind k = out->token_kind;
	bool		tokens = (k == BC_KIND_INPUT || k == BC_KIND_OUTPUT ||
						  k == BC_KIND_CACHE_READ || k == BC_KIND_CACHE_WRITE);

	if (out->tier == BC_TIER_NONE)
		out->tier = BC_TIER_STANDARD;
	if (out->routing == BC_ROUTING_NONE)
		out->routing = BC_ROUTING_IN_REGION;
	if (tokens && out->context == BC_CONTEXT_NONE)
		out->context = BC_CONTEXT_STANDARD;
	if (!tokens)
		out->context = BC_CONTEXT_NONE;
	if (out->endpoint == BC_ENDPOINT_NONE &&
		k != BC_KIND_TRAINING && k != BC_KIND_STORAGE)
		out->endpoint = BC_ENDPOINT_RUNTIME;
	if (out->modality == BC_MODALITY_NONE && k == BC_KIND_IMAGE)
		out->modality = BC_MODALITY_IMAGE;
	if (out->modality == BC_MODALITY_NONE && k == BC_KIND_VIDEO_SECOND)
		out->modality = BC_MODALITY_VIDEO;
}

/* reset everything the grammars may have set, keeping region/body/marketplace */
static void
reset_unrecognized(bc_usage_type *out)
{
	bc_usage_type keep = *out;

	memset(out, 0, sizeof(*out));
	out->region_code = keep.region_code;
	out->region = keep.region;
	out->body = keep.body;
	out->marketplace = keep.marketplace;
	out->dimension = keep.dimension;
}

/* parse one usage type (see usage_type.h) */
void
bc_usage_type_parse(const char *s, size_t len, bc_usage_type *out)
{
	const char *body;
	size_t		blen;
	bool		ok;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return;
	split_region(s, len, out);
	body = out->body.ptr;
	blen = out->body.len;
	if (blen == 0)
		return;

	if (bc_ut_istarts(body, blen, "mp:"))
	{
		out->marketplace = true;
		ok = bc_ut_parse_marketplace(body + 3, blen - 3, out);
	}
	else
	{
		ok = parse_tokens(body, blen, out);
		if (!ok)
		{
			reset_unrecognized(out);
			ok = parse_feature(body, blen, out);
		}
	}
	if (ok && out->token_kind != BC_KIND_NONE)
	{
		out->recognized = true;
		fill_defaults(out);
	}
	else
		reset_unrecognized(out);
}
