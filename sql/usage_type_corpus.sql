-- usage_type_corpus.sql: every usage-type string of the format reference
-- (the CUR 2.0 Bedrock formats reference, cur2-bedrock-formats.md, sections 3-4 and 7) with its full
-- expected parse, strings constructed from the grammars it describes, unknown grammars,
-- the region table, Bedrock line classification and pricing-unit scaling.
-- The corpus list is also test/fixtures/usage_types.txt (used by the benchmark).
CREATE EXTENSION IF NOT EXISTS bedrock_cost;
SET client_min_messages = warning;

CREATE TEMP TABLE ut_corpus (id serial PRIMARY KEY, usage_type text NOT NULL);
INSERT INTO ut_corpus (usage_type) VALUES
    -- Bedrock usage-type corpus: one usage type per line; '#' lines are comments.
    -- Section 1: every concrete usage-type string quoted in
    -- the formats reference cur2-bedrock-formats.md (sections 3.4, 3.5, 4, 7), verbatim,
    -- including bare Marketplace dimension names (not full usage types: unrecognized).
    ('APE1-USE1-AWS-In-Bytes'),
    ('APN1-MP:APN1_output_tokens_global_standard-Units'),
    ('CacheReadInputTokenCount'),
    ('CacheWrite1hInputTokenCount'),
    ('CacheWriteInputTokenCount'),
    ('EU-MP:EU_InputTokenCount_Global-Units'),
    ('EU-MP:EU_cache_write_tokens_1h_standard-Units'),
    ('EU-Nova2.0Lite-input-tokens-cross-region-global'),
    ('EU-Qwen3-VL-235B-A22B-input-tokens'),
    ('EU-TitanEmbeddingV2-Text-input-tokens'),
    ('InputTokenCount'),
    ('Llama3-1-70B-Customization-Training'),
    ('OutputTokenCount'),
    ('ProvisionedThroughput_1MonthCommit_ModelUnits_Usage'),
    ('Reserved_1Month_InputTPM_Geo'),
    ('USE1-Claude2.0-input-tokens'),
    ('USE1-Claude3Haiku-input-tokens'),
    ('USE1-Claude3Sonnet-input-tokens'),
    ('USE1-Claude4.6Opus-cache-read-input-token-count-cross-region-global'),
    ('USE1-Claude4.6Opus-input-tokens'),
    ('USE1-Claude4.6Opus-input-tokens-cross-region-global'),
    ('USE1-Claude4.6Opus-output-tokens'),
    ('USE1-Claude4.6Sonnet-cache-read-input-token-count'),
    ('USE1-Claude4.6Sonnet-input-tokens'),
    ('USE1-Claude4.6Sonnet-output-tokens'),
    ('USE1-Claude4.6Sonnet-output-tokens-cross-region-global'),
    ('USE1-Claude4Sonnet-cache-read-input-token-count-cross-region-global'),
    ('USE1-Claude4Sonnet-input-tokens-cross-region-global'),
    ('USE1-Claude4Sonnet-input-tokens-cross-region-global-batch'),
    ('USE1-Claude4Sonnet-output-tokens-long-context-cross-region-global'),
    ('USE1-DataAutomation-Standard-ImagesProcessed'),
    ('USE1-GPT-OSS-Safeguard-120B-output-tokens-batch'),
    ('USE1-GPT-OSS-Safeguard-20B-input-tokens-priority'),
    ('USE1-Gemma-3-4B-IT-input-tokens-flex'),
    ('USE1-Guardrail-AutomatedReasoningPolicyUnitsConsumed'),
    ('USE1-Guardrail-ContentPolicyImageUnitsConsumed'),
    ('USE1-Guardrail-ContentPolicyUnitsConsumed'),
    ('USE1-Guardrail-SensitiveInformationPolicyFreeUnitsConsumed'),
    ('USE1-Guardrail-SensitiveInformationPolicyPaidUnitsConsumed'),
    ('USE1-Guardrail-TopicPolicyUnitsConsumed'),
    ('USE1-Guardrail-WordPolicyUnitsConsumed'),
    ('USE1-Llama3-1-405B-input-tokens'),
    ('USE1-Llama3-1-405B-output-tokens-batch'),
    ('USE1-Llama3-2-1B-output-tokens'),
    ('USE1-Llama4-Maverick-17B-input-tokens-batch'),
    ('USE1-MP:USE1_CacheReadInputTokenCount-Units'),
    ('USE1-MP:USE1_CacheReadInputTokenCount_Global-Units'),
    ('USE1-MP:USE1_CacheWrite1hInputTokenCount-Units'),
    ('USE1-MP:USE1_CacheWriteInputTokenCount_Global-Units'),
    ('USE1-MP:USE1_Created_image-Units'),
    ('USE1-MP:USE1_InputImageCount-Units'),
    ('USE1-MP:USE1_InputTokenCount-Units'),
    ('USE1-MP:USE1_InputTokenCount_Batch-Units'),
    ('USE1-MP:USE1_InputTokenCount_Global-Units'),
    ('USE1-MP:USE1_InputTokenCount_Global_Batch-Units'),
    ('USE1-MP:USE1_InputTokenCount_LatencyOptimized-Units'),
    ('USE1-MP:USE1_MillionBatchInputTokens-Units'),
    ('USE1-MP:USE1_OutputTokenCount_Global-Units'),
    ('USE1-MP:USE1_ProvisionedThroughput_1MonthCommit_ModelUnits_Usage-Units'),
    ('USE1-MP:USE1_cache_read_tokens_global_standard-Units'),
    ('USE1-MP:USE1_input_tokens_global_standard-Units'),
    ('USE1-MP:USE1_search_units-Units'),
    ('USE1-MistralSmall-input-tokens-batch'),
    ('USE1-Nova-ProvisionedThroughput'),
    ('USE1-Nova2.0Lite-input-tokens-cross-region-global'),
    ('USE1-Nova2.0Lite-input-tokens-cross-region-global-batch'),
    ('USE1-Nova2.0Lite-input-tokens-flex'),
    ('USE1-Nova2.0Lite-output-tokens'),
    ('USE1-Nova2.0Pro-input-image-token-count-cross-region-global'),
    ('USE1-Nova2.0Pro-text-input-tokens-priority-cross-region-global'),
    ('USE1-NovaCanvas-Customization-Training'),
    ('USE1-NovaCanvas-T2I-1024-Premium'),
    ('USE1-NovaCanvas-input-tokens'),
    ('USE1-NovaLite-input-tokens'),
    ('USE1-NovaLite-output-tokens'),
    ('USE1-NovaMicro-input-tokens'),
    ('USE1-NovaMicro-input-tokens-batch'),
    ('USE1-NovaMicro-output-tokens'),
    ('USE1-NovaMultiModalEmbeddings-input-tokens-batch'),
    ('USE1-NovaPro-cache-read-input-token-count'),
    ('USE1-NovaPro-cache-write-input-token-count-custom-model'),
    ('USE1-NovaPro-input-tokens'),
    ('USE1-NovaPro-input-tokens-batch'),
    ('USE1-NovaPro-input-tokens-latency-optimized'),
    ('USE1-NovaPro-output-tokens-latency-optimized'),
    ('USE1-NovaSonic-speech-input-tokens'),
    ('USE1-NovaSonic-text-input-tokens'),
    ('USE1-Qwen3-32B-ProvisionedThroughput-NoCommit-ModelUnits'),
    ('USE1-Qwen3-32B-input-tokens'),
    ('USE1-Qwen3-32B-input-tokens-cross-region-global'),
    ('USE1-Qwen3-32B-input-tokens-custom-model'),
    ('USE1-Qwen3-32B-input-tokens-flex'),
    ('USE1-Qwen3-32B-output-tokens-priority'),
    ('USE1-TitanEmbeddingV2-Text-input-tokens'),
    ('USE1-TitanEmbeddingsG1-Image-input-image'),
    ('USE1-TitanTextG1-Lite-input-tokens'),
    ('USE1-cohere.rerank-english-v3-search-units'),
    ('USE1-gpt-oss-120b-input-tokens-batch'),
    ('USE1-gpt-oss-120b-output-tokens-priority'),
    ('USE1-openai.gpt-5.5-mantle-cache_read-tokens-standard'),
    ('USE1-openai.gpt-5.6-luna-mantle-cache-write-tokens-5m-long-ctx-flex'),
    ('USE1-openai.gpt-oss-120b-mantle-input-tokens-standard'),
    ('USE1-qwen.qwen3-32b-mantle-input-tokens-flex'),
    ('USE1-qwen.qwen3-32b-mantle-input-tokens-standard'),
    ('USE1-qwen.qwen3-coder-next-input-tokens-batch'),
    ('USE1-xai.grok-4.7-mantle-input-tokens-standard'),
    ('USW2-Claude4.5Sonnet-cache-write-input-token-count'),
    ('USW2-Claude4.5Sonnet-input-tokens'),
    ('USW2-Claude4.5Sonnet-output-tokens'),
    ('USW2-Claude4.6Sonnet-cache-read-input-token-count'),
    ('USW2-Claude4.6Sonnet-cache-write-input-token-count'),
    ('USW2-Claude4.6Sonnet-input-tokens'),
    ('USW2-Claude4.6Sonnet-output-tokens'),
    ('USW2-Llama3-3-70B-Customization-Training'),
    ('USW2-MP:USW2_CacheWrite1hInputTokenCount_Global-Units'),
    ('USW2-NovaMicro-output-tokens'),
    ('USW2-anthropic.claude-opus-4-8-mantle-cache-write-tokens-global-standard'),
    ('USW2-anthropic.claude-opus-4-8-mantle-cache-write-tokens-standard'),
    ('cache_read_tokens_standard'),
    ('cache_write_tokens_1h_global_standard'),
    ('cache_write_tokens_standard'),
    ('input_tokens_global_standard'),
    ('input_tokens_long_ctx_standard'),
    ('input_tokens_standard'),
    ('output_tokens_standard'),
    -- Section 2: constructed from the grammars the reference describes without a full string
    -- (Reserved_{1,3}Month_{Input,Output}TPM_{Geo,Global}, cache_write_tokens_30m_..., _Geo,
    -- _LongContext, snake _batch/_flex/_priority, long-context variants, -cross-region-geo).
    ('USE1-MP:USE1_Reserved_1Month_InputTPM_Geo-Units'),
    ('USE1-MP:USE1_Reserved_1Month_InputTPM_Global-Units'),
    ('USE1-MP:USE1_Reserved_1Month_OutputTPM_Geo-Units'),
    ('USE1-MP:USE1_Reserved_1Month_OutputTPM_Global-Units'),
    ('USE1-MP:USE1_Reserved_3Month_InputTPM_Geo-Units'),
    ('USE1-MP:USE1_Reserved_3Month_InputTPM_Global-Units'),
    ('USE1-MP:USE1_Reserved_3Month_OutputTPM_Geo-Units'),
    ('USE1-MP:USE1_Reserved_3Month_OutputTPM_Global-Units'),
    ('USE1-MP:USE1_OutputTokenCount-Units'),
    ('USE1-MP:USE1_CacheWriteInputTokenCount-Units'),
    ('USE1-MP:USE1_InputTokenCount_Geo-Units'),
    ('USE1-MP:USE1_InputTokenCount_LongContext-Units'),
    ('USE1-MP:USE1_OutputTokenCount_Global_Batch-Units'),
    ('USE1-MP:USE1_created_image-Units'),
    ('USE1-MP:USE1_input_tokens_standard-Units'),
    ('USE1-MP:USE1_output_tokens_standard-Units'),
    ('USE1-MP:USE1_cache_read_tokens_standard-Units'),
    ('USE1-MP:USE1_cache_write_tokens_standard-Units'),
    ('USE1-MP:USE1_cache_write_tokens_1h_global_standard-Units'),
    ('USE1-MP:USE1_cache_write_tokens_30m_standard-Units'),
    ('USE1-MP:USE1_input_tokens_long_ctx_standard-Units'),
    ('USE1-MP:USE1_output_tokens_long_ctx_standard-Units'),
    ('USE1-MP:USE1_input_tokens_batch-Units'),
    ('USE1-MP:USE1_output_tokens_flex-Units'),
    ('USE1-MP:USE1_input_tokens_global_priority-Units'),
    ('EU-MP:EU_output_tokens_global_standard-Units'),
    ('USE1-Claude4Sonnet-input-tokens-long-context-cross-region-global'),
    ('USE1-Claude4Sonnet-cache-read-input-token-count-long-context-cross-region-global'),
    ('USE1-Claude4Sonnet-cache-write-input-token-count-long-context-cross-region-global'),
    ('USE1-Claude4.6Sonnet-input-tokens-cross-region-geo'),
    ('USE1-Claude4.6Sonnet-cache-write-input-token-count-cross-region-global'),
    ('APS3-Claude4.6Sonnet-input-tokens'),
    ('CAN2-NovaLite-output-tokens'),
    ('MXC1-NovaMicro-input-tokens'),
    ('EUC1-Claude4.5Sonnet-output-tokens-cross-region-global'),
    ('APN1-MP:APN1_InputTokenCount-Units'),
    ('UGW1-Claude3Haiku-input-tokens'),
    ('CNN1-NovaLite-input-tokens'),
    -- Section 3: unknown or malformed grammars (must parse with recognized = false)
    ('USE1-Claude4.6Sonnet-thinking-tokens'),
    ('USE1-Claude4.6Sonnet-input-tokens-turbo'),
    ('USE1-NewFeature-Requests'),
    ('USE1-MP:USE1_FancyNewDimension-Units'),
    ('USE1-MP:USE1_input_tokens_hyper-Units'),
    ('USE1-MP:USE1_InputTokenCount_Hyper-Units'),
    ('USE1-MP:'),
    ('USE1-input-tokens'),
    ('USE1-Guardrail-'),
    ('USE1-'),
    ('-input-tokens'),
    ('usage type with spaces'),
    ('USE1-Claude4.6Sonnet'),
    -- Section 4: shape-valid region codes that are not in the table (region NULL)
    ('XYZ9-Claude4.6Sonnet-input-tokens'),
    ('EUW1-Claude4.6Sonnet-input-tokens'),
    ('MP:USE1_InputTokenCount-Units');

