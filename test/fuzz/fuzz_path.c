/*-------------------------------------------------------------------------
 *
 * fuzz_path.c
 *		libFuzzer harness of the path rules of export_fs.c: whatever the
 *		input, a canonical path is absolute, has no empty, "." or ".."
 *		component and is its own canonical form; a path accepted as
 *		relative has no such component either; a path under a base
 *		starts with it; a quoted value (quote.c) is bounded and holds no
 *		control character.
 *
 * IDENTIFICATION
 *		test/fuzz/fuzz_path.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "export_fs.h"
#include "quote.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *s = malloc(size + 1);
	char		canon[BC_FS_PATH_MAX + 1];
	char		again[BC_FS_PATH_MAX + 1];
	char		q[BC_QUOTE_BUFSIZE];
	const char *rel;

	memcpy(s, data, size);
	s[size] = '\0';
	if (bc_fs_canonical(s, canon) == BC_FS_OK)
	{
		if (canon[0] != '/' || strstr(canon, "//") || strstr(canon, "/./") ||
			bc_fs_has_dotdot(canon) || (strlen(canon) > 1 && canon[strlen(canon) - 1] == '/'))
			abort();
		if (bc_fs_canonical(canon, again) != BC_FS_OK || strcmp(canon, again) != 0)
			abort();
		if (bc_fs_under(canon, "/srv/cur", &rel) == BC_FS_OK &&
			(strncmp(canon, "/srv/cur", 8) != 0 || bc_fs_check_rel(rel, true) != BC_FS_OK))
			abort();
	}
	if (bc_fs_check_rel(s, false) == BC_FS_OK &&
		(s[0] == '/' || strstr(s, "//") || bc_fs_has_dotdot(s) || strcmp(s, ".") == 0 ||
		 strncmp(s, "./", 2) == 0 || strstr(s, "/./")))
		abort();
	if (bc_quote((const char *) data, size, q) != strlen(q) || strlen(q) > BC_QUOTE_BUFSIZE - 1)
		abort();
	for (const char *c = q; *c; c++)
		if ((unsigned char) *c < 0x20 || *c == 0x7f)
			abort();
	free(s);
	return 0;
}
