/*-------------------------------------------------------------------------
 *
 * client_delivery.c
 *		The client's use of the core delivery layer (src/core/delivery.c):
 *		the deliveries of an export folder, or one file, found and opened
 *		exactly as the server loader and the worker find and open them.
 *
 * The folder (or the file's export folder) named on the command line is
 * the base: nothing below it is reached through a symbolic link, and
 * every file is opened once, then hashed and read from its descriptor.
 * Error texts are the core's, so the ledger reads the same whoever
 * loaded.
 *
 * IDENTIFICATION
 *		src/client/client_delivery.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

/* strdup or die */
char *
cl_strdup(const char *s)
{
	char	   *p = strdup(s ? s : "");

	if (p == NULL)
	{
		fprintf(stderr, "bedrock-cost-load: out of memory\n");
		exit(EXIT_INPUT);
	}
	return p;
}

/* strndup or die */
char *
cl_strndup(const char *s, size_t n)
{
	char	   *p = strndup(s, n);

	if (p == NULL)
	{
		fprintf(stderr, "bedrock-cost-load: out of memory\n");
		exit(EXIT_INPUT);
	}
	return p;
}

/* allocated formatted text */
static char *
fmt(const char *f,...)
			__attribute__((format(printf, 1, 2)));

static char *
fmt(const char *f,...)
{
	va_list		ap;
	char	   *s = NULL;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s == NULL)
	{
		fprintf(stderr, "bedrock-cost-load: out of memory\n");
		exit(EXIT_INPUT);
	}
	return s;
}

/* mark a delivery failed with an exit code and message (first one wins) */
void
cl_fail(cl_delivery *d, int code, const char *f,...)
{
	va_list		ap;
	char	   *s = NULL;

	if (d->error != NULL)
		return;
	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = cl_strdup("out of memory");
	va_end(ap);
	d->error = s;
	d->status = "failed";
	d->exit_code = code;
}

/* an absolute form of a path given on the command line (relative to the working folder) */
static char *
absolute(const char *path)
{
	char		cwd[BC_FS_PATH_MAX + 1];

	if (path[0] == '/')
		return cl_strdup(path);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return cl_strdup(path);
	return fmt("%s/%s", cwd, path);
}

/* the exit code of a failure of the core delivery layer */
static int
derror_code(const bc_derror *e)
{
	return e->kind == BC_DFAIL_INPUT && e->message &&
		(strstr(e->message, "\" is not absolute") || strstr(e->message, "\" contains a \"..\" component"))
		? EXIT_USAGE : EXIT_INPUT;
}

/* take the message of a core failure */
static char *
take_message(bc_derror *e)
{
	char	   *m = cl_strdup(e->message ? e->message : "out of memory");

	bc_derror_clear(e);
	return m;
}

/* a cl_delivery over core delivery i of the run's scan */
static cl_delivery *
wrap(cl_run *run, bc_delivery *core, int index)
{
	cl_delivery *d = calloc(1, sizeof(cl_delivery));

	if (d == NULL)
		exit(EXIT_INPUT);
	d->run = run;
	d->core = core;
	d->core_index = index;
	d->export_path = cl_strdup(run->loc.export_path);
	d->from_manifest = core->manifest_rel != NULL;
	d->manifest_path = core->manifest_path ? cl_strdup(core->manifest_path) : NULL;
	d->top_level = core->top_level;
	memcpy(d->period, core->period, 11);
	return d;
}

/* copy the core delivery's files (paths, sizes, descriptors) into d */
static void
take_files(cl_delivery *d)
{
	bc_delivery *core = d->core;

	d->nfiles = core->nfiles;
	d->files = calloc(core->nfiles > 0 ? core->nfiles : 1, sizeof(cl_file));
	if (d->files == NULL)
		exit(EXIT_INPUT);
	for (int i = 0; i < core->nfiles; i++)
	{
		d->files[i].path = cl_strdup(core->files[i].path);
		d->files[i].size = core->files[i].size;
		d->files[i].fd = core->files[i].fd;
	}
}

/*
 * Every delivery under an export folder, in period order and, within a
 * period, oldest first (the core's scan, as the server loader finds
 * them).  Returns 0, or an exit code with *error set.
 */
int
cl_find_deliveries(const char *export_dir, cl_delivery ***out, int *nout, char **error)
{
	cl_run	   *run = calloc(1, sizeof(cl_run));
	char	   *path = absolute(export_dir);
	bc_derror	err = {0};
	int			code;

	*out = NULL;
	*nout = 0;
	if (run == NULL)
		exit(EXIT_INPUT);
	if (!bc_export_locate(NULL, path, false, &run->loc, &err) ||
		!bc_export_scan(run->loc.exportfd, run->loc.export_path, &run->list, &run->n, &err))
	{
		code = derror_code(&err);
		*error = take_message(&err);
		free(path);
		return code;
	}
	free(path);
	*out = calloc(run->n > 0 ? run->n : 1, sizeof(cl_delivery *));
	if (*out == NULL)
		exit(EXIT_INPUT);
	for (int i = 0; i < run->n; i++)
		(*out)[i] = wrap(run, run->list[i], i);
	*nout = run->n;
	return 0;
}

