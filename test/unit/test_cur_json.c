/*-------------------------------------------------------------------------
 *
 * test_cur_json.c
 *		Strict JSON validation, CUR map lookups, iteration of
 *		iamPrincipal/ keys, escapes and \u decoding, error offsets.
 *
 * IDENTIFICATION
 *		test/unit/test_cur_json.c
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"
#include "cur_json.h"

/* validate s as a map; returns status, errpos into *pos */
static bc_json_status
mv(const char *s, size_t *pos)
{
	return bc_json_map_validate(s, strlen(s), pos);
}

UNIT_TEST(json_map_valid)
{
	size_t		pos;

	CHECK_INT_EQ(mv("", &pos), BC_JSON_OK);
	CHECK_INT_EQ(mv("{}", &pos), BC_JSON_OK);
	CHECK_INT_EQ(mv(" { } ", &pos), BC_JSON_OK);
	CHECK_INT_EQ(mv("{\"product_name\":\"Amazon Bedrock\"}", &pos), BC_JSON_OK);
	CHECK_INT_EQ(mv("{\"a\":\"b\", \"c\" : \"d\"}", &pos), BC_JSON_OK);
	CHECK_INT_EQ(mv("{\"edp_discount\":-0.05,\"x\":1e-7,\"y\":0,\"z\":null,\"t\":true}", &pos), BC_JSON_OK);
	CHECK_INT_EQ(mv("{\"k\":\"caf\xC3\xA9 \\u00e9 \\ud83d\\ude00 \\n\\t\\\"\\\\\\/\"}", &pos), BC_JSON_OK);
	CHECK_INT_EQ(mv("{\"a\":\"1\",\"a\":\"2\"}", &pos), BC_JSON_OK);
}

