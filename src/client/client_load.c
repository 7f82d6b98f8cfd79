/*-------------------------------------------------------------------------
 *
 * client_load.c
 *		Reading, checking and transforming a delivery with the core, and
 *		committing it through the extension's client API with libpq.
 *
 * One transaction per delivery:
 *	BEGIN; client_begin_delivery; COPY ... FROM STDIN; client_finish_delivery;
 *	COMMIT
 * The server applies the loader's ledger, swap, history and reconciliation
 * at client_finish_delivery; nothing is visible before COMMIT, so a client
 * killed or disconnected at any point leaves the database as it was.  A
 * delivery found bad is rolled back, then recorded as failed by
 * client_fail_delivery in a transaction of its own (as load_export records
 * its failures).
 *
 * Reading a delivery (files opened in turn, rows checked and transformed
 * into COPY text, sha256 checked, rejected rows, the failure messages) is
 * the core's cur_stream, the server loader's own, so rows, totals and
 * errors are those of load_export.
 *
 * IDENTIFICATION
 *		src/client/client_load.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "client.h"
#include "cur_stream.h"

/* the state of one delivery being streamed */
typedef struct cl_stream
{
	const cl_options *o;
	PGconn	   *conn;			/* NULL in a dry run */
	cl_delivery *d;
	int			max_rejected;
	int64_t		total_bytes;
	int64_t		sent_rows;
} cl_stream;

/* seconds on a monotonic clock */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------------- */
/* connection */

static int	result_failure_code(PGconn *conn, const PGresult *res);

/* exit code of the last failed query() */
static int	last_failure_code = EXIT_SERVER;

/* run a query returning tuples; NULL (with *error) on failure */
static PGresult *
query(PGconn *conn, const char *sql, int nparams, const char *const *params,
	  char **error)
{
	PGresult   *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	*error = cl_strdup(PQresultErrorMessage(res));
	last_failure_code = result_failure_code(conn, res);
	PQclear(res);
	return NULL;
}

/* trim the trailing newline libpq messages end with */
static char *
chomp(char *s)
{
	size_t		n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	return s;
}

/*
 * Connect (libpq conventions: -d connection string or URI, PG* variables,
 * .pgpass, sslmode) and check the extension: installed, of this client's
 * version, with the client API.  NULL with *error and *code on failure.
 */
PGconn *
cl_connect(const cl_options *o, char **error, int *code)
{
	const char *keys[7];
	const char *vals[7];
	int			n = 0;
	PGconn	   *conn;
	PGresult   *res;
	char	   *err = NULL;

	if (o->dbname)
	{
		keys[n] = "dbname";
		vals[n++] = o->dbname;
	}
	if (o->host)
	{
		keys[n] = "host";
		vals[n++] = o->host;
	}
	if (o->port)
	{
		keys[n] = "port";
		vals[n++] = o->port;
	}
	if (o->user)
	{
		keys[n] = "user";
		vals[n++] = o->user;
	}
	keys[n] = "fallback_application_name";
	vals[n++] = "bedrock-cost-load";
	keys[n] = NULL;
	vals[n] = NULL;
	conn = PQconnectdbParams(keys, vals, 1);
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
	{
		*error = chomp(cl_strdup(conn ? PQerrorMessage(conn) : "out of memory"));
		*code = EXIT_CONNECTION;
		PQfinish(conn);
		return NULL;
	}
	res = query(conn,
				"SELECT (SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'bedrock_cost'), "
				"pg_catalog.to_regprocedure('bedrock_cost.client_begin_delivery(jsonb)') IS NOT NULL "
				"AND pg_catalog.to_regprocedure('bedrock_cost.client_finish_delivery(bigint,jsonb)') IS NOT NULL "
				"AND pg_catalog.to_regprocedure('bedrock_cost.client_fail_delivery(jsonb,text,jsonb)') IS NOT NULL, "
				"pg_catalog.current_database()",
				0, NULL, &err);
	if (res == NULL)
	{
		*error = chomp(err);
		*code = PQstatus(conn) == CONNECTION_OK ? EXIT_SERVER : EXIT_CONNECTION;
		PQfinish(conn);
		return NULL;
	}
	if (PQgetisnull(res, 0, 0))
	{
		if (asprintf(error, "the bedrock_cost extension is not installed in database \"%s\"\n"
					 "HINT: Install it there (CREATE EXTENSION bedrock_cost; version %s) or connect to the database that has it (-d).",
					 PQgetvalue(res, 0, 2), BC_CLIENT_EXTVERSION) < 0)
			*error = NULL;
		*code = EXIT_SERVER;
	}
	else if (strcmp(PQgetvalue(res, 0, 0), BC_CLIENT_EXTVERSION) != 0)
	{
		if (asprintf(error, "the bedrock_cost extension in database \"%s\" is version %s; this bedrock-cost-load needs version %s\n"
					 "HINT: Update the extension (ALTER EXTENSION bedrock_cost UPDATE TO '%s') or use the bedrock-cost-load of version %s.",
					 PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 0), BC_CLIENT_EXTVERSION,
					 BC_CLIENT_EXTVERSION, PQgetvalue(res, 0, 0)) < 0)
			*error = NULL;
		*code = EXIT_SERVER;
	}
	else if (strcmp(PQgetvalue(res, 0, 1), "t") != 0)
	{
		if (asprintf(error, "the bedrock_cost extension in database \"%s\" lacks the client API (bedrock_cost.client_begin_delivery and friends)\n"
					 "HINT: Reinstall the extension from the same build as this bedrock-cost-load (DROP EXTENSION bedrock_cost; CREATE EXTENSION bedrock_cost).",
					 PQgetvalue(res, 0, 2)) < 0)
			*error = NULL;
		*code = EXIT_SERVER;
	}
	else
	{
		PQclear(res);
		return conn;
	}
	PQclear(res);
	PQfinish(conn);
	return NULL;
}

