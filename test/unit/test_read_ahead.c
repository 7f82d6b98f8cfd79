/*-------------------------------------------------------------------------
 *
 * test_read_ahead.c
 *		Unit tests of the CUR reader's read-ahead mode (a gzip source that
 *		is memory or a regular file is read, hashed and inflated by a
 *		thread of its own) and of the producer ring under it (read_ahead.c).
 *
 * Every input is read with and without BC_CUR_OPT_NO_READ_AHEAD and the
 * two runs must agree in everything the reader hands out: each row (line,
 * offset, row number, every field's bytes and flags), the progress
 * counters after each row, the final status and error (line, offset,
 * column, value, errno), bytes in and out, and the SHA-256 of the raw
 * input.  Both must also match what is known independently: the rows the
 * generator wrote, the compressed size, the SHA-256 of the compressed
 * bytes, and for damaged input the status and message zlib itself gives.
 * Inputs span many 256 kB pieces, several gzip members, truncations,
 * flipped bytes, trailing garbage and bad trailers; a reader is closed
 * while its thread fills; a pipe (not a regular file) is read without a
 * thread.  The ring itself is driven by a counting producer.  Also built
 * with ThreadSanitizer (make unit).
 *
 * IDENTIFICATION
 *		test/unit/test_read_ahead.c
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "unit.h"
#include "cur_reader.h"
#include "read_ahead.h"
#include "sha256.h"

/* the reader's output piece (OUT_BUF_SIZE in cur_reader.c) */
#define PIECE_SIZE		(256 * 1024)

/*
 * Under ThreadSanitizer (about ten times slower) fewer and smaller inputs:
 * enough pieces to go round the ring, the same kinds of input and damage.
 */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif
#define MB				(1024 * 1024)

/* ----------------------------------------------------------------
 * hashing of rows
 * ----------------------------------------------------------------
 */
#define HASH_INIT		UINT64_C(14695981039346656037)
#define HASH_MUL		UINT64_C(0x9E3779B97F4A7C15)

/* fold n bytes into h, eight at a time */
static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t	w;

	while (n >= 8)
	{
		memcpy(&w, s, 8);
		h = (h ^ w) * HASH_MUL;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	w = (uint64_t) n << 56;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t) s[i] << (8 * i);
	h = (h ^ w) * HASH_MUL;
	h ^= h >> 29;
	return h;
}

static uint64_t
mix_u64(uint64_t h, uint64_t v)
{
	h = (h ^ v) * HASH_MUL;
	return h ^ (h >> 29);
}

/* everything a row hands out, as one number */
static uint64_t
row_hash(const bc_cur_row *row)
{
	uint64_t	h = HASH_INIT;

	h = mix_u64(h, row->line);
	h = mix_u64(h, row->offset);
	h = mix_u64(h, row->row_number);
	for (int c = 0; c < BC_COL__COUNT; c++)
	{
		const bc_cur_field *f = &row->f[c];

		h = mix_u64(h, (uint64_t) f->present | ((uint64_t) f->null << 1) |
					((uint64_t) f->len << 2));
		h = mix(h, f->ptr, f->len);
	}
	return h;
}

/* ----------------------------------------------------------------
 * generated CSV, with the rows the reader must give for it
 * ----------------------------------------------------------------
 */
#define GEN_NCOLS		15
#define GEN_VAL_MAX		4096

static const char *const gen_names[GEN_NCOLS] = {
	"line_item_usage_account_id",
	"bill_payer_account_id",
	"zz_unknown_note",
	"bill_billing_period_start_date",
	"line_item_line_item_type",
	"line_item_usage_start_date",
	"line_item_usage_end_date",
	"line_item_product_code",
	"line_item_usage_type",
	"line_item_usage_amount",
	"line_item_unblended_cost",
	"line_item_line_item_description",
	"tags",
	"line_item_iam_principal",
	"product_region_code",
};

typedef struct gen
{
	char	   *text;
	size_t		len;
	size_t		cap;
	uint64_t	line;			/* physical line of the next byte */
	long		nrows;
	long		rcap;
	uint64_t   *hash;			/* expected row_hash of each row */
	uint64_t   *end;			/* offset just past each row's line end */
	uint64_t   *rline;			/* line where each row starts */
	uint32_t	rng;
	char		pool[8192];		/* random words, for long values */
	char		val[GEN_NCOLS][GEN_VAL_MAX];
	size_t		vlen[GEN_NCOLS];
	bool		vnull[GEN_NCOLS];
} gen;

static uint32_t
gen_rand(gen *g)
{
	uint32_t	x = g->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	g->rng = x;
	return x;
}

static void
gen_put(gen *g, const char *s, size_t n)
{
	const char *nl = s;
	const char *e = s + n;

	if (g->len + n + 1 > g->cap)
	{
		while (g->len + n + 1 > g->cap)
			g->cap *= 2;
		g->text = realloc(g->text, g->cap);
	}
	memcpy(g->text + g->len, s, n);
	g->len += n;
	g->text[g->len] = '\0';
	while ((nl = memchr(nl, '\n', e - nl)) != NULL)
	{
		g->line++;
		nl++;
	}
}

/*
 * Write field i with value v (n bytes): quoted when force_quote or when
 * it holds a comma, quote, CR or LF; an empty unquoted field is null.
 */
static void
gen_field(gen *g, int i, const char *v, size_t n, bool force_quote)
{
	bool		quote = force_quote ||
		memchr(v, ',', n) || memchr(v, '"', n) || memchr(v, '\r', n) || memchr(v, '\n', n);
	const char *q;

	if (i > 0)
		gen_put(g, ",", 1);
	memcpy(g->val[i], v, n);
	g->vlen[i] = n;
	g->vnull[i] = (n == 0 && !quote);
	if (!quote)
	{
		gen_put(g, v, n);
		return;
	}
	gen_put(g, "\"", 1);
	/* each quote doubled */
	while ((q = memchr(v, '"', n)) != NULL)
	{
		gen_put(g, v, q - v + 1);
		gen_put(g, "\"", 1);
		n -= q - v + 1;
		v = q + 1;
	}
	gen_put(g, v, n);
	gen_put(g, "\"", 1);
}

/* a printf'd field */
static void
gen_fieldf(gen *g, int i, const char *fmt,...) __attribute__((format(printf, 3, 4)));

static void
gen_fieldf(gen *g, int i, const char *fmt,...)
{
	char		buf[512];
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gen_field(g, i, buf, (size_t) n, false);
}

