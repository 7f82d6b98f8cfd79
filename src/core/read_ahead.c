/*-------------------------------------------------------------------------
 *
 * read_ahead.c
 *		A producer thread filling a ring of byte buffers (read_ahead.h).
 *
 * Every field shared between the thread and the consumer (head, count,
 * held, done, cancel) is read and written under the mutex; a piece's
 * contents are written by the thread before it is counted ready and read
 * by the consumer until it is given back, so the mutex orders them too.
 *
 * IDENTIFICATION
 *		src/core/read_ahead.c
 *
 *-------------------------------------------------------------------------
 */
#include "read_ahead.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "threads.h"

struct bc_ahead
{
	pthread_t	thread;
	pthread_mutex_t mu;
	pthread_cond_t to_thread;	/* a piece was given back, or cancel */
	pthread_cond_t to_consumer; /* a piece is ready */
	bc_ahead_piece pieces[BC_AHEAD_NPIECES];
	int			head;			/* oldest ready piece */
	int			count;			/* ready pieces, the held one included */
	bool		held;			/* the consumer holds pieces[head] */
	bool		done;			/* the last piece is filled */
	bool		cancel;
	size_t		cap;
	bc_ahead_fill_fn fill;
	void	   *ctx;
};

/* the thread: fill free pieces until the last one or a cancel */
static void *
ahead_main(void *arg)
{
	bc_ahead   *a = arg;

	pthread_mutex_lock(&a->mu);
	while (!a->cancel && !a->done)
	{
		bc_ahead_piece *p;

		if (a->count >= BC_AHEAD_NPIECES)
		{
			pthread_cond_wait(&a->to_thread, &a->mu);
			continue;
		}
		p = &a->pieces[(a->head + a->count) % BC_AHEAD_NPIECES];
		pthread_mutex_unlock(&a->mu);
		p->len = 0;
		p->last = false;
		p->status = 0;
		p->sys_errno = 0;
		p->detail = NULL;
		a->fill(a->ctx, p, a->cap);
		pthread_mutex_lock(&a->mu);
		a->count++;
		if (p->last)
			a->done = true;
		pthread_cond_signal(&a->to_consumer);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

/* free the ring (no thread running) */
static void
ahead_free(bc_ahead *a)
{
	for (int i = 0; i < BC_AHEAD_NPIECES; i++)
		free(a->pieces[i].data);
	pthread_cond_destroy(&a->to_consumer);
	pthread_cond_destroy(&a->to_thread);
	pthread_mutex_destroy(&a->mu);
	free(a);
}

bc_ahead *
bc_ahead_start(bc_ahead_fill_fn fill, void *ctx, size_t cap)
{
	bc_ahead   *a = calloc(1, sizeof(bc_ahead));
	int			rc;

	if (a == NULL)
		return NULL;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->to_thread, NULL);
	pthread_cond_init(&a->to_consumer, NULL);
	a->cap = cap;
	a->fill = fill;
	a->ctx = ctx;
	for (int i = 0; i < BC_AHEAD_NPIECES; i++)
	{
		if ((a->pieces[i].data = malloc(cap)) == NULL)
		{
			ahead_free(a);
			return NULL;
		}
	}
	rc = bc_thread_create(&a->thread, ahead_main, a);
	if (rc != 0)
	{
		ahead_free(a);
		return NULL;
	}
	return a;
}

bc_ahead_piece *
bc_ahead_take(bc_ahead *a)
{
	bc_ahead_piece *p;

	pthread_mutex_lock(&a->mu);
	if (a->held)
	{
		/* the last piece stays: there is nothing after it */
		if (a->pieces[a->head].last)
		{
			p = &a->pieces[a->head];
			pthread_mutex_unlock(&a->mu);
			return p;
		}
		a->head = (a->head + 1) % BC_AHEAD_NPIECES;
		a->count--;
		a->held = false;
		pthread_cond_signal(&a->to_thread);
	}
	while (a->count == 0)
		pthread_cond_wait(&a->to_consumer, &a->mu);
	a->held = true;
	p = &a->pieces[a->head];
	pthread_mutex_unlock(&a->mu);
	return p;
}

void
bc_ahead_stop(bc_ahead *a)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->mu);
	a->cancel = true;
	pthread_cond_signal(&a->to_thread);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->thread, NULL);
	ahead_free(a);
}
