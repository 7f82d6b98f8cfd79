/*-------------------------------------------------------------------------
 *
 * test_manifest.c
 *		CUR 2.0 manifest parsing: the generator's layout, s3 URIs and
 *		relative keys, create-new folders, local path safety, errors.
 *
 * IDENTIFICATION
 *		test/unit/test_manifest.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"
#include "manifest.h"

/* parse a string; returns status and sets *m (NULL on error) */
static bc_manifest_status
mp(const char *s, bc_manifest **m, bc_manifest_error *e)
{
	return bc_manifest_parse(s, strlen(s), m, e);
}

UNIT_TEST(manifest_generator_layout)
{
	/* the shape bedrock-cost-gen writes (create-new mode) */
	const char *s =
		"{\n  \"executionId\": \"0f3c2a10-7d1e-4c55-9a3b-2b8e9c1d4e5f\",\n"
		"  \"billingPeriod\": {\n    \"start\": \"20260401T000000.000Z\",\n    \"end\": \"20260501T000000.000Z\"\n  },\n"
		"  \"dataFiles\": [\n"
		"    \"s3://my-bucket/cur/my-export/data/BILLING_PERIOD=2026-04/20260412T0315Z-0f3c2a10/my-export-00001.csv.gz\",\n"
		"    \"s3://my-bucket/cur/my-export/data/BILLING_PERIOD=2026-04/20260412T0315Z-0f3c2a10/my-export-00002.csv.gz\"\n  ],\n"
		"  \"columns\": [\n    {\"name\": \"bill_payer_account_id\", \"type\": \"string\"},\n"
		"    {\"name\": \"line_item_unblended_cost\", \"type\": \"double\"},\n    {\"name\": \"tags\", \"type\": \"map<string,string>\"}\n  ]\n}\n";
	bc_manifest *m;
	bc_manifest_error e;

	CHECK_INT_EQ(mp(s, &m, &e), BC_MANIFEST_OK);
	if (!m)
		return;
	CHECK_STR_EQ(m->execution_id, "0f3c2a10-7d1e-4c55-9a3b-2b8e9c1d4e5f");
	CHECK_STR_EQ(m->period_start, "20260401T000000.000Z");
	CHECK_STR_EQ(m->period_end, "20260501T000000.000Z");
	CHECK_STR_EQ(m->billing_period, "2026-04-01");
	CHECK_INT_EQ(m->nfiles, 2);
	CHECK_STR_EQ(m->files[0].uri, "s3://my-bucket/cur/my-export/data/BILLING_PERIOD=2026-04/20260412T0315Z-0f3c2a10/my-export-00001.csv.gz");
	CHECK_STR_EQ(m->files[0].local, "data/BILLING_PERIOD=2026-04/20260412T0315Z-0f3c2a10/my-export-00001.csv.gz");
	CHECK_STR_EQ(m->files[1].local, "data/BILLING_PERIOD=2026-04/20260412T0315Z-0f3c2a10/my-export-00002.csv.gz");
	CHECK_INT_EQ(m->ncolumns, 3);
	CHECK_STR_EQ(m->column_names[2], "tags");
	CHECK_STR_EQ(m->column_types[2], "map<string,string>");
	CHECK(bc_manifest_has_column(m, "line_item_unblended_cost"));
	CHECK(!bc_manifest_has_column(m, "line_item_iam_principal"));
	bc_manifest_free(m);
}

