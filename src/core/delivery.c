/*-------------------------------------------------------------------------
 *
 * delivery.c
 *		Finding the deliveries of a CUR 2.0 export folder and opening one
 *		delivery's manifest and files (see delivery.h).
 *
 * IDENTIFICATION
 *		src/core/delivery.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "delivery.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest.h"
#include "quote.h"
#include "sha256.h"

/* ---------------------------------------------------------------------- */
/* errors */

/* set a failure with a formatted message (the first one set wins) */
static bool
fail(bc_derror *err, bc_dfail kind, int sys_errno, const char *fmt,...)
			__attribute__((format(printf, 4, 5)));

static bool
fail(bc_derror *err, bc_dfail kind, int sys_errno, const char *fmt,...)
{
	va_list		ap;
	char	   *s = NULL;

	if (err == NULL || err->kind != BC_DFAIL_NONE)
		return false;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	err->kind = s ? kind : BC_DFAIL_NOMEM;
	err->message = s;
	err->sys_errno = sys_errno;
	return false;
}

void
bc_derror_clear(bc_derror *err)
{
	free(err->message);
	memset(err, 0, sizeof(*err));
}

/*
 * The quoted form of a path (whole) or of a value read from a manifest
 * (bounded) for a message; each slot has its own buffer, so a message can
 * quote two.
 */
static const char *
q(int slot, const char *s)
{
	static char bufs[2][BC_QUOTE_ROOM(BC_FS_PATH_MAX)];

	bc_quote_n(s, strlen(s), BC_FS_PATH_MAX, bufs[slot & 1]);
	return bufs[slot & 1];
}

/* the same for a value (bounded to BC_QUOTE_MAX bytes) */
static const char *
qv(const char *s)
{
	static char buf[BC_QUOTE_BUFSIZE];

	bc_quote(s, strlen(s), buf);
	return buf;
}

/* the text of a file status for "which ..." / "is ..." messages */
static const char *
fs_reason(bc_fs_status st, int sys_errno)
{
	if (st == BC_FS_IO)
		return strerror(sys_errno);
	if (st == BC_FS_NOT_FOUND)
		return strerror(ENOENT);
	return bc_fs_strerror(st);
}

