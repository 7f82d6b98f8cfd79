/*-------------------------------------------------------------------------
 *
 * cur_stream.h
 *		The reading of one delivery, shared by the server loader
 *		(src/ext/loader_copy.c) and bedrock-cost-load: every file opened,
 *		read, transformed into COPY data and checked, handed to the caller
 *		as chunks and events.
 *
 * The caller owns the transformation (bc_xf: counters, totals) and the
 * array of files; the stream opens each file in turn (bc_stream_file:
 * a path, or an open descriptor), runs the row loop of cur_pipe.c, with
 * the read-ahead thread or on the caller's thread, and returns after
 * each chunk with what happened:
 *
 *	BC_STREAM_DATA			COPY data (text lines, or binary rows when the
 *							transformation was set to binary)
 *	BC_STREAM_WAIT			nothing within the timeout (read-ahead only):
 *							check for interrupts and ask again
 *	BC_STREAM_FILE_START	file chunk->file was opened
 *	BC_STREAM_FILE_DONE		file chunk->file was read to its end; its
 *							sha256 (of the bytes read) matched the expected
 *							one, or is now known; bytes and rows are set
 *	BC_STREAM_REJECT		a row was rejected (s->reject: file, line, column,
 *							value, reason, raw row): the caller applies its
 *							policy with bc_stream_tolerate
 *	BC_STREAM_ERROR			the delivery failed (s->error: a reader error
 *							with its position, a rejected row beyond the
 *							limit, a changed file, out of memory); every
 *							later call returns it again
 *	BC_STREAM_END			every file was read
 *
 * The data of every event (possibly none) comes before the event in the
 * files: send it, then handle the event.  It stays valid until the next
 * bc_stream_next, bc_stream_tolerate or bc_stream_close.  The counters of
 * the chunk are those after its data (after the rejected row included).
 *
 * The messages of the failures are made here, once, for both loaders
 * (the server raises them with its own SQLSTATE per kind, the client
 * prints them), e.g.
 *	invalid number in "<file>", line 302, column line_item_unblended_cost: "12.3.4e"
 *	invalid CUR file "<file>": <bc_cur_format_error text>
 *
 * With the read-ahead thread, the thread owns the reader, the row and the
 * transformation between events; the caller may read them only while it
 * handles a REJECT, ERROR, FILE_DONE or END event (the thread is parked).
 *
 * Memory: plain malloc, owned by the stream until bc_stream_close (which
 * also stops and joins the thread: call it on every path, error included).
 *
 * IDENTIFICATION
 *		src/core/cur_stream.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_CUR_STREAM_H
#define BC_CUR_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cur_pipe.h"
#include "cur_reader.h"
#include "cur_transform.h"

/* COPY data handed over in chunks of about this size */
#define BC_STREAM_CHUNK 131072

/* one file of a delivery */
typedef struct bc_stream_file
{
	const char *path;			/* as named in messages */
	int			fd;				/* read from this descriptor, opened once by the
								 * delivery layer (from offset 0; not closed) */
	char		sha256[65];		/* expected hex digest, "" when unknown; the
								 * digest of the bytes read once it is done */
	/* set while the file is read */
	uint64_t	bytes_read;		/* compressed bytes read */
	int64_t		rows_read;		/* data rows read */
	int64_t		rows_loaded;	/* Bedrock rows emitted */
} bc_stream_file;

/* a file read from fd (named path), with the expected sha256 (hex, or "" or NULL when unknown) */
extern void bc_stream_file_set(bc_stream_file *f, int fd, const char *path, const char *sha256);

/*
 * A rejected row, or where the error that failed a delivery was (for
 * load_errors).  Strings are NULL when there is nothing to say.
 */
typedef struct bc_stream_where
{
	char	   *file;
	int64_t		line;			/* 0 when not about a line */
	char	   *column;
	char	   *value;			/* at most BC_XF_VALUE_MAX bytes */
	size_t		value_len;		/* the whole value's length, for messages */
	char	   *reason;			/* of a rejected row */
	char	   *raw;			/* the row as JSON (bc_xf_raw_row); at most
								 * BC_XF_RAW_MAX bytes where it failed a
								 * delivery */
} bc_stream_where;

/* what failed */
typedef enum bc_stream_errkind
{
	BC_STREAM_ERR_NONE = 0,
	BC_STREAM_ERR_READ,			/* the file could not be read (sys_errno) */
	BC_STREAM_ERR_FORMAT,		/* invalid CUR file: gzip, CSV, encoding, shape */
	BC_STREAM_ERR_ROW,			/* a rejected row beyond the rejection limit */
	BC_STREAM_ERR_CHANGED,		/* the bytes read are not those expected */
	BC_STREAM_ERR_NO_ROWS,		/* bc_stream_peek_period: no data row */
	BC_STREAM_ERR_PERIOD,		/* bc_stream_peek_period: not a month start */
	BC_STREAM_ERR_NOMEM,		/* allocation failed */
	BC_STREAM_ERR_INTERNAL		/* the sha256 could not be had */
} bc_stream_errkind;

