/*-------------------------------------------------------------------------
 *
 * worker_scan.c
 *		What the ingest worker sees in an export folder: the deliveries
 *		(one manifest each), whether each is complete, and a fingerprint
 *		that tells whether anything changed since the previous poll.
 *
 * A delivery is the manifest directly in metadata/BILLING_PERIOD=YYYY-MM/
 * (the one AWS overwrites with each refresh, in both the overwrite and the
 * create-new layout; the newest when a period folder holds several) plus
 * the data files it lists, mapped to the export folder as the loader maps
 * them (the part of the dataFiles entry from "data/BILLING_PERIOD=" on).
 * It is complete when every listed file exists.  Its fingerprint hashes
 * the size, mtime and ctime of the manifest and of every listed file.
 * Every path is resolved and must stay under bedrock_cost.export_root.
 *
 * IDENTIFICATION
 *		src/ext/worker_scan.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include <ctype.h>
#include <sys/stat.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "storage/fd.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "worker.h"

/* manifests larger than this are refused */
#define BC_MANIFEST_MAX (64 * 1024 * 1024)

/* "BILLING_PERIOD=YYYY-MM" as "YYYY-MM-01"; NULL when the name is not a period */
static char *
period_of_folder(const char *name)
{
	const char *p = name + strlen("BILLING_PERIOD=");

	if (strncmp(name, "BILLING_PERIOD=", strlen("BILLING_PERIOD=")) != 0 ||
		strlen(p) != 7 || p[4] != '-' ||
		!isdigit((unsigned char) p[0]) || !isdigit((unsigned char) p[1]) ||
		!isdigit((unsigned char) p[2]) || !isdigit((unsigned char) p[3]) ||
		!isdigit((unsigned char) p[5]) || !isdigit((unsigned char) p[6]) ||
		!((p[5] == '0' && p[6] >= '1') || (p[5] == '1' && p[6] <= '2')))
		return NULL;
	return psprintf("%.7s-01", p);
}

/* whether name ends with suffix */
static bool
ends_with(const char *name, const char *suffix)
{
	size_t		n = strlen(name);
	size_t		m = strlen(suffix);

	return n >= m && strcmp(name + n - m, suffix) == 0;
}

/* the newest *Manifest.json directly in a period folder, relative to the export */
static char *
newest_manifest(const char *exportdir, const char *folder)
{
	char	   *dir = psprintf("%s/metadata/%s", exportdir, folder);
	DIR		   *d = AllocateDir(dir);
	struct dirent *de;
	char	   *best = NULL;
	time_t		best_mtime = 0;

	while ((de = ReadDir(d, dir)) != NULL)
	{
		struct stat st;
		char	   *path;

		if (!ends_with(de->d_name, "Manifest.json"))
			continue;
		path = psprintf("%s/%s", dir, de->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (best == NULL || st.st_mtime > best_mtime ||
			(st.st_mtime == best_mtime && strcmp(de->d_name, best) > 0))
		{
			best = pstrdup(de->d_name);
			best_mtime = st.st_mtime;
		}
	}
	FreeDir(d);
	return best ? psprintf("metadata/%s/%s", folder, best) : NULL;
}

/* order deliveries by billing period */
static int
cmp_period(const ListCell *a, const ListCell *b)
{
	return strcmp(((BcWorkerDelivery *) lfirst(a))->period,
				  ((BcWorkerDelivery *) lfirst(b))->period);
}

/* the deliveries of an export folder: one manifest per billing period */
List *
bc_worker_find_deliveries(const char *exportdir)
{
	char	   *metadir = psprintf("%s/metadata", exportdir);
	struct stat st;
	DIR		   *d;
	struct dirent *de;
	List	   *found = NIL;

	if (stat(metadir, &st) != 0)
		return NIL;				/* nothing delivered yet */
	d = AllocateDir(metadir);
	while ((de = ReadDir(d, metadir)) != NULL)
	{
		char	   *period = period_of_folder(de->d_name);
		char	   *manifest;
		BcWorkerDelivery *dl;

		if (period == NULL)
			continue;
		manifest = newest_manifest(exportdir, de->d_name);
		if (manifest == NULL)
			continue;			/* data may be there, but no manifest yet */
		dl = palloc0(sizeof(BcWorkerDelivery));
		dl->manifest = manifest;
		dl->period = period;
		found = lappend(found, dl);
	}
	FreeDir(d);
	list_sort(found, cmp_period);
	return found;
}

/* append a file's identity to a fingerprint */
static void
fingerprint_add(StringInfo fp, const char *rel, const struct stat *st)
{
	if (st == NULL)
		appendStringInfo(fp, "%s:missing\n", rel);
	else
		appendStringInfo(fp, "%s:%lld:%lld:%lld\n", rel, (long long) st->st_size,
						 (long long) st->st_mtime, (long long) st->st_ctime);
}

/* read a whole (small) file into a palloc'd, NUL-terminated buffer */
static char *
read_small_file(const char *path, off_t size)
{
	FILE	   *f;
	char	   *buf;
	size_t		got;

	if (size > BC_MANIFEST_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("manifest \"%s\" is larger than %d bytes", path, BC_MANIFEST_MAX)));
	f = AllocateFile(path, "rb");
	if (f == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open manifest \"%s\": %m", path)));
	buf = palloc(size + 1);
	got = fread(buf, 1, size, f);
	if (ferror(f))
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read manifest \"%s\": %m", path)));
	FreeFile(f);
	buf[got] = '\0';
	return buf;
}

