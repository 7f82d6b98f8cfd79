/*-------------------------------------------------------------------------
 *
 * gen_world.c
 *		The generator's catalogue: columns, accounts, regions, Bedrock and
 *		other SKUs, and the principals calling Bedrock.
 *
 * Every usage-type grammar of the format reference appears in the SKU
 * table: first-party tokens, cache read/write, cross-region global, batch,
 * flex, priority, latency-optimized, long context, custom model, mantle,
 * Marketplace CamelCase and snake_case, and non-token features.  The
 * ground truth's "model" and "token kind" come from this table, never from
 * parsing the generated strings.
 *
 * IDENTIFICATION
 *		src/tools/gen_world.c
 *
 *-------------------------------------------------------------------------
 */
#include "gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEN_COL_DEF(name, type, group) {#name, type, group},
const gen_coldef bc_gen_columns[GEN_NCOL] = {
	GEN_COLUMN_LIST(GEN_COL_DEF)
};

const char *const bc_gen_kind_names[GK_NKIND] = {
	"input", "output", "cache_read", "cache_write", "other"
};

const char *const bc_gen_partitions[] = {"aws", "aws-cn", "aws-us-gov"};

const gen_account bc_gen_accounts[] = {
	{"111122223333", "Acme Production", 0},
	{"444455556666", "Acme Data Science, EU", 0},
	{"777788889999", "acme-sandbox", 0},
	{"012345678901", "Acme Shared Services", 0},
	{"210987654321", "Acme China", 1},
	{"123450000001", "Acme GovCloud", 2},
};
const int	bc_gen_naccounts = sizeof(bc_gen_accounts) / sizeof(bc_gen_accounts[0]);

const gen_region bc_gen_regions[] = {
	{"USE1", "us-east-1", "US East (N. Virginia)", 0},
	{"USW2", "us-west-2", "US West (Oregon)", 0},
	{"EU", "eu-west-1", "EU (Ireland)", 0},
	{"APN1", "ap-northeast-1", "Asia Pacific (Tokyo)", 0},
	{"EUC1", "eu-central-1", "EU (Frankfurt)", 0},
	{"CNN1", "cn-north-1", "China (Beijing)", 1},
	{"UGW1", "us-gov-west-1", "AWS GovCloud (US-West)", 2},
};
const int	bc_gen_nregions = sizeof(bc_gen_regions) / sizeof(bc_gen_regions[0]);

const char *const bc_gen_acct_types[] = {
	"Tax", "Credit", "Refund", "EdpDiscount", "PrivateRateDiscount", "BundledDiscount"
};
const int	bc_gen_nacct_types = sizeof(bc_gen_acct_types) / sizeof(bc_gen_acct_types[0]);

#define IN GK_INPUT
#define OUT GK_OUTPUT
#define CR GK_CACHE_READ
#define CW GK_CACHE_WRITE
#define OTH GK_OTHER
#define AB "AmazonBedrock"
#define ABS "AmazonBedrockService"
#define ABF "AmazonBedrockFoundationModels"
#define ABA "AmazonBedrockAgentCore"
#define INV "InvokeModelInference"
#define STR "InvokeModelStreamingInference"
#define MPD "AWS Marketplace software usage|%s|"
#define SON45 "Claude Sonnet 4.5 (Amazon Bedrock Edition)"
#define OPU47 "Claude Opus 4.7 (Amazon Bedrock Edition)"
#define HAI35 "Claude 3.5 Haiku (Amazon Bedrock Edition)"
#define MP_SON45 "8x2kq1yvn5p0u4o7vf3hb9lqg"
#define MP_OPU47 "4jw0c6rzt1mhd8e2sn5ua7kxb"
#define MP_SD35 "b3v9n2m7x0q5w8e1r4t6y2u9i"
#define MP_RRK "6d1f8g3h5j7k9l2z4x6c8v0bn"

/*
 * bedrock, marketplace entity, product code, product name, usage type body
 * ("MP:" = Marketplace grammar REG-MP:REG_<dim>-Units), model, kind, unit,
 * usage scale, rate scale, rate, operation, description, no principal,
 * weight, region lock
 */
