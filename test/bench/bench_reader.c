/*-------------------------------------------------------------------------
 *
 * bench_reader.c
 *		Throughput of the core CUR reader on real files, and an exact
 *		cross-check of totals.
 *
 *	 bench_reader [--full | --transform [--text] [--summary]] [--manifest M EXPORT_DIR] [FILE...]
 *	 bench_reader --generate N FILE.csv.gz
 *
 * Reads every file (or every data file of the manifest, mapped under
 * EXPORT_DIR), counts rows and sums line_item_unblended_cost and
 * line_item_net_unblended_cost exactly.  With --full it also does the
 * per-row work the loader does in the core: decimal checks of usage
 * amount and costs, timestamps parsed, billing period, validation of
 * the tags map and lookup of product_name in product.
 *
 * With --transform every row goes through the loader's row transformation
 * (bc_xf_row, as load_export and bedrock-cost-load run it: binary COPY
 * rows, or text lines with --text; a rejected row counted by
 * bc_xf_reject), in the billing period of the first row read; the
 * transformation's counters are printed.  Its instruction count under
 * valgrind --tool=callgrind is a deterministic measure of the row path.
 * --summary (implies --transform) also keeps the delivery's chargeback
 * summary (bc_xf_set_summary, cur_summary.h), as the loader does, then
 * writes its binary COPY rows in 128 KiB chunks; its groups, the bytes it
 * held and the time and bytes of that writing are printed.  The CPU
 * seconds of the reading (and transforming and summarizing, not the
 * writing of the summary) are printed last.
 *
 * --generate writes a synthetic CUR-like gzip file of N rows (131 columns,
 * JSON map fields, a quoted comma field, about 600 bytes a row) so the
 * benchmark needs nothing else; its expected unblended total is printed.
 *
 * Build (from the top of the tree):
 *		cc -O2 -Isrc/core -o bench_reader test/bench/bench_reader.c src/core/[a-z]*.c -lz -lcsv
 *
 * IDENTIFICATION
 *		test/bench/bench_reader.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "cur_json.h"
#include "cur_reader.h"
#include "cur_summary.h"
#include "cur_time.h"
#include "cur_transform.h"
#include "manifest.h"

static bool full;
static bool transform;
static bool text_rows;
static bool summary;
static bool xf_ready;
static bc_xf xf;
static bc_buf xf_out;
static long nrows;
static long nbad;
static bc_xsum total_cost;
static bc_xsum total_net;
static unsigned long long bytes_in;
static unsigned long long bytes_out;

/* add a cost field to a total */
static void
add_field(const bc_cur_field *f, bc_xsum *total)
{
	if (f->null || f->len == 0)
		return;
	if (!bc_xsum_add(total, f->ptr, f->len))
		nbad++;
}

/* the per-row work of the loader */
static void
full_row(const bc_cur_row *row)
{
	bc_time		t;
	char		p[11];
	char		name[256];
	size_t		n;
	bool		found;
	bool		isnull;
	static const bc_cur_col nums[] = {BC_COL_LINE_ITEM_USAGE_AMOUNT, BC_COL_LINE_ITEM_UNBLENDED_COST,
	BC_COL_LINE_ITEM_NET_UNBLENDED_COST};
	static const bc_cur_col times[] = {BC_COL_LINE_ITEM_USAGE_START_DATE, BC_COL_LINE_ITEM_USAGE_END_DATE};

	for (int i = 0; i < 3; i++)
	{
		const bc_cur_field *f = &row->f[nums[i]];

		if (!f->null && !bc_xf_decimal_check(f->ptr, f->len))
			nbad++;
	}
	for (int i = 0; i < 2; i++)
	{
		const bc_cur_field *f = &row->f[times[i]];

		if (!bc_time_parse_cur(f->ptr, f->len, &t))
			nbad++;
	}
	if (!bc_xf_row_period(row, p))
		nbad++;
	if (bc_json_map_validate(row->f[BC_COL_TAGS].ptr, row->f[BC_COL_TAGS].len, NULL) != BC_JSON_OK)
		nbad++;
	if (bc_json_map_get(row->f[BC_COL_PRODUCT].ptr, row->f[BC_COL_PRODUCT].len, "product_name", 12,
						name, sizeof(name), &n, &found, &isnull, NULL) != BC_JSON_OK)
		nbad++;
}

