/*-------------------------------------------------------------------------
 *
 * cur_json.c
 *		Strict JSON validation, iteration and string decoding.
 *
 * IDENTIFICATION
 *		src/core/cur_json.c
 *
 *-------------------------------------------------------------------------
 */
#include "cur_json.h"

#include <stdint.h>
#include <string.h>

typedef struct jp
{
	const char *s;
	size_t		len;
	size_t		pos;
	bc_json_status st;
	size_t		errpos;
} jp;

/* record the first error; always returns false */
static bool
jfail(jp *p, bc_json_status st, size_t at)
{
	if (p->st == BC_JSON_OK)
	{
		p->st = st;
		p->errpos = at;
	}
	return false;
}

/* skip JSON whitespace */
static void
skip_ws(jp *p)
{
	while (p->pos < p->len)
	{
		char		c = p->s[p->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

/* length of a valid UTF-8 sequence at s[i], or 0 */
static int
utf8_seq(const unsigned char *s, size_t len, size_t i)
{
	unsigned char c = s[i];
	int			n;
	uint32_t	cp;
	uint32_t	min;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
	{
		n = 1;
		cp = c & 0x1F;
		min = 0x80;
	}
	else if (c >= 0xE0 && c <= 0xEF)
	{
		n = 2;
		cp = c & 0x0F;
		min = 0x800;
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		n = 3;
		cp = c & 0x07;
		min = 0x10000;
	}
	else
		return 0;
	if (i + n >= len)
		return 0;
	for (int k = 1; k <= n; k++)
	{
		if ((s[i + k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i + k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n + 1;
}

/* 4 hex digits at s[i]; -1 if not */
static long
hex4(const char *s, size_t len, size_t i)
{
	long		v = 0;

	if (i + 4 > len)
		return -1;
	for (int k = 0; k < 4; k++)
	{
		char		c = s[i + k];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* validate a string starting at the opening quote; pos ends after the closing one */
static bool
scan_string(jp *p)
{
	const unsigned char *u = (const unsigned char *) p->s;

	if (p->pos >= p->len || p->s[p->pos] != '"')
		return jfail(p, BC_JSON_NOT_STRING, p->pos);
	p->pos++;
	while (p->pos < p->len)
	{
		unsigned char c = u[p->pos];

		if (c == '"')
		{
			p->pos++;
			return true;
		}
		if (c < 0x20)
			return jfail(p, BC_JSON_STRING, p->pos);
		if (c == '\\')
		{
			char		e;

			if (p->pos + 1 >= p->len)
				break;
			e = p->s[p->pos + 1];
			if (e == 'u')
			{
				long		cp = hex4(p->s, p->len, p->pos + 2);

				if (cp < 0 || cp == 0)
					return jfail(p, BC_JSON_STRING, p->pos);
				if (cp >= 0xDC00 && cp <= 0xDFFF)
					return jfail(p, BC_JSON_UTF8, p->pos);
				if (cp >= 0xD800 && cp <= 0xDBFF)
				{
					long		lo;

					if (p->pos + 7 >= p->len || p->s[p->pos + 6] != '\\' || p->s[p->pos + 7] != 'u')
						return jfail(p, BC_JSON_UTF8, p->pos);
					lo = hex4(p->s, p->len, p->pos + 8);
					if (lo < 0xDC00 || lo > 0xDFFF)
						return jfail(p, BC_JSON_UTF8, p->pos);
					p->pos += 12;
				}
				else
					p->pos += 6;
				continue;
			}
			if (strchr("\"\\/bfnrt", e) == NULL || e == '\0')
				return jfail(p, BC_JSON_STRING, p->pos);
			p->pos += 2;
			continue;
		}
		if (c >= 0x80)
		{
			int			n = utf8_seq(u, p->len, p->pos);

			if (n == 0)
				return jfail(p, BC_JSON_UTF8, p->pos);
			p->pos += n;
			continue;
		}
		p->pos++;
	}
	return jfail(p, BC_JSON_SYNTAX, p->len);
}

/* digits+; false if none */
static bool
scan_digits(jp *p)
{
	size_t		start = p->pos;

	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
		p->pos++;
	return p->pos > start;
}

/* JSON number */
static bool
scan_number(jp *p)
{
	if (p->pos < p->len && p->s[p->pos] == '-')
		p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '0')
		p->pos++;
	else if (!scan_digits(p))
		return jfail(p, BC_JSON_SYNTAX, p->pos);
	if (p->pos < p->len && p->s[p->pos] == '.')
	{
		p->pos++;
		if (!scan_digits(p))
			return jfail(p, BC_JSON_SYNTAX, p->pos);
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E'))
	{
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (!scan_digits(p))
			return jfail(p, BC_JSON_SYNTAX, p->pos);
	}
	return true;
}

static bool parse_value(jp *p, int depth, bc_json_value *v, bool scalar_only);

/* an object, at '{' */
static bool
scan_object(jp *p, int depth, bool scalar_values)
{
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == '}')
	{
		p->pos++;
		return true;
	}
	for (;;)
	{
		skip_ws(p);
		if (p->pos >= p->len || p->s[p->pos] != '"')
			return jfail(p, BC_JSON_SYNTAX, p->pos);
		if (!scan_string(p))
			return false;
		skip_ws(p);
		if (p->pos >= p->len || p->s[p->pos] != ':')
			return jfail(p, BC_JSON_SYNTAX, p->pos);
		p->pos++;
		skip_ws(p);
		if (!parse_value(p, depth + 1, NULL, scalar_values))
			return false;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',')
		{
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == '}')
		{
			p->pos++;
			return true;
		}
		return jfail(p, BC_JSON_SYNTAX, p->pos);
	}
}

/* an array, at '[' */
static bool
scan_array(jp *p, int depth)
{
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == ']')
	{
		p->pos++;
		return true;
	}
	for (;;)
	{
		skip_ws(p);
		if (!parse_value(p, depth + 1, NULL, false))
			return false;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',')
		{
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == ']')
		{
			p->pos++;
			return true;
		}
		return jfail(p, BC_JSON_SYNTAX, p->pos);
	}
}

/* one value at pos (no leading whitespace); fills v if not NULL */
static bool
parse_value(jp *p, int depth, bc_json_value *v, bool scalar_only)
{
	size_t		start = p->pos;
	bc_json_type t;
	bool		ok;

	if (depth > BC_JSON_MAX_DEPTH)
		return jfail(p, BC_JSON_DEPTH, p->pos);
	if (p->pos >= p->len)
		return jfail(p, BC_JSON_SYNTAX, p->pos);
	switch (p->s[p->pos])
	{
		case '"':
			t = BC_JSON_T_STRING;
			ok = scan_string(p);
			break;
		case '{':
			if (scalar_only)
				return jfail(p, BC_JSON_NOT_SCALAR, p->pos);
			t = BC_JSON_T_OBJECT;
			ok = scan_object(p, depth, false);
			break;
		case '[':
			if (scalar_only)
				return jfail(p, BC_JSON_NOT_SCALAR, p->pos);
			t = BC_JSON_T_ARRAY;
			ok = scan_array(p, depth);
			break;
		case 't':
		case 'f':
		case 'n':
			{
				const char *w = p->s[p->pos] == 't' ? "true" : p->s[p->pos] == 'f' ? "false" : "null";
				size_t		wl = strlen(w);

				if (p->len - p->pos < wl || memcmp(p->s + p->pos, w, wl) != 0)
					return jfail(p, BC_JSON_SYNTAX, p->pos);
				p->pos += wl;
				t = w[0] == 't' ? BC_JSON_T_TRUE : w[0] == 'f' ? BC_JSON_T_FALSE : BC_JSON_T_NULL;
				ok = true;
				break;
			}
		default:
			if (p->s[p->pos] == '-' || (p->s[p->pos] >= '0' && p->s[p->pos] <= '9'))
			{
				t = BC_JSON_T_NUMBER;
				ok = scan_number(p);
			}
			else
				return jfail(p, BC_JSON_SYNTAX, p->pos);
	}
	if (!ok)
		return false;
	if (v)
	{
		v->type = t;
		v->raw = p->s + start;
		v->raw_len = p->pos - start;
		v->offset = start;
	}
	return true;
}

/* whole text = ws value ws */
static bc_json_status
parse_whole(const char *s, size_t len, bc_json_value *v, bool map, size_t *errpos)
{
	jp			p = {s, len, 0, BC_JSON_OK, 0};
	size_t		dummy;

	if (errpos == NULL)
		errpos = &dummy;
	*errpos = 0;
	skip_ws(&p);
	if (map)
	{
		if (p.pos >= len || s[p.pos] != '{')
		{
			*errpos = p.pos;
			return BC_JSON_NOT_OBJECT;
		}
		if (!scan_object(&p, 1, true))
		{
			*errpos = p.errpos;
			return p.st;
		}
	}
	else if (!parse_value(&p, 1, v, false))
	{
		*errpos = p.errpos;
		return p.st;
	}
	skip_ws(&p);
	if (p.pos != len)
	{
		*errpos = p.pos;
		return BC_JSON_TRAILING;
	}
	return BC_JSON_OK;
}

/* validate any value */
bc_json_status
bc_json_validate(const char *s, size_t len, size_t *errpos)
{
	bc_json_value v;

	return parse_whole(s, len, &v, false, errpos);
}

/* validate a CUR map */
bc_json_status
bc_json_map_validate(const char *s, size_t len, size_t *errpos)
{
	if (errpos)
		*errpos = 0;
	if (len == 0)
		return BC_JSON_OK;
	return parse_whole(s, len, NULL, true, errpos);
}

/* parse one value */
bc_json_status
bc_json_parse_value(const char *s, size_t len, bc_json_value *v, size_t *errpos)
{
	return parse_whole(s, len, v, false, errpos);
}

/* start iterating */
static bc_json_status
iter_start(bc_json_iter *it, const bc_json_value *v, bool obj)
{
	memset(it, 0, sizeof(*it));
	if (v->type != (obj ? BC_JSON_T_OBJECT : BC_JSON_T_ARRAY))
		return obj ? BC_JSON_NOT_OBJECT : BC_JSON_NOT_ARRAY;
	it->s = v->raw;
	it->len = v->raw_len;
	it->pos = 1;
	it->base = v->offset;
	it->is_object = obj;
	it->first = true;
	return BC_JSON_OK;
}

bc_json_status
bc_json_iter_object(bc_json_iter *it, const bc_json_value *v)
{
	return iter_start(it, v, true);
}

bc_json_status
bc_json_iter_array(bc_json_iter *it, const bc_json_value *v)
{
	return iter_start(it, v, false);
}

/* next member or element */
bool
bc_json_next(bc_json_iter *it, bc_json_value *key, bc_json_value *val)
{
	jp			p = {it->s, it->len, it->pos, BC_JSON_OK, 0};
	bc_json_value k;

	if (it->done)
		return false;
	skip_ws(&p);
	if (p.pos >= p.len || p.s[p.pos] == '}' || p.s[p.pos] == ']')
	{
		it->done = true;
		return false;
	}
	if (!it->first)
	{
		if (p.s[p.pos] != ',')
		{
			it->done = true;
			return false;
		}
		p.pos++;
		skip_ws(&p);
	}
	if (it->is_object)
	{
		if (!parse_value(&p, 1, &k, true) || k.type != BC_JSON_T_STRING)
		{
			it->done = true;
			return false;
		}
		k.offset += it->base;
		if (key)
			*key = k;
		skip_ws(&p);
		if (p.pos >= p.len || p.s[p.pos] != ':')
		{
			it->done = true;
			return false;
		}
		p.pos++;
		skip_ws(&p);
	}
	else if (key)
		memset(key, 0, sizeof(*key));
	if (!parse_value(&p, 1, val, false))
	{
		it->done = true;
		return false;
	}
	val->offset += it->base;
	it->pos = p.pos;
	it->first = false;
	return true;
}

/*
 * Decode the next unit of a validated string body at raw[*i]: writes 1-4
 * bytes to out and returns the count.
 */
static int
decode_unit(const char *raw, size_t *i, char *out)
{
	unsigned char c = (unsigned char) raw[*i];
	long		cp;

	if (c != '\\')
	{
		out[0] = (char) c;
		(*i)++;
		return 1;
	}
	switch (raw[*i + 1])
	{
		case 'b':
			out[0] = '\b';
			break;
		case 'f':
			out[0] = '\f';
			break;
		case 'n':
			out[0] = '\n';
			break;
		case 'r':
			out[0] = '\r';
			break;
		case 't':
			out[0] = '\t';
			break;
		case 'u':
			cp = hex4(raw, *i + 6, *i + 2);
			if (cp >= 0xD800 && cp <= 0xDBFF)
			{
				long		lo = hex4(raw, *i + 12, *i + 8);

				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				*i += 12;
			}
			else
				*i += 6;
			if (cp < 0x80)
			{
				out[0] = (char) cp;
				return 1;
			}
			if (cp < 0x800)
			{
				out[0] = (char) (0xC0 | (cp >> 6));
				out[1] = (char) (0x80 | (cp & 0x3F));
				return 2;
			}
			if (cp < 0x10000)
			{
				out[0] = (char) (0xE0 | (cp >> 12));
				out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
				out[2] = (char) (0x80 | (cp & 0x3F));
				return 3;
			}
			out[0] = (char) (0xF0 | (cp >> 18));
			out[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
			out[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
			out[3] = (char) (0x80 | (cp & 0x3F));
			return 4;
		default:				/* " \ / */
			out[0] = raw[*i + 1];
			break;
	}
	*i += 2;
	return 1;
}

/* decode */
bc_json_status
bc_json_decode(const bc_json_value *v, char *buf, size_t cap, size_t *outlen)
{
	size_t		o = 0;

	if (outlen)
		*outlen = 0;
	if (cap == 0)
		return BC_JSON_TOO_LONG;
	buf[0] = '\0';
	if (v->type != BC_JSON_T_STRING)
	{
		if (v->raw_len + 1 > cap)
			return BC_JSON_TOO_LONG;
		memcpy(buf, v->raw, v->raw_len);
		o = v->raw_len;
	}
	else
	{
		size_t		i = 1;
		size_t		end = v->raw_len - 1;

		while (i < end)
		{
			char		u[4];
			int			n = decode_unit(v->raw, &i, u);

			if (o + n + 1 > cap)
			{
				buf[0] = '\0';
				return BC_JSON_TOO_LONG;
			}
			memcpy(buf + o, u, n);
			o += n;
		}
	}
	buf[o] = '\0';
	if (outlen)
		*outlen = o;
	return BC_JSON_OK;
}

/* compare the decoded string with key, whole (prefix=false) or as prefix */
static bool
string_cmp(const bc_json_value *v, const char *key, size_t keylen, bool prefix)
{
	size_t		i = 1;
	size_t		end;
	size_t		k = 0;

	if (v->type != BC_JSON_T_STRING)
		return false;
	end = v->raw_len - 1;
	while (i < end)
	{
		char		u[4];
		int			n;

		if (prefix && k == keylen)
			return true;
		n = decode_unit(v->raw, &i, u);
		if (k + n > keylen)
		{
			/* a byte prefix may end inside a multibyte character */
			return prefix && memcmp(key + k, u, keylen - k) == 0;
		}
		if (memcmp(key + k, u, n) != 0)
			return false;
		k += n;
	}
	return k == keylen;
}

bool
bc_json_string_eq(const bc_json_value *v, const char *key, size_t keylen)
{
	return string_cmp(v, key, keylen, false);
}

bool
bc_json_string_has_prefix(const bc_json_value *v, const char *prefix, size_t plen)
{
	return string_cmp(v, prefix, plen, true);
}

/* map lookup */
bc_json_status
bc_json_map_get(const char *s, size_t len, const char *key, size_t keylen, char *buf,
				size_t cap, size_t *outlen, bool *found, bool *is_null, size_t *errpos)
{
	bc_json_value obj;
	bc_json_value k;
	bc_json_value v;
	bc_json_iter it;
	bc_json_status st;

	*found = false;
	*is_null = false;
	if (outlen)
		*outlen = 0;
	if (cap > 0)
		buf[0] = '\0';
	st = bc_json_map_validate(s, len, errpos);
	if (st != BC_JSON_OK || len == 0)
		return st;
	st = bc_json_parse_value(s, len, &obj, errpos);
	if (st != BC_JSON_OK)
		return st;
	bc_json_iter_object(&it, &obj);
	while (bc_json_next(&it, &k, &v))
	{
		if (!bc_json_string_eq(&k, key, keylen))
			continue;
		*found = true;
		if (v.type == BC_JSON_T_NULL)
		{
			*is_null = true;
			return BC_JSON_OK;
		}
		return bc_json_decode(&v, buf, cap, outlen);
	}
	return BC_JSON_OK;
}

/* message */
const char *
bc_json_strerror(bc_json_status st)
{
	switch (st)
	{
		case BC_JSON_OK:
			return "no error";
		case BC_JSON_SYNTAX:
			return "invalid JSON syntax";
		case BC_JSON_STRING:
			return "invalid JSON string (control character or bad escape)";
		case BC_JSON_UTF8:
			return "invalid UTF-8 or lone surrogate in JSON string";
		case BC_JSON_DEPTH:
			return "JSON nested too deeply";
		case BC_JSON_NOT_OBJECT:
			return "JSON value is not an object";
		case BC_JSON_NOT_ARRAY:
			return "JSON value is not an array";
		case BC_JSON_NOT_SCALAR:
			return "JSON map value is an object or array";
		case BC_JSON_NOT_STRING:
			return "JSON value is not a string";
		case BC_JSON_TRAILING:
			return "unexpected text after the JSON value";
		case BC_JSON_TOO_LONG:
			return "JSON string too long for the buffer";
	}
	return "unknown JSON status";
}
