/*-------------------------------------------------------------------------
 *
 * cur_summary.c
 *		The per-delivery chargeback summary, without PostgreSQL (see
 *		cur_summary.h).
 *
 * It runs for every Bedrock row in the loader's read-ahead thread, so the
 * row path is short and the memory per group small:
 *
 *	- the texts of a row (payer, account, line item type, product name,
 *	  usage type, principal, tags) are drawn from small sets: each is
 *	  interned once in one string dictionary and a group is keyed by the
 *	  usage day and seven 32-bit ids (id 0: none).  A last-value cache per
 *	  column makes interning a length check and a word compare on runs of
 *	  equal values;
 *	- a group is 128 bytes: the key, the two counts, four exact sums kept
 *	  as counts of 10^-18 units (bc_decimal_units, bc_xsum_units_add) and
 *	  their display scales.  Each decimal of a row is converted once, and
 *	  the loader hands over the decimals it scanned (bc_sum_add_scanned).
 *	  A sum that leaves that range turns into a malloc'd bc_xsum
 *	  (bc_xsum_add_parts), whose pointer takes the place of the units;
 *	- groups live in fixed chunks (no copying as they grow), found through
 *	  an open-addressing table of group numbers and key hashes (a probe
 *	  reads a group only when the hash matches: most rows of a large
 *	  delivery miss the cache on the table slot and on their group, and
 *	  no more), after a check of the previous row's group.  With the
 *	  table (8 bytes a slot, at most half full) a group costs about 150
 *	  bytes;
 *	- every allocation is counted in used before it is made; past
 *	  max_bytes everything is freed and the summary only says so.
 *
 * IDENTIFICATION
 *		src/core/cur_summary.c
 *
 *-------------------------------------------------------------------------
 */
#include "cur_summary.h"

#include <stdlib.h>
#include <string.h>

#include "copy_binary.h"
#include "jsonb_text.h"
#include "usage_type.h"

/* interned columns of the key, in bc_sum_copy_columns order */
#define NSTR 10
#define K_PAYER 0
#define K_ACCOUNT 1
#define K_TYPE 2
#define K_PRODUCT 3
#define K_USAGE_TYPE 4
#define K_PRINCIPAL 5
#define K_TAGS 6
#define K_RESOURCE 7
#define K_PAYER_NAME 8
#define K_ACCOUNT_NAME 9

/*
 * The grains of a summary: the rows' (bc_sum_create), and the two its
 * groups roll up into.  The model-day grain has two kinds of groups.  A
 * row group (one COPY row) keeps the usage day, payer, account, principal
 * of its key, the attribution (id of its text) in the line item type's
 * slot, the jsonb text of the tags map (jsonb_text.h) in the tags' slot and
 * the model (id of its text) in the usage type's; its product name slot is
 * 0, and it sums line items, unblended and net cost.  A kind group has the
 * same key but the token kind (id of its name) in the product name's slot,
 * and sums the tokens, unblended and net cost of that kind; it is emitted
 * inside its row group's row.  Other ids are 0.
 */
#define GRAIN_DAY 0
#define GRAIN_PERIOD 1
#define GRAIN_MODEL_DAY 2
#define K_MODEL K_USAGE_TYPE
#define K_KIND K_PRODUCT

/* sums of a group, in bc_sum_copy_columns order */
#define NSUMS 4
#define S_UNBLENDED 0
#define S_NET 1
#define S_TOKENS 2
#define S_AMOUNT 3

/* groups per chunk (a power of two) */
#define CHUNK_SHIFT 8
#define CHUNK_GROUPS (1 << CHUNK_SHIFT)
/* dictionary text blocks: the first one, and the largest size they grow to */
#define BLOCK_MIN 4096
#define BLOCK_MAX 65536
/* first size of the hash tables (a power of two) */
#define TABLE_MIN 64

const char	bc_sum_copy_columns[] =
"billing_period, export_id, load_id, usage_date, payer_account_id, "
"usage_account_id, line_item_type, product_name, usage_type, principal, "
"tags, line_items, unblended_cost, net_unblended_cost, net_rows, tokens, "
"usage_amount, resource_id, payer_account_name, usage_account_name";

const char	bc_sum_model_day_copy_columns[] =
"billing_period, export_id, load_id, usage_date, payer_account_id, "
"usage_account_id, attribution, principal, tags, model, "
"line_items, unblended_cost, net_unblended_cost, "
"input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, "
"input_unblended_cost, output_unblended_cost, cache_read_unblended_cost, "
"cache_write_unblended_cost, input_net_unblended_cost, output_net_unblended_cost, "
"cache_read_net_unblended_cost, cache_write_net_unblended_cost";

/* the token kinds of a model-day row, in the order of its columns: BC_KIND_INPUT + i */
#define NKINDS (BC_KIND_CACHE_WRITE - BC_KIND_INPUT + 1)

const char	bc_sum_period_copy_columns[] =
"billing_period, export_id, load_id, payer_account_id, "
"usage_account_id, line_item_type, product_name, usage_type, principal, "
"tags, line_items, unblended_cost, net_unblended_cost, net_rows, tokens, "
"usage_amount, resource_id, payer_account_name, usage_account_name";

/* a group's key: the usage day and the ids of its texts (44 bytes, no padding) */
typedef struct sum_key
{
	int32_t		usage_date;
	uint32_t	id[NSTR];
} sum_key;

/* an exact sum: narrow units, or (wide bit set) the bc_xsum it became */
typedef union sum_value
{
	__int128	units;
	bc_xsum    *wide;
} sum_value;

typedef struct sum_group
{
	sum_value	v[NSUMS];
	int64_t		line_items;
	int64_t		net_rows;
	sum_key		key;
	int16_t		dscale[NSUMS];	/* -1: nothing added (NULL) */
	uint8_t		wide;			/* bit i: v[i] is wide */
} sum_group;

/* a slot of the group table */
typedef struct sum_slot
{
	uint32_t	n;				/* group number + 1, 0 empty */
	uint32_t	hash;			/* key_hash of its key */
} sum_slot;

/* an interned text */
typedef struct sum_str
{
	const char *ptr;
	uint32_t	len;
	uint32_t	hash;
} sum_str;

/* a block of interned text bytes */
typedef struct sum_block
{
	struct sum_block *next;
	size_t		used;
	size_t		cap;
	char		data[];
} sum_block;