const gen_sku bc_gen_skus[] = {
	/* first-party, AmazonBedrock, per 1K tokens */
	{1, 0, AB, "Amazon Bedrock", "Claude4.6Sonnet-input-tokens", "Claude4.6Sonnet", IN, "1K tokens", 3, 7, 30000, INV, "Claude 4.6 Sonnet input tokens", 0, 90, -1},
	{1, 0, AB, "Amazon Bedrock", "Claude4.6Sonnet-output-tokens", "Claude4.6Sonnet", OUT, "1K tokens", 3, 7, 150000, STR, "Claude 4.6 Sonnet output tokens", 0, 90, -1},
	{1, 0, AB, "Amazon Bedrock", "Claude4.6Sonnet-cache-read-input-token-count", "Claude4.6Sonnet", CR, "1K tokens", 3, 7, 3000, INV, "Claude 4.6 Sonnet cache read input tokens", 0, 50, -1},
	{1, 0, AB, "Amazon Bedrock", "Claude4.6Sonnet-cache-write-input-token-count", "Claude4.6Sonnet", CW, "1K tokens", 3, 7, 37500, INV, "Claude 4.6 Sonnet cache write input tokens", 0, 30, -1},
	{1, 0, AB, "Amazon Bedrock", "NovaLite-input-tokens", "NovaLite", IN, "1K tokens", 3, 7, 600, INV, "Nova Lite input tokens", 0, 40, -1},
	{1, 0, AB, "Amazon Bedrock", "NovaLite-output-tokens", "NovaLite", OUT, "1K tokens", 3, 7, 2400, INV, "Nova Lite output tokens", 0, 40, -1},
	{1, 0, AB, "Amazon Bedrock", "Nova2.0Lite-input-tokens-flex", "Nova2.0Lite", IN, "1K tokens", 3, 7, 1500, INV, "Nova 2.0 Lite input tokens, flex tier", 0, 15, -1},
	{1, 0, AB, "Amazon Bedrock", "gpt-oss-120b-output-tokens-priority", "gpt-oss-120b", OUT, "1K tokens", 3, 7, 10500, INV, "gpt-oss-120b output tokens, priority tier", 0, 15, -1},
	{1, 0, AB, "Amazon Bedrock", "NovaPro-input-tokens-batch", "NovaPro", IN, "1K tokens", 3, 7, 4000, "Usage", "Nova Pro batch input tokens", 1, 10, -1},
	{1, 0, AB, "Amazon Bedrock", "Llama4-Maverick-17B-input-tokens-batch", "Llama4-Maverick-17B", IN, "1K tokens", 3, 7, 1200, "Usage", "Llama 4 Maverick batch input tokens", 1, 8, -1},
	{1, 0, AB, "Amazon Bedrock", "NovaPro-input-tokens-latency-optimized", "NovaPro", IN, "1K tokens", 3, 7, 10000, INV, "Nova Pro latency optimized input tokens", 0, 8, 0},
	{1, 0, AB, "Amazon Bedrock", "NovaPro-output-tokens-latency-optimized", "NovaPro", OUT, "1K tokens", 3, 7, 40000, INV, "Nova Pro latency optimized output tokens", 0, 8, 0},
	{1, 0, AB, "Amazon Bedrock", "NovaPro-cache-write-input-token-count-custom-model", "NovaPro", CW, "1K tokens", 3, 7, 8000, INV, "Nova Pro custom model cache write input tokens", 0, 5, -1},
	{1, 0, AB, "Amazon Bedrock", "Qwen3-VL-235B-A22B-input-tokens", "Qwen3-VL-235B-A22B", IN, "1K tokens", 3, 7, 5300, INV, "Qwen3 VL 235B input tokens", 0, 8, 2},
	{1, 0, AB, "Amazon Bedrock", "Llama3-1-405B-output-tokens", "Llama3-1-405B", OUT, "1K tokens", 3, 7, 32000, INV, "Llama 3.1 405B output tokens", 0, 8, -1},
	{1, 0, AB, "Amazon Bedrock", "TitanEmbeddingV2-Text-input-tokens", "TitanEmbeddingV2-Text", IN, "1K tokens", 3, 7, 200, INV, "Titan Text Embeddings V2 input tokens", 0, 20, -1},
	{1, 0, AB, "Amazon Bedrock", "NovaSonic-speech-input-tokens", "NovaSonic", IN, "1K tokens", 3, 7, 34000, STR, "Nova Sonic speech input tokens", 0, 6, -1},
	{1, 0, AB, "Amazon Bedrock", "Guardrail-ContentPolicyUnitsConsumed", "", OTH, "1K text units", 3, 7, 1500000, "Usage", "Guardrail content policy text units", 1, 8, -1},
	{1, 0, AB, "Amazon Bedrock", "Guardrail-WordPolicyUnitsConsumed", "", OTH, "1K text units", 3, 7, 0, "Usage", "Guardrail word policy text units (free)", 1, 4, -1},
	{1, 0, AB, "Amazon Bedrock", "Qwen3-32B-ProvisionedThroughput-NoCommit-ModelUnits", "Qwen3-32B", OTH, "hour", 0, 4, 210000, "Usage", "Qwen3 32B provisioned throughput, no commitment", 1, 3, -1},
	{1, 0, AB, "Amazon Bedrock", "Llama3-3-70B-Customization-Training", "Llama3-3-70B", OTH, "1K tokens", 3, 7, 79000, "Usage", "Llama 3.3 70B customization training tokens", 1, 2, 1},
	{1, 0, AB, "Amazon Bedrock", "NovaCanvas-T2I-1024-Premium", "NovaCanvas", OTH, "image", 0, 3, 60, INV, "Nova Canvas text to image 1024 premium", 0, 6, -1},
	{1, 0, AB, "Amazon Bedrock", "cohere.rerank-english-v3-search-units", "cohere.rerank-english-v3", OTH, "Search Units", 0, 3, 2, INV, "Cohere Rerank English v3 search units", 0, 5, -1},
	{1, 0, AB, "Amazon Bedrock", "DataAutomation-Standard-ImagesProcessed", "", OTH, "Images Processed", 0, 3, 3, "Usage", "Data Automation standard images processed", 1, 3, -1},
	/* AmazonBedrockService: cross-region, mantle, some per 1M tokens */
	{1, 0, ABS, "Amazon Bedrock Service", "Claude4.6Sonnet-output-tokens-cross-region-global", "Claude4.6Sonnet", OUT, "1K tokens", 3, 7, 165000, STR, "Claude 4.6 Sonnet output tokens, global cross-region", 0, 40, -1},
	{1, 0, ABS, "Amazon Bedrock Service", "Claude4.6Opus-input-tokens-cross-region-global", "Claude4.6Opus", IN, "1M tokens", 6, 4, 55000, INV, "Claude 4.6 Opus input tokens, global cross-region", 0, 30, -1},
	{1, 0, ABS, "Amazon Bedrock Service", "Claude4.6Opus-cache-read-input-token-count-cross-region-global", "Claude4.6Opus", CR, "1M tokens", 6, 4, 5500, INV, "Claude 4.6 Opus cache read input tokens, global cross-region", 0, 20, -1},
	{1, 0, ABS, "Amazon Bedrock Service", "Nova2.0Pro-text-input-tokens-priority-cross-region-global", "Nova2.0Pro", IN, "1K tokens", 3, 7, 22000, INV, "Nova 2.0 Pro text input tokens, priority, global", 0, 10, -1},
	{1, 0, ABS, "Amazon Bedrock Service", "Nova2.0Lite-input-tokens-cross-region-global-batch", "Nova2.0Lite", IN, "1K tokens", 3, 7, 750, "Usage", "Nova 2.0 Lite batch input tokens, global", 1, 6, -1},
	{1, 0, ABS, "Amazon Bedrock Service", "Claude4Sonnet-output-tokens-long-context-cross-region-global", "Claude4Sonnet", OUT, "1K tokens", 3, 7, 225000, STR, "Claude 4 Sonnet long context output tokens, global", 0, 10, -1},
	{1, 0, ABS, "Amazon Bedrock Service", "Nova2.0Pro-input-image-token-count-cross-region-global", "Nova2.0Pro", IN, "1K tokens", 3, 7, 12500, INV, "Nova 2.0 Pro input image tokens, global", 0, 6, -1},
	{1, 0, ABS, "Amazon Bedrock Service", "openai.gpt-oss-120b-mantle-input-tokens-standard", "openai.gpt-oss-120b", IN, "1K tokens", 3, 7, 1500, INV, "gpt-oss-120b mantle input tokens", 0, 15, -1},
	{1, 0, ABS, "Amazon Bedrock Service", "anthropic.claude-opus-4-8-mantle-cache-write-tokens-global-standard", "anthropic.claude-opus-4-8", CW, "1M tokens", 6, 4, 68750, INV, "Claude Opus 4.8 mantle cache write tokens, global", 0, 10, 1},
	{1, 0, ABS, "Amazon Bedrock Service", "openai.gpt-5.5-mantle-cache_read-tokens-standard", "openai.gpt-5.5", CR, "1K tokens", 3, 7, 1250, INV, "gpt-5.5 mantle cache read tokens", 0, 8, -1},
	{1, 0, ABS, "Amazon Bedrock Service", "openai.gpt-5.6-luna-mantle-cache-write-tokens-5m-long-ctx-flex", "openai.gpt-5.6-luna", CW, "1K tokens", 3, 7, 3100, INV, "gpt-5.6 luna mantle cache write tokens, long context, flex", 0, 5, -1},
	{1, 0, ABS, "Amazon Bedrock Service", "qwen.qwen3-32b-mantle-output-tokens-standard", "qwen.qwen3-32b", OUT, "1K tokens", 3, 7, 6000, INV, "Qwen3 32B mantle output tokens", 0, 8, -1},
	{1, 0, ABS, "Amazon Bedrock Service", "xai.grok-4.7-mantle-input-tokens-standard", "xai.grok-4.7", IN, "1K tokens", 3, 7, 30000, INV, "Grok 4.7 mantle input tokens", 0, 5, -1},
	/* AmazonBedrockFoundationModels, billed by AWS with the Marketplace grammar */
	{1, 0, ABF, HAI35, "MP:InputTokenCount", "Claude 3.5 Haiku", IN, "Units", 6, 4, 8000, INV, MPD "Million Input Tokens Regional CRIS", 0, 10, -1},
	{1, 0, ABF, HAI35, "MP:OutputTokenCount", "Claude 3.5 Haiku", OUT, "Units", 6, 4, 40000, INV, MPD "Million Output Tokens Regional CRIS", 0, 10, -1},
	/* AmazonBedrockAgentCore */
	{1, 0, ABA, "Amazon Bedrock Agent Core", "AgentCore-Runtime-vCPU-Hours", "", OTH, "vCPU-Hours", 3, 7, 895000, "Usage", "AgentCore runtime vCPU hours", 1, 5, -1},
	{1, 0, ABA, "Amazon Bedrock Agent Core", "AgentCore-Gateway-API-Invocations", "", OTH, "Requests", 0, 10, 50000, "Usage", "AgentCore gateway API invocations", 1, 5, -1},
	/* Marketplace: CamelCase dimensions, usage in millions */
	{1, 1, MP_SON45, SON45, "MP:InputTokenCount_Global", "Claude Sonnet 4.5", IN, "Units", 6, 4, 33000, INV, MPD "Million Input Tokens Global", 0, 40, -1},
	{1, 1, MP_SON45, SON45, "MP:OutputTokenCount_Global", "Claude Sonnet 4.5", OUT, "Units", 6, 4, 165000, STR, MPD "Million Output Tokens Global", 0, 40, -1},
	{1, 1, MP_SON45, SON45, "MP:CacheReadInputTokenCount", "Claude Sonnet 4.5", CR, "Units", 6, 4, 3000, INV, MPD "Million Cache Read Input Tokens Regional", 0, 20, -1},
	{1, 1, MP_SON45, SON45, "MP:CacheWriteInputTokenCount", "Claude Sonnet 4.5", CW, "Units", 6, 4, 37500, INV, MPD "Million Cache Write Input Tokens Regional", 0, 10, -1},
	{1, 1, MP_SON45, SON45, "MP:CacheWrite1hInputTokenCount_Global", "Claude Sonnet 4.5", CW, "Units", 6, 4, 60000, INV, MPD "Million Cache Write 1h Input Tokens Global", 0, 5, -1},
	{1, 1, MP_SON45, SON45, "MP:InputTokenCount_Batch", "Claude Sonnet 4.5", IN, "Units", 6, 4, 15000, "Usage", MPD "Million Batch Input Tokens", 1, 5, -1},
	{1, 1, MP_SON45, SON45, "MP:InputTokenCount_LatencyOptimized", "Claude Sonnet 4.5", IN, "Units", 6, 4, 39000, INV, MPD "Million Input Tokens Latency Optimized", 0, 4, 0},
	{1, 1, MP_SON45, SON45, "MP:OutputTokenCount_LongContext", "Claude Sonnet 4.5", OUT, "Units", 6, 4, 225000, STR, MPD "Million Output Tokens Long Context", 0, 4, -1},
	{1, 1, MP_SON45, SON45, "MP:MillionBatchInputTokens", "Claude Sonnet 4.5", IN, "Units", 6, 4, 15000, "Usage", MPD "Million Batch Input Tokens", 1, 3, -1},
	{1, 1, MP_SON45, SON45, "MP:Reserved_1Month_InputTPM_Global", "Claude Sonnet 4.5", OTH, "1M TPM Hour", 3, 7, 280000, "Usage", MPD "Reserved 1 Month Input TPM Global", 1, 2, -1},
	/* Marketplace: snake_case dimensions (no scale word: 1M tokens) */
	{1, 1, MP_OPU47, OPU47, "MP:input_tokens_global_standard", "Claude Opus 4.7", IN, "Units", 6, 4, 50000, INV, MPD "Input Tokens - Standard, Global", 0, 20, -1},
	{1, 1, MP_OPU47, OPU47, "MP:output_tokens_standard", "Claude Opus 4.7", OUT, "Units", 6, 4, 250000, STR, MPD "Output Tokens - Standard", 0, 20, -1},
	{1, 1, MP_OPU47, OPU47, "MP:cache_read_tokens_standard", "Claude Opus 4.7", CR, "Units", 6, 4, 5000, INV, MPD "Cache Read Tokens - Standard", 0, 10, -1},
	{1, 1, MP_OPU47, OPU47, "MP:cache_write_tokens_1h_global_standard", "Claude Opus 4.7", CW, "Units", 6, 4, 100000, INV, MPD "Cache Write Tokens 1h - Standard, Global", 0, 5, -1},
	{1, 1, MP_OPU47, OPU47, "MP:input_tokens_long_ctx_standard", "Claude Opus 4.7", IN, "Units", 6, 4, 100000, INV, MPD "Input Tokens Long Context - Standard", 0, 4, -1},
	{1, 1, MP_OPU47, OPU47, "MP:output_tokens_flex", "Claude Opus 4.7", OUT, "Units", 6, 4, 125000, INV, MPD "Output Tokens - Flex", 0, 4, -1},
	/* Marketplace: non-token dimensions */
	{1, 1, MP_SD35, "Stable Diffusion 3.5 Large v1.0 (Amazon Bedrock Edition)", "MP:Created_image", "Stable Diffusion 3.5 Large v1.0", OTH, "image", 0, 2, 8, INV, MPD "Output image, SD3.5 Large", 0, 4, -1},
	{1, 1, MP_RRK, "Cohere Rerank v3.5 (Amazon Bedrock Edition)", "MP:search_units", "Cohere Rerank v3.5", OTH, "Search Units", 0, 3, 2, INV, MPD "Search Units", 0, 3, -1},
	/* not Bedrock */
	{0, 0, "AmazonEC2", "Amazon Elastic Compute Cloud", "BoxUsage:m5.large", "", OTH, "Hrs", 0, 4, 960, "RunInstances", "$0.096 per On Demand Linux m5.large Instance Hour", 0, 120, -1},
	{0, 0, "AmazonS3", "Amazon Simple Storage Service", "TimedStorage-ByteHrs", "", OTH, "GB-Mo", 6, 4, 230, "StandardStorage", "$0.023 per GB - first 50 TB / month of storage used", 0, 80, -1},
	{0, 0, "AWSLambda", "AWS Lambda", "Lambda-GB-Second", "", OTH, "Lambda-GB-Second", 0, 10, 166667, "Invoke", "AWS Lambda - Total Compute", 0, 60, -1},
	{0, 0, "AmazonCloudWatch", "AmazonCloudWatch", "CW:Requests", "", OTH, "Requests", 0, 10, 100000, "GetMetricData", "$0.01 per 1,000 metrics requested", 0, 40, -1},
	{0, 0, "AmazonSageMaker", "Amazon SageMaker", "Notebk:ml.t3.medium", "", OTH, "Hrs", 0, 4, 500, "RunInstance", "$0.05 per hour for ml.t3.medium notebook", 0, 20, -1},
	{0, 0, "AmazonQ", "Amazon Q", "Q-Developer-input-tokens", "", OTH, "Requests", 0, 10, 30000, "Usage", "Amazon Q Developer requests (not Bedrock)", 0, 10, -1},
};
const int	bc_gen_nskus = sizeof(bc_gen_skus) / sizeof(bc_gen_skus[0]);

