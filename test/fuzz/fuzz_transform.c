/*-------------------------------------------------------------------------
 *
 * fuzz_transform.c
 *		libFuzzer harness of the core row transformation: the input is a
 *		CUR CSV file (header and rows); every row the reader returns goes
 *		through bc_xf_row, rejects through bc_xf_reject and bc_xf_raw_row,
 *		and the totals (the rejected rows' sums too) are formatted.  Checks that emitted COPY lines have
 *		BC_XF_COPY_NCOLUMNS tab-separated fields and end in a newline, and
 *		that the same rows in binary mode give the same results and
 *		well-formed binary rows (as many fields, whose lengths add up,
 *		numerics with base-10000 digits).  Both keep the chargeback summary
 *		(cur_summary.h): the two must write the same binary rows, of
 *		BC_SUM_COPY_NCOLUMNS well-formed fields.
 *
 * IDENTIFICATION
 *		test/fuzz/fuzz_transform.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cur_reader.h"
#include "cur_summary.h"
#include "cur_transform.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* big-endian integers of a binary row */
static int32_t
be32(const unsigned char *p)
{
	return (int32_t) (((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) |
					  ((uint32_t) p[2] << 8) | (uint32_t) p[3]);
}

static int
be16(const unsigned char *p)
{
	return (int16_t) (((unsigned) p[0] << 8) | (unsigned) p[1]);
}

/* the numeric fields of a COPY row (bit i: field i), in bc_xf_copy_columns order */
#define XF_NUMERICS ((UINT64_C(1) << 16) | (UINT64_C(1) << 17) | (UINT64_C(1) << 18) | \
					 (UINT64_C(1) << 19) | (UINT64_C(1) << 26))
/* ... and of a summary row: unblended, net, tokens, amount (net_rows is an int8) */
#define SUM_NUMERICS ((UINT64_C(1) << 12) | (UINT64_C(1) << 13) | (UINT64_C(1) << 15) | \
					  (UINT64_C(1) << 16))

/*
 * Check the binary row at p (len bytes available) of nfields fields, the
 * fields of the numerics mask numerics; abort when malformed.  Returns its
 * length.
 */
static size_t
check_binary_row(const unsigned char *p, size_t len, int nfields, uint64_t numerics)
{
	size_t		o = 2;

	if (len < 2 || be16(p) != nfields)
		abort();
	for (int f = 0; f < nfields; f++)
	{
		int32_t		n;

		if (o + 4 > len)
			abort();
		n = be32(p + o);
		o += 4;
		if (n == -1)
			continue;
		if (n < 0 || o + (size_t) n > len)
			abort();
		if (numerics & (UINT64_C(1) << f))
		{
			/* numeric: ndigits, weight, sign, dscale, digits */
			int			nd;

			if (n < 8)
				abort();
			nd = be16(p + o);
			if (nd < 0 || n != 8 + 2 * nd || (be16(p + o + 4) & ~0x4000) != 0)
				abort();
			for (int k = 0; k < nd; k++)
			{
				int			d = be16(p + o + 8 + 2 * k);

				if (d < 0 || d >= 10000)
					abort();
			}
		}
		o += (size_t) n;
	}
	return o;
}

/* the summaries of the text and the binary transformation: the same, well-formed */
static void
check_summaries(const bc_sum *s, const bc_sum *sb)
{
	bc_buf		a,
				b;
	size_t		ca = 0,
				cb = 0;

	if (bc_sum_overflowed(s) != bc_sum_overflowed(sb) || bc_sum_groups(s) != bc_sum_groups(sb))
		abort();
	bc_buf_init(&a);
	bc_buf_init(&b);
	while (bc_sum_emit(s, &ca, 2026, 4, 1, 2, &a, 4096))
		;
	while (bc_sum_emit(sb, &cb, 2026, 4, 1, 2, &b, SIZE_MAX))
		;
	if (a.len != b.len || (a.len > 0 && memcmp(a.data, b.data, a.len) != 0))
		abort();
	for (size_t o = 0; o < a.len;)
		o += check_binary_row((const unsigned char *) a.data + o, a.len - o,
							  BC_SUM_COPY_NCOLUMNS, SUM_NUMERICS);
	bc_buf_free(&a);
	bc_buf_free(&b);
}

/* count tab-separated fields of one line */
static int
fields(const char *s, size_t len)
{
	int			n = 1;

	for (size_t i = 0; i < len; i++)
		if (s[i] == '\t')
			n++;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_row	row;
	bc_xf		x,
				xb;
	bc_buf		out,
				outb,
				tmp;

	if (bc_cur_open_memory(&r, data, size, 0, &e) != BC_CUR_OK)
		return 0;
	if (!bc_xf_init(&x, "2026-04-01") || !bc_xf_init(&xb, "2026-04-01"))
		abort();
	bc_buf_init(&out);
	bc_buf_init(&outb);
	bc_buf_init(&tmp);
	if (!bc_xf_set_summary(&x, 1 << 20) || !bc_xf_set_summary(&xb, 1 << 20))
		abort();
	bc_xf_set_file(&x, 1, 2, 1);
	bc_xf_set_binary(&xb, true);
	bc_xf_set_file(&xb, 1, 2, 1);
	while (bc_cur_next(r, &row) == BC_CUR_ROW)
	{
		size_t		before = out.len;
		bc_xf_result xr = bc_xf_row(&x, &row, &out);
		bc_xf_result xrb = bc_xf_row(&xb, &row, &outb);

		if (xrb != xr)
			abort();
		if (xrb == BC_XF_EMITTED)
		{
			if (check_binary_row((const unsigned char *) outb.data, outb.len, BC_XF_COPY_NCOLUMNS,
								 XF_NUMERICS) != outb.len)
				abort();
		}
		else if (outb.len != 0)
			abort();
		bc_buf_reset(&outb);

		if (xr == BC_XF_EMITTED)
		{
			if (out.len <= before || out.data[out.len - 1] != '\n' ||
				fields(out.data + before, out.len - before - 1) != BC_XF_COPY_NCOLUMNS)
				abort();
		}
		else if (out.len != before)
			abort();
		if (xr == BC_XF_REJECT)
		{
			bc_xf_reject(&x, &row);
			bc_buf_reset(&tmp);
			bc_xf_raw_row(&row, &tmp);
		}
		bc_buf_reset(&out);
	}
	check_summaries(bc_xf_summary(&x), bc_xf_summary(&xb));
	for (int i = 0; i < x.ntotals; i++)
	{
		bc_buf_reset(&tmp);
		bc_xsum_text(&x.totals[i].unblended, &tmp);
		bc_xsum_text(&x.totals[i].net, &tmp);
		bc_xsum_text(&x.totals[i].rejected, &tmp);
	}
	bc_buf_free(&out);
	bc_buf_free(&outb);
	bc_buf_free(&tmp);
	bc_xf_free(&x);
	bc_xf_free(&xb);
	bc_cur_close(r);
	return 0;
}
