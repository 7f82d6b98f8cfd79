/*-------------------------------------------------------------------------
 *
 * model_vendor.c
 *		The vendor of a Bedrock model, from the model as billed.
 *
 * Two sources, in this order:
 *   1. a vendor prefix of a model id, after any geography prefix:
 *      "openai.gpt-5.5", "us.anthropic.claude-opus-4-8", "qwen.qwen3-32b";
 *   2. the model family, the first word of the normalised name
 *      (bc_model_normalize): "Claude4.6Sonnet" -> claude -> anthropic,
 *      "Llama4-Maverick-17B" -> llama -> meta, "Claude Opus 4.7 (Amazon
 *      Bedrock Edition)" -> anthropic.
 * Vendors are lowercase keys (anthropic, amazon, meta, mistral, openai,
 * qwen, deepseek, ...), as model_aliases.vendor spells them.  NULL when
 * neither source knows the model: the SQL layer reports it as "unknown"
 * and a model_aliases row with a vendor fixes it.
 *
 * IDENTIFICATION
 *		src/core/model_vendor.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "ascii.h"
#include "usage_type.h"

typedef struct vendor_rule
{
	const char *prefix;			/* lowercase */
	const char *vendor;
} vendor_rule;

/* the vendor word of a model id ("openai." -> openai) */
static const vendor_rule id_vendors[] = {
	{"ai21", "ai21"}, {"amazon", "amazon"}, {"anthropic", "anthropic"},
	{"cohere", "cohere"}, {"deepseek", "deepseek"}, {"google", "google"},
	{"luma", "luma"}, {"meta", "meta"}, {"minimax", "minimax"},
	{"mistral", "mistral"}, {"moonshot", "moonshot"}, {"moonshotai", "moonshot"},
	{"nvidia", "nvidia"}, {"openai", "openai"}, {"qwen", "qwen"},
	{"stability", "stability"}, {"twelvelabs", "twelvelabs"},
	{"writer", "writer"}, {"xai", "xai"}, {"zai", "zai"},
};

/* geography prefixes of inference profile ids, skipped before the vendor */
static const char *const geo_prefixes[] = {
	"us", "eu", "apac", "global", "us-gov", "jp", "au", "ca"
};

/* model families, matched on the start of the normalised name */
static const vendor_rule family_vendors[] = {
	{"claude", "anthropic"},
	{"nova", "amazon"}, {"titan", "amazon"},
	{"llama", "meta"},
	{"mistral", "mistral"}, {"mixtral", "mistral"}, {"pixtral", "mistral"},
	{"ministral", "mistral"}, {"magistral", "mistral"}, {"devstral", "mistral"},
	{"codestral", "mistral"}, {"voxtral", "mistral"},
	{"gpt", "openai"},
	{"qwen", "qwen"}, {"qwq", "qwen"},
	{"deepseek", "deepseek"},
	{"grok", "xai"},
	{"cohere", "cohere"}, {"command", "cohere"},
	{"jamba", "ai21"}, {"jurassic", "ai21"},
	{"palmyra", "writer"},
	{"stable", "stability"}, {"sd3", "stability"}, {"sdxl", "stability"},
	{"twelvelabs", "twelvelabs"}, {"marengo", "twelvelabs"}, {"pegasus", "twelvelabs"},
	{"kimi", "moonshot"}, {"minimax", "minimax"},
	{"gemma", "google"}, {"nemotron", "nvidia"}, {"glm", "zai"},
};

#define NRULES(a) (sizeof(a) / sizeof((a)[0]))


/* length of the leading "word." of s (letters, digits, '-'), 0 when none */
static size_t
dotted_word(const char *s, size_t len)
{
	size_t		i = 0;

	while (i < len && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
		i++;
	return (i > 0 && i + 1 < len && s[i] == '.') ? i : 0;
}

/* vendor named by a model id prefix, after geography prefixes; NULL if none */
static const char *
id_vendor(const char *s, size_t len)
{
	int			rounds;

	for (rounds = 0; rounds < 3; rounds++)
	{
		size_t		w = dotted_word(s, len);
		size_t		i;
		bool		geo = false;

		if (w == 0)
			return NULL;
		for (i = 0; i < NRULES(id_vendors); i++)
			if (bc_ieq_lit(s, w, id_vendors[i].prefix))
				return id_vendors[i].vendor;
		for (i = 0; i < NRULES(geo_prefixes); i++)
			if (bc_ieq_lit(s, w, geo_prefixes[i]))
				geo = true;
		if (!geo)
			return NULL;
		s += w + 1;
		len -= w + 1;
	}
	return NULL;
}

/* vendor of the model family that starts the normalised name; NULL if none */
static const char *
family_vendor(const char *norm)
{
	size_t		i;

	for (i = 0; i < NRULES(family_vendors); i++)
	{
		size_t		n = strlen(family_vendors[i].prefix);

		if (strncmp(norm, family_vendors[i].prefix, n) == 0)
			return family_vendors[i].vendor;
	}
	return NULL;
}

/* the vendor of a model as billed (see the file header); NULL when unknown */
const char *
bc_model_vendor(const char *model, size_t len)
{
	char		norm[128];
	const char *v;

	if (model == NULL || len == 0)
		return NULL;
	v = id_vendor(model, len);
	if (v != NULL)
		return v;
	if (bc_model_normalize(model, len, norm, sizeof(norm)) == 0)
		return NULL;
	return family_vendor(norm);
}
