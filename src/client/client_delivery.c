/*-------------------------------------------------------------------------
 *
 * client_delivery.c
 *		Finding the deliveries of a CUR 2.0 export folder on the client,
 *		with the server loader's rules (src/ext/loader_delivery.c).
 *
 * A period's deliveries are its versioned manifests
 * (metadata/BILLING_PERIOD=YYYY-MM/<sub>/<name>-Manifest.json) in folder-name
 * order, then the top-level manifest; only the files a manifest lists are
 * read (stale chunks are ignored); a period without a manifest is not
 * loaded.  Manifests are parsed with the core parser (manifest.c); data
 * files must resolve (realpath) inside the export folder.  Error texts
 * are the server's, so the ledger reads the same whoever loaded.
 *
 * IDENTIFICATION
 *		src/client/client_delivery.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "client.h"
#include "manifest.h"
#include "path_check.h"
#include "sha256.h"

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

/* qsort comparator over char * */
static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* sorted entry names of a directory (without . and ..); *n = count */
static char **
sorted_entries(const char *dir, int *n)
{
	DIR		   *dh = opendir(dir);
	struct dirent *de;
	char	  **names = NULL;
	int			cap = 0;

	*n = 0;
	if (dh == NULL)
		return NULL;
	while ((de = readdir(dh)) != NULL)
	{
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (*n == cap)
		{
			cap = cap ? cap * 2 : 32;
			names = realloc(names, cap * sizeof(char *));
			if (names == NULL)
				exit(EXIT_INPUT);
		}
		names[(*n)++] = cl_strdup(de->d_name);
	}
	closedir(dh);
	if (*n > 0)
		qsort(names, *n, sizeof(char *), cmp_names);
	return names;
}

/* free a name list */
static void
free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* the manifest of a folder: the first entry named *Manifest.json, or NULL */
static char *
manifest_in(const char *dir)
{
	int			n;
	char	  **names = sorted_entries(dir, &n);
	char	   *found = NULL;

	for (int i = 0; i < n && found == NULL; i++)
	{
		size_t		l = strlen(names[i]);
		char	   *full;
		struct stat st;

		if (l < 13 || strcmp(names[i] + l - 13, "Manifest.json") != 0)
			continue;
		full = fmt("%s/%s", dir, names[i]);
		if (lstat(full, &st) == 0 && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)))
			found = full;
		else
			free(full);
	}
	free_names(names, n);
	return found;
}

/* "YYYY-MM-01" of a BILLING_PERIOD=YYYY-MM folder name; false if not one */
static bool
period_of_folder(const char *name, char out[11])
{
	int			y,
				m;
	char		tail;

	if (strncmp(name, "BILLING_PERIOD=", 15) != 0 ||
		sscanf(name + 15, "%4d-%2d%c", &y, &m, &tail) != 2 ||
		strlen(name) != 22 || y < 1900 || m < 1 || m > 12)
		return false;
	snprintf(out, 11, "%04d-%02d-01", y % 10000, m % 100);
	return true;
}

/* a new manifest delivery */
static cl_delivery *
new_delivery(const char *export_path, const char *period, char *manifest)
{
	cl_delivery *d = calloc(1, sizeof(cl_delivery));

	if (d == NULL)
		exit(EXIT_INPUT);
	d->export_path = cl_strdup(export_path);
	d->from_manifest = true;
	d->manifest_path = manifest;
	memcpy(d->period, period, 11);
	return d;
}

/* append to a growing delivery list */
static void
push(cl_delivery ***list, int *n, int *cap, cl_delivery *d)
{
	if (*n == *cap)
	{
		*cap = *cap ? *cap * 2 : 16;
		*list = realloc(*list, *cap * sizeof(cl_delivery *));
		if (*list == NULL)
			exit(EXIT_INPUT);
	}
	(*list)[(*n)++] = d;
}

