/*-------------------------------------------------------------------------
 *
 * path_check.c
 *		Path rules shared by the server loader and bedrock-cost-load (see
 *		path_check.h).
 *
 * IDENTIFICATION
 *		src/core/path_check.c
 *
 *-------------------------------------------------------------------------
 */
#include "path_check.h"

#include <string.h>

/* true when path has a ".." component */
bool
bc_path_has_dotdot(const char *path)
{
	const char *p = path;

	while ((p = strstr(p, "..")) != NULL)
	{
		bool		start = (p == path || p[-1] == '/');
		bool		end = (p[2] == '\0' || p[2] == '/');

		if (start && end)
			return true;
		p += 2;
	}
	return false;
}

/* true when resolved is dir or inside it (both resolved) */
bool
bc_path_inside(const char *resolved, const char *dir)
{
	size_t		n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return true;
	return strncmp(resolved, dir, n) == 0 &&
		(resolved[n] == '\0' || resolved[n] == '/');
}
