/*-------------------------------------------------------------------------
 *
 * fuzz_transform.c
 *		libFuzzer harness of the core row transformation: the input is a
 *		CUR CSV file (header and rows); every row the reader returns goes
 *		through bc_xf_row, rejects through bc_xf_reject and bc_xf_raw_row,
 *		and the totals are formatted.  Checks that emitted COPY lines have
 *		23 tab-separated fields and end in a newline.
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
#include "cur_transform.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	bc_xf		x;
	bc_buf		out,
				tmp;

	if (bc_cur_open_memory(&r, data, size, 0, &e) != BC_CUR_OK)
		return 0;
	if (!bc_xf_init(&x, "2026-04-01"))
		abort();
	bc_buf_init(&out);
	bc_buf_init(&tmp);
	bc_xf_set_file(&x, 1, 2, 1);
	while (bc_cur_next(r, &row) == BC_CUR_ROW)
	{
		size_t		before = out.len;
		bc_xf_result xr = bc_xf_row(&x, &row, &out);

		if (xr == BC_XF_EMITTED)
		{
			if (out.len <= before || out.data[out.len - 1] != '\n' ||
				fields(out.data + before, out.len - before - 1) != 23)
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
	for (int i = 0; i < x.ntotals; i++)
	{
		bc_buf_reset(&tmp);
		bc_xsum_text(&x.totals[i].unblended, &tmp);
		bc_xsum_text(&x.totals[i].net, &tmp);
	}
	bc_buf_free(&out);
	bc_buf_free(&tmp);
	bc_xf_free(&x);
	bc_cur_close(r);
	return 0;
}