/* the exit code of a failed statement: connection lost or server error */
static int
sql_failure_code(PGconn *conn)
{
	return PQstatus(conn) == CONNECTION_OK ? EXIT_SERVER : EXIT_CONNECTION;
}

/*
 * The exit code of a failed result: connection failures (lost connection,
 * SQLSTATE class 08, the session terminated by the server, 57P01-57P03)
 * or a server error.
 */
static int
result_failure_code(PGconn *conn, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(conn) != CONNECTION_OK)
		return EXIT_CONNECTION;
	if (state != NULL && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0))
		return EXIT_CONNECTION;
	return EXIT_SERVER;
}

/* ---------------------------------------------------------------------- */
/* the delivery as JSON */

/* a string member or null */
static void
json_str(bc_buf *b, const char *key, const char *v, bool comma)
{
	if (comma)
		bc_buf_put(b, ", ", 2);
	bc_buf_put_json_string(b, key, strlen(key));
	bc_buf_put(b, ": ", 2);
	if (v == NULL)
		bc_buf_puts(b, "null");
	else
		bc_buf_put_json_string(b, v, strlen(v));
}

/* an integer member */
static void
json_int(bc_buf *b, const char *key, int64_t v)
{
	bc_buf_put(b, ", ", 2);
	bc_buf_put_json_string(b, key, strlen(key));
	bc_buf_printf(b, ": %lld", (long long) v);
}

/* a reject / error position object */
static void
json_reject(bc_buf *b, const cl_reject *r)
{
	bc_buf_putc(b, '{');
	json_str(b, "file", r->file, false);
	json_int(b, "line", r->line);
	json_str(b, "column", r->column, true);
	json_str(b, "value", r->value, true);
	json_str(b, "reason", r->reason, true);
	json_str(b, "raw", r->raw, true);
	bc_buf_putc(b, '}');
}

/*
 * The delivery as the client API's jsonb (for_server), or the --json
 * summary entry (status, ids, error added).
 */