SELECT count(*) AS corpus_strings, count(*) FILTER (WHERE p.recognized) AS recognized
FROM ut_corpus c, LATERAL bedrock_cost.parse_usage_type(c.usage_type) p;

-- the full parse of every string (model_key through the seeded alias table)
\pset format unaligned
\pset fieldsep ' | '
\pset null '~'
SELECT c.usage_type, p.recognized AS rec, p.region_code, p.region, p.model, p.model_key,
       p.token_kind, p.cache_ttl AS ttl, p.tier, p.routing, p.context, p.endpoint,
       p.modality, p.marketplace AS mp, p.custom_model AS cm, p.grammar, p.dimension, p.detail
FROM ut_corpus c, LATERAL bedrock_cost.parse_usage_type(c.usage_type) p
ORDER BY c.id;
\pset format aligned
\pset fieldsep '|'

-- invariants over the whole corpus
SELECT count(*) FILTER (WHERE p.recognized AND p.token_kind IS NULL) AS recognized_without_kind,
       count(*) FILTER (WHERE NOT p.recognized AND (p.token_kind IS NOT NULL OR p.tier IS NOT NULL
                        OR p.routing IS NOT NULL OR p.model IS NOT NULL)) AS unrecognized_with_parts,
       count(*) FILTER (WHERE p.usage_type_short IS DISTINCT FROM
                        CASE WHEN p.region_code IS NULL THEN nullif(c.usage_type, '')
                             ELSE nullif(substr(c.usage_type, length(p.region_code) + 2), '') END)
           AS short_mismatch,
       count(*) FILTER (WHERE p.region_code IS NOT NULL
                        AND p.region IS DISTINCT FROM bedrock_cost.region_name(p.region_code))
           AS region_mismatch
