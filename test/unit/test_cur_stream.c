/*-------------------------------------------------------------------------
 *
 * test_cur_stream.c
 *		Unit tests of the delivery stream shared by the server loader and
 *		bedrock-cost-load: the same COPY data, events and counters with and
 *		without the read-ahead thread across file ends; a tolerated and a
 *		failing rejected row with load_export's exact messages; a reader
 *		error at the right line; a file that is not what was expected
 *		(sha256); stopping mid-delivery; the billing period of a file; a
 *		file read from an open descriptor; an exact row count (the
 *		client's pause hook).  Also built with ThreadSanitizer.
 *
 * IDENTIFICATION
 *		test/unit/test_cur_stream.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "cur_stream.h"
#include "sha256.h"

#define NCOLS 14

static const char columns[] =
"line_item_usage_account_id,bill_billing_entity,bill_payer_account_id,"
"bill_billing_period_start_date,line_item_line_item_type,"
"line_item_usage_start_date,line_item_usage_end_date,line_item_product_code,"
"line_item_usage_type,pricing_unit,line_item_usage_amount,"
"line_item_unblended_cost,line_item_net_unblended_cost,identity_line_item_id\n";

/* a delivery's files in a temporary folder */
typedef struct files
{
	char		dir[64];
	int			n;
	char	   *path[4];
	char	   *text[4];
	size_t		len[4];
	int			fd[4];			/* opened once, as the delivery layer opens them */
} files;

/*
 * Add a file of n data rows: three in four Bedrock token rows, the others
 * EC2 hours; the rows numbered in bad[] (-1 ends it) have the cost
 * "12.3.4e", the one numbered short_row (if >= 0) lacks fields.
 */
static void
add_file(files *fs, const char *name, int n, const int *bad, int short_row,
		 const char *period)
{
	size_t		cap = sizeof(columns) + (size_t) n * 300 + 1;
	char	   *s = malloc(cap);
	size_t		o = 0;
	int			k = fs->n++;
	FILE	   *fp;

	o += snprintf(s + o, cap - o, "%s", columns);
	for (int i = 0; i < n; i++)
	{
		bool		bedrock = (i % 4) != 3;
		bool		is_bad = false;

		for (int b = 0; bad != NULL && bad[b] >= 0; b++)
			is_bad |= (bad[b] == i);
		if (i == short_row)
		{
			o += snprintf(s + o, cap - o, "444455556666,AWS\n");
			continue;
		}
		o += snprintf(s + o, cap - o,
					  "444455556666,AWS,111122223333,%s,Usage,2026-04-03T%02d:00:00Z,"
					  "2026-04-03T%02d:59:59Z,%s,%s,%s,%d,%s,0.%04d,%s-%d\n",
					  period, i % 24, i % 24,
					  bedrock ? "AmazonBedrock" : "AmazonEC2",
					  bedrock ? "USE1-TitanEmbeddings-input-tokens" : "USE1-BoxUsage:t3.micro",
					  bedrock ? "1K tokens" : "Hrs", 1 + i % 9,
					  is_bad ? "12.3.4e" : (i % 2 ? "0.0002" : "1.5E-3"),
					  i % 10000, name, i);
	}
	fs->path[k] = malloc(strlen(fs->dir) + strlen(name) + 2);
	sprintf(fs->path[k], "%s/%s", fs->dir, name);
	fs->text[k] = s;
	fs->len[k] = o;
	fp = fopen(fs->path[k], "wb");
	fwrite(s, 1, o, fp);
	fclose(fp);
	fs->fd[k] = open(fs->path[k], O_RDONLY);
}

static void
files_init(files *fs)
{
	memset(fs, 0, sizeof(*fs));
	strcpy(fs->dir, "/tmp/bc_stream_XXXXXX");
	if (mkdtemp(fs->dir) == NULL)
		abort();
}

static void
files_free(files *fs)
{
	for (int k = 0; k < fs->n; k++)
	{
		close(fs->fd[k]);
		unlink(fs->path[k]);
		free(fs->path[k]);
		free(fs->text[k]);
	}
	rmdir(fs->dir);
}

