/*-------------------------------------------------------------------------
 *
 * cur_pipe.c
 *		The read-ahead thread of a load: bc_cur_next and bc_xf_row in a
 *		helper thread, their COPY text handed over in a ring of chunks.
 *
 * See cur_pipe.h for the ownership rules.  Every field shared between the
 * thread and the caller (head, count, parked, cancel, reader) is read and
 * written under the mutex; a chunk's contents are written by the thread
 * before it is counted ready and read by the caller until it is released,
 * so the mutex orders them too.
 *
 * IDENTIFICATION
 *		src/core/cur_pipe.c
 *
 *-------------------------------------------------------------------------
 */
#include "cur_pipe.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "threads.h"

/*
 * The loop of a load: read rows with the reader and transform them into
 * chunk c until its text reaches target bytes, BC_PIPE_CHUNK_ROWS rows
 * were read, rows_loaded reaches mark (when > 0) or a stop.  The read-ahead
 * thread runs it; cur_stream.c runs it on the caller's thread without one.
 */
void
bc_pipe_fill(bc_cur_reader *reader, bc_cur_row *row, bc_xf *xf, size_t target,
			 int64_t mark, bc_pipe_chunk *c)
{
	bc_buf_reset(&c->text);
	c->stop = BC_PIPE_MORE;
	c->status = BC_CUR_ROW;
	for (int n = 0; n < BC_PIPE_CHUNK_ROWS; n++)
	{
		bc_cur_status st = bc_cur_next(reader, row);
		bc_xf_result r;

		if (st != BC_CUR_ROW)
		{
			c->stop = (st == BC_CUR_EOF) ? BC_PIPE_EOF : BC_PIPE_READ_ERROR;
			c->status = st;
			break;
		}
		r = bc_xf_row(xf, row, &c->text);
		if (r == BC_XF_REJECT)
		{
			c->stop = BC_PIPE_REJECT;
			break;
		}
		if (r == BC_XF_NOMEM || c->text.nomem)
		{
			c->stop = BC_PIPE_NOMEM;
			break;
		}
		if (c->text.len >= target || (r == BC_XF_EMITTED && xf->rows_loaded == mark))
			break;
	}
	c->rows_read = xf->rows_read;
	c->rows_loaded = xf->rows_loaded;
	c->rows_other = xf->rows_other;
	c->bytes_in = bc_cur_bytes_in(reader);
}

/* the thread: fill free chunks while not parked, until cancelled */
static void *
pipe_main(void *arg)
{
	bc_pipe    *p = arg;

	pthread_mutex_lock(&p->mu);
	while (!p->cancel)
	{
		bc_pipe_chunk *c;

		if (p->parked || p->count >= BC_PIPE_NCHUNKS)
		{
			pthread_cond_wait(&p->to_thread, &p->mu);
			continue;
		}
		c = &p->chunks[(p->head + p->count) % BC_PIPE_NCHUNKS];
		pthread_mutex_unlock(&p->mu);
		bc_pipe_fill(p->reader, p->row, p->xf, p->target, 0, c);
		pthread_mutex_lock(&p->mu);
		p->count++;
		if (c->stop != BC_PIPE_MORE)
			p->parked = true;
		pthread_cond_signal(&p->to_caller);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* free what bc_pipe_start set up (after the thread is gone) */
static void
pipe_destroy(bc_pipe *p)
{
	for (int i = 0; i < BC_PIPE_NCHUNKS; i++)
		bc_buf_free(&p->chunks[i].text);
	pthread_cond_destroy(&p->to_caller);
	pthread_cond_destroy(&p->to_thread);
	pthread_mutex_destroy(&p->mu);
}

/* start the thread, parked, with every signal blocked in it */
int
bc_pipe_start(bc_pipe *p, bc_xf *xf, bc_cur_row *row, size_t target)
{
	int			rc;

	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->to_thread, NULL);
	pthread_cond_init(&p->to_caller, NULL);
	for (int i = 0; i < BC_PIPE_NCHUNKS; i++)
		bc_buf_init(&p->chunks[i].text);
	p->parked = true;
	p->target = target;
	p->xf = xf;
	p->row = row;

	rc = bc_thread_create(&p->thread, pipe_main, p);
	if (rc != 0)
	{
		pipe_destroy(p);
		memset(p, 0, sizeof(*p));
		return rc;
	}
	p->started = true;
	return 0;
}

/* resume the parked thread, optionally on a new reader */
void
bc_pipe_feed(bc_pipe *p, bc_cur_reader *reader)
{
	pthread_mutex_lock(&p->mu);
	if (reader != NULL)
		p->reader = reader;
	p->parked = false;
	pthread_cond_signal(&p->to_thread);
	pthread_mutex_unlock(&p->mu);
}

/* the oldest ready chunk, waiting at most timeout_ms for one */
bc_pipe_chunk *
bc_pipe_take(bc_pipe *p, int timeout_ms)
{
	struct timespec until;
	bc_pipe_chunk *c = NULL;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long) (timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L)
	{
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->mu);
	while (p->count == 0)
	{
		if (pthread_cond_timedwait(&p->to_caller, &p->mu, &until) == ETIMEDOUT)
			break;
	}
	if (p->count > 0)
		c = &p->chunks[p->head];
	pthread_mutex_unlock(&p->mu);
	return c;
}

/* give the oldest chunk back */
void
bc_pipe_release(bc_pipe *p)
{
	pthread_mutex_lock(&p->mu);
	if (p->count > 0)
	{
		p->head = (p->head + 1) % BC_PIPE_NCHUNKS;
		p->count--;
	}
	pthread_cond_signal(&p->to_thread);
	pthread_mutex_unlock(&p->mu);
}

/* cancel and join the thread, free the chunks */
void
bc_pipe_stop(bc_pipe *p)
{
	if (!p->started)
		return;
	pthread_mutex_lock(&p->mu);
	p->cancel = true;
	pthread_cond_signal(&p->to_thread);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	p->started = false;
	pipe_destroy(p);
}