static const char *const first_names[] = {
	"alice", "bob", "carol", "dmitri", "eve", "farah", "gustavo", "hiro",
	"ingrid", "jamal", "keiko", "li.wei", "maria", "nnamdi", "olga", "pablo"
};
static const char *const teams[] = {
	"BedrockDataScience", "search", "support-bots", "Données & IA", "platform",
	"risk", "marketing analytics", "legal-tech"
};
static const char *const projects[] = {"DocFlow", "chat-assist", "summarizer", "kb-search", "codegen"};
static const char *const tenants[] = {"acme-corp", "globex", "initech", "umbrella", "stark-ind"};
static const char *const sso_sets[][2] = {
	{"DataScience", "e62cac11786225d8"},
	{"AdministratorAccess", "8219a806ceb01083"},
	{"BedrockUsers", "2b03e7d876722882"},
};
static const char *const app_roles[] = {"OrderSummarizer-Role", "support-bot-prod", "Role-1", "AppRole"};

/* append one iamPrincipal tag to a principal */
static void
add_tag(gen_principal *p, const char *key, const char *val)
{
	bc_gen_buf	b = {0};

	if (p->ntags >= GEN_MAX_PTAGS)
		return;
	p->tag_key[p->ntags] = key;
	snprintf(p->tag_val[p->ntags], sizeof(p->tag_val[0]), "%s", val);
	/* "iamPrincipal/<key>":"<value>", JSON-escaped */
	bc_gen_buf_puts(&b, p->tags_json);
	bc_gen_buf_puts(&b, b.len ? ",\"iamPrincipal/" : "\"iamPrincipal/");
	bc_gen_json_escape(&b, key);
	bc_gen_buf_puts(&b, "\":\"");
	bc_gen_json_escape(&b, val);
	bc_gen_buf_putc(&b, '"');
	if (b.len >= sizeof(p->tags_json))
		bc_gen_die("principal tags too long");
	memcpy(p->tags_json, b.data, b.len + 1);
	bc_gen_buf_free(&b);
	p->ntags++;
}