/* the stream's view of the files: their descriptors */
static bc_stream_file *
stream_files(const files *fs)
{
	bc_stream_file *f = calloc(fs->n, sizeof(bc_stream_file));

	for (int k = 0; k < fs->n; k++)
		bc_stream_file_set(&f[k], fs->fd[k], fs->path[k], NULL);
	return f;
}

/* what a run of the stream produced */
typedef struct run_result
{
	bc_buf		data;			/* the COPY data */
	bc_buf		log;			/* the events and counters */
	int64_t		rows_read;
	int64_t		rows_loaded;
	int64_t		rows_rejected;
	bc_stream_errkind kind;
	char	   *message;
	char	   *detail;
	bc_stream_where where;		/* of the failure */
	bc_stream_where first_reject;
	int			rejects;
} run_result;

static char *
dup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* copy a position */
static void
copy_where(bc_stream_where *to, const bc_stream_where *w)
{
	to->file = dup0(w->file);
	to->line = w->line;
	to->column = dup0(w->column);
	to->value = dup0(w->value);
	to->reason = dup0(w->reason);
	to->raw = dup0(w->raw);
}

static void
free_where(bc_stream_where *w)
{
	free(w->file);
	free(w->column);
	free(w->value);
	free(w->reason);
	free(w->raw);
}

static void
result_free(run_result *r)
{
	bc_buf_free(&r->data);
	bc_buf_free(&r->log);
	free(r->message);
	free(r->detail);
	free_where(&r->where);
	free_where(&r->first_reject);
}

/*
 * Run the stream over files f to its end (or failure), as the loaders
 * do: data sent before handling each event, rejected rows tolerated up to
 * max_rejected.  (unit_failed_ counts the failed checks of the test.)
 */
static void
run(bc_stream_file *f, int n, bool read_ahead, int max_rejected, run_result *r,
	int *unit_failed_)
{
	bc_stream	s;
	bc_xf		x;
	bc_stream_chunk c;
	bc_stream_event ev;

	memset(r, 0, sizeof(*r));
	bc_buf_init(&r->data);
	bc_buf_init(&r->log);
	if (!bc_xf_init(&x, "2026-04-01"))
		abort();
	if (bc_stream_start(&s, f, n, &x, 7, 42, read_ahead) != 0)
		abort();
	for (;;)
	{
		ev = bc_stream_next(&s, 1000, &c);
		if (ev == BC_STREAM_WAIT)
			continue;
		bc_buf_put(&r->data, c.data ? c.data : "", c.len);
		if (ev == BC_STREAM_FILE_START)
			bc_buf_printf(&r->log, "start %d at %llu;", c.file,
						  (unsigned long long) c.bytes_finished);
		else if (ev == BC_STREAM_FILE_DONE)
			bc_buf_printf(&r->log, "done %d %lld/%lld %llu %.8s; ", c.file,
						  (long long) f[c.file].rows_read, (long long) f[c.file].rows_loaded,
						  (unsigned long long) f[c.file].bytes_read, f[c.file].sha256);
		else if (ev == BC_STREAM_REJECT)
		{
			bc_buf_printf(&r->log, "reject %d line %lld after %lld;", c.file,
						  (long long) s.reject.line, (long long) c.rows_read);
			if (r->rejects++ == 0)
				copy_where(&r->first_reject, &s.reject);
			if (!bc_stream_tolerate(&s, max_rejected))
				ev = BC_STREAM_ERROR;
		}
		if (ev == BC_STREAM_ERROR)
		{
			bc_buf_printf(&r->log, "error after %lld", (long long) c.rows_read);
			r->kind = s.error.kind;
			r->message = dup0(s.error.message);
			r->detail = dup0(s.error.detail);
			if (s.error.has_where)
				copy_where(&r->where, &s.error.where);
			/* a failure is final */
			CHECK_INT_EQ(bc_stream_next(&s, 1000, &c), BC_STREAM_ERROR);
			break;
		}
		if (ev == BC_STREAM_END)
		{
			bc_buf_printf(&r->log, "end %lld", (long long) c.rows_read);
			CHECK_INT_EQ(bc_stream_next(&s, 1000, &c), BC_STREAM_END);
			break;
		}
	}
	bc_stream_close(&s);
	r->rows_read = x.rows_read;
	r->rows_loaded = x.rows_loaded;
	r->rows_rejected = x.rows_rejected;
	bc_xf_free(&x);
}