/*
 * Every delivery under an export folder, in period order and, within a
 * period, oldest first.  Returns 0, or an exit code with *error set.
 */
int
cl_find_deliveries(const char *export_dir, cl_delivery ***out, int *nout, char **error)
{
	char		resolved[PATH_MAX];
	char	   *meta,
			   *data;
	struct stat st;
	char	  **periods;
	int			np,
				cap = 0;

	*out = NULL;
	*nout = 0;
	if (bc_path_has_dotdot(export_dir))
	{
		*error = fmt("path \"%s\" contains a \"..\" component", export_dir);
		return EXIT_USAGE;
	}
	if (realpath(export_dir, resolved) == NULL)
	{
		*error = fmt("could not access \"%s\": %s", export_dir, strerror(errno));
		return EXIT_INPUT;
	}
	if (stat(resolved, &st) != 0 || !S_ISDIR(st.st_mode))
	{
		*error = fmt("\"%s\" is not a directory", export_dir);
		return EXIT_INPUT;
	}
	meta = fmt("%s/metadata", resolved);
	data = fmt("%s/data", resolved);
	if (stat(meta, &st) != 0 && stat(data, &st) != 0)
	{
		*error = fmt("\"%s\" is not a CUR 2.0 export folder\nDETAIL: It has neither a metadata nor a data folder.",
					 resolved);
		free(meta);
		free(data);
		return EXIT_INPUT;
	}
	periods = sorted_entries(meta, &np);
	for (int i = 0; i < np; i++)
	{
		char		period[11];
		char	   *pdir;
		char	  **subs;
		int			ns;
		char	   *top;

		if (!period_of_folder(periods[i], period))
			continue;
		pdir = fmt("%s/%s", meta, periods[i]);
		if (stat(pdir, &st) != 0 || !S_ISDIR(st.st_mode))
		{
			free(pdir);
			continue;
		}
		subs = sorted_entries(pdir, &ns);
		for (int j = 0; j < ns; j++)
		{
			char	   *sub = fmt("%s/%s", pdir, subs[j]);
			char	   *m;

			if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode) &&
				(m = manifest_in(sub)) != NULL)
				push(out, nout, &cap, new_delivery(resolved, period, m));
			free(sub);
		}
		free_names(subs, ns);
		top = manifest_in(pdir);
		if (top != NULL)
		{
			cl_delivery *d = new_delivery(resolved, period, top);

			d->top_level = true;
			push(out, nout, &cap, d);
		}
		free(pdir);
	}
	free_names(periods, np);
	free(meta);
	free(data);
	return 0;
}

/*
 * The delivery of one file: its export is the folder above
 * data/BILLING_PERIOD=... when it sits in an export's layout, else the
 * file's own folder.  NULL with *error when the file is unusable.
 */
