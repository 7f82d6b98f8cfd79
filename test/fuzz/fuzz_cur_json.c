/*-------------------------------------------------------------------------
 *
 * fuzz_cur_json.c
 *		libFuzzer harness of the JSON validator/iterator: validation and
 *		map validation must agree with iteration; every decoded key must
 *		compare equal to itself through bc_json_string_eq and contain no
 *		NUL; map lookups of each key must succeed.
 *
 * IDENTIFICATION
 *		test/fuzz/fuzz_cur_json.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cur_json.h"

static char kbuf[65536];
static char vbuf[65536];

/* walk a validated value recursively */
static void
walk(const bc_json_value *v, int depth)
{
	bc_json_iter it;
	bc_json_value k;
	bc_json_value e;
	size_t		n;

	if (depth > BC_JSON_MAX_DEPTH + 1)
		abort();
	if (v->type == BC_JSON_T_STRING)
	{
		if (bc_json_decode(v, vbuf, sizeof(vbuf), &n) != BC_JSON_OK || strlen(vbuf) != n)
			abort();
		if (!bc_json_string_eq(v, vbuf, n) || !bc_json_string_has_prefix(v, vbuf, n / 2))
			abort();
		return;
	}
	if (v->type == BC_JSON_T_OBJECT)
	{
		bc_json_iter_object(&it, v);
		while (bc_json_next(&it, &k, &e))
		{
			if (k.type != BC_JSON_T_STRING)
				abort();
			walk(&k, depth + 1);
			walk(&e, depth + 1);
		}
	}
	else if (v->type == BC_JSON_T_ARRAY)
	{
		bc_json_iter_array(&it, v);
		while (bc_json_next(&it, NULL, &e))
			walk(&e, depth + 1);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;
	size_t		pos;
	bc_json_value root;
	bc_json_status vs = bc_json_validate(s, size, &pos);
	bc_json_status ps = bc_json_parse_value(s, size, &root, &pos);
	bc_json_status ms = bc_json_map_validate(s, size, &pos);

	if (vs != ps || pos > size)
		abort();
	if (ms == BC_JSON_OK && size > 0 && vs != BC_JSON_OK)
		abort();
	if (ps != BC_JSON_OK)
		return 0;
	walk(&root, 0);
	if (ms == BC_JSON_OK && root.type == BC_JSON_T_OBJECT)
	{
		bc_json_iter it;
		bc_json_value k;
		bc_json_value v;

		bc_json_iter_object(&it, &root);
		while (bc_json_next(&it, &k, &v))
		{
			size_t		kl;
			size_t		vl;
			bool		found;
			bool		isnull;

			if (bc_json_decode(&k, kbuf, sizeof(kbuf), &kl) != BC_JSON_OK)
				abort();
			if (bc_json_map_get(s, size, kbuf, kl, vbuf, sizeof(vbuf), &vl, &found, &isnull, &pos) != BC_JSON_OK || !found)
				abort();
		}
	}
	return 0;
}