/*
 * The delivery of one file: its export is the folder above
 * data/BILLING_PERIOD=... when it sits in an export's layout, else the
 * file's own folder; the file is opened now.  NULL with *error (and
 * *code) when it is unusable.
 */
cl_delivery *
cl_file_delivery(const char *file, char **error, int *code)
{
	cl_run	   *run = calloc(1, sizeof(cl_run));
	char	   *path = absolute(file);
	bc_derror	err = {0};
	bc_delivery *core;
	cl_delivery *d;

	if (run == NULL)
		exit(EXIT_INPUT);
	if (!bc_export_locate(NULL, path, true, &run->loc, &err) ||
		(core = bc_delivery_of_file(run->loc.exportfd, run->loc.export_path,
									run->loc.file_rel, &err)) == NULL)
	{
		*code = derror_code(&err);
		*error = take_message(&err);
		free(path);
		return NULL;
	}
	free(path);
	d = wrap(run, core, 0);
	run->single = core;
	take_files(d);
	return d;
}

/*
 * Read d's manifest and open its files (once: they are hashed and read
 * from these descriptors).  False (delivery failed, bad input) on error.
 * Opening twice is a no-op.
 */
bool
cl_read_manifest(cl_delivery *d)
{
	bc_derror	err = {0};

	if (d->error != NULL)
		return false;
	if (!d->from_manifest || d->files != NULL)
		return true;
	if (!bc_delivery_open(d->run->loc.exportfd, d->run->loc.export_path, d->core,
						  BC_DOPEN_FILES, &err))
	{
		if (d->core->execution_id)
			d->execution_id = cl_strdup(d->core->execution_id);
		cl_fail(d, EXIT_INPUT, "%s", err.message ? err.message : "out of memory");
		bc_derror_clear(&err);
		return false;
	}
	d->execution_id = cl_strdup(d->core->execution_id);
	take_files(d);
	return true;
}

/*
 * One file given as its period's complete delivery (d->period known): the
 * server's rule, with the core's check: refused when the period's manifest
 * lists other files, unless --complete.  False (delivery failed) when
 * refused.
 */
bool
cl_check_single_file(const cl_options *o, cl_delivery *d)
{
	bc_derror	err = {0};
	char	   *others = NULL;
	char	   *main;
	int			n = 0;

	if (d->from_manifest || o->complete)
		return true;
	if (!bc_delivery_others(d->run->loc.exportfd, d->run->loc.export_path, d->period,
							d->run->loc.file_rel, &others, &n, &err))
	{
		cl_fail(d, EXIT_INPUT, "%s", err.message ? err.message : "out of memory");
		bc_derror_clear(&err);
		return false;
	}
	if (n == 0)
		return true;
	main = bc_delivery_partial_message(d->files[0].path);
	cl_fail(d, EXIT_INPUT, "%s\nDETAIL: %s.\nHINT: Load the export folder, or pass --complete if this file really is the whole delivery.",
			main ? main : "out of memory", others);
	free(main);
	free(others);
	return false;
}

/*
 * When the delivery came, as the server's ledger orders deliveries: the
 * manifest's modification time (the file's, for one file), as an ISO
 * timestamp in UTC with microseconds into buf; NULL when not known yet.
 */
const char *
cl_delivered_at(const cl_delivery *d, char *buf, size_t cap)
{
	int64_t		ns;
	time_t		sec;
	struct tm	tm;

	if (d->core == NULL)
		return NULL;
	ns = d->from_manifest ? d->core->manifest_mtime :
		(d->core->nfiles > 0 ? d->core->files[0].mtime : 0);
	if (ns == 0)
		return NULL;
	sec = (time_t) (ns / 1000000000);
	if (gmtime_r(&sec, &tm) == NULL)
		return NULL;
	snprintf(buf, cap, "%04d-%02d-%02d %02d:%02d:%02d.%06d+00",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, (int) ((ns % 1000000000) / 1000));
	return buf;
}

/* whether d is AWS's latest copy of a delivery listed before it in the run */
bool
cl_is_latest_copy(const cl_delivery *d)
{
	return d->run->list != NULL && bc_delivery_is_copy(d->run->list, d->core_index);
}

/* sha256 of every file of the delivery, from its descriptors; false (failed) on a read error */
bool
cl_hash_files(cl_delivery *d)
{
	bc_derror	err = {0};

	if (!bc_delivery_hash(d->core, NULL, NULL, &err))
	{
		cl_fail(d, EXIT_INPUT, "%s", err.message ? err.message : "out of memory");
		bc_derror_clear(&err);
		return false;
	}
	for (int i = 0; i < d->nfiles; i++)
		memcpy(d->files[i].sha256, d->core->files[i].sha256, 65);
	return true;
}
