/*-------------------------------------------------------------------------
 *
 * cur_stream.c
 *		The reading of one delivery for both loaders: files opened in
 *		turn, the row loop (cur_pipe.c, with or without its thread), the
 *		end-of-file checks, rejected rows and the failure messages (see
 *		cur_stream.h).
 *
 * Every file of a delivery, and the one a single-file delivery's billing
 * period is peeked from, is opened by open_file, the one place that does
 * it.  The texts of the failures are those load_export has always raised,
 * byte for byte (the TAP suites assert them); the client prints the same.
 *
 * IDENTIFICATION
 *		src/core/cur_stream.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "cur_stream.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quote.h"

/* the message when even a message cannot be allocated (never freed) */
static char oom_text[] = "out of memory";

/* ---------------------------------------------------------------------- */
/* errors and rejected rows */

/* a value as the loaders keep it: up to a NUL, at most max bytes; NULL on OOM */
static char *
cut(const char *s, size_t len, size_t max)
{
	return strndup(s, len < max ? len : max);
}

/* free the strings of a position and clear it */
static void
where_clear(bc_stream_where *w)
{
	free(w->file);
	free(w->column);
	free(w->value);
	free(w->reason);
	free(w->raw);
	memset(w, 0, sizeof(*w));
}

/* release an error's strings */
void
bc_stream_error_free(bc_stream_error *e)
{
	if (e->message != oom_text)
		free(e->message);
	free(e->detail);
	where_clear(&e->where);
	memset(e, 0, sizeof(*e));
}

