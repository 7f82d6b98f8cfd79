/*-------------------------------------------------------------------------
 *
 * worker_poll.c
 *		One poll of the registered exports: scan each export folder for
 *		deliveries, decide which are complete and stable, load them, and
 *		record the outcome.  Shared by the launcher (one transaction per
 *		step) and bedrock_cost.poll_now() (the caller's transaction).
 *
 * A delivery is one manifest, metadata/BILLING_PERIOD=YYYY-MM/<name>Manifest.json
 * (the newest, when a period folder holds several), and the data files it
 * lists.  It is loaded when:
 *	 - every listed file exists (otherwise: 'incomplete'), and
 *	 - its fingerprint (size, mtime and ctime of the manifest and of every
 *	   listed file) is the one already recorded by an earlier poll (a new or
 *	   changed fingerprint is recorded as 'settling' and waits one poll), and
 *	 - it is not loaded yet, or it failed and its backoff time has passed.
 * Each load runs in a subtransaction: on error it is rolled back, the error
 * is recorded on the delivery with an exponential backoff, and the poll
 * goes on with the next delivery and the next export.
 *
 * IDENTIFICATION
 *		src/ext/worker_poll.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include <ctype.h>
#include <sys/stat.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/fd.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "guc.h"
#include "worker.h"

PG_FUNCTION_INFO_V1(bedrock_cost_poll_now);

/* manifests larger than this are refused */
#define BC_MANIFEST_MAX (64 * 1024 * 1024)
/* backoff after a failure: poll_interval doubled per failure, capped */
#define BC_BACKOFF_CAP_S 3600

bool		bc_in_launcher = false;
int			bc_debug_load_pause_ms = 0;

/* a registered export */
typedef struct BcExport
{
	char	   *name;
	char	   *relpath;
} BcExport;

/* a delivery found on disk (one manifest) */
typedef struct BcDelivery
{
	char	   *manifest;		/* relative to the export folder */
	char	   *period;			/* YYYY-MM-01 */
	char	   *execution_id;	/* NULL when unknown */
	char	   *fingerprint;
	char	   *missing;		/* why incomplete; NULL when complete */
	char	   *error;			/* manifest unusable; NULL when fine */
	List	   *files;			/* absolute paths of the listed files */
} BcDelivery;

/* what a step works on and hands back */
typedef struct BcStep
{
	MemoryContext resultcxt;	/* outlives the step */
	TimestampTz poll_start;
	BcExport   *export;
	BcDelivery *delivery;		/* load step: the candidate */
	List	   *result;			/* list step: exports; scan step: candidates */
	int			loaded;
} BcStep;

typedef void (*BcStepFn) (BcStep *step);

/* ---------------------------------------------------------------------
 * small SPI helpers
 * ---------------------------------------------------------------------
 */

/* run one statement with text parameters (NULL pointer: SQL NULL) */
static void
spi_run(const char *sql, int nargs, const char **args, int expected)
{
	Oid			types[8] = {0};
	Datum		values[8] = {0};
	char		nulls[8] = {0};
	int			rc;
	int			i;

	Assert(nargs <= 8);
	for (i = 0; i < nargs; i++)
	{
		types[i] = TEXTOID;
		values[i] = args[i] ? CStringGetTextDatum(args[i]) : (Datum) 0;
		nulls[i] = args[i] ? ' ' : 'n';
	}
	rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);
	if (rc != expected)
		elog(ERROR, "bedrock_cost: unexpected SPI result %d for: %s", rc, sql);
}

/* column col (1-based) of row row of the last result, copied into cxt */
static char *
spi_text(int row, int col, MemoryContext cxt)
{
	char	   *v = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);

	return v ? MemoryContextStrdup(cxt, v) : NULL;
}

/* a boolean column of the last result (NULL reads as false) */
static bool
spi_bool(int row, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc,
								  col, &isnull);

	return !isnull && DatumGetBool(d);
}

