/*-------------------------------------------------------------------------
 *
 * loader_delivery.c
 *		Finding the deliveries of a CUR 2.0 export folder, reading their
 *		manifests, and keeping every path the loader opens safe.
 *
 * Layouts (AWS Data Exports, CUR 2.0, gzip CSV):
 *
 *	overwrite:	<export>/metadata/BILLING_PERIOD=YYYY-MM/<name>-Manifest.json
 *				<export>/data/BILLING_PERIOD=YYYY-MM/<name>-0000N.csv.gz
 *	create-new:	<export>/metadata/BILLING_PERIOD=YYYY-MM/<ts>-<execution-id>/<name>-Manifest.json
 *				<export>/data/BILLING_PERIOD=YYYY-MM/<ts>-<execution-id>/<name>-0000N.csv.gz
 *				plus a copy of the newest manifest directly under the period.
 *
 * A period's deliveries are its versioned manifests in folder-name order,
 * then the top-level manifest unless its executionId was already seen.
 * Only the files a manifest lists are loaded (stale chunks are ignored); a
 * period without a manifest is not loaded at all.
 *
 * Path safety: every path is made absolute and symlink-free with
 * realpath(); a path with a ".." component is refused before that; a data
 * file must resolve inside its export folder (a symlink leaving it is an
 * error); with bedrock_cost.export_root set, everything must resolve
 * inside it.  Without export_root, only superusers and members of
 * pg_read_server_files may load.
 *
 * IDENTIFICATION
 *		src/ext/loader_delivery.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/pg_authid.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"

#include "guc.h"
#include "loader.h"
#include "path_check.h"

/* largest manifest read */
#define BC_MAX_MANIFEST (64 * 1024 * 1024)

/*
 * Resolve a user-given absolute path: refuse "..", resolve symlinks, check
 * the type.  Returns the resolved path (palloc'd).
 */
char *
bc_resolve_path(const char *path, bool must_be_dir)
{
	char		buf[PATH_MAX];
	struct stat st;

	if (path[0] != '/')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("path \"%s\" is not absolute", path)));
	if (bc_path_has_dotdot(path))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("path \"%s\" contains a \"..\" component", path)));
	if (realpath(path, buf) == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not access \"%s\": %m", path)));
	if (stat(buf, &st) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat \"%s\": %m", buf)));
	if (must_be_dir && !S_ISDIR(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" is not a directory", path)));
	if (!must_be_dir && !S_ISREG(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" is not a regular file", path)));
	return pstrdup(buf);
}

/*
 * Refuse a resolved path outside bedrock_cost.export_root; without that
 * setting, refuse callers who may not read server files.
 */
void
bc_check_allowed_path(const char *resolved)
{
	char		root[PATH_MAX];

	if (bc_export_root == NULL || bc_export_root[0] == '\0')
	{
		if (!superuser() && !has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied to load \"%s\"", resolved),
					 errdetail("bedrock_cost.export_root is not set, so only superusers and members of pg_read_server_files may load server files.")));
		return;
	}
	if (realpath(bc_export_root, root) == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not access bedrock_cost.export_root \"%s\": %m",
						bc_export_root)));
	if (!bc_path_inside(resolved, root))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("path \"%s\" is outside bedrock_cost.export_root \"%s\"",
						resolved, root)));
}

/*
 * Resolve a data file a manifest lists, relative to the export folder:
 * no "..", must exist, be a regular file and stay inside the folder.
 */
static void
resolve_data_file(BcDelivery *d, BcLoadFile *f, const char *rel)
{
	char	   *joined = psprintf("%s/%s", d->export_path, rel);
	char		buf[PATH_MAX];
	struct stat st;

	if (bc_path_has_dotdot(rel))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("manifest \"%s\" lists \"%s\", which contains a \"..\" component",
						d->manifest_path, rel)));
	if (realpath(joined, buf) == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("manifest \"%s\" lists \"%s\", which could not be accessed: %m",
						d->manifest_path, joined)));
	if (!bc_path_inside(buf, d->export_path))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("data file \"%s\" resolves to \"%s\", outside the export folder \"%s\"",
						joined, buf, d->export_path)));
	bc_check_allowed_path(buf);
	if (stat(buf, &st) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat \"%s\": %m", buf)));
	if (!S_ISREG(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("data file \"%s\" is not a regular file", joined)));
	f->path = pstrdup(buf);
	f->size = (int64) st.st_size;
}

