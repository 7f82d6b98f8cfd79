/*-------------------------------------------------------------------------
 *
 * quote.c
 *		A value as error messages show it: quoted, escaped, bounded (see
 *		quote.h).
 *
 * IDENTIFICATION
 *		src/core/quote.c
 *
 *-------------------------------------------------------------------------
 */
#include "quote.h"

#include <stdint.h>
#include <stdio.h>

/*
 * Length of the valid UTF-8 sequence at s[0..avail) (1 to 4), with its
 * code point in *cp; 0 when the bytes there are not valid UTF-8 (a stray
 * continuation byte, an overlong form, a surrogate, beyond U+10FFFF, or a
 * sequence cut short by the end of the value).
 */
static size_t
utf8_sequence(const unsigned char *s, size_t avail, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t		n;
	uint32_t	v;
	unsigned char lo = 0x80,
				hi = 0xBF;		/* range of the second byte */

	if (c < 0x80)
	{
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
	{
		n = 2;
		v = c & 0x1F;
	}
	else if (c >= 0xE0 && c <= 0xEF)
	{
		n = 3;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;			/* no overlong forms */
		else if (c == 0xED)
			hi = 0x9F;			/* no surrogates */
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		n = 4;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;			/* no overlong forms */
		else if (c == 0xF4)
			hi = 0x8F;			/* nothing beyond U+10FFFF */
	}
	else
		return 0;
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 1; i < n; i++)
	{
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	*cp = v;
	return n;
}

/* write \xHH for each of the n bytes at s */
static char *
put_hex(char *out, const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++)
	{
		*out++ = '\\';
		*out++ = 'x';
		*out++ = hex[s[i] >> 4];
		*out++ = hex[s[i] & 0x0F];
	}
	return out;
}

/* the value quoted, escaped and bounded (see quote.h) */
size_t
bc_quote(const char *s, size_t len, char buf[BC_QUOTE_BUFSIZE])
{
	return bc_quote_n(s, len, BC_QUOTE_SHOWN, buf);
}

/* the same with another bound (see quote.h) */
size_t
bc_quote_n(const char *s, size_t len, size_t shown, char *buf)
{
	const unsigned char *u = (const unsigned char *) s;
	char	   *out = buf;
	size_t		i = 0;

	*out++ = '"';
	while (i < len)
	{
		uint32_t	cp = 0;
		size_t		n = utf8_sequence(u + i, len - i, &cp);

		if (i + (n > 0 ? n : 1) > shown)
			break;
		if (n == 0)
		{
			out = put_hex(out, u + i, 1);	/* not UTF-8 */
			i++;
			continue;
		}
		if (cp == '\\' || cp == '"')
		{
			*out++ = '\\';
			*out++ = (char) cp;
		}
		else if (cp == '\n' || cp == '\r' || cp == '\t')
		{
			*out++ = '\\';
			*out++ = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
		}
		else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||
				 cp == 0x2028 || cp == 0x2029)
			out = put_hex(out, u + i, n);
		else
		{
			for (size_t k = 0; k < n; k++)
				*out++ = (char) u[i + k];
		}
		i += n;
	}
	*out++ = '"';
	if (i < len)
		out += snprintf(out, BC_QUOTE_ROOM(shown) - (size_t) (out - buf),
						"... (%zu bytes)", len);
	*out = '\0';
	return (size_t) (out - buf);
}