/* one data row, and what the reader must make of it */
static void
gen_row(gen *g)
{
	long		i = g->nrows;
	uint32_t	r = gen_rand(g);
	uint64_t	line0;
	uint64_t	off0;
	size_t		n = 0;
	bc_cur_row	exp;

	/* now and then a blank line before the row (skipped, but counted) */
	if (r % 53 == 7)
		gen_put(g, "\n", 1);
	line0 = g->line;
	off0 = g->len;
	gen_fieldf(g, 0, "%012llu", 444455550000ULL + (unsigned long long) (i % 7));
	gen_fieldf(g, 1, "111122223333");
	switch (r % 5)
	{
		case 0:
			gen_fieldf(g, 2, "note %ld, with a comma", i);
			break;
		case 1:
			gen_field(g, 2, "", 0, false);
			break;
		default:
			gen_fieldf(g, 2, "n%u", r % 1000);
			break;
	}
	gen_fieldf(g, 3, "2026-04-01T00:00:00Z");
	gen_fieldf(g, 4, "%s", (const char *[]) {"Usage", "Tax", "Credit", "DiscountedUsage"}[(r >> 3) % 4]);
	gen_fieldf(g, 5, "2026-04-%02uT%02u:00:00Z", 1 + (r >> 5) % 28, (r >> 10) % 24);
	gen_fieldf(g, 6, "2026-04-%02uT%02u:59:59Z", 1 + (r >> 5) % 28, (r >> 10) % 24);
	gen_fieldf(g, 7, "%s", (r >> 15) % 3 ? "AmazonBedrock" : "AmazonEC2");
	/* unique per row: tests look rows up by it */
	gen_fieldf(g, 8, "USE1-tok-%07ld", i);
	gen_fieldf(g, 9, "%u.%03u", (r >> 7) % 100000, (r >> 3) % 1000);
	gen_fieldf(g, 10, "0.%06u", (r >> 11) % 1000000);
	switch ((r >> 17) % 16)
	{
		case 0:
			gen_field(g, 11, "", 0, false);
			break;
		case 1:
			gen_field(g, 11, "", 0, true);
			break;
		case 2:
			gen_fieldf(g, 11, "tokens, input and output, row %ld", i);
			break;
		case 3:
			gen_fieldf(g, 11, "a \"quoted\" word in row %ld", i);
			break;
		case 4:
			gen_fieldf(g, 11, "two\nlines %ld", i);
			break;
		case 5:
			gen_fieldf(g, 11, "crlf\r\ninside %ld\n", i);
			break;
		case 6:
			gen_fieldf(g, 11, "caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x99\x82 %ld", i);
			break;
		case 7:
		case 8:
			/* long text: rows cross piece boundaries at every place */
			n = 200 + gen_rand(g) % 2400;
			gen_field(g, 11, g->pool + gen_rand(g) % (sizeof(g->pool) - n), n,
					  (r >> 21) % 2 == 0);
			break;
		default:
			gen_fieldf(g, 11, "row %ld", i);
			break;
	}
	if ((r >> 22) % 3 == 0)
		gen_field(g, 12, "", 0, false);
	else
		gen_fieldf(g, 12, "{\"team\":\"t%u\",\"app\":\"a%ld\"}", (r >> 23) % 9, i % 11);
	if ((r >> 25) % 4 == 0)
		gen_field(g, 13, "", 0, false);
	else
		gen_fieldf(g, 13, "arn:aws:iam::111122223333:user/u%u", (r >> 26) % 17);
	if ((r >> 28) % 5 == 0)
		gen_field(g, 14, "", 0, true);
	else
		gen_fieldf(g, 14, "%s", (r >> 28) % 2 ? "us-east-1" : "eu-west-3");
	if ((r >> 29) == 3)
		gen_put(g, "\r\n", 2);
	else
		gen_put(g, "\n", 1);

	/* the row as the reader hands it out */
	memset(&exp, 0, sizeof(exp));
	exp.line = line0;
	exp.offset = off0;
	exp.row_number = (uint64_t) i + 1;
	for (int c = 0; c < BC_COL__COUNT; c++)
	{
		exp.f[c].ptr = "";
		exp.f[c].null = true;
	}
	for (int k = 0; k < GEN_NCOLS; k++)
	{
		int			c = bc_cur_lookup_column(gen_names[k], strlen(gen_names[k]));

		if (c < 0)
			continue;
		exp.f[c].present = true;
		exp.f[c].null = g->vnull[k];
		exp.f[c].ptr = g->vnull[k] ? "" : g->val[k];
		exp.f[c].len = g->vnull[k] ? 0 : (uint32_t) g->vlen[k];
	}
	if (g->nrows >= g->rcap)
	{
		g->rcap *= 2;
		g->hash = realloc(g->hash, g->rcap * sizeof(uint64_t));
		g->end = realloc(g->end, g->rcap * sizeof(uint64_t));
		g->rline = realloc(g->rline, g->rcap * sizeof(uint64_t));
	}
	g->hash[i] = row_hash(&exp);
	g->end[i] = g->len;
	g->rline[i] = line0;
	g->nrows++;
}

/* a CSV of at least size bytes (whole rows), optionally after a BOM */
static gen *
gen_csv(size_t size, uint32_t seed, bool bom)
{
	gen		   *g = calloc(1, sizeof(gen));

	g->cap = size + 8192;
	g->text = malloc(g->cap);
	g->rcap = 1024;
	g->hash = malloc(g->rcap * sizeof(uint64_t));
	g->end = malloc(g->rcap * sizeof(uint64_t));
	g->rline = malloc(g->rcap * sizeof(uint64_t));
	g->rng = seed * 2654435761u + 1;
	g->line = 1;
	for (size_t k = 0; k < sizeof(g->pool); k++)
	{
		uint32_t	c = gen_rand(g) % 32;

		g->pool[k] = c < 26 ? (char) ('a' + c) : ' ';
	}
	if (bom)
		gen_put(g, "\xEF\xBB\xBF", 3);
	for (int k = 0; k < GEN_NCOLS; k++)
	{
		if (k > 0)
			gen_put(g, ",", 1);
		gen_put(g, gen_names[k], strlen(gen_names[k]));
	}
	gen_put(g, "\n", 1);
	while (g->len < size)
		gen_row(g);
	return g;
}

static void
gen_free(gen *g)
{
	free(g->text);
	free(g->hash);
	free(g->end);
	free(g->rline);
	free(g);
}

/* physical line reached after the first n bytes */
static uint64_t
line_after(const gen *g, size_t n)
{
	uint64_t	line = 1;

	for (size_t i = 0; i < n; i++)
		if (g->text[i] == '\n')
			line++;
	return line;
}

/* rows complete within the first n bytes */
static long
rows_within(const gen *g, size_t n)
{
	long		k = 0;

	while (k < g->nrows && g->end[k] <= n)
		k++;
	return k;
}

/* ----------------------------------------------------------------
 * gzip through zlib, and zlib's own verdict on a damaged stream
 * ----------------------------------------------------------------
 */

/* one gzip member of data at a level (0: stored blocks) */
static unsigned char *
gz_member(const void *data, size_t len, int level, size_t *outlen)
{
	z_stream	zs;
	unsigned char *out;
	size_t		cap;
	int			rc;

	memset(&zs, 0, sizeof(zs));
	rc = deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	if (rc != Z_OK)
		abort();
	cap = deflateBound(&zs, len) + 64;
	out = malloc(cap);
	zs.next_in = (unsigned char *) data;
	zs.avail_in = (uInt) len;
	zs.next_out = out;
	zs.avail_out = (uInt) cap;
	rc = deflate(&zs, Z_FINISH);
	if (rc != Z_STREAM_END)
		abort();
	*outlen = zs.total_out;
	deflateEnd(&zs);
	return out;
}

/* append n bytes to a malloc'd buffer */
static unsigned char *
append(unsigned char *buf, size_t *len, const void *data, size_t n)
{
	buf = realloc(buf, *len + n + 1);
	memcpy(buf + *len, data, n);
	*len += n;
	return buf;
}

/* what zlib alone makes of a (possibly multi-member) gzip stream */
typedef struct zverdict
{
	bc_cur_status status;		/* EOF, GZIP_TRUNCATED or GZIP_CORRUPT */
	size_t		out;			/* bytes it inflates to before that */
	char		msg[128];		/* zlib's message with GZIP_CORRUPT */
} zverdict;

static void
zlib_verdict(const unsigned char *in, size_t len, zverdict *v)
{
	z_stream	zs;
	unsigned char *buf = malloc(65536);
	bool		member_end = false;

	memset(&zs, 0, sizeof(zs));
	memset(v, 0, sizeof(*v));
	inflateInit2(&zs, 16 + MAX_WBITS);
	zs.next_in = (unsigned char *) in;
	zs.avail_in = (uInt) len;
	for (;;)
	{
		int			ret;

		if (member_end)
		{
			if (zs.avail_in == 0)
			{
				v->status = BC_CUR_EOF;
				break;
			}
			inflateReset(&zs);
			member_end = false;
		}
		zs.next_out = buf;
		zs.avail_out = 65536;
		ret = inflate(&zs, Z_NO_FLUSH);
		v->out += 65536 - zs.avail_out;
		if (ret == Z_STREAM_END)
			member_end = true;
		else if (ret == Z_DATA_ERROR)
		{
			v->status = BC_CUR_ERR_GZIP_CORRUPT;
			snprintf(v->msg, sizeof(v->msg), "%s", zs.msg ? zs.msg : "");
			break;
		}
		else if (zs.avail_in == 0 && zs.avail_out != 0)
		{
			/* all input taken and no output pending: it ends early */
			v->status = BC_CUR_ERR_GZIP_TRUNCATED;
			break;
		}
	}
	inflateEnd(&zs);
	free(buf);
}