UNIT_TEST(stream_same_with_and_without_thread)
{
	static const int bad[] = {1234, -1};
	files		fs;
	bc_stream_file *f;
	const char *first_line =
		"2026-04-01\t7\t42\t1\t2\t2026-04-03T00:00:00Z\t2026-04-03T00:59:59Z\tUsage\t"
		"111122223333\t444455556666\tAWS\tAmazonBedrock\t\\N\t"
		"USE1-TitanEmbeddings-input-tokens\t\\N\t1K tokens\t1\t1e3\t1.5E-3\t0.0000\t\\N\t{}\ta.csv-0\t"
		"\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n";
	run_result	plain,
				piped;
	char		sha[3][65];
	char		expect[256];

	files_init(&fs);
	add_file(&fs, "a.csv", 5000, bad, -1, "2026-04-01T00:00:00Z");
	add_file(&fs, "b.csv", 1, NULL, -1, "2026-04-01T00:00:00Z");
	add_file(&fs, "c.csv", 7000, NULL, -1, "2026-04-01T00:00:00Z");
	for (int k = 0; k < 3; k++)
		bc_sha256_buffer_hex(fs.text[k], fs.len[k], sha[k]);

	f = stream_files(&fs);
	run(f, 3, false, 5, &plain, unit_failed_);
	for (int k = 0; k < 3; k++)
		CHECK_STR_EQ(f[k].sha256, sha[k]);
	free(f);
	f = stream_files(&fs);
	run(f, 3, true, 5, &piped, unit_failed_);
	free(f);

	CHECK(plain.data.len > 500000);
	CHECK_INT_EQ(piped.data.len, plain.data.len);
	CHECK(piped.data.len > 0 && memcmp(piped.data.data, plain.data.data, plain.data.len) == 0);
	CHECK_STR_EQ(piped.log.data, plain.log.data);
	snprintf(expect, sizeof(expect),
			 "start 0 at 0;reject 0 line 1236 after %d;done 0 5000/3749 %zu %.8s; "
			 "start 1 at %zu;done 1 1/1 %zu %.8s; "
			 "start 2 at %zu;done 2 7000/5250 %zu %.8s; end 12001",
			 1235, fs.len[0], sha[0], fs.len[0], fs.len[1], sha[1],
			 fs.len[0] + fs.len[1], fs.len[2], sha[2]);
	CHECK_STR_EQ(plain.log.data, expect);
	CHECK_INT_EQ(plain.rows_read, 12001);
	CHECK_INT_EQ(plain.rows_loaded, 3749 + 1 + 5250);
	CHECK_INT_EQ(plain.rows_rejected, 1);
	CHECK_INT_EQ(piped.rows_rejected, 1);
	CHECK_INT_EQ(plain.kind, BC_STREAM_ERR_NONE);

	/* the tolerated row, as load_errors keeps it */
	CHECK_INT_EQ(plain.rejects, 1);
	CHECK_STR_EQ(plain.first_reject.file, fs.path[0]);
	CHECK_INT_EQ(plain.first_reject.line, 1236);
	CHECK_STR_EQ(plain.first_reject.column, "line_item_unblended_cost");
	CHECK_STR_EQ(plain.first_reject.value, "12.3.4e");
	CHECK_STR_EQ(plain.first_reject.reason, "invalid number");
	CHECK_STR_EQ(plain.first_reject.raw,
				 "{\"bill_billing_entity\": \"AWS\", \"bill_payer_account_id\": \"111122223333\", "
				 "\"bill_billing_period_start_date\": \"2026-04-01T00:00:00Z\", "
				 "\"identity_line_item_id\": \"a.csv-1234\", \"line_item_line_item_type\": \"Usage\", "
				 "\"line_item_usage_start_date\": \"2026-04-03T10:00:00Z\", "
				 "\"line_item_usage_end_date\": \"2026-04-03T10:59:59Z\", "
				 "\"line_item_usage_account_id\": \"444455556666\", "
				 "\"line_item_product_code\": \"AmazonBedrock\", "
				 "\"line_item_usage_type\": \"USE1-TitanEmbeddings-input-tokens\", "
				 "\"line_item_usage_amount\": \"2\", \"line_item_unblended_cost\": \"12.3.4e\", "
				 "\"line_item_net_unblended_cost\": \"0.1234\", \"pricing_unit\": \"1K tokens\"}");
	CHECK_STR_EQ(piped.first_reject.raw, plain.first_reject.raw);

	/* the first COPY line: the constant columns, line 2, the tokens scaled */
	CHECK(strncmp(plain.data.data, first_line, strlen(first_line)) == 0);

	result_free(&plain);
	result_free(&piped);
	files_free(&fs);
}

