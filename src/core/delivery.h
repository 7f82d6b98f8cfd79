/*-------------------------------------------------------------------------
 *
 * delivery.h
 *		The deliveries of a CUR 2.0 export folder: where a load reads
 *		(bc_export_locate), which deliveries a folder holds
 *		(bc_export_scan), and one delivery's manifest and data files, each
 *		opened once (bc_delivery_open).  The only implementation, used by
 *		the server loader, the ingest worker and bedrock-cost-load.
 *
 * Layouts (AWS Data Exports, CUR 2.0, gzip CSV):
 *
 *	overwrite:	<export>/metadata/BILLING_PERIOD=YYYY-MM/<name>-Manifest.json
 *				<export>/data/BILLING_PERIOD=YYYY-MM/<name>-0000N.csv.gz
 *	create-new:	<export>/metadata/BILLING_PERIOD=YYYY-MM/<ts>-<execution-id>/<name>-Manifest.json
 *				<export>/data/BILLING_PERIOD=YYYY-MM/<ts>-<execution-id>/<name>-0000N.csv.gz
 *				plus a copy of the newest manifest directly under the period.
 *
 * A period's deliveries are its versioned manifests (one per subfolder) in
 * folder-name order, then the manifest directly in the period folder.  In
 * the create-new layout that last one is AWS's copy of the newest
 * versioned manifest: bc_delivery_is_copy recognises it by its
 * executionId.  Only the files a manifest lists are read (stale chunks of
 * an earlier, larger delivery are ignored); a period without a manifest
 * has no delivery.  A folder holding more than one *Manifest.json, and a
 * period folder, subfolder or manifest that is a symbolic link or not a
 * regular file, is a delivery with a problem (never opened, never
 * followed), so the load records it as failed.
 *
 * Every file is opened through export_fs.c, below the export folder,
 * without following links, and kept open: it is hashed and read from that
 * descriptor (bc_delivery_hash, the CUR reader) and closed by
 * bc_delivery_close.  Messages are complete texts naming the manifest and
 * the entry; a value taken from a file is quoted bounded and escaped
 * (bc_quote); nothing read from a file that is not accepted is echoed.
 *
 * Memory: malloc; the caller frees with bc_delivery_free /
 * bc_deliveries_free (which close the descriptors).
 *
 * IDENTIFICATION
 *		src/core/delivery.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_DELIVERY_H
#define BC_DELIVERY_H

#include <stdbool.h>
#include <stdint.h>

#include "export_fs.h"
#include "sha256.h"

/* what kind of failure a message reports (the server maps it to an SQLSTATE) */
typedef enum bc_dfail
{
	BC_DFAIL_NONE = 0,
	BC_DFAIL_INPUT,				/* bad manifest or layout */
	BC_DFAIL_ACCESS,			/* a file could not be opened or read */
	BC_DFAIL_OUTSIDE,			/* a path outside the folder loads may read */
	BC_DFAIL_NOMEM
} bc_dfail;

/* a failure: kind and a complete message (malloc'd) */
typedef struct bc_derror
{
	bc_dfail	kind;
	char	   *message;
	int			sys_errno;
} bc_derror;

/* one data file of a delivery */
typedef struct bc_dfile
{
	char	   *rel;			/* below the export folder */
	char	   *path;			/* export folder + "/" + rel, for messages and the ledger */
	int			fd;				/* open descriptor, -1 when not open */
	bool		missing;		/* BC_DOPEN_INSPECT: not there (yet) */
	int64_t		size;
	int64_t		mtime;			/* modification time, ns since 1970 */
	int64_t		ctime;			/* status change time, ns since 1970 */
	char		sha256[65];		/* hex; "" until known */
	int64_t		rows_read;		/* filled by the reading loop */
	int64_t		rows_loaded;
} bc_dfile;

/* one delivery: the files of one manifest, or one file */
typedef struct bc_delivery
{
	char		period[11];		/* YYYY-MM-01; "" until known (one file) */
	char	   *manifest_rel;	/* below the export folder; NULL for one file */
	char	   *manifest_path;	/* export folder + "/" + manifest_rel */
	bool		top_level;		/* directly in the period folder */
	char	   *problem;		/* found unusable by the scan: the message */
	char	   *execution_id;	/* after bc_delivery_open; NULL for one file */
	int64_t		manifest_size;	/* after bc_delivery_open */
	int64_t		manifest_mtime; /* ns since 1970: orders the deliveries of a period */
	int64_t		manifest_ctime;
	int			nfiles;
	bc_dfile   *files;
} bc_delivery;

