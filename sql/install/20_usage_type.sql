/*
 * 20_usage_type.sql: usage-type grammar, Bedrock line classification,
 * pricing-unit scaling, billing region codes and the model alias table.
 * C code: src/core/usage_type*.c, regions.c, bedrock_line.c,
 * pricing_unit.c, model_name.c; glue: src/ext/usage_type_fns.c.
 */

-- ---------------------------------------------------------------------------
-- model aliases: one canonical key for a model billed through several channels
-- ---------------------------------------------------------------------------
CREATE TABLE bedrock_cost.model_aliases (
    alias      text    NOT NULL CHECK (alias <> ''),
    model_key  text    NOT NULL CHECK (model_key <> ''),
    vendor     text,
    seeded     boolean NOT NULL DEFAULT false,
    note       text,
    PRIMARY KEY (alias, seeded)
);
COMMENT ON TABLE bedrock_cost.model_aliases IS
  'model names as billed (usage-type model, Marketplace product name, model id) mapped to one canonical model_key; '
  'matched on the normalised form (bedrock_cost.model_normalize), user rows (seeded = false) take precedence over seeded rows';
COMMENT ON COLUMN bedrock_cost.model_aliases.alias IS
  'a model name as billed, e.g. Claude4.6Sonnet, Claude Sonnet 4.6 (Amazon Bedrock Edition), anthropic.claude-sonnet-4-6';
COMMENT ON COLUMN bedrock_cost.model_aliases.model_key IS
  'canonical model key reported by parse_usage_type and model_key, e.g. claude-sonnet-4.6';
COMMENT ON COLUMN bedrock_cost.model_aliases.vendor IS
  'vendor of the model, a lowercase key (anthropic, amazon, meta, ...); when set it is what bedrock_cost.model_vendor reports for the alias, ahead of the built-in rules';
COMMENT ON COLUMN bedrock_cost.model_aliases.seeded IS
  'true for rows shipped with the extension (not dumped by pg_dump, read-only); false for your own rows (dumped)';
COMMENT ON COLUMN bedrock_cost.model_aliases.note IS
  'free text';

-- parse_usage_type and model_key read the table as the calling user
GRANT SELECT ON bedrock_cost.model_aliases TO PUBLIC;

-- user rows survive pg_dump; seeded rows come back with CREATE EXTENSION
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.model_aliases', 'WHERE NOT seeded');

CREATE FUNCTION bedrock_cost.model_aliases_protect_seeds()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF OLD.seeded THEN
        RAISE EXCEPTION 'seeded model alias "%" cannot be changed or deleted', OLD.alias
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Insert your own row with the same alias; rows with seeded = false take precedence.';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.seeded THEN
        RAISE EXCEPTION 'a model alias row cannot be marked as seeded'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
COMMENT ON FUNCTION bedrock_cost.model_aliases_protect_seeds() IS
  'trigger function keeping the seeded rows of bedrock_cost.model_aliases read-only (they are not dumped, so edits would be lost)';

CREATE TRIGGER model_aliases_protect_seeds
    BEFORE UPDATE OR DELETE ON bedrock_cost.model_aliases
    FOR EACH ROW EXECUTE FUNCTION bedrock_cost.model_aliases_protect_seeds();

