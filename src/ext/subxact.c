/*-------------------------------------------------------------------------
 *
 * subxact.c
 *		Running a piece of work in a subtransaction of the current
 *		transaction, and keeping its error instead of raising it.
 *
 * The loader runs each delivery (loader_fns.c) and each step of a swap
 * (loader_swap.c) this way, and the background worker each discovery and
 * each load of an export (worker_poll.c): a failure rolls back what that
 * piece did, and the caller records it and goes on.  What to do with the
 * error (record it, retry, raise a cancel again) is the caller's.
 *
 * IDENTIFICATION
 *		src/ext/subxact.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "access/xact.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "subxact.h"

/*
 * Run fn(arg) in a subtransaction, in the caller's memory context.
 * Returns NULL when it returned (the subtransaction released); otherwise
 * the subtransaction is rolled back and its error is returned, copied into
 * keep.  The caller's memory context and resource owner are restored
 * either way.
 */
ErrorData *
bc_subxact_try(void (*fn) (void *arg), void *arg, MemoryContext keep)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *volatile failure = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		fn(arg);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(keep);
		failure = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_END_TRY();
	return failure;
}
