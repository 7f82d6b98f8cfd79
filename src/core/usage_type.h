/*-------------------------------------------------------------------------
 *
 * usage_type.h
 *		Amazon Bedrock usage-type grammar, Bedrock line classification,
 *		pricing-unit scaling and the AWS billing region-code table.
 *
 * Pure C: no PostgreSQL headers, no allocation, no error policy.  Every
 * string result is either a (pointer, length) slice into the caller's
 * input or a pointer to a static, NUL-terminated constant.  Nothing here
 * keeps state; everything is safe to call from any thread.
 *
 * Grammar summary (details in usage_type.c and the README):
 *
 *	 [REG-]<model>[-mantle][-<modality>]-<token suffix>[-<qualifier>]...
 *	 REG-MP:REG_<CamelCase or snake_case dimension>[-Units]
 *	 REG-Guardrail-<Policy>UnitsConsumed, <model>-Customization-Training,
 *	 <model>-ProvisionedThroughput[-...], <model>-search-units, ...
 *
 * A string whose body matches no known grammar is still parsed: the region
 * code and the body are kept and recognized is false, so a new AWS usage
 * type never breaks a load.
 *
 * IDENTIFICATION
 *		src/core/usage_type.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_USAGE_TYPE_H
#define BC_USAGE_TYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* a (pointer, length) view into the parsed input; ptr NULL and len 0 when absent */
typedef struct bc_slice
{
	const char *ptr;
	size_t		len;
} bc_slice;

/*
 * What a line measures.  BC_KIND_NONE only for unrecognized strings; a
 * recognized string always has another value.
 */
typedef enum bc_token_kind
{
	BC_KIND_NONE = 0,
	BC_KIND_INPUT,				/* input tokens */
	BC_KIND_OUTPUT,				/* output tokens */
	BC_KIND_CACHE_READ,			/* prompt-cache read input tokens */
	BC_KIND_CACHE_WRITE,		/* prompt-cache write input tokens */
	BC_KIND_IMAGE,				/* images (generated or input), not tokens */
	BC_KIND_VIDEO_SECOND,		/* seconds of generated video */
	BC_KIND_SEARCH_UNIT,		/* rerank search units */
	BC_KIND_GUARDRAIL_UNIT,		/* guardrail policy text units */
	BC_KIND_MODEL_UNIT_HOUR,	/* provisioned model units or reserved TPM capacity, per hour */
	BC_KIND_TRAINING,			/* model customization training */
	BC_KIND_STORAGE,			/* custom model storage */
	BC_KIND_OTHER				/* recognized platform feature (e.g. Data Automation) */
} bc_token_kind;

/* price tier; BC_TIER_NONE only for unrecognized strings */
typedef enum bc_tier
{
	BC_TIER_NONE = 0,
	BC_TIER_STANDARD,
	BC_TIER_BATCH,
	BC_TIER_FLEX,
	BC_TIER_PRIORITY,
	BC_TIER_LATENCY_OPTIMIZED,
	BC_TIER_PROVISIONED,
	BC_TIER_RESERVED
} bc_tier;

/* inference routing; BC_ROUTING_NONE only for unrecognized strings */
typedef enum bc_routing
{
	BC_ROUTING_NONE = 0,
	BC_ROUTING_IN_REGION,
	BC_ROUTING_CROSS_REGION_GEO,
	BC_ROUTING_CROSS_REGION_GLOBAL
} bc_routing;

/* context-length price band; set only for the four token kinds */
typedef enum bc_context
{
	BC_CONTEXT_NONE = 0,
	BC_CONTEXT_STANDARD,
	BC_CONTEXT_LONG
} bc_context;

/* API endpoint family; NONE for unrecognized strings, training and storage */
typedef enum bc_endpoint
{
	BC_ENDPOINT_NONE = 0,
	BC_ENDPOINT_RUNTIME,		/* bedrock-runtime (and Marketplace models) */
	BC_ENDPOINT_MANTLE			/* bedrock-mantle (OpenAI-compatible) */
} bc_endpoint;

/* modality, when the usage type names one (or the kind implies it) */
typedef enum bc_modality
{
	BC_MODALITY_NONE = 0,
	BC_MODALITY_TEXT,
	BC_MODALITY_IMAGE,
	BC_MODALITY_SPEECH,
	BC_MODALITY_AUDIO,
	BC_MODALITY_VIDEO
} bc_modality;

/* which grammar matched */
typedef enum bc_grammar
{
	BC_GRAMMAR_NONE = 0,		/* unrecognized */
	BC_GRAMMAR_TOKENS,			/* first-party <model>-<kind>-tokens... */
	BC_GRAMMAR_MANTLE,			/* <model>-mantle-<kind>-tokens-... */
	BC_GRAMMAR_FEATURE,			/* first-party non-token usage (guardrail, training, ...) */
	BC_GRAMMAR_MP_CAMEL,		/* MP:REG_InputTokenCount_Global-Units */
	BC_GRAMMAR_MP_SNAKE			/* MP:REG_input_tokens_global_standard-Units */
} bc_grammar;