/* a file time in nanoseconds since 1970 */
static int64_t
ns_of(const struct timespec *ts)
{
	return (int64_t) ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* malloc'd "a/b", or NULL */
static char *
join(const char *a, const char *b)
{
	char	   *s = NULL;

	if (b[0] == '\0')
		return strdup(a);
	if (asprintf(&s, "%s%s%s", a, strcmp(a, "/") == 0 ? "" : "/", b) < 0)
		return NULL;
	return s;
}

/* ---------------------------------------------------------------------- */
/* where a load reads */

/* "a/b" (or a alone when b is empty) into out[BC_FS_PATH_MAX + 1]; false when too long */
static bool
pjoin(char *out, const char *a, const char *b)
{
	size_t		na = strlen(a);
	size_t		nb = strlen(b);
	bool		slash = nb > 0 && !(na == 1 && a[0] == '/');

	if (na + slash + nb > BC_FS_PATH_MAX)
		return false;
	memmove(out, a, na);
	if (slash)
		out[na++] = '/';
	memmove(out + na, b, nb);
	out[na + nb] = '\0';
	return true;
}

/*
 * Split rel (a file below the base) into the export folder and the file:
 * the export is the folder above a "data/BILLING_PERIOD=" component, else
 * the file's own folder.
 */
static void
split_file_rel(const char *rel, char *export_rel, char *file_rel)
{
	const char *p = NULL;
	const char *s;

	for (s = rel; (s = strstr(s, "data/BILLING_PERIOD=")) != NULL; s++)
		if (s == rel || s[-1] == '/')
			p = s;
	if (p == NULL)
	{
		const char *slash = strrchr(rel, '/');

		p = slash ? slash + 1 : rel;
	}
	memcpy(export_rel, rel, (size_t) (p - rel));
	export_rel[p - rel] = '\0';
	if (p > rel)
		export_rel[p - rel - 1] = '\0';	/* the slash */
	strcpy(file_rel, p);
}

/* a message for a path that failed the lexical rules */
static bool
bad_path(bc_derror *err, bc_fs_status st, const char *path)
{
	if (st == BC_FS_NOT_ABSOLUTE)
		return fail(err, BC_DFAIL_INPUT, 0, "path %s is not absolute", q(0, path));
	if (bc_fs_has_dotdot(path))
		return fail(err, BC_DFAIL_INPUT, 0, "path %s contains a \"..\" component", q(0, path));
	return fail(err, BC_DFAIL_INPUT, 0, "path %s %s", q(0, path), bc_fs_strerror(st));
}

bool
bc_export_locate(const char *root, const char *path, bool is_file,
				 bc_export_loc *loc, bc_derror *err)
{
	char		canon[BC_FS_PATH_MAX + 1];
	char		rootcanon[BC_FS_PATH_MAX + 1];
	char		rootreal[PATH_MAX];
	char		export_rel[BC_FS_PATH_MAX + 1];
	const char *rel;
	const char *base;
	int			basefd;
	int			e = 0;
	bc_fs_status st;

	memset(loc, 0, sizeof(*loc));
	loc->exportfd = -1;
	if ((st = bc_fs_canonical(path, canon)) != BC_FS_OK)
		return bad_path(err, st, path);
	if (root != NULL)
	{
		/* decided on the names alone, before anything is opened */
		if (bc_fs_canonical(root, rootcanon) != BC_FS_OK)
			return fail(err, BC_DFAIL_INPUT, 0,
						"bedrock_cost.export_root %s is not an absolute path", q(0, root));
		if (realpath(rootcanon, rootreal) == NULL)
			return fail(err, BC_DFAIL_ACCESS, errno,
						"could not access bedrock_cost.export_root %s: %s",
						q(0, rootcanon), strerror(errno));
		if (bc_fs_under(canon, rootcanon, &rel) != BC_FS_OK &&
			bc_fs_under(canon, rootreal, &rel) != BC_FS_OK)
			return fail(err, BC_DFAIL_OUTSIDE, 0,
						"path %s is outside bedrock_cost.export_root", q(0, path));
		base = rootreal;
	}
	else
	{
		/* the folder a trusted user named is the base */
		if (is_file)
		{
			split_file_rel(canon + 1, export_rel, loc->file_rel);
			pjoin(rootcanon, "/", export_rel);
		}
		else
			snprintf(rootcanon, sizeof(rootcanon), "%s", canon);
		if (realpath(rootcanon, rootreal) == NULL)
			return fail(err, BC_DFAIL_ACCESS, errno, "could not access %s: %s",
						q(0, rootcanon), strerror(errno));
		base = rootreal;
		rel = "";
	}
	if ((st = bc_fs_open_base(base, &basefd, &e)) != BC_FS_OK)
		return fail(err, BC_DFAIL_ACCESS, e, "could not access %s: %s",
					q(0, base), fs_reason(st, e));
	if (root != NULL && is_file)
		split_file_rel(rel, export_rel, loc->file_rel);
	else if (root != NULL)
		snprintf(export_rel, sizeof(export_rel), "%s", rel);
	else
		export_rel[0] = '\0';
	st = bc_fs_open_dir(basefd, export_rel, &loc->exportfd, &e);
	close(basefd);
	if (st != BC_FS_OK)
	{
		char	   *shown = join(base, export_rel);

		if (st == BC_FS_NOT_DIR)
			fail(err, BC_DFAIL_INPUT, 0, "%s is not a directory", q(0, shown ? shown : path));
		else
			fail(err, st == BC_FS_SYMLINK ? BC_DFAIL_OUTSIDE : BC_DFAIL_ACCESS, e,
				 "could not access %s: %s", q(0, shown ? shown : path), fs_reason(st, e));
		free(shown);
		return false;
	}
	if (!pjoin(loc->export_path, base, export_rel))
	{
		close(loc->exportfd);
		loc->exportfd = -1;
		return fail(err, BC_DFAIL_INPUT, 0, "path %s is too long", q(0, path));
	}
	if (is_file && loc->file_rel[0] == '\0')
	{
		close(loc->exportfd);
		loc->exportfd = -1;
		return fail(err, BC_DFAIL_INPUT, 0, "%s is not a regular file", q(0, path));
	}
	return true;
}

/* ---------------------------------------------------------------------- */
/* the deliveries of a folder */

bool
bc_period_of_folder(const char *name, char out[11])
{
	const char *p = name + 15;

	if (strncmp(name, "BILLING_PERIOD=", 15) != 0 || strlen(p) != 7 || p[4] != '-')
		return false;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (p[i] < '0' || p[i] > '9'))
			return false;
	if (!((p[5] == '0' && p[6] >= '1') || (p[5] == '1' && p[6] <= '2')) || p[0] == '0')
		return false;
	snprintf(out, 11, "%.7s-01", p);
	return true;
}

