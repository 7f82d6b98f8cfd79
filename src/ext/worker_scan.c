/*-------------------------------------------------------------------------
 *
 * worker_scan.c
 *		What the ingest worker sees in an export folder: the deliveries,
 *		whether each is complete, and a fingerprint that tells whether
 *		anything changed since the previous poll.
 *
 * The deliveries are the core's (src/core/delivery.c): found, located
 * under bedrock_cost.export_root and read exactly as the loader finds and
 * reads them, one per manifest, with no symbolic link followed below the
 * root.  A delivery is complete when every file its manifest lists
 * exists.  Its fingerprint hashes the size, mtime and ctime of the
 * manifest and of every listed file.
 *
 * IDENTIFICATION
 *		src/ext/worker_scan.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include <errno.h>
#include <unistd.h>

#include "common/hashfn.h"
#include "lib/stringinfo.h"
#include "utils/memutils.h"

#include "delivery.h"
#include "guc.h"
#include "loader.h"
#include "worker.h"

/* what the core found in one export folder */
typedef struct ScanState
{
	bc_export_loc loc;
	bc_delivery **list;
	int			n;
} ScanState;

/* memory context reset callback: free the core's deliveries, close the folder */
static void
scan_release(void *arg)
{
	ScanState  *ss = arg;

	bc_deliveries_free(ss->list, ss->n);
	ss->list = NULL;
	ss->n = 0;
	if (ss->loc.exportfd >= 0)
		close(ss->loc.exportfd);
	ss->loc.exportfd = -1;
}

/*
 * The deliveries of the registered export folder export_path (in load
 * order), allocated in the current memory context, which also owns what
 * the core opened.  Raises an error when the folder cannot be scanned.
 */
List *
bc_worker_find_deliveries(const char *export_path)
{
	ScanState  *ss = palloc0(sizeof(ScanState));
	MemoryContextCallback *cb = palloc0(sizeof(MemoryContextCallback));
	bc_derror	err = {0};
	List	   *found = NIL;

	if (bc_export_root == NULL || bc_export_root[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("bedrock_cost.export_root is not set")));
	ss->loc.exportfd = -1;
	cb->func = scan_release;
	cb->arg = ss;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	if (!bc_export_locate(bc_export_root, export_path, false, &ss->loc, &err))
	{
		if (err.kind == BC_DFAIL_ACCESS && err.sys_errno == ENOENT)
		{
			bc_derror_clear(&err);
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FILE),
					 errmsg("export folder \"%s\" does not exist", export_path)));
		}
		bc_raise_derror(&err);
	}
	if (!bc_export_scan(ss->loc.exportfd, ss->loc.export_path, &ss->list, &ss->n, &err))
		bc_raise_derror(&err);
	for (int i = 0; i < ss->n; i++)
	{
		BcWorkerDelivery *dl = palloc0(sizeof(BcWorkerDelivery));

		dl->scan = ss;
		dl->core = ss->list[i];
		dl->manifest = pstrdup(ss->list[i]->manifest_rel);
		dl->period = pstrdup(ss->list[i]->period);
		found = lappend(found, dl);
	}
	return found;
}

/* append a file's identity to a fingerprint */
static void
fingerprint_add(StringInfo fp, const char *rel, bool missing, int64 size,
				int64 mtime, int64 ctime)
{
	if (missing)
		appendStringInfo(fp, "%s:missing\n", rel);
	else
		appendStringInfo(fp, "%s:%lld:%lld:%lld\n", rel, (long long) size,
						 (long long) mtime, (long long) ctime);
}

/*
 * Inspect a delivery found on disk: execution id, completeness and
 * fingerprint.  A delivery that cannot be used is reported in dl->error
 * rather than raised.  Fields are allocated in cxt.
 */
void
bc_worker_inspect_delivery(BcWorkerDelivery *dl, MemoryContext cxt)
{
	ScanState  *ss = dl->scan;
	bc_delivery *core = dl->core;
	bc_derror	err = {0};
	StringInfoData fp;
	uint64		h;

	initStringInfo(&fp);
	dl->missing = NULL;
	dl->error = NULL;
	dl->execution_id = NULL;
	if (!bc_delivery_open(ss->loc.exportfd, ss->loc.export_path, core, BC_DOPEN_INSPECT, &err))
	{
		dl->error = MemoryContextStrdup(cxt, err.message ? err.message : "out of memory");
		bc_derror_clear(&err);
		fingerprint_add(&fp, dl->manifest, core->manifest_size == 0, core->manifest_size,
						core->manifest_mtime, core->manifest_ctime);
	}
	else
	{
		fingerprint_add(&fp, dl->manifest, false, core->manifest_size,
						core->manifest_mtime, core->manifest_ctime);
		for (int i = 0; i < core->nfiles; i++)
		{
			bc_dfile   *f = &core->files[i];

			fingerprint_add(&fp, f->rel, f->missing, f->size, f->mtime, f->ctime);
			if (f->missing && dl->missing == NULL)
				dl->missing = MemoryContextStrdup(cxt, psprintf("%s lists %s, which is not there yet",
																dl->manifest, f->rel));
		}
	}
	if (core->execution_id)
		dl->execution_id = MemoryContextStrdup(cxt, core->execution_id);
	h = hash_bytes_extended((const unsigned char *) fp.data, fp.len, 0);
	dl->fingerprint = MemoryContextStrdup(cxt, psprintf("%016llx", (unsigned long long) h));
}