/* set the ARN, role and person of an assumed-role session */
static void
set_session(gen_principal *p, const char *partition, const char *acct,
			const char *role, const char *session)
{
	p->type = "assumed-role";
	snprintf(p->arn, sizeof(p->arn), "arn:%s:sts::%s:assumed-role/%s/%s",
			 partition, acct, role, session);
	snprintf(p->role, sizeof(p->role), "arn:%s:iam::%s:role/%s", partition, acct, role);
	snprintf(p->person, sizeof(p->person), "%s", session);
}

/* set the ARN and person of an IAM user (path may be "") */
static void
set_user(gen_principal *p, const char *partition, const char *acct,
		 const char *path, const char *name)
{
	p->type = "user";
	snprintf(p->arn, sizeof(p->arn), "arn:%s:iam::%s:user/%s%s", partition, acct, path, name);
	p->role[0] = '\0';
	snprintf(p->person, sizeof(p->person), "%s", name);
}

/* build principal i of kind (i % 13 for the first 13, then random) */
static void
make_principal(gen_principal *p, gen_rng *r, int i, int force_kind)
{
	int			kind = force_kind >= 0 ? force_kind : i < 13 ? i : (int) gen_below(r, 13);
	int			acct = (int) gen_below(r, 4);
	const char *part = "aws";
	const char *fn = first_names[gen_below(r, 16)];
	char		name[128];

	memset(p, 0, sizeof(*p));
	switch (kind)
	{
		case 0:					/* IAM user, no path */
			snprintf(name, sizeof(name), "%s%d", fn, i);
			set_user(p, part, bc_gen_accounts[acct].id, "", name);
			break;
		case 1:					/* IAM user with a path */
			snprintf(name, sizeof(name), "%s.%d", fn, i);
			set_user(p, part, bc_gen_accounts[acct].id, "division_abc/subdivision_xyz/", name);
			break;
		case 2:					/* Bedrock API key user */
			snprintf(name, sizeof(name), "BedrockAPIKey-%04x", (unsigned) gen_below(r, 65536));
			set_user(p, part, bc_gen_accounts[acct].id, "", name);
			break;
		case 3:					/* application role session */
			snprintf(name, sizeof(name), "session-%d", 100 + i);
			set_session(p, part, bc_gen_accounts[acct].id, app_roles[gen_below(r, 4)], name);
			break;
		case 4:					/* IAM Identity Center (SSO) session, e-mail */
			{
				int			s = (int) gen_below(r, 3);
				char		role[128];

				snprintf(role, sizeof(role), "AWSReservedSSO_%s_%s", sso_sets[s][0], sso_sets[s][1]);
				/* the same people appear under several permission sets */
				if (i < 40)
					snprintf(name, sizeof(name), "%s@example.com", first_names[i % 7]);
				else
					snprintf(name, sizeof(name), "%s.%d@example.com", fn, i);
				set_session(p, part, bc_gen_accounts[acct].id, role, name);
				break;
			}
		case 5:					/* gateway role, per-user session */
			snprintf(name, sizeof(name), "gw-user-%d", i);
			set_session(p, part, bc_gen_accounts[0].id, "BedrockGatewayRole", name);
			break;
		case 6:					/* gateway role, per-tenant session with a session tag */
			snprintf(name, sizeof(name), "gw-tenant-%s", tenants[i % 5]);
			set_session(p, part, bc_gen_accounts[0].id, "BedrockGatewayRole", name);
			add_tag(p, "tenant", tenants[i % 5]);
			break;
		case 7:					/* gateway without per-user sessions: one identity */
			set_session(p, part, bc_gen_accounts[3].id, "LLMGatewayShared", i < 13 ? "gateway" : "gateway-2");
			if (i >= 13)
			{
				snprintf(name, sizeof(name), "gateway-%d", i);
				set_session(p, part, bc_gen_accounts[3].id, "LLMGatewayShared", name);
			}
			break;
		case 8:					/* plain role ARN, with or without a path */
			p->type = "role";
			if (gen_chance(r, 500))
				snprintf(p->arn, sizeof(p->arn), "arn:aws:iam::%s:role/application-role", bc_gen_accounts[acct].id);
			else
				snprintf(p->arn, sizeof(p->arn), "arn:aws:iam::%s:role/service-role/app-%d", bc_gen_accounts[acct].id, i);
			snprintf(p->role, sizeof(p->role), "%s", p->arn);
			break;
		case 9:					/* federated (OIDC/SAML) session with an e-mail */
			snprintf(name, sizeof(name), "user-%d@acme.org", i);
			set_session(p, part, bc_gen_accounts[acct].id, "BedrockRole", name);
			break;
		case 10:				/* aws-cn partition */
			snprintf(name, sizeof(name), "cn-%s%d", fn, i);
			set_user(p, "aws-cn", bc_gen_accounts[4].id, "", name);
			p->account = 4;
			break;
		case 11:				/* aws-us-gov partition */
			snprintf(name, sizeof(name), "gov-analyst-%d", i);
			set_session(p, "aws-us-gov", bc_gen_accounts[5].id, "GovAnalytics", name);
			p->account = 5;
			break;
		default:				/* names using every allowed punctuation mark */
			snprintf(name, sizeof(name), "svc+batch=%d,team.x@corp_ops-01", i);
			set_user(p, part, bc_gen_accounts[acct].id, "", name);
			break;
	}
	if (kind != 10 && kind != 11)
		p->account = (kind >= 5 && kind <= 7) ? (kind == 7 ? 3 : 0) : acct;
	/* principal tags: about one principal in five has none */
	if (!gen_chance(r, 200) || kind == 6)
	{
		add_tag(p, "team", teams[gen_below(r, 8)]);
		if (gen_chance(r, 700))
		{
			static const char *const ccs[] = {"12345", "20410", "31337", "40000", "CC-7781", "00042"};

			add_tag(p, "cost-center", ccs[gen_below(r, 6)]);
		}
		if (gen_chance(r, 400))
			add_tag(p, "project", projects[gen_below(r, 5)]);
	}
	p->weight = 1 + (uint32_t) gen_below(r, 100);
	if (gen_chance(r, 80))
		p->weight *= 20;		/* a few heavy callers */
}