/* the message of an error, with its detail, for the state tables and the log */
static char *
error_text(ErrorData *edata)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, edata->message ? edata->message : "unknown error");
	if (edata->detail)
		appendStringInfo(&buf, " (%s)", edata->detail);
	return buf.data;
}

/*
 * Run fn in a subtransaction of the current transaction.  Returns NULL on
 * success; on error the subtransaction is rolled back and the error message
 * (allocated in the caller's context) is returned.
 */
static char *
run_in_subxact(BcStepFn fn, BcStep *step)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	char	   *volatile err = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		fn(step);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		err = error_text(edata);
		FreeErrorData(edata);
	}
	PG_END_TRY();
	return err;
}

/*
 * Run one step.  In the launcher (own_xacts) the step is a transaction of
 * its own; an error that escapes it (bookkeeping, not a load: loads are
 * caught in their subtransaction) is logged, the transaction aborted, and
 * the poll goes on.  In poll_now the step runs in the caller's transaction
 * and errors propagate.
 */
static void
run_step(bool own_xacts, const char *activity, BcStepFn fn, BcStep *step)
{
	MemoryContext cxt = CurrentMemoryContext;

	if (!own_xacts)
	{
		fn(step);
		return;
	}
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	debug_query_string = activity;
	pgstat_report_activity(STATE_RUNNING, activity);
	PG_TRY();
	{
		fn(step);
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		EmitErrorReport();
		AbortCurrentTransaction();
		FlushErrorState();
	}
	PG_END_TRY();
	debug_query_string = NULL;
	MemoryContextSwitchTo(cxt);
	pgstat_report_stat(false);
}

/* take the per-export advisory lock for this transaction; false when busy */
static bool
lock_export(const char *name)
{
	const char *args[1] = {name};

	spi_run("SELECT pg_catalog.pg_try_advisory_xact_lock("
			"pg_catalog.hashtext('bedrock_cost export'), pg_catalog.hashtext($1))",
			1, args, SPI_OK_SELECT);
	return spi_bool(0, 1);
}

/* append to step->result, in the step's result context */
static void
append_result(BcStep *step, void *item)
{
	MemoryContext old = MemoryContextSwitchTo(step->resultcxt);

	step->result = lappend(step->result, item);
	MemoryContextSwitchTo(old);
}

/* ---------------------------------------------------------------------
 * the extension, the exports
 * ---------------------------------------------------------------------
 */

/* whether the extension is installed in this database */
bool
bc_extension_ready(void)
{
	bool		ready;

	SPI_connect();
	spi_run("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'bedrock_cost')"
			" AND pg_catalog.to_regclass('bedrock_cost.export_deliveries') IS NOT NULL",
			0, NULL, SPI_OK_SELECT);
	ready = spi_bool(0, 1);
	SPI_finish();
	return ready;
}

/* step: the exports that are not paused, in name order */
static void
list_exports_step(BcStep *step)
{
	uint64		i;

	SPI_connect();
	spi_run("SELECT export_name, path FROM bedrock_cost.exports"
			" WHERE NOT paused ORDER BY export_name", 0, NULL, SPI_OK_SELECT);
	for (i = 0; i < SPI_processed; i++)
	{
		BcExport   *e = MemoryContextAllocZero(step->resultcxt, sizeof(BcExport));

		e->name = spi_text(i, 1, step->resultcxt);
		e->relpath = spi_text(i, 2, step->resultcxt);
		append_result(step, e);
	}
	SPI_finish();
}

/* ---------------------------------------------------------------------
 * finding and inspecting deliveries
 * ---------------------------------------------------------------------
 */

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

/* the newest *Manifest.json directly in dir, relative to the export folder */
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

