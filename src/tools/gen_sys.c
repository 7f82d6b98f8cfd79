/*-------------------------------------------------------------------------
 *
 * gen_sys.c
 *		What every part of the CUR generator does on failure, and the
 *		folders it creates: bc_gen_die, bc_gen_mkdirs.
 *
 * IDENTIFICATION
 *		src/tools/gen_sys.c
 *
 *-------------------------------------------------------------------------
 */
#include "gen.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* print an error and exit with status 1 */
void
bc_gen_die(const char *fmt,...)
{
	va_list		ap;

	fputs("bedrock-cost-gen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* mkdir -p */
void
bc_gen_mkdirs(const char *path)
{
	char		tmp[4096];
	size_t		i,
				n = strlen(path);

	if (n >= sizeof(tmp))
		bc_gen_die("path too long: %s", path);
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++)
	{
		if (tmp[i] == '/' || tmp[i] == '\0')
		{
			char		c = tmp[i];

			tmp[i] = '\0';
			if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
				bc_gen_die("cannot create directory %s: %s", tmp, strerror(errno));
			tmp[i] = c;
		}
	}
}