struct bc_sum
{
	size_t		max_bytes;
	size_t		used;			/* bytes held, this struct included */
	bool		overflowed;
	bool		nomem;
	int			grain;			/* GRAIN_DAY, GRAIN_PERIOD or GRAIN_MODEL_DAY */

	/* the dictionary: strs[1..nstrs) (0 is "none"), found through stab */
	sum_str    *strs;
	uint32_t	nstrs;
	uint32_t	cap_strs;
	uint32_t   *stab;			/* string ids, 0 empty */
	uint32_t	stab_mask;
	sum_block  *blocks;
	uint32_t	last_id[NSTR];	/* the previous row's id of each column */

	/* the groups: chunks[n >> CHUNK_SHIFT][n & (CHUNK_GROUPS - 1)] */
	sum_group **chunks;
	size_t		nchunks;
	size_t		cap_chunks;
	int64_t		ngroups;
	int64_t		nwide;			/* wide sums held */
	sum_slot   *gtab;
	uint32_t	gtab_mask;
	int64_t		last_group;		/* the previous row's group, -1 none */

	/* model-day grain: the ids of the names of the token kinds (NKINDS) */
	uint32_t	kind_id[NKINDS];
};

/* ---------------------------------------------------------------------- */
/* memory */

/* free every group, text and table; the summary holds nothing after */
static void
drop_all(bc_sum *s)
{
	for (int64_t n = 0; s->nwide > 0 && n < s->ngroups; n++)
	{
		sum_group  *g = &s->chunks[n >> CHUNK_SHIFT][n & (CHUNK_GROUPS - 1)];

		for (int i = 0; i < NSUMS; i++)
		{
			if (g->wide & (1 << i))
			{
				bc_xsum_free(g->v[i].wide);
				free(g->v[i].wide);
			}
		}
	}
	for (size_t c = 0; c < s->nchunks; c++)
		free(s->chunks[c]);
	free(s->chunks);
	free(s->gtab);
	while (s->blocks != NULL)
	{
		sum_block  *next = s->blocks->next;

		free(s->blocks);
		s->blocks = next;
	}
	free(s->strs);
	free(s->stab);
	s->strs = NULL;
	s->nstrs = s->cap_strs = 0;
	s->stab = NULL;
	s->stab_mask = 0;
	memset(s->last_id, 0, sizeof(s->last_id));
	s->chunks = NULL;
	s->nchunks = s->cap_chunks = 0;
	s->ngroups = s->nwide = 0;
	s->gtab = NULL;
	s->gtab_mask = 0;
	s->last_group = -1;
	s->used = sizeof(bc_sum);
}

/* past the budget (or a row it cannot take): give up; always false */
static bool
overflow(bc_sum *s)
{
	drop_all(s);
	s->overflowed = true;
	return false;
}

/*
 * Count n more bytes against max_bytes before allocating them; false (and
 * the summary given up) when they do not fit.
 */
static bool
reserve(bc_sum *s, size_t n)
{
	if (n > s->max_bytes || s->used > s->max_bytes - n)
		return overflow(s);
	s->used += n;
	return true;
}

/* an allocation failed: give up; always false */
static bool
out_of_memory(bc_sum *s)
{
	drop_all(s);
	s->nomem = true;
	return false;
}

/* n bytes (zeroed when zero), counted; NULL when over budget or out of memory */
static void *
sum_alloc(bc_sum *s, size_t n, bool zero)
{
	void	   *p;

	if (!reserve(s, n))
		return NULL;
	p = zero ? calloc(1, n) : malloc(n);
	if (p == NULL)
		(void) out_of_memory(s);
	return p;
}

/* resize an array of old_n to new_n elements of size elt, counted */
static void *
sum_realloc(bc_sum *s, void *p, size_t old_n, size_t new_n, size_t elt)
{
	void	   *q;

	if (!reserve(s, (new_n - old_n) * elt))
		return NULL;
	q = realloc(p, new_n * elt);
	if (q == NULL)
		(void) out_of_memory(s);
	return q;
}

/* ---------------------------------------------------------------------- */
/* hashing */

/* a 64-bit mix of a word into a hash */
static inline uint64_t
mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * UINT64_C(0xff51afd7ed558ccd);
	return h ^ (h >> 32);
}

/* hash of a text, sixteen bytes at a time in two independent lanes */
static uint32_t
text_hash(const char *p, size_t len)
{
	uint64_t	h1 = UINT64_C(0x9e3779b97f4a7c15) ^ len;
	uint64_t	h2 = UINT64_C(0xc2b2ae3d27d4eb4f);
	uint64_t	a,
				b;

	for (; len >= 16; p += 16, len -= 16)
	{
		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		h1 = mix(h1, a);
		h2 = mix(h2, b);
	}
	a = b = 0;
	memcpy(&a, p, len < 8 ? len : 8);
	if (len > 8)
		memcpy(&b, p + 8, len - 8);
	h1 = mix(mix(h1, a), h2 ^ b);
	return (uint32_t) (h1 ^ (h1 >> 29));
}

/* two texts of len bytes are equal (eight bytes at a time, no call) */
static inline bool
text_eq(const char *a, const char *b, size_t len)
{
	uint64_t	wa,
				wb;
	size_t		i;

	if (len < 8)
		return len == 0 || memcmp(a, b, len) == 0;
	/* the last word first: texts of a column often differ at their end */
	memcpy(&wa, a + len - 8, 8);
	memcpy(&wb, b + len - 8, 8);
	if (wa != wb)
		return false;
	for (i = 0; i + 8 < len; i += 8)
	{
		memcpy(&wa, a + i, 8);
		memcpy(&wb, b + i, 8);
		if (wa != wb)
			return false;
	}
	return true;
}

/* hash of a group key */
static uint32_t
key_hash(const sum_key *k)
{
	uint64_t	h = mix(UINT64_C(0x9e3779b97f4a7c15), (uint32_t) k->usage_date);

	for (int i = 0; i < NSTR; i += 2)
		h = mix(h, (uint64_t) k->id[i] << 32 | (i + 1 < NSTR ? k->id[i + 1] : 0));
	return (uint32_t) (h ^ (h >> 29));
}

/* two keys are equal (no padding: the bytes are the key) */
static inline bool
key_eq(const sum_key *a, const sum_key *b)
{
	return memcmp(a, b, sizeof(sum_key)) == 0;
}

