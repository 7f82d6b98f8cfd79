/*-------------------------------------------------------------------------
 *
 * quote.c
 *		Quoting input values for messages (see quote.h).
 *
 * IDENTIFICATION
 *		src/core/quote.c
 *
 *-------------------------------------------------------------------------
 */
#include "quote.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* length of the valid UTF-8 sequence at s (1-4), or 0 when invalid */
static int
utf8_len(const unsigned char *s, size_t avail)
{
	int			n;
	unsigned	cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if ((size_t) n > avail)
		return 0;
	for (int i = 1; i < n; i++)
	{
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		(n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

char *
bc_quote(char *buf, const char *s, size_t len)
{
	return bc_quote_max(buf, s, len, BC_QUOTE_MAX);
}

char *
bc_quote_max(char *buf, const char *s, size_t len, size_t max)
{
	const unsigned char *u = (const unsigned char *) s;
	size_t		o = 0;
	size_t		i = 0;

	buf[o++] = '"';
	while (i < len)
	{
		int			n = utf8_len(u + i, len - i);
		unsigned char c = u[i];

		if (i + (n ? (size_t) n : 1) > max)
			break;
		if (n > 1)
		{
			memcpy(buf + o, u + i, (size_t) n);
			o += (size_t) n;
			i += (size_t) n;
			continue;
		}
		if (c == '"' || c == '\\')
		{
			buf[o++] = '\\';
			buf[o++] = (char) c;
		}
		else if (c == '\n' || c == '\r' || c == '\t')
		{
			buf[o++] = '\\';
			buf[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		}
		else if (n == 0 || c < 0x20 || c == 0x7f)
			o += (size_t) sprintf(buf + o, "\\x%02x", c);
		else
			buf[o++] = (char) c;
		i++;
	}
	buf[o++] = '"';
	if (i < len)
		o += (size_t) snprintf(buf + o, 40, "... (%zu bytes)", len);
	buf[o] = '\0';
	return buf;
}
