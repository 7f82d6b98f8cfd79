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
 * Row handling (classification, checks, COPY text, totals) is the core's
 * cur_transform, so rows, totals and row errors are the server loader's.
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
#include "cur_pipe.h"

/* COPY data sent in chunks of this size */
#define SEND_CHUNK (256 * 1024)
/* with the read-ahead thread: bytes per chunk */
#define PIPE_CHUNK (128 * 1024)
/* cut stored values and raw rows to this size (as the server does) */
#define VALUE_MAX 1000
#define RAW_MAX 10000

/* the state of one delivery being streamed */
typedef struct cl_stream
{
	const cl_options *o;
	PGconn	   *conn;			/* NULL in a dry run */
	cl_delivery *d;
	int			max_rejected;
	bc_buf		out;
	int64_t		bytes_done;		/* compressed bytes of finished files */
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
/* errors while reading */

/* value text as the server keeps it: up to a NUL, at most max bytes */
static char *
cut(const char *s, size_t len, size_t max)
{
	size_t		n = len < max ? len : max;

	n = strnlen(s, n);
	return cl_strndup(s, n);
}

/* a reader error (gzip, CSV, encoding, shape, I/O) fails the delivery */
static void
reader_failed(cl_delivery *d, const char *path, bc_cur_status st, const bc_cur_error *e)
{
	char		buf[2048];

	d->have_where = true;
	d->where.file = cl_strdup(path);
	d->where.line = (int64_t) e->line;
	d->where.column = e->column[0] ? cl_strdup(e->column) : NULL;
	d->where.value = e->value[0] ? cl_strdup(e->value) : NULL;
	if (st == BC_CUR_ERR_IO)
		cl_fail(d, EXIT_INPUT, "could not read \"%s\": %s", path, strerror(e->sys_errno));
	else
		cl_fail(d, EXIT_INPUT, "invalid CUR file \"%s\": %s", path,
				bc_cur_format_error(e, buf, sizeof(buf)));
}

/*
 * A bad value: reject the row while max_rejected allows, else fail the
 * delivery with the server's message.  Returns false when it failed.
 */
static bool
row_rejected(cl_stream *s, const char *path, const bc_cur_row *row)
{
	cl_delivery *d = s->d;
	bc_xf	   *x = &d->xf;
	const bc_cur_field *f = &row->f[x->reject_col];
	const char *colname = bc_cur_columns[x->reject_col].name;
	char	   *value = cut(f->ptr, f->len, VALUE_MAX);
	bc_buf		raw;

	bc_buf_init(&raw);
	bc_xf_raw_row(row, &raw);
	if (x->rows_rejected < s->max_rejected)
	{
		cl_reject  *r;

		d->rejects = realloc(d->rejects, (d->nrejects + 1) * sizeof(cl_reject));
		if (d->rejects == NULL)
			exit(EXIT_INPUT);
		r = &d->rejects[d->nrejects++];
		r->file = cl_strdup(path);
		r->line = (int64_t) row->line;
		r->column = cl_strdup(colname);
		r->value = value;
		r->reason = cl_strdup(x->reject_reason);
		r->raw = raw.data ? raw.data : cl_strdup("{}");
		bc_xf_reject(x, row);
		return true;
	}
	d->have_where = true;
	d->where.file = cl_strdup(path);
	d->where.line = (int64_t) row->line;
	d->where.column = cl_strdup(colname);
	d->where.value = cl_strdup(value);
	d->where.raw = cut(raw.data ? raw.data : "{}", raw.len, RAW_MAX);
	bc_buf_free(&raw);
	if (s->max_rejected > 0)
		cl_fail(d, EXIT_INPUT,
				"more than %d rejected rows (bedrock_cost.max_rejected_rows)\n"
				"DETAIL: The last one: %s in \"%s\", line %llu, column %s: \"%s\".",
				s->max_rejected, x->reject_reason, path,
				(unsigned long long) row->line, colname, value);
	else
		cl_fail(d, EXIT_INPUT, "%s in \"%s\", line %llu, column %s: \"%s\"",
				x->reject_reason, path, (unsigned long long) row->line, colname, value);
	free(value);
	return false;
}

/* ---------------------------------------------------------------------- */
/* streaming */

/* send the buffered COPY text; false (failed) when the connection broke */
static bool
flush_out(cl_stream *s)
{
	if (s->out.len == 0)
		return true;
	if (s->conn != NULL &&
		PQputCopyData(s->conn, s->out.data, (int) s->out.len) != 1)
	{
		cl_fail(s->d, sql_failure_code(s->conn), "could not send COPY data: %s",
				chomp(cl_strdup(PQerrorMessage(s->conn))));
		return false;
	}
	bc_buf_reset(&s->out);
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

/* open file i of the delivery for the transformation; NULL when it failed */
static bc_cur_reader *
open_file(cl_stream *s, int i)
{
	cl_delivery *d = s->d;
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_status st;

	memset(&e, 0, sizeof(e));
	st = bc_cur_open_fd(&r, d->files[i].fd, d->files[i].path, BC_CUR_OPT_SHA256, &e);
	if (st != BC_CUR_OK)
	{
		reader_failed(d, d->files[i].path, st, &e);
		return NULL;
	}
	bc_xf_set_file(&d->xf, d->export_id, d->load_id, i + 1);
	return r;
}

/* close file i: bytes, sha256 check; false when the delivery failed */
static bool
finish_file(cl_stream *s, cl_file *file, bc_cur_reader *r)
{
	cl_delivery *d = s->d;
	char		hex[65];

	d->bytes_read += (int64_t) bc_cur_bytes_in(r);
	s->bytes_done += file->size;
	if (!bc_cur_sha256_hex(r, hex))
		cl_fail(d, EXIT_INPUT, "could not get the sha256 of \"%s\"", file->path);
	else if (file->sha256[0] != '\0' && strcmp(file->sha256, hex) != 0)
		cl_fail(d, EXIT_INPUT, "file \"%s\" changed while it was being loaded", file->path);
	else
		memcpy(file->sha256, hex, 65);
	return d->error == NULL;
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
 * Take the read-ahead thread's chunks of file i and send them, handling
 * its stops (end of file, reader error, rejected row) on this thread.
 * Returns true at the end of the file, false when the delivery failed.
 */
static bool
pump_file(cl_stream *s, cl_file *file, bc_pipe *p, bc_cur_reader *r,
		  bc_cur_row *row, int64_t read0, int64_t loaded0)
{
	cl_delivery *d = s->d;

	for (;;)
	{
		bc_pipe_chunk *c = bc_pipe_take(p, 1000);
		bc_pipe_reason stop;

		if (c == NULL)
			continue;
		stop = c->stop;
		file->rows_read = c->rows_read - read0;
		file->rows_loaded = c->rows_loaded - loaded0;
		s->sent_rows = c->rows_loaded;
		if (!send_data(s, c->text.data, c->text.len))
			return false;
		if (s->o->progress)
			cl_progress_update(s->bytes_done + (int64_t) c->bytes_in, c->rows_read);
		if (stop == BC_PIPE_READ_ERROR)
		{
			reader_failed(d, file->path, c->status, bc_cur_error_get(r));
			return false;
		}
		bc_pipe_release(p);
		if (stop == BC_PIPE_EOF)
			return true;
		if (stop == BC_PIPE_NOMEM)
		{
			cl_fail(d, EXIT_INPUT, "out of memory");
			return false;
		}
		if (stop == BC_PIPE_REJECT)
		{
			if (!row_rejected(s, file->path, row))
				return false;
			bc_pipe_feed(p, NULL);
		}
	}
}

/*
 * Read, transform and send one file with the read-ahead thread: reading
 * and checking overlap with sending (and with the server's COPY).  Used
 * unless the debug pause hook needs an exact row count.
 */
static bool
stream_file_piped(cl_stream *s, int i)
{
	cl_delivery *d = s->d;
	cl_file    *file = &d->files[i];
	bc_cur_reader *r = open_file(s, i);
	bc_cur_row	row;
	bc_pipe		p;
	bool		ok;
	int			rc;

	if (r == NULL)
		return false;
	if ((rc = bc_pipe_start(&p, &d->xf, &row, PIPE_CHUNK)) != 0)
	{
		cl_fail(d, EXIT_INPUT, "could not start the read-ahead thread: %s", strerror(rc));
		bc_cur_close(r);
		return false;
	}
	bc_pipe_feed(&p, r);
	ok = pump_file(s, file, &p, r, &row, d->xf.rows_read, d->xf.rows_loaded);
	/* the thread is parked after a stop, or still reading after a send failure */
	bc_pipe_stop(&p);
	if (ok)
		ok = finish_file(s, file, r);
	bc_cur_close(r);
	return ok;
}

/* read, transform and send one file; false when the delivery failed */
static bool
stream_file(cl_stream *s, int i)
{
	cl_delivery *d = s->d;
	cl_file    *file = &d->files[i];
	bc_cur_reader *r = open_file(s, i);
	bc_cur_status st;
	bc_cur_row	row;
	unsigned	tick = 0;

	if (r == NULL)
		return false;
	while ((st = bc_cur_next(r, &row)) == BC_CUR_ROW)
	{
		bc_xf_result xr;

		file->rows_read++;
		xr = bc_xf_row(&d->xf, &row, &s->out);
		if (xr == BC_XF_EMITTED)
		{
			file->rows_loaded++;
			s->sent_rows++;
			if (s->o->debug_pause_after > 0 && s->sent_rows == s->o->debug_pause_after)
			{
				if (!flush_out(s))
					break;
				debug_pause(s);
			}
		}
		else if (xr == BC_XF_REJECT)
		{
			if (!row_rejected(s, file->path, &row))
				break;
		}
		else if (xr == BC_XF_NOMEM)
		{
			cl_fail(d, EXIT_INPUT, "out of memory");
			break;
		}
		if (s->out.len >= SEND_CHUNK && !flush_out(s))
			break;
		if (s->o->progress && (++tick & 4095) == 0)
			cl_progress_update(s->bytes_done + (int64_t) bc_cur_bytes_in(r), d->xf.rows_read);
	}
	if (d->error == NULL && st != BC_CUR_EOF)
		reader_failed(d, file->path, st, bc_cur_error_get(r));
	if (d->error == NULL)
		(void) finish_file(s, file, r);
	bc_cur_close(r);
	return d->error == NULL;
}

/* the billing period of a file delivery, from its first row (bc_peek_period) */
static bool
peek_period(cl_delivery *d)
{
	const char *path = d->files[0].path;
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_status st;
	bc_cur_row	row;

	memset(&e, 0, sizeof(e));
	st = bc_cur_open_fd(&r, d->files[0].fd, path, BC_CUR_OPT_SHA256, &e);
	if (st != BC_CUR_OK)
	{
		reader_failed(d, path, st, &e);
		return false;
	}
	st = bc_cur_next(r, &row);
	if (st == BC_CUR_EOF)
		cl_fail(d, EXIT_INPUT, "\"%s\" has no data rows, so its billing period is unknown", path);
	else if (st != BC_CUR_ROW)
		reader_failed(d, path, st, bc_cur_error_get(r));
	else if (!bc_xf_row_period(&row, d->period))
	{
		const bc_cur_field *f = &row.f[BC_COL_BILL_BILLING_PERIOD_START_DATE];

		d->have_where = true;
		d->where.file = cl_strdup(path);
		d->where.line = (int64_t) row.line;
		d->where.column = cl_strdup("bill_billing_period_start_date");
		d->where.value = cut(f->ptr, f->len, VALUE_MAX);
		cl_fail(d, EXIT_INPUT,
				"invalid billing period start in \"%s\", line %llu, column bill_billing_period_start_date: \"%s\"",
				path, (unsigned long long) row.line, d->where.value);
		d->period[0] = '\0';
	}
	bc_cur_close(r);
	return d->error == NULL;
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
	bc_buf_init(&s.out);

	if (d->from_manifest ? !cl_read_manifest(d) : !peek_period(d))
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
	for (int i = 0; i < d->nfiles; i++)
	{
		bool		ok = (o->debug_pause_after > 0) ? stream_file(&s, i) :
			stream_file_piped(&s, i);

		if (!ok)
			break;
	}
	if (d->error == NULL)
		(void) flush_out(&s);
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
	bc_buf_free(&s.out);
	d->seconds = now() - t0;
}