/* a zeroed table of cap (a power of two) slots of elt bytes, counted */
static void *
table_new(bc_sum *s, uint32_t cap, size_t elt)
{
	return sum_alloc(s, (size_t) cap * elt, true);
}

/* release a table of cap slots of elt bytes and its count */
static void
table_free(bc_sum *s, void *tab, uint32_t cap, size_t elt)
{
	free(tab);
	s->used -= (size_t) cap * elt;
}

/* ---------------------------------------------------------------------- */
/* the dictionary */

/* a copy of len bytes in the text blocks; NULL when given up */
static const char *
text_copy(bc_sum *s, const char *p, size_t len)
{
	sum_block  *b = s->blocks;
	char	   *dst;

	if (b == NULL || b->cap - b->used < len)
	{
		size_t		cap = b == NULL ? BLOCK_MIN : (b->cap < BLOCK_MAX ? b->cap * 2 : BLOCK_MAX);

		if (cap < len)
			cap = len;
		b = sum_alloc(s, sizeof(sum_block) + cap, false);
		if (b == NULL)
			return NULL;
		b->next = s->blocks;
		b->used = 0;
		b->cap = cap;
		s->blocks = b;
	}
	dst = b->data + b->used;
	if (len > 0)
		memcpy(dst, p, len);
	b->used += len;
	return dst;
}

/* double the string table; false when given up */
static bool
stab_grow(bc_sum *s)
{
	uint32_t	cap = s->stab_mask ? (s->stab_mask + 1) * 2 : TABLE_MIN;
	uint32_t   *tab = table_new(s, cap, sizeof(uint32_t));

	if (tab == NULL)
		return false;
	for (uint32_t id = 1; id < s->nstrs; id++)
	{
		uint32_t	i = s->strs[id].hash & (cap - 1);

		while (tab[i] != 0)
			i = (i + 1) & (cap - 1);
		tab[i] = id;
	}
	if (s->stab != NULL)
		table_free(s, s->stab, s->stab_mask + 1, sizeof(uint32_t));
	s->stab = tab;
	s->stab_mask = cap - 1;
	return true;
}

/* add a new text to the dictionary; its id, 0 when given up */
static uint32_t
str_add(bc_sum *s, const char *p, size_t len, uint32_t hash)
{
	sum_str    *e;
	const char *copy;
	uint32_t	i;

	if (s->nstrs == s->cap_strs)
	{
		uint32_t	cap = s->cap_strs ? s->cap_strs * 2 : 64;
		sum_str    *n = sum_realloc(s, s->strs, s->cap_strs, cap, sizeof(sum_str));

		if (n == NULL)
			return 0;
		s->strs = n;
		s->cap_strs = cap;
		if (s->nstrs == 0)
			s->nstrs = 1;		/* id 0 is "none" */
	}
	if ((s->nstrs + 1) * 2 > s->stab_mask + 1 && !stab_grow(s))
		return 0;
	/* copy before taking e: a refused allocation frees s->strs */
	copy = text_copy(s, p, len);
	if (copy == NULL)
		return 0;
	e = &s->strs[s->nstrs];
	e->ptr = copy;
	e->len = (uint32_t) len;
	e->hash = hash;
	for (i = hash & s->stab_mask; s->stab[i] != 0; i = (i + 1) & s->stab_mask)
		;
	s->stab[i] = s->nstrs;
	return s->nstrs++;
}

/*
 * The id of a text of column col (NULL: 0), interned on first sight;
 * false when the summary gave up.
 */
static bool
intern(bc_sum *s, int col, const char *p, size_t len, uint32_t *id)
{
	uint32_t	last = s->last_id[col];
	uint32_t	hash;

	if (p == NULL)
	{
		*id = 0;
		return true;
	}
	if (last != 0 && s->strs[last].len == len && text_eq(s->strs[last].ptr, p, len))
	{
		*id = last;
		return true;
	}
	if (len > UINT32_MAX)
		return overflow(s);
	hash = text_hash(p, len);
	if (s->stab != NULL)
	{
		for (uint32_t i = hash & s->stab_mask; s->stab[i] != 0; i = (i + 1) & s->stab_mask)
		{
			const sum_str *e = &s->strs[s->stab[i]];

			if (e->hash == hash && e->len == len && text_eq(e->ptr, p, len))
			{
				*id = s->last_id[col] = s->stab[i];
				return true;
			}
		}
	}
	*id = str_add(s, p, len, hash);
	s->last_id[col] = *id;
	return *id != 0;
}

/* ---------------------------------------------------------------------- */
/* groups */

/* group number n */
static inline sum_group *
group_at(const bc_sum *s, int64_t n)
{
	return &s->chunks[n >> CHUNK_SHIFT][n & (CHUNK_GROUPS - 1)];
}

/* double the group table; false when given up */
static bool
gtab_grow(bc_sum *s)
{
	uint32_t	cap = s->gtab_mask ? (s->gtab_mask + 1) * 2 : TABLE_MIN;
	sum_slot   *tab;

	if (cap == 0)
		return overflow(s);		/* 2^31 groups */
	tab = table_new(s, cap, sizeof(sum_slot));
	if (tab == NULL)
		return false;
	for (uint32_t j = 0; s->gtab != NULL && j <= s->gtab_mask; j++)
	{
		uint32_t	i = s->gtab[j].hash & (cap - 1);

		if (s->gtab[j].n == 0)
			continue;
		while (tab[i].n != 0)
			i = (i + 1) & (cap - 1);
		tab[i] = s->gtab[j];
	}
	if (s->gtab != NULL)
		table_free(s, s->gtab, s->gtab_mask + 1, sizeof(sum_slot));
	s->gtab = tab;
	s->gtab_mask = cap - 1;
	return true;
}