/* the deliveries of an export folder: one manifest per billing period */
static List *
find_deliveries(const char *exportdir)
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
		BcDelivery *dl;

		if (period == NULL)
			continue;
		manifest = newest_manifest(exportdir, de->d_name);
		if (manifest == NULL)
			continue;			/* data may be there, but no manifest yet */
		dl = palloc0(sizeof(BcDelivery));
		dl->manifest = manifest;
		dl->period = period;
		found = lappend(found, dl);
	}
	FreeDir(d);
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
 * A dataFiles entry of the manifest (s3://bucket/prefix/export/data/... or
 * a key) as a path relative to the export folder: from its last "data/"
 * component on; an entry without one is taken as a file name in the
 * period's data folder.
 */
static char *
data_file_relpath(const char *entry, const BcDelivery *dl)
{
	const char *p = entry;
	const char *last = NULL;
	char	   *rel;

	if (strncmp(entry, "data/", 5) == 0)
		last = entry;
	while ((p = strstr(p, "/data/")) != NULL)
		last = ++p;
	if (last != NULL)
		rel = pstrdup(last);
	else
	{
		const char *base = strrchr(entry, '/');

		rel = psprintf("data/BILLING_PERIOD=%.7s/%s", dl->period, base ? base + 1 : entry);
	}
	canonicalize_path(rel);
	if (path_contains_parent_reference(rel) || is_absolute_path(rel))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("manifest %s lists an invalid data file \"%s\"", dl->manifest, entry)));
	return rel;
}

/* what inspecting a delivery needs, besides the delivery itself */
typedef struct BcInspect
{
	BcStep		step;			/* resultcxt, delivery */
	const char *exportdir;
	const char *realroot;
	struct stat manifest_st;
	StringInfoData fp;
} BcInspect;

/* parse the manifest and check every listed file (may raise errors) */
static void
inspect_files(BcStep *step)
{
	BcInspect  *in = (BcInspect *) step;
	BcDelivery *dl = step->delivery;
	char	   *abs = psprintf("%s/%s", in->exportdir, dl->manifest);
	const char *args[1];
	uint64		i;
	List	   *entries = NIL;
	ListCell   *lc;
	MemoryContext cxt = CurrentMemoryContext;

	(void) bc_checked_realpath(abs, in->realroot, false);
	args[0] = read_small_file(abs, in->manifest_st.st_size);

	SPI_connect();
	spi_run("SELECT m->>'executionId', jsonb_typeof(m->'dataFiles'),"
			" ARRAY(SELECT jsonb_array_elements_text(CASE jsonb_typeof(m->'dataFiles')"
			"  WHEN 'array' THEN m->'dataFiles' END))"
			" FROM (SELECT $1::jsonb AS m) s", 1, args, SPI_OK_SELECT);
	dl->execution_id = spi_text(0, 1, step->resultcxt);
	if (!spi_text(0, 2, cxt) || strcmp(spi_text(0, 2, cxt), "array") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("manifest %s has no dataFiles array", dl->manifest)));
	{
		bool		isnull;
		Datum		arr = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
		Datum	   *elems;
		bool	   *nulls;
		int			n;

		MemoryContextSwitchTo(cxt);
		deconstruct_array(DatumGetArrayTypeP(arr), TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &nulls, &n);
		for (i = 0; i < (uint64) n; i++)
			if (!nulls[i])
				entries = lappend(entries, TextDatumGetCString(elems[i]));
	}
	SPI_finish();
	MemoryContextSwitchTo(cxt);

	if (entries == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("manifest %s lists no data files", dl->manifest)));

	foreach(lc, entries)
	{
		char	   *rel = data_file_relpath(lfirst(lc), dl);
		char	   *path = psprintf("%s/%s", in->exportdir, rel);
		char	   *real = bc_checked_realpath(path, in->realroot, true);
		struct stat st;

		if (real == NULL || stat(real, &st) != 0 || !S_ISREG(st.st_mode))
		{
			fingerprint_add(&in->fp, rel, NULL);
			if (dl->missing == NULL)
				dl->missing = MemoryContextStrdup(step->resultcxt,
												  psprintf("%s lists %s, which is not there yet",
														   dl->manifest, rel));
			continue;
		}
		fingerprint_add(&in->fp, rel, &st);
		{
			MemoryContext old = MemoryContextSwitchTo(step->resultcxt);

			dl->files = lappend(dl->files, pstrdup(real));
			MemoryContextSwitchTo(old);
		}
	}
}