/* the result of bc_usage_type_parse; all slices point into the input */
typedef struct bc_usage_type
{
	bool		recognized;		/* the body matched a known grammar */
	bc_grammar	grammar;
	bc_slice	region_code;	/* billing code before the first '-' ("USE1", "EU") */
	const char *region;			/* "us-east-1", or NULL for an unknown/absent code */
	bc_slice	body;			/* the string without "REG-" (CUDOS "UsageType Short") */
	bc_slice	model;			/* model as billed; absent for Marketplace and model-less features */
	bc_slice	dimension;		/* Marketplace dimension ("InputTokenCount_Global") */
	bc_slice	detail;			/* feature detail ("ContentPolicyUnitsConsumed", "T2I-1024-Premium") */
	bc_slice	cache_ttl;		/* "5m", "1h", "30m" where the string gives one */
	bc_token_kind token_kind;
	bc_tier		tier;
	bc_routing	routing;
	bc_context	context;
	bc_endpoint endpoint;
	bc_modality modality;
	bool		marketplace;	/* an "MP:" usage type */
	bool		custom_model;	/* "-custom-model" suffix */
} bc_usage_type;

/*
 * Parse one usage type.  Never fails and never reads outside s[0..len);
 * s need not be NUL-terminated.  out is fully overwritten.
 */
extern void bc_usage_type_parse(const char *s, size_t len, bc_usage_type *out);

/* stable lowercase names of the enum values, as the SQL functions show them; NULL for *_NONE */
extern const char *bc_token_kind_name(bc_token_kind k);
extern const char *bc_tier_name(bc_tier t);
extern const char *bc_routing_name(bc_routing r);
extern const char *bc_context_name(bc_context c);
extern const char *bc_endpoint_name(bc_endpoint e);
extern const char *bc_modality_name(bc_modality m);
extern const char *bc_grammar_name(bc_grammar g);

/*
 * Deterministic model-name normalisation, the fallback of the canonical
 * model key: trims, drops a trailing " (Amazon Bedrock Edition)", drops
 * leading lowercase vendor / geography prefixes ("anthropic.",
 * "us.anthropic."), lowercases, and turns runs of spaces and underscores
 * into one '-'.  Writes at most outsz-1 bytes plus a NUL into out and
 * returns the full length the result needs (like snprintf).
 */
extern size_t bc_model_normalize(const char *s, size_t len, char *out, size_t outsz);

/*
 * The vendor of a model as billed (src/core/model_vendor.c): the vendor
 * prefix of a model id ("openai.gpt-5.5", "us.anthropic.claude-..."), else
 * the model family ("Claude4.6Sonnet" -> anthropic, "NovaPro" -> amazon).
 * A static lowercase name, or NULL when neither is known.
 */
extern const char *bc_model_vendor(const char *model, size_t len);

/*
 * The model as billed inside a Marketplace product name: "Claude Sonnet 4.6
 * (Amazon Bedrock Edition)" -> "Claude Sonnet 4.6" (a slice of the input).
 * Returns false (and an empty slice) when the name lacks the suffix.
 */
extern bool bc_marketplace_model(const char *product_name, size_t len, bc_slice *model);

/*
 * The model of a line: the model its usage type names (u, parsed), else,
 * when it names none (Marketplace usage types are shared by all models),
 * the model of its Bedrock Edition product name (NULL: none); an empty
 * slice when neither has one.  What parse_usage_type reports as model.
 */
extern bc_slice bc_row_model(const bc_usage_type *u, const char *product_name, size_t len);

/*
 * Bedrock spend classification: true for the four first-party product codes
 * AmazonBedrock, AmazonBedrockService, AmazonBedrockFoundationModels and
 * AmazonBedrockAgentCore (exact match), and for Marketplace rows: billing
 * entity "AWS Marketplace" and a product name ending in
 * "(Amazon Bedrock Edition)" (whatever the product code).  Any pointer may
 * be NULL (treated as empty).
 */
extern bool bc_is_bedrock_line(const char *product_code, size_t pclen,
							   const char *billing_entity, size_t belen,
							   const char *product_name, size_t pnlen);

/* return codes of bc_pricing_unit_scale */
#define BC_UNIT_OK			0	/* unit understood */
#define BC_UNIT_ASSUMED		1	/* Marketplace "Units" with no scale word: 1M tokens assumed */
#define BC_UNIT_UNKNOWN		(-1)	/* unit not known: scale 1, not tokens */

/*
 * Scale of a pricing unit: token count = usage amount x *scale when
 * *is_tokens.  "1K tokens"/"1k tokens" -> 1000, "1M tokens" -> 1000000,
 * "tokens" -> 1; Marketplace "Units": the line item description decides
 * ("million" -> 1000000, "thousand" -> 1000; image / search / second /
 * request wording -> not tokens; no scale word -> 1000000, BC_UNIT_ASSUMED).
 * Non-token units (image, seconds, hour, 1M TPM Hour, ...): *scale 1,
 * *is_tokens false.  description may be NULL.
 */
extern int	bc_pricing_unit_scale(const char *unit, size_t ulen,
								  const char *description, size_t dlen,
								  int64_t *scale, bool *is_tokens);

/*
 * AWS region name ("us-east-1") of a billing region code ("USE1", "EU",
 * "APS3"), from the official billing-code table plus GovCloud and China;
 * NULL when unknown.  Exact, case-sensitive match.
 */
extern const char *bc_region_name(const char *code, size_t len);

/* the region-code table, for listing: entries 0..bc_region_count()-1 */
typedef struct bc_region_entry
{
	const char *code;			/* "USE1" */
	const char *region;			/* "us-east-1" */
	const char *location;		/* "US East (N. Virginia)" */
} bc_region_entry;

extern int	bc_region_count(void);
extern const bc_region_entry *bc_region_at(int i);

#endif							/* BC_USAGE_TYPE_H */
