/*-------------------------------------------------------------------------
 *
 * byte_memo.h
 *		A bounded table from byte strings to the Datum made of them once
 *		(byte_memo.c).
 *
 * IDENTIFICATION
 *		src/ext/byte_memo.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_BYTE_MEMO_H
#define BC_BYTE_MEMO_H

#include "postgres.h"

/* the values kept, and the longest key kept */
#define BC_MEMO_ENTRIES 1024
#define BC_MEMO_MAX_BYTES 4096

typedef struct BcByteMemo BcByteMemo;

/* an empty memo, allocated in cxt, which also holds what it keeps */
extern BcByteMemo *bc_byte_memo_create(MemoryContext cxt);

/*
 * The value kept for bytes[0..len): true and *value set, else false.  A
 * key longer than BC_MEMO_MAX_BYTES (or empty) is never kept.
 */
extern bool bc_byte_memo_find(BcByteMemo *m, const char *bytes, int len, Datum *value);

/* would a key of len bytes be kept (room left, length allowed)? */
extern bool bc_byte_memo_may_keep(BcByteMemo *m, int len);

/*
 * Keep value (which must live as long as the memo's context: the caller
 * copies it there) for bytes[0..len), when there is room and the key
 * may be kept; returns whether it was kept.  The key is copied.
 */
extern bool bc_byte_memo_keep(BcByteMemo *m, const char *bytes, int len, Datum value);

/* the memo's context, for the caller's copies of the values it keeps */
extern MemoryContext bc_byte_memo_context(BcByteMemo *m);

#endif							/* BC_BYTE_MEMO_H */
