/*-------------------------------------------------------------------------
 *
 * manifest.h
 *		Parser of AWS Data Exports (CUR 2.0) delivery manifests
 *		(<export>-Manifest.json).
 *
 * This is the only manifest parser: the server loader, the worker and
 * bedrock-cost-load all read manifests through it (src/core/delivery.c).
 *
 * Keys read (others are ignored, as AWS adds keys over time):
 *		executionId		string, required (legacy "assemblyId" accepted, not
 *						both): 1 to BC_MANIFEST_MAX_EXECUTION_ID bytes, no
 *						control characters
 *		billingPeriod	object with "start" (required) and "end" (optional)
 *						timestamps; "start" must be a month start, in any
 *						form bc_time_billing_period accepts, e.g. 20260401T000000.000Z
 *		dataFiles		array of strings, required (legacy "reportKeys"
 *						accepted, not both): s3://bucket/key URIs or
 *						relative keys
 *		columns			optional array of {"name": ..., "type": ...}
 *						objects (or plain name strings)
 * Strict where a lax reading would load wrong numbers: a key that appears
 * twice in the manifest object or in billingPeriod (after decoding), a
 * dataFiles element that is not a string, and two entries that map to the
 * same local file (the same key twice, or a key and an s3:// URL of it)
 * are errors.  Bounded: at most BC_MANIFEST_MAX_BYTES of text and
 * BC_MANIFEST_MAX_FILES entries, far above what AWS writes (a few hundred
 * bytes per file).
 *
 * Each data file is mapped to a path relative to the export folder: the
 * part of the key from its last "data/BILLING_PERIOD=" component on, e.g.
 *		s3://b/p/my-export/data/BILLING_PERIOD=2026-04/my-export-00001.csv.gz
 *		-> data/BILLING_PERIOD=2026-04/my-export-00001.csv.gz
 * (create-new deliveries keep their <stamp>-<execution-id>/ folder).  A key
 * without that component, with ".", ".." or empty segments, a backslash,
 * a control character, in another billing period than billingPeriod, or
 * mapping to a path listed before is rejected.
 *
 * All strings of a parsed manifest live in one allocation owned by the
 * bc_manifest; free it with bc_manifest_free.
 *
 * IDENTIFICATION
 *		src/core/manifest.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_MANIFEST_H
#define BC_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#define BC_MANIFEST_MAX_FILES		100000
#define BC_MANIFEST_MAX_COLUMNS		4096
#define BC_MANIFEST_MAX_BYTES		(64 * 1024 * 1024)
#define BC_MANIFEST_MAX_PATH		1024
#define BC_MANIFEST_MAX_EXECUTION_ID 256
#define BC_MANIFEST_DETAIL_MAX		200

typedef enum bc_manifest_status
{
	BC_MANIFEST_OK = 0,
	BC_MANIFEST_NOMEM,
	BC_MANIFEST_TOO_BIG,		/* text larger than BC_MANIFEST_MAX_BYTES */
	BC_MANIFEST_JSON,			/* not valid JSON (json_status, offset) */
	BC_MANIFEST_NOT_OBJECT,		/* top level is not an object */
	BC_MANIFEST_MISSING_KEY,	/* required key absent (detail = key) */
	BC_MANIFEST_BAD_TYPE,		/* key of the wrong JSON type (detail = key) */
	BC_MANIFEST_BAD_PERIOD,		/* billingPeriod.start unusable */
	BC_MANIFEST_BAD_FILE,		/* data file key unusable (detail = key) */
	BC_MANIFEST_DUPLICATE_FILE, /* same local path listed twice (detail = path) */
	BC_MANIFEST_DUPLICATE_KEY,	/* a key appears twice (detail = key) */
	BC_MANIFEST_BAD_EXECUTION_ID,	/* empty, too long, or control characters */
	BC_MANIFEST_TOO_MANY_FILES,
	BC_MANIFEST_TOO_MANY_COLUMNS
} bc_manifest_status;

typedef struct bc_manifest_error
{
	bc_manifest_status status;
	int			json_status;	/* bc_json_status when status is JSON */
	size_t		offset;			/* byte offset in the manifest, if known */
	char		detail[BC_MANIFEST_DETAIL_MAX + 1];
	const char *message;		/* static */
} bc_manifest_error;

typedef struct bc_manifest_file
{
	const char *uri;			/* as listed (decoded JSON string) */
	const char *local;			/* relative path under the export folder */
} bc_manifest_file;

typedef struct bc_manifest
{
	const char *execution_id;
	const char *period_start;	/* as written */
	const char *period_end;		/* as written, NULL if absent */
	char		billing_period[11]; /* "YYYY-MM-01" */
	int			nfiles;
	bc_manifest_file *files;
	int			ncolumns;
	const char **column_names;
	const char **column_types;	/* entries NULL when not given */
	/* private: the string arena */
	char	   *arena_;
} bc_manifest;

/* parse manifest text; on success *out is owned by the caller */
extern bc_manifest_status bc_manifest_parse(const char *json, size_t len,
											bc_manifest **out,
											bc_manifest_error *err);

/* free a manifest; NULL is fine */
extern void bc_manifest_free(bc_manifest *m);

/* does the manifest list a column of this name (exact match) */
extern bool bc_manifest_has_column(const bc_manifest *m, const char *name);

/*
 * Map one data file key or URI to its local relative path (rules above)
 * into buf; returns BC_MANIFEST_OK or BC_MANIFEST_BAD_FILE.  period7 is
 * "YYYY-MM" to enforce, or NULL.
 */
extern bc_manifest_status bc_manifest_local_path(const char *uri, const char *period7,
												 char *buf, size_t cap);

/* static lower-case message for a status */
extern const char *bc_manifest_strerror(bc_manifest_status st);

#endif							/* BC_MANIFEST_H */