/* whether name ends in Manifest.json */
static bool
is_manifest_name(const char *name)
{
	size_t		n = strlen(name);

	return n >= 13 && strcmp(name + n - 13, "Manifest.json") == 0;
}

/* a growing list of deliveries */
typedef struct dlist
{
	bc_delivery **items;
	int			n;
	int			cap;
} dlist;

/* a new delivery of period for manifest_rel (owned), appended; NULL on OOM */
static bc_delivery *
push(dlist *l, const char *export_path, const char *period, char *manifest_rel)
{
	bc_delivery *d;

	if (manifest_rel == NULL)
		return NULL;
	if (l->n == l->cap)
	{
		int			cap = l->cap ? l->cap * 2 : 16;
		bc_delivery **grown = realloc(l->items, (size_t) cap * sizeof(bc_delivery *));

		if (grown == NULL)
		{
			free(manifest_rel);
			return NULL;
		}
		l->items = grown;
		l->cap = cap;
	}
	d = calloc(1, sizeof(bc_delivery));
	if (d == NULL)
	{
		free(manifest_rel);
		return NULL;
	}
	memcpy(d->period, period, 11);
	d->manifest_rel = manifest_rel;
	d->manifest_path = join(export_path, manifest_rel);
	if (d->manifest_path == NULL)
	{
		free(d->manifest_rel);
		free(d);
		return NULL;
	}
	l->items[l->n++] = d;
	return d;
}