/* a new group of key k (hash: key_hash(k)); NULL when given up */
static sum_group *
group_add(bc_sum *s, const sum_key *k, uint32_t hash)
{
	sum_group  *g,
			   *chunk;
	uint32_t	i;

	if (s->ngroups % CHUNK_GROUPS == 0)
	{
		if (s->nchunks == s->cap_chunks)
		{
			size_t		cap = s->cap_chunks ? s->cap_chunks * 2 : 16;
			sum_group **n = sum_realloc(s, s->chunks, s->cap_chunks, cap, sizeof(sum_group *));

			if (n == NULL)
				return NULL;
			s->chunks = n;
			s->cap_chunks = cap;
		}
		/* into a local first: a refused allocation frees s->chunks */
		chunk = sum_alloc(s, CHUNK_GROUPS * sizeof(sum_group), false);
		if (chunk == NULL)
			return NULL;
		s->chunks[s->nchunks++] = chunk;
	}
	if ((uint64_t) (s->ngroups + 1) * 2 > (uint64_t) s->gtab_mask + 1 && !gtab_grow(s))
		return NULL;
	g = group_at(s, s->ngroups);
	memset(g, 0, sizeof(*g));
	g->key = *k;
	for (int j = 0; j < NSUMS; j++)
		g->dscale[j] = -1;
	for (i = hash & s->gtab_mask; s->gtab[i].n != 0; i = (i + 1) & s->gtab_mask)
		;
	s->gtab[i].n = (uint32_t) ++s->ngroups;
	s->gtab[i].hash = hash;
	s->last_group = s->ngroups - 1;
	return g;
}

/* start loading the table slot of a key hash (the lookup comes later) */
static inline void
group_prefetch(const bc_sum *s, uint32_t hash)
{
#if defined(__GNUC__)
	if (s->gtab != NULL)
		__builtin_prefetch(&s->gtab[hash & s->gtab_mask]);
#endif
}

/* the group of key k (hash: key_hash(k)), created on first sight; NULL when given up */
static sum_group *
group_for(bc_sum *s, const sum_key *k, uint32_t hash)
{
	if (s->last_group >= 0)
	{
		sum_group  *g = group_at(s, s->last_group);

		if (key_eq(&g->key, k))
			return g;
	}
	if (s->gtab != NULL)
	{
		for (uint32_t i = hash & s->gtab_mask; s->gtab[i].n != 0; i = (i + 1) & s->gtab_mask)
		{
			sum_group  *g;

			if (s->gtab[i].hash != hash)
				continue;
			g = group_at(s, s->gtab[i].n - 1);
			if (key_eq(&g->key, k))
			{
				s->last_group = s->gtab[i].n - 1;
				return g;
			}
		}
	}
	return group_add(s, k, hash);
}

/* the group of key k, NULL when there is none */
static const sum_group *
group_find(const bc_sum *s, const sum_key *k)
{
	uint32_t	hash = key_hash(k);

	for (uint32_t i = hash & s->gtab_mask; s->gtab != NULL && s->gtab[i].n != 0;
		 i = (i + 1) & s->gtab_mask)
	{
		const sum_group *g = group_at(s, s->gtab[i].n - 1);

		if (s->gtab[i].hash == hash && key_eq(&g->key, k))
			return g;
	}
	return NULL;
}

/* a decimal of a row, scanned, with what every sum of it needs */
typedef struct sum_val
{
	const char *txt;
	const bc_decimal_parts *p;
	__int128	units;			/* its 10^-18 units, when narrow */
	bool		narrow;			/* bc_decimal_units succeeded */
	int16_t		dscale;
} sum_val;

/* the sum_val of a scanned decimal */
static void
val_of(sum_val *v, const char *txt, const bc_decimal_parts *p)
{
	v->txt = txt;
	v->p = p;
	v->narrow = bc_decimal_units(p, &v->units);
	v->dscale = (int16_t) bc_decimal_dscale(p);
}

/* sum i of a group turns into a bc_xsum; false when the summary gave up */
static bool
group_widen(bc_sum *s, sum_group *g, int i)
{
	bc_xsum    *w = sum_alloc(s, sizeof(bc_xsum) + BC_XSUM_WIDE_BYTES, false);

	if (w == NULL)
		return false;
	bc_xsum_init(w);
	w->units = g->v[i].units;
	g->v[i].wide = w;
	g->wide |= (uint8_t) (1 << i);
	s->nwide++;
	return true;
}

/*
 * Add a value to sum i of a group, its display scale to the sum's; false
 * when the summary gave up.
 */
static bool
group_sum(bc_sum *s, sum_group *g, int i, const sum_val *v)
{
	if (v->dscale > g->dscale[i])
		g->dscale[i] = v->dscale;
	if (!(g->wide & (1 << i)))
	{
		if (v->narrow && bc_xsum_units_add(&g->v[i].units, v->units))
			return true;
		/* the sum leaves the narrow range */
		if (!group_widen(s, g, i))
			return false;
	}
	return bc_xsum_add_parts(g->v[i].wide, v->txt, v->p) || out_of_memory(s);
}

/* ---------------------------------------------------------------------- */
/* the interface */

/* an empty summary of at most max_bytes */
bc_sum *
bc_sum_create(size_t max_bytes)
{
	bc_sum	   *s = calloc(1, sizeof(bc_sum));

	if (s == NULL)
		return NULL;
	s->max_bytes = max_bytes;
	s->used = sizeof(bc_sum);
	s->last_group = -1;
	return s;
}

/* release a summary */
void
bc_sum_free(bc_sum *s)
{
	if (s == NULL)
		return;
	drop_all(s);
	free(s);
}

/* scan a decimal text of a row; false (the summary given up) when it is not one */
static bool
scan(bc_sum *s, const char *txt, size_t len, bc_decimal_parts *p)
{
	return bc_decimal_scan(txt, len, p) || overflow(s);
}

/* the group key of a row; false when the summary gave up */
static bool
row_key(bc_sum *s, const bc_sum_row *r, sum_key *k)
{
	k->usage_date = r->usage_date;
	return intern(s, K_PAYER, r->payer, r->payer_len, &k->id[K_PAYER]) &&
		intern(s, K_ACCOUNT, r->account, r->account_len, &k->id[K_ACCOUNT]) &&
		intern(s, K_TYPE, r->line_item_type, r->line_item_type_len, &k->id[K_TYPE]) &&
		intern(s, K_PRODUCT, r->product_name, r->product_name_len, &k->id[K_PRODUCT]) &&
		intern(s, K_USAGE_TYPE, r->usage_type, r->usage_type_len, &k->id[K_USAGE_TYPE]) &&
		intern(s, K_PRINCIPAL, r->principal, r->principal_len, &k->id[K_PRINCIPAL]) &&
		intern(s, K_TAGS, r->tags, r->tags_len, &k->id[K_TAGS]) &&
		intern(s, K_RESOURCE, r->resource_id, r->resource_id_len, &k->id[K_RESOURCE]) &&
		intern(s, K_PAYER_NAME, r->payer_name, r->payer_name_len, &k->id[K_PAYER_NAME]) &&
		intern(s, K_ACCOUNT_NAME, r->account_name, r->account_name_len, &k->id[K_ACCOUNT_NAME]);
}