INSERT INTO bedrock_cost.model_aliases (alias, model_key, vendor, seeded) VALUES
    -- Anthropic Claude: usage-type form, Marketplace product name, model id
    ('Claude2.0',                                   'claude-2.0',        'anthropic', true),
    ('Claude3Sonnet',                               'claude-3-sonnet',   'anthropic', true),
    ('Claude 3 Sonnet (Amazon Bedrock Edition)',    'claude-3-sonnet',   'anthropic', true),
    ('Claude3Haiku',                                'claude-3-haiku',    'anthropic', true),
    ('Claude 3 Haiku (Amazon Bedrock Edition)',     'claude-3-haiku',    'anthropic', true),
    ('anthropic.claude-3-haiku',                    'claude-3-haiku',    'anthropic', true),
    ('Claude3.5Sonnet',                             'claude-3.5-sonnet', 'anthropic', true),
    ('Claude 3.5 Sonnet (Amazon Bedrock Edition)',  'claude-3.5-sonnet', 'anthropic', true),
    ('anthropic.claude-3-5-sonnet',                 'claude-3.5-sonnet', 'anthropic', true),
    ('Claude3.5SonnetV2',                           'claude-3.5-sonnet-v2', 'anthropic', true),
    ('Claude 3.5 Sonnet v2 (Amazon Bedrock Edition)', 'claude-3.5-sonnet-v2', 'anthropic', true),
    ('Claude3.5Haiku',                              'claude-3.5-haiku',  'anthropic', true),
    ('Claude 3.5 Haiku (Amazon Bedrock Edition)',   'claude-3.5-haiku',  'anthropic', true),
    ('anthropic.claude-3-5-haiku',                  'claude-3.5-haiku',  'anthropic', true),
    ('Claude3.7Sonnet',                             'claude-3.7-sonnet', 'anthropic', true),
    ('Claude 3.7 Sonnet (Amazon Bedrock Edition)',  'claude-3.7-sonnet', 'anthropic', true),
    ('anthropic.claude-3-7-sonnet',                 'claude-3.7-sonnet', 'anthropic', true),
    ('Claude4Sonnet',                               'claude-sonnet-4',   'anthropic', true),
    ('Claude Sonnet 4 (Amazon Bedrock Edition)',    'claude-sonnet-4',   'anthropic', true),
    ('anthropic.claude-sonnet-4',                   'claude-sonnet-4',   'anthropic', true),
    ('Claude4.5Sonnet',                             'claude-sonnet-4.5', 'anthropic', true),
    ('Claude Sonnet 4.5 (Amazon Bedrock Edition)',  'claude-sonnet-4.5', 'anthropic', true),
    ('anthropic.claude-sonnet-4-5',                 'claude-sonnet-4.5', 'anthropic', true),
    ('Claude4.5Haiku',                              'claude-haiku-4.5',  'anthropic', true),
    ('Claude Haiku 4.5 (Amazon Bedrock Edition)',   'claude-haiku-4.5',  'anthropic', true),
    ('anthropic.claude-haiku-4-5',                  'claude-haiku-4.5',  'anthropic', true),
    ('Claude4.5Opus',                               'claude-opus-4.5',   'anthropic', true),
    ('Claude Opus 4.5 (Amazon Bedrock Edition)',    'claude-opus-4.5',   'anthropic', true),
    ('anthropic.claude-opus-4-5',                   'claude-opus-4.5',   'anthropic', true),
    ('Claude4.6Sonnet',                             'claude-sonnet-4.6', 'anthropic', true),
    ('Claude Sonnet 4.6 (Amazon Bedrock Edition)',  'claude-sonnet-4.6', 'anthropic', true),
    ('anthropic.claude-sonnet-4-6',                 'claude-sonnet-4.6', 'anthropic', true),
    ('Claude4.6Opus',                               'claude-opus-4.6',   'anthropic', true),
    ('Claude Opus 4.6 (Amazon Bedrock Edition)',    'claude-opus-4.6',   'anthropic', true),
    ('anthropic.claude-opus-4-6',                   'claude-opus-4.6',   'anthropic', true),
    ('Claude4.7Opus',                               'claude-opus-4.7',   'anthropic', true),
    ('Claude Opus 4.7 (Amazon Bedrock Edition)',    'claude-opus-4.7',   'anthropic', true),
    ('anthropic.claude-opus-4-7',                   'claude-opus-4.7',   'anthropic', true),
    ('Claude4.8Opus',                               'claude-opus-4.8',   'anthropic', true),
    ('Claude Opus 4.8 (Amazon Bedrock Edition)',    'claude-opus-4.8',   'anthropic', true),
    ('anthropic.claude-opus-4-8',                   'claude-opus-4.8',   'anthropic', true),
    -- Amazon Nova and Titan
    ('NovaMicro',                                   'nova-micro',        'amazon', true),
    ('NovaLite',                                    'nova-lite',         'amazon', true),
    ('NovaPro',                                     'nova-pro',          'amazon', true),
    ('Nova2.0Lite',                                 'nova-2-lite',       'amazon', true),
    ('amazon.nova-2-lite',                          'nova-2-lite',       'amazon', true),
    ('Nova2.0Pro',                                  'nova-2-pro',        'amazon', true),
    ('amazon.nova-2-pro',                           'nova-2-pro',        'amazon', true),
    ('NovaCanvas',                                  'nova-canvas',       'amazon', true),
    ('NovaSonic',                                   'nova-sonic',        'amazon', true),
    ('NovaMultiModalEmbeddings',                    'nova-multimodal-embeddings', 'amazon', true),
    ('TitanTextG1-Lite',                            'titan-text-lite',   'amazon', true),
    ('TitanEmbeddingV2',                            'titan-embed-text-v2', 'amazon', true),
    ('TitanEmbeddingsG1',                           'titan-embed-image-v1', 'amazon', true),
    -- Meta Llama
    ('Llama3-1-405B',                               'llama3.1-405b',     'meta', true),
    ('Llama3-1-70B',                                'llama3.1-70b',      'meta', true),
    ('Llama3-2-1B',                                 'llama3.2-1b',       'meta', true),
    ('Llama3-3-70B',                                'llama3.3-70b',      'meta', true),
    ('Meta Llama 2 Chat 70B (Amazon Bedrock Edition)', 'llama2-chat-70b', 'meta', true),
    -- other Marketplace products named in CUR / the Price List
    ('Stable Diffusion 3.5 Large v1.0 (Amazon Bedrock Edition)', 'stable-diffusion-3.5-large', 'stability', true),
    ('Cohere Rerank v3.5 (Amazon Bedrock Edition)', 'cohere-rerank-v3.5', 'cohere', true),
    ('Cohere Embed 4 Model (Amazon Bedrock Edition)', 'cohere-embed-4',  'cohere', true),
    ('cohere.rerank-english-v3',                    'cohere-rerank-english-v3', 'cohere', true),
    ('Jamba 1.5 Large (Amazon Bedrock Edition)',    'jamba-1.5-large',   'ai21', true),
    ('Palmyra X5 (Amazon Bedrock Edition)',         'palmyra-x5',        'writer', true),
    ('TwelveLabs Marengo Embed 3.0 (Amazon Bedrock Edition)', 'twelvelabs-marengo-embed-3.0', 'twelvelabs', true);