/*
 * A dataFiles entry as a path relative to the export folder, the way the
 * loader maps it: "data/..." as is, else the part from
 * "data/BILLING_PERIOD=" on (s3://bucket/prefix/export/data/...).
 */
static char *
data_file_relpath(const char *entry, const BcWorkerDelivery *dl)
{
	const char *p = strstr(entry, "/data/BILLING_PERIOD=");
	char	   *rel;

	if (strncmp(entry, "data/", 5) == 0)
		rel = pstrdup(entry);
	else if (p != NULL)
		rel = pstrdup(p + 1);
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("manifest %s lists \"%s\", which is not under data/BILLING_PERIOD=",
						dl->manifest, entry)));
	canonicalize_path(rel);
	if (path_contains_parent_reference(rel))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("manifest %s lists \"%s\", which contains a \"..\" component",
						dl->manifest, entry)));
	return rel;
}

/* what inspecting a delivery needs */
typedef struct Inspect
{
	BcWorkerDelivery *dl;
	MemoryContext cxt;			/* where dl's fields go */
	const char *exportdir;
	const char *realroot;
	struct stat manifest_st;
	StringInfoData fp;
} Inspect;

/* executionId and the dataFiles entries of a manifest's text */
static List *
parse_manifest(Inspect *in, const char *json)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(json)};
	MemoryContext cxt = CurrentMemoryContext;
	List	   *entries = NIL;
	bool		isnull;
	Datum		arr;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	SPI_connect();
	if (SPI_execute_with_args("SELECT m->>'executionId', jsonb_typeof(m->'dataFiles') = 'array',"
							  " ARRAY(SELECT jsonb_array_elements_text(CASE jsonb_typeof(m->'dataFiles')"
							  "  WHEN 'array' THEN m->'dataFiles' END))"
							  " FROM (SELECT $1::jsonb AS m) s",
							  1, types, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "bedrock_cost: could not parse manifest");
	arr = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	if (isnull || !DatumGetBool(arr))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("manifest %s has no dataFiles array", in->dl->manifest)));
	{
		char	   *eid = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		in->dl->execution_id = eid ? MemoryContextStrdup(in->cxt, eid) : NULL;
	}
	arr = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
	MemoryContextSwitchTo(cxt);
	deconstruct_array(DatumGetArrayTypeP(arr), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	for (i = 0; i < n; i++)
		if (!nulls[i])
			entries = lappend(entries, TextDatumGetCString(elems[i]));
	SPI_finish();
	MemoryContextSwitchTo(cxt);
	if (entries == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("manifest %s lists no data files", in->dl->manifest)));
	return entries;
}

/* read the manifest and check every listed file (may raise errors) */
static void
inspect_files(void *arg)
{
	Inspect    *in = arg;
	BcWorkerDelivery *dl = in->dl;
	char	   *abs = psprintf("%s/%s", in->exportdir, dl->manifest);
	char	   *real = bc_checked_realpath(abs, in->realroot, false);
	List	   *entries = parse_manifest(in, read_small_file(real, in->manifest_st.st_size));
	ListCell   *lc;

	foreach(lc, entries)
	{
		char	   *rel = data_file_relpath(lfirst(lc), dl);
		char	   *path = psprintf("%s/%s", in->exportdir, rel);
		char	   *file = bc_checked_realpath(path, in->realroot, true);
		struct stat st;

		if (file == NULL || stat(file, &st) != 0 || !S_ISREG(st.st_mode))
		{
			fingerprint_add(&in->fp, rel, NULL);
			if (dl->missing == NULL)
				dl->missing = MemoryContextStrdup(in->cxt,
												  psprintf("%s lists %s, which is not there yet",
														   dl->manifest, rel));
			continue;
		}
		fingerprint_add(&in->fp, rel, &st);
	}
}

/*
 * Inspect a delivery found on disk: execution id, completeness and
 * fingerprint.  A manifest that cannot be used is reported in dl->error
 * rather than raised.  Fields are allocated in cxt.
 */
void
bc_worker_inspect_delivery(BcWorkerDelivery *dl, const char *exportdir,
						   const char *realroot, MemoryContext cxt)
{
	Inspect		in;
	char	   *abs = psprintf("%s/%s", exportdir, dl->manifest);
	char	   *err;
	uint64		h;

	memset(&in, 0, sizeof(in));
	in.dl = dl;
	in.cxt = cxt;
	in.exportdir = exportdir;
	in.realroot = realroot;
	initStringInfo(&in.fp);
	dl->missing = NULL;
	dl->error = NULL;
	dl->execution_id = NULL;

	if (stat(abs, &in.manifest_st) != 0)
	{
		/* vanished since the folder was listed: wait for it */
		fingerprint_add(&in.fp, dl->manifest, NULL);
		dl->missing = MemoryContextStrdup(cxt, psprintf("%s disappeared", dl->manifest));
	}
	else
	{
		fingerprint_add(&in.fp, dl->manifest, &in.manifest_st);
		err = bc_worker_try(inspect_files, &in);
		if (err)
			dl->error = MemoryContextStrdup(cxt, err);
	}
	h = hash_bytes_extended((const unsigned char *) in.fp.data, in.fp.len, 0);
	dl->fingerprint = MemoryContextStrdup(cxt, psprintf("%016llx", (unsigned long long) h));
}