/* ---------------------------------------------------------------------- */
/* manifest parsing */

typedef struct ManifestState
{
	int			depth;
	int			field;			/* 0 none, 1 executionId, 2 dataFiles, 3 billingPeriod.start */
	bool		in_period;
	bool		in_files;
	char	   *execution_id;
	char	   *period_start;
	List	   *files;
} ManifestState;

/* JSON callbacks: pick executionId, billingPeriod.start, dataFiles[] */
static void
mf_object_start(void *state)
{
	((ManifestState *) state)->depth++;
}

static void
mf_object_end(void *state)
{
	ManifestState *st = state;

	st->depth--;
	if (st->depth < 2)
		st->in_period = false;
}

static void
mf_array_end(void *state)
{
	((ManifestState *) state)->in_files = false;
}

static void
mf_field_start(void *state, char *fname, bool isnull)
{
	ManifestState *st = state;

	st->field = 0;
	if (st->depth == 1)
	{
		if (strcmp(fname, "executionId") == 0)
			st->field = 1;
		else if (strcmp(fname, "dataFiles") == 0)
		{
			st->field = 2;
			st->in_files = true;
		}
		else if (strcmp(fname, "billingPeriod") == 0)
			st->in_period = true;
	}
	else if (st->depth == 2 && st->in_period && strcmp(fname, "start") == 0)
		st->field = 3;
}

static void
mf_scalar(void *state, char *token, JsonTokenType tokentype)
{
	ManifestState *st = state;

	if (tokentype != JSON_TOKEN_STRING)
		return;
	if (st->depth == 1 && st->in_files)
		st->files = lappend(st->files, token);
	else if (st->field == 1 && st->depth == 1)
		st->execution_id = token;
	else if (st->field == 3 && st->depth == 2)
		st->period_start = token;
	st->field = st->in_files ? 2 : 0;
}

/* read a whole (small) file into a palloc'd NUL-terminated buffer */
static char *
read_small_file(const char *path, size_t *len)
{
	FILE	   *fp = AllocateFile(path, "rb");
	StringInfoData buf;
	char		chunk[8192];
	size_t		n;

	if (fp == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open manifest \"%s\": %m", path)));
	initStringInfo(&buf);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
	{
		if (buf.len + n > BC_MAX_MANIFEST)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("manifest \"%s\" is larger than %d bytes", path, BC_MAX_MANIFEST)));
		appendBinaryStringInfo(&buf, chunk, n);
	}
	if (ferror(fp))
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read manifest \"%s\": %m", path)));
	FreeFile(fp);
	*len = buf.len;
	return buf.data;
}

/*
 * The export-relative path of a dataFiles entry: an s3:// URL or absolute
 * path is cut after its "/data/BILLING_PERIOD=" prefix part; a relative
 * path is taken as relative to the export folder.
 */
static char *
relative_data_path(BcDelivery *d, const char *entry)
{
	const char *p = strstr(entry, "/data/BILLING_PERIOD=");

	if (strncmp(entry, "data/", 5) == 0)
		return pstrdup(entry);
	if (p != NULL)
		return pstrdup(p + 1);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("manifest \"%s\" lists \"%s\", which is not under data/BILLING_PERIOD=",
					d->manifest_path, entry)));
	return NULL;				/* keep compiler quiet */
}

/*
 * Read d->manifest_path: executionId, billingPeriod.start, dataFiles.
 * Fills the delivery; ereports on any problem (inside the caller's
 * subtransaction, so the failure is recorded).
 */