-- ---------------------------------------------------------------------------
-- the parse result
-- ---------------------------------------------------------------------------
CREATE TYPE bedrock_cost.usage_type_parts AS (
    region_code      text,
    region           text,
    model            text,
    model_key        text,
    token_kind       text,
    cache_ttl        text,
    tier             text,
    routing          text,
    context          text,
    endpoint         text,
    modality         text,
    marketplace      boolean,
    custom_model     boolean,
    recognized       boolean,
    grammar          text,
    usage_type_short text,
    dimension        text,
    detail           text
);
COMMENT ON TYPE bedrock_cost.usage_type_parts IS
  'a parsed Bedrock usage type (see bedrock_cost.parse_usage_type); values are lowercase snake_case, NULL when not given or not recognized';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.region_code IS 'billing region code before the first dash (USE1, EU, APS3), kept even when the rest is not recognized';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.region IS 'AWS region of region_code (us-east-1); NULL for an unknown code';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.model IS 'model as billed: from the usage type, or for Marketplace rows from the product name without "(Amazon Bedrock Edition)"';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.model_key IS 'canonical model key: bedrock_cost.model_aliases on the normalised model, else the normalised model';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.token_kind IS 'input, output, cache_read, cache_write, image, video_second, search_unit, guardrail_unit, model_unit_hour, training, storage, other; NULL when not recognized';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.cache_ttl IS 'prompt-cache TTL when the usage type gives one (5m, 30m, 1h)';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.tier IS 'standard, batch, flex, priority, latency_optimized, provisioned, reserved';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.routing IS 'in_region, cross_region_geo, cross_region_global (unqualified usage types are in_region)';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.context IS 'standard or long (long-context pricing); only for the four token kinds';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.endpoint IS 'runtime (bedrock-runtime, Marketplace) or mantle (bedrock-mantle); NULL for training and storage';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.modality IS 'text, image, speech, audio, video when the usage type names one or the kind implies it';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.marketplace IS 'an AWS Marketplace (MP:) usage type';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.custom_model IS 'the -custom-model suffix (inference on a customized model)';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.recognized IS 'false for a grammar the parser does not know (the row is data, not an error)';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.grammar IS 'grammar that matched: tokens, mantle, feature, mp_camel, mp_snake';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.usage_type_short IS 'usage type without the region prefix';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.dimension IS 'Marketplace dimension (InputTokenCount_Global, input_tokens_global_standard)';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.detail IS 'feature detail of non-token usage (ContentPolicyUnitsConsumed, T2I-1024-Premium, NoCommit-ModelUnits)';

