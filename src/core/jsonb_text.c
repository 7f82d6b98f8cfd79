/*-------------------------------------------------------------------------
 *
 * jsonb_text.c
 *		The jsonb text of a CUR map (see jsonb_text.h), as PostgreSQL 15's
 *		jsonb input and output make it: uniqueifyJsonbObject keeps the
 *		last value of a duplicated key, lengthCompareJsonbStringValue
 *		orders the keys, JsonbToCString prints them with escape_json.
 *
 * The pairs are decoded into one buffer (a decoded string is never
 * longer than its quoted text) and sorted by key length, key bytes and,
 * among equal keys, latest first; the first of each run of equal keys is
 * printed.
 *
 * IDENTIFICATION
 *		src/core/jsonb_text.c
 *
 *-------------------------------------------------------------------------
 */
#include "jsonb_text.h"

#include <stdlib.h>
#include <string.h>

#include "cur_json.h"

/* one pair of the map, decoded */
typedef struct jt_pair
{
	const char *key;
	size_t		key_len;
	const char *val;			/* decoded string, or the literal's text */
	size_t		val_len;
	bool		is_string;
	size_t		order;			/* position in the text */
} jt_pair;

/* jsonb's key order; of equal keys, the later first */
static int
pair_cmp(const void *a, const void *b)
{
	const jt_pair *x = a;
	const jt_pair *y = b;
	int			c;

	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	c = memcmp(x->key, y->key, x->key_len);
	if (c != 0)
		return c;
	return x->order > y->order ? -1 : 1;
}

/* decode a string value (or copy a literal) into *pos; advance it */
static bool
decode_into(const bc_json_value *v, char **pos, const char *end, const char **out,
			size_t *out_len)
{
	size_t		n;

	if (bc_json_decode(v, *pos, (size_t) (end - *pos), &n) != BC_JSON_OK)
		return false;
	*out = *pos;
	*out_len = n;
	*pos += n + 1;
	return true;
}

/*
 * The decoded pairs of a validated, non-empty map, *npairs of them, into
 * arena (len + 1 bytes: a pair's text is at least as long as its decoded
 * key and value with a NUL each).
 */
static bc_jsonb_text_status
collect(const char *s, size_t len, jt_pair *pairs, size_t *npairs, char *arena)
{
	bc_json_value map,
				key,
				val;
	bc_json_iter it;
	char	   *pos = arena;
	const char *end = arena + len + 1;
	size_t		n = 0;

	if (bc_json_parse_value(s, len, &map, NULL) != BC_JSON_OK ||
		bc_json_iter_object(&it, &map) != BC_JSON_OK)
		return BC_JSONB_TEXT_INVALID;
	while (bc_json_next(&it, &key, &val))
	{
		jt_pair    *p = &pairs[n];

		if (val.type == BC_JSON_T_NUMBER)
			return BC_JSONB_TEXT_NUMBER;
		if (val.type == BC_JSON_T_OBJECT || val.type == BC_JSON_T_ARRAY)
			return BC_JSONB_TEXT_INVALID;
		if (!decode_into(&key, &pos, end, &p->key, &p->key_len) ||
			!decode_into(&val, &pos, end, &p->val, &p->val_len))
			return BC_JSONB_TEXT_INVALID;
		p->is_string = val.type == BC_JSON_T_STRING;
		p->order = n++;
	}
	*npairs = n;
	return BC_JSONB_TEXT_OK;
}

/* print the sorted pairs, the first of each run of equal keys */
static void
print_pairs(const jt_pair *pairs, size_t n, bc_buf *out)
{
	bool		first = true;

	bc_buf_putc(out, '{');
	for (size_t i = 0; i < n; i++)
	{
		if (i > 0 && pairs[i].key_len == pairs[i - 1].key_len &&
			memcmp(pairs[i].key, pairs[i - 1].key, pairs[i].key_len) == 0)
			continue;
		if (!first)
			bc_buf_put(out, ", ", 2);
		first = false;
		bc_buf_put_json_string(out, pairs[i].key, pairs[i].key_len);
		bc_buf_put(out, ": ", 2);
		if (pairs[i].is_string)
			bc_buf_put_json_string(out, pairs[i].val, pairs[i].val_len);
		else
			bc_buf_put(out, pairs[i].val, pairs[i].val_len);
	}
	bc_buf_putc(out, '}');
}

bc_jsonb_text_status
bc_jsonb_map_text(const char *s, size_t len, bc_buf *out)
{
	size_t		before = out->len;
	size_t		npairs = 0;
	jt_pair    *pairs;
	char	   *arena;
	bc_jsonb_text_status st;

	if (bc_json_map_validate(s, len, NULL) != BC_JSON_OK)
		return BC_JSONB_TEXT_INVALID;
	if (len == 0)
	{
		bc_buf_put(out, "{}", 2);
		return out->nomem ? BC_JSONB_TEXT_NOMEM : BC_JSONB_TEXT_OK;
	}
	/* at most one pair per 6 bytes ("":"" and a comma), decoded into len bytes */
	pairs = malloc((len / 6 + 1) * sizeof(jt_pair));
	arena = malloc(len + 1);
	if (pairs == NULL || arena == NULL)
		st = BC_JSONB_TEXT_NOMEM;
	else
		st = collect(s, len, pairs, &npairs, arena);
	if (st == BC_JSONB_TEXT_OK)
	{
		qsort(pairs, npairs, sizeof(jt_pair), pair_cmp);
		print_pairs(pairs, npairs, out);
		if (out->nomem)
			st = BC_JSONB_TEXT_NOMEM;
	}
	free(pairs);
	free(arena);
	if (st != BC_JSONB_TEXT_OK)
		out->len = before;
	return st;
}