UNIT_TEST(manifest_relative_keys_legacy_names)
{
	const char *s = "{\"assemblyId\":\"a1\",\"billingPeriod\":{\"start\":\"2026-03-01T00:00:00Z\"},"
		"\"reportKeys\":[\"cur/x/data/BILLING_PERIOD=2026-03/x-00001.csv.gz\",\"data/BILLING_PERIOD=2026-03/x-00002.csv.gz\"],"
		"\"columns\":[\"a\",\"b\"],\"unknown\":{\"deep\":[1,2,{}]}}";
	bc_manifest *m;
	bc_manifest_error e;

	CHECK_INT_EQ(mp(s, &m, &e), BC_MANIFEST_OK);
	if (!m)
		return;
	CHECK_STR_EQ(m->execution_id, "a1");
	CHECK(m->period_end == NULL);
	CHECK_STR_EQ(m->billing_period, "2026-03-01");
	CHECK_STR_EQ(m->files[0].local, "data/BILLING_PERIOD=2026-03/x-00001.csv.gz");
	CHECK_STR_EQ(m->files[1].local, "data/BILLING_PERIOD=2026-03/x-00002.csv.gz");
	CHECK_INT_EQ(m->ncolumns, 2);
	CHECK_STR_EQ(m->column_names[1], "b");
	CHECK(m->column_types[1] == NULL);
	bc_manifest_free(m);

	/* no files and no columns is a valid (empty) delivery */
	CHECK_INT_EQ(mp("{\"executionId\":\"e\",\"billingPeriod\":{\"start\":\"2026-03-01T00:00:00.000Z\"},\"dataFiles\":[]}", &m, &e), BC_MANIFEST_OK);
	if (m)
	{
		CHECK_INT_EQ(m->nfiles, 0);
		CHECK_INT_EQ(m->ncolumns, 0);
		bc_manifest_free(m);
	}
}

UNIT_TEST(manifest_local_path_rules)
{
	char		b[256];

	CHECK_INT_EQ(bc_manifest_local_path("s3://b/p/e/data/BILLING_PERIOD=2026-04/e-00001.csv.gz", "2026-04", b, sizeof(b)), BC_MANIFEST_OK);
	CHECK_STR_EQ(b, "data/BILLING_PERIOD=2026-04/e-00001.csv.gz");
	/* the last data/BILLING_PERIOD= component wins */
	CHECK_INT_EQ(bc_manifest_local_path("s3://b/data/BILLING_PERIOD=2026-04/x/data/BILLING_PERIOD=2026-04/f.gz", NULL, b, sizeof(b)), BC_MANIFEST_OK);
	CHECK_STR_EQ(b, "data/BILLING_PERIOD=2026-04/f.gz");
	/* "mydata/BILLING_PERIOD=" is not the component */
	CHECK_INT_EQ(bc_manifest_local_path("s3://b/mydata/BILLING_PERIOD=2026-04/f.gz", NULL, b, sizeof(b)), BC_MANIFEST_BAD_FILE);
	CHECK_INT_EQ(bc_manifest_local_path("s3://b/e/f.csv.gz", NULL, b, sizeof(b)), BC_MANIFEST_BAD_FILE);
	CHECK_INT_EQ(bc_manifest_local_path("data/BILLING_PERIOD=2026-04/../../etc/passwd", NULL, b, sizeof(b)), BC_MANIFEST_BAD_FILE);
	CHECK_INT_EQ(bc_manifest_local_path("data/BILLING_PERIOD=2026-04/./f.gz", NULL, b, sizeof(b)), BC_MANIFEST_BAD_FILE);
	CHECK_INT_EQ(bc_manifest_local_path("data/BILLING_PERIOD=2026-04//f.gz", NULL, b, sizeof(b)), BC_MANIFEST_BAD_FILE);
	CHECK_INT_EQ(bc_manifest_local_path("data/BILLING_PERIOD=2026-04/", NULL, b, sizeof(b)), BC_MANIFEST_BAD_FILE);
	CHECK_INT_EQ(bc_manifest_local_path("data/BILLING_PERIOD=2026-04/a\\b.gz", NULL, b, sizeof(b)), BC_MANIFEST_BAD_FILE);
	CHECK_INT_EQ(bc_manifest_local_path("data/BILLING_PERIOD=2026-04/a\nb.gz", NULL, b, sizeof(b)), BC_MANIFEST_BAD_FILE);
	CHECK_INT_EQ(bc_manifest_local_path("data/BILLING_PERIOD=2026-4/f.gz", NULL, b, sizeof(b)), BC_MANIFEST_BAD_FILE);
	CHECK_INT_EQ(bc_manifest_local_path("data/BILLING_PERIOD=2026-05/f.gz", "2026-04", b, sizeof(b)), BC_MANIFEST_BAD_FILE);
	CHECK_INT_EQ(bc_manifest_local_path("data/BILLING_PERIOD=2026-04/f.gz", NULL, b, 10), BC_MANIFEST_BAD_FILE);
}

