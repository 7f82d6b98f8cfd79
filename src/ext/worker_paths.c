/*-------------------------------------------------------------------------
 *
 * worker_paths.c
 *		Keeps the ingest worker inside bedrock_cost.export_root: a path
 *		given to add_export() must lie under the root, and every folder and
 *		file the worker opens is resolved with realpath() first, so a
 *		symbolic link that leaves the root is refused.  Registered folders
 *		are stored absolute and symlink-free, as the loader stores them.
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
#include <sys/stat.h>

#include "utils/builtins.h"

#include "guc.h"
#include "worker.h"

PG_FUNCTION_INFO_V1(bedrock_cost_export_abspath);

/* the configured root, or an error when it is not set */
static const char *
configured_root(void)
{
	if (bc_export_root == NULL || bc_export_root[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("bedrock_cost.export_root is not set"),
				 errhint("Set bedrock_cost.export_root in postgresql.conf to the folder holding the synced exports, then reload.")));
	return bc_export_root;
}

/* realpath() into palloc'd memory; NULL (errno set) when it fails */
static char *
real_path(const char *path)
{
	char	   *r = realpath(path, NULL);
	char	   *copy;

	if (r == NULL)
		return NULL;
	copy = pstrdup(r);
	free(r);
	return copy;
}

/* whether path equals dir or lies below it (both canonical, absolute) */
static bool
path_under(const char *path, const char *dir)
{
	size_t		n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* the root, resolved; errors when it does not exist */
char *
bc_real_root(void)
{
	const char *root = configured_root();
	char	   *real = real_path(root);

	if (real == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not resolve bedrock_cost.export_root \"%s\": %m", root)));
	return real;
}

/*
 * Resolve path (absolute) and check it stays under realroot.  Returns the
 * resolved path; NULL when it does not exist and missing_ok.
 */
char *
bc_checked_realpath(const char *path, const char *realroot, bool missing_ok)
{
	char	   *real = real_path(path);

	if (real == NULL)
	{
		if (errno == ENOENT && missing_ok)
			return NULL;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not resolve \"%s\": %m", path)));
	}
	if (!path_under(real, realroot))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("\"%s\" resolves to \"%s\", outside bedrock_cost.export_root", path, real),
				 errdetail("The worker reads nothing outside \"%s\"; symbolic links that leave it are refused.",
						   realroot)));
	return real;
}

/* the resolved path of relpath, relative to the (resolved) root */
static char *
resolve_under_root(const char *relpath, bool missing_ok)
{
	char	   *realroot = bc_real_root();
	char	   *joined = psprintf("%s/%s", realroot, relpath);

	return bc_checked_realpath(joined, realroot, missing_ok);
}

/*
 * A path given to add_export(), relative to the root or absolute under it,
 * as the canonical path relative to the root ("." for the root itself).
 */
static char *
export_relpath(const char *given)
{
	char	   *root = pstrdup(configured_root());
	char	   *path = pstrdup(given);
	char	   *rel;
	char	   *realroot;
	char	   *real;

	canonicalize_path(root);
	canonicalize_path(path);
	if (path[0] == '\0' || path_contains_parent_reference(path))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid export path \"%s\"", given),
				 errdetail("The path must not be empty nor contain \"..\".")));
	if (!is_absolute_path(path))
		rel = path;
	else if (path_under(path, root))
		rel = path[strlen(root)] == '\0' ? pstrdup(".") :
			pstrdup(path + strlen(root) + (strcmp(root, "/") == 0 ? 0 : 1));
	else
	{
		/* the root itself may be reached through a symbolic link */
		realroot = bc_real_root();
		real = real_path(path);
		if (real == NULL || !path_under(real, realroot))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("export path \"%s\" is outside bedrock_cost.export_root", given),
					 errdetail("Exports must live under \"%s\".", root)));
		rel = real[strlen(realroot)] == '\0' ? pstrdup(".") :
			pstrdup(real + strlen(realroot) + (strcmp(realroot, "/") == 0 ? 0 : 1));
	}

	return rel;
}

/*
 * The absolute, symlink-free path of an export folder given to
 * add_export(): resolved when it exists (and then checked not to leave
 * the root), else the resolved root joined with the relative path.
 */
static char *
export_abspath(const char *given)
{
	char	   *rel = export_relpath(given);
	char	   *real = resolve_under_root(rel, true);
	char	   *realroot;

	if (real != NULL)
		return real;
	realroot = bc_real_root();
	if (strcmp(rel, ".") == 0)
		return realroot;
	return psprintf("%s%s%s", realroot, strcmp(realroot, "/") == 0 ? "" : "/", rel);
}

/* SQL: bedrock_cost.export_abspath(path text) returns text */
Datum
bedrock_cost_export_abspath(PG_FUNCTION_ARGS)
{
	char	   *given = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_TEXT_P(cstring_to_text(export_abspath(given)));
}
