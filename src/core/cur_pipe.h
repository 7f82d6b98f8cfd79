/*-------------------------------------------------------------------------
 *
 * cur_pipe.h
 *		A read-ahead thread for loading: the CUR reader and the row
 *		transformation run in a helper thread while the caller hands the
 *		COPY text it produced to COPY.
 *
 * Reading a CUR file (read, SHA-256, inflate, CSV) and transforming its
 * rows cost about as much as COPY's parsing and inserting of the lines
 * they become; on a machine with two cores doing them side by side
 * nearly halves a load.
 *
 * The thread runs only this file's loop over bc_cur_next and bc_xf_row
 * (bc_pipe_fill, which cur_stream.c also runs without the thread):
 * plain C, malloc, no PostgreSQL code, all signals blocked.  It fills a
 * ring of chunks (COPY text plus the counters after it) and parks itself
 * after any chunk ending in a stop: end of file, reader error, rejected
 * row, out of memory.  Ownership is simple: while the thread runs it owns
 * the reader, the row and the transformation state; while it is parked
 * (after the caller took a stop chunk) the caller owns them, handles the
 * stop (closes the file and opens the next, records a rejected row, or
 * raises the error) and resumes the thread with bc_pipe_feed.
 *
 * IDENTIFICATION
 *		src/core/cur_pipe.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_CUR_PIPE_H
#define BC_CUR_PIPE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cur_reader.h"
#include "cur_transform.h"

/* chunks in the ring: the caller holds one, the thread fills the others */
#define BC_PIPE_NCHUNKS 16
/* a chunk is handed over after this many rows even when its text is short */
#define BC_PIPE_CHUNK_ROWS 4096

/* why the thread stopped after a chunk */
typedef enum bc_pipe_reason
{
	BC_PIPE_MORE = 0,			/* not stopped: more chunks follow */
	BC_PIPE_EOF,				/* the reader reached the end of its file */
	BC_PIPE_READ_ERROR,			/* the reader failed: see chunk->status */
	BC_PIPE_REJECT,				/* bc_xf_row rejected the current row */
	BC_PIPE_NOMEM				/* allocation failed */
} bc_pipe_reason;

/* a piece of output */
typedef struct bc_pipe_chunk
{
	bc_buf		text;			/* COPY text lines */
	int64_t		rows_read;		/* the transformation's counters after it */
	int64_t		rows_loaded;
	int64_t		rows_other;
	uint64_t	bytes_in;		/* compressed bytes read from the file */
	bc_pipe_reason stop;
	bc_cur_status status;		/* with BC_PIPE_READ_ERROR */
} bc_pipe_chunk;

typedef struct bc_pipe
{
	pthread_t	thread;
	bool		started;		/* thread created and not yet joined */
	pthread_mutex_t mu;
	pthread_cond_t to_thread;	/* a chunk was freed, a feed, or cancel */
	pthread_cond_t to_caller;	/* a chunk is ready */
	bc_pipe_chunk chunks[BC_PIPE_NCHUNKS];
	int			head;			/* oldest ready chunk */
	int			count;			/* ready chunks (the one the caller holds included) */
	bool		parked;			/* waiting for bc_pipe_feed */
	bool		cancel;
	size_t		target;			/* hand a chunk over once its text is this long */
	bc_cur_reader *reader;
	bc_cur_row *row;
	bc_xf	   *xf;
} bc_pipe;

/*
 * Start the thread, parked, for transformation xf and row buffer row;
 * chunks are handed over at about target bytes.  Returns 0, or an errno
 * value when the thread cannot be created (the pipe is then unused and
 * bc_pipe_stop is a no-op).
 */
extern int	bc_pipe_start(bc_pipe *p, bc_xf *xf, bc_cur_row *row, size_t target);

/*
 * Resume the parked thread; with reader non-NULL it reads from that reader
 * from now on.  Only after bc_pipe_start or after taking a stop chunk.
 */
extern void bc_pipe_feed(bc_pipe *p, bc_cur_reader *reader);

/*
 * The next chunk, waiting up to timeout_ms for it; NULL on timeout.  The
 * chunk stays the caller's until bc_pipe_release.
 */
extern bc_pipe_chunk *bc_pipe_take(bc_pipe *p, int timeout_ms);

/* give the taken chunk back to the thread */
extern void bc_pipe_release(bc_pipe *p);

/* cancel the thread, wait for it and free the chunks; idempotent */
extern void bc_pipe_stop(bc_pipe *p);

/*
 * The thread's loop, for running it without the thread: read and transform
 * rows into c until its text is target bytes long, BC_PIPE_CHUNK_ROWS rows
 * were read, a stop, or (mark > 0) right after the row that makes
 * xf->rows_loaded reach mark.
 */
extern void bc_pipe_fill(bc_cur_reader *reader, bc_cur_row *row, bc_xf *xf,
						 size_t target, int64_t mark, bc_pipe_chunk *c);

#endif							/* BC_CUR_PIPE_H */
