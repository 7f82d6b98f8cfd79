/*
 * 00_schema.sql: the install script's guard and the extension's basics.
 * The install script bedrock_cost--<version>.sql is assembled from the
 * fragments in sql/install/ in name order; the Makefile replaces the word
 * EXTVERSION between at signs with the version of bedrock_cost.control, the
 * one place the version is written.
 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION bedrock_cost" to load this file. \quit

CREATE SCHEMA bedrock_cost;
COMMENT ON SCHEMA bedrock_cost IS
  'bedrock_cost: per-IAM-principal chargeback of Amazon Bedrock spend from AWS CUR 2.0 exports';

CREATE FUNCTION bedrock_cost.version()
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT '@EXTVERSION@'::text $$;
COMMENT ON FUNCTION bedrock_cost.version() IS
  'version of the installed bedrock_cost SQL objects';