-- ---------------------------------------------------------------------------
-- functions
-- ---------------------------------------------------------------------------
CREATE FUNCTION bedrock_cost.parse_usage_type(usage_type text, product_name text DEFAULT NULL)
RETURNS bedrock_cost.usage_type_parts
AS 'MODULE_PATHNAME', 'bc_sql_parse_usage_type'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.parse_usage_type(text, text) IS
  'parse a CUR line_item_usage_type (never raises; recognized = false for an unknown grammar); '
  'product_name supplies the model of Marketplace rows; STABLE because model_key reads bedrock_cost.model_aliases';

CREATE FUNCTION bedrock_cost.model_normalize(model text)
RETURNS text
AS 'MODULE_PATHNAME', 'bc_sql_model_normalize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.model_normalize(text) IS
  'deterministic model-name normalisation (the model_key fallback): trim, drop "(Amazon Bedrock Edition)" and vendor prefixes like "anthropic.", lowercase, spaces/underscores to dashes';

CREATE FUNCTION bedrock_cost.model_key(model text, product_name text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'bc_sql_model_key'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.model_key(text, text) IS
  'canonical model key of a model as billed (or, when model is NULL or empty, of a "... (Amazon Bedrock Edition)" product name; NULL when neither): '
  'bedrock_cost.model_aliases matched on the normalised name, else bedrock_cost.model_normalize';

CREATE FUNCTION bedrock_cost.model_vendor(model text, product_name text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'bc_sql_model_vendor'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.model_vendor(text, text) IS
  'vendor of a model as billed (or of a "... (Amazon Bedrock Edition)" product name), a lowercase key such as anthropic, amazon, meta, mistral, openai, qwen, deepseek, xai: '
  'the vendor of its bedrock_cost.model_aliases row when that row names one, else the vendor prefix of a model id (openai.gpt-5.5, us.anthropic.claude-...), else the model family (Claude -> anthropic, Nova and Titan -> amazon, Llama -> meta); NULL when none of them knows the model';

CREATE FUNCTION bedrock_cost.is_bedrock_line(product_code text, billing_entity text, product_name text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'bc_sql_is_bedrock_line'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.is_bedrock_line(text, text, text) IS
  'true for Amazon Bedrock spend: product code AmazonBedrock, AmazonBedrockService, AmazonBedrockFoundationModels or AmazonBedrockAgentCore, '
  'or billing entity "AWS Marketplace" with a product name ending in "(Amazon Bedrock Edition)"; NULL arguments count as empty';

CREATE FUNCTION bedrock_cost.pricing_unit_scale(unit text, description text DEFAULT NULL,
                                                OUT scale bigint, OUT is_tokens boolean, OUT certainty text)
AS 'MODULE_PATHNAME', 'bc_sql_pricing_unit_scale'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.pricing_unit_scale(text, text) IS
  'token scale of a CUR pricing_unit (1K tokens -> 1000, 1M tokens -> 1000000; Marketplace Units from the line item description); '
  'non-token units give scale 1 and is_tokens false; certainty is exact, assumed (Units without million/thousand: 1M assumed) or unknown';

CREATE FUNCTION bedrock_cost.token_count(usage_amount numeric, pricing_unit text, description text DEFAULT NULL)
RETURNS numeric
AS 'MODULE_PATHNAME', 'bc_sql_token_count'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.token_count(numeric, text, text) IS
  'tokens of a line item, exact: usage_amount x pricing_unit_scale(pricing_unit, description).scale; NULL for non-token units';

CREATE FUNCTION bedrock_cost.region_name(code text)
RETURNS text
AS 'MODULE_PATHNAME', 'bc_sql_region_name'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.region_name(text) IS
  'AWS region of a billing region code (USE1 -> us-east-1, EU -> eu-west-1, APS3 -> ap-south-1); NULL when unknown';

CREATE FUNCTION bedrock_cost.billing_regions(OUT code text, OUT region text, OUT location text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'bc_sql_billing_regions'
LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 40;
COMMENT ON FUNCTION bedrock_cost.billing_regions() IS
  'the billing region-code table used by region_name and parse_usage_type';
