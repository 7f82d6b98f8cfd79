/*-------------------------------------------------------------------------
 *
 * gen_export.c
 *		Writes deliveries in the AWS Data Exports layout: gzip CSV chunks,
 *		manifests, stale chunks of shrunk restatements, injected faults, and
 *		the delivery and fault indexes of the ground truth.
 *
 *	 overwrite:  <export>/data/BILLING_PERIOD=YYYY-MM/<export>-0000N.csv.gz
 *				 <export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json
 *	 create-new: <export>/data/BILLING_PERIOD=YYYY-MM/<stamp>-<execution-id>/...
 *				 <export>/metadata/BILLING_PERIOD=YYYY-MM/<stamp>-<execution-id>/<export>-Manifest.json
 *				 plus the overwritten latest copy in metadata/BILLING_PERIOD=YYYY-MM/
 *
 * IDENTIFICATION
 *		src/tools/gen_export.c
 *
 *-------------------------------------------------------------------------
 */
#include "gen.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

extern void bc_gen_export_run(const gen_config *cfg);

static FILE *deliveries_csv;
static FILE *faults_csv;

/* one delivery being written */
typedef struct delivery
{
	const gen_config *cfg;
	int			year,
				month;
	char		period[24];		/* YYYY-MM */
	int			seq;			/* 1-based delivery number within the period */
	int			latest;
	long		nrows;
	long		chunk_rows;
	int			nchunks;
	char		exec_id[40];
	char		stamp[64];
	char		data_rel[512];	/* data folder, relative to the export */
	char		meta_rel[512];
	int			order[GEN_NCOL];	/* header order: column ids present */
	int			ncols;
	int			fault;			/* fault injected into this delivery */
	int			last_period;	/* of the last billing period (--through-day) */
} delivery;

/* days of a month */
static int
days_in_month(int year, int month)
{
	static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return md[month - 1] + (month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0));
}

/* choose the columns of the export and their order for one delivery */
static void
choose_columns(delivery *d, gen_rng *r)
{
	const gen_config *cfg = d->cfg;
	int			c,
				n = 0,
				i;

	for (c = 0; c < GEN_NCOL; c++)
	{
		int			g = bc_gen_columns[c].group;

		if (cfg->colset >= 1 && (g == GG_CAPRES || g == GG_SPLIT))
			continue;
		if (cfg->colset >= 2 && (g == GG_RESOURCE || g == GG_NET))
			continue;
		if (d->fault == GF_MISSING_COLUMN && c == C_line_item_unblended_cost)
			continue;
		d->order[n++] = c;
	}
	d->ncols = n;
	if (cfg->shuffle)
		for (i = n - 1; i > 0; i--)
		{
			int			j = (int) gen_below(r, (uint64_t) i + 1),
						tmp = d->order[i];

			d->order[i] = d->order[j];
			d->order[j] = tmp;
		}
}

/* open one gzip chunk for writing */
static gzFile
open_chunk(const delivery *d, int k, char *path, size_t pathsz)
{
	char		mode[8];
	gzFile		gz;

	snprintf(path, pathsz, "%s/%s/%s/%s-%05d.csv.gz", d->cfg->out, d->cfg->export_name,
			 d->data_rel, d->cfg->export_name, k);
	snprintf(mode, sizeof(mode), "wb%d", d->cfg->gzip_level);
	gz = gzopen(path, mode);
	if (!gz)
		bc_gen_die("cannot write %s", path);
	gzbuffer(gz, 1 << 18);
	return gz;
}

/* write and empty the buffer into the chunk */
static void
flush_buf(gzFile gz, bc_gen_buf *b, const char *path)
{
	if (b->len > 0 && gzwrite(gz, b->data, (unsigned) b->len) != (int) b->len)
		bc_gen_die("error writing %s", path);
	b->len = 0;
}

/* append the header line */
static void
put_header(const delivery *d, bc_gen_buf *b)
{
	int			i;

	for (i = 0; i < d->ncols; i++)
	{
		if (i)
			bc_gen_buf_putc(b, ',');
		bc_gen_buf_puts(b, bc_gen_columns[d->order[i]].name);
	}
	bc_gen_buf_puts(b, d->cfg->crlf ? "\r\n" : "\n");
}