/*
 * Inspect a delivery found on disk: execution id, completeness, the files,
 * the fingerprint.  Problems with the manifest are recorded in dl->error
 * rather than raised.  Everything is allocated in cxt.
 */
static void
inspect_delivery(BcDelivery *dl, const char *exportdir, const char *realroot,
				 MemoryContext cxt)
{
	BcInspect	in;
	char	   *abs = psprintf("%s/%s", exportdir, dl->manifest);
	char	   *err;

	memset(&in, 0, sizeof(in));
	in.step.resultcxt = cxt;
	in.step.delivery = dl;
	in.exportdir = exportdir;
	in.realroot = realroot;
	initStringInfo(&in.fp);
	dl->missing = NULL;
	dl->error = NULL;
	dl->files = NIL;

	if (stat(abs, &in.manifest_st) != 0)
	{
		/* vanished since the folder was listed: wait for it */
		fingerprint_add(&in.fp, dl->manifest, NULL);
		dl->missing = MemoryContextStrdup(cxt, psprintf("%s disappeared", dl->manifest));
	}
	else
	{
		fingerprint_add(&in.fp, dl->manifest, &in.manifest_st);
		err = run_in_subxact(inspect_files, &in.step);
		if (err)
			dl->error = MemoryContextStrdup(cxt, err);
	}
	dl->fingerprint = MemoryContextStrdup(cxt,
										  psprintf("%016llx",
												   (unsigned long long) hash_bytes_extended((const unsigned char *) in.fp.data,
																							in.fp.len, 0)));
}

/* ---------------------------------------------------------------------
 * recording what was found and what happened
 * ---------------------------------------------------------------------
 */

/* the backoff expression: poll_interval doubled per earlier failure, capped */
#define BACKOFF_SQL(failures) \
	"pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => " \
	"least($8::float8, $7::float8 * pg_catalog.power(2, least(" failures ", 30))))"

/* a failure of a delivery: counted, backed off, kept as last error */
static void
record_delivery_failure(const char *export_name, const BcDelivery *dl,
						const char *err)
{
	char		base[16];
	char		cap[16];
	const char *args[8] = {export_name, dl->manifest, dl->period, dl->execution_id,
	dl->fingerprint, err, base, cap};

	snprintf(base, sizeof(base), "%d", bc_poll_interval);
	snprintf(cap, sizeof(cap), "%d", Max(BC_BACKOFF_CAP_S, bc_poll_interval));
	spi_run("INSERT INTO bedrock_cost.export_deliveries AS d (export_name, manifest,"
			" billing_period, execution_id, fingerprint, first_seen, status, failures,"
			" next_attempt, last_error, last_attempt)"
			" VALUES ($1, $2, $3::date, $4, $5, pg_catalog.clock_timestamp(), 'failed', 1,"
			BACKOFF_SQL("0") ", $6, pg_catalog.clock_timestamp())"
			" ON CONFLICT (export_name, manifest) DO UPDATE SET"
			" billing_period = excluded.billing_period, execution_id = excluded.execution_id,"
			" first_seen = CASE WHEN d.fingerprint = excluded.fingerprint THEN d.first_seen"
			"   ELSE excluded.first_seen END,"
			" fingerprint = excluded.fingerprint, status = 'failed', detail = NULL,"
			" failures = CASE WHEN d.status = 'failed' THEN d.failures + 1 ELSE 1 END,"
			" next_attempt = " BACKOFF_SQL("CASE WHEN d.status = 'failed' THEN d.failures ELSE 0 END") ","
			" last_error = excluded.last_error, last_attempt = excluded.last_attempt",
			8, args, SPI_OK_INSERT);
	spi_run("UPDATE bedrock_cost.export_state SET last_error = $2,"
			" last_error_at = pg_catalog.clock_timestamp() WHERE export_name = $1",
			2, (const char *[]) {export_name, err}, SPI_OK_UPDATE);
	ereport(LOG,
			(errmsg("bedrock_cost: export \"%s\" billing period %.7s delivery %s failed: %s",
					export_name, dl->period, dl->execution_id ? dl->execution_id : "(unknown)",
					err)));
}