FROM ut_corpus c, LATERAL bedrock_cost.parse_usage_type(c.usage_type) p;

-- NULL and empty input never raise
SELECT bedrock_cost.parse_usage_type(NULL) IS NULL AS null_in_null_out;
SELECT recognized, region_code, usage_type_short FROM bedrock_cost.parse_usage_type('');

-- Marketplace rows: the model comes from the product name
SELECT p.model, p.model_key, p.token_kind, p.routing, p.tier, p.cache_ttl
FROM (VALUES
    ('USE1-MP:USE1_InputTokenCount_Global-Units', 'Claude Sonnet 4.6 (Amazon Bedrock Edition)'),
    ('USE1-MP:USE1_CacheWrite1hInputTokenCount-Units', 'Claude Opus 4.6 (Amazon Bedrock Edition)'),
    ('EU-MP:EU_cache_write_tokens_1h_standard-Units', 'Claude Opus 4.7 (Amazon Bedrock Edition)'),
    ('USE1-MP:USE1_OutputTokenCount-Units', 'Claude 3.5 Sonnet v2 (Amazon Bedrock Edition)'),
    ('USE1-MP:USE1_Created_image-Units', 'Stable Diffusion 3.5 Large v1.0 (Amazon Bedrock Edition)'),
    ('USE1-MP:USE1_search_units-Units', 'Cohere Rerank v3.5 (Amazon Bedrock Edition)'),
    ('USE1-MP:USE1_InputTokenCount-Units', 'Some New Model (Amazon Bedrock Edition)'),
    ('USE1-MP:USE1_InputTokenCount-Units', 'Amazon Bedrock'),
    ('USE1-Claude4.6Sonnet-input-tokens', 'Amazon Bedrock Service')
) AS v(usage_type, product_name),
LATERAL bedrock_cost.parse_usage_type(v.usage_type, v.product_name) p;