/* append one data line; `drop` trailing fields are left out (ragged row) */
static void
put_row(const delivery *d, bc_gen_buf *b, const char **f, const size_t *fl, int drop)
{
	int			i;

	for (i = 0; i < d->ncols - drop; i++)
	{
		int			c = d->order[i];
		size_t		n = fl[c] == (size_t) -1 ? strlen(f[c]) : fl[c];
		const char *t = bc_gen_columns[c].type;
		/* map columns: JSON in a quoted field, the empty map bare */
		int			q = t[0] == 'm' && !(n == 2 && f[c][0] == '{');

		if (i)
			bc_gen_buf_putc(b, ',');
		bc_gen_csv_field(b, f[c], n, q);
	}
	bc_gen_buf_puts(b, d->cfg->crlf ? "\r\n" : "\n");
}

/* record one fault in faults.csv */
static void
note_fault(const delivery *d, const char *file, long line, const char *column,
		   const char *note, const gen_row_truth *rt)
{
	char		b[BC_GEN_DEC_BUFSZ];

	fprintf(faults_csv, "%s,%s-01,%d,%s,%s,", bc_gen_fault_names[d->fault], d->period,
			d->seq, d->exec_id, file);
	if (line > 0)
		fprintf(faults_csv, "%ld", line);
	fprintf(faults_csv, ",%s,\"%s\",", column ? column : "", note);
	if (rt)
	{
		bc_gen_fmt_decimal(b, rt->cost, GEN_COST_SCALE, BC_GEN_DEC_FIXED);
		fputs(b, faults_csv);
	}
	fputc('\n', faults_csv);
}

/* write the manifest of a delivery into one metadata folder */
static void
write_manifest(const delivery *d, const char *meta_rel, int nfiles)
{
	const gen_config *cfg = d->cfg;
	char		dir[4096],
				path[4200];
	FILE	   *f;
	int			i,
				ny = d->year,
				nm = d->month + 1;

	if (nm > 12)
	{
		nm = 1;
		ny++;
	}
	snprintf(dir, sizeof(dir), "%s/%s/%s", cfg->out, cfg->export_name, meta_rel);
	bc_gen_mkdirs(dir);
	snprintf(path, sizeof(path), "%s/%s-Manifest.json", dir, cfg->export_name);
	f = fopen(path, "w");
	if (!f)
		bc_gen_die("cannot write %s", path);
	fprintf(f, "{\n  \"executionId\": \"%s\",\n", d->exec_id);
	fprintf(f, "  \"billingPeriod\": {\n    \"start\": \"%04d%02d01T000000.000Z\",\n"
			"    \"end\": \"%04d%02d01T000000.000Z\"\n  },\n", d->year, d->month, ny, nm);
	fprintf(f, "  \"dataFiles\": [");
	for (i = 1; i <= nfiles; i++)
		fprintf(f, "%s\n    \"%s/%s/%s/%s-%05d.csv.gz\"", i > 1 ? "," : "", cfg->s3_prefix,
				cfg->export_name, d->data_rel, cfg->export_name, i);
	fprintf(f, "\n  ],\n  \"columns\": [");
	/* the export's columns in header order (a column a faulty delivery lacks stays listed) */
	for (i = 0; i <= d->ncols; i++)
	{
		int			c;

		if (i == d->ncols && d->fault != GF_MISSING_COLUMN)
			break;
		c = i < d->ncols ? d->order[i] : C_line_item_unblended_cost;
		fprintf(f, "%s\n    {\"name\": \"%s\", \"type\": \"%s\"}", i ? "," : "",
				bc_gen_columns[c].name, bc_gen_columns[c].type);
	}
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f) != 0)
		bc_gen_die("error writing %s", path);
}

/* overwrite mode: chunks past the new count become empty gzip files */
static int
empty_stale_chunks(const delivery *d)
{
	char		path[4096];
	int			k,
				n = 0;

	for (k = d->nchunks + 1;; k++)
	{
		gzFile		gz;

		snprintf(path, sizeof(path), "%s/%s/%s/%s-%05d.csv.gz", d->cfg->out,
				 d->cfg->export_name, d->data_rel, d->cfg->export_name, k);
		if (access(path, F_OK) != 0)
			break;
		gz = gzopen(path, "wb");
		if (!gz || gzclose(gz) != Z_OK)
			bc_gen_die("cannot empty %s", path);
		n++;
	}
	return n;
}

/* damage a written chunk: truncate it, or flip bytes in its middle */
static void
damage_file(const char *path, int truncate_it)
{
	struct stat st;
	FILE	   *f;
	long		mid,
				i;

	if (stat(path, &st) != 0)
		bc_gen_die("cannot stat %s", path);
	mid = (long) st.st_size / 2;
	if (truncate_it)
	{
		if (truncate(path, mid) != 0)
			bc_gen_die("cannot truncate %s", path);
		return;
	}
	f = fopen(path, "r+b");
	if (!f)
		bc_gen_die("cannot open %s", path);
	for (i = 0; i < 16 && mid + i < (long) st.st_size; i++)
	{
		int			c;

		fseek(f, mid + i, SEEK_SET);
		c = fgetc(f);
		fseek(f, mid + i, SEEK_SET);
		fputc(c ^ 0xA5, f);
	}
	fclose(f);
}