void
cl_delivery_json(const cl_delivery *d, bc_buf *b, bool for_server)
{
	const bc_xf *x = &d->xf;
	bc_buf		t;

	bc_buf_init(&t);
	bc_buf_putc(b, '{');
	json_str(b, "export", d->export_path, false);
	json_str(b, "billing_period", d->period[0] ? d->period : NULL, true);
	json_str(b, "source", d->from_manifest ? "export" : "file", true);
	if (d->complete)
		bc_buf_puts(b, ", \"complete\": true");
	json_str(b, "manifest_path", d->manifest_path, true);
	json_str(b, "execution_id", d->execution_id, true);
	if (for_server)
	{
		char		at[64];

		json_str(b, "delivered_at", cl_delivered_at(d, at, sizeof(at)), true);
	}
	if (!for_server)
	{
		json_str(b, "status", d->status, true);
		if (d->load_id > 0)
			json_int(b, "load_id", d->load_id);
		if (d->same_as > 0)
			json_int(b, "same_as", d->same_as);
		json_str(b, "error", d->error, true);
		bc_buf_printf(b, ", \"seconds\": %.3f", d->seconds);
	}
	bc_buf_puts(b, ", \"files\": [");
	for (int i = 0; i < d->nfiles; i++)
	{
		const cl_file *f = &d->files[i];

		if (i > 0)
			bc_buf_put(b, ", ", 2);
		bc_buf_putc(b, '{');
		json_str(b, "path", f->path, false);
		json_int(b, "size", f->size);
		json_str(b, "sha256", f->sha256[0] ? f->sha256 : NULL, true);
		json_int(b, "rows_read", f->rows_read);
		json_int(b, "rows_loaded", f->rows_loaded);
		bc_buf_putc(b, '}');
	}
	bc_buf_putc(b, ']');
	json_int(b, "rows_read", d->xf_ready ? x->rows_read : 0);
	json_int(b, "rows_loaded", d->xf_ready ? x->rows_loaded : 0);
	json_int(b, "rows_rejected", d->xf_ready ? x->rows_rejected : 0);
	json_int(b, "rows_other", d->xf_ready ? x->rows_other : 0);
	json_int(b, "bytes_read", d->bytes_read);
	bc_buf_puts(b, ", \"totals\": [");
	for (int i = 0; d->xf_ready && i < x->ntotals; i++)
	{
		const bc_xf_total *tot = &x->totals[i];

		if (i > 0)
			bc_buf_put(b, ", ", 2);
		bc_buf_putc(b, '{');
		json_str(b, "line_item_type", tot->line_item_type, false);
		bc_buf_printf(b, ", \"is_bedrock\": %s", tot->is_bedrock ? "true" : "false");
		json_int(b, "rows", tot->rows);
		json_int(b, "rejected_rows", tot->rejected_rows);
		bc_buf_reset(&t);
		bc_xsum_text(&tot->unblended, &t);
		json_str(b, "unblended_cost", t.data, true);
		bc_buf_reset(&t);
		if (tot->net_present)
			bc_xsum_text(&tot->net, &t);
		json_str(b, "net_unblended_cost", tot->net_present ? t.data : NULL, true);
		bc_buf_reset(&t);
		bc_xsum_text(&tot->rejected, &t);
		json_str(b, "rejected_unblended_cost", t.data, true);
		bc_buf_putc(b, '}');
	}
	bc_buf_putc(b, ']');
	if (for_server)
	{
		bc_buf_puts(b, ", \"usage_types\": [");
		for (int i = 0; d->xf_ready && i < x->nusage; i++)
		{
			if (i > 0)
				bc_buf_put(b, ", ", 2);
			bc_buf_put_json_string(b, x->usage_types[i], strlen(x->usage_types[i]));
		}
		bc_buf_puts(b, "], \"usage_products\": [");
		for (int i = 0; d->xf_ready && i < x->nusage; i++)
		{
			if (i > 0)
				bc_buf_put(b, ", ", 2);
			bc_buf_put_json_string(b, x->usage_products[i], strlen(x->usage_products[i]));
		}
		bc_buf_putc(b, ']');
	}
	bc_buf_puts(b, ", \"rejects\": [");
	for (int i = 0; i < d->nrejects; i++)
	{
		if (i > 0)
			bc_buf_put(b, ", ", 2);
		json_reject(b, &d->rejects[i]);
	}
	bc_buf_puts(b, "]}");
	bc_buf_free(&t);
}

/* ---------------------------------------------------------------------- */
/* streaming */

/* a position (or rejected row) of the core as the client keeps it */
static void
keep_where(cl_reject *to, const bc_stream_where *w)
{
	to->file = w->file ? cl_strdup(w->file) : NULL;
	to->line = w->line;
	to->column = w->column ? cl_strdup(w->column) : NULL;
	to->value = w->value ? cl_strdup(w->value) : NULL;
	to->reason = w->reason ? cl_strdup(w->reason) : NULL;
	to->raw = w->raw ? cl_strdup(w->raw) : NULL;
}

