/*-------------------------------------------------------------------------
 *
 * usage_type_text.c
 *		The small string helpers of the usage-type parser (usage_type.c and
 *		usage_type_mp.c, through usage_type_int.h): ASCII case-insensitive
 *		comparisons, cache TTLs, slices.
 *
 * IDENTIFICATION
 *		src/core/usage_type_text.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "usage_type_int.h"

/* ASCII lowercase of one character */
int
bc_ut_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* case-insensitive equality of (p, len) with the lowercase literal lit */
bool
bc_ut_ieq(const char *p, size_t len, const char *lit)
{
	size_t		i;

	for (i = 0; i < len; i++)
	{
		if (lit[i] == '\0' || bc_ut_lower((unsigned char) p[i]) != lit[i])
			return false;
	}
	return lit[len] == '\0';
}

/* does (p, len) start with the lowercase literal lit, case-insensitively? */
bool
bc_ut_istarts(const char *p, size_t len, const char *lit)
{
	size_t		n = strlen(lit);

	return n <= len && bc_ut_ieq(p, n, lit);
}

/* is (p, len) a cache TTL like "5m", "1h", "30m" (1-4 digits + m or h)? */
bool
bc_ut_is_ttl(const char *p, size_t len)
{
	size_t		i;

	if (len < 2 || len > 5)
		return false;
	for (i = 0; i + 1 < len; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return p[len - 1] == 'm' || p[len - 1] == 'h';
}

/* set a slice */
void
bc_ut_set(bc_slice *sl, const char *p, size_t len)
{
	sl->ptr = len > 0 ? p : NULL;
	sl->len = len;
}