-- one model, three channels, one key
SELECT m AS model_as_billed, bedrock_cost.model_key(m) AS model_key
FROM unnest(ARRAY['Claude4.6Sonnet', 'Claude Sonnet 4.6 (Amazon Bedrock Edition)',
                  'anthropic.claude-sonnet-4-6', 'us.anthropic.claude-sonnet-4-6',
                  'Claude4.6Opus', 'anthropic.claude-opus-4-6', 'anthropic.claude-opus-4-8',
                  'Claude Haiku 4.5 (Amazon Bedrock Edition)', 'Claude4.5Haiku',
                  'gpt-oss-120b', 'openai.gpt-oss-120b', 'Qwen3-32B', 'qwen.qwen3-32b',
                  'Llama4-Maverick-17B', 'Nova2.0Lite', 'NovaPro', '  Palmyra X5 (Amazon Bedrock Edition) ']) AS m;
SELECT bedrock_cost.model_key(NULL, 'Claude Sonnet 4.6 (Amazon Bedrock Edition)') AS from_product_name,
       bedrock_cost.model_key('', 'Amazon Bedrock') AS not_a_marketplace_name,
       bedrock_cost.model_key(NULL, NULL) AS nothing,
       bedrock_cost.model_normalize('Claude Sonnet 4.6 (Amazon Bedrock Edition)') AS normalized,
       bedrock_cost.model_normalize('us.anthropic.claude-opus-4-8') AS normalized_id,
       bedrock_cost.model_normalize('Some_Model  Name') AS normalized_blanks;