/* add one row to its group */
/*
 * Add one row whose decimals are scanned: tokens (its text tokens_txt)
 * NULL when the row has none.
 */
static bool
add_values(bc_sum *s, const bc_sum_row *r, const bc_decimal_parts *unblended,
		   const bc_decimal_parts *net, const bc_decimal_parts *usage_amount,
		   const char *tokens_txt, const bc_decimal_parts *tokens,
		   int64_t line_items, int64_t net_rows)
{
	sum_key		k;
	uint32_t	hash;
	sum_group  *g;
	sum_val		v[NSUMS];

	if (s->overflowed || s->nomem || !row_key(s, r, &k))
		return false;
	/* the slot loads while the values are converted */
	hash = key_hash(&k);
	group_prefetch(s, hash);
	val_of(&v[S_UNBLENDED], r->unblended, unblended);
	if (r->net != NULL)
		val_of(&v[S_NET], r->net, net);
	else
		v[S_NET] = v[S_UNBLENDED];
	if (r->usage_amount != NULL)
		val_of(&v[S_AMOUNT], r->usage_amount, usage_amount);
	if (tokens != NULL)
		val_of(&v[S_TOKENS], tokens_txt, tokens);
	if ((g = group_for(s, &k, hash)) == NULL)
		return false;
	g->line_items += line_items;
	g->net_rows += net_rows;
	if (!group_sum(s, g, S_UNBLENDED, &v[S_UNBLENDED]) || !group_sum(s, g, S_NET, &v[S_NET]))
		return false;
	if (r->usage_amount != NULL && !group_sum(s, g, S_AMOUNT, &v[S_AMOUNT]))
		return false;
	return tokens == NULL || group_sum(s, g, S_TOKENS, &v[S_TOKENS]);
}

/* scan the decimals of r that every addition reads (net and usage amount when given) */
static bool
scan_row(bc_sum *s, const bc_sum_row *r, bc_decimal_parts *cost, bc_decimal_parts *net,
		 bc_decimal_parts *amount)
{
	return scan(s, r->unblended, r->unblended_len, cost) &&
		(r->net == NULL || scan(s, r->net, r->net_len, net)) &&
		(r->usage_amount == NULL || scan(s, r->usage_amount, r->usage_amount_len, amount));
}

/*
 * add r with its tokens given (BC_SUM_TOKENS_GIVEN), as line_items rows of
 * which net_rows had a net cost
 */
static bool
add_tokens_given(bc_sum *s, const bc_sum_row *r, const bc_decimal_parts *cost,
				 const bc_decimal_parts *net, const bc_decimal_parts *amount,
				 int64_t line_items, int64_t net_rows)
{
	bc_decimal_parts tokens;

	if (r->tokens != NULL && !scan(s, r->tokens, r->tokens_len, &tokens))
		return false;
	return add_values(s, r, cost, net, amount, r->tokens, r->tokens != NULL ? &tokens : NULL,
					  line_items, net_rows);
}

bool
bc_sum_add(bc_sum *s, const bc_sum_row *r)
{
	bc_decimal_parts cost,
				net,
				amount;

	if (s->overflowed || s->nomem)
		return false;
	if (!scan_row(s, r, &cost, &net, &amount))
		return false;
	if (r->tokens_shift != BC_SUM_TOKENS_GIVEN)
		return bc_sum_add_scanned(s, r, &cost, &net, &amount);
	return add_tokens_given(s, r, &cost, &net, &amount, 1, r->net != NULL);
}

/* add a group of rows summed already */
bool
bc_sum_add_group(bc_sum *s, const bc_sum_row *r, int64_t line_items, int64_t net_rows)
{
	bc_decimal_parts cost,
				net,
				amount;

	if (s->overflowed || s->nomem)
		return false;
	if (r->tokens_shift != BC_SUM_TOKENS_GIVEN || r->net == NULL)
		return overflow(s);
	if (!scan_row(s, r, &cost, &net, &amount))
		return false;
	return add_tokens_given(s, r, &cost, &net, &amount, line_items, net_rows);
}

/* add one row whose decimals are scanned already */
bool
bc_sum_add_scanned(bc_sum *s, const bc_sum_row *r, const bc_decimal_parts *unblended,
				   const bc_decimal_parts *net, const bc_decimal_parts *usage_amount)
{
	bc_decimal_parts tokens;

	if (r->usage_amount == NULL || r->tokens_shift < 0)
		return add_values(s, r, unblended, net, usage_amount, NULL, NULL, 1, r->net != NULL);
	tokens = *usage_amount;
	tokens.exp10 += r->tokens_shift;
	return add_values(s, r, unblended, net, usage_amount, r->usage_amount, &tokens,
					  1, r->net != NULL);
}

bool
bc_sum_overflowed(const bc_sum *s)
{
	return s->overflowed;
}

bool
bc_sum_nomem(const bc_sum *s)
{
	return s->nomem;
}

int64_t
bc_sum_groups(const bc_sum *s)
{
	return s->ngroups;
}

size_t
bc_sum_bytes(const bc_sum *s)
{
	return s->used;
}

/* ---------------------------------------------------------------------- */
/* the cells of a row, and its binary COPY rendition */

/* a text of the dictionary (id 0: NULL); versioned: of iam_arn or jsonb */
static void
cell_str(bc_sum_cell *c, uint32_t id, bool versioned)
{
	c->kind = id == 0 ? BC_SUM_CELL_NULL :
		versioned ? BC_SUM_CELL_VTEXT : BC_SUM_CELL_TEXT;
	c->id = id;
}

static void
cell_int8(bc_sum_cell *c, int64_t v)
{
	c->kind = BC_SUM_CELL_INT8;
	c->i8 = v;
}