UNIT_TEST(stream_failing_reject)
{
	static const int bad[] = {300, 4000, -1};
	files		fs;

	files_init(&fs);
	add_file(&fs, "a.csv", 100, NULL, -1, "2026-04-01T00:00:00Z");
	add_file(&fs, "b.csv", 5000, bad, -1, "2026-04-01T00:00:00Z");
	for (int ra = 0; ra < 2; ra++)
	{
		bc_stream_file *f = stream_files(&fs);
		run_result	r;
		char		msg[512];

		/* strict: the first bad row fails the delivery */
		run(f, 2, ra, 0, &r, unit_failed_);
		CHECK_INT_EQ(r.kind, BC_STREAM_ERR_ROW);
		snprintf(msg, sizeof(msg),
				 "invalid number in \"%s\", line 302, column line_item_unblended_cost: \"12.3.4e\"",
				 fs.path[1]);
		CHECK_STR_EQ(r.message, msg);
		CHECK(r.detail == NULL);
		CHECK_STR_EQ(r.where.file, fs.path[1]);
		CHECK_INT_EQ(r.where.line, 302);
		CHECK_STR_EQ(r.where.column, "line_item_unblended_cost");
		CHECK_STR_EQ(r.where.value, "12.3.4e");
		CHECK(r.where.reason == NULL);
		CHECK(r.where.raw != NULL && strncmp(r.where.raw, "{\"bill_billing_entity\": \"AWS\"", 29) == 0);
		CHECK_INT_EQ(r.rows_read, 100 + 301);
		CHECK_INT_EQ(r.rows_rejected, 0);
		result_free(&r);

		/* one may be rejected: the second fails it, the limit named */
		run(f, 2, ra, 1, &r, unit_failed_);
		CHECK_INT_EQ(r.kind, BC_STREAM_ERR_ROW);
		CHECK_STR_EQ(r.message, "more than 1 rejected rows (bedrock_cost.max_rejected_rows)");
		snprintf(msg, sizeof(msg),
				 "The last one: invalid number in \"%s\", line 4002, column line_item_unblended_cost: \"12.3.4e\".",
				 fs.path[1]);
		CHECK_STR_EQ(r.detail, msg);
		CHECK_INT_EQ(r.where.line, 4002);
		CHECK_INT_EQ(r.rejects, 2);
		CHECK_INT_EQ(r.rows_rejected, 1);
		CHECK_INT_EQ(r.rows_read, 100 + 4001);
		result_free(&r);
		free(f);
	}

	/* a rejected row the caller does not tolerate fails it too */
	{
		bc_stream_file *f = stream_files(&fs);
		bc_stream	s;
		bc_xf		x;
		bc_stream_chunk c;
		bc_stream_event ev;

		bc_xf_init(&x, "2026-04-01");
		bc_stream_start(&s, f, 2, &x, 1, 1, true);
		while ((ev = bc_stream_next(&s, 1000, &c)) != BC_STREAM_REJECT)
			CHECK(ev != BC_STREAM_END && ev != BC_STREAM_ERROR);
		CHECK_INT_EQ(bc_stream_next(&s, 1000, &c), BC_STREAM_ERROR);
		CHECK_INT_EQ(s.error.kind, BC_STREAM_ERR_ROW);
		CHECK(strncmp(s.error.message, "invalid number in ", 18) == 0);
		CHECK(!bc_stream_tolerate(&s, 10));
		bc_stream_close(&s);
		bc_xf_free(&x);
		free(f);
	}
	files_free(&fs);
}