/* generate and write one delivery; returns nothing, records indexes */
static void
write_delivery(delivery *d, const gen_world *w, gen_truth *t)
{
	const gen_config *cfg = d->cfg;
	gen_rng		r;
	gen_rowctx	ctx;
	bc_gen_buf	b = {0};
	const char *f[GEN_NCOL];
	size_t		fl[GEN_NCOL];
	gen_row_truth rt,
				fault_rt;
	char		path[4096],
				first_path[4096],
				rel_first[1024],
				dir[4096];
	gzFile		gz = NULL;
	long		i,
				in_chunk = 0;
	int			k = 0,
				stale = 0;
	uint64_t	x = cfg->seed * 1000003ULL + (uint64_t) (d->year * 12 + d->month) * 101 + (uint64_t) d->seq;

	gen_rng_seed(&r, gen_splitmix(&x));
	memset(&ctx, 0, sizeof(ctx));
	memset(&fault_rt, 0, sizeof(fault_rt));
	ctx.cfg = cfg;
	ctx.world = w;
	ctx.year = d->year;
	ctx.month = d->month;
	ctx.ndays = days_in_month(d->year, d->month);
	ctx.usage_days = d->last_period && cfg->through_day > 0 ? cfg->through_day : ctx.ndays;
	ctx.last_period = d->last_period;
	if (w->nplanted > 0 && d->nrows < (long) w->nplanted * ctx.usage_days + 200)
		bc_gen_die("--spikes %d needs at least %ld rows per delivery", w->nplanted,
				   (long) w->nplanted * ctx.usage_days + 200);
	ctx.nrows = d->nrows;
	ctx.bill_ms = (int) gen_below(&r, 2);
	ctx.final_invoice = !d->latest ? 0 : (d->seq > 1);
	ctx.fault = d->fault;
	ctx.fault_col = -1;
	ctx.fault_row = d->fault != GF_NONE ? (d->chunk_rows < d->nrows ? d->chunk_rows : d->nrows) / 2 : -1;
	/*
	 * execution id (UUID form) and delivery time stamp: distinct for other
	 * export names, sizes or faults, so two generated exports loaded into one
	 * database never share an execution id
	 */
	{
		gen_rng		ir;
		uint64_t	h = x ^ 0xcbf29ce484222325ULL;
		const char *c;

		for (c = cfg->export_name; *c; c++)
			h = (h ^ (unsigned char) *c) * 0x100000001b3ULL;
		h = (h ^ (uint64_t) d->nrows) * 0x100000001b3ULL;
		h = (h ^ (uint64_t) d->fault) * 0x100000001b3ULL;
		h = (h ^ (uint64_t) cfg->colset) * 0x100000001b3ULL;
		gen_rng_seed(&ir, h);
		snprintf(d->exec_id, sizeof(d->exec_id), "%08x-%04x-4%03x-%04x-%012llx",
				 (unsigned) gen_below(&ir, 0xFFFFFFFFULL), (unsigned) gen_below(&ir, 0x10000),
				 (unsigned) gen_below(&ir, 0x1000), (unsigned) (0x8000 | gen_below(&ir, 0x4000)),
				 (unsigned long long) gen_below(&ir, 0x1000000000000ULL));
	}
	{
		int			sy = d->year,
					sm = d->month + 1;

		if (sm > 12)
		{
			sm = 1;
			sy++;
		}
		snprintf(d->stamp, sizeof(d->stamp), "%04d%02d%02dT%02d%02d%02dZ", sy, sm, 1 + d->seq * 2,
				 (int) gen_below(&r, 24), (int) gen_below(&r, 60), (int) gen_below(&r, 60));
	}
	if (cfg->create_new)
	{
		snprintf(d->data_rel, sizeof(d->data_rel), "data/BILLING_PERIOD=%s/%s-%s", d->period, d->stamp, d->exec_id);
		snprintf(d->meta_rel, sizeof(d->meta_rel), "metadata/BILLING_PERIOD=%s/%s-%s", d->period, d->stamp, d->exec_id);
	}
	else
	{
		snprintf(d->data_rel, sizeof(d->data_rel), "data/BILLING_PERIOD=%s", d->period);
		snprintf(d->meta_rel, sizeof(d->meta_rel), "metadata/BILLING_PERIOD=%s", d->period);
	}
	snprintf(dir, sizeof(dir), "%s/%s/%s", cfg->out, cfg->export_name, d->data_rel);
	bc_gen_mkdirs(dir);
	choose_columns(d, &r);
	d->nchunks = (int) ((d->nrows + d->chunk_rows - 1) / d->chunk_rows);
	if (d->nchunks == 0)
		d->nchunks = 1;

	bc_gen_truth_reset(t);
	if (cfg->gateway_log && d->latest)
		bc_gen_gateway_begin(ctx.usage_days);
	for (i = 0; i < d->nrows || k == 0; i++)
	{
		if (gz == NULL || in_chunk == d->chunk_rows)
		{
			if (gz)
			{
				flush_buf(gz, &b, path);
				if (gzclose(gz) != Z_OK)
					bc_gen_die("error closing %s", path);
			}
			gz = open_chunk(d, ++k, path, sizeof(path));
			if (k == 1)
			{
				snprintf(first_path, sizeof(first_path), "%s", path);
				snprintf(rel_first, sizeof(rel_first), "%s/%s-%05d.csv.gz", d->data_rel, cfg->export_name, 1);
				if (d->fault == GF_BOM)
					bc_gen_buf_put(&b, "\xEF\xBB\xBF", 3);
			}
			put_header(d, &b);
			in_chunk = 0;
		}
		if (i >= d->nrows)
			break;
		bc_gen_row(&ctx, &r, i, f, fl, &rt);
		bc_gen_truth_add(t, &rt);
		if (cfg->gateway_log && d->latest)
			bc_gen_gateway_add(w, &rt);
		put_row(d, &b, f, fl, (d->fault == GF_RAGGED_ROW && i == ctx.fault_row) ? 3 : 0);
		if (i == ctx.fault_row)
			fault_rt = rt;
		in_chunk++;
		if (b.len >= (1 << 20))
			flush_buf(gz, &b, path);
	}
	flush_buf(gz, &b, path);
	if (gzclose(gz) != Z_OK)
		bc_gen_die("error closing %s", path);
	bc_gen_buf_free(&b);
	d->nchunks = k;
	if (!cfg->create_new)
		stale = empty_stale_chunks(d);

	/* file-level faults and the fault index */
	switch (d->fault)
	{
		case GF_NONE:
			break;
		case GF_TRUNCATED_GZIP:
			damage_file(first_path, 1);
			note_fault(d, rel_first, 0, NULL, "gzip file cut to half its size", NULL);
			break;
		case GF_CORRUPT_BYTES:
			damage_file(first_path, 0);
			note_fault(d, rel_first, 0, NULL, "16 compressed bytes in the middle XORed with 0xA5", NULL);
			break;
		case GF_MISSING_FILE:
			{
				char		rel[1024];

				snprintf(path, sizeof(path), "%s/%s/%s/%s-%05d.csv.gz", cfg->out, cfg->export_name,
						 d->data_rel, cfg->export_name, d->nchunks);
				snprintf(rel, sizeof(rel), "%s/%s-%05d.csv.gz", d->data_rel, cfg->export_name, d->nchunks);
				if (unlink(path) != 0)
					bc_gen_die("cannot remove %s", path);
				note_fault(d, rel, 0, NULL, "listed in the manifest but not on disk", NULL);
				break;
			}
		case GF_BOM:
			note_fault(d, rel_first, 1, NULL, "file starts with the UTF-8 byte order mark EF BB BF", NULL);
			break;
		case GF_MISSING_COLUMN:
			note_fault(d, rel_first, 1, "line_item_unblended_cost",
					   "column absent from the header and rows of every chunk of the delivery (the manifest still lists it)", NULL);
			break;
		default:
			{
				/* the chunk and line of the row (a Bedrock-only fault may have moved it) */
				char		rel[1024];

				snprintf(rel, sizeof(rel), "%s/%s-%05d.csv.gz", d->data_rel, cfg->export_name,
						 (int) (ctx.fault_row / d->chunk_rows) + 1);
				note_fault(d, rel, ctx.fault_row % d->chunk_rows + 2,
						   ctx.fault_col >= 0 ? bc_gen_columns[ctx.fault_col].name : NULL,
						   ctx.fault_note, &fault_rt);
				break;
			}
	}

	write_manifest(d, d->meta_rel, d->nchunks);
	if (cfg->create_new)
	{
		char		top[600];

		snprintf(top, sizeof(top), "metadata/BILLING_PERIOD=%s", d->period);
		write_manifest(d, top, d->nchunks);
	}
	bc_gen_truth_write(t, w, d->period, d->exec_id, d->seq, d->latest);
	if (cfg->gateway_log && d->latest)
	{
		snprintf(path, sizeof(path), "%s/%s", cfg->out, cfg->export_name);
		bc_gen_gateway_write(path, d->year, d->month);
	}
	bc_gen_truth_series_end(t, d->latest);
	fprintf(deliveries_csv, "%s-01,%d,%s,%s,%s,%s,%s/%s-Manifest.json,%d,%d,%ld,%d,%s,%s\n",
			d->period, d->seq, d->exec_id, d->latest ? "t" : "f",
			cfg->create_new ? "create-new" : "overwrite", d->data_rel, d->meta_rel,
			cfg->export_name, d->nchunks, stale, d->nrows, d->ncols,
			cfg->colset == 0 ? "full" : cfg->colset == 1 ? "default" : "minimal",
			bc_gen_fault_names[d->fault]);
	if (!cfg->quiet)
		fprintf(stderr, "%s delivery %d (%s): %ld rows, %d chunks%s\n", d->period, d->seq,
				d->exec_id, d->nrows, d->nchunks, stale ? ", stale chunks emptied" : "");
}

