/*-------------------------------------------------------------------------
 *
 * threads.c
 *		Helper threads of the core (threads.h).
 *
 * IDENTIFICATION
 *		src/core/threads.c
 *
 *-------------------------------------------------------------------------
 */
#include "threads.h"

#include <signal.h>
#include <stddef.h>

int
bc_thread_create(pthread_t *thread, void *(*fn) (void *), void *arg)
{
	sigset_t	all,
				old;
	int			rc;

	/* signals stay with the calling thread: the new one inherits this mask */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* a task's thread */
static void *
task_main(void *arg)
{
	bc_task    *t = arg;

	t->fn(t->arg);
	return NULL;
}

void
bc_task_start(bc_task *t, void (*fn) (void *arg), void *arg, bool thread)
{
	t->fn = fn;
	t->arg = arg;
	t->state = thread && bc_thread_create(&t->thread, task_main, t) == 0 ? 1 : 2;
}

void
bc_task_join(bc_task *t)
{
	if (t->state == 1)
		pthread_join(t->thread, NULL);
	else if (t->state == 2)
		t->fn(t->arg);
	t->state = 0;
}

void
bc_task_abandon(bc_task *t)
{
	if (t->state == 1)
		pthread_join(t->thread, NULL);
	t->state = 0;
}