/* FNV-1a hash of a string */
static uint64_t
hash_str(const char *s)
{
	uint64_t	h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char) *s) * 1099511628211ULL;
	return h;
}

/* build the principals of the world; every ARN is distinct */
void
bc_gen_world_build(gen_world *w, uint64_t seed, int nprincipals, int nplanted)
{
	gen_rng		r;
	int			i;
	size_t		nslots = (size_t) nprincipals * 2 + 1;
	int		   *slots = malloc(nslots * sizeof(int));

	gen_rng_seed(&r, seed ^ 0x5052494e43495041ULL);
	w->nprincipals = nprincipals + nplanted;
	w->nplanted = nplanted;
	w->principals = calloc((size_t) (nprincipals + nplanted), sizeof(gen_principal));
	if (!w->principals || !slots)
		bc_gen_die("out of memory");
	for (i = 0; i < (int) nslots; i++)
		slots[i] = -1;
	w->principal_wsum = 0;
	for (i = 0; i < nprincipals; i++)
	{
		gen_principal *p = &w->principals[i];
		int			tries = 0;
		size_t		h;

		for (;;)
		{
			/* after a few collisions fall back to a user named after i */
			make_principal(p, &r, i, tries < 5 ? -1 : 0);
			h = hash_str(p->arn) % nslots;
			while (slots[h] >= 0 && strcmp(w->principals[slots[h]].arn, p->arn) != 0)
				h = (h + 1) % nslots;
			if (slots[h] < 0)
				break;
			if (++tries > 6)
				bc_gen_die("cannot make a distinct principal %d", i);
		}
		slots[h] = i;
		w->principal_wsum += p->weight;
	}
	free(slots);
	/* the planted spike series' own principals: a nightly pipeline's jobs, never picked */
	for (i = 0; i < nplanted; i++)
	{
		gen_principal *p = &w->principals[nprincipals + i];
		char		job[32];

		snprintf(job, sizeof(job), "job-%d", i);
		set_session(p, "aws", bc_gen_accounts[0].id, "NightlyPipeline", job);
		add_tag(p, "team", "pipelines");
		p->account = 0;
		p->weight = 0;
	}
	w->sku_wsum = 0;
	for (i = 0; i < bc_gen_nskus; i++)
		if (bc_gen_skus[i].bedrock)
			w->sku_wsum += bc_gen_skus[i].weight;
}