UNIT_TEST(stream_reader_error)
{
	files		fs;
	char		msg[512];

	files_init(&fs);
	add_file(&fs, "a.csv", 1000, NULL, -1, "2026-04-01T00:00:00Z");
	add_file(&fs, "b.csv", 3000, NULL, 2500, "2026-04-01T00:00:00Z");
	for (int ra = 0; ra < 2; ra++)
	{
		bc_stream_file *f = stream_files(&fs);
		run_result	r;

		run(f, 2, ra, 10, &r, unit_failed_);
		CHECK_INT_EQ(r.kind, BC_STREAM_ERR_FORMAT);
		snprintf(msg, sizeof(msg),
				 "invalid CUR file \"%s\": row has a different number of fields than the header "
				 "at line 2502: \"expected %d fields, found 2\"", fs.path[1], NCOLS);
		CHECK_STR_EQ(r.message, msg);
		CHECK_STR_EQ(r.where.file, fs.path[1]);
		CHECK_INT_EQ(r.where.line, 2502);
		CHECK(r.where.column == NULL);
		CHECK_STR_EQ(r.where.value, "expected 14 fields, found 2");
		CHECK(r.where.raw == NULL);
		CHECK_INT_EQ(r.rows_read, 1000 + 2500);
		CHECK(strstr(r.log.data, "error after 3500") != NULL);
		/* the rows before it were handed out */
		CHECK(r.data.len > 0 && strstr(r.data.data, "\tb.csv-2498\t") != NULL);
		result_free(&r);
		free(f);
	}

	/* a file that cannot be read: the descriptor is closed */
	{
		bc_stream_file f = {.path = "/nonexistent/bc_stream/x.csv.gz", .fd = -1};
		run_result	r;

		run(&f, 1, true, 0, &r, unit_failed_);
		CHECK_INT_EQ(r.kind, BC_STREAM_ERR_READ);
		CHECK_STR_EQ(r.message, "could not read \"/nonexistent/bc_stream/x.csv.gz\": Bad file descriptor");
		CHECK_STR_EQ(r.where.file, "/nonexistent/bc_stream/x.csv.gz");
		CHECK_INT_EQ(r.where.line, 0);
		CHECK(r.where.column == NULL);
		CHECK_STR_EQ(r.where.value, "/nonexistent/bc_stream/x.csv.gz");
		CHECK_STR_EQ(r.log.data, "error after 0");
		result_free(&r);
	}
	files_free(&fs);
}

UNIT_TEST(stream_sha256_checked)
{
	files		fs;
	char		msg[512];

	files_init(&fs);
	add_file(&fs, "a.csv", 200, NULL, -1, "2026-04-01T00:00:00Z");
	add_file(&fs, "b.csv", 300, NULL, -1, "2026-04-01T00:00:00Z");
	for (int ra = 0; ra < 2; ra++)
	{
		bc_stream_file *f = stream_files(&fs);
		run_result	r;

		/* the expected digests: loaded */
		bc_sha256_buffer_hex(fs.text[0], fs.len[0], f[0].sha256);
		bc_sha256_buffer_hex(fs.text[1], fs.len[1], f[1].sha256);
		run(f, 2, ra, 0, &r, unit_failed_);
		CHECK_INT_EQ(r.kind, BC_STREAM_ERR_NONE);
		CHECK(strstr(r.log.data, "end 500") != NULL);
		result_free(&r);

		/* the second is not what was hashed before */
		memset(f[1].sha256, 'a', 64);
		run(f, 2, ra, 0, &r, unit_failed_);
		CHECK_INT_EQ(r.kind, BC_STREAM_ERR_CHANGED);
		snprintf(msg, sizeof(msg), "file \"%s\" changed while it was being loaded", fs.path[1]);
		CHECK_STR_EQ(r.message, msg);
		CHECK(r.where.file == NULL);
		CHECK(strstr(r.log.data, "done 0 200/150") != NULL);
		CHECK(strstr(r.log.data, "done 1") == NULL);
		CHECK(strncmp(f[1].sha256, "aaaa", 4) == 0);
		result_free(&r);
		free(f);
	}
	files_free(&fs);
}

