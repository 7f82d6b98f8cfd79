/*-------------------------------------------------------------------------
 *
 * fuzz_cur_csv.c
 *		libFuzzer harness of the CUR reader: the input is a whole file
 *		(plain CSV, or gzip when it starts with the gzip magic).  It is
 *		read three ways: from memory with the fast path, from memory
 *		byte-exact only, and through a callback in small chunks whose size
 *		comes from the input; all three must give the same rows and final
 *		status (unless the gzip stream is damaged: then how many rows come
 *		before the error depends on read sizes).  Field invariants
 *		(NUL-terminated, length) are checked.
 *
 * IDENTIFICATION
 *		test/fuzz/fuzz_cur_csv.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cur_reader.h"

typedef struct chunks
{
	const uint8_t *data;
	size_t		len;
	size_t		pos;
	size_t		step;
} chunks;

/* read callback returning at most step bytes */
static long
chunk_read(void *ctx, void *buf, size_t cap)
{
	chunks	   *c = ctx;
	size_t		n = c->len - c->pos;

	if (n > c->step)
		n = c->step;
	if (n > cap)
		n = cap;
	memcpy(buf, c->data + c->pos, n);
	c->pos += n;
	return (long) n;
}

/* a running hash of everything the reader returned */
static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

/* read all rows; return a digest of rows and status */
static uint64_t
run(const uint8_t *data, size_t size, int how, size_t step, bool *gzip_error)
{
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_row row;
	bc_cur_status st;
	uint64_t	h = 14695981039346656037ULL;
	chunks		c = {data, size, 0, step};

	if (how == 2)
		st = bc_cur_open_callback(&r, chunk_read, &c, 0, &e);
	else
		st = bc_cur_open_memory(&r, data, size, how == 1 ? BC_CUR_OPT_NO_FAST_PATH : 0, &e);
	if (st == BC_CUR_OK)
	{
		int			rows = 0;

		for (int i = 0; i < bc_cur_ncolumns(r); i++)
			h = mix(h, bc_cur_column_name(r, i), strlen(bc_cur_column_name(r, i)) + 1);
		while ((st = bc_cur_next(r, &row)) == BC_CUR_ROW && rows++ < 100000)
		{
			h = mix(h, &row.line, sizeof(row.line));
			h = mix(h, &row.offset, sizeof(row.offset));
			for (int col = 0; col < BC_COL__COUNT; col++)
			{
				const bc_cur_field *f = &row.f[col];

				if (f->ptr[f->len] != '\0' || strlen(f->ptr) != f->len)
					abort();
				if (!f->present && !f->null)
					abort();
				h = mix(h, f->ptr, f->len + 1);
				h = mix(h, &f->null, 1);
			}
		}
		e = *bc_cur_error_get(r);
		bc_cur_close(r);
	}
	if (st == BC_CUR_ERR_GZIP_CORRUPT || st == BC_CUR_ERR_GZIP_TRUNCATED)
		*gzip_error = true;
	h = mix(h, &st, sizeof(st));
	if (st != BC_CUR_EOF && st != BC_CUR_ROW)
	{
		h = mix(h, &e.line, sizeof(e.line));
		h = mix(h, e.column, strlen(e.column));
	}
	return h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool		gz = false;
	uint64_t	a = run(data, size, 0, 0, &gz);
	uint64_t	b = run(data, size, 1, 0, &gz);
	uint64_t	c = run(data, size, 2, size > 0 ? (size_t) (data[size - 1] % 7) + 1 : 1, &gz);

	/*
	 * A damaged gzip stream is detected after however much output the
	 * read sizes let through, so rows before the error may differ.
	 */
	if (!gz && (a != b || a != c))
	{
		fprintf(stderr, "fast path, exact path and chunked reads disagree\n");
		abort();
	}
	return 0;
}
