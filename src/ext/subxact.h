/*-------------------------------------------------------------------------
 *
 * subxact.h
 *		Running a piece of work in a subtransaction and keeping its error
 *		(subxact.c).
 *
 * IDENTIFICATION
 *		src/ext/subxact.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_SUBXACT_H
#define BC_SUBXACT_H

#include "utils/elog.h"
#include "utils/palloc.h"

extern ErrorData *bc_subxact_try(void (*fn) (void *arg), void *arg, MemoryContext keep);

#endif							/* BC_SUBXACT_H */
