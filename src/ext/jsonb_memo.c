/*-------------------------------------------------------------------------
 *
 * jsonb_memo.c
 *		A binary COPY receive function for jsonb that keeps the values it
 *		made, for the loader's COPYs.
 *
 * The tags maps of a delivery repeat: a month of a million line items
 * holds a few hundred distinct maps.  jsonb_recv parses the JSON text of
 * every one (about a sixth of the backend's time in the loader's COPY of
 * the line items; the summaries are formed as tuples, each distinct map
 * converted once, by loader_summary_insert.c).  bc_jsonb_memo_install puts
 * a receive function in front of jsonb_recv for every jsonb column of a
 * binary COPY: the same bytes give the same jsonb value, so a value seen
 * before is handed out again, and the others are received by jsonb_recv
 * and kept (byte_memo.c: at most BC_MEMO_ENTRIES values of at most
 * BC_MEMO_MAX_BYTES bytes of input each), in the COPY's own memory
 * context (gone with EndCopyFrom); past that, it only passes the bytes
 * on.  The value handed out is read only: COPY forms its tuples from it
 * and frees nothing it did not allocate.
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
#include "lib/stringinfo.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"

#include "byte_memo.h"
#include "jsonb_memo.h"

typedef struct JsonbMemo
{
	FmgrInfo	recv;			/* jsonb_recv, as COPY had it */
	BcByteMemo *memo;			/* input bytes -> jsonb value */
} JsonbMemo;

#ifdef BC_HAVE_COPY_INTERNALS

/* jsonb's receive function, remembering (internal, oid, integer) */
static Datum
bc_jsonb_recv_memo(PG_FUNCTION_ARGS)
{
	JsonbMemo  *m = (JsonbMemo *) fcinfo->flinfo->fn_extra;
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	const char *bytes = buf->data + buf->cursor;
	int			len = buf->len - buf->cursor;
	Datum		value;

	if (bc_byte_memo_find(m->memo, bytes, len, &value))
	{
		/* a receive function consumes its whole field */
		buf->cursor = buf->len;
		return value;
	}
	/* jsonb_recv moves the cursor, the bytes stay */
	value = FunctionCall3(&m->recv, PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), PG_GETARG_DATUM(2));
	if (bc_byte_memo_may_keep(m->memo, len))
	{
		MemoryContext old = MemoryContextSwitchTo(bc_byte_memo_context(m->memo));
		Datum		kept = datumCopy(value, false, -1);

		MemoryContextSwitchTo(old);
		(void) bc_byte_memo_keep(m->memo, bytes, len, kept);
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
		m->memo = bc_byte_memo_create(cstate->copycontext);
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