/* generate the whole export */
void
bc_gen_export_run(const gen_config *cfg)
{
	gen_world	w;
	gen_truth	t;
	char		dir[4096],
				path[4200];
	int			p;

	bc_gen_world_build(&w, cfg->seed, cfg->principals, cfg->spikes);
	bc_gen_truth_init(&t, w.nprincipals, w.nplanted);
	snprintf(dir, sizeof(dir), "%s/%s/ground_truth", cfg->out, cfg->export_name);
	bc_gen_truth_open(dir);
	snprintf(path, sizeof(path), "%s/deliveries.csv", dir);
	deliveries_csv = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/faults.csv", dir);
	faults_csv = fopen(path, "w");
	if (!deliveries_csv || !faults_csv)
		bc_gen_die("cannot write %s", dir);
	fprintf(deliveries_csv, "billing_period,delivery,execution_id,latest,mode,data_folder,manifest,"
			"files,stale_files,rows,columns,column_set,fault\n");
	fprintf(faults_csv, "fault,billing_period,delivery,execution_id,file,line,column,description,row_cost\n");

	for (p = 0; p < cfg->periods; p++)
	{
		delivery	d;
		int			ndel = (cfg->restate && p == 0) ? 2 : 1,
					seq;

		for (seq = 1; seq <= ndel; seq++)
		{
			if (cfg->initial_only && seq == 2)
				break;
			memset(&d, 0, sizeof(d));
			d.cfg = cfg;
			d.month = cfg->start_month + p;
			d.year = cfg->start_year + (d.month - 1) / 12;
			d.month = (d.month - 1) % 12 + 1;
			snprintf(d.period, sizeof(d.period), "%04d-%02d", d.year, d.month);
			d.seq = seq;
			d.latest = seq == ndel || (cfg->initial_only && seq == 1);
			d.nrows = cfg->rows;
			d.chunk_rows = cfg->chunk_rows;
			if (seq < ndel)
			{
				/* the earlier, larger delivery: 30% more rows over one more chunk */
				long		final_chunks = (cfg->rows + cfg->chunk_rows - 1) / cfg->chunk_rows;

				if (final_chunks < 1)
					final_chunks = 1;
				d.nrows = cfg->rows + cfg->rows * 3 / 10 + 1;
				d.chunk_rows = (d.nrows + final_chunks) / (final_chunks + 1);
				if (d.chunk_rows < 1)
					d.chunk_rows = 1;
			}
			d.fault = (p == cfg->periods - 1 && d.latest) ? cfg->fault : GF_NONE;
			d.last_period = p == cfg->periods - 1;
			write_delivery(&d, &w, &t);
		}
		/* the budgets and spikes are planted in the last period's final delivery */
		if (p == cfg->periods - 1)
		{
			int			ndays = days_in_month(d.year, d.month);

			bc_gen_truth_budgets(&t, &w, d.period, ndays);
			bc_gen_truth_spikes(&t, &w, d.period, cfg->through_day > 0 ? cfg->through_day : ndays);
		}
	}
	bc_gen_truth_close();
	free(t.prin);
	free(t.sku_region);
	free(t.lit);
	free(t.prin_sku);
	free(t.series_cost);
	free(t.series_tokens);
	free(w.principals);
	if (fclose(deliveries_csv) != 0 || fclose(faults_csv) != 0)
		bc_gen_die("error writing %s", dir);
}