/* set the kind and the formatted message of an error */
static void
fail_with(bc_stream_error *e, bc_stream_errkind kind, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static void
fail_with(bc_stream_error *e, bc_stream_errkind kind, const char *fmt,...)
{
	va_list		ap;
	char	   *s;
	int			n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	e->kind = kind;
	e->message = n < 0 ? oom_text : s;
}

/* a reader error (or a file that could not be opened) reading path */
static void
reader_error(bc_stream_error *err, const char *path, bc_cur_status st,
			 const bc_cur_error *e)
{
	char		buf[2048];

	err->has_where = true;
	err->where.file = strdup(path);
	err->where.line = (int64_t) e->line;
	err->where.column = e->column[0] ? strdup(e->column) : NULL;
	err->where.value = e->value[0] ? cut(e->value, strlen(e->value), BC_XF_VALUE_MAX) : NULL;
	if (st == BC_CUR_ERR_IO)
	{
		err->sys_errno = e->sys_errno;
		fail_with(err, BC_STREAM_ERR_READ, "could not read \"%s\": %s", path,
				  strerror(e->sys_errno));
	}
	else
		fail_with(err, BC_STREAM_ERR_FORMAT, "invalid CUR file \"%s\": %s", path,
				  bc_cur_format_error(e, buf, sizeof(buf)));
}

/* the delivery failed while reading file s->file: no more events but this */
static bc_stream_event
failed(bc_stream *s)
{
	s->state = BC_STREAM_FAILED;
	return BC_STREAM_ERROR;
}

/* allocation failed while reading the open file */
static bc_stream_event
out_of_memory(bc_stream *s)
{
	fail_with(&s->error, BC_STREAM_ERR_NOMEM, "out of memory while loading \"%s\"",
			  s->files[s->file].path);
	return failed(s);
}

/*
 * The row the transformation just rejected, kept in s->reject for the
 * caller's rejection policy: value cut as load_errors keeps it, the row
 * as JSON.
 */
static bc_stream_event
note_reject(bc_stream *s)
{
	const bc_xf *x = s->xf;
	const bc_cur_field *f = &s->row.f[x->reject_col];
	bc_stream_where *r = &s->reject;
	bc_buf		raw;

	bc_buf_init(&raw);
	bc_xf_raw_row(&s->row, &raw);
	r->file = strdup(s->files[s->file].path);
	r->line = (int64_t) s->row.line;
	r->column = strdup(bc_cur_columns[x->reject_col].name);
	r->value = cut(f->ptr, f->len, BC_XF_VALUE_MAX);
	r->value_len = f->len;
	r->reason = strdup(x->reject_reason);
	r->raw = raw.data;
	if (raw.nomem || !r->file || !r->column || !r->value || !r->reason || !r->raw)
		return out_of_memory(s);
	s->state = BC_STREAM_REJECTED;
	return BC_STREAM_REJECT;
}

/*
 * The rejected row fails the delivery: max_rejected rows were rejected
 * already (or none may be).  Its position moves from s->reject to the
 * error, the raw row cut to BC_XF_RAW_MAX bytes.
 */
static void
reject_fails(bc_stream *s, int max_rejected)
{
	bc_stream_error *e = &s->error;
	bc_stream_where *r = &s->reject;
	char		shown[BC_QUOTE_BUFSIZE];

	/* the message shows the value bounded and escaped; load_errors keeps more of it */
	bc_quote(r->value, r->value_len > strlen(r->value) && strlen(r->value) > BC_QUOTE_SHOWN ?
			 r->value_len : strlen(r->value), shown);
	e->has_where = true;
	e->where = *r;
	e->where.reason = NULL;
	if (e->where.raw != NULL && strlen(e->where.raw) > BC_XF_RAW_MAX)
		e->where.raw[BC_XF_RAW_MAX] = '\0';
	if (max_rejected > 0)
	{
		bc_buf		detail;

		bc_buf_init(&detail);
		bc_buf_printf(&detail, "The last one: %s in \"%s\", line %llu, column %s: %s.",
					  r->reason, r->file, (unsigned long long) r->line, r->column, shown);
		if (detail.nomem)
			bc_buf_free(&detail);
		e->detail = detail.data;
		fail_with(e, BC_STREAM_ERR_ROW,
				  "more than %d rejected rows (bedrock_cost.max_rejected_rows)", max_rejected);
	}
	else
		fail_with(e, BC_STREAM_ERR_ROW, "%s in \"%s\", line %llu, column %s: %s",
				  r->reason, r->file, (unsigned long long) r->line, r->column, shown);
	free(r->reason);
	memset(r, 0, sizeof(*r));
	s->state = BC_STREAM_FAILED;
}

/* ---------------------------------------------------------------------- */
/* files */

/* a file to read from path, with its expected sha256 when known */
void
bc_stream_file_set(bc_stream_file *f, int fd, const char *path, const char *sha256)
{
	memset(f, 0, sizeof(*f));
	f->path = path;
	f->fd = fd;
	if (sha256 != NULL)
		snprintf(f->sha256, sizeof(f->sha256), "%s", sha256);
}

/*
 * Read a file of a delivery from the descriptor the delivery layer opened
 * (delivery.h): the one place that does; a file is never opened again by
 * name here.  threads: the reader may inflate in a thread of its own
 * (cur_reader.c), as when the stream has its read-ahead thread.
 */
static bc_cur_status
open_file(const bc_stream_file *f, bool threads, bc_cur_reader **r, bc_cur_error *e)
{
	memset(e, 0, sizeof(*e));
	return bc_cur_open_fd(r, f->fd, f->path,
						  BC_CUR_OPT_SHA256 | (threads ? 0 : BC_CUR_OPT_NO_READ_AHEAD), e);
}

/* open the next file (FILE_START), or the end of the delivery */
static bc_stream_event
open_next(bc_stream *s)
{
	bc_stream_file *f;
	bc_cur_error e;
	bc_cur_status st;

	if (s->file + 1 >= s->nfiles)
	{
		s->state = BC_STREAM_ENDED;
		return BC_STREAM_END;
	}
	f = &s->files[++s->file];
	st = open_file(f, s->piped, &s->reader, &e);
	if (st != BC_CUR_OK)
	{
		reader_error(&s->error, f->path, st, &e);
		return failed(s);
	}
	bc_xf_set_file(s->xf, s->export_id, s->load_id, s->file + 1);
	s->file_read0 = s->xf->rows_read;
	s->file_loaded0 = s->xf->rows_loaded;
	f->bytes_read = 0;
	f->rows_read = 0;
	f->rows_loaded = 0;
	if (s->piped)
		bc_pipe_feed(&s->pipe, s->reader);
	return BC_STREAM_FILE_START;
}

/*
 * The open file was read to its end: count its bytes, check its sha256
 * against the expected one (or learn it), close it.
 */
static bc_stream_event
finish_file(bc_stream *s)
{
	bc_stream_file *f = &s->files[s->file];
	char		hex[65];

	s->bytes_finished += f->bytes_read;
	s->bytes_open = 0;
	if (!bc_cur_sha256_hex(s->reader, hex))
	{
		fail_with(&s->error, BC_STREAM_ERR_INTERNAL, "could not get the sha256 of \"%s\"",
				  f->path);
		return failed(s);
	}
	if (f->sha256[0] != '\0' && strcmp(f->sha256, hex) != 0)
	{
		fail_with(&s->error, BC_STREAM_ERR_CHANGED,
				  "file \"%s\" changed while it was being loaded", f->path);
		return failed(s);
	}
	memcpy(f->sha256, hex, 65);
	bc_cur_close(s->reader);
	s->reader = NULL;
	return BC_STREAM_FILE_DONE;
}

/* ---------------------------------------------------------------------- */
/* the stream */

/* prepare the stream; start the read-ahead thread when asked */
int
bc_stream_start(bc_stream *s, bc_stream_file *files, int nfiles, bc_xf *xf,
				int32_t export_id, int64_t load_id, bool read_ahead)
{
	int			rc = 0;

	memset(s, 0, sizeof(*s));
	s->files = files;
	s->nfiles = nfiles;
	s->xf = xf;
	s->export_id = export_id;
	s->load_id = load_id;
	s->file = -1;
	bc_buf_init(&s->own.text);
	if (read_ahead)
	{
		rc = bc_pipe_start(&s->pipe, xf, &s->row, BC_STREAM_CHUNK);
		s->piped = (rc == 0);
	}
	return rc;
}

/* whether the read-ahead thread runs */
bool
bc_stream_piped(const bc_stream *s)
{
	return s->piped;
}

/* end a chunk right after the row that makes rows_loaded reach mark */
void
bc_stream_set_mark(bc_stream *s, int64_t mark)
{
	s->mark = mark;
}

/* the counters of the last chunk, and no data */
static void
describe(const bc_stream *s, const bc_pipe_chunk *c, bc_stream_chunk *out)
{
	out->data = NULL;
	out->len = 0;
	out->file = s->file;
	if (c != NULL)
	{
		out->data = c->text.data;
		out->len = c->text.len;
	}
	out->rows_read = s->rows_read;
	out->rows_loaded = s->rows_loaded;
	out->rows_other = s->rows_other;
	out->bytes_finished = s->bytes_finished;
	out->bytes_read = s->bytes_finished + s->bytes_open;
}

/* the next chunk and what ended it */
bc_stream_event
bc_stream_next(bc_stream *s, int timeout_ms, bc_stream_chunk *out)
{
	bc_pipe_chunk *c;
	bc_stream_file *f;
	bc_stream_event ev;

	if (s->held)
	{
		bc_pipe_release(&s->pipe);
		s->held = false;
	}
	/* a rejected row nobody tolerated fails the delivery */
	if (s->state == BC_STREAM_REJECTED)
		reject_fails(s, 0);
	where_clear(&s->reject);
	if (s->state != BC_STREAM_READING)
	{
		describe(s, NULL, out);
		return s->state == BC_STREAM_ENDED ? BC_STREAM_END : BC_STREAM_ERROR;
	}
	if (s->reader == NULL)
	{
		ev = open_next(s);
		describe(s, NULL, out);
		return ev;
	}
	if (s->piped)
	{
		c = bc_pipe_take(&s->pipe, timeout_ms);
		if (c == NULL)
		{
			describe(s, NULL, out);
			return BC_STREAM_WAIT;
		}
		s->held = true;
	}
	else
	{
		c = &s->own;
		bc_pipe_fill(s->reader, &s->row, s->xf, BC_STREAM_CHUNK, s->mark, c);
	}
	f = &s->files[s->file];
	s->rows_read = c->rows_read;
	s->rows_loaded = c->rows_loaded;
	s->rows_other = c->rows_other;
	f->rows_read = c->rows_read - s->file_read0;
	f->rows_loaded = c->rows_loaded - s->file_loaded0;
	f->bytes_read = c->bytes_in;
	s->bytes_open = c->bytes_in;
	switch (c->stop)
	{
		case BC_PIPE_MORE:
			ev = BC_STREAM_DATA;
			break;
		case BC_PIPE_EOF:
			ev = finish_file(s);
			break;
		case BC_PIPE_READ_ERROR:
			reader_error(&s->error, f->path, c->status, bc_cur_error_get(s->reader));
			ev = failed(s);
			break;
		case BC_PIPE_REJECT:
			ev = note_reject(s);
			break;
		case BC_PIPE_NOMEM:
		default:
			ev = out_of_memory(s);
			break;
	}
	describe(s, c, out);
	return ev;
}

/* apply the rejection policy to the row of the last REJECT */
bool
bc_stream_tolerate(bc_stream *s, int max_rejected)
{
	if (s->state != BC_STREAM_REJECTED)
		return false;
	if (s->xf->rows_rejected >= max_rejected)
	{
		reject_fails(s, max_rejected);
		return false;
	}
	bc_xf_reject(s->xf, &s->row);
	s->state = BC_STREAM_READING;
	if (s->piped)
		bc_pipe_feed(&s->pipe, NULL);
	return true;
}

/* stop the thread before anything it uses goes, then free everything */
void
bc_stream_close(bc_stream *s)
{
	bc_pipe_stop(&s->pipe);
	s->piped = false;
	s->held = false;
	bc_cur_close(s->reader);
	s->reader = NULL;
	bc_buf_free(&s->own.text);
	where_clear(&s->reject);
	bc_stream_error_free(&s->error);
}

/* ---------------------------------------------------------------------- */
/* the billing period of a single file */

/* the billing period of the first data row of file f */
bool
bc_stream_peek_period(const bc_stream_file *f, char period[11], bc_stream_error *err)
{
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_status st;
	bc_cur_row	row;

	memset(err, 0, sizeof(*err));
	/* one row: no thread to inflate ahead */
	st = open_file(f, false, &r, &e);
	if (st != BC_CUR_OK)
	{
		reader_error(err, f->path, st, &e);
		return false;
	}
	st = bc_cur_next(r, &row);
	if (st == BC_CUR_EOF)
		fail_with(err, BC_STREAM_ERR_NO_ROWS,
				  "\"%s\" has no data rows, so its billing period is unknown", f->path);
	else if (st != BC_CUR_ROW)
		reader_error(err, f->path, st, bc_cur_error_get(r));
	else if (!bc_xf_row_period(&row, period))
	{
		const bc_cur_field *v = &row.f[BC_COL_BILL_BILLING_PERIOD_START_DATE];

		err->has_where = true;
		err->where.file = strdup(f->path);
		err->where.line = (int64_t) row.line;
		err->where.column = strdup("bill_billing_period_start_date");
		err->where.value = cut(v->ptr, v->len, BC_XF_VALUE_MAX);
		fail_with(err, BC_STREAM_ERR_PERIOD,
				  "invalid billing period start in \"%s\", line %llu, column bill_billing_period_start_date: \"%s\"",
				  f->path, (unsigned long long) row.line,
				  err->where.value ? err->where.value : "");
	}
	bc_cur_close(r);
	return err->kind == BC_STREAM_ERR_NONE;
}
