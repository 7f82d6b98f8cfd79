/*-------------------------------------------------------------------------
 *
 * loader_delivery.c
 *		The server's side of the core delivery layer (src/core/delivery.c):
 *		which folder a load may read, the deliveries found there, each
 *		opened once, and the mapping of the core's failures to errors.
 *
 * Where a load reads: with bedrock_cost.export_root set, a path must lie
 * under it, which is decided on the name alone (one message, "outside
 * bedrock_cost.export_root", whatever exists there), and nothing below
 * the root is reached through a symbolic link.  Without export_root only
 * superusers and members of pg_read_server_files may load; the folder
 * they name is then the base.
 *
 * The core works with malloc'd memory and open descriptors: they are tied
 * to a memory context here (a reset callback frees them and closes the
 * descriptors), so an error anywhere cannot leak them.
 *
 * IDENTIFICATION
 *		src/ext/loader_delivery.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include <unistd.h>

#include "catalog/pg_authid.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "delivery.h"
#include "guc.h"
#include "loader.h"

/* the export a call reads, and what the core allocated for it */
struct BcExport
{
	bc_export_loc loc;
	bc_delivery **list;			/* the scan's deliveries (load_export) */
	int			n;
	bc_delivery *single;		/* the one file (load_file) */
};

/* ---------------------------------------------------------------------- */
/* errors */

/* raise a failure of the core delivery layer with a fitting SQLSTATE */
void
bc_raise_derror(bc_derror *e)
{
	char	   *msg = pstrdup(e->message ? e->message : "out of memory");
	bc_dfail	kind = e->message ? e->kind : BC_DFAIL_NOMEM;
	int			sys_errno = e->sys_errno;

	bc_derror_clear(e);
	if (kind == BC_DFAIL_ACCESS && sys_errno != 0)
	{
		errno = sys_errno;
		ereport(ERROR, (errcode_for_file_access(), errmsg_internal("%s", msg)));
	}
	ereport(ERROR,
			(errcode(kind == BC_DFAIL_OUTSIDE ? ERRCODE_INSUFFICIENT_PRIVILEGE :
					 kind == BC_DFAIL_ACCESS ? ERRCODE_UNDEFINED_FILE :
					 kind == BC_DFAIL_NOMEM ? ERRCODE_OUT_OF_MEMORY :
					 ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg_internal("%s", msg)));
}

/*
 * Without bedrock_cost.export_root, only those who may read any server
 * file may load.
 */
static void
check_rootless_caller(void)
{
	if (!superuser() && !has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to load server files"),
				 errdetail("bedrock_cost.export_root is not set, so only superusers and members of pg_read_server_files may load server files.")));
}

/* ---------------------------------------------------------------------- */
/* the export of a call */

/* memory context reset callback: free what the core allocated, close descriptors */
static void
export_release(void *arg)
{
	BcExport   *ex = arg;

	bc_deliveries_free(ex->list, ex->n);
	ex->list = NULL;
	ex->n = 0;
	bc_delivery_free(ex->single);
	ex->single = NULL;
	if (ex->loc.exportfd >= 0)
		close(ex->loc.exportfd);
	ex->loc.exportfd = -1;
}

/*
 * Open the export folder of path (a folder, or one CUR file with is_file)
 * for a load: located under bedrock_cost.export_root (or, without it, for
 * callers who may read server files), scanned for deliveries or the one
 * file opened.  Everything is released when cxt is reset or deleted.
 */
BcExport *
bc_open_export(const char *path, bool is_file, MemoryContext cxt)
{
	BcExport   *ex = MemoryContextAllocZero(cxt, sizeof(BcExport));
	MemoryContextCallback *cb = MemoryContextAllocZero(cxt, sizeof(MemoryContextCallback));
	const char *root = (bc_export_root && bc_export_root[0]) ? bc_export_root : NULL;
	bc_derror	err = {0};

	ex->loc.exportfd = -1;
	cb->func = export_release;
	cb->arg = ex;
	MemoryContextRegisterResetCallback(cxt, cb);
	if (root == NULL)
		check_rootless_caller();
	if (!bc_export_locate(root, path, is_file, &ex->loc, &err))
		bc_raise_derror(&err);
	if (is_file)
	{
		ex->single = bc_delivery_of_file(ex->loc.exportfd, ex->loc.export_path,
										 ex->loc.file_rel, &err);
		if (ex->single == NULL)
			bc_raise_derror(&err);
	}
	else if (!bc_export_scan(ex->loc.exportfd, ex->loc.export_path, &ex->list, &ex->n, &err))
		bc_raise_derror(&err);
	return ex;
}

/* the canonical path of the export folder: its identity in bedrock_cost.exports */
const char *
bc_export_path(BcExport *ex)
{
	return ex->loc.export_path;
}

