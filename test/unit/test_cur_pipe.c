/*-------------------------------------------------------------------------
 *
 * test_cur_pipe.c
 *		Unit tests of the read-ahead thread: its COPY text, counters and
 *		totals are byte for byte those of the plain loop over the same
 *		files, across file ends, a rejected row and small chunks; a reader
 *		error stops it at the right line; stopping it while it runs frees
 *		everything.  Also built alone with ThreadSanitizer (make unit-tsan).
 *
 * IDENTIFICATION
 *		test/unit/test_cur_pipe.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "cur_pipe.h"

static const char header[] =
"bill_billing_entity,bill_payer_account_id,bill_billing_period_start_date,"
"identity_line_item_id,line_item_line_item_type,line_item_usage_start_date,"
"line_item_usage_end_date,line_item_usage_account_id,line_item_product_code,"
"line_item_usage_type,line_item_usage_amount,line_item_unblended_cost,"
"line_item_iam_principal,pricing_unit,tags\n";

/*
 * A CSV of n rows: two in three Bedrock, the rest EC2; the row numbered
 * bad (if >= 0) has an invalid cost, the one numbered ragged (if >= 0)
 * misses fields.  Returns malloc'd text.
 */
static char *
make_csv(int n, int seed, int bad, int ragged, size_t *len)
{
	size_t		cap = sizeof(header) + (size_t) n * 400;
	char	   *s = malloc(cap);
	size_t		o = 0;

	o += snprintf(s + o, cap - o, "%s", header);
	for (int i = 0; i < n; i++)
	{
		bool		bedrock = (i % 3) != 2;

		if (i == ragged)
		{
			o += snprintf(s + o, cap - o, "AWS,111122223333,2026-04-01T00:00:00Z\n");
			continue;
		}
		o += snprintf(s + o, cap - o,
					  "AWS,111122223333,2026-04-01T00:00:00Z,id%d-%d,Usage,"
					  "2026-04-02T%02d:00:00Z,2026-04-02T%02d:00:00Z,111122223333,%s,%s,"
					  "%d.%03d,%s,arn:aws:iam::111122223333:user/u%d,%s,"
					  "\"{\"\"iamPrincipal/team\"\":\"\"t%d\"\"}\"\n",
					  seed, i, i % 23, i % 23 + 1, bedrock ? "AmazonBedrock" : "AmazonEC2",
					  bedrock ? "USE1-Claude4.6Sonnet-input-tokens" : "BoxUsage",
					  i % 1000, (i * 7) % 1000, i == bad ? "12.3.4e" : "0.000123",
					  i % 17, bedrock ? "1K tokens" : "Hrs", i % 5);
	}
	*len = o;
	return s;
}

/* the totals of a transformation as text, for comparing two runs */
static char *
totals_text(const bc_xf *x)
{
	bc_buf		b,
				sum;
	char	   *out;

	bc_buf_init(&b);
	bc_buf_init(&sum);
	for (int i = 0; i < x->ntotals; i++)
	{
		bc_buf_reset(&sum);
		bc_xsum_text(&x->totals[i].unblended, &sum);
		bc_buf_printf(&b, "%s/%d/%lld/%lld/%.*s;", x->totals[i].line_item_type,
					  (int) x->totals[i].is_bedrock, (long long) x->totals[i].rows,
					  (long long) x->totals[i].rejected_rows, (int) sum.len,
					  sum.data ? sum.data : "");
	}
	bc_buf_printf(&b, "read=%lld loaded=%lld other=%lld rejected=%lld usage=%d",
				  (long long) x->rows_read, (long long) x->rows_loaded,
				  (long long) x->rows_other, (long long) x->rows_rejected, x->nusage);
	out = strdup(b.data);
	bc_buf_free(&sum);
	bc_buf_free(&b);
	return out;
}

/* the plain loop over files: text and totals, rejected rows tolerated */
static void
run_plain(const char *const *files, const size_t *lens, int nfiles,
		  bc_buf *text, char **totals)
{
	bc_xf		x;
	bc_cur_row	row;
	bc_cur_error e;

	bc_xf_init(&x, "2026-04-01");
	for (int f = 0; f < nfiles; f++)
	{
		bc_cur_reader *r = NULL;

		bc_cur_open_memory(&r, files[f], lens[f], 0, &e);
		bc_xf_set_file(&x, 3, 9, f + 1);
		while (bc_cur_next(r, &row) == BC_CUR_ROW)
		{
			if (bc_xf_row(&x, &row, text) == BC_XF_REJECT)
				bc_xf_reject(&x, &row);
		}
		bc_cur_close(r);
	}
	*totals = totals_text(&x);
	bc_xf_free(&x);
}

/* the next chunk, waiting as long as it takes */
static bc_pipe_chunk *
take(bc_pipe *p)
{
	bc_pipe_chunk *c;

	while ((c = bc_pipe_take(p, 1000)) == NULL)
		;
	return c;
}