void
bc_read_manifest(BcDelivery *d)
{
	size_t		len;
	char	   *text = read_small_file(d->manifest_path, &len);
	JsonLexContext *lex;
	JsonSemAction sem;
	ManifestState st;
	JsonParseErrorType rc;
	ListCell   *lc;
	int			i = 0;

	if (pg_encoding_verifymbstr(PG_UTF8, text, len) != (int) len)
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("manifest \"%s\" is not valid UTF-8", d->manifest_path)));
	memset(&st, 0, sizeof(st));
	memset(&sem, 0, sizeof(sem));
	sem.semstate = &st;
	sem.object_start = mf_object_start;
	sem.object_end = mf_object_end;
	sem.array_end = mf_array_end;
	sem.object_field_start = mf_field_start;
	sem.scalar = mf_scalar;
	lex = makeJsonLexContextCstringLen(text, len, PG_UTF8, true);
	rc = pg_parse_json(lex, &sem);
	if (rc != JSON_SUCCESS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("manifest \"%s\" is not valid JSON", d->manifest_path),
				 errdetail("%s", json_errdetail(rc, lex))));
	if (st.execution_id == NULL || st.execution_id[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("manifest \"%s\" has no executionId", d->manifest_path)));
	if (st.files == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("manifest \"%s\" lists no dataFiles", d->manifest_path)));
	d->execution_id = st.execution_id;
	if (st.period_start != NULL)
	{
		int			y,
					m;

		/* "2026-04-01T00:00:00.000Z", "20260401T000000.000Z" or "2026-04" */
		if (!((sscanf(st.period_start, "%4d-%2d", &y, &m) == 2 ||
			   sscanf(st.period_start, "%4d%2d", &y, &m) == 2) &&
			  date2j(y, m, 1) - POSTGRES_EPOCH_JDATE == d->period))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("manifest \"%s\" is for billing period \"%s\", not the period of its folder",
							d->manifest_path, st.period_start)));
	}
	d->nfiles = list_length(st.files);
	d->files = palloc0(sizeof(BcLoadFile) * d->nfiles);
	foreach(lc, st.files)
	{
		char	   *rel = relative_data_path(d, (char *) lfirst(lc));

		resolve_data_file(d, &d->files[i++], rel);
	}
}

/* ---------------------------------------------------------------------- */
/* discovery */

/* list_sort comparator over char * cells */
static int
cmp_names(const ListCell *a, const ListCell *b)
{
	return strcmp((const char *) lfirst(a), (const char *) lfirst(b));
}

/* sorted names of the entries of a directory (without . and ..) */
static List *
sorted_entries(const char *dir)
{
	DIR		   *dh = AllocateDir(dir);
	struct dirent *de;
	List	   *names = NIL;

	if (dh == NULL)
		return NIL;
	while ((de = ReadDirExtended(dh, dir, LOG)) != NULL)
	{
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		names = lappend(names, pstrdup(de->d_name));
	}
	FreeDir(dh);
	list_sort(names, cmp_names);
	return names;
}

/* the manifest in a folder: the one file named *Manifest.json, or NULL */
static char *
manifest_in(const char *dir)
{
	List	   *names = sorted_entries(dir);
	ListCell   *lc;

	foreach(lc, names)
	{
		char	   *n = lfirst(lc);
		size_t		l = strlen(n);
		char	   *full;
		struct stat st;

		if (l < 13 || strcmp(n + l - 13, "Manifest.json") != 0)
			continue;
		full = psprintf("%s/%s", dir, n);
		if (lstat(full, &st) == 0 && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)))
			return full;
	}
	return NULL;
}

/* the first day of a BILLING_PERIOD=YYYY-MM folder name; false if not one */
static bool
period_of_folder(const char *name, DateADT *period)
{
	int			y,
				m;
	char		tail;

	if (strncmp(name, "BILLING_PERIOD=", 15) != 0 ||
		sscanf(name + 15, "%4d-%2d%c", &y, &m, &tail) != 2 ||
		strlen(name) != 22 || y < 1900 || m < 1 || m > 12)
		return false;
	*period = date2j(y, m, 1) - POSTGRES_EPOCH_JDATE;
	return true;
}

/* a new delivery of the export for the manifest at path */
static BcDelivery *
new_delivery(const char *export_path, DateADT period, char *manifest)
{
	BcDelivery *d = palloc0(sizeof(BcDelivery));

	d->export_path = pstrdup(export_path);
	d->from_manifest = true;
	d->manifest_path = manifest;
	d->period_known = true;
	d->period = period;
	return d;
}

/*
 * Every delivery (one per manifest) under a resolved export folder, in
 * period order and, within a period, oldest first.  Manifests are not read
 * here (that happens per delivery, where a failure is recorded).
 */