/* the BcDelivery of core delivery i of the export (file: the one file) */
static BcDelivery *
wrap(BcExport *ex, bc_delivery *core, int index)
{
	BcDelivery *d = palloc0(sizeof(BcDelivery));

	d->ex = ex;
	d->core = core;
	d->core_index = index;
	d->export_path = pstrdup(ex->loc.export_path);
	d->from_manifest = core->manifest_rel != NULL;
	d->manifest_path = core->manifest_path ? pstrdup(core->manifest_path) : NULL;
	d->top_level = core->top_level;
	if (core->period[0] != '\0')
	{
		d->period = DatumGetDateADT(DirectFunctionCall1(date_in, CStringGetDatum(core->period)));
		d->period_known = true;
	}
	return d;
}

/* when the delivery came: a modification time in ns since 1970 */
static void
set_delivered_at(BcDelivery *d, int64 mtime_ns)
{
	d->delivered_at = time_t_to_timestamptz((pg_time_t) (mtime_ns / 1000000000)) +
		(mtime_ns % 1000000000) / 1000;
	d->delivered_known = true;
}

/* copy the files of the core delivery into d (paths, sizes, descriptors) */
static void
take_files(BcDelivery *d)
{
	bc_delivery *core = d->core;

	d->nfiles = core->nfiles;
	d->files = palloc0(sizeof(BcLoadFile) * Max(core->nfiles, 1));
	for (int i = 0; i < core->nfiles; i++)
	{
		d->files[i].path = pstrdup(core->files[i].path);
		d->files[i].size = core->files[i].size;
		d->files[i].fd = core->files[i].fd;
	}
}

/*
 * The deliveries of the export, in load order (a List of BcDelivery *):
 * every delivery the scan found, or the one file.
 */
List *
bc_export_deliveries(BcExport *ex)
{
	List	   *result = NIL;

	if (ex->single != NULL)
	{
		BcDelivery *d = wrap(ex, ex->single, 0);

		take_files(d);
		set_delivered_at(d, ex->single->files[0].mtime);
		return list_make1(d);
	}
	for (int i = 0; i < ex->n; i++)
		result = lappend(result, wrap(ex, ex->list[i], i));
	return result;
}

/*
 * Read and check a delivery's manifest and open its files (once: they are
 * hashed and read from these descriptors).  Errors are raised, inside the
 * caller's subtransaction, so the failure is recorded.
 */
void
bc_open_delivery(BcDelivery *d)
{
	bc_derror	err = {0};

	if (!bc_delivery_open(d->ex->loc.exportfd, d->ex->loc.export_path, d->core,
						  BC_DOPEN_FILES, &err))
	{
		if (d->core->execution_id)
			d->execution_id = pstrdup(d->core->execution_id);
		bc_raise_derror(&err);
	}
	d->execution_id = pstrdup(d->core->execution_id);
	take_files(d);
	set_delivered_at(d, d->core->manifest_mtime);
}

/*
 * For one file given as a delivery: what the period's manifest lists
 * beside it (the core's bc_delivery_others, below the same export folder).
 */
bool
bc_export_file_others(BcDelivery *d, const char *period, char **others, int *nothers,
					  bc_derror *err)
{
	return bc_delivery_others(d->ex->loc.exportfd, d->ex->loc.export_path, period,
							  d->ex->loc.file_rel, others, nothers, err);
}

/* whether d is AWS's latest copy of a delivery loaded before it in this call */
bool
bc_delivery_is_latest_copy(BcDelivery *d)
{
	return d->core != NULL && d->ex->list != NULL &&
		bc_delivery_is_copy(d->ex->list, d->core_index);
}

/* close the descriptors of a delivery once it is loaded (or failed) */
void
bc_close_delivery(BcDelivery *d)
{
	if (d->core == NULL)
		return;
	bc_delivery_close(d->core);
	for (int i = 0; i < d->nfiles; i++)
		d->files[i].fd = -1;
}

/* ---------------------------------------------------------------------- */
/* hashing and identity */

/* progress and interrupts while hashing */
static void
hash_tick(void *arg, int file_no, int64_t bytes)
{
	bc_progress_file(file_no, bytes);
	bc_progress_rows(0, bytes);
	CHECK_FOR_INTERRUPTS();
}

/* sha256 of every file of the delivery, from its open descriptors */
void
bc_hash_files(BcDelivery *d)
{
	bc_derror	err = {0};

	if (!bc_delivery_hash(d->core, hash_tick, NULL, &err))
		bc_raise_derror(&err);
	for (int i = 0; i < d->nfiles; i++)
		memcpy(d->files[i].sha256, d->core->files[i].sha256, 65);
}

/*
 * The identity of a delivery (the core's formula over the execution id
 * and the files' sha256, which must be known).
 */
void
bc_load_key(BcDelivery *d, char key[65])
{
	bc_dkey		k;

	bc_dkey_init(&k, d->execution_id);
	for (int i = 0; i < d->nfiles; i++)
		bc_dkey_file(&k, d->files[i].sha256);
	bc_dkey_final(&k, key);
}
