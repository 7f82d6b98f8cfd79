/*-------------------------------------------------------------------------
 *
 * client.h
 *		Shared declarations of bedrock-cost-load, the libpq client that
 *		loads CUR 2.0 exports the server cannot read.
 *
 * client_main.c parses the command line and reports; client_delivery.c
 * finds deliveries and their files exactly as the server's loader does;
 * client_load.c reads, checks and transforms them with the core's
 * delivery stream (cur_stream, as the server does) and commits each one
 * through the extension's client API in one transaction;
 * client_progress.c draws the progress bar.
 *
 * IDENTIFICATION
 *		src/client/client.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_CLIENT_H
#define BC_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cur_transform.h"
#include "delivery.h"

/* the extension version this client speaks to: the Makefile passes it from bedrock_cost.control */
#ifndef BC_CLIENT_EXTVERSION
#error "BC_CLIENT_EXTVERSION is not defined: build bedrock-cost-load with make (it reads bedrock_cost.control)"
#endif

/* exit codes */
#define EXIT_OK			0
#define EXIT_USAGE		2
#define EXIT_INPUT		3
#define EXIT_CONNECTION 4
#define EXIT_SERVER		5

/* one file of a delivery */
typedef struct cl_file
{
	char	   *path;			/* export folder + relative path */
	int			fd;				/* open descriptor to read (owned by the core delivery) */
	int64_t		size;
	char		sha256[65];		/* "" until known */
	int64_t		rows_read;
	int64_t		rows_loaded;
} cl_file;

/* one tolerated rejected row, or where a failure was */
typedef struct cl_reject
{
	char	   *file;
	int64_t		line;
	char	   *column;
	char	   *value;
	char	   *reason;
	char	   *raw;
} cl_reject;

/* what the core found for a command line: the export folder and its deliveries */
typedef struct cl_run
{
	bc_export_loc loc;
	bc_delivery **list;			/* a folder's scan */
	int			n;
	bc_delivery *single;		/* one file */
} cl_run;

/* one delivery: the files of one manifest, or one file */
typedef struct cl_delivery
{
	cl_run	   *run;
	bc_delivery *core;
	int			core_index;
	char	   *export_path;
	bool		from_manifest;
	char	   *manifest_path;
	bool		top_level;
	char	   *execution_id;
	char		period[11];		/* YYYY-MM-01, "" while unknown */

	int			nfiles;
	cl_file    *files;

	/* outcome */
	const char *status;			/* done, noop, failed, checked (dry run) */
	int			exit_code;
	int64_t		load_id;
	int32_t		export_id;
	int64_t		same_as;
	char	   *error;
	bool		have_where;
	cl_reject	where;
	int64_t		bytes_read;
	bc_xf		xf;				/* counts and totals */
	bool		xf_ready;
	cl_reject  *rejects;
	int			nrejects;
	bool		complete;		/* one file, said to be its period's whole delivery */
	double		seconds;
} cl_delivery;

/* options and run state */
typedef struct cl_options
{
	const char *dbname;
	const char *host;
	const char *port;
	const char *user;
	bool		dry_run;
	bool		complete;		/* --complete: one file is its period's whole delivery */
	bool		quiet;
	bool		json;
	bool		progress;		/* a terminal and not quiet */
	int			max_rejected;	/* dry run: rows that may be rejected */
	int64_t		debug_pause_after;	/* test only: pause after this many rows */
} cl_options;

/* client_delivery.c */
extern int	cl_find_deliveries(const char *export_dir, cl_delivery ***out, int *n,
							   char **error);
extern cl_delivery *cl_file_delivery(const char *path, char **error, int *code);
extern bool cl_read_manifest(cl_delivery *d);
extern bool cl_is_latest_copy(const cl_delivery *d);
extern bool cl_check_single_file(const cl_options *o, cl_delivery *d);
extern const char *cl_delivered_at(const cl_delivery *d, char *buf, size_t cap);
extern bool cl_hash_files(cl_delivery *d);
extern void cl_fail(cl_delivery *d, int code, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));
extern char *cl_strdup(const char *s);
extern char *cl_strndup(const char *s, size_t n);

/* client_load.c */
typedef struct pg_conn PGconn;
extern PGconn *cl_connect(const cl_options *o, char **error, int *code);
extern void cl_load_delivery(const cl_options *o, PGconn *conn, cl_delivery *d);
extern void cl_delivery_json(const cl_delivery *d, bc_buf *b, bool for_server);

/* client_progress.c */
extern void cl_progress_start(const cl_options *o, const char *label, int64_t total_bytes);
extern void cl_progress_update(int64_t bytes, int64_t rows);
extern void cl_progress_end(void);

#endif							/* BC_CLIENT_H */