-- the alias table is editable: user rows override seeds and are picked up by the next query
INSERT INTO bedrock_cost.model_aliases (alias, model_key, note)
VALUES ('Llama4-Maverick-17B', 'llama4-maverick', 'test'),
       ('Claude4.6Sonnet', 'sonnet-override', 'test');
SELECT bedrock_cost.model_key('Llama4-Maverick-17B') AS user_alias,
       bedrock_cost.model_key('llama4 maverick 17b') AS matched_normalized,
       bedrock_cost.model_key('Claude4.6Sonnet') AS user_over_seed,
       bedrock_cost.model_key('anthropic.claude-sonnet-4-6') AS other_seed_unchanged,
       (bedrock_cost.parse_usage_type('USE1-Claude4.6Sonnet-input-tokens')).model_key AS in_parse;
DELETE FROM bedrock_cost.model_aliases WHERE note = 'test';
\set VERBOSITY terse
UPDATE bedrock_cost.model_aliases SET model_key = 'x' WHERE alias = 'Claude4.6Sonnet';
DELETE FROM bedrock_cost.model_aliases WHERE alias = 'Claude4.6Sonnet';
\set VERBOSITY default
SELECT count(*) AS seeded_aliases, count(DISTINCT model_key) AS seeded_keys
FROM bedrock_cost.model_aliases WHERE seeded;
SELECT extcondition IS NOT NULL AS alias_table_dumped
FROM pg_extension WHERE extname = 'bedrock_cost';