UNIT_TEST(manifest_errors)
{
	bc_manifest *m;
	bc_manifest_error e;

	CHECK_INT_EQ(mp("", &m, &e), BC_MANIFEST_JSON);
	CHECK(m == NULL);
	CHECK_INT_EQ(mp("{\"executionId\":\"x\",", &m, &e), BC_MANIFEST_JSON);
	CHECK_INT_EQ(e.offset, 19);
	CHECK_STR_EQ(e.message, "manifest is not valid JSON");
	CHECK_STR_EQ(e.detail, "invalid JSON syntax");
	CHECK_INT_EQ(mp("[]", &m, &e), BC_MANIFEST_NOT_OBJECT);
	CHECK_INT_EQ(mp("{\"billingPeriod\":{\"start\":\"2026-03-01T00:00:00Z\"},\"dataFiles\":[]}", &m, &e), BC_MANIFEST_MISSING_KEY);
	CHECK_STR_EQ(e.detail, "executionId");
	CHECK_INT_EQ(mp("{\"executionId\":\"\",\"billingPeriod\":{\"start\":\"2026-03-01T00:00:00Z\"},\"dataFiles\":[]}", &m, &e), BC_MANIFEST_BAD_EXECUTION_ID);
	CHECK_INT_EQ(mp("{\"executionId\":7,\"billingPeriod\":{\"start\":\"2026-03-01T00:00:00Z\"},\"dataFiles\":[]}", &m, &e), BC_MANIFEST_BAD_TYPE);
	CHECK_INT_EQ(mp("{\"executionId\":\"x\",\"dataFiles\":[]}", &m, &e), BC_MANIFEST_MISSING_KEY);
	CHECK_STR_EQ(e.detail, "billingPeriod");
	CHECK_INT_EQ(mp("{\"executionId\":\"x\",\"billingPeriod\":{}, \"dataFiles\":[]}", &m, &e), BC_MANIFEST_MISSING_KEY);
	CHECK_STR_EQ(e.detail, "billingPeriod.start");
	CHECK_INT_EQ(mp("{\"executionId\":\"x\",\"billingPeriod\":{\"start\":\"2026-03-02T00:00:00Z\"},\"dataFiles\":[]}", &m, &e), BC_MANIFEST_BAD_PERIOD);
	CHECK_STR_EQ(e.detail, "2026-03-02T00:00:00Z");
	CHECK_INT_EQ(mp("{\"executionId\":\"x\",\"billingPeriod\":{\"start\":\"March\"},\"dataFiles\":[]}", &m, &e), BC_MANIFEST_BAD_PERIOD);
	CHECK_INT_EQ(mp("{\"executionId\":\"x\",\"billingPeriod\":{\"start\":\"2026-03-01T00:00:00Z\"}}", &m, &e), BC_MANIFEST_MISSING_KEY);
	CHECK_STR_EQ(e.detail, "dataFiles");
	CHECK_INT_EQ(mp("{\"executionId\":\"x\",\"billingPeriod\":{\"start\":\"2026-03-01T00:00:00Z\"},\"dataFiles\":\"f\"}", &m, &e), BC_MANIFEST_BAD_TYPE);
	CHECK_INT_EQ(mp("{\"executionId\":\"x\",\"billingPeriod\":{\"start\":\"2026-03-01T00:00:00Z\"},\"dataFiles\":[1]}", &m, &e), BC_MANIFEST_BAD_TYPE);
	CHECK_INT_EQ(mp("{\"executionId\":\"x\",\"billingPeriod\":{\"start\":\"2026-03-01T00:00:00Z\"},\"dataFiles\":[\"s3://b/k.csv.gz\"]}", &m, &e), BC_MANIFEST_BAD_FILE);
	CHECK_STR_EQ(e.detail, "s3://b/k.csv.gz");
	CHECK_INT_EQ(mp("{\"executionId\":\"x\",\"billingPeriod\":{\"start\":\"2026-03-01T00:00:00Z\"},\"dataFiles\":[\"data/BILLING_PERIOD=2026-04/f.gz\"]}", &m, &e), BC_MANIFEST_BAD_FILE);
	CHECK_INT_EQ(mp("{\"executionId\":\"x\",\"billingPeriod\":{\"start\":\"2026-03-01T00:00:00Z\"},\"dataFiles\":"
					"[\"s3://a/data/BILLING_PERIOD=2026-03/f.gz\",\"s3://b/data/BILLING_PERIOD=2026-03/g.gz\",\"data/BILLING_PERIOD=2026-03/f.gz\"]}", &m, &e),
				 BC_MANIFEST_DUPLICATE_FILE);
	CHECK_STR_EQ(e.detail, "data/BILLING_PERIOD=2026-03/f.gz");
	CHECK_INT_EQ(mp("{\"executionId\":\"x\",\"billingPeriod\":{\"start\":\"2026-03-01T00:00:00Z\"},\"dataFiles\":[],\"columns\":{}}", &m, &e), BC_MANIFEST_BAD_TYPE);
	CHECK_INT_EQ(mp("{\"executionId\":\"x\",\"billingPeriod\":{\"start\":\"2026-03-01T00:00:00Z\"},\"dataFiles\":[],\"columns\":[{\"type\":\"t\"}]}", &m, &e), BC_MANIFEST_BAD_TYPE);
	CHECK_STR_EQ(e.detail, "columns[].name");
}