UNIT_TEST(stream_stop_mid_delivery)
{
	files		fs;

	files_init(&fs);
	add_file(&fs, "a.csv", 30000, NULL, -1, "2026-04-01T00:00:00Z");
	add_file(&fs, "b.csv", 10, NULL, -1, "2026-04-01T00:00:00Z");
	for (int ra = 0; ra < 2; ra++)
	{
		bc_stream_file *f = stream_files(&fs);
		bc_stream	s;
		bc_xf		x;
		bc_stream_chunk c;
		bc_stream_event ev;

		/* never read */
		bc_xf_init(&x, "2026-04-01");
		CHECK_INT_EQ(bc_stream_start(&s, f, 2, &x, 1, 1, ra), 0);
		CHECK(bc_stream_piped(&s) == (bool) ra);
		bc_stream_close(&s);
		bc_stream_close(&s);	/* idempotent */

		/* stopped while a chunk is held and the thread reads on */
		CHECK_INT_EQ(bc_stream_start(&s, f, 2, &x, 1, 1, ra), 0);
		CHECK_INT_EQ(bc_stream_next(&s, 1000, &c), BC_STREAM_FILE_START);
		while ((ev = bc_stream_next(&s, 1000, &c)) == BC_STREAM_WAIT)
			;
		CHECK_INT_EQ(ev, BC_STREAM_DATA);
		CHECK(c.len >= BC_STREAM_CHUNK || c.rows_read == BC_PIPE_CHUNK_ROWS);
		CHECK(c.rows_read < 30000);
		bc_stream_close(&s);
		CHECK(!s.pipe.started);
		CHECK(s.reader == NULL);
		bc_xf_free(&x);
		free(f);
	}
	files_free(&fs);
}

UNIT_TEST(stream_peek_period)
{
	files		fs;
	bc_stream_file f = {.fd = -1};
	bc_stream_error e;
	char		period[11] = "";
	char		msg[512];

	files_init(&fs);
	add_file(&fs, "ok.csv", 3, NULL, -1, "2026-05-01T00:00:00Z");
	add_file(&fs, "empty.csv", 0, NULL, -1, "2026-05-01T00:00:00Z");
	add_file(&fs, "mid.csv", 3, NULL, -1, "2026-05-02T00:00:00Z");

	f.path = fs.path[0];
	f.fd = fs.fd[0];
	CHECK(bc_stream_peek_period(&f, period, &e));
	CHECK_STR_EQ(period, "2026-05-01");
	CHECK_INT_EQ(e.kind, BC_STREAM_ERR_NONE);

	f.path = fs.path[1];
	f.fd = fs.fd[1];
	CHECK(!bc_stream_peek_period(&f, period, &e));
	CHECK_INT_EQ(e.kind, BC_STREAM_ERR_NO_ROWS);
	snprintf(msg, sizeof(msg), "\"%s\" has no data rows, so its billing period is unknown", fs.path[1]);
	CHECK_STR_EQ(e.message, msg);
	CHECK(!e.has_where);
	bc_stream_error_free(&e);

	f.path = fs.path[2];
	f.fd = fs.fd[2];
	CHECK(!bc_stream_peek_period(&f, period, &e));
	CHECK_INT_EQ(e.kind, BC_STREAM_ERR_PERIOD);
	snprintf(msg, sizeof(msg),
			 "invalid billing period start in \"%s\", line 2, column bill_billing_period_start_date: "
			 "\"2026-05-02T00:00:00Z\"", fs.path[2]);
	CHECK_STR_EQ(e.message, msg);
	CHECK(e.has_where);
	CHECK_STR_EQ(e.where.file, fs.path[2]);
	CHECK_INT_EQ(e.where.line, 2);
	CHECK_STR_EQ(e.where.column, "bill_billing_period_start_date");
	CHECK_STR_EQ(e.where.value, "2026-05-02T00:00:00Z");
	bc_stream_error_free(&e);
	CHECK(e.message == NULL);

	f.path = "/nonexistent/bc_stream/p.csv";
	f.fd = -1;
	CHECK(!bc_stream_peek_period(&f, period, &e));
	CHECK_INT_EQ(e.kind, BC_STREAM_ERR_READ);
	CHECK_INT_EQ(e.sys_errno, EBADF);
	CHECK_STR_EQ(e.message, "could not read \"/nonexistent/bc_stream/p.csv\": Bad file descriptor");
	bc_stream_error_free(&e);
	files_free(&fs);
}