/* mark a delivery unusable with a message; false on OOM */
static bool
set_problem(bc_delivery *d, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

static bool
set_problem(bc_delivery *d, const char *fmt,...)
{
	va_list		ap;
	char	   *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	d->problem = s;
	return s != NULL;
}

/* malloc'd rel path "a/b" or "a/b/c" (c may be NULL) */
static char *
relpath(const char *a, const char *b, const char *c)
{
	char	   *s = NULL;

	if (asprintf(&s, "%s/%s%s%s", a, b, c ? "/" : "", c ? c : "") < 0)
		return NULL;
	return s;
}

/*
 * The delivery of folder dirfd (rel folder_rel): its one manifest, or a
 * problem; nothing when it has no manifest.  False on OOM.
 */
static bool
folder_delivery(dlist *l, const char *export_path, const char *period, int dirfd,
				const char *folder_rel, bool top_level)
{
	bc_fs_entry *ents;
	int			n;
	int			e = 0;
	int			found = -1;
	int			count = 0;
	bc_delivery *d;
	bool		ok = true;

	if (bc_fs_list(dirfd, &ents, &n, &e) != BC_FS_OK)
	{
		d = push(l, export_path, period, strdup(folder_rel));
		return d != NULL && set_problem(d, "could not list %s: %s",
										q(0, d->manifest_path), strerror(e));
	}
	for (int i = 0; i < n; i++)
	{
		if (!is_manifest_name(ents[i].name))
			continue;
		if (count++ == 0)
			found = i;
	}
	if (count == 0)
	{
		bc_fs_list_free(ents, n);
		return true;
	}
	d = push(l, export_path, period,
			 count == 1 ? relpath(folder_rel, ents[found].name, NULL) : strdup(folder_rel));
	if (d == NULL)
		ok = false;
	else
	{
		d->top_level = top_level;
		if (count > 1)
			ok = set_problem(d, "%s holds %d files named *Manifest.json; a delivery folder holds one",
							 q(0, d->manifest_path), count);
		else if (ents[found].kind == BC_FS_KIND_SYMLINK)
			ok = set_problem(d, "manifest %s is a symbolic link, which is not followed",
							 q(0, d->manifest_path));
		else if (ents[found].kind != BC_FS_KIND_FILE)
			ok = set_problem(d, "manifest %s is not a regular file", q(0, d->manifest_path));
	}
	bc_fs_list_free(ents, n);
	return ok;
}

/* the deliveries of one period folder (metadata/<name>); false on OOM */
static bool
scan_period(dlist *l, const char *export_path, int metafd, const bc_fs_entry *pe,
			const char *period)
{
	char	   *prel = relpath("metadata", pe->name, NULL);
	int			pfd;
	int			e = 0;
	bc_fs_status st;
	bc_fs_entry *subs;
	int			ns;
	bool		ok = true;

	if (prel == NULL)
		return false;
	if (pe->kind != BC_FS_KIND_DIR)
	{
		bc_delivery *d = push(l, export_path, period, prel);

		return d != NULL &&
			set_problem(d, "%s is %s", q(0, d->manifest_path),
						pe->kind == BC_FS_KIND_SYMLINK ?
						"a symbolic link, which is not followed" : "not a folder");
	}
	st = bc_fs_open_dir(metafd, pe->name, &pfd, &e);
	if (st == BC_FS_OK)
		st = bc_fs_list(pfd, &subs, &ns, &e);
	else
		pfd = -1;
	if (st != BC_FS_OK)
	{
		bc_delivery *d = push(l, export_path, period, prel);

		if (pfd >= 0)
			close(pfd);
		return d != NULL && set_problem(d, "could not list %s: %s", q(0, d->manifest_path),
										fs_reason(st, e));
	}
	for (int i = 0; i < ns && ok; i++)
	{
		char	   *srel;
		int			sfd;

		if (subs[i].kind == BC_FS_KIND_FILE || subs[i].kind == BC_FS_KIND_OTHER ||
			(subs[i].kind == BC_FS_KIND_SYMLINK && is_manifest_name(subs[i].name)))
			continue;			/* files: the top-level manifest, below */
		srel = relpath(prel, subs[i].name, NULL);
		if (srel == NULL)
		{
			ok = false;
			break;
		}
		if (subs[i].kind == BC_FS_KIND_SYMLINK)
		{
			bc_delivery *d = push(l, export_path, period, srel);

			ok = d != NULL && set_problem(d, "%s is a symbolic link, which is not followed",
										  q(0, d->manifest_path));
			continue;
		}
		if (bc_fs_open_dir(pfd, subs[i].name, &sfd, &e) != BC_FS_OK)
		{
			free(srel);
			continue;			/* vanished or replaced: seen at the next scan */
		}
		ok = folder_delivery(l, export_path, period, sfd, srel, false);
		close(sfd);
		free(srel);
	}
	if (ok)
		ok = folder_delivery(l, export_path, period, pfd, prel, true);
	bc_fs_list_free(subs, ns);
	close(pfd);
	free(prel);
	return ok;
}

bool
bc_export_scan(int exportfd, const char *export_path, bc_delivery ***out, int *n,
			   bc_derror *err)
{
	dlist		l = {0};
	struct stat sb;
	int			metafd;
	int			e = 0;
	bc_fs_status st;
	bc_fs_entry *periods;
	int			np;
	bool		ok = true;

	*out = NULL;
	*n = 0;
	st = bc_fs_open_dir(exportfd, "metadata", &metafd, &e);
	if (st == BC_FS_NOT_FOUND)
	{
		if (bc_fs_stat(exportfd, "data", &sb, &e) == BC_FS_OK && S_ISDIR(sb.st_mode))
			return true;		/* data without manifests: nothing to load yet */
		return fail(err, BC_DFAIL_INPUT, 0,
					"%s is not a CUR 2.0 export folder: it has neither a metadata nor a data folder",
					q(0, export_path));
	}
	if (st != BC_FS_OK)
		return fail(err, st == BC_FS_SYMLINK ? BC_DFAIL_OUTSIDE : BC_DFAIL_ACCESS, e,
					"could not open the metadata folder of %s: %s", q(0, export_path),
					fs_reason(st, e));
	st = bc_fs_list(metafd, &periods, &np, &e);
	if (st != BC_FS_OK)
	{
		close(metafd);
		return fail(err, BC_DFAIL_ACCESS, e, "could not list the metadata folder of %s: %s",
					q(0, export_path), fs_reason(st, e));
	}
	for (int i = 0; i < np && ok; i++)
	{
		char		period[11];

		if (bc_period_of_folder(periods[i].name, period))
			ok = scan_period(&l, export_path, metafd, &periods[i], period);
	}
	bc_fs_list_free(periods, np);
	close(metafd);
	if (!ok)
	{
		bc_deliveries_free(l.items, l.n);
		return fail(err, BC_DFAIL_NOMEM, 0, "out of memory");
	}
	*out = l.items;
	*n = l.n;
	return true;
}

/* ---------------------------------------------------------------------- */
/* one delivery */

/* the message of a manifest parse error */
static bool
manifest_failed(bc_derror *err, const bc_delivery *d, bc_manifest_status st,
				const bc_manifest_error *me)
{
	if (st == BC_MANIFEST_NOMEM)
		return fail(err, BC_DFAIL_NOMEM, 0, "out of memory");
	if (st == BC_MANIFEST_JSON)
		return fail(err, BC_DFAIL_INPUT, 0, "invalid manifest %s: %s at byte %zu: %s",
					q(0, d->manifest_path), me->message, me->offset, me->detail);
	if (me->detail[0] != '\0')
		return fail(err, BC_DFAIL_INPUT, 0, "invalid manifest %s: %s: %s",
					q(0, d->manifest_path), me->message, qv(me->detail));
	return fail(err, BC_DFAIL_INPUT, 0, "invalid manifest %s: %s",
				q(0, d->manifest_path), me->message);
}

/* read and parse the manifest of d; *m owned by the caller */
static bool
read_manifest(int exportfd, bc_delivery *d, bc_manifest **m, bc_derror *err)
{
	int			fd;
	int			e = 0;
	struct stat sb;
	bc_fs_status st;
	char	   *text;
	size_t		len;
	bc_manifest_error me;
	bc_manifest_status ms;

	*m = NULL;
	st = bc_fs_open_file(exportfd, d->manifest_rel, &fd, &sb, &e);
	if (st != BC_FS_OK)
		return fail(err, st == BC_FS_SYMLINK ? BC_DFAIL_OUTSIDE : BC_DFAIL_ACCESS, e,
					"could not open manifest %s: %s", q(0, d->manifest_path), fs_reason(st, e));
	d->manifest_size = (int64_t) sb.st_size;
	d->manifest_mtime = ns_of(&sb.st_mtim);
	d->manifest_ctime = ns_of(&sb.st_ctim);
	st = bc_fs_read_all(fd, BC_MANIFEST_MAX_BYTES, &text, &len, &e);
	close(fd);
	if (st == BC_FS_TOO_BIG)
		return fail(err, BC_DFAIL_INPUT, 0, "manifest %s is larger than %d bytes",
					q(0, d->manifest_path), BC_MANIFEST_MAX_BYTES);
	if (st != BC_FS_OK)
		return fail(err, BC_DFAIL_ACCESS, e, "could not read manifest %s: %s",
					q(0, d->manifest_path), fs_reason(st, e));
	ms = bc_manifest_parse(text, len, m, &me);
	free(text);
	if (ms != BC_MANIFEST_OK)
		return manifest_failed(err, d, ms, &me);
	return true;
}

/* open (or, inspecting, look at) data file i; false when the delivery fails */
static bool
open_data_file(int exportfd, bc_delivery *d, int i, int mode, const char *uri, bc_derror *err)
{
	bc_dfile   *f = &d->files[i];
	struct stat sb;
	int			e = 0;
	bc_fs_status st;

	if (mode == BC_DOPEN_INSPECT)
	{
		st = bc_fs_stat(exportfd, f->rel, &sb, &e);
		if (st == BC_FS_OK && !S_ISREG(sb.st_mode))
			st = BC_FS_NOT_REGULAR;
		if (st == BC_FS_NOT_FOUND)
		{
			f->missing = true;
			return true;
		}
	}
	else
		st = bc_fs_open_file(exportfd, f->rel, &f->fd, &sb, &e);
	if (st != BC_FS_OK)
		return fail(err, st == BC_FS_SYMLINK ? BC_DFAIL_OUTSIDE :
					st == BC_FS_NOT_FOUND || st == BC_FS_IO ? BC_DFAIL_ACCESS : BC_DFAIL_INPUT, e,
					"manifest %s lists %s, which %s%s", q(0, d->manifest_path), q(1, f->path),
					st == BC_FS_NOT_FOUND || st == BC_FS_IO ? "could not be accessed: " : "",
					fs_reason(st, e));
	(void) uri;
	f->size = (int64_t) sb.st_size;
	f->mtime = ns_of(&sb.st_mtim);
	f->ctime = ns_of(&sb.st_ctim);
	return true;
}

bool
bc_delivery_open(int exportfd, const char *export_path, bc_delivery *d, int mode,
				 bc_derror *err)
{
	bc_manifest *m;

	if (d->problem != NULL)
		return fail(err, BC_DFAIL_INPUT, 0, "%s", d->problem);
	if (!read_manifest(exportfd, d, &m, err))
		return false;
	d->execution_id = strdup(m->execution_id);
	if (d->execution_id == NULL)
	{
		bc_manifest_free(m);
		return fail(err, BC_DFAIL_NOMEM, 0, "out of memory");
	}
	if (strcmp(m->billing_period, d->period) != 0)
	{
		fail(err, BC_DFAIL_INPUT, 0,
			 "manifest %s is for billing period %s, not the period of its folder",
			 q(0, d->manifest_path), qv(m->period_start));
		bc_manifest_free(m);
		return false;
	}
	if (m->nfiles == 0)
	{
		bc_manifest_free(m);
		return fail(err, BC_DFAIL_INPUT, 0, "manifest %s lists no data files",
					q(0, d->manifest_path));
	}
	d->files = calloc((size_t) m->nfiles, sizeof(bc_dfile));
	if (d->files == NULL)
	{
		bc_manifest_free(m);
		return fail(err, BC_DFAIL_NOMEM, 0, "out of memory");
	}
	for (int i = 0; i < m->nfiles; i++)
	{
		bc_dfile   *f = &d->files[i];

		f->fd = -1;
		f->rel = strdup(m->files[i].local);
		f->path = f->rel ? join(export_path, f->rel) : NULL;
		d->nfiles = i + 1;
		if (f->path == NULL)
		{
			bc_manifest_free(m);
			return fail(err, BC_DFAIL_NOMEM, 0, "out of memory");
		}
		if (!open_data_file(exportfd, d, i, mode, m->files[i].uri, err))
		{
			bc_manifest_free(m);
			return false;
		}
	}
	bc_manifest_free(m);
	return true;
}

bc_delivery *
bc_delivery_of_file(int exportfd, const char *export_path, const char *rel, bc_derror *err)
{
	bc_delivery *d = calloc(1, sizeof(bc_delivery));
	bc_dfile   *f;
	struct stat sb;
	int			e = 0;
	bc_fs_status st;

	if (d == NULL || (d->files = calloc(1, sizeof(bc_dfile))) == NULL)
	{
		free(d);
		fail(err, BC_DFAIL_NOMEM, 0, "out of memory");
		return NULL;
	}
	d->nfiles = 1;
	f = &d->files[0];
	f->fd = -1;
	f->rel = strdup(rel);
	f->path = join(export_path, rel);
	if (f->rel == NULL || f->path == NULL)
	{
		bc_delivery_free(d);
		fail(err, BC_DFAIL_NOMEM, 0, "out of memory");
		return NULL;
	}
	st = bc_fs_open_file(exportfd, rel, &f->fd, &sb, &e);
	if (st != BC_FS_OK)
	{
		if (st == BC_FS_NOT_REGULAR)
			fail(err, BC_DFAIL_INPUT, 0, "%s is not a regular file", q(0, f->path));
		else
			fail(err, st == BC_FS_SYMLINK ? BC_DFAIL_OUTSIDE : BC_DFAIL_ACCESS, e,
				 "could not access %s: %s", q(0, f->path), fs_reason(st, e));
		bc_delivery_free(d);
		return NULL;
	}
	f->size = (int64_t) sb.st_size;
	f->mtime = ns_of(&sb.st_mtim);
	f->ctime = ns_of(&sb.st_ctim);
	return d;
}

bool
bc_delivery_others(int exportfd, const char *export_path, const char *period,
				   const char *file_rel, char **others, int *nothers, bc_derror *err)
{
	bc_delivery **ds = NULL;
	int			n = 0;
	int			last = -1;
	struct stat sb;
	int			e = 0;
	bc_delivery *d;
	char	   *list = NULL;
	size_t		used = 0;
	size_t		cap = 0;

	*others = NULL;
	*nothers = 0;
	if (bc_fs_stat(exportfd, "metadata", &sb, &e) != BC_FS_OK)
		return true;			/* no manifests at all: an ad hoc file */
	if (!bc_export_scan(exportfd, export_path, &ds, &n, err))
		return false;
	for (int i = 0; i < n; i++)
		if (strcmp(ds[i]->period, period) == 0 && ds[i]->problem == NULL)
			last = i;
	if (last < 0)
	{
		bc_deliveries_free(ds, n);
		return true;
	}
	d = ds[last];
	if (!bc_delivery_open(exportfd, export_path, d, BC_DOPEN_INSPECT, err))
	{
		bc_deliveries_free(ds, n);
		return false;
	}
	for (int i = 0; i < d->nfiles; i++)
	{
		const char *name;
		size_t		need;

		if (strcmp(d->files[i].rel, file_rel) == 0)
			continue;
		if ((*nothers)++ >= 5)
			continue;
		name = q(0, d->files[i].path);
		need = strlen(name) + 3;
		if (used + need + 1 > cap)
		{
			char	   *grown;

			cap = (used + need + 1) * 2;
			grown = realloc(list, cap);
			if (grown == NULL)
			{
				free(list);
				bc_deliveries_free(ds, n);
				return fail(err, BC_DFAIL_NOMEM, 0, "out of memory");
			}
			list = grown;
		}
		used += (size_t) sprintf(list + used, "%s%s", used ? ", " : "", name);
	}
	if (*nothers > 0 &&
		asprintf(others, "manifest %s lists %d other file%s of this delivery (%s%s)",
				 q(0, d->manifest_path), *nothers, *nothers == 1 ? "" : "s",
				 list ? list : "", *nothers > 5 ? ", ..." : "") < 0)
		*others = NULL;
	free(list);
	bc_deliveries_free(ds, n);
	if (*nothers > 0 && *others == NULL)
		return fail(err, BC_DFAIL_NOMEM, 0, "out of memory");
	return true;
}

char *
bc_delivery_partial_message(const char *file_path)
{
	char	   *s = NULL;

	if (asprintf(&s, "%s is one file of a delivery: loading it alone would replace the whole billing period with it",
				 q(0, file_path)) < 0)
		return NULL;
	return s;
}

bool
bc_delivery_is_copy(bc_delivery *const *deliveries, int i)
{
	const bc_delivery *d = deliveries[i];

	if (!d->top_level || d->execution_id == NULL)
		return false;
	for (int j = i - 1; j >= 0; j--)
	{
		const bc_delivery *o = deliveries[j];

		if (strcmp(o->period, d->period) != 0)
			break;
		if (o->execution_id != NULL && strcmp(o->execution_id, d->execution_id) == 0)
			return true;
	}
	return false;
}

/* ---------------------------------------------------------------------- */
/* hashing, identity, cleanup */

bool
bc_delivery_hash(bc_delivery *d, void (*tick) (void *arg, int file_no, int64_t bytes),
				 void *arg, bc_derror *err)
{
	static unsigned char buf[1 << 16];
	int64_t		done = 0;
	int64_t		next_tick = 1 << 20;

	for (int i = 0; i < d->nfiles; i++)
	{
		bc_dfile   *f = &d->files[i];
		bc_sha256_ctx ctx;
		uint8_t		digest[BC_SHA256_DIGEST_LEN];
		off_t		off = 0;

		if (tick)
			tick(arg, i + 1, done);
		bc_sha256_init(&ctx);
		for (;;)
		{
			ssize_t		n = pread(f->fd, buf, sizeof(buf), off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return fail(err, BC_DFAIL_ACCESS, errno, "could not read %s: %s",
							q(0, f->path), strerror(errno));
			if (n == 0)
				break;
			bc_sha256_update(&ctx, buf, (size_t) n);
			off += n;
			done += n;
			if (tick && done >= next_tick)
			{
				tick(arg, i + 1, done);
				next_tick = done + (1 << 20);
			}
		}
		bc_sha256_final(&ctx, digest);
		bc_sha256_hex(digest, f->sha256);
	}
	return true;
}

void
bc_dkey_init(bc_dkey *k, const char *execution_id)
{
	const char *eid = execution_id ? execution_id : "";

	bc_sha256_init(&k->ctx);
	bc_sha256_update(&k->ctx, eid, strlen(eid) + 1);
}

void
bc_dkey_file(bc_dkey *k, const char sha256[65])
{
	bc_sha256_update(&k->ctx, sha256, 65);
}

void
bc_dkey_final(bc_dkey *k, char key[65])
{
	uint8_t		digest[BC_SHA256_DIGEST_LEN];

	bc_sha256_final(&k->ctx, digest);
	bc_sha256_hex(digest, key);
}

void
bc_delivery_key(const bc_delivery *d, char key[65])
{
	bc_dkey		k;

	bc_dkey_init(&k, d->execution_id);
	for (int i = 0; i < d->nfiles; i++)
		bc_dkey_file(&k, d->files[i].sha256);
	bc_dkey_final(&k, key);
}

void
bc_delivery_close(bc_delivery *d)
{
	for (int i = 0; d != NULL && i < d->nfiles; i++)
	{
		if (d->files[i].fd >= 0)
			close(d->files[i].fd);
		d->files[i].fd = -1;
	}
}

void
bc_delivery_free(bc_delivery *d)
{
	if (d == NULL)
		return;
	bc_delivery_close(d);
	for (int i = 0; i < d->nfiles; i++)
	{
		free(d->files[i].rel);
		free(d->files[i].path);
	}
	free(d->files);
	free(d->manifest_rel);
	free(d->manifest_path);
	free(d->problem);
	free(d->execution_id);
	free(d);
}

void
bc_deliveries_free(bc_delivery **list, int n)
{
	for (int i = 0; i < n; i++)
		bc_delivery_free(list[i]);
	free(list);
}
