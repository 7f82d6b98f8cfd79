/*-------------------------------------------------------------------------
 *
 * cur_json.h
 *		A small strict JSON validator and iterator for CUR map columns
 *		(tags, resource_tags, product, cost_category, discount) and for
 *		the delivery manifest.  No allocation: values are spans into the
 *		caller's text, strings are decoded into caller buffers.
 *
 * Strict RFC 8259: no comments, no trailing commas, no single quotes, no
 * unescaped control characters in strings, valid UTF-8 only, \uXXXX with
 * surrogate pairs decoded to UTF-8 (a lone surrogate and \u0000 are
 * errors, so decoded strings never contain NUL), nesting depth at most
 * BC_JSON_MAX_DEPTH.  Whitespace (space, tab, CR, LF) is allowed around
 * tokens.  Duplicate keys are allowed; lookups return the first.
 *
 * A "map" (a CUR map column) is an object whose values are scalars:
 * strings, numbers (e.g. the discount map), true/false/null.  An empty
 * field (length 0) is accepted as the empty map, like "{}".
 *
 * IDENTIFICATION
 *		src/core/cur_json.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_CUR_JSON_H
#define BC_CUR_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define BC_JSON_MAX_DEPTH 64

typedef enum bc_json_status
{
	BC_JSON_OK = 0,
	BC_JSON_SYNTAX,				/* unexpected byte or end of text */
	BC_JSON_STRING,				/* control character or bad escape in a string */
	BC_JSON_UTF8,				/* invalid UTF-8 or lone surrogate */
	BC_JSON_DEPTH,				/* nested deeper than BC_JSON_MAX_DEPTH */
	BC_JSON_NOT_OBJECT,			/* a map or object was expected */
	BC_JSON_NOT_ARRAY,			/* an array was expected */
	BC_JSON_NOT_SCALAR,			/* a map value is an object or array */
	BC_JSON_NOT_STRING,			/* a string was expected */
	BC_JSON_TRAILING,			/* text after the value */
	BC_JSON_TOO_LONG			/* decoded string does not fit the buffer */
} bc_json_status;

typedef enum bc_json_type
{
	BC_JSON_T_STRING,
	BC_JSON_T_NUMBER,
	BC_JSON_T_TRUE,
	BC_JSON_T_FALSE,
	BC_JSON_T_NULL,
	BC_JSON_T_OBJECT,
	BC_JSON_T_ARRAY
} bc_json_type;

/* a value: raw span (strings include their quotes), offset in the text */
typedef struct bc_json_value
{
	bc_json_type type;
	const char *raw;
	size_t		raw_len;
	size_t		offset;
} bc_json_value;

/* iterator over the members of an object or the elements of an array */
typedef struct bc_json_iter
{
	const char *s;				/* whole text */
	size_t		len;
	size_t		pos;
	size_t		base;			/* offset of s in the outer text, for errors */
	bool		is_object;
	bool		first;
	bool		done;
} bc_json_iter;

/* validate one JSON value of any type; *errpos (may be NULL) on error */
extern bc_json_status bc_json_validate(const char *s, size_t len, size_t *errpos);

/* validate a CUR map (object of scalars, or empty text) */
extern bc_json_status bc_json_map_validate(const char *s, size_t len, size_t *errpos);

/*
 * Parse the single value in s (whitespace around allowed, nothing else)
 * into *v, validating it completely.
 */
extern bc_json_status bc_json_parse_value(const char *s, size_t len, bc_json_value *v,
										  size_t *errpos);

/*
 * Start iterating an object or array value (from bc_json_parse_value or
 * an iterator).  Returns BC_JSON_NOT_OBJECT / BC_JSON_NOT_ARRAY if v is
 * of another type.  The value must have been validated (it was, if it
 * came from this module).
 */
extern bc_json_status bc_json_iter_object(bc_json_iter *it, const bc_json_value *v);
extern bc_json_status bc_json_iter_array(bc_json_iter *it, const bc_json_value *v);

/*
 * Next member (key is a string value) or element (key may be NULL for
 * arrays).  Returns true with the item, false at the end.
 */
extern bool bc_json_next(bc_json_iter *it, bc_json_value *key, bc_json_value *val);

/*
 * Decode a string value into buf (NUL-terminated, cap includes the NUL).
 * Non-string values are copied as their raw text (numbers, true, ...).
 */
extern bc_json_status bc_json_decode(const bc_json_value *v, char *buf, size_t cap,
									 size_t *outlen);

/* does the decoded string value equal key[0..keylen) */
extern bool bc_json_string_eq(const bc_json_value *v, const char *key, size_t keylen);

/* does the decoded string value start with prefix[0..plen) */
extern bool bc_json_string_has_prefix(const bc_json_value *v, const char *prefix,
									  size_t plen);

/*
 * Look up key in a CUR map text (validated here).  *found is false if
 * absent (or the text is empty); a string value is decoded into buf, a
 * number/true/false is copied as text, null gives found with outlen 0
 * and *is_null true.
 */
extern bc_json_status bc_json_map_get(const char *s, size_t len, const char *key,
									  size_t keylen, char *buf, size_t cap,
									  size_t *outlen, bool *found, bool *is_null,
									  size_t *errpos);

/* static lower-case message for a status */
extern const char *bc_json_strerror(bc_json_status st);

#endif							/* BC_CUR_JSON_H */