-- the region table: every code of the reference, and nothing doubtful
SELECT code, region, location FROM bedrock_cost.billing_regions();
SELECT c AS code, bedrock_cost.region_name(c) AS region
FROM unnest(ARRAY['USE1', 'EU', 'APS3', 'APS1', 'APS6', 'EUW1', 'CAW1', 'ILCE1', 'CNN2', 'CPT',
                  'use1', 'USE', '', 'USE1 ']) AS c;

-- Bedrock line classification
SELECT pc AS product_code, be AS billing_entity, pn AS product_name,
       bedrock_cost.is_bedrock_line(pc, be, pn) AS is_bedrock
FROM (VALUES
    ('AmazonBedrock', 'AWS', 'Amazon Bedrock'),
    ('AmazonBedrockService', 'AWS', 'Amazon Bedrock Service'),
    ('AmazonBedrockFoundationModels', 'AWS', 'Amazon Bedrock Foundation Models'),
    ('AmazonBedrockAgentCore', 'AWS', 'Amazon Bedrock Agent Core'),
    ('prod-ffvjxvh4ltq64', 'AWS Marketplace', 'Claude Sonnet 4.6 (Amazon Bedrock Edition)'),
    ('prod-6dw3qvchef7zy', 'AWS Marketplace', 'Claude 3 Sonnet (Amazon Bedrock Edition)  '),
    ('AmazonBedrock', 'AWS Marketplace', 'Claude Sonnet 4.5 (Amazon Bedrock Edition)'),
    ('prod-abc', 'AWS Marketplace', 'Some SaaS Product'),
    ('prod-abc', 'AWS Marketplace', 'Amazon Bedrock Edition'),
    ('prod-abc', 'AWS', 'Claude Sonnet 4.6 (Amazon Bedrock Edition)'),
    ('AmazonEC2', 'AWS', 'Amazon Elastic Compute Cloud'),
    ('amazonbedrock', 'AWS', 'Amazon Bedrock'),
    ('AmazonBedrockX', 'AWS', NULL),
    ('AmazonBedrock', NULL, NULL),
    (NULL, 'AWS Marketplace', 'Claude Opus 4.6 (Amazon Bedrock Edition)'),
    (NULL, NULL, NULL),
    ('', '', '')
) AS v(pc, be, pn);

