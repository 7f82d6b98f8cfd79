/*-------------------------------------------------------------------------
 *
 * test_jsonb_text.c
 *		The jsonb text of CUR maps: key order, duplicate keys, escapes,
 *		literals, and the maps it refuses.  Every expected text is what
 *		PostgreSQL 15 prints for the same input cast to jsonb.
 *
 * IDENTIFICATION
 *		test/unit/test_jsonb_text.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>

#include "unit.h"
#include "jsonb_text.h"

/* the jsonb text of s appended to "<", or the status as "!N" */
static char *
jt(const char *s)
{
	bc_buf		b;
	bc_jsonb_text_status st;
	char	   *out;

	bc_buf_init(&b);
	bc_buf_putc(&b, '<');
	st = bc_jsonb_map_text(s, strlen(s), &b);
	if (st != BC_JSONB_TEXT_OK)
		bc_buf_printf(&b, "!%d", (int) st);
	out = malloc(b.len + 1);
	memcpy(out, b.data, b.len);
	out[b.len] = '\0';
	bc_buf_free(&b);
	return out;
}

#define CHECK_JT(in, want) \
	do { char *j_ = jt(in); CHECK_STR_EQ(j_, want); free(j_); } while (0)

UNIT_TEST(jsonb_text_order)
{
	CHECK_JT("", "<{}");
	CHECK_JT("{}", "<{}");
	CHECK_JT(" { } ", "<{}");
	CHECK_JT(" { \"b\" : \"x\" , \"a\":\"y\" } ", "<{\"a\": \"y\", \"b\": \"x\"}");
	/* shorter keys first, then bytewise */
	CHECK_JT("{\"bb\":\"1\",\"a\":\"2\",\"c\":\"3\",\"aa\":\"4\"}",
			 "<{\"a\": \"2\", \"c\": \"3\", \"aa\": \"4\", \"bb\": \"1\"}");
	/* bytewise on the decoded UTF-8: z, e-acute (2 bytes), U+1F600 (4 bytes) */
	CHECK_JT("{\"\\ud83d\\ude00\":\"x\",\"\xc3\xa9\":\"y\",\"z\":\"w\"}",
			 "<{\"z\": \"w\", \"\xc3\xa9\": \"y\", \"\xf0\x9f\x98\x80\": \"x\"}");
}

UNIT_TEST(jsonb_text_duplicates)
{
	/* the last value of a key wins */
	CHECK_JT("{\"a\":\"1\",\"a\":\"2\"}", "<{\"a\": \"2\"}");
	CHECK_JT("{\"iamPrincipal/team\":\"ml\",\"user:CostCenter\":\"cc-1\",\"iamPrincipal/team\":\"data\"}",
			 "<{\"user:CostCenter\": \"cc-1\", \"iamPrincipal/team\": \"data\"}");
	/* a key spelled with an escape is the same key */
	CHECK_JT("{\"\\u0061\":\"1\",\"a\":\"2\",\"b\":\"3\"}", "<{\"a\": \"2\", \"b\": \"3\"}");
}

UNIT_TEST(jsonb_text_escapes)
{
	CHECK_JT("{\"k\":\"\\u0041\\n\\/\\u00e9\\u001f\\t\\\"\\\\\",\"\\u00e9\":false}",
			 "<{\"k\": \"A\\n/\xc3\xa9\\u001f\\t\\\"\\\\\", \"\xc3\xa9\": false}");
	CHECK_JT("{\"t\":true,\"n\":null,\"f\":false}", "<{\"f\": false, \"n\": null, \"t\": true}");
}

UNIT_TEST(jsonb_text_refused)
{
	char		buf[8];
	bc_buf		b;

	/* numbers: jsonb compares them as numeric */
	CHECK_JT("{\"a\":1}", "<!1");
	CHECK_JT("{\"a\":\"x\",\"b\":1.0}", "<!1");
	/* not a map */
	CHECK_JT("{\"a\":{}}", "<!2");
	CHECK_JT("[\"a\"]", "<!2");
	CHECK_JT("{\"a\":\"x\"", "<!2");
	/* a refused map leaves the buffer as it was */
	bc_buf_init(&b);
	bc_buf_put(&b, "abc", 3);
	CHECK_INT_EQ(bc_jsonb_map_text("{\"a\":\"x\",\"b\":2}", 15, &b), BC_JSONB_TEXT_NUMBER);
	CHECK_INT_EQ(b.len, 3);
	memcpy(buf, b.data, 3);
	CHECK(memcmp(buf, "abc", 3) == 0);
	bc_buf_free(&b);
}