/* a new or changed fingerprint: 'incomplete' or 'settling', failures cleared */
static void
record_new_fingerprint(const char *export_name, const BcDelivery *dl)
{
	const char *args[7] = {export_name, dl->manifest, dl->period, dl->execution_id,
		dl->fingerprint, dl->missing ? "incomplete" : "settling", dl->missing};

	spi_run("INSERT INTO bedrock_cost.export_deliveries AS d (export_name, manifest,"
			" billing_period, execution_id, fingerprint, first_seen, status, detail)"
			" VALUES ($1, $2, $3::date, $4, $5, pg_catalog.clock_timestamp(), $6, $7)"
			" ON CONFLICT (export_name, manifest) DO UPDATE SET"
			" billing_period = excluded.billing_period, execution_id = excluded.execution_id,"
			" fingerprint = excluded.fingerprint, first_seen = excluded.first_seen,"
			" status = excluded.status, detail = excluded.detail, failures = 0,"
			" next_attempt = NULL, last_error = NULL",
			7, args, SPI_OK_INSERT);
}

/*
 * Bring the recorded state of a delivery up to date with what is on disk,
 * and say whether it should be loaded now.
 */
static bool
reconcile_delivery(const char *export_name, const BcDelivery *dl,
				   TimestampTz poll_start)
{
	const char *args[4] = {export_name, dl->manifest, dl->fingerprint,
	timestamptz_to_str(poll_start)};
	char	   *status;
	bool		same;
	bool		seen_before;
	bool		due;

	spi_run("SELECT fingerprint = $3, status, first_seen < $4::timestamptz,"
			" next_attempt IS NULL OR next_attempt <= pg_catalog.clock_timestamp()"
			" FROM bedrock_cost.export_deliveries WHERE export_name = $1 AND manifest = $2",
			4, args, SPI_OK_SELECT);
	same = SPI_processed == 1 && spi_bool(0, 1);
	status = SPI_processed == 1 ? spi_text(0, 2, CurrentMemoryContext) : NULL;
	seen_before = SPI_processed == 1 && spi_bool(0, 3);
	due = SPI_processed == 1 && spi_bool(0, 4);

	if (dl->error)
	{
		/* an unusable manifest counts as a failed attempt, with backoff */
		if (!same || strcmp(status, "failed") != 0 || due)
			record_delivery_failure(export_name, dl, dl->error);
		return false;
	}
	if (!same)
	{
		record_new_fingerprint(export_name, dl);
		return false;
	}
	if (dl->missing || strcmp(status, "loaded") == 0)
		return false;
	if (strcmp(status, "failed") == 0)
		return due;
	return seen_before;			/* settling: unchanged since an earlier poll */
}

/* ---------------------------------------------------------------------
 * the steps of a poll
 * ---------------------------------------------------------------------
 */

/*
 * Lock the export and read its registration; NULL (nothing to do) when the
 * export is busy (another session polls it), gone, paused, or, with
 * check_backoff, backing off after a failed scan.
 */