/* ----------------------------------------------------------------
 * running the reader
 * ----------------------------------------------------------------
 */

/* threads of this process, or -1 when /proc cannot tell */
static int
nthreads(void)
{
	DIR		   *d = opendir("/proc/self/task");
	struct dirent *e;
	int			n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void *
idle_main(void *arg)
{
	return arg;
}

/*
 * The thread count now, once threads just joined have left /proc (the
 * kernel drops a thread there a moment after pthread_join returns).  A
 * first thread is started and joined before, once: ThreadSanitizer
 * starts a thread of its own with the first one.
 */
static int
nthreads_base(void)
{
	static bool warmed = false;
	int			n;

	if (!warmed)
	{
		pthread_t	t;

		if (pthread_create(&t, NULL, idle_main, NULL) == 0)
			pthread_join(t, NULL);
		warmed = true;
	}
	n = nthreads();

	for (int i = 0; i < 3; i++)
	{
		int			m;

		usleep(1000);
		m = nthreads();
		if (m < n)
			n = m;
	}
	return n;
}

/* wait (up to 3 s) for the thread count to come down to want; the count */
static int
nthreads_settle(int want)
{
	int			n = nthreads();

	for (int i = 0; i < 300 && n > want; i++)
	{
		usleep(10000);
		n = nthreads();
	}
	return n;
}

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef enum src_type
{
	FROM_MEMORY,
	FROM_FD,					/* bc_cur_open_fd */
	FROM_PATH,					/* bc_cur_open_file */
	FROM_CALLBACK				/* bc_cur_open_callback over memory */
} src_type;

typedef struct source
{
	src_type	type;
	const unsigned char *buf;	/* FROM_MEMORY, FROM_CALLBACK */
	size_t		len;
	int			fd;				/* FROM_FD */
	const char *path;			/* FROM_PATH; the name with FROM_FD */
} source;

/* callback over memory, in odd-sized bites */
typedef struct bites
{
	const unsigned char *buf;
	size_t		len;
	size_t		pos;
} bites;

static long
bites_read(void *ctx, void *buf, size_t cap)
{
	bites	   *b = ctx;
	size_t		n = b->len - b->pos;

	if (n > cap)
		n = cap;
	if (n > 4093)
		n = 4093;
	memcpy(buf, b->buf + b->pos, n);
	b->pos += n;
	return (long) n;
}

/* no input here has that many rows */
#define RUNAWAY_ROWS	200000

/* all a reader handed out over one input */
typedef struct run
{
	bc_cur_status open_status;
	bc_cur_status final;		/* the first bc_cur_next that gave no row;
								 * BC_CUR__STATUS_COUNT after RUNAWAY_ROWS */
	bc_cur_status again;		/* the next call after it */
	bc_cur_error err;
	long		nrows;
	long		hcap;
	uint64_t   *hash;			/* row_hash of each row */
	uint64_t   *progress;		/* bytes in and out after each row, hashed */
	long		unterminated;	/* fields handed out without their NUL */
	uint64_t	bytes_in;
	uint64_t	bytes_out;
	bool		is_gzip;
	bool		sha_early;		/* bc_cur_sha256_hex answered before EOF */
	bool		sha_ok;
	char		sha[65];
	int			thread_delta;	/* threads past the first piece, less before
								 * open; -99 when not seen */
} run;

static void
run_free(run *o)
{
	free(o->hash);
	free(o->progress);
}

/* open s with opts and read it all (or max_rows rows, when >= 0) */
static void
do_run(const source *s, unsigned opts, run *o)
{
	bc_cur_reader *r = NULL;
	bc_cur_row	row;
	bc_cur_status st;
	int			before = nthreads_base();
	bites		b = {s->buf, s->len, 0};
	char		hex[65];

	memset(o, 0, sizeof(*o));
	o->thread_delta = -99;
	switch (s->type)
	{
		case FROM_MEMORY:
			o->open_status = bc_cur_open_memory(&r, s->buf, s->len, opts, &o->err);
			break;
		case FROM_FD:
			o->open_status = bc_cur_open_fd(&r, s->fd, s->path, opts, &o->err);
			break;
		case FROM_PATH:
			o->open_status = bc_cur_open_file(&r, s->path, opts, &o->err);
			break;
		case FROM_CALLBACK:
			o->open_status = bc_cur_open_callback(&r, bites_read, &b, opts, &o->err);
			break;
	}
	if (o->open_status != BC_CUR_OK)
		return;
	o->is_gzip = bc_cur_is_gzip(r);
	o->hcap = 1024;
	o->hash = malloc(o->hcap * sizeof(uint64_t));
	o->progress = malloc(o->hcap * sizeof(uint64_t));
	while ((st = bc_cur_next(r, &row)) == BC_CUR_ROW)
	{
		/* far more than any input here has: a reader going round in circles */
		if (o->nrows >= RUNAWAY_ROWS)
		{
			st = BC_CUR__STATUS_COUNT;
			break;
		}
		if (o->nrows >= o->hcap)
		{
			o->hcap *= 2;
			o->hash = realloc(o->hash, o->hcap * sizeof(uint64_t));
			o->progress = realloc(o->progress, o->hcap * sizeof(uint64_t));
		}
		o->hash[o->nrows] = row_hash(&row);
		o->progress[o->nrows] = mix_u64(mix_u64(HASH_INIT, bc_cur_bytes_in(r)),
										bc_cur_bytes_out(r));
		for (int c = 0; c < BC_COL__COUNT; c++)
			if (row.f[c].ptr[row.f[c].len] != '\0')
				o->unterminated++;
		if (o->thread_delta == -99 && bc_cur_bytes_out(r) > PIECE_SIZE &&
			before > 0)
			o->thread_delta = nthreads() - before;
		if (o->nrows == 0 && bc_cur_sha256_hex(r, hex))
			o->sha_early = true;
		o->nrows++;
	}
	o->final = st;
	o->err = *bc_cur_error_get(r);
	o->again = bc_cur_next(r, &row);
	o->bytes_in = bc_cur_bytes_in(r);
	o->bytes_out = bc_cur_bytes_out(r);
	o->sha_ok = bc_cur_sha256_hex(r, o->sha);
	bc_cur_close(r);
}

/*
 * The two runs a and b must agree in everything; progress: also in bytes
 * in and out after each row (the same source read the same way).
 */
static void
check_same_runs(int *unit_failed_, const char *what, const run *a, const run *b,
				bool progress)
{
#define SAME_INT(fld) \
	do { if ((long long) a->fld != (long long) b->fld) \
			UNIT_FAIL("%s: " #fld " differs: %lld vs %lld", what, \
					  (long long) a->fld, (long long) b->fld); } while (0)
#define SAME_STR(fld) \
	do { if (strcmp(a->fld, b->fld) != 0) \
			UNIT_FAIL("%s: " #fld " differs: \"%s\" vs \"%s\"", what, a->fld, b->fld); } while (0)

	SAME_INT(open_status);
	SAME_INT(err.status);
	SAME_INT(err.line);
	SAME_INT(err.offset);
	SAME_INT(err.column_index);
	SAME_INT(err.sys_errno);
	SAME_STR(err.column);
	SAME_STR(err.value);
	if (a->open_status != BC_CUR_OK || b->open_status != BC_CUR_OK)
		return;
	SAME_INT(final);
	SAME_INT(again);
	SAME_INT(nrows);
	SAME_INT(bytes_in);
	SAME_INT(bytes_out);
	SAME_INT(is_gzip);
	SAME_INT(sha_ok);
	SAME_STR(sha);
	for (long i = 0; i < a->nrows && i < b->nrows; i++)
	{
		if (a->hash[i] != b->hash[i])
		{
			UNIT_FAIL("%s: row %ld differs", what, i + 1);
			break;
		}
	}
	for (long i = 0; progress && i < a->nrows && i < b->nrows; i++)
	{
		if (a->progress[i] != b->progress[i])
		{
			UNIT_FAIL("%s: bytes in/out after row %ld differ", what, i + 1);
			break;
		}
	}
#undef SAME_INT
#undef SAME_STR
}

/* o read g's text, gzip'd to raw (rawlen bytes), completely and correctly */
static void
check_clean_run(int *unit_failed_, const char *what, const run *o, const gen *g,
				const unsigned char *raw, size_t rawlen, bool with_sha)
{
	char		want[65];

	if (o->open_status != BC_CUR_OK)
	{
		UNIT_FAIL("%s: open failed: %s", what, bc_cur_status_name(o->open_status));
		return;
	}
	CHECK(o->is_gzip);
	CHECK_INT_EQ(o->final, BC_CUR_EOF);
	CHECK_INT_EQ(o->again, BC_CUR_EOF);
	CHECK_INT_EQ(o->err.status, BC_CUR_OK);
	CHECK_INT_EQ(o->nrows, g->nrows);
	for (long i = 0; i < o->nrows && i < g->nrows; i++)
	{
		if (o->hash[i] != g->hash[i])
		{
			UNIT_FAIL("%s: row %ld is not the one written", what, i + 1);
			break;
		}
	}
	CHECK_INT_EQ(o->unterminated, 0);
	CHECK_INT_EQ(o->bytes_in, rawlen);
	CHECK_INT_EQ(o->bytes_out, g->len);
	CHECK(!o->sha_early);
	if (with_sha)
	{
		bc_sha256_buffer_hex(raw, rawlen, want);
		CHECK(o->sha_ok);
		CHECK_STR_EQ(o->sha, want);
	}
	else
		CHECK(!o->sha_ok);
}

/* a temp file holding data; its path in path[64], an fd open on it */
static int
temp_file(char *path, const void *data, size_t len)
{
	int			fd;

	snprintf(path, 64, "/tmp/bc_unit_ra_%d_XXXXXX", (int) getpid());
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, data, len) != (ssize_t) len)
	{
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

/*
 * Read src with and without read-ahead (and opts), check both complete
 * and correct and the same; threads: the read-ahead run must have one
 * more thread past the first piece, the other none.
 */
static void
check_both_modes(int *unit_failed_, const char *what, const source *src,
				 unsigned opts, const gen *g, const unsigned char *raw,
				 size_t rawlen, bool threads)
{
	run			with,
				without;
	char		label[160];

	do_run(src, opts, &with);
	do_run(src, opts | BC_CUR_OPT_NO_READ_AHEAD, &without);
	snprintf(label, sizeof(label), "%s, read-ahead", what);
	check_clean_run(unit_failed_, label, &with, g, raw, rawlen, (opts & BC_CUR_OPT_SHA256) != 0);
	snprintf(label, sizeof(label), "%s, no read-ahead", what);
	check_clean_run(unit_failed_, label, &without, g, raw, rawlen, (opts & BC_CUR_OPT_SHA256) != 0);
	check_same_runs(unit_failed_, what, &with, &without, true);
	if (threads && nthreads() > 0)
	{
		if (with.thread_delta != 1)
			UNIT_FAIL("%s: read-ahead run: %d more threads, expected 1", what, with.thread_delta);
		if (without.thread_delta != 0)
			UNIT_FAIL("%s: plain run: %d more threads, expected 0", what, without.thread_delta);
	}
	run_free(&with);
	run_free(&without);
}

/* ----------------------------------------------------------------
 * 1. big inputs, memory and regular files
 * ----------------------------------------------------------------
 */
UNIT_TEST(read_ahead_same_rows_big_inputs)
{
	static const struct
	{
		size_t		size;
		size_t		tsan_size;	/* 0: not under ThreadSanitizer */
		int			level;
		bool		bom;
		src_type	type;
		unsigned	opts;
	}			cases[] = {
		/* ratio about 4: full 256 kB pieces */
		{3 * MB + 123, 3 * MB / 2, 6, false, FROM_MEMORY, BC_CUR_OPT_SHA256},
		/* stored blocks: each read of input gives a piece of about its size */
		{2 * MB, 0, 0, true, FROM_MEMORY, BC_CUR_OPT_SHA256 | BC_CUR_OPT_EXPECT_GZIP},
		/* a regular file read from the caller's descriptor */
		{2 * MB + 5000, 5 * MB / 4, 1, true, FROM_FD, BC_CUR_OPT_SHA256},
		/* a file the reader opens, every line through libcsv */
		{2 * MB + 777, 0, 9, false, FROM_PATH, BC_CUR_OPT_NO_FAST_PATH},
	};

	for (int k = 0; k < (int) (sizeof(cases) / sizeof(cases[0])); k++)
	{
		size_t		size = UNDER_TSAN ? cases[k].tsan_size : cases[k].size;
		gen		   *g;
		size_t		rawlen;
		unsigned char *raw;
		source		src;
		char		path[64];
		char		what[64];

		if (size == 0)
			continue;
		g = gen_csv(size, 100 + k, cases[k].bom);
		raw = gz_member(g->text, g->len, cases[k].level, &rawlen);
		src = (source) {cases[k].type, raw, rawlen, -1, NULL};
		/* the inputs must span many pieces */
		CHECK(g->len > 4 * PIECE_SIZE);
		if (cases[k].type == FROM_FD || cases[k].type == FROM_PATH)
		{
			src.fd = temp_file(path, raw, rawlen);
			CHECK(src.fd >= 0);
			if (src.fd < 0)
			{
				free(raw);
				gen_free(g);
				continue;
			}
			/* the reader starts at 0 whatever the position */
			src.path = cases[k].type == FROM_FD ? "big.csv.gz" : path;
		}
		snprintf(what, sizeof(what), "case %d (level %d, %zu rows)", k, cases[k].level,
				 (size_t) g->nrows);
		check_both_modes(unit_failed_, what, &src, cases[k].opts, g, raw, rawlen, true);
		if (src.fd >= 0)
		{
			/* the caller's descriptor stays open */
			CHECK(fcntl(src.fd, F_GETFD) >= 0);
			close(src.fd);
			unlink(path);
		}
		free(raw);
		gen_free(g);
	}
}

/*
 * A small gzip (one piece or less): the thread, if any, gives only the
 * last piece; the same rows either way.
 */
UNIT_TEST(read_ahead_same_rows_small_inputs)
{
	static const size_t sizes[] = {1, 4000, PIECE_SIZE - 300, PIECE_SIZE + 300};

	for (int k = 0; k < (int) (sizeof(sizes) / sizeof(sizes[0])); k++)
	{
		gen		   *g = gen_csv(sizes[k], 7 + k, k == 2);
		size_t		rawlen;
		unsigned char *raw = gz_member(g->text, g->len, 6, &rawlen);
		source		src = {FROM_MEMORY, raw, rawlen, -1, NULL};
		char		what[64];

		snprintf(what, sizeof(what), "small case %d", k);
		check_both_modes(unit_failed_, what, &src, BC_CUR_OPT_SHA256, g, raw, rawlen, false);
		free(raw);
		gen_free(g);
	}
}

/* ----------------------------------------------------------------
 * 2. several gzip members
 * ----------------------------------------------------------------
 */
UNIT_TEST(read_ahead_same_rows_multi_member)
{
	gen		   *g = gen_csv(UNDER_TSAN ? 5 * MB / 4 : 3 * MB, 21, false);
	size_t		cut[8];
	int			ncut = 0;
	static const int levels[] = {6, 1, 9, 0, 6, 3, 6};
	unsigned char *raw = NULL;
	size_t		rawlen = 0;
	size_t		from = 0;
	const char *crlf;
	char		path[64];

	/*
	 * Members split the CSV: after the header line, at a row end, in the
	 * middle of a row, between a CR and its LF, one member of a single
	 * byte, and an empty member (gzip of nothing).
	 */
	cut[ncut++] = strchr(g->text, '\n') + 1 - g->text;
	cut[ncut++] = g->end[g->nrows / 5];
	cut[ncut++] = g->len / 3 + 11;
	crlf = strstr(g->text + g->len / 2, "\r\n");
	CHECK(crlf != NULL);
	cut[ncut++] = crlf ? (size_t) (crlf - g->text) + 1 : g->len / 2;
	cut[ncut] = cut[ncut - 1];	/* an empty member */
	ncut++;
	cut[ncut] = cut[ncut - 1] + 1;	/* a member of one byte: the LF */
	ncut++;
	cut[ncut++] = g->len;
	from = 0;
	for (int m = 0; m < ncut; m++)
	{
		size_t		mlen;
		unsigned char *mem = gz_member(g->text + from, cut[m] - from, levels[m], &mlen);

		raw = append(raw, &rawlen, mem, mlen);
		free(mem);
		from = cut[m];
	}
	CHECK_INT_EQ(from, g->len);
	{
		source		src = {FROM_MEMORY, raw, rawlen, -1, NULL};

		check_both_modes(unit_failed_, "members, memory", &src, BC_CUR_OPT_SHA256, g, raw, rawlen, true);
	}
	{
		source		src = {FROM_FD, NULL, 0, UNDER_TSAN ? -1 : temp_file(path, raw, rawlen),
		"members.gz"};

		CHECK(UNDER_TSAN || src.fd >= 0);
		if (src.fd >= 0)
		{
			check_both_modes(unit_failed_, "members, file", &src, BC_CUR_OPT_SHA256, g, raw, rawlen, true);
			close(src.fd);
			unlink(path);
		}
	}
	free(raw);
	gen_free(g);
}

/* ----------------------------------------------------------------
 * 3. damaged gzip
 * ----------------------------------------------------------------
 */

/*
 * Read damaged input (memory, and with_file a regular file) with and
 * without read-ahead; both modes and both sources must give the same; the status
 * and message are zlib's verdict.  When prefix is set the damage leaves
 * the inflated bytes a prefix of g's text (truncation, bytes after the
 * end): the rows before it, and the line the error is raised at, are
 * then known too.
 */
static void
check_damaged(int *unit_failed_, const char *what, const unsigned char *buf, size_t len,
			  const gen *g, bool prefix, bool with_file, bc_cur_status expect)
{
	zverdict	v;
	run			with,
				without,
				fwith,
				fwithout;
	source		src = {FROM_MEMORY, buf, len, -1, NULL};
	char		path[64];
	char		label[160];

	zlib_verdict(buf, len, &v);
	if (v.status != expect)
		UNIT_FAIL("%s: the test's damage gives %s in zlib, meant %s", what,
				  bc_cur_status_name(v.status), bc_cur_status_name(expect));
	do_run(&src, BC_CUR_OPT_SHA256, &with);
	do_run(&src, BC_CUR_OPT_SHA256 | BC_CUR_OPT_NO_READ_AHEAD, &without);
	snprintf(label, sizeof(label), "%s (memory)", what);
	check_same_runs(unit_failed_, label, &with, &without, true);

	src.type = FROM_FD;
	src.fd = with_file ? temp_file(path, buf, len) : -1;
	src.path = "damaged.csv.gz";
	CHECK(!with_file || src.fd >= 0);
	if (src.fd >= 0)
	{
		do_run(&src, BC_CUR_OPT_SHA256, &fwith);
		do_run(&src, BC_CUR_OPT_SHA256 | BC_CUR_OPT_NO_READ_AHEAD, &fwithout);
		snprintf(label, sizeof(label), "%s (file)", what);
		check_same_runs(unit_failed_, label, &fwith, &fwithout, true);
		snprintf(label, sizeof(label), "%s (memory vs file)", what);
		check_same_runs(unit_failed_, label, &with, &fwith, true);
		run_free(&fwith);
		run_free(&fwithout);
		close(src.fd);
		unlink(path);
	}

	/* the status, where the open did not already fail */
	if (with.open_status == BC_CUR_OK)
	{
		CHECK_INT_EQ(with.final, expect);
		CHECK_INT_EQ(with.again, expect);
	}
	else
		CHECK_INT_EQ(with.open_status, expect);
	CHECK_INT_EQ(with.err.status, expect);
	CHECK_STR_EQ(bc_cur_status_name(with.err.status), bc_cur_status_name(v.status));
	CHECK(!with.sha_ok);
	CHECK_INT_EQ(with.unterminated, 0);
	if (expect == BC_CUR_ERR_GZIP_CORRUPT)
		CHECK_STR_EQ(with.err.value, v.msg);
	else
		CHECK_STR_EQ(with.err.value, "");
	CHECK_INT_EQ(with.err.column_index, -1);
	CHECK_STR_EQ(with.err.column, "");
	CHECK(with.bytes_in <= len);
	if (prefix)
	{
		/* gzip errors are raised at the line reached, offset 0 */
		CHECK(with.open_status == BC_CUR_OK);
		CHECK_INT_EQ(with.nrows, rows_within(g, v.out));
		CHECK_INT_EQ(with.err.line, line_after(g, v.out));
		CHECK_INT_EQ(with.err.offset, 0);
		CHECK_INT_EQ(with.bytes_out, v.out);
		for (long i = 0; i < with.nrows && i < g->nrows; i++)
		{
			if (with.hash[i] != g->hash[i])
			{
				UNIT_FAIL("%s: row %ld is not the one written", what, i + 1);
				break;
			}
		}
	}
	run_free(&with);
	run_free(&without);
}

UNIT_TEST(read_ahead_same_errors_truncated)
{
	gen		   *g = gen_csv(UNDER_TSAN ? 5 * MB / 4 : 3 * MB / 2, 33, false);
	size_t		rawlen;
	unsigned char *raw = gz_member(g->text, g->len, 6, &rawlen);
	size_t		cuts[10];
	bool		tsan[10];		/* run under ThreadSanitizer too */
	bool		file[10];		/* from a file too */
	int			ncuts = 0;

#define CUT(at, t, f) (cuts[ncuts] = (at), tsan[ncuts] = (t), file[ncuts] = (f), ncuts++)
	/* inside what the header's read takes, then mid-stream, then the trailer */
	CUT(3000, false, false);
	CUT(rawlen / 5 + 1, false, false);
	CUT(rawlen / 3, true, false);
	CUT(rawlen / 2 + 17, false, true);
	CUT(rawlen * 4 / 5, false, false);
	CUT(rawlen - 9, false, false);	/* the last deflate byte missing */
	CUT(rawlen - 8, true, true);	/* no trailer */
	CUT(rawlen - 4, false, false);	/* no length */
	CUT(rawlen - 1, false, false);
#undef CUT
	CHECK(g->len > 4 * PIECE_SIZE);
	for (int k = 0; k < ncuts; k++)
	{
		char		what[64];

		if (UNDER_TSAN && !tsan[k])
			continue;
		snprintf(what, sizeof(what), "cut at %zu of %zu", cuts[k], rawlen);
		check_damaged(unit_failed_, what, raw, cuts[k], g, true, file[k],
					  BC_CUR_ERR_GZIP_TRUNCATED);
	}
	/* and a second member cut short */
	{
		size_t		l2;
		unsigned char *m2 = gz_member("tail,of,nothing\n", 16, 6, &l2);
		unsigned char *two = NULL;
		size_t		twolen = 0;

		two = append(two, &twolen, raw, rawlen);
		two = append(two, &twolen, m2, l2 - 3);
		if (!UNDER_TSAN)
			check_damaged(unit_failed_, "second member cut", two, twolen, g, false, false,
						  BC_CUR_ERR_GZIP_TRUNCATED);
		free(two);
		free(m2);
	}
	free(raw);
	gen_free(g);
}

UNIT_TEST(read_ahead_same_errors_corrupt)
{
	gen		   *g = gen_csv(UNDER_TSAN ? 5 * MB / 4 : 3 * MB / 2, 44, false);
	size_t		rawlen;
	unsigned char *raw = gz_member(g->text, g->len, 6, &rawlen);
	unsigned char *bad = malloc(rawlen + 64);

	CHECK(g->len > 4 * PIECE_SIZE);
	/* a flipped byte in the deflate data, at a few places */
	{
		static const int where[] = {5, 20, 50, 75, 95};

		for (int k = 0; k < (int) (sizeof(where) / sizeof(where[0])); k++)
		{
			size_t		at = rawlen * where[k] / 100;
			char		what[64];

			if (UNDER_TSAN && where[k] != 50)
				continue;
			memcpy(bad, raw, rawlen);
			bad[at] ^= 0x5a;
			snprintf(what, sizeof(what), "byte %zu of %zu flipped", at, rawlen);
			check_damaged(unit_failed_, what, bad, rawlen, g, false, where[k] == 50,
						  BC_CUR_ERR_GZIP_CORRUPT);
		}
	}
	/* the CRC, then the length in the trailer */
	memcpy(bad, raw, rawlen);
	bad[rawlen - 8] ^= 0x01;
	check_damaged(unit_failed_, "bad crc", bad, rawlen, g, false, true, BC_CUR_ERR_GZIP_CORRUPT);
	if (UNDER_TSAN)
	{
		free(bad);
		free(raw);
		gen_free(g);
		return;
	}
	memcpy(bad, raw, rawlen);
	bad[rawlen - 2] ^= 0x40;
	check_damaged(unit_failed_, "bad length", bad, rawlen, g, false, false, BC_CUR_ERR_GZIP_CORRUPT);
	/* bytes after the last member: not gzip, zeros, a gzip magic only */
	memcpy(bad, raw, rawlen);
	memcpy(bad + rawlen, "junk!", 5);
	check_damaged(unit_failed_, "trailing junk", bad, rawlen + 5, g, true, true,
				  BC_CUR_ERR_GZIP_CORRUPT);
	memset(bad + rawlen, 0, 64);
	check_damaged(unit_failed_, "trailing zeros", bad, rawlen + 64, g, true, false,
				  BC_CUR_ERR_GZIP_CORRUPT);
	memcpy(bad + rawlen, "\x1f\x8b", 2);
	check_damaged(unit_failed_, "trailing magic", bad, rawlen + 2, g, true, false,
				  BC_CUR_ERR_GZIP_TRUNCATED);
	free(bad);
	free(raw);
	gen_free(g);
}

/*
 * Stored blocks: a damaged byte comes out as it is and fails the CSV
 * first; the reader inflates on to the CRC and reports that instead, at
 * the line of the CSV error.  Rows, line and offset are known exactly.
 */
UNIT_TEST(read_ahead_same_errors_root_cause)
{
	gen		   *g = gen_csv(UNDER_TSAN ? MB : 3 * MB / 2, 55, false);
	size_t		rawlen;
	unsigned char *raw = gz_member(g->text, g->len, 0, &rawlen);
	static const double where[] = {0.02, 0.7, 0.4, 0.99};

	for (int k = 0; k < (UNDER_TSAN ? 2 : 4); k++)
	{
		long		victim = (long) (g->nrows * where[k]);
		char		marker[32];
		unsigned char *hit;
		unsigned char *bad = malloc(rawlen);
		run			with,
					without;
		source		src = {FROM_MEMORY, bad, rawlen, -1, NULL};
		char		what[64];
		const char *intext;

		snprintf(marker, sizeof(marker), "USE1-tok-%07ld,", victim);
		memcpy(bad, raw, rawlen);
		hit = memmem(bad, rawlen, marker, strlen(marker));
		intext = strstr(g->text, marker);
		CHECK(hit != NULL && intext != NULL);
		if (hit == NULL || intext == NULL)
		{
			free(bad);
			continue;
		}
		/* "USE1-tok-..." becomes "US"1-tok-...": a quote in an unquoted field */
		hit[2] = '"';
		snprintf(what, sizeof(what), "row %ld damaged", victim + 1);
		do_run(&src, BC_CUR_OPT_SHA256, &with);
		do_run(&src, BC_CUR_OPT_SHA256 | BC_CUR_OPT_NO_READ_AHEAD, &without);
		check_same_runs(unit_failed_, what, &with, &without, true);
		if (with.open_status == BC_CUR_OK)
		{
			CHECK_INT_EQ(with.final, BC_CUR_ERR_GZIP_CORRUPT);
			CHECK_INT_EQ(with.nrows, victim);
		}
		else
			CHECK_INT_EQ(with.open_status, BC_CUR_ERR_GZIP_CORRUPT);
		CHECK_INT_EQ(with.err.status, BC_CUR_ERR_GZIP_CORRUPT);
		CHECK_STR_EQ(with.err.value, "incorrect data check");
		/* the CSV error's place: the offending byte's line and offset */
		CHECK_INT_EQ(with.err.line, g->rline[victim]);
		CHECK_INT_EQ(with.err.offset, (uint64_t) (intext - g->text) + 2);
		run_free(&with);
		run_free(&without);
		free(bad);
	}
	free(raw);
	gen_free(g);
}

/* ----------------------------------------------------------------
 * 4. closing while the thread fills
 * ----------------------------------------------------------------
 */
UNIT_TEST(read_ahead_close_early)
{
	gen		   *g = gen_csv(UNDER_TSAN ? 2 * MB : 4 * MB, 66, false);
	size_t		rawlen;
	unsigned char *raw = gz_member(g->text, g->len, 6, &rawlen);
	int			base = nthreads_base();
	char		path[64];
	int			fd = temp_file(path, raw, rawlen);

	CHECK(fd >= 0);
	/*
	 * Close: right after open (no thread yet), just past the first piece
	 * (the thread busy), past it after a pause (the ring full, the thread
	 * waiting), and at rows spread over the file; from memory and from a
	 * regular file.
	 */
	for (int k = 0; k < (UNDER_TSAN ? 10 : 14); k++)
	{
		bc_cur_reader *r = NULL;
		bc_cur_error e;
		bc_cur_row	row;
		source		src;
		long		rows = 0;
		long		stop_at;
		double		t0;
		bc_cur_status st;

		src.type = (k % 2 == 0 || fd < 0) ? FROM_MEMORY : FROM_FD;
		if (src.type == FROM_MEMORY)
			st = bc_cur_open_memory(&r, raw, rawlen, BC_CUR_OPT_SHA256, &e);
		else
			st = bc_cur_open_fd(&r, fd, "early.csv.gz", BC_CUR_OPT_SHA256, &e);
		CHECK_INT_EQ(st, BC_CUR_OK);
		if (st != BC_CUR_OK)
			continue;
		stop_at = k < 2 ? 0 : (k < 6 ? -1 : (long) (g->nrows * (k - 5) / 10));
		st = BC_CUR_ROW;
		for (;;)
		{
			if (stop_at >= 0 && rows >= stop_at)
				break;
			if (stop_at < 0 && bc_cur_bytes_out(r) > PIECE_SIZE + 1000)
				break;
			st = bc_cur_next(r, &row);
			if (st != BC_CUR_ROW)
				break;
			if (row.row_number != (uint64_t) rows + 1 || row_hash(&row) != g->hash[rows])
			{
				UNIT_FAIL("close test %d: row %ld is not the one written", k, rows + 1);
				break;
			}
			rows++;
		}
		CHECK_INT_EQ(st, BC_CUR_ROW);
		/*
		 * Past the first piece the thread runs, unless it filled the last
		 * piece already: it is at most a ring of pieces ahead of us.
		 */
		if (bc_cur_bytes_out(r) > PIECE_SIZE &&
			g->len - bc_cur_bytes_out(r) > (BC_AHEAD_NPIECES + 1) * PIECE_SIZE &&
			base > 0)
			CHECK_INT_EQ(nthreads(), base + 1);
		if (k >= 2 && k <= 5)
			CHECK(bc_cur_bytes_out(r) > PIECE_SIZE);
		if (k == 4 || k == 5)
			usleep(30000);
		t0 = now_sec();
		bc_cur_close(r);
		if (now_sec() - t0 > 30.0)
			UNIT_FAIL("close test %d: bc_cur_close took %.1f s", k, now_sec() - t0);
		if (base > 0)
			CHECK_INT_EQ(nthreads_settle(base), base);
	}
	if (fd >= 0)
	{
		CHECK(fcntl(fd, F_GETFD) >= 0);
		close(fd);
		unlink(path);
	}
	free(raw);
	gen_free(g);
}

/* ----------------------------------------------------------------
 * 5. a pipe: no read-ahead, the same rows
 * ----------------------------------------------------------------
 */
typedef struct pipe_writer
{
	int			fd;
	const unsigned char *buf;
	size_t		len;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool		release;		/* the writer may exit */
	int			failed;
} pipe_writer;

static void *
pipe_writer_main(void *arg)
{
	pipe_writer *w = arg;
	size_t		o = 0;

	while (o < w->len)
	{
		size_t		n = w->len - o < 7001 ? w->len - o : 7001;
		ssize_t		k = write(w->fd, w->buf + o, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
		{
			w->failed = 1;
			break;
		}
		o += (size_t) k;
	}
	close(w->fd);
	/* stay alive until told, so the thread count is steady meanwhile */
	pthread_mutex_lock(&w->mu);
	while (!w->release)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

UNIT_TEST(read_ahead_pipe_not_read_ahead)
{
	gen		   *g = gen_csv(UNDER_TSAN ? 5 * MB / 4 : 2 * MB, 77, false);
	size_t		rawlen;
	unsigned char *raw = gz_member(g->text, g->len, 6, &rawlen);
	source		msrc = {FROM_MEMORY, raw, rawlen, -1, NULL};
	run			plain,
				piped,
				cb;

	do_run(&msrc, BC_CUR_OPT_SHA256 | BC_CUR_OPT_NO_READ_AHEAD, &plain);
	check_clean_run(unit_failed_, "memory, no read-ahead", &plain, g, raw, rawlen, true);

	/* a pipe opened by name (/dev/fd/N) with a writer thread feeding it */
	{
		int			p[2];
		pthread_t	t;
		pipe_writer w;
		char		name[64];
		source		psrc;

		CHECK_INT_EQ(pipe(p), 0);
		memset(&w, 0, sizeof(w));
		w.fd = p[1];
		w.buf = raw;
		w.len = rawlen;
		pthread_mutex_init(&w.mu, NULL);
		pthread_cond_init(&w.cv, NULL);
		CHECK_INT_EQ(pthread_create(&t, NULL, pipe_writer_main, &w), 0);
		snprintf(name, sizeof(name), "/dev/fd/%d", p[0]);
		psrc.type = FROM_PATH;
		psrc.path = name;
		psrc.fd = -1;
		do_run(&psrc, BC_CUR_OPT_SHA256, &piped);
		pthread_mutex_lock(&w.mu);
		w.release = true;
		pthread_cond_signal(&w.cv);
		pthread_mutex_unlock(&w.mu);
		pthread_join(t, NULL);
		pthread_cond_destroy(&w.cv);
		pthread_mutex_destroy(&w.mu);
		close(p[0]);
		CHECK_INT_EQ(w.failed, 0);
		check_clean_run(unit_failed_, "pipe", &piped, g, raw, rawlen, true);
		/* a pipe's reads come in other sizes: rows the same, not progress */
		check_same_runs(unit_failed_, "pipe vs memory", &piped, &plain, false);
		/* no thread of the reader's while it read */
		if (nthreads() > 0)
			CHECK_INT_EQ(piped.thread_delta, 0);
		run_free(&piped);
	}

	/* a callback: never called from another thread */
	{
		source		csrc = {FROM_CALLBACK, raw, rawlen, -1, NULL};

		do_run(&csrc, BC_CUR_OPT_SHA256, &cb);
		check_clean_run(unit_failed_, "callback", &cb, g, raw, rawlen, true);
		check_same_runs(unit_failed_, "callback vs memory", &cb, &plain, false);
		if (nthreads() > 0)
			CHECK_INT_EQ(cb.thread_delta, 0);
		run_free(&cb);
	}
	run_free(&plain);
	free(raw);
	gen_free(g);
}

/* ----------------------------------------------------------------
 * 6. the ring itself
 * ----------------------------------------------------------------
 */

/* byte k of the counting stream */
static unsigned char
stream_byte(uint64_t k)
{
	return (unsigned char) ((k * 131) ^ (k >> 9) ^ (k >> 17));
}

/* bytes in piece i of pieces of cap bytes: some empty, some full */
static size_t
piece_len(long i, size_t cap)
{
	if (i % 7 == 3)
		return 0;
	if (i % 5 == 1)
		return cap;
	return (size_t) ((i * 7919 + 13) % (long) cap) + 1;
}

typedef struct prod
{
	size_t		cap;
	long		npieces;		/* pieces to make; < 0: no end */
	int			end_status;		/* the last piece's status */
	useconds_t	delay;			/* a pause in each fill */
	uint64_t	pos;			/* the thread's: stream position */
	/* shared, through __atomic builtins */
	long		started;		/* fills begun */
	long		filled;			/* fills finished */
	long		given_back;		/* by the consumer: pieces it gave back, at most */
	int			bad_entry;		/* fills given a piece not reset */
	int			over_fill;		/* fills of a piece not given back */
	int			unblocked;		/* fills run with a signal not blocked */
} prod;

static void
prod_fill(void *ctx, bc_ahead_piece *p, size_t cap)
{
	prod	   *q = ctx;
	long		i = __atomic_fetch_add(&q->started, 1, __ATOMIC_SEQ_CST);
	sigset_t	cur;
	size_t		len;

	if (p->len != 0 || p->last || p->status != 0 || p->sys_errno != 0 ||
		p->detail != NULL || cap != q->cap || p->data == NULL)
		__atomic_add_fetch(&q->bad_entry, 1, __ATOMIC_SEQ_CST);
	if (i >= __atomic_load_n(&q->given_back, __ATOMIC_SEQ_CST) + BC_AHEAD_NPIECES)
		__atomic_add_fetch(&q->over_fill, 1, __ATOMIC_SEQ_CST);
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	if (!sigismember(&cur, SIGINT) || !sigismember(&cur, SIGTERM) ||
		!sigismember(&cur, SIGUSR1) || !sigismember(&cur, SIGALRM))
		__atomic_add_fetch(&q->unblocked, 1, __ATOMIC_SEQ_CST);
	if (q->delay > 0)
		usleep(q->delay);
	len = piece_len(i, cap);
	for (size_t k = 0; k < len; k++)
		p->data[k] = stream_byte(q->pos + k);
	q->pos += len;
	p->len = len;
	p->counter = (uint64_t) i;
	if (q->npieces >= 0 && i == q->npieces - 1)
	{
		p->last = true;
		if (q->end_status != 0)
		{
			p->status = q->end_status;
			p->sys_errno = EIO;
			p->detail = "the producer failed";
		}
	}
	__atomic_add_fetch(&q->filled, 1, __ATOMIC_SEQ_CST);
}

static long
atomic_get(long *v)
{
	return __atomic_load_n(v, __ATOMIC_SEQ_CST);
}

/* does piece p hold the stream from pos on? */
static bool
piece_ok(const bc_ahead_piece *p, uint64_t pos)
{
	for (size_t k = 0; k < p->len; k++)
		if (p->data[k] != stream_byte(pos + k))
			return false;
	return true;
}

/* take pieces through the last; check every byte and the repeats of the last */
static void
consume_all(int *unit_failed_, const char *what, prod *q, useconds_t consumer_delay)
{
	bc_ahead   *a;
	bc_ahead_piece *p = NULL;
	uint64_t	pos = 0;
	uint64_t	want_total = 0;
	long		got = 0;
	sigset_t	before,
				after;

	for (long i = 0; i < q->npieces; i++)
		want_total += piece_len(i, q->cap);
	pthread_sigmask(SIG_BLOCK, NULL, &before);
	a = bc_ahead_start(prod_fill, q, q->cap);
	pthread_sigmask(SIG_BLOCK, NULL, &after);
	/* the caller's signal mask is its own again */
	CHECK_INT_EQ(sigismember(&after, SIGINT), sigismember(&before, SIGINT));
	CHECK_INT_EQ(sigismember(&after, SIGTERM), sigismember(&before, SIGTERM));
	CHECK(a != NULL);
	if (a == NULL)
		return;
	for (;;)
	{
		if (got > 0)
			__atomic_add_fetch(&q->given_back, 1, __ATOMIC_SEQ_CST);
		p = bc_ahead_take(a);
		if (p->counter != (uint64_t) got)
		{
			UNIT_FAIL("%s: piece %ld came as piece %llu", what, got,
					  (unsigned long long) p->counter);
			break;
		}
		if (!piece_ok(p, pos))
		{
			UNIT_FAIL("%s: piece %ld has wrong bytes", what, got);
			break;
		}
		if (consumer_delay > 0)
		{
			/* the thread fills the others meanwhile, not this one */
			usleep(consumer_delay);
			if (!piece_ok(p, pos))
			{
				UNIT_FAIL("%s: piece %ld changed while held", what, got);
				break;
			}
		}
		pos += p->len;
		got++;
		if (p->last)
			break;
		if (got > q->npieces)
		{
			UNIT_FAIL("%s: more pieces than made", what);
			break;
		}
	}
	CHECK_INT_EQ(got, q->npieces);
	CHECK_INT_EQ(pos, want_total);
	CHECK(p->last);
	CHECK_INT_EQ(p->status, q->end_status);
	if (q->end_status != 0)
	{
		CHECK_INT_EQ(p->sys_errno, EIO);
		CHECK_STR_EQ(p->detail, "the producer failed");
	}
	else
	{
		CHECK_INT_EQ(p->sys_errno, 0);
		CHECK(p->detail == NULL);
	}
	/* the last piece again, and again, unchanged */
	for (int k = 0; k < 3; k++)
	{
		bc_ahead_piece *again = bc_ahead_take(a);

		CHECK(again == p);
		CHECK(again->last);
		CHECK_INT_EQ(again->counter, q->npieces - 1);
		CHECK_INT_EQ(again->len, piece_len(q->npieces - 1, q->cap));
		CHECK_INT_EQ(again->status, q->end_status);
		CHECK(piece_ok(again, pos - again->len));
	}
	bc_ahead_stop(a);
	/* nothing filled after the last piece, every fill as promised */
	CHECK_INT_EQ(q->started, q->npieces);
	CHECK_INT_EQ(q->filled, q->npieces);
	CHECK_INT_EQ(q->bad_entry, 0);
	CHECK_INT_EQ(q->over_fill, 0);
	CHECK_INT_EQ(q->unblocked, 0);
}

UNIT_TEST(read_ahead_ring_sequence)
{
	static const struct
	{
		long		npieces;
		size_t		cap;
		int			end_status;
		useconds_t	producer_delay;
		useconds_t	consumer_delay;
	}			cases[] = {
		{1, 100, 0, 0, 0},
		{1, 100, 7, 0, 0},
		{2, 1, 0, 0, 0},
		{BC_AHEAD_NPIECES - 1, 4096, 0, 0, 0},
		{BC_AHEAD_NPIECES, 4096, 0, 0, 0},
		{BC_AHEAD_NPIECES + 1, 4096, 3, 0, 0},
		{500, 3000, 0, 0, 0},
		{500, 3000, 9, 0, 0},
		{60, 65536, 0, 200, 0},		/* slow producer: the consumer waits */
		{60, 65536, 0, 0, 300},		/* slow consumer: the ring fills */
		{40, 65536, 5, 0, 300},
	};

	for (int k = 0; k < (int) (sizeof(cases) / sizeof(cases[0])); k++)
	{
		prod		q;
		char		what[64];

		memset(&q, 0, sizeof(q));
		q.cap = cases[k].cap;
		q.npieces = cases[k].npieces;
		q.end_status = cases[k].end_status;
		q.delay = cases[k].producer_delay;
		snprintf(what, sizeof(what), "ring case %d", k);
		consume_all(unit_failed_, what, &q, cases[k].consumer_delay);
	}
}

/* wait (up to 3 s) until the producer finished n fills */
static bool
wait_filled(prod *q, long n)
{
	for (int i = 0; i < 300; i++)
	{
		if (atomic_get(&q->filled) >= n)
			return true;
		usleep(10000);
	}
	return false;
}

UNIT_TEST(read_ahead_ring_stop)
{
	int			base = nthreads_base();

	/* NULL is fine */
	bc_ahead_stop(NULL);

	/* stopped at once, before any take: the fill under way completes */
	for (int k = 0; k < 20; k++)
	{
		prod		q;
		bc_ahead   *a;

		memset(&q, 0, sizeof(q));
		q.cap = 1000;
		q.npieces = -1;
		a = bc_ahead_start(prod_fill, &q, q.cap);
		CHECK(a != NULL);
		if (a == NULL)
			break;
		bc_ahead_stop(a);
		CHECK_INT_EQ(q.filled, q.started);
		CHECK(q.filled <= BC_AHEAD_NPIECES);
	}

	/* never taken from: the ring fills, the thread waits, then stops */
	{
		prod		q;
		bc_ahead   *a;

		memset(&q, 0, sizeof(q));
		q.cap = 512;
		q.npieces = -1;
		a = bc_ahead_start(prod_fill, &q, q.cap);
		CHECK(a != NULL);
		if (a != NULL)
		{
			CHECK(wait_filled(&q, BC_AHEAD_NPIECES));
			usleep(20000);
			CHECK_INT_EQ(atomic_get(&q.filled), BC_AHEAD_NPIECES);
			CHECK_INT_EQ(atomic_get(&q.started), BC_AHEAD_NPIECES);
			if (base > 0)
				CHECK_INT_EQ(nthreads(), base + 1);
			bc_ahead_stop(a);
			CHECK_INT_EQ(q.filled, BC_AHEAD_NPIECES);
		}
	}

	/* stopped holding a piece, others ready: one more fill, no more */
	{
		prod		q;
		bc_ahead   *a;
		bc_ahead_piece *p;

		memset(&q, 0, sizeof(q));
		q.cap = 2048;
		q.npieces = -1;
		a = bc_ahead_start(prod_fill, &q, q.cap);
		CHECK(a != NULL);
		if (a != NULL)
		{
			p = bc_ahead_take(a);
			CHECK_INT_EQ(p->counter, 0);
			CHECK(piece_ok(p, 0));
			__atomic_add_fetch(&q.given_back, 1, __ATOMIC_SEQ_CST);
			p = bc_ahead_take(a);
			CHECK_INT_EQ(p->counter, 1);
			CHECK(piece_ok(p, piece_len(0, q.cap)));
			CHECK(wait_filled(&q, BC_AHEAD_NPIECES + 1));
			usleep(20000);
			/* one given back: the ring holds NPIECES, the held one among them */
			CHECK_INT_EQ(atomic_get(&q.filled), BC_AHEAD_NPIECES + 1);
			bc_ahead_stop(a);
			CHECK_INT_EQ(q.filled, BC_AHEAD_NPIECES + 1);
			CHECK_INT_EQ(q.over_fill, 0);
		}
	}

	/* stopped while the producer is inside a slow fill: it finishes it */
	{
		prod		q;
		bc_ahead   *a;
		bc_ahead_piece *p;
		double		t0;

		memset(&q, 0, sizeof(q));
		q.cap = 100;
		q.npieces = -1;
		q.delay = 40000;
		a = bc_ahead_start(prod_fill, &q, q.cap);
		CHECK(a != NULL);
		if (a != NULL)
		{
			p = bc_ahead_take(a);
			CHECK_INT_EQ(p->counter, 0);
			t0 = now_sec();
			bc_ahead_stop(a);
			CHECK(now_sec() - t0 < 30.0);
			CHECK_INT_EQ(q.filled, q.started);
			CHECK(q.filled >= 1 && q.filled <= BC_AHEAD_NPIECES);
		}
	}

	/* stopped after its last piece, held or not */
	for (int k = 0; k < 2; k++)
	{
		prod		q;
		bc_ahead   *a;

		memset(&q, 0, sizeof(q));
		q.cap = 64;
		q.npieces = 3;
		a = bc_ahead_start(prod_fill, &q, q.cap);
		CHECK(a != NULL);
		if (a == NULL)
			break;
		CHECK(wait_filled(&q, 3));
		if (k == 1)
		{
			for (int i = 0; i < 3; i++)
				CHECK_INT_EQ(bc_ahead_take(a)->counter, i);
			CHECK(bc_ahead_take(a)->last);
		}
		bc_ahead_stop(a);
		CHECK_INT_EQ(q.filled, 3);
	}

	/* no thread left behind */
	if (base > 0)
		CHECK_INT_EQ(nthreads_settle(base), base);
}