/* the delivery failed on reading it: the core's message (and detail) and position */
static void
stream_failed(cl_delivery *d, const bc_stream_error *e)
{
	if (e->has_where)
	{
		d->have_where = true;
		keep_where(&d->where, &e->where);
	}
	if (e->detail != NULL)
		cl_fail(d, EXIT_INPUT, "%s\nDETAIL: %s", e->message, e->detail);
	else
		cl_fail(d, EXIT_INPUT, "%s", e->message);
}

/* a tolerated rejected row, kept for the server's load_errors */
static void
keep_reject(cl_delivery *d, const bc_stream_where *w)
{
	d->rejects = realloc(d->rejects, (d->nrejects + 1) * sizeof(cl_reject));
	if (d->rejects == NULL)
		exit(EXIT_INPUT);
	keep_where(&d->rejects[d->nrejects++], w);
}

/* send one chunk of COPY data (or nothing in a dry run) */
static bool
send_data(cl_stream *s, const char *data, size_t len)
{
	if (len == 0 || s->conn == NULL)
		return true;
	if (PQputCopyData(s->conn, data, (int) len) != 1)
	{
		cl_fail(s->d, sql_failure_code(s->conn), "could not send COPY data: %s",
				chomp(cl_strdup(PQerrorMessage(s->conn))));
		return false;
	}
	return true;
}

/*
 * The hidden test hook: stop mid-COPY until killed, or for
 * BC_DEBUG_PAUSE_SECONDS seconds when that is set, then go on.
 */
static void
debug_pause(cl_stream *s)
{
	const char *secs = getenv("BC_DEBUG_PAUSE_SECONDS");

	if (s->conn != NULL)
		PQflush(s->conn);
	fprintf(stderr, "bedrock-cost-load: debug pause after %lld rows\n",
			(long long) s->sent_rows);
	fflush(stderr);
	if (secs != NULL)
	{
		sleep((unsigned) atoi(secs));
		return;
	}
	for (;;)
		sleep(3600);
}

/*
 * Read, check, transform and send the files of the delivery with the
 * core's stream: with the read-ahead thread, reading and checking overlap
 * with sending (and with the server's COPY); without it when the debug
 * pause hook needs an exact row count.  False when the delivery failed.
 */
static bool
stream_delivery(cl_stream *s)
{
	cl_delivery *d = s->d;
	bc_stream_file *files = calloc(d->nfiles > 0 ? d->nfiles : 1, sizeof(bc_stream_file));
	bool		pause = s->o->debug_pause_after > 0;
	bc_stream	st;
	int			rc;

	if (files == NULL)
		exit(EXIT_INPUT);
	for (int i = 0; i < d->nfiles; i++)
		bc_stream_file_set(&files[i], d->files[i].fd, d->files[i].path, d->files[i].sha256);
	rc = bc_stream_start(&st, files, d->nfiles, &d->xf, d->export_id, d->load_id, !pause);
	if (rc != 0)
		cl_fail(d, EXIT_INPUT, "could not start the read-ahead thread: %s", strerror(rc));
	if (pause)
		bc_stream_set_mark(&st, s->o->debug_pause_after);
	while (d->error == NULL)
	{
		bc_stream_chunk c;
		bc_stream_event ev = bc_stream_next(&st, 1000, &c);

		if (ev == BC_STREAM_WAIT)
			continue;
		if (c.file >= 0)
		{
			d->files[c.file].rows_read = files[c.file].rows_read;
			d->files[c.file].rows_loaded = files[c.file].rows_loaded;
		}
		d->bytes_read = (int64_t) c.bytes_finished;
		s->sent_rows = c.rows_loaded;
		if (!send_data(s, c.data, c.len))
			break;
		if (s->o->progress)
			cl_progress_update((int64_t) c.bytes_read, c.rows_read);
		if (pause && c.rows_loaded == s->o->debug_pause_after)
		{
			debug_pause(s);
			pause = false;
		}
		if (ev == BC_STREAM_FILE_DONE)
			memcpy(d->files[c.file].sha256, files[c.file].sha256, 65);
		else if (ev == BC_STREAM_REJECT)
		{
			if (bc_stream_tolerate(&st, s->max_rejected))
				keep_reject(d, &st.reject);
			else
				stream_failed(d, &st.error);
		}
		else if (ev == BC_STREAM_ERROR)
			stream_failed(d, &st.error);
		else if (ev == BC_STREAM_END)
			break;
	}
	bc_stream_close(&st);
	free(files);
	return d->error == NULL;
}