cl_delivery *
cl_file_delivery(const char *path, char **error)
{
	char		resolved[PATH_MAX];
	struct stat st;
	cl_delivery *d;
	const char *p;

	if (bc_path_has_dotdot(path))
	{
		*error = fmt("path \"%s\" contains a \"..\" component", path);
		return NULL;
	}
	if (realpath(path, resolved) == NULL)
	{
		*error = fmt("could not access \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	if (stat(resolved, &st) != 0 || !S_ISREG(st.st_mode))
	{
		*error = fmt("\"%s\" is not a regular file", path);
		return NULL;
	}
	d = calloc(1, sizeof(cl_delivery));
	if (d == NULL)
		exit(EXIT_INPUT);
	p = strstr(resolved, "/data/BILLING_PERIOD=");
	if (p != NULL)
		d->export_path = cl_strndup(resolved, p - resolved);
	else
	{
		const char *slash = strrchr(resolved, '/');

		d->export_path = (slash == resolved) ? cl_strdup("/") :
			cl_strndup(resolved, slash - resolved);
	}
	d->from_manifest = false;
	d->nfiles = 1;
	d->files = calloc(1, sizeof(cl_file));
	if (d->files == NULL)
		exit(EXIT_INPUT);
	d->files[0].path = cl_strdup(resolved);
	d->files[0].size = (int64_t) st.st_size;
	return d;
}

/*
 * Read d's manifest: execution id, period check, the listed files resolved
 * inside the export folder.  False (delivery failed, bad input) on error.
 */
bool
cl_read_manifest(cl_delivery *d)
{
	bc_manifest *m = NULL;
	bc_manifest_error e;

	memset(&e, 0, sizeof(e));
	if (bc_manifest_load(d->manifest_path, &m, &e) != BC_MANIFEST_OK)
	{
		if (e.status == BC_MANIFEST_IO)
			cl_fail(d, EXIT_INPUT, "could not open manifest \"%s\": %s",
					d->manifest_path, strerror(e.sys_errno));
		else
			cl_fail(d, EXIT_INPUT, "invalid manifest \"%s\": %s%s%s",
					d->manifest_path, e.message ? e.message : bc_manifest_strerror(e.status),
					e.detail[0] ? ": " : "", e.detail);
		return false;
	}
	d->execution_id = cl_strdup(m->execution_id);
	if (strcmp(m->billing_period, d->period) != 0)
	{
		cl_fail(d, EXIT_INPUT,
				"manifest \"%s\" is for billing period \"%s\", not the period of its folder",
				d->manifest_path, m->period_start);
		bc_manifest_free(m);
		return false;
	}
	d->nfiles = m->nfiles;
	d->files = calloc(m->nfiles > 0 ? m->nfiles : 1, sizeof(cl_file));
	if (d->files == NULL)
		exit(EXIT_INPUT);
	for (int i = 0; i < m->nfiles; i++)
	{
		char	   *joined = fmt("%s/%s", d->export_path, m->files[i].local);
		char		buf[PATH_MAX];
		struct stat st;

		if (realpath(joined, buf) == NULL)
		{
			cl_fail(d, EXIT_INPUT, "manifest \"%s\" lists \"%s\", which could not be accessed: %s",
					d->manifest_path, joined, strerror(errno));
			free(joined);
			break;
		}
		if (!bc_path_inside(buf, d->export_path))
		{
			cl_fail(d, EXIT_INPUT, "data file \"%s\" resolves to \"%s\", outside the export folder \"%s\"",
					joined, buf, d->export_path);
			free(joined);
			break;
		}
		if (stat(buf, &st) != 0 || !S_ISREG(st.st_mode))
		{
			cl_fail(d, EXIT_INPUT, "data file \"%s\" is not a regular file", joined);
			free(joined);
			break;
		}
		d->files[i].path = cl_strdup(buf);
		d->files[i].size = (int64_t) st.st_size;
		free(joined);
	}
	bc_manifest_free(m);
	return d->error == NULL;
}

/* sha256 of every file of the delivery; false (failed) on a read error */
bool
cl_hash_files(cl_delivery *d)
{
	static unsigned char buf[1 << 16];

	for (int i = 0; i < d->nfiles; i++)
	{
		FILE	   *fp = fopen(d->files[i].path, "rb");
		bc_sha256_ctx ctx;
		uint8_t		digest[BC_SHA256_DIGEST_LEN];
		size_t		n;

		if (fp == NULL)
		{
			cl_fail(d, EXIT_INPUT, "could not open \"%s\": %s", d->files[i].path, strerror(errno));
			return false;
		}
		bc_sha256_init(&ctx);
		while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
			bc_sha256_update(&ctx, buf, n);
		if (ferror(fp))
		{
			cl_fail(d, EXIT_INPUT, "could not read \"%s\": %s", d->files[i].path, strerror(errno));
			fclose(fp);
			return false;
		}
		fclose(fp);
		bc_sha256_final(&ctx, digest);
		bc_sha256_hex(digest, d->files[i].sha256);
	}
	return true;
}