static char *
claim_export(const char *name, bool check_backoff)
{
	const char *args[1] = {name};

	if (!lock_export(name))
		return NULL;
	spi_run("SELECT e.path, s.scan_next_attempt IS NULL"
			"  OR s.scan_next_attempt <= pg_catalog.clock_timestamp()"
			" FROM bedrock_cost.exports e"
			" LEFT JOIN bedrock_cost.export_state s USING (export_name)"
			" WHERE e.export_name = $1 AND NOT e.paused", 1, args, SPI_OK_SELECT);
	if (SPI_processed != 1 || (check_backoff && !spi_bool(0, 2)))
		return NULL;
	return spi_text(0, 1, CurrentMemoryContext);
}

/* what the discovery subtransaction of a scan needs and finds */
typedef struct BcScan
{
	BcStep		step;
	const char *relpath;
	char	   *exportdir;
	char	   *realroot;
	List	   *deliveries;
} BcScan;

/* resolve the export folder and find its deliveries (may raise errors) */
static void
discover(BcStep *step)
{
	BcScan	   *sc = (BcScan *) step;

	sc->realroot = bc_real_root();
	sc->exportdir = bc_resolve_under_root(sc->relpath, true);
	if (sc->exportdir == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("export folder \"%s/%s\" does not exist", bc_export_root, sc->relpath)));
	sc->deliveries = find_deliveries(sc->exportdir);
}

/* a failure to scan the export folder: counted, backed off, logged */
static void
record_scan_failure(const char *name, const char *err)
{
	char		base[16];
	char		cap[16];
	const char *args[4] = {name, err, base, cap};

	snprintf(base, sizeof(base), "%d", bc_poll_interval);
	snprintf(cap, sizeof(cap), "%d", Max(BC_BACKOFF_CAP_S, bc_poll_interval));
	spi_run("UPDATE bedrock_cost.export_state SET scan_failures = scan_failures + 1,"
			" scan_next_attempt = pg_catalog.clock_timestamp() + pg_catalog.make_interval("
			"  secs => least($4::float8, $3::float8 * pg_catalog.power(2, least(scan_failures, 30)))),"
			" last_error = $2, last_error_at = pg_catalog.clock_timestamp()"
			" WHERE export_name = $1", 4, args, SPI_OK_UPDATE);
	ereport(LOG,
			(errmsg("bedrock_cost: could not scan export \"%s\": %s", name, err)));
}

/* step: scan one export folder, record what is there, list what to load */
static void
scan_export_step(BcStep *step)
{
	const char *name = step->export->name;
	BcScan		sc;
	char	   *err;
	ListCell   *lc;

	SPI_connect();
	memset(&sc, 0, sizeof(sc));
	sc.relpath = claim_export(name, true);
	if (sc.relpath == NULL)
	{
		SPI_finish();
		return;
	}
	spi_run("INSERT INTO bedrock_cost.export_state AS s (export_name, last_poll)"
			" VALUES ($1, pg_catalog.clock_timestamp()) ON CONFLICT (export_name)"
			" DO UPDATE SET last_poll = excluded.last_poll",
			1, (const char *[]) {name}, SPI_OK_INSERT);

	err = run_in_subxact(discover, &sc.step);
	if (err)
	{
		record_scan_failure(name, err);
		SPI_finish();
		return;
	}
	spi_run("UPDATE bedrock_cost.export_state SET scan_failures = 0, scan_next_attempt = NULL"
			" WHERE export_name = $1 AND scan_failures > 0",
			1, (const char *[]) {name}, SPI_OK_UPDATE);

	foreach(lc, sc.deliveries)
	{
		BcDelivery *dl = lfirst(lc);

		inspect_delivery(dl, sc.exportdir, sc.realroot, CurrentMemoryContext);
		if (reconcile_delivery(name, dl, step->poll_start))
		{
			BcDelivery *c = MemoryContextAllocZero(step->resultcxt, sizeof(BcDelivery));

			c->manifest = MemoryContextStrdup(step->resultcxt, dl->manifest);
			c->period = MemoryContextStrdup(step->resultcxt, dl->period);
			append_result(step, c);
		}
	}
	SPI_finish();
}

