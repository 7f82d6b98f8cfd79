/*-------------------------------------------------------------------------
 *
 * ascii.h
 *		Locale-independent ASCII case helpers shared by the parsers (model
 *		names, model vendors, pricing units): CUR's codes and names are
 *		ASCII, and a parser must not depend on the server's locale.
 *
 * IDENTIFICATION
 *		src/core/ascii.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_ASCII_H
#define BC_ASCII_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* ASCII lowercase of one character */
static inline int
bc_lower_ascii(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* case-insensitive equality of (p, len) and the lowercase literal lit */
static inline bool
bc_ieq_lit(const char *p, size_t len, const char *lit)
{
	size_t		i;

	if (strlen(lit) != len)
		return false;
	for (i = 0; i < len; i++)
		if (bc_lower_ascii((unsigned char) p[i]) != lit[i])
			return false;
	return true;
}

#endif							/* BC_ASCII_H */