/* build {"executionId":<exec>,"billingPeriod":{...},"dataFiles":<files><extra>} */
static bc_manifest_status
mk(const char *exec, const char *files, const char *extra, bc_manifest **m, bc_manifest_error *e)
{
	char	   *s = NULL;
	bc_manifest_status st;

	if (asprintf(&s, "{\"executionId\":%s,\"billingPeriod\":{\"start\":\"2026-03-01T00:00:00Z\"},"
				 "\"dataFiles\":%s%s}", exec, files, extra) < 0)
		return BC_MANIFEST_NOMEM;
	st = bc_manifest_parse(s, strlen(s), m, e);
	free(s);
	if (*m)
		bc_manifest_free(*m);
	return st;
}

UNIT_TEST(manifest_strict)
{
	bc_manifest *m = NULL;
	bc_manifest_error e;
	const char *f = "[\"data/BILLING_PERIOD=2026-03/f.gz\"]";
	char	   *long_id;

	/* a key twice, however spelled, is refused: a lax reader would load files twice */
	CHECK_INT_EQ(mk("\"x\"", f, ",\"dataFiles\":[\"data/BILLING_PERIOD=2026-03/g.gz\"]", &m, &e),
				 BC_MANIFEST_DUPLICATE_KEY);
	CHECK_STR_EQ(e.detail, "dataFiles");
	CHECK_STR_EQ(e.message, "manifest has a key twice");
	CHECK_INT_EQ(mk("\"x\"", f, ",\"data\\u0046iles\":[]", &m, &e), BC_MANIFEST_DUPLICATE_KEY);
	CHECK_STR_EQ(e.detail, "dataFiles");
	CHECK_INT_EQ(mk("\"x\"", f, ",\"reportKeys\":[]", &m, &e), BC_MANIFEST_DUPLICATE_KEY);
	CHECK_STR_EQ(e.detail, "dataFiles");
	CHECK_INT_EQ(mk("\"x\"", f, ",\"assemblyId\":\"y\"", &m, &e), BC_MANIFEST_DUPLICATE_KEY);
	CHECK_STR_EQ(e.detail, "executionId");
	CHECK_INT_EQ(mk("\"x\"", f, ",\"executionId\":\"x\"", &m, &e), BC_MANIFEST_DUPLICATE_KEY);
	CHECK_INT_EQ(bc_manifest_parse("{\"executionId\":\"x\",\"billingPeriod\":{\"start\":\"2026-03-01T00:00:00Z\",\"start\":\"2026-04-01T00:00:00Z\"},\"dataFiles\":[]}",
								   strlen("{\"executionId\":\"x\",\"billingPeriod\":{\"start\":\"2026-03-01T00:00:00Z\",\"start\":\"2026-04-01T00:00:00Z\"},\"dataFiles\":[]}"), &m, &e),
				 BC_MANIFEST_DUPLICATE_KEY);
	CHECK_STR_EQ(e.detail, "billingPeriod.start");
	/* nested arrays and a string dataFiles are not file lists */
	CHECK_INT_EQ(mk("\"x\"", "[\"data/BILLING_PERIOD=2026-03/f.gz\",[\"data/BILLING_PERIOD=2026-03/g.gz\"]]", "", &m, &e),
				 BC_MANIFEST_BAD_TYPE);
	CHECK_INT_EQ(mk("\"x\"", "\"data/BILLING_PERIOD=2026-03/f.gz\"", ",\"other\":\"data/BILLING_PERIOD=2026-03/g.gz\"", &m, &e),
				 BC_MANIFEST_BAD_TYPE);
	/* the same file twice: relative and as an s3:// URL */
	CHECK_INT_EQ(mk("\"x\"", "[\"data/BILLING_PERIOD=2026-03/f.gz\",\"s3://b/p/e/data/BILLING_PERIOD=2026-03/f.gz\"]", "", &m, &e),
				 BC_MANIFEST_DUPLICATE_FILE);
	/* executionId: bounded, no control characters */
	long_id = malloc(BC_MANIFEST_MAX_EXECUTION_ID + 4);
	memset(long_id, 'a', BC_MANIFEST_MAX_EXECUTION_ID + 3);
	long_id[0] = '"';
	long_id[BC_MANIFEST_MAX_EXECUTION_ID + 2] = '"';
	long_id[BC_MANIFEST_MAX_EXECUTION_ID + 3] = '\0';
	CHECK_INT_EQ(mk(long_id, f, "", &m, &e), BC_MANIFEST_BAD_EXECUTION_ID);
	long_id[BC_MANIFEST_MAX_EXECUTION_ID + 1] = '"';
	long_id[BC_MANIFEST_MAX_EXECUTION_ID + 2] = '\0';
	CHECK_INT_EQ(mk(long_id, f, "", &m, &e), BC_MANIFEST_OK);
	free(long_id);
	CHECK_INT_EQ(mk("\"a\\nb\"", f, "", &m, &e), BC_MANIFEST_BAD_EXECUTION_ID);
	/* unknown keys (AWS adds some) stay accepted */
	CHECK_INT_EQ(mk("\"x\"", f, ",\"compression\":\"GZIP\",\"bucket\":{\"a\":[1,{}]}", &m, &e), BC_MANIFEST_OK);
}

UNIT_TEST(manifest_escaped_strings)
{
	const char *s = "{\"executionId\":\"ex\\u002d1\",\"billingPeriod\":{\"start\":\"2025-12-01T00:00:00Z\",\"end\":\"2026-01-01T00:00:00Z\"},"
		"\"dataFiles\":[\"s3://b/e/data/BILLING_PERIOD=2025-12/e-00001.csv.gz\"]}";
	bc_manifest *m;
	bc_manifest_error e;

	CHECK_INT_EQ(mp(s, &m, &e), BC_MANIFEST_OK);
	if (m)
	{
		CHECK_STR_EQ(m->execution_id, "ex-1");
		CHECK_STR_EQ(m->billing_period, "2025-12-01");
		CHECK_STR_EQ(m->files[0].local, "data/BILLING_PERIOD=2025-12/e-00001.csv.gz");
		bc_manifest_free(m);
	}
	bc_manifest_free(NULL);
}
