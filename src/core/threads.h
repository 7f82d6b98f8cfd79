/*-------------------------------------------------------------------------
 *
 * threads.h
 *		Helper threads of the core: created with every signal blocked, and
 *		one-off tasks run beside the caller.
 *
 * A PostgreSQL backend handles its signals on its own thread only, so
 * every thread the core starts (the read-ahead of cur_pipe.c, the
 * inflating of read_ahead.c, the tasks here) runs plain C with all
 * signals blocked and touches no PostgreSQL state.
 *
 * IDENTIFICATION
 *		src/core/threads.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_THREADS_H
#define BC_THREADS_H

#include <pthread.h>
#include <stdbool.h>

/* pthread_create with every signal blocked in the new thread; 0 or an errno */
extern int	bc_thread_create(pthread_t *thread, void *(*fn) (void *), void *arg);

/*
 * A task: fn(arg) run in a thread of its own from bc_task_start to
 * bc_task_join, or (thread false, or no thread could be had) by
 * bc_task_join itself, on the caller's thread.  Either way fn has run once when bc_task_join
 * returns.
 */
typedef struct bc_task
{
	void		(*fn) (void *arg);
	void	   *arg;
	pthread_t	thread;
	int			state;			/* 0 idle, 1 running in a thread, 2 run inline */
} bc_task;

extern void bc_task_start(bc_task *t, void (*fn) (void *arg), void *arg, bool thread);
extern void bc_task_join(bc_task *t);
/* after an error: wait for a task running in its thread; one not run is dropped */
extern void bc_task_abandon(bc_task *t);

#endif							/* BC_THREADS_H */