UNIT_TEST(pipe_same_as_plain)
{
	size_t		lens[3];
	const char *files[3];
	char	   *f0 = make_csv(5000, 1, 1234, -1, &lens[0]);
	char	   *f1 = make_csv(1, 2, -1, -1, &lens[1]);
	char	   *f2 = make_csv(7000, 3, -1, -1, &lens[2]);
	bc_buf		plain,
				piped;
	char	   *plain_totals,
			   *piped_totals;
	bc_pipe		p;
	bc_xf		x;
	bc_cur_row	row;
	bc_cur_error e;
	bc_cur_reader *r = NULL;
	int			f = 0,
				chunks = 0,
				rejects = 0,
				eofs = 0;
	int64_t		last_read = 0;

	files[0] = f0;
	files[1] = f1;
	files[2] = f2;
	bc_buf_init(&plain);
	run_plain(files, lens, 3, &plain, &plain_totals);

	bc_buf_init(&piped);
	bc_xf_init(&x, "2026-04-01");
	CHECK_INT_EQ(bc_pipe_start(&p, &x, &row, 1000), 0);
	bc_cur_open_memory(&r, files[0], lens[0], 0, &e);
	bc_xf_set_file(&x, 3, 9, 1);
	bc_pipe_feed(&p, r);
	for (;;)
	{
		bc_pipe_chunk *c = take(&p);

		chunks++;
		bc_buf_put(&piped, c->text.data ? c->text.data : "", c->text.len);
		CHECK(c->rows_read >= last_read);
		last_read = c->rows_read;
		if (c->stop == BC_PIPE_REJECT)
		{
			rejects++;
			CHECK_INT_EQ(x.reject_col, BC_COL_LINE_ITEM_UNBLENDED_COST);
			CHECK_INT_EQ((int) row.line, 1234 + 2);
			bc_xf_reject(&x, &row);
			bc_pipe_release(&p);
			bc_pipe_feed(&p, NULL);
			continue;
		}
		if (c->stop == BC_PIPE_EOF)
		{
			eofs++;
			CHECK_INT_EQ((int) c->bytes_in, (int) lens[f]);
			bc_pipe_release(&p);
			bc_cur_close(r);
			if (++f == 3)
				break;
			bc_cur_open_memory(&r, files[f], lens[f], 0, &e);
			bc_xf_set_file(&x, 3, 9, f + 1);
			bc_pipe_feed(&p, r);
			continue;
		}
		CHECK_INT_EQ(c->stop, BC_PIPE_MORE);
		bc_pipe_release(&p);
	}
	bc_pipe_stop(&p);
	piped_totals = totals_text(&x);

	CHECK_INT_EQ(rejects, 1);
	CHECK_INT_EQ(eofs, 3);
	CHECK(chunks > 100);		/* 1000-byte chunks: many handovers */
	CHECK_INT_EQ((int) piped.len, (int) plain.len);
	CHECK(piped.len > 0 && memcmp(piped.data, plain.data, plain.len) == 0);
	CHECK_STR_EQ(piped_totals, plain_totals);
	CHECK_STR_EQ(piped_totals,
				 "Usage/1/8001/1/0.984123;Usage/0/3999/0/0.491877;"
				 "read=12001 loaded=8001 other=3999 rejected=1 usage=1");

	bc_xf_free(&x);
	bc_buf_free(&plain);
	bc_buf_free(&piped);
	free(plain_totals);
	free(piped_totals);
	free(f0);
	free(f1);
	free(f2);
}

UNIT_TEST(pipe_reader_error)
{
	size_t		len;
	char	   *f0 = make_csv(3000, 4, -1, 2500, &len);
	bc_pipe		p;
	bc_xf		x;
	bc_cur_row	row;
	bc_cur_error e;
	bc_cur_reader *r = NULL;
	bc_pipe_chunk *c;
	int64_t		rows = 0;

	bc_xf_init(&x, "2026-04-01");
	CHECK_INT_EQ(bc_pipe_start(&p, &x, &row, 65536), 0);
	bc_cur_open_memory(&r, f0, len, 0, &e);
	bc_pipe_feed(&p, r);
	for (;;)
	{
		c = take(&p);
		rows = c->rows_read;
		if (c->stop != BC_PIPE_MORE)
			break;
		bc_pipe_release(&p);
	}
	CHECK_INT_EQ(c->stop, BC_PIPE_READ_ERROR);
	CHECK_INT_EQ(c->status, BC_CUR_ERR_RAGGED);
	CHECK_INT_EQ((int) bc_cur_error_get(r)->line, 2500 + 2);
	CHECK_INT_EQ((int) rows, 2500);
	bc_pipe_stop(&p);
	bc_cur_close(r);
	bc_xf_free(&x);
	free(f0);
}

UNIT_TEST(pipe_stop_while_running)
{
	size_t		len;
	char	   *f0 = make_csv(20000, 5, -1, -1, &len);
	bc_pipe		p;
	bc_xf		x;
	bc_cur_row	row;
	bc_cur_error e;
	bc_cur_reader *r = NULL;
	bc_pipe_chunk *c;

	/* never fed: stops at once */
	bc_xf_init(&x, "2026-04-01");
	CHECK_INT_EQ(bc_pipe_start(&p, &x, &row, 4096), 0);
	CHECK(bc_pipe_take(&p, 10) == NULL);
	bc_pipe_stop(&p);
	bc_pipe_stop(&p);			/* idempotent */

	/* stopped with a chunk held and the thread busy */
	CHECK_INT_EQ(bc_pipe_start(&p, &x, &row, 4096), 0);
	bc_cur_open_memory(&r, f0, len, 0, &e);
	bc_pipe_feed(&p, r);
	c = take(&p);
	CHECK_INT_EQ(c->stop, BC_PIPE_MORE);
	CHECK(c->text.len >= 4096);
	bc_pipe_stop(&p);
	CHECK(!p.started);
	bc_cur_close(r);
	bc_xf_free(&x);
	free(f0);
}