/* the load of one delivery, run in a subtransaction */
typedef struct BcLoad
{
	BcStep		step;
	const char *export_name;
	const char *exportdir;
	char	   *result;			/* what the loader returned, as text */
	char	   *failure;		/* a failure the loader returned (not raised) */
	int64		rows;
	int64		load_id;
	long		duration_ms;
} BcLoad;

/* test-only: hold the load's transaction open for bc_debug_load_pause_ms */
static void
debug_pause(void)
{
	TimestampTz end = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
												  bc_debug_load_pause_ms);

	for (;;)
	{
		long		left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), end);

		if (left <= 0)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 left, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * Call the loader for one delivery.  Sets ld->result, ld->rows, ld->load_id,
 * or ld->failure when the loader reports a failure without raising it.
 */
static void
call_loader(BcLoad *ld)
{
	const char *args[1] = {ld->exportdir};

	spi_run("SELECT bedrock_cost.load_export($1)::text", 1, args, SPI_OK_SELECT);
	ld->result = SPI_processed > 0 ? spi_text(0, 1, ld->step.resultcxt) : NULL;
}

/* the chargeback views follow the load in the same transaction, if defined */
static void
refresh_chargeback(void)
{
	spi_run("SELECT pg_catalog.to_regprocedure('bedrock_cost.refresh_chargeback()') IS NOT NULL",
			0, NULL, SPI_OK_SELECT);
	if (spi_bool(0, 1))
		spi_run("SELECT bedrock_cost.refresh_chargeback()", 0, NULL, SPI_OK_SELECT);
}

/* load, refresh, notify: one subtransaction, all or nothing */
static void
load_delivery(BcStep *step)
{
	BcLoad	   *ld = (BcLoad *) step;
	BcDelivery *dl = step->delivery;
	TimestampTz start = GetCurrentTimestamp();
	char		rows[24];
	char		ms[24];
	char		id[24];

	SPI_connect();
	call_loader(ld);
	if (ld->failure == NULL)
	{
		if (bc_debug_load_pause_ms > 0)
			debug_pause();
		refresh_chargeback();
		ld->duration_ms = TimestampDifferenceMilliseconds(start, GetCurrentTimestamp());
		snprintf(rows, sizeof(rows), INT64_FORMAT, ld->rows);
		snprintf(ms, sizeof(ms), "%ld", ld->duration_ms);
		snprintf(id, sizeof(id), INT64_FORMAT, ld->load_id);
		spi_run("SELECT pg_catalog.pg_notify('" BC_NOTIFY_CHANNEL "', pg_catalog.json_build_object("
				"'export', $1, 'billing_period', $2::date, 'execution_id', $3,"
				" 'manifest', $4, 'load_id', $5::bigint, 'rows', $6::bigint,"
				" 'duration_ms', $7::bigint)::text)",
				7, (const char *[]) {ld->export_name, dl->period, dl->execution_id,
				dl->manifest, ld->load_id ? id : NULL, rows, ms}, SPI_OK_SELECT);
	}
	SPI_finish();
}

/* a successful load: the delivery is 'loaded', the export's last success set */
static void
record_load_success(BcLoad *ld)
{
	BcDelivery *dl = ld->step.delivery;

	spi_run("UPDATE bedrock_cost.export_deliveries SET status = 'loaded', detail = NULL,"
			" failures = 0, next_attempt = NULL, last_error = NULL,"
			" last_attempt = pg_catalog.clock_timestamp(), loaded_at = pg_catalog.clock_timestamp(),"
			" load_result = $3 WHERE export_name = $1 AND manifest = $2",
			3, (const char *[]) {ld->export_name, dl->manifest, ld->result}, SPI_OK_UPDATE);
	spi_run("UPDATE bedrock_cost.export_state SET last_success = pg_catalog.clock_timestamp()"
			" WHERE export_name = $1", 1, (const char *[]) {ld->export_name}, SPI_OK_UPDATE);
	ereport(LOG,
			(errmsg("bedrock_cost: export \"%s\" billing period %.7s execution id %s loaded: "
					INT64_FORMAT " rows in %ld ms",
					ld->export_name, dl->period, dl->execution_id ? dl->execution_id : "(unknown)",
					ld->rows, ld->duration_ms)));
}