List *
bc_find_deliveries(const char *export_path)
{
	char	   *meta = psprintf("%s/metadata", export_path);
	char	   *data = psprintf("%s/data", export_path);
	struct stat st;
	List	   *result = NIL;
	ListCell   *lc;

	if (stat(meta, &st) != 0 && stat(data, &st) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" is not a CUR 2.0 export folder", export_path),
				 errdetail("It has neither a metadata nor a data folder.")));

	foreach(lc, sorted_entries(meta))
	{
		char	   *name = lfirst(lc);
		char	   *pdir;
		DateADT		period;
		ListCell   *lc2;
		char	   *top;

		if (!period_of_folder(name, &period))
			continue;
		pdir = psprintf("%s/%s", meta, name);
		if (stat(pdir, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		foreach(lc2, sorted_entries(pdir))
		{
			char	   *sub = psprintf("%s/%s", pdir, (char *) lfirst(lc2));
			char	   *m;

			if (stat(sub, &st) != 0 || !S_ISDIR(st.st_mode))
				continue;
			if ((m = manifest_in(sub)) != NULL)
				result = lappend(result, new_delivery(export_path, period, m));
		}
		top = manifest_in(pdir);
		if (top != NULL)
		{
			BcDelivery *d = new_delivery(export_path, period, top);

			d->top_level = true;
			result = lappend(result, d);
		}
	}
	return result;
}

/*
 * The delivery of one ad hoc file.  Its export is the folder above
 * data/BILLING_PERIOD=... when the file sits in an export's layout, else
 * the file's own folder.  The period is learnt from the file's first row.
 */
BcDelivery *
bc_file_delivery(const char *resolved)
{
	BcDelivery *d = palloc0(sizeof(BcDelivery));
	const char *p = strstr(resolved, "/data/BILLING_PERIOD=");
	struct stat st;

	if (p != NULL)
		d->export_path = pnstrdup(resolved, p - resolved);
	else
	{
		const char *slash = strrchr(resolved, '/');

		d->export_path = (slash == resolved) ? pstrdup("/") :
			pnstrdup(resolved, slash - resolved);
	}
	d->from_manifest = false;
	d->nfiles = 1;
	d->files = palloc0(sizeof(BcLoadFile));
	d->files[0].path = pstrdup(resolved);
	if (stat(resolved, &st) == 0)
		d->files[0].size = (int64) st.st_size;
	return d;
}

/* hex of a sha256 digest */
static void
hex_digest(const uint8 *digest, char hex[65])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++)
	{
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[64] = '\0';
}

/* a sha256 context, erroring out when it cannot be made */
static pg_cryptohash_ctx *
sha256_start(void)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL || pg_cryptohash_init(ctx) < 0)
		elog(ERROR, "could not initialize sha256: %s", pg_cryptohash_error(ctx));
	return ctx;
}

/* feed bytes, erroring out on failure */
static void
sha256_feed(pg_cryptohash_ctx *ctx, const void *data, size_t len)
{
	if (pg_cryptohash_update(ctx, data, len) < 0)
		elog(ERROR, "could not compute sha256: %s", pg_cryptohash_error(ctx));
}

/* finish into hex */
static void
sha256_finish(pg_cryptohash_ctx *ctx, char hex[65])
{
	uint8		digest[PG_SHA256_DIGEST_LENGTH];

	if (pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute sha256: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	hex_digest(digest, hex);
}

/* hash every file of the delivery (sha256 of the stored bytes) */
void
bc_hash_files(BcDelivery *d)
{
	char	   *buf = palloc(65536);
	int64		done = 0;

	for (int i = 0; i < d->nfiles; i++)
	{
		FILE	   *fp;
		pg_cryptohash_ctx *ctx;
		size_t		n;

		bc_progress_file(i + 1, done);
		fp = AllocateFile(d->files[i].path, "rb");

		if (fp == NULL)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not open \"%s\": %m", d->files[i].path)));
		ctx = sha256_start();
		while ((n = fread(buf, 1, 65536, fp)) > 0)
		{
			sha256_feed(ctx, buf, n);
			done += (int64) n;
			if ((done & ((1 << 24) - 1)) < 65536)
				bc_progress_rows(0, done);	/* every 16 MB or so */
			CHECK_FOR_INTERRUPTS();
		}
		if (ferror(fp))
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not read \"%s\": %m", d->files[i].path)));
		FreeFile(fp);
		sha256_finish(ctx, d->files[i].sha256);
	}
	pfree(buf);
}

/*
 * The identity of a delivery: sha256 over its execution id and the
 * sha256 of each file, in order.  Files must be hashed.
 */
void
bc_delivery_key(BcDelivery *d, char key[65])
{
	pg_cryptohash_ctx *ctx = sha256_start();
	const char *eid = d->execution_id ? d->execution_id : "";

	sha256_feed(ctx, eid, strlen(eid) + 1);
	for (int i = 0; i < d->nfiles; i++)
		sha256_feed(ctx, d->files[i].sha256, 65);
	sha256_finish(ctx, key);
}