/* sum i of group g (NULL when nothing was added, or g is NULL) */
static void
cell_sum(bc_sum_cell *c, const sum_group *g, int i)
{
	if (g == NULL || g->dscale[i] < 0)
	{
		c->kind = BC_SUM_CELL_NULL;
		return;
	}
	c->kind = BC_SUM_CELL_SUM;
	c->dscale = g->dscale[i];
	c->wide = (g->wide & (1 << i)) ? g->v[i].wide : NULL;
	c->units = c->wide == NULL ? g->v[i].units : 0;
}

/* the cells of a model-day row group, with its kind groups' sums */
static int
model_day_cells(const bc_sum *s, const sum_group *g, bc_sum_cell *c)
{
	const sum_group *kind[NKINDS];
	static const int per_kind[] = {S_TOKENS, S_UNBLENDED, S_NET};
	int			n = 0;

	for (int i = 0; i < NKINDS; i++)
	{
		sum_key		k = g->key;

		k.id[K_KIND] = s->kind_id[i];
		kind[i] = group_find(s, &k);
	}
	c[n].kind = BC_SUM_CELL_DATE;
	c[n++].days = g->key.usage_date;
	cell_str(&c[n++], g->key.id[K_PAYER], false);
	cell_str(&c[n++], g->key.id[K_ACCOUNT], false);
	cell_str(&c[n++], g->key.id[K_TYPE], false);
	cell_str(&c[n++], g->key.id[K_PRINCIPAL], true);
	cell_str(&c[n++], g->key.id[K_TAGS], true);
	cell_str(&c[n++], g->key.id[K_MODEL], false);
	cell_int8(&c[n++], g->line_items);
	cell_sum(&c[n++], g, S_UNBLENDED);
	cell_sum(&c[n++], g, S_NET);
	/* tokens, then unblended, then net cost, of each kind */
	for (int j = 0; j < (int) (sizeof(per_kind) / sizeof(per_kind[0])); j++)
	{
		for (int i = 0; i < NKINDS; i++)
			cell_sum(&c[n++], kind[i], per_kind[j]);
	}
	return n;
}

/* the cells of a group's row, after the constant columns */
static int
group_cells(const bc_sum *s, const sum_group *g, bc_sum_cell *c)
{
	int			n = 0;

	if (s->grain == GRAIN_MODEL_DAY)
		return model_day_cells(s, g, c);
	if (s->grain == GRAIN_DAY)
	{
		c[n].kind = BC_SUM_CELL_DATE;
		c[n++].days = g->key.usage_date;
	}
	cell_str(&c[n++], g->key.id[K_PAYER], false);
	cell_str(&c[n++], g->key.id[K_ACCOUNT], false);
	cell_str(&c[n++], g->key.id[K_TYPE], false);
	cell_str(&c[n++], g->key.id[K_PRODUCT], false);
	cell_str(&c[n++], g->key.id[K_USAGE_TYPE], false);
	cell_str(&c[n++], g->key.id[K_PRINCIPAL], true);
	cell_str(&c[n++], g->key.id[K_TAGS], true);
	cell_int8(&c[n++], g->line_items);
	cell_sum(&c[n++], g, S_UNBLENDED);
	cell_sum(&c[n++], g, S_NET);
	cell_int8(&c[n++], g->net_rows);
	cell_sum(&c[n++], g, S_TOKENS);
	cell_sum(&c[n++], g, S_AMOUNT);
	cell_str(&c[n++], g->key.id[K_RESOURCE], false);
	cell_str(&c[n++], g->key.id[K_PAYER_NAME], false);
	cell_str(&c[n++], g->key.id[K_ACCOUNT_NAME], false);
	return n;
}

int
bc_sum_next_cells(const bc_sum *s, size_t *cursor, bc_sum_cell *cells)
{
	while (*cursor < (size_t) s->ngroups)
	{
		const sum_group *g = group_at(s, (int64_t) (*cursor)++);

		/* a model-day kind group is in its row group's row */
		if (s->grain == GRAIN_MODEL_DAY && g->key.id[K_KIND] != 0)
			continue;
		return group_cells(s, g, cells);
	}
	return 0;
}

const char *
bc_sum_text(const bc_sum *s, uint32_t id, size_t *len)
{
	*len = s->strs[id].len;
	return s->strs[id].ptr;
}

uint32_t
bc_sum_text_ids(const bc_sum *s)
{
	return s->nstrs;
}

void
bc_sum_cell_text(const bc_sum_cell *c, bc_buf *out)
{
	bc_xsum		narrow;

	if (c->wide != NULL)
	{
		bc_xsum_text_scale(c->wide, c->dscale, out);
		return;
	}
	bc_xsum_init(&narrow);
	narrow.units = c->units;
	bc_xsum_text_scale(&narrow, c->dscale, out);
}

/* one cell as a binary COPY value */
static void
emit_cell(const bc_sum *s, const bc_sum_cell *c, bc_buf *scratch, bc_buf *out)
{
	switch (c->kind)
	{
		case BC_SUM_CELL_NULL:
			bc_cb_null(out);
			break;
		case BC_SUM_CELL_DATE:
			bc_cb_date_days(out, c->days);
			break;
		case BC_SUM_CELL_INT8:
			bc_cb_int8(out, c->i8);
			break;
		case BC_SUM_CELL_TEXT:
			bc_cb_text(out, s->strs[c->id].ptr, s->strs[c->id].len);
			break;
		case BC_SUM_CELL_VTEXT:
			bc_cb_versioned_text(out, s->strs[c->id].ptr, s->strs[c->id].len);
			break;
		case BC_SUM_CELL_SUM:
			if (c->wide == NULL)
			{
				/* straight from the units: no text round trip */
				bc_cb_numeric_units(out, c->units, BC_XSUM_SCALE, c->dscale);
				break;
			}
			bc_buf_reset(scratch);
			bc_sum_cell_text(c, scratch);
			if (scratch->nomem)
				out->nomem = true;
			else
				(void) bc_cb_numeric(out, scratch->data, scratch->len, 0);
			break;
	}
}