/* step: re-check one candidate under the export lock and load it */
static void
load_delivery_step(BcStep *step)
{
	BcDelivery *dl = step->delivery;
	BcLoad		ld;
	BcScan		sc;
	char	   *err;

	SPI_connect();
	memset(&ld, 0, sizeof(ld));
	memset(&sc, 0, sizeof(sc));
	sc.relpath = claim_export(step->export->name, false);
	if (sc.relpath == NULL || run_in_subxact(discover, &sc.step) != NULL)
	{
		SPI_finish();
		return;
	}
	inspect_delivery(dl, sc.exportdir, sc.realroot, CurrentMemoryContext);
	if (!reconcile_delivery(step->export->name, dl, step->poll_start))
	{
		SPI_finish();
		return;
	}

	if (bc_in_launcher)
	{
		char	   *activity = psprintf("bedrock_cost: loading export \"%s\" billing period %.7s execution id %s",
										step->export->name, dl->period,
										dl->execution_id ? dl->execution_id : "(unknown)");

		pgstat_report_activity(STATE_RUNNING, activity);
	}
	ld.step.resultcxt = CurrentMemoryContext;
	ld.step.delivery = dl;
	ld.export_name = step->export->name;
	ld.exportdir = sc.exportdir;
	err = run_in_subxact(load_delivery, &ld.step);
	if (err == NULL && ld.failure != NULL)
		err = ld.failure;
	if (err)
		record_delivery_failure(step->export->name, dl, err);
	else
	{
		record_load_success(&ld);
		step->loaded++;
	}
	SPI_finish();
}

/*
 * One poll of every registered export that is not paused.  Exports are
 * polled in name order, the deliveries of each in billing period order.
 */
int
bc_poll_once(bool own_xacts, MemoryContext pollcxt)
{
	BcStep		list;
	ListCell   *le;
	int			loaded = 0;

	memset(&list, 0, sizeof(list));
	list.resultcxt = pollcxt;
	list.poll_start = GetCurrentTimestamp();
	run_step(own_xacts, "bedrock_cost: listing exports", list_exports_step, &list);

	foreach(le, list.result)
	{
		BcStep		scan;
		ListCell   *lc;

		memset(&scan, 0, sizeof(scan));
		scan.resultcxt = pollcxt;
		scan.poll_start = list.poll_start;
		scan.export = lfirst(le);
		run_step(own_xacts, psprintf("bedrock_cost: scanning export \"%s\"", scan.export->name),
				 scan_export_step, &scan);
		foreach(lc, scan.result)
		{
			BcStep		load;

			CHECK_FOR_INTERRUPTS();
			memset(&load, 0, sizeof(load));
			load.resultcxt = pollcxt;
			load.poll_start = list.poll_start;
			load.export = scan.export;
			load.delivery = lfirst(lc);
			run_step(own_xacts, psprintf("bedrock_cost: loading export \"%s\"", scan.export->name),
					 load_delivery_step, &load);
			loaded += load.loaded;
		}
	}
	return loaded;
}

/* SQL: bedrock_cost.poll_now() returns integer, one poll in this session */
Datum
bedrock_cost_poll_now(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(bc_poll_once(false, CurrentMemoryContext));
}

/*
 * Loads left 'running' in the ledger by a process that crashed or was
 * killed: no live backend can own them when the launcher starts.
 */
void
bc_fix_stale_loads(void)
{
	/* filled in once the loader's ledger is known */
}
