/*-------------------------------------------------------------------------
 *
 * byte_memo.c
 *		A bounded table from byte strings to the Datum made of them once.
 *
 * The tags maps and the principals of a delivery repeat: a month of a
 * million line items holds a few hundred distinct maps and a few dozen
 * principals.  Converting them is the costly part of reading them (jsonb
 * from its text in the loader's COPYs, jsonb_memo.c; text from jsonb and
 * iam_arn when summing stored rows, loader_stored_sum.c), so both keep
 * what they made per distinct bytes here: at most BC_MEMO_ENTRIES values
 * of keys of at most BC_MEMO_MAX_BYTES bytes, in an open-addressing table
 * of twice as many slots, in the caller's memory context; past that, the
 * caller converts every time.
 *
 * IDENTIFICATION
 *		src/ext/byte_memo.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"

#include "byte_memo.h"

/* slots of the open-addressing table: a power of two, twice the entries */
#define BC_MEMO_SLOTS (2 * BC_MEMO_ENTRIES)

typedef struct BcByteMemoEntry
{
	uint32		hash;
	int			len;			/* of the key; 0: an empty slot */
	char	   *bytes;
	Datum		value;
} BcByteMemoEntry;

struct BcByteMemo
{
	MemoryContext cxt;
	int			nentries;
	BcByteMemoEntry slots[BC_MEMO_SLOTS];
};

BcByteMemo *
bc_byte_memo_create(MemoryContext cxt)
{
	BcByteMemo *m = MemoryContextAllocZero(cxt, sizeof(BcByteMemo));

	m->cxt = cxt;
	return m;
}

MemoryContext
bc_byte_memo_context(BcByteMemo *m)
{
	return m->cxt;
}

/* the slot of the key: its own, or the empty one it would take */
static BcByteMemoEntry *
memo_slot(BcByteMemo *m, const char *bytes, int len, uint32 hash)
{
	uint32		i = hash & (BC_MEMO_SLOTS - 1);

	for (;;)
	{
		BcByteMemoEntry *e = &m->slots[i];

		if (e->len == 0 ||
			(e->hash == hash && e->len == len && memcmp(e->bytes, bytes, len) == 0))
			return e;
		i = (i + 1) & (BC_MEMO_SLOTS - 1);
	}
}

bool
bc_byte_memo_find(BcByteMemo *m, const char *bytes, int len, Datum *value)
{
	BcByteMemoEntry *e;

	if (len <= 0 || len > BC_MEMO_MAX_BYTES || m->nentries == 0)
		return false;
	e = memo_slot(m, bytes, len, hash_bytes((const unsigned char *) bytes, len));
	if (e->len == 0)
		return false;
	*value = e->value;
	return true;
}

bool
bc_byte_memo_may_keep(BcByteMemo *m, int len)
{
	return len > 0 && len <= BC_MEMO_MAX_BYTES && m->nentries < BC_MEMO_ENTRIES;
}

bool
bc_byte_memo_keep(BcByteMemo *m, const char *bytes, int len, Datum value)
{
	uint32		hash;
	BcByteMemoEntry *e;

	if (!bc_byte_memo_may_keep(m, len))
		return false;
	hash = hash_bytes((const unsigned char *) bytes, len);
	e = memo_slot(m, bytes, len, hash);
	if (e->len != 0)
		return false;
	e->bytes = MemoryContextAlloc(m->cxt, len);
	memcpy(e->bytes, bytes, len);
	e->value = value;
	e->hash = hash;
	e->len = len;
	m->nentries++;
	return true;
}