/* where a load reads */
typedef struct bc_export_loc
{
	int			exportfd;		/* the export folder, open */
	char		export_path[BC_FS_PATH_MAX + 1];	/* its canonical absolute path */
	char		file_rel[BC_FS_PATH_MAX + 1];	/* one file: the file below it */
} bc_export_loc;

/*
 * Locate and open the export folder of path (a folder, or with is_file a
 * CUR file whose export is the folder above data/BILLING_PERIOD=...,
 * else its own folder).  With root (canonical absolute: the configured
 * bedrock_cost.export_root, which may itself be reached through links),
 * path must lie lexically under root, or under root's resolved form: this
 * is decided before anything is opened, so a path outside gets one
 * answer whatever exists there; below the root no link is followed.
 * Without root (a superuser, or the client's own user, chose the path),
 * the export folder is opened as given, links in its path followed, and
 * nothing below it follows links.  False with *err on failure; the
 * caller closes loc->exportfd.
 */
extern bool bc_export_locate(const char *root, const char *path, bool is_file,
							 bc_export_loc *loc, bc_derror *err);

/*
 * The deliveries under the export folder exportfd, in period order and,
 * within a period, oldest first (see above).  Manifests are not read
 * here.  False with *err when the folder cannot be listed or is no CUR
 * 2.0 export folder (neither metadata/ nor data/).
 */
extern bool bc_export_scan(int exportfd, const char *export_path,
						   bc_delivery ***out, int *n, bc_derror *err);

/* how bc_delivery_open treats the data files */
#define BC_DOPEN_FILES		0	/* open every listed file; a missing one fails */
#define BC_DOPEN_INSPECT	1	/* only look at them (size, times); missing ones marked */

/*
 * Read and check a delivery's manifest (bc_manifest_parse; its billing
 * period must be its folder's) and its data files (see mode).  False with
 * *err when the delivery cannot be loaded.
 */
extern bool bc_delivery_open(int exportfd, const char *export_path, bc_delivery *d,
							 int mode, bc_derror *err);

/* the delivery of one file below the export folder, opened */
extern bc_delivery *bc_delivery_of_file(int exportfd, const char *export_path,
										const char *rel, bc_derror *err);

/*
 * For one file loaded as the complete delivery of a period: whether the
 * period's latest manifest (its last delivery in load order) lists other
 * files.  *nothers is their number and *others (malloc'd, NULL when none)
 * a message naming the manifest and up to five of them.  A folder with no
 * metadata/ (an ad hoc file) or no manifest for the period has none.
 */
extern bool bc_delivery_others(int exportfd, const char *export_path, const char *period,
							   const char *file_rel, char **others, int *nothers,
							   bc_derror *err);

/*
 * The refusal of one file loaded alone when bc_delivery_others found
 * others (malloc'd; NULL on OOM): the same text whoever loads.
 */
extern char *bc_delivery_partial_message(const char *file_path);

/*
 * Whether deliveries[i] is AWS's latest copy (a top-level manifest) of a
 * delivery listed before it in the same period (same executionId).  Both
 * must be open.
 */
extern bool bc_delivery_is_copy(bc_delivery *const *deliveries, int i);

/*
 * sha256 of every open file of the delivery, read from its descriptor
 * (from offset 0).  tick (may be NULL) is called about every MB with the
 * file number (1-based) and the bytes done over all files; it may not
 * return (the server checks for interrupts there).
 */
extern bool bc_delivery_hash(bc_delivery *d,
							 void (*tick) (void *arg, int file_no, int64_t bytes),
							 void *arg, bc_derror *err);

/*
 * The identity of a delivery: sha256 over its execution id (with its NUL;
 * "" for one file) and the hex sha256 of each file (with its NUL), in
 * order, as 64 hex digits.  Every file must be hashed.  bc_dkey_* compute
 * it piecewise (the server's client API has only the digests).
 */
extern void bc_delivery_key(const bc_delivery *d, char key[65]);

typedef struct bc_dkey
{
	bc_sha256_ctx ctx;
} bc_dkey;
extern void bc_dkey_init(bc_dkey *k, const char *execution_id);
extern void bc_dkey_file(bc_dkey *k, const char sha256[65]);
extern void bc_dkey_final(bc_dkey *k, char key[65]);

/* close the descriptors of a delivery (idempotent) */
extern void bc_delivery_close(bc_delivery *d);

/* free a delivery (closing its descriptors); NULL is fine */
extern void bc_delivery_free(bc_delivery *d);
extern void bc_deliveries_free(bc_delivery **list, int n);

/* "YYYY-MM-01" of a BILLING_PERIOD=YYYY-MM folder name; false if not one */
extern bool bc_period_of_folder(const char *name, char out[11]);

/* free the message of an error */
extern void bc_derror_clear(bc_derror *err);

#endif							/* BC_DELIVERY_H */