/* why a delivery failed: the message (and detail) and, for some, where */
typedef struct bc_stream_error
{
	bc_stream_errkind kind;
	int			sys_errno;		/* with BC_STREAM_ERR_READ */
	char	   *message;
	char	   *detail;			/* NULL when none */
	bool		has_where;		/* reader errors, rows, the billing period */
	bc_stream_where where;
} bc_stream_error;

/* release the strings of an error (and clear it) */
extern void bc_stream_error_free(bc_stream_error *e);

/* what bc_stream_next returns */
typedef enum bc_stream_event
{
	BC_STREAM_DATA = 0,
	BC_STREAM_WAIT,
	BC_STREAM_FILE_START,
	BC_STREAM_FILE_DONE,
	BC_STREAM_REJECT,
	BC_STREAM_ERROR,
	BC_STREAM_END
} bc_stream_event;

/* what one bc_stream_next handed out */
typedef struct bc_stream_chunk
{
	const char *data;			/* COPY data, to send before handling the event */
	size_t		len;
	int			file;			/* the file it is about, -1 before the first */
	int64_t		rows_read;		/* the delivery's counters after it */
	int64_t		rows_loaded;
	int64_t		rows_other;
	uint64_t	bytes_finished; /* compressed bytes of the files read to their end */
	uint64_t	bytes_read;		/* the same plus those read of the open file */
} bc_stream_chunk;

typedef enum bc_stream_state
{
	BC_STREAM_READING = 0,
	BC_STREAM_REJECTED,			/* a REJECT awaits bc_stream_tolerate */
	BC_STREAM_FAILED,
	BC_STREAM_ENDED
} bc_stream_state;

/* the stream of one delivery (fields are the stream's; read s->reject and s->error) */
typedef struct bc_stream
{
	bc_stream_file *files;
	int			nfiles;
	bc_xf	   *xf;
	int32_t		export_id;
	int64_t		load_id;
	int64_t		mark;			/* bc_stream_set_mark */

	int			file;			/* the file being read, -1 before the first */
	bc_cur_reader *reader;		/* open while a file is being read */
	int64_t		file_read0;		/* the counters when the file was opened */
	int64_t		file_loaded0;
	int64_t		rows_read;		/* the counters of the last chunk */
	int64_t		rows_loaded;
	int64_t		rows_other;
	uint64_t	bytes_finished; /* compressed bytes of the files done */
	uint64_t	bytes_open;		/* those read of the open file */
	bc_stream_state state;

	bc_cur_row	row;
	bc_pipe		pipe;
	bool		piped;			/* the read-ahead thread runs */
	bool		held;			/* a chunk of the thread is handed out */
	bc_pipe_chunk own;			/* the chunk, without the thread */

	bc_stream_where reject;		/* the row of the last REJECT */
	bc_stream_error error;		/* the failure, after ERROR */
} bc_stream;

/*
 * Prepare the stream of the nfiles files of a delivery for transformation
 * xf (initialised), whose rows carry export_id and load_id.  With
 * read_ahead, start the read-ahead thread; returns 0, or the errno value
 * of a thread that could not be started (the stream then works without
 * it).  Nothing is opened yet: until the first bc_stream_next the caller
 * may still set up xf (bc_xf_set_binary).
 */
extern int	bc_stream_start(bc_stream *s, bc_stream_file *files, int nfiles, bc_xf *xf,
							int32_t export_id, int64_t load_id, bool read_ahead);

/* whether the read-ahead thread runs */
extern bool bc_stream_piped(const bc_stream *s);

/*
 * Without the read-ahead thread: end a chunk right after the row that
 * makes rows_loaded reach mark, so a caller can stop at an exact count.
 */
extern void bc_stream_set_mark(bc_stream *s, int64_t mark);

/*
 * The next chunk and event; with the read-ahead thread it waits at most
 * timeout_ms for a chunk (BC_STREAM_WAIT when none came).
 */
extern bc_stream_event bc_stream_next(bc_stream *s, int timeout_ms, bc_stream_chunk *out);

/*
 * After BC_STREAM_REJECT: tolerate the row when fewer than max_rejected
 * rows were rejected so far (it is counted by bc_xf_reject, and reading
 * goes on: true), else fail the delivery (s->error, false).
 */
extern bool bc_stream_tolerate(bc_stream *s, int max_rejected);

/* stop the thread, close the file, free everything; idempotent */
extern void bc_stream_close(bc_stream *s);

/*
 * The billing period "YYYY-MM-01" of a delivery of one file, from the
 * bill_billing_period_start_date of its first data row; false with *err
 * filled (release it with bc_stream_error_free) when there is none.
 */
extern bool bc_stream_peek_period(const bc_stream_file *f, char period[11],
								  bc_stream_error *err);

#endif							/* BC_CUR_STREAM_H */