/* the billing period of a file delivery, from its first row (as the server's) */
static bool
peek_period(cl_delivery *d)
{
	bc_stream_file f;
	bc_stream_error e;
	char		period[11];

	bc_stream_file_set(&f, d->files[0].fd, d->files[0].path, d->files[0].sha256);
	if (!bc_stream_peek_period(&f, period, &e))
	{
		stream_failed(d, &e);
		bc_stream_error_free(&e);
		d->period[0] = '\0';
		return false;
	}
	memcpy(d->period, period, sizeof(period));
	return true;
}

/* ---------------------------------------------------------------------- */
/* the transaction */

/* send a simple command; false (failed) on error */
static bool
command(cl_delivery *d, PGconn *conn, const char *sql)
{
	char	   *err = NULL;
	PGresult   *res = query(conn, sql, 0, NULL, &err);

	if (res == NULL)
	{
		cl_fail(d, last_failure_code, "%s", chomp(err));
		return false;
	}
	PQclear(res);
	return true;
}

/* record a failed delivery in the ledger (own transaction), as load_export does */
static void
record_failure(PGconn *conn, cl_delivery *d)
{
	bc_buf		js,
				at;
	const char *params[3];
	char	   *err = NULL;
	PGresult   *res;

	if (conn == NULL || PQstatus(conn) != CONNECTION_OK || d->exit_code == EXIT_CONNECTION)
		return;
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
	{
		res = PQexec(conn, "ROLLBACK");
		PQclear(res);
	}
	bc_buf_init(&js);
	bc_buf_init(&at);
	cl_delivery_json(d, &js, true);
	if (d->have_where)
		json_reject(&at, &d->where);
	params[0] = js.data;
	params[1] = d->error;
	params[2] = d->have_where ? at.data : NULL;
	res = query(conn, "SELECT bedrock_cost.client_fail_delivery($1::jsonb, $2, $3::jsonb)",
				3, params, &err);
	if (res != NULL)
	{
		d->load_id = atoll(PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	else
	{
		fprintf(stderr, "bedrock-cost-load: could not record the failure in the ledger: %s\n",
				chomp(err));
		free(err);
	}
	bc_buf_free(&js);
	bc_buf_free(&at);
}

/* end the COPY; abort_msg non-NULL makes the server fail it */
static bool
end_copy(cl_stream *s, const char *abort_msg)
{
	PGresult   *res;
	bool		ok = true;

	if (PQputCopyEnd(s->conn, abort_msg) != 1)
	{
		cl_fail(s->d, sql_failure_code(s->conn), "could not end COPY: %s",
				chomp(cl_strdup(PQerrorMessage(s->conn))));
		return false;
	}
	while ((res = PQgetResult(s->conn)) != NULL)
	{
		if (PQresultStatus(res) != PGRES_COMMAND_OK && abort_msg == NULL)
		{
			cl_fail(s->d, result_failure_code(s->conn, res), "%s",
					chomp(cl_strdup(PQresultErrorMessage(res))));
			ok = false;
		}
		PQclear(res);
	}
	return ok;
}

/* BEGIN and client_begin_delivery; false when failed, or noop recorded */
static bool
begin_delivery(cl_stream *s, char **staging)
{
	cl_delivery *d = s->d;
	bc_buf		js;
	const char *params[1];
	char	   *err = NULL;
	PGresult   *res;

	if (!command(d, s->conn, "BEGIN"))
		return false;
	bc_buf_init(&js);
	cl_delivery_json(d, &js, true);
	params[0] = js.data;
	res = query(s->conn, "SELECT load_id, export_id, status, staging, same_as, max_rejected_rows "
				"FROM bedrock_cost.client_begin_delivery($1::jsonb)", 1, params, &err);
	bc_buf_free(&js);
	if (res == NULL)
	{
		cl_fail(d, last_failure_code, "%s", chomp(err));
		return false;
	}
	d->load_id = atoll(PQgetvalue(res, 0, 0));
	d->export_id = atoi(PQgetvalue(res, 0, 1));
	s->max_rejected = atoi(PQgetvalue(res, 0, 5));
	if (strcmp(PQgetvalue(res, 0, 2), "loading") != 0)
	{
		/* noop, stale or duplicate: recorded by the server, nothing to send */
		const char *status = strcmp(PQgetvalue(res, 0, 2), "noop") == 0 ? "noop" :
			strcmp(PQgetvalue(res, 0, 2), "stale") == 0 ? "stale" : "duplicate";

		d->same_as = PQgetisnull(res, 0, 4) ? 0 : atoll(PQgetvalue(res, 0, 4));
		PQclear(res);
		if (command(d, s->conn, "COMMIT"))
			d->status = status;
		return false;
	}
	*staging = cl_strdup(PQgetvalue(res, 0, 3));
	PQclear(res);
	return true;
}

/* COPY ... FROM STDIN into the staging table */
static bool
start_copy(cl_stream *s, const char *staging)
{
	PGresult   *res;
	char	   *sql;
	char	   *ident = PQescapeIdentifier(s->conn, staging, strlen(staging));

	if (ident == NULL ||
		asprintf(&sql, "COPY bedrock_cost.%s (%s) FROM STDIN WITH (FORMAT text, ENCODING 'UTF8')",
				 ident, bc_xf_copy_columns) < 0)
		exit(EXIT_INPUT);
	PQfreemem(ident);
	res = PQexec(s->conn, sql);
	free(sql);
	if (PQresultStatus(res) != PGRES_COPY_IN)
	{
		cl_fail(s->d, result_failure_code(s->conn, res), "%s",
				chomp(cl_strdup(PQresultErrorMessage(res))));
		PQclear(res);
		return false;
	}
	PQclear(res);
	return true;
}

/* client_finish_delivery and COMMIT */
static bool
finish_delivery(cl_stream *s)
{
	cl_delivery *d = s->d;
	bc_buf		js;
	char		idbuf[32];
	const char *params[2];
	char	   *err = NULL;
	PGresult   *res;

	bc_buf_init(&js);
	cl_delivery_json(d, &js, true);
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long) d->load_id);
	params[0] = idbuf;
	params[1] = js.data;
	res = query(s->conn, "SELECT bedrock_cost.client_finish_delivery($1::bigint, $2::jsonb)",
				2, params, &err);
	bc_buf_free(&js);
	if (res == NULL)
	{
		cl_fail(d, last_failure_code, "%s", chomp(err));
		return false;
	}
	PQclear(res);
	if (!command(d, s->conn, "COMMIT"))
		return false;
	d->status = "done";
	return true;
}

