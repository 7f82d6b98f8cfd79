/*-------------------------------------------------------------------------
 *
 * jsonb_memo.c
 *		A binary COPY receive function for jsonb that keeps the values it
 *		made, for the loader's COPYs.
 *
 * The tags maps of a delivery repeat: a month of a million line items
 * holds a few hundred distinct maps, and its summaries hold the same maps
 * again.  jsonb_recv parses the JSON text of every one (about a sixth of
 * the backend's time in the loader's COPY of the line items, and in its
 * summary COPYs).  bc_jsonb_memo_install puts a receive function in
 * front of jsonb_recv for every jsonb column of a binary COPY: the same
 * bytes give the same jsonb value, so a value seen before is handed out
 * again, and the others are received by jsonb_recv and kept.  It keeps at
 * most BC_MEMO_ENTRIES values of at most BC_MEMO_MAX_BYTES bytes of input
 * each, in the COPY's own memory context (gone with EndCopyFrom); past
 * that, it only passes the bytes on.  The value handed out is read only:
 * COPY forms its tuples from it and frees nothing it did not allocate.
 *
 * The COPY's receive functions are reachable from PostgreSQL 14 on
 * (commands/copyfrom_internal.h, compat.h); on 13 this does nothing.
 *
 * IDENTIFICATION
 *		src/ext/jsonb_memo.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#ifdef BC_HAVE_COPY_INTERNALS
#include "commands/copyfrom_internal.h"
#endif
#include "common/hashfn.h"
#include "lib/stringinfo.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"

#include "jsonb_memo.h"

/* the values kept, and the longest input kept, per column */
#define BC_MEMO_ENTRIES 1024
#define BC_MEMO_MAX_BYTES 4096
/* slots of the open-addressing table: a power of two, twice the entries */
#define BC_MEMO_SLOTS (2 * BC_MEMO_ENTRIES)

typedef struct JsonbMemoEntry
{
	uint32		hash;
	int			len;			/* of the input bytes; 0: an empty slot */
	char	   *bytes;
	Datum		value;
} JsonbMemoEntry;

typedef struct JsonbMemo
{
	FmgrInfo	recv;			/* jsonb_recv, as COPY had it */
	MemoryContext cxt;
	int			nentries;
	JsonbMemoEntry slots[BC_MEMO_SLOTS];
} JsonbMemo;

#ifdef BC_HAVE_COPY_INTERNALS

/* the slot of the input bytes: theirs, or the empty one they would take */
static JsonbMemoEntry *
memo_slot(JsonbMemo *m, const char *bytes, int len, uint32 hash)
{
	uint32		i = hash & (BC_MEMO_SLOTS - 1);

	for (;;)
	{
		JsonbMemoEntry *e = &m->slots[i];

		if (e->len == 0 ||
			(e->hash == hash && e->len == len && memcmp(e->bytes, bytes, len) == 0))
			return e;
		i = (i + 1) & (BC_MEMO_SLOTS - 1);
	}
}

/* jsonb's receive function, remembering (internal, oid, integer) */
static Datum
bc_jsonb_recv_memo(PG_FUNCTION_ARGS)
{
	JsonbMemo  *m = (JsonbMemo *) fcinfo->flinfo->fn_extra;
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	const char *bytes = buf->data + buf->cursor;
	int			len = buf->len - buf->cursor;
	uint32		hash;
	JsonbMemoEntry *e = NULL;
	Datum		value;

	if (len > 0 && len <= BC_MEMO_MAX_BYTES)
	{
		hash = hash_bytes((const unsigned char *) bytes, len);
		e = memo_slot(m, bytes, len, hash);
		if (e->len != 0)
		{
			/* a receive function consumes its whole field */
			buf->cursor = buf->len;
			return e->value;
		}
	}
	value = FunctionCall3(&m->recv, PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), PG_GETARG_DATUM(2));
	if (e != NULL && m->nentries < BC_MEMO_ENTRIES)
	{
		MemoryContext old = MemoryContextSwitchTo(m->cxt);

		e->bytes = palloc(len);
		memcpy(e->bytes, bytes, len);
		e->value = datumCopy(value, false, -1);
		e->hash = hash;
		e->len = len;
		m->nentries++;
		MemoryContextSwitchTo(old);
	}
	return value;
}

void
bc_jsonb_memo_install(CopyFromState cstate, Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);

	if (!cstate->opts.binary)
		return;
	for (int i = 0; i < desc->natts; i++)
	{
		FmgrInfo   *f = &cstate->in_functions[i];
		JsonbMemo  *m;

		if (TupleDescAttr(desc, i)->attisdropped || f->fn_oid != F_JSONB_RECV)
			continue;
		m = MemoryContextAllocZero(cstate->copycontext, sizeof(JsonbMemo));
		m->recv = *f;
		m->cxt = cstate->copycontext;
		f->fn_addr = bc_jsonb_recv_memo;
		f->fn_extra = m;
	}
}

#else							/* !BC_HAVE_COPY_INTERNALS */

void
bc_jsonb_memo_install(CopyFromState cstate, Relation rel)
{
}

#endif