/* a principal, by weight (linear scan: principals are few) */
int
bc_gen_pick_principal(const gen_world *w, gen_rng *r)
{
	uint64_t	x = gen_below(r, w->principal_wsum);
	int			i;

	for (i = 0; i < w->nprincipals - w->nplanted; i++)
	{
		if (x < w->principals[i].weight)
			return i;
		x -= w->principals[i].weight;
	}
	return w->nprincipals - w->nplanted - 1;
}

/* the 0-based day of the last period on which planted series j spikes */
int
bc_gen_spike_day(int j, int usage_days)
{
	return 14 + j < usage_days ? 14 + j : usage_days - 1;
}

/* a Bedrock SKU, by weight */
int
bc_gen_pick_sku(const gen_world *w, gen_rng *r)
{
	uint64_t	x = gen_below(r, w->sku_wsum);
	int			i;

	for (i = 0; i < bc_gen_nskus; i++)
	{
		if (!bc_gen_skus[i].bedrock)
			continue;
		if (x < bc_gen_skus[i].weight)
			return i;
		x -= bc_gen_skus[i].weight;
	}
	return 0;
}

/* a region of the partition, us-east-1 most often */
int
bc_gen_pick_region(gen_rng *r, int partition)
{
	uint64_t	x;

	if (partition == 1)
		return 5;
	if (partition == 2)
		return 6;
	x = gen_below(r, 100);
	if (x < 50)
		return 0;
	if (x < 75)
		return 1;
	if (x < 87)
		return 2;
	if (x < 94)
		return 3;
	return 4;
}

/* the usage type of a SKU in a region */
void
bc_gen_usage_type(char *out, size_t outsz, const gen_sku *s, const gen_region *g)
{
	if (strncmp(s->body, "MP:", 3) == 0)
		snprintf(out, outsz, "%s-MP:%s_%s-Units", g->code, g->code, s->body + 3);
	else if (!s->bedrock && strcmp(g->code, "USE1") == 0)
		snprintf(out, outsz, "%s", s->body);	/* us-east-1: no prefix */
	else
		snprintf(out, outsz, "%s-%s", g->code, s->body);
}