/*
 * Load one delivery (or, without a connection, check it): read its manifest
 * or first row, hash, transform and stream its files, commit.  The outcome
 * is left in d (status, exit_code, error, counts and totals).
 */
void
cl_load_delivery(const cl_options *o, PGconn *conn, cl_delivery *d)
{
	cl_stream	s;
	char	   *staging = NULL;
	double		t0 = now();
	char		label[64];

	memset(&s, 0, sizeof(s));
	s.o = o;
	s.conn = conn;
	s.d = d;
	s.max_rejected = o->max_rejected;

	if (d->from_manifest ? !cl_read_manifest(d) : (!peek_period(d) || !cl_check_single_file(o, d)))
		goto failed;
	if (!bc_xf_init(&d->xf, d->period))
		exit(EXIT_INPUT);
	d->xf_ready = true;
	if (conn != NULL)
	{
		if (!cl_hash_files(d))
			goto failed;
		if (!begin_delivery(&s, &staging))
		{
			if (d->error != NULL)
				goto failed;
			goto out;			/* noop */
		}
		if (!start_copy(&s, staging))
			goto failed;
	}
	for (int i = 0; i < d->nfiles; i++)
		s.total_bytes += d->files[i].size;
	snprintf(label, sizeof(label), "%.7s", d->period);
	if (o->progress)
		cl_progress_start(o, label, s.total_bytes);
	(void) stream_delivery(&s);
	if (o->progress)
	{
		cl_progress_update(s.total_bytes, d->xf.rows_read);
		cl_progress_end();
	}
	if (d->error != NULL)
	{
		if (conn != NULL && d->exit_code != EXIT_CONNECTION)
			(void) end_copy(&s, "bedrock-cost-load: delivery failed on the client");
		goto failed;
	}
	if (conn == NULL)
	{
		d->status = "checked";
		goto out;
	}
	if (!end_copy(&s, NULL) || !finish_delivery(&s))
		goto failed;
	goto out;

failed:
	if (d->status == NULL || strcmp(d->status, "failed") != 0)
		cl_fail(d, EXIT_INPUT, "failed");
	if (conn != NULL)
	{
		d->load_id = 0;
		record_failure(conn, d);
	}
out:
	free(staging);
	d->seconds = now() - t0;
}