-- pricing units and exact token counts
SELECT u AS unit, d AS description, s.scale, s.is_tokens, s.certainty,
       bedrock_cost.token_count(1.5, u, d) AS tokens_of_1_5
FROM (VALUES
    ('1K tokens', NULL), ('1k tokens', NULL), ('1M tokens', NULL), ('1m tokens', NULL),
    ('tokens', NULL), ('1000 tokens', NULL), (' 1K tokens ', NULL),
    ('Units', 'AWS Marketplace software usage|us-east-1|Million Input Tokens Regional CRIS'),
    ('Units', 'AWS Marketplace software usage|us-east-1|Million Input Tokens Global'),
    ('Units', 'AWS Marketplace software usage|us-east-1|thousand Cache Read Input Tokens Regional'),
    ('Units', 'AWS Marketplace software usage|us-east-1|Input Tokens - Standard, Global'),
    ('Units', 'AWS Marketplace software usage|us-east-1|Output image, SD3.5 Large'),
    ('Units', NULL), ('units', 'million output tokens'),
    ('image', NULL), ('seconds', NULL), ('video', NULL), ('Images Processed', NULL),
    ('Search Units', NULL), ('Requests', NULL), ('hour', NULL), ('1M TPM Hour', NULL),
    ('Custom Model Unit per min', NULL), ('Model/Month', NULL), ('furlongs', NULL), ('', NULL)
) AS v(u, d), LATERAL bedrock_cost.pricing_unit_scale(v.u, v.d) s;
SELECT bedrock_cost.token_count(17.33, '1K tokens') AS blog_example,
       bedrock_cost.token_count(0.000123456789012345678, '1M tokens') AS exact_tiny,
       bedrock_cost.token_count(1e-7, '1K tokens') AS exponent,
       bedrock_cost.token_count(NULL, '1K tokens') AS null_amount,
       bedrock_cost.token_count(5, NULL) AS null_unit,
       bedrock_cost.token_count(5, 'image') AS not_tokens,
       pg_typeof(bedrock_cost.token_count(1, '1K tokens')) AS result_type;

-- per-call-site memo: repeated strings, product name part of the key, long strings unmemoised
SELECT p.model, p.model_key, count(*)
FROM generate_series(1, 3000) g,
     LATERAL bedrock_cost.parse_usage_type('USE1-MP:USE1_InputTokenCount-Units',
         CASE g % 3 WHEN 0 THEN NULL WHEN 1 THEN '' ELSE 'Claude Sonnet 4.6 (Amazon Bedrock Edition)' END) p
GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(DISTINCT p::text) AS distinct_parses, min(p.model) AS model
FROM generate_series(1, 1000) g,
     LATERAL bedrock_cost.parse_usage_type('USE1-Claude4.6Sonnet-input-tokens',
         CASE WHEN g % 2 = 0 THEN NULL ELSE '' END) p;
SELECT length(p.model) AS long_model_length, p.model_key = lower(p.model) AS key_is_normalised, p.token_kind
FROM bedrock_cost.parse_usage_type('USE1-' || repeat('Xy', 100) || '-input-tokens') p;

-- a role without privileges on the alias table can still parse (SELECT is granted to PUBLIC)
CREATE ROLE regress_usage_type_reader;
GRANT USAGE ON SCHEMA bedrock_cost TO regress_usage_type_reader;
SET ROLE regress_usage_type_reader;
SELECT model_key, token_kind FROM bedrock_cost.parse_usage_type('USE1-Claude4.6Sonnet-input-tokens');
RESET ROLE;
REVOKE USAGE ON SCHEMA bedrock_cost FROM regress_usage_type_reader;
DROP ROLE regress_usage_type_reader;
