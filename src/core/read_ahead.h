/*-------------------------------------------------------------------------
 *
 * read_ahead.h
 *		A producer thread that fills a ring of byte buffers ahead of their
 *		consumer.
 *
 * The CUR reader uses it to inflate a gzip file in a thread of its own
 * while the CSV parser (itself in the loader's read-ahead thread,
 * cur_pipe.h) works on the bytes already inflated: reading, hashing and
 * inflating are about a fifth of a load's CPU time, and on the load's
 * critical path without it.
 *
 * The producer is a callback that fills one piece at a time: plain C, no
 * PostgreSQL code, run with every signal blocked.  It says in the piece
 * whether it is the last one (end of input or an error the producer
 * recorded in the piece); after the last piece the thread fills no more.
 * Ownership: the thread owns whatever state the callback touches from
 * bc_ahead_start until bc_ahead_stop returns, except what it hands over
 * in a piece; a piece's contents are the consumer's from bc_ahead_take
 * until the next bc_ahead_take or bc_ahead_stop.
 *
 * IDENTIFICATION
 *		src/core/read_ahead.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_READ_AHEAD_H
#define BC_READ_AHEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* pieces in the ring: the consumer holds one, the thread fills the others */
#define BC_AHEAD_NPIECES 4

/* one filled buffer and what the producer says about it */
typedef struct bc_ahead_piece
{
	unsigned char *data;		/* cap bytes (bc_ahead_start) */
	size_t		len;			/* bytes filled */
	bool		last;			/* no piece follows this one */
	int			status;			/* the producer's: 0 fine, else its error */
	int			sys_errno;		/* with status: errno of a failed call, or 0 */
	const char *detail;			/* with status: a static text, or NULL */
	uint64_t	counter;		/* the producer's: e.g. bytes read so far */
} bc_ahead_piece;

/* fill p->data (p->len == 0 on entry, at most cap bytes) and the rest of p */
typedef void (*bc_ahead_fill_fn) (void *ctx, bc_ahead_piece *p, size_t cap);

typedef struct bc_ahead bc_ahead;

/*
 * Start the thread, filling pieces of cap bytes with fill(ctx, ...);
 * NULL when memory or the thread could not be had (the caller then reads
 * on its own thread).
 */
extern bc_ahead *bc_ahead_start(bc_ahead_fill_fn fill, void *ctx, size_t cap);

/*
 * Give back the piece taken before (if any) and return the next one,
 * waiting for it.  After the last piece it returns that piece again.
 */
extern bc_ahead_piece *bc_ahead_take(bc_ahead *a);

/* cancel and join the thread (after the piece it is filling), free all */
extern void bc_ahead_stop(bc_ahead *a);

#endif							/* BC_READ_AHEAD_H */
