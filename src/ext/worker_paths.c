/*-------------------------------------------------------------------------
 *
 * worker_paths.c
 *		The folder add_export() registers: given relative to
 *		bedrock_cost.export_root or absolute under it, decided on the name
 *		alone (the core's lexical rules, export_fs.c), and reached from the
 *		root without a symbolic link, as every load reads it.  Registered
 *		folders are stored absolute, below the resolved root, as the loader
 *		stores the folders it loads.
 *
 * IDENTIFICATION
 *		src/ext/worker_paths.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "utils/builtins.h"

#include "export_fs.h"
#include "guc.h"
#include "quote.h"
#include "worker.h"

PG_FUNCTION_INFO_V1(bedrock_cost_export_abspath);

/* a value quoted for a message: bounded and escaped */
static char *
quoted(const char *s)
{
	char		buf[BC_QUOTE_ROOM(BC_FS_PATH_MAX)];

	bc_quote_n(s, strlen(s), BC_FS_PATH_MAX, buf);
	return pstrdup(buf);
}

/* the configured root, canonical, or an error when it is not set */
static void
configured_root(char *canon)
{
	if (bc_export_root == NULL || bc_export_root[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("bedrock_cost.export_root is not set"),
				 errhint("Set bedrock_cost.export_root in postgresql.conf to the folder holding the synced exports, then reload.")));
	if (bc_fs_canonical(bc_export_root, canon) != BC_FS_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bedrock_cost.export_root %s is not an absolute path without \"..\"",
						quoted(bc_export_root))));
}

/*
 * The absolute path (below the resolved root) of an export folder given to
 * add_export(): relative to the root, or absolute under it (the root as
 * configured or as resolved).  The folder may not exist yet, but no part
 * of it below the root may be a symbolic link.
 */
static char *
export_abspath(const char *given)
{
	char		root[BC_FS_PATH_MAX + 1];
	char		realroot[PATH_MAX];
	char		canon[BC_FS_PATH_MAX + 1];
	const char *rel;
	char	   *relcopy;
	int			rootfd;
	int			fd;
	int			e = 0;
	bc_fs_status st;

	configured_root(root);
	if (given[0] == '\0' || bc_fs_has_dotdot(given))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid export path %s", quoted(given)),
				 errdetail("The path must not be empty nor contain \"..\".")));
	if (realpath(root, realroot) == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not resolve bedrock_cost.export_root %s: %m", quoted(root))));
	if (given[0] == '/')
	{
		if (bc_fs_canonical(given, canon) != BC_FS_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid export path %s", quoted(given))));
		if (bc_fs_under(canon, root, &rel) != BC_FS_OK &&
			bc_fs_under(canon, realroot, &rel) != BC_FS_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("export path %s is outside bedrock_cost.export_root", quoted(given)),
					 errdetail("Exports must live under \"%s\".", root)));
	}
	else
	{
		/* relative: canonical form of "/" + given, less the slash */
		char	   *abs = psprintf("/%s", given);

		if (bc_fs_canonical(abs, canon) != BC_FS_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid export path %s", quoted(given))));
		rel = canon + 1;
	}
	relcopy = pstrdup(rel);

	/* walk it from the root: a link anywhere is refused, a missing part is fine */
	if (bc_fs_open_base(realroot, &rootfd, &e) != BC_FS_OK)
	{
		errno = e;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open bedrock_cost.export_root %s: %m", quoted(root))));
	}
	st = bc_fs_open_dir(rootfd, relcopy, &fd, &e);
	close(rootfd);
	if (st == BC_FS_OK)
		close(fd);
	else if (st == BC_FS_SYMLINK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("export path %s is or passes through a symbolic link below bedrock_cost.export_root",
						quoted(given)),
				 errdetail("Symbolic links below the root are never followed.")));
	else if (st != BC_FS_NOT_FOUND)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("export path %s %s", quoted(given), bc_fs_strerror(st))));
	if (relcopy[0] == '\0')
		return pstrdup(realroot);
	return psprintf("%s%s%s", realroot, strcmp(realroot, "/") == 0 ? "" : "/", relcopy);
}

/* SQL: bedrock_cost.export_abspath(path text) returns text */
Datum
bedrock_cost_export_abspath(PG_FUNCTION_ARGS)
{
	char	   *given = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_TEXT_P(cstring_to_text(export_abspath(given)));
}
