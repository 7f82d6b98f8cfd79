/*-------------------------------------------------------------------------
 *
 * buf.c
 *		A growable byte buffer, without PostgreSQL (see buf.h).
 *
 * IDENTIFICATION
 *		src/core/buf.c
 *
 *-------------------------------------------------------------------------
 */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* an empty buffer */
void
bc_buf_init(bc_buf *b)
{
	memset(b, 0, sizeof(*b));
}

/* release a buffer */
void
bc_buf_free(bc_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* empty a buffer, keeping its memory */
void
bc_buf_reset(bc_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* make room for n more bytes plus a NUL */
static bool
buf_reserve(bc_buf *b, size_t n)
{
	size_t		need = b->len + n + 1;
	char	   *p;
	size_t		cap;

	if (b->nomem)
		return false;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 1024;
	while (cap < need)
		cap *= 2;
	p = realloc(b->data, cap);
	if (p == NULL)
	{
		b->nomem = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

/* append bytes */
void
bc_buf_put(bc_buf *b, const char *s, size_t len)
{
	if (!buf_reserve(b, len))
		return;
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

/* append a C string */
void
bc_buf_puts(bc_buf *b, const char *s)
{
	bc_buf_put(b, s, strlen(s));
}

/* append one byte */
void
bc_buf_putc(bc_buf *b, char c)
{
	if (!buf_reserve(b, 1))
		return;
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

/* append formatted text */
void
bc_buf_printf(bc_buf *b, const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !buf_reserve(b, (size_t) n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t) n;
}

/* append a JSON string literal, escaped as PostgreSQL's escape_json does */
void
bc_buf_put_json_string(bc_buf *b, const char *s, size_t len)
{
	bc_buf_putc(b, '"');
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		switch (c)
		{
			case '\b':
				bc_buf_put(b, "\\b", 2);
				break;
			case '\f':
				bc_buf_put(b, "\\f", 2);
				break;
			case '\n':
				bc_buf_put(b, "\\n", 2);
				break;
			case '\r':
				bc_buf_put(b, "\\r", 2);
				break;
			case '\t':
				bc_buf_put(b, "\\t", 2);
				break;
			case '"':
				bc_buf_put(b, "\\\"", 2);
				break;
			case '\\':
				bc_buf_put(b, "\\\\", 2);
				break;
			default:
				if (c < ' ')
					bc_buf_printf(b, "\\u%04x", (int) c);
				else
					bc_buf_putc(b, (char) c);
		}
	}
	bc_buf_putc(b, '"');
}
