/*-------------------------------------------------------------------------
 *
 * gen_text.c
 *		Growable byte buffer and CSV / JSON escaping for the CUR generator.
 *
 * IDENTIFICATION
 *		src/tools/gen_text.c
 *
 *-------------------------------------------------------------------------
 */
#include "gen_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* make room for extra more bytes (plus a NUL) */
void
bc_gen_buf_reserve(bc_gen_buf *b, size_t extra)
{
	size_t		need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 256;
	while (b->cap < need)
		b->cap *= 2;
	b->data = realloc(b->data, b->cap);
	if (b->data == NULL)
	{
		fprintf(stderr, "bedrock-cost-gen: out of memory\n");
		exit(2);
	}
}

/* append n bytes */
void
bc_gen_buf_put(bc_gen_buf *b, const char *s, size_t n)
{
	bc_gen_buf_reserve(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* append a NUL-terminated string */
void
bc_gen_buf_puts(bc_gen_buf *b, const char *s)
{
	bc_gen_buf_put(b, s, strlen(s));
}

/* append one byte */
void
bc_gen_buf_putc(bc_gen_buf *b, char c)
{
	bc_gen_buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

/* append formatted text */
void
bc_gen_buf_printf(bc_gen_buf *b, const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	bc_gen_buf_reserve(b, (size_t) n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t) n;
}

/* release the buffer's memory */
void
bc_gen_buf_free(bc_gen_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* append one CSV field, quoted when needed */
void
bc_gen_csv_field(bc_gen_buf *b, const char *s, size_t n, int force_quote)
{
	size_t		i;
	int			quote = force_quote;

	for (i = 0; i < n && !quote; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			quote = 1;
	if (!quote)
	{
		bc_gen_buf_put(b, s, n);
		return;
	}
	bc_gen_buf_reserve(b, 2 * n + 2);
	b->data[b->len++] = '"';
	for (i = 0; i < n; i++)
	{
		if (s[i] == '"')
			b->data[b->len++] = '"';
		b->data[b->len++] = s[i];
	}
	b->data[b->len++] = '"';
	b->data[b->len] = '\0';
}

/* append s escaped for the inside of a JSON string */
void
bc_gen_json_escape(bc_gen_buf *b, const char *s)
{
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c == '"' || c == '\\')
		{
			bc_gen_buf_putc(b, '\\');
			bc_gen_buf_putc(b, (char) c);
		}
		else if (c < 0x20)
			bc_gen_buf_printf(b, "\\u%04x", c);
		else
			bc_gen_buf_putc(b, (char) c);
	}
}