/* append the rows of the groups from *cursor on, up to max_bytes */
bool
bc_sum_emit(const bc_sum *s, size_t *cursor, int period_year, int period_month,
			int32_t export_id, int64_t load_id, bc_buf *out, size_t max_bytes)
{
	bc_buf		scratch;

	if (*cursor >= (size_t) s->ngroups)
		return false;
	bc_buf_init(&scratch);
	while (out->len < max_bytes && !out->nomem)
	{
		bc_sum_cell cells[BC_SUM_MAX_CELLS];
		size_t		at = *cursor;
		int			n = bc_sum_next_cells(s, cursor, cells);

		if (n == 0)
			break;
		bc_cb_i16(out, n + 3);
		bc_cb_date(out, period_year, period_month, 1);
		bc_cb_int4(out, export_id);
		bc_cb_int8(out, load_id);
		for (int i = 0; i < n; i++)
			emit_cell(s, &cells[i], &scratch, out);
		/* on allocation failure the cursor stays at the row not written */
		if (out->nomem)
			*cursor = at;
	}
	bc_buf_free(&scratch);
	return true;
}

/* ---------------------------------------------------------------------- */
/* the period grain */

/* sum i of group g added into group d (of the summary s); false when s gave up */
static bool
group_merge_sum(bc_sum *s, sum_group *d, const sum_group *g, int i)
{
	bc_xsum		narrow;
	const bc_xsum *src;
	bc_buf		txt;
	bool		ok;

	if (g->dscale[i] < 0)
		return true;
	if (g->dscale[i] > d->dscale[i])
		d->dscale[i] = g->dscale[i];
	if (!(d->wide & (1 << i)))
	{
		if (!(g->wide & (1 << i)) && bc_xsum_units_add(&d->v[i].units, g->v[i].units))
			return true;
		if (!group_widen(s, d, i))
			return false;
	}
	/* rare: a sum past the narrow range, added through its exact text */
	if (g->wide & (1 << i))
		src = g->v[i].wide;
	else
	{
		bc_xsum_init(&narrow);
		narrow.units = g->v[i].units;
		src = &narrow;
	}
	bc_buf_init(&txt);
	bc_xsum_text(src, &txt);
	ok = !txt.nomem && bc_xsum_add(d->v[i].wide, txt.data, txt.len);
	bc_buf_free(&txt);
	return ok || out_of_memory(s);
}

/* copy the dictionary of day into p, each text under the same id */
static bool
copy_dictionary(bc_sum *p, const bc_sum *day)
{
	for (uint32_t id = 1; id < day->nstrs; id++)
	{
		if (str_add(p, day->strs[id].ptr, day->strs[id].len, day->strs[id].hash) != id)
			return false;
	}
	return true;
}

/* a usage type and product name, and the model and token kind they give */
typedef struct model_memo
{
	uint32_t	usage_type;		/* ids of the day summary; 0 0: empty */
	uint32_t	product;
	uint32_t	model;			/* ids of the model-day summary */
	uint32_t	kind;
} model_memo;

#define MEMO_SLOTS 512

/*
 * what the rollups' keys of a day summary's groups are made of, once each:
 * the jsonb text of the tags maps (both rollups), the model, token kind and
 * attribution (the model-day one)
 */
typedef struct rollup_memo
{
	model_memo	ut[MEMO_SLOTS];
	uint32_t   *tags;			/* [day id of a tags map]: id of its jsonb
								 * text, 0 not seen yet */
	uint32_t	attribution[3]; /* ids of attributed, unattributed,
								 * account_level */
	bc_buf		text;			/* scratch for a jsonb text */
} rollup_memo;

/* the text of id (of s), as a pointer and length; NULL for id 0 */
static const char *
str_of(const bc_sum *s, uint32_t id, size_t *len)
{
	*len = id == 0 ? 0 : s->strs[id].len;
	return id == 0 ? NULL : s->strs[id].ptr;
}

/* is the text of id one of the line item types bedrock_cost.is_usage_line_item_type names */
static bool
is_usage_type(const bc_sum *s, uint32_t id)
{
	static const char *const usage[] = {"Usage", "DiscountedUsage", "SavingsPlanCoveredUsage"};
	size_t		len;
	const char *t = str_of(s, id, &len);

	for (int i = 0; i < 3; i++)
	{
		if (t != NULL && len == strlen(usage[i]) && memcmp(t, usage[i], len) == 0)
			return true;
	}
	return false;
}

/*
 * The model and token kind of day group key k, interned in m (through the
 * memo of usage types); false when m gave up.
 */
static bool
model_of(bc_sum *m, const bc_sum *day, const sum_key *k, model_memo *memo, model_memo **out)
{
	model_memo *e = &memo[(k->id[K_USAGE_TYPE] * 31 + k->id[K_PRODUCT]) & (MEMO_SLOTS - 1)];

	if (e->usage_type != k->id[K_USAGE_TYPE] || e->product != k->id[K_PRODUCT])
	{
		const char *ut,
				   *pn,
				   *kind;
		size_t		utlen,
					pnlen;
		bc_usage_type u;
		bc_slice	model;

		ut = str_of(day, k->id[K_USAGE_TYPE], &utlen);
		pn = str_of(day, k->id[K_PRODUCT], &pnlen);
		bc_usage_type_parse(ut, utlen, &u);
		model = bc_row_model(&u, pn, pnlen);
		kind = u.token_kind >= BC_KIND_INPUT && u.token_kind <= BC_KIND_CACHE_WRITE ?
			bc_token_kind_name(u.token_kind) : NULL;
		if (!intern(m, K_MODEL, model.len > 0 ? model.ptr : NULL, model.len, &e->model) ||
			!intern(m, K_KIND, kind, kind ? strlen(kind) : 0, &e->kind))
			return false;
		e->usage_type = k->id[K_USAGE_TYPE];
		e->product = k->id[K_PRODUCT];
	}
	*out = e;
	return true;
}

/*
 * The id (in m) of the jsonb text of the tags map of day id tags; false
 * when m gave up, or (m then overflowed) the map has a number, whose jsonb
 * equality is not that of its text.
 */
static bool
tags_of(bc_sum *m, const bc_sum *day, uint32_t tags, rollup_memo *md, uint32_t *out)
{
	size_t		len;
	const char *t;

	if (tags == 0 || md->tags[tags] != 0)
	{
		*out = tags == 0 ? 0 : md->tags[tags];
		return true;
	}
	t = str_of(day, tags, &len);
	bc_buf_reset(&md->text);
	switch (bc_jsonb_map_text(t, len, &md->text))
	{
		case BC_JSONB_TEXT_OK:
			break;
		case BC_JSONB_TEXT_NOMEM:
			return out_of_memory(m);
		default:
			return overflow(m);
	}
	/* intern() keeps its own copy; the column's last-value cache is K_TAGS's */
	if (!intern(m, K_TAGS, md->text.data, md->text.len, &md->tags[tags]))
		return false;
	*out = md->tags[tags];
	return true;
}