/* the loader's row transformation of one row */
static void
transform_row(const bc_cur_row *row)
{
	if (!xf_ready)
	{
		char		period[11];

		if (!bc_xf_row_period(row, period) || !bc_xf_init(&xf, period))
		{
			fprintf(stderr, "no billing period in the first row\n");
			exit(1);
		}
		bc_xf_set_binary(&xf, !text_rows);
		if (summary && !bc_xf_set_summary(&xf, SIZE_MAX))
		{
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
		bc_xf_set_file(&xf, 1, 1, 1);
		bc_buf_init(&xf_out);
		xf_ready = true;
	}
	switch (bc_xf_row(&xf, row, &xf_out))
	{
		case BC_XF_REJECT:
			bc_xf_reject(&xf, row);
			break;
		case BC_XF_NOMEM:
			fprintf(stderr, "out of memory\n");
			exit(1);
		default:
			break;
	}
	/* hand the data on in chunks, as the delivery stream does */
	if (xf_out.len >= 131072)
		bc_buf_reset(&xf_out);
}

/* print what the summary held, and write its rows */
static void
report_summary(const bc_sum *s)
{
	struct timespec t0,
				t1;
	bc_buf		out;
	size_t		cursor = 0;
	size_t		written = 0;
	int64_t		groups = bc_sum_groups(s);

	printf("summary: %lld groups, %zu bytes, %.1f bytes/group%s%s\n",
		   (long long) groups, bc_sum_bytes(s),
		   groups > 0 ? (double) bc_sum_bytes(s) / groups : 0.0,
		   bc_sum_overflowed(s) ? ", overflowed" : "", bc_sum_nomem(s) ? ", out of memory" : "");
	bc_buf_init(&out);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (bc_sum_emit(s, &cursor, xf.period_year, xf.period_month, 1, 1, &out, 131072))
	{
		written += out.len;
		bc_buf_reset(&out);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("summary rows: %zu bytes of binary COPY in %.3f s\n", written,
		   (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	bc_buf_free(&out);
}

/* read one file; false on error */
static bool
read_file(const char *path)
{
	bc_cur_reader *r;
	bc_cur_error e;
	bc_cur_row row;
	bc_cur_status st;
	char		msg[1024];

	st = bc_cur_open_file(&r, path, 0, &e);
	if (st == BC_CUR_ERR_EMPTY)
		return true;
	if (st != BC_CUR_OK)
	{
		fprintf(stderr, "%s: %s\n", path, bc_cur_format_error(&e, msg, sizeof(msg)));
		return false;
	}
	while ((st = bc_cur_next(r, &row)) == BC_CUR_ROW)
	{
		nrows++;
		add_field(&row.f[BC_COL_LINE_ITEM_UNBLENDED_COST], &total_cost);
		add_field(&row.f[BC_COL_LINE_ITEM_NET_UNBLENDED_COST], &total_net);
		if (full)
			full_row(&row);
		if (transform)
			transform_row(&row);
	}
	bytes_in += bc_cur_bytes_in(r);
	bytes_out += bc_cur_bytes_out(r);
	if (st != BC_CUR_EOF)
		fprintf(stderr, "%s: %s\n", path, bc_cur_format_error(bc_cur_error_get(r), msg, sizeof(msg)));
	bc_cur_close(r);
	return st == BC_CUR_EOF;
}

/* the whole of a (small) file, malloc'd; false when it cannot be read */
static bool
slurp(const char *path, char **text, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	size_t		cap = 65536;
	size_t		n = 0;
	char	   *b = malloc(cap);

	if (f == NULL || b == NULL)
	{
		if (f)
			fclose(f);
		free(b);
		return false;
	}
	for (;;)
	{
		size_t		got = fread(b + n, 1, cap - n, f);

		n += got;
		if (n < cap)
			break;
		cap *= 2;
		b = realloc(b, cap);
		if (b == NULL)
		{
			fclose(f);
			return false;
		}
	}
	fclose(f);
	*text = b;
	*len = n;
	return true;
}

/* write a synthetic file of n rows; returns 0 on success */
static int
generate(long n, const char *path)
{
	gzFile		g = gzopen(path, "wb1");
	char		line[4096];
	long long	cents = 0;

	if (g == NULL)
		return 1;
	gzbuffer(g, 1 << 18);
	gzprintf(g, "bill_bill_type,bill_billing_entity,bill_invoicing_entity,bill_payer_account_id,"
			 "bill_billing_period_start_date,identity_line_item_id,identity_time_interval,"
			 "line_item_line_item_type,line_item_usage_start_date,line_item_usage_end_date,"
			 "line_item_usage_account_id,line_item_product_code,line_item_usage_type,"
			 "line_item_operation,line_item_usage_amount,line_item_unblended_cost,"
			 "line_item_unblended_rate,line_item_currency_code,line_item_iam_principal,"
			 "line_item_line_item_description,pricing_unit,product,tags");
	for (int c = 0; c < 108; c++)
		gzprintf(g, ",filler_%03d", c);
	gzputs(g, "\n");
	for (long i = 0; i < n; i++)
	{
		int			o;
		long		tokens = 1000 + (i * 7919) % 50000;
		long		cost = tokens * 3;	/* in units of 10^-6 */

		cents += cost;
		o = snprintf(line, sizeof(line),
					 "Anniversary,AWS,\"Amazon Web Services, Inc.\",111122223333,2026-04-01T00:00:00Z,"
					 "id%010ld,2026-04-01T00:00:00Z/2026-04-01T01:00:00Z,Usage,2026-04-01T00:00:00.000Z,"
					 "2026-04-01T01:00:00.000Z,4444555566%02ld,AmazonBedrock,USE1-Claude4.6Sonnet-input-tokens,"
					 "InvokeModel,%ld,%ld.%06ld,0.000003,USD,arn:aws:sts::444455556666:assumed-role/team-%ld/user%ld@example.com,"
					 "Claude input tokens,1K tokens,\"{\"\"product_name\"\":\"\"Amazon Bedrock\"\",\"\"region\"\":\"\"us-east-1\"\"}\","
					 "\"{\"\"iamPrincipal/team\"\":\"\"team-%ld\"\",\"\"iamPrincipal/cost-center\"\":\"\"%ld\"\"}\"",
					 i, i % 100, tokens, cost / 1000000, cost % 1000000, i % 13, i % 97, i % 13, 1000 + i % 13);
		for (int c = 0; c < 108; c++)
			line[o++] = ',';
		line[o++] = '\n';
		gzwrite(g, line, o);
	}
	if (gzclose(g) != Z_OK)
		return 1;
	printf("wrote %ld rows; expected unblended total %lld.%06lld\n", n, cents / 1000000, cents % 1000000);
	return 0;
}

int
main(int argc, char **argv)
{
	struct timespec t0,
				t1,
				cpu;
	double		secs;
	bc_buf		b1,
				b2;
	int			rc = 0;

	if (argc == 4 && strcmp(argv[1], "--generate") == 0)
		return generate(atol(argv[2]), argv[3]);
	bc_xsum_init(&total_cost);
	bc_xsum_init(&total_net);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "--full") == 0)
			full = true;
		else if (strcmp(argv[i], "--transform") == 0)
			transform = true;
		else if (strcmp(argv[i], "--text") == 0)
			text_rows = true;
		else if (strcmp(argv[i], "--summary") == 0)
			summary = transform = true;
		else if (strcmp(argv[i], "--manifest") == 0 && i + 2 < argc)
		{
			bc_manifest *m;
			bc_manifest_error e;
			char	   *text;
			size_t		len;

			if (!slurp(argv[i + 1], &text, &len))
			{
				fprintf(stderr, "%s: could not read it\n", argv[i + 1]);
				return 1;
			}
			if (bc_manifest_parse(text, len, &m, &e) != BC_MANIFEST_OK)
			{
				fprintf(stderr, "%s: %s: %s\n", argv[i + 1], e.message, e.detail);
				return 1;
			}
			free(text);
			printf("manifest %s period %s files %d columns %d\n", m->execution_id, m->billing_period,
				   m->nfiles, m->ncolumns);
			for (int f = 0; f < m->nfiles; f++)
			{
				char		path[4096];

				snprintf(path, sizeof(path), "%s/%s", argv[i + 2], m->files[f].local);
				if (!read_file(path))
					rc = 1;
			}
			bc_manifest_free(m);
			i += 2;
		}
		else if (!read_file(argv[i]))
			rc = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	bc_buf_init(&b1);
	bc_buf_init(&b2);
	bc_xsum_text(&total_cost, &b1);
	bc_xsum_text(&total_net, &b2);
	printf("rows %ld  bad %ld  unblended %s  net %s\n", nrows, nbad, b1.data, b2.data);
	if (xf_ready)
	{
		printf("transform: %lld loaded, %lld other, %lld rejected\n",
			   (long long) xf.rows_loaded, (long long) xf.rows_other,
			   (long long) xf.rows_rejected);
		if (bc_xf_summary(&xf) != NULL)
			report_summary(bc_xf_summary(&xf));
		bc_buf_free(&xf_out);
		bc_xf_free(&xf);
	}
	bc_buf_free(&b1);
	bc_buf_free(&b2);
	bc_xsum_free(&total_cost);
	bc_xsum_free(&total_net);
	printf("%.3f s  %.0f rows/s  %.1f MB/s uncompressed  (%llu bytes in, %llu out)\n",
		   secs, nrows / secs, bytes_out / secs / 1e6, bytes_in, bytes_out);
	printf("cpu %.3f s\n", cpu.tv_sec + cpu.tv_nsec / 1e9);
	return rc;
}