UNIT_TEST(stream_open_descriptor)
{
	files		fs;
	bc_stream_file *by_path,
			   *by_fd;
	run_result	a,
				b;
	char		period[11];
	bc_stream_error e;
	int			fd[2];

	files_init(&fs);
	add_file(&fs, "a.csv", 2000, NULL, -1, "2026-04-01T00:00:00Z");
	add_file(&fs, "b.csv", 700, NULL, -1, "2026-04-01T00:00:00Z");
	by_path = stream_files(&fs);
	by_fd = stream_files(&fs);
	for (int k = 0; k < 2; k++)
	{
		fd[k] = open(fs.path[k], O_RDONLY);
		by_fd[k].fd = fd[k];
	}
	/* the period first, then the delivery from the same descriptor */
	CHECK(bc_stream_peek_period(&by_fd[0], period, &e));
	CHECK_STR_EQ(period, "2026-04-01");
	run(by_path, 2, true, 0, &a, unit_failed_);
	run(by_fd, 2, true, 0, &b, unit_failed_);
	CHECK_INT_EQ(b.kind, BC_STREAM_ERR_NONE);
	CHECK_STR_EQ(b.log.data, a.log.data);
	CHECK_INT_EQ(b.data.len, a.data.len);
	CHECK(b.data.len > 0 && memcmp(a.data.data, b.data.data, a.data.len) == 0);
	/* the descriptors stay the caller's */
	CHECK(fcntl(fd[0], F_GETFD) != -1);
	CHECK(fcntl(fd[1], F_GETFD) != -1);
	close(fd[0]);
	close(fd[1]);
	result_free(&a);
	result_free(&b);
	free(by_path);
	free(by_fd);
	files_free(&fs);
}

UNIT_TEST(stream_exact_mark)
{
	files		fs;
	bc_stream_file *f;
	bc_stream	s;
	bc_xf		x;
	bc_stream_chunk c;
	bc_stream_event ev;
	int			lines = 0;
	bool		seen = false;

	files_init(&fs);
	add_file(&fs, "a.csv", 60, NULL, -1, "2026-04-01T00:00:00Z");
	add_file(&fs, "b.csv", 900, NULL, -1, "2026-04-01T00:00:00Z");
	f = stream_files(&fs);
	bc_xf_init(&x, "2026-04-01");
	CHECK_INT_EQ(bc_stream_start(&s, f, 2, &x, 1, 1, false), 0);
	bc_stream_set_mark(&s, 100);
	while ((ev = bc_stream_next(&s, 1000, &c)) != BC_STREAM_END && ev != BC_STREAM_ERROR)
	{
		for (size_t i = 0; i < c.len; i++)
			lines += c.data[i] == '\n';
		if (c.rows_loaded == 100 && !seen)
		{
			/* the chunk ends right after the 100th row */
			seen = true;
			CHECK_INT_EQ(ev, BC_STREAM_DATA);
			CHECK_INT_EQ(lines, 100);
			CHECK_INT_EQ(c.file, 1);
		}
	}
	CHECK(seen);
	CHECK_INT_EQ(ev, BC_STREAM_END);
	CHECK_INT_EQ(lines, 45 + 675);
	bc_stream_close(&s);
	bc_xf_free(&x);
	free(f);
	files_free(&fs);
}