/*
 * The model-day row key of day group key k, into out, and the id of its
 * token kind (0: none) into *kind: the attribution of its principal and
 * line item type, the jsonb text of its tags, its model.  False when m
 * gave up.
 */
static bool
model_day_key(bc_sum *m, const bc_sum *day, const sum_key *k, rollup_memo *md,
			  sum_key *out, uint32_t *kind)
{
	model_memo *e;
	uint32_t	tags;

	if (!model_of(m, day, k, md->ut, &e) || !tags_of(m, day, k->id[K_TAGS], md, &tags))
		return false;
	memset(out, 0, sizeof(*out));
	out->usage_date = k->usage_date;
	out->id[K_PAYER] = k->id[K_PAYER];
	out->id[K_ACCOUNT] = k->id[K_ACCOUNT];
	out->id[K_TYPE] = md->attribution[k->id[K_PRINCIPAL] != 0 ? 0 :
									  is_usage_type(day, k->id[K_TYPE]) ? 1 : 2];
	out->id[K_PRINCIPAL] = k->id[K_PRINCIPAL];
	out->id[K_TAGS] = tags;
	out->id[K_MODEL] = e->model;
	*kind = e->kind;
	return true;
}

/* a new rollup memo for day, counted against m; NULL when m gave up */
static rollup_memo *
rollup_memo_new(bc_sum *m, const bc_sum *day)
{
	static const char *const names[3] = {"attributed", "unattributed", "account_level"};
	rollup_memo *md = sum_alloc(m, sizeof(rollup_memo), true);

	if (md == NULL)
		return NULL;
	md->tags = sum_alloc(m, (size_t) day->nstrs * sizeof(uint32_t), true);
	bc_buf_init(&md->text);
	for (int i = 0; md->tags != NULL && i < 3; i++)
	{
		if (!intern(m, K_TYPE, names[i], strlen(names[i]), &md->attribution[i]))
			break;
	}
	for (int i = 0; md->tags != NULL && i < NKINDS; i++)
	{
		const char *name = bc_token_kind_name((bc_token_kind) (BC_KIND_INPUT + i));

		if (!intern(m, K_KIND, name, strlen(name), &m->kind_id[i]))
			break;
	}
	return md;
}

/* free a rollup memo, uncounted unless m gave up (which reset the count) */
static void
rollup_memo_free(bc_sum *m, const bc_sum *day, rollup_memo *md)
{
	if (md == NULL)
		return;
	if (!m->overflowed && !m->nomem)
		m->used -= sizeof(rollup_memo) + (size_t) day->nstrs * sizeof(uint32_t);
	bc_buf_free(&md->text);
	free(md->tags);
	free(md);
}

/* add sums i of g into d; false when s gave up */
static bool
merge_sums(bc_sum *s, sum_group *d, const sum_group *g, const int *sums, int n)
{
	for (int i = 0; i < n; i++)
	{
		if (!group_merge_sum(s, d, g, sums[i]))
			return false;
	}
	return true;
}

/*
 * Merge day group g into the model-day summary m: its row group, and the
 * group of its token kind when it has one; false when m gave up.
 */
static bool
model_day_merge(bc_sum *m, const bc_sum *day, const sum_group *g, rollup_memo *md)
{
	static const int row_sums[] = {S_UNBLENDED, S_NET};
	static const int kind_sums[] = {S_TOKENS, S_UNBLENDED, S_NET};
	sum_key		k;
	uint32_t	kind;
	sum_group  *d;

	if (!model_day_key(m, day, &g->key, md, &k, &kind) ||
		(d = group_for(m, &k, key_hash(&k))) == NULL)
		return false;
	d->line_items += g->line_items;
	if (!merge_sums(m, d, g, row_sums, 2))
		return false;
	if (kind == 0)
		return true;
	/* a kind group holds sums only: the row counts its line items */
	k.id[K_KIND] = kind;
	if ((d = group_for(m, &k, key_hash(&k))) == NULL)
		return false;
	return merge_sums(m, d, g, kind_sums, 3);
}

/*
 * Merge day group g into the period summary p, its tags map by its jsonb
 * text as in the model-day summary; false when p gave up
 */
static bool
period_merge(bc_sum *p, const bc_sum *day, const sum_group *g, rollup_memo *md)
{
	static const int sums[] = {S_UNBLENDED, S_NET, S_TOKENS, S_AMOUNT};
	sum_key		k = g->key;
	sum_group  *d;

	k.usage_date = 0;
	if (!tags_of(p, day, g->key.id[K_TAGS], md, &k.id[K_TAGS]) ||
		(d = group_for(p, &k, key_hash(&k))) == NULL)
		return false;
	d->line_items += g->line_items;
	d->net_rows += g->net_rows;
	return merge_sums(p, d, g, sums, 4);
}

/*
 * Roll the groups of day up into a new summary of the given grain (see
 * bc_sum_period, bc_sum_model_day).
 */
static bc_sum *
rollup(const bc_sum *day, size_t max_bytes, int grain)
{
	bc_sum	   *p;
	rollup_memo *md = NULL;

	if (day->overflowed || day->nomem || day->grain != GRAIN_DAY)
		return NULL;
	if ((p = bc_sum_create(max_bytes)) == NULL)
		return NULL;
	p->grain = grain;
	if (!copy_dictionary(p, day))
		return p;
	if ((md = rollup_memo_new(p, day)) == NULL)
		return p;
	for (int64_t n = 0; n < day->ngroups && !p->overflowed && !p->nomem; n++)
	{
		const sum_group *g = group_at(day, n);

		if (!(grain == GRAIN_PERIOD ? period_merge(p, day, g, md) : model_day_merge(p, day, g, md)))
			break;
	}
	rollup_memo_free(p, day, md);
	return p;
}

bc_sum *
bc_sum_period(const bc_sum *day, size_t max_bytes)
{
	return rollup(day, max_bytes, GRAIN_PERIOD);
}

bc_sum *
bc_sum_model_day(const bc_sum *day, size_t max_bytes)
{
	return rollup(day, max_bytes, GRAIN_MODEL_DAY);
}