UNIT_TEST(json_map_invalid)
{
	size_t		pos;

	CHECK_INT_EQ(mv("{", &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(pos, 1);
	CHECK_INT_EQ(mv("{\"a\"}", &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(pos, 4);
	CHECK_INT_EQ(mv("{\"a\":}", &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(mv("{\"a\":\"b\",}", &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(pos, 9);
	CHECK_INT_EQ(mv("{,}", &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(mv("{'a':'b'}", &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(mv("{a:\"b\"}", &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(mv("{\"a\":\"b\"} x", &pos), BC_JSON_TRAILING);
	CHECK_INT_EQ(pos, 10);
	CHECK_INT_EQ(mv("{\"a\":\"b\"}{}", &pos), BC_JSON_TRAILING);
	CHECK_INT_EQ(mv("[]", &pos), BC_JSON_NOT_OBJECT);
	CHECK_INT_EQ(mv("\"x\"", &pos), BC_JSON_NOT_OBJECT);
	CHECK_INT_EQ(mv("   ", &pos), BC_JSON_NOT_OBJECT);
	CHECK_INT_EQ(mv("{\"a\":{\"b\":\"c\"}}", &pos), BC_JSON_NOT_SCALAR);
	CHECK_INT_EQ(pos, 5);
	CHECK_INT_EQ(mv("{\"a\":[1]}", &pos), BC_JSON_NOT_SCALAR);
	CHECK_INT_EQ(mv("{\"a\":\"b\nc\"}", &pos), BC_JSON_STRING);
	CHECK_INT_EQ(pos, 7);
	CHECK_INT_EQ(mv("{\"a\":\"\\x\"}", &pos), BC_JSON_STRING);
	CHECK_INT_EQ(mv("{\"a\":\"\\u12G4\"}", &pos), BC_JSON_STRING);
	CHECK_INT_EQ(mv("{\"a\":\"\\u0000\"}", &pos), BC_JSON_STRING);
	CHECK_INT_EQ(mv("{\"a\":\"\\ud83d\"}", &pos), BC_JSON_UTF8);
	CHECK_INT_EQ(mv("{\"a\":\"\\ud83dx\"}", &pos), BC_JSON_UTF8);
	CHECK_INT_EQ(mv("{\"a\":\"\\ude00\"}", &pos), BC_JSON_UTF8);
	CHECK_INT_EQ(mv("{\"a\":\"\\ud83d\\u0041\"}", &pos), BC_JSON_UTF8);
	CHECK_INT_EQ(mv("{\"a\":\"\xC3\"}", &pos), BC_JSON_UTF8);
	CHECK_INT_EQ(pos, 6);
	CHECK_INT_EQ(mv("{\"a\":\"\xED\xA0\x80\"}", &pos), BC_JSON_UTF8);
	CHECK_INT_EQ(mv("{\"a\":01}", &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(mv("{\"a\":1.}", &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(mv("{\"a\":.5}", &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(mv("{\"a\":+1}", &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(mv("{\"a\":1e}", &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(mv("{\"a\":tru}", &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(mv("{\"a\":NaN}", &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(mv("{\"a\":\"b\"", &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(mv("{\"a\":\"b", &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(mv("{\"a\":\"b\\", &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(mv("{\"a\" \"b\"}", &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(mv("{\"a\":\"b\" \"c\":\"d\"}", &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(mv("{/*c*/}", &pos), BC_JSON_SYNTAX);
	CHECK_STR_EQ(bc_json_strerror(BC_JSON_NOT_SCALAR), "JSON map value is an object or array");
}

UNIT_TEST(json_map_get)
{
	const char *prod = "{\"product_name\":\"Claude 4.6 Sonnet (Amazon Bedrock Edition)\",\"region\":\"us-east-1\"}";
	char		buf[128];
	size_t		n;
	bool		found;
	bool		isnull;
	size_t		pos;

	CHECK_INT_EQ(bc_json_map_get(prod, strlen(prod), "product_name", 12, buf, sizeof(buf), &n, &found, &isnull, &pos), BC_JSON_OK);
	CHECK(found);
	CHECK(!isnull);
	CHECK_STR_EQ(buf, "Claude 4.6 Sonnet (Amazon Bedrock Edition)");
	CHECK_INT_EQ(n, 42);
	CHECK_INT_EQ(bc_json_map_get(prod, strlen(prod), "product", 7, buf, sizeof(buf), &n, &found, &isnull, &pos), BC_JSON_OK);
	CHECK(!found);
	CHECK_STR_EQ(buf, "");
	CHECK_INT_EQ(bc_json_map_get("", 0, "a", 1, buf, sizeof(buf), &n, &found, &isnull, &pos), BC_JSON_OK);
	CHECK(!found);
	CHECK_INT_EQ(bc_json_map_get("{}", 2, "a", 1, buf, sizeof(buf), &n, &found, &isnull, &pos), BC_JSON_OK);
	CHECK(!found);
	{
		/* escaped key matches its decoded form; value with escapes decoded */
		const char *m = "{\"iamPrincipal\\/team\":\"ML \\u00e9quipe \\ud83d\\ude00\",\"d\":-0.05,\"z\":null,\"dup\":\"1\",\"dup\":\"2\"}";

		CHECK_INT_EQ(bc_json_map_get(m, strlen(m), "iamPrincipal/team", 17, buf, sizeof(buf), &n, &found, &isnull, &pos), BC_JSON_OK);
		CHECK(found);
		CHECK_STR_EQ(buf, "ML \xC3\xA9quipe \xF0\x9F\x98\x80");
		CHECK_INT_EQ(bc_json_map_get(m, strlen(m), "d", 1, buf, sizeof(buf), &n, &found, &isnull, &pos), BC_JSON_OK);
		CHECK_STR_EQ(buf, "-0.05");
		CHECK_INT_EQ(bc_json_map_get(m, strlen(m), "z", 1, buf, sizeof(buf), &n, &found, &isnull, &pos), BC_JSON_OK);
		CHECK(found);
		CHECK(isnull);
		CHECK_INT_EQ(n, 0);
		CHECK_INT_EQ(bc_json_map_get(m, strlen(m), "dup", 3, buf, sizeof(buf), &n, &found, &isnull, &pos), BC_JSON_OK);
		CHECK_STR_EQ(buf, "1");
		/* buffer too small */
		CHECK_INT_EQ(bc_json_map_get(m, strlen(m), "iamPrincipal/team", 17, buf, 5, &n, &found, &isnull, &pos), BC_JSON_TOO_LONG);
		CHECK_STR_EQ(buf, "");
	}
	CHECK_INT_EQ(bc_json_map_get("{\"a\":", 5, "a", 1, buf, sizeof(buf), &n, &found, &isnull, &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(pos, 5);
}

UNIT_TEST(json_iterate_prefix)
{
	const char *tags = "{\"resourceTags/user_app\":\"x\",\"iamPrincipal/team\":\"BedrockDataScience\","
		"\"iamPrincipal/cost-center\":\"12345\",\"accountTag/department\":\"teamC\",\"iamPrincipal\":\"no-slash\"}";
	bc_json_value obj;
	bc_json_value k;
	bc_json_value v;
	bc_json_iter it;
	char		kb[64];
	char		vb[64];
	char		all[256] = "";
	int			count = 0;

	CHECK_INT_EQ(bc_json_parse_value(tags, strlen(tags), &obj, NULL), BC_JSON_OK);
	CHECK_INT_EQ(bc_json_iter_object(&it, &obj), BC_JSON_OK);
	while (bc_json_next(&it, &k, &v))
	{
		count++;
		if (!bc_json_string_has_prefix(&k, "iamPrincipal/", 13))
			continue;
		bc_json_decode(&k, kb, sizeof(kb), NULL);
		bc_json_decode(&v, vb, sizeof(vb), NULL);
		strcat(all, kb + 13);
		strcat(all, "=");
		strcat(all, vb);
		strcat(all, ";");
	}
	CHECK_INT_EQ(count, 5);
	CHECK_STR_EQ(all, "team=BedrockDataScience;cost-center=12345;");
	CHECK(!bc_json_next(&it, &k, &v));
	CHECK_INT_EQ(bc_json_iter_array(&it, &obj), BC_JSON_NOT_ARRAY);
}

UNIT_TEST(json_generic_values)
{
	const char *doc = " {\"executionId\":\"abc\",\"n\":[1,\"two\",{\"x\":[]},null,true,false,-1.5e3],\"o\":{}} ";
	bc_json_value root;
	bc_json_value k;
	bc_json_value v;
	bc_json_value e;
	bc_json_iter it;
	bc_json_iter ai;
	size_t		pos;
	int			types[8];
	int			n = 0;

	CHECK_INT_EQ(bc_json_validate(doc, strlen(doc), &pos), BC_JSON_OK);
	CHECK_INT_EQ(bc_json_parse_value(doc, strlen(doc), &root, &pos), BC_JSON_OK);
	CHECK_INT_EQ(root.type, BC_JSON_T_OBJECT);
	CHECK_INT_EQ(root.offset, 1);
	bc_json_iter_object(&it, &root);
	CHECK(bc_json_next(&it, &k, &v));
	CHECK(bc_json_string_eq(&k, "executionId", 11));
	CHECK(!bc_json_string_eq(&k, "executionI", 10));
	CHECK(!bc_json_string_eq(&k, "executionIdx", 12));
	CHECK_INT_EQ(v.offset, 16);
	CHECK(bc_json_next(&it, &k, &v));
	CHECK_INT_EQ(v.type, BC_JSON_T_ARRAY);
	CHECK_INT_EQ(bc_json_iter_array(&ai, &v), BC_JSON_OK);
	while (bc_json_next(&ai, NULL, &e) && n < 8)
		types[n++] = e.type;
	CHECK_INT_EQ(n, 7);
	CHECK_INT_EQ(types[0], BC_JSON_T_NUMBER);
	CHECK_INT_EQ(types[1], BC_JSON_T_STRING);
	CHECK_INT_EQ(types[2], BC_JSON_T_OBJECT);
	CHECK_INT_EQ(types[3], BC_JSON_T_NULL);
	CHECK_INT_EQ(types[4], BC_JSON_T_TRUE);
	CHECK_INT_EQ(types[5], BC_JSON_T_FALSE);
	CHECK_INT_EQ(types[6], BC_JSON_T_NUMBER);
	CHECK(bc_json_next(&it, &k, &v));
	CHECK_INT_EQ(v.type, BC_JSON_T_OBJECT);
	CHECK(!bc_json_next(&it, &k, &v));
	{
		/* nesting limit */
		char		deep[200];
		int			d;

		for (d = 0; d < 70; d++)
			deep[d] = '[';
		for (; d < 140; d++)
			deep[d] = ']';
		CHECK_INT_EQ(bc_json_validate(deep, 140, &pos), BC_JSON_DEPTH);
		CHECK_INT_EQ(pos, 64);
		CHECK_INT_EQ(bc_json_validate(deep + 6, 128, &pos), BC_JSON_OK);
	}
	CHECK_INT_EQ(bc_json_validate("", 0, &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(bc_json_validate("[1,]", 4, &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(bc_json_validate("[1 2]", 5, &pos), BC_JSON_SYNTAX);
	CHECK_INT_EQ(bc_json_validate("\"a\"", 3, &pos), BC_JSON_OK);
	{
		char		b[8];
		size_t		l;
		bc_json_value sv;

		bc_json_parse_value("12.5", 4, &sv, NULL);
		CHECK_INT_EQ(bc_json_decode(&sv, b, sizeof(b), &l), BC_JSON_OK);
		CHECK_STR_EQ(b, "12.5");
	}
}
