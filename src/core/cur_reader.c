/*-------------------------------------------------------------------------
 *
 * cur_reader.c
 *		Streaming CUR 2.0 reader: source -> zlib inflate -> libcsv -> rows.
 *
 * The decompressed bytes are fed to libcsv one physical line at a time
 * (split at LF), which gives exact line numbers and offsets: libcsv ends
 * a record only at a CR or LF outside quotes, so each piece ends at most
 * one record.  A record ended by a CR that is followed by anything but LF
 * is a bare-CR error.  libcsv's space trimming is switched off where it
 * could matter, so field values are passed through byte for byte.
 *
 * Fast path: a complete, ordinary record line (fields unquoted, or quoted
 * and closed on the same line, exactly as many as the header) is split by
 * split_line() without libcsv, giving the same fields libcsv gives in
 * strict mode; every other line (headers, records spanning lines, any
 * anomaly, which then yields libcsv's error) goes through libcsv.  This
 * halves the parse time on real exports.  BC_CUR_OPT_NO_FAST_PATH sends
 * everything through libcsv; unit tests and the fuzzer require both to
 * agree.
 *
 * Read-ahead: once the header is read, a gzip file (or memory) is read,
 * hashed and inflated by a thread of its own (read_ahead.h) into a ring of
 * output pieces, each exactly what one inflate_more call would give; the
 * parser takes them in order and raises an error of the compressed side
 * when it reaches it, so rows, lines and errors are the same as without
 * (BC_CUR_OPT_NO_READ_AHEAD).  Until bc_cur_close the thread owns the
 * source and decompression fields of the reader.
 *
 * IDENTIFICATION
 *		src/core/cur_reader.c
 *
 *-------------------------------------------------------------------------
 */
#include "cur_reader.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "read_ahead.h"
#include "sha256.h"

#define IN_BUF_SIZE		(128 * 1024)
#define OUT_BUF_SIZE	(256 * 1024)
/* words of the bitmap of special bytes of one line (at most OUT_BUF_SIZE) */
#define SPECIAL_WORDS	(OUT_BUF_SIZE / 64 + 1)
#define NAMES_SIZE		(BC_CUR_MAX_COLUMNS * 48)

/* libcsv's "row not begun" parser state (libcsv.c enum, value 0) */
#define CSV_ROW_NOT_BEGUN 0

const bc_cur_column_def bc_cur_columns[BC_COL__COUNT] = {
	[BC_COL_BILL_BILLING_ENTITY] = {"bill_billing_entity", false},
	[BC_COL_BILL_PAYER_ACCOUNT_ID] = {"bill_payer_account_id", true},
	[BC_COL_BILL_PAYER_ACCOUNT_NAME] = {"bill_payer_account_name", false},
	[BC_COL_BILL_BILLING_PERIOD_START_DATE] = {"bill_billing_period_start_date", true},
	[BC_COL_BILL_BILLING_PERIOD_END_DATE] = {"bill_billing_period_end_date", false},
	[BC_COL_BILL_INVOICE_ID] = {"bill_invoice_id", false},
	[BC_COL_BILL_BILL_TYPE] = {"bill_bill_type", false},
	[BC_COL_IDENTITY_LINE_ITEM_ID] = {"identity_line_item_id", false},
	[BC_COL_IDENTITY_TIME_INTERVAL] = {"identity_time_interval", false},
	[BC_COL_LINE_ITEM_LINE_ITEM_TYPE] = {"line_item_line_item_type", true},
	[BC_COL_LINE_ITEM_USAGE_START_DATE] = {"line_item_usage_start_date", true},
	[BC_COL_LINE_ITEM_USAGE_END_DATE] = {"line_item_usage_end_date", true},
	[BC_COL_LINE_ITEM_USAGE_ACCOUNT_ID] = {"line_item_usage_account_id", true},
	[BC_COL_LINE_ITEM_USAGE_ACCOUNT_NAME] = {"line_item_usage_account_name", false},
	[BC_COL_LINE_ITEM_PRODUCT_CODE] = {"line_item_product_code", true},
	[BC_COL_LINE_ITEM_USAGE_TYPE] = {"line_item_usage_type", true},
	[BC_COL_LINE_ITEM_OPERATION] = {"line_item_operation", false},
	[BC_COL_LINE_ITEM_USAGE_AMOUNT] = {"line_item_usage_amount", true},
	[BC_COL_LINE_ITEM_UNBLENDED_COST] = {"line_item_unblended_cost", true},
	[BC_COL_LINE_ITEM_NET_UNBLENDED_COST] = {"line_item_net_unblended_cost", false},
	[BC_COL_LINE_ITEM_UNBLENDED_RATE] = {"line_item_unblended_rate", false},
	[BC_COL_LINE_ITEM_NET_UNBLENDED_RATE] = {"line_item_net_unblended_rate", false},
	[BC_COL_LINE_ITEM_BLENDED_COST] = {"line_item_blended_cost", false},
	[BC_COL_LINE_ITEM_CURRENCY_CODE] = {"line_item_currency_code", false},
	[BC_COL_LINE_ITEM_IAM_PRINCIPAL] = {"line_item_iam_principal", false},
	[BC_COL_LINE_ITEM_USER_IDENTIFIER] = {"line_item_user_identifier", false},
	[BC_COL_LINE_ITEM_LINE_ITEM_DESCRIPTION] = {"line_item_line_item_description", false},
	[BC_COL_LINE_ITEM_RESOURCE_ID] = {"line_item_resource_id", false},
	[BC_COL_LINE_ITEM_LEGAL_ENTITY] = {"line_item_legal_entity", false},
	[BC_COL_PRICING_UNIT] = {"pricing_unit", false},
	[BC_COL_PRICING_PUBLIC_ON_DEMAND_COST] = {"pricing_public_on_demand_cost", false},
	[BC_COL_PRODUCT] = {"product", false},
	[BC_COL_PRODUCT_REGION_CODE] = {"product_region_code", false},
	[BC_COL_PRODUCT_SERVICECODE] = {"product_servicecode", false},
	[BC_COL_TAGS] = {"tags", false},
	[BC_COL_RESOURCE_TAGS] = {"resource_tags", false},
	[BC_COL_COST_CATEGORY] = {"cost_category", false},
	[BC_COL_DISCOUNT] = {"discount", false},
};

static const struct
{
	const char *name;
	const char *message;
}			status_text[BC_CUR__STATUS_COUNT] = {
	[BC_CUR_OK] = {"ok", "no error"},
	[BC_CUR_ROW] = {"row", "row returned"},
	[BC_CUR_EOF] = {"eof", "end of input"},
	[BC_CUR_ERR_IO] = {"io", "could not read input"},
	[BC_CUR_ERR_NOMEM] = {"nomem", "out of memory"},
	[BC_CUR_ERR_EMPTY] = {"empty", "input is empty: no CSV header"},
	[BC_CUR_ERR_NOT_GZIP] = {"not_gzip", "input is not gzip (no gzip magic bytes)"},
	[BC_CUR_ERR_GZIP_TRUNCATED] = {"gzip_truncated", "gzip stream is truncated"},
	[BC_CUR_ERR_GZIP_CORRUPT] = {"gzip_corrupt", "gzip stream is corrupt"},
	[BC_CUR_ERR_CSV_SYNTAX] = {"csv_syntax", "malformed CSV: misplaced quote"},
	[BC_CUR_ERR_UNTERMINATED_QUOTE] = {"unterminated_quote", "quoted CSV field is not terminated at end of input"},
	[BC_CUR_ERR_BARE_CR] = {"bare_cr", "carriage return not followed by line feed ends a line"},
	[BC_CUR_ERR_NUL] = {"nul_byte", "field contains a NUL byte"},
	[BC_CUR_ERR_UTF8] = {"invalid_utf8", "field is not valid UTF-8"},
	[BC_CUR_ERR_FIELD_TOO_LONG] = {"field_too_long", "field too long"},
	[BC_CUR_ERR_ROW_TOO_LONG] = {"row_too_long", "row too long"},
	[BC_CUR_ERR_RAGGED] = {"ragged_row", "row has a different number of fields than the header"},
	[BC_CUR_ERR_MISSING_COLUMN] = {"missing_column", "required column is missing from the header"},
	[BC_CUR_ERR_DUPLICATE_COLUMN] = {"duplicate_column", "column appears twice in the header"},
	[BC_CUR_ERR_TOO_MANY_COLUMNS] = {"too_many_columns", "header has too many columns"},
	[BC_CUR_ERR_STATE] = {"state", "reader used after an error"},
};

typedef enum src_kind
{
	SRC_FILE,					/* a file the reader opened (and closes) */
	SRC_FD,						/* a descriptor the caller opened (and closes) */
	SRC_MEMORY,
	SRC_CALLBACK
} src_kind;

struct bc_cur_reader
{
	/* source */
	src_kind	kind;
	int			fd;
	const unsigned char *mem;
	size_t		mem_len;
	size_t		mem_pos;
	bc_cur_read_fn read_fn;
	void	   *read_ctx;
	bool		src_eof;
	uint64_t	bytes_in;
	bool		want_sha;
	bc_sha256_ctx sha;

	/* decompression */
	bool		gzip;
	bool		ahead_ok;		/* may inflate in a thread (read_ahead.h) */
	bc_ahead   *ahead;			/* that thread, once started: it then owns
								 * the source and decompression fields */
	unsigned char *own_outbuf;	/* outbuf while ahead lends out its pieces */
	uint64_t	ahead_bytes_in; /* bytes_in as of the piece taken last */
	bool		z_inited;
	bool		z_member_end;	/* last inflate ended a member */
	z_stream	zs;
	unsigned char *inbuf;
	size_t		in_len;			/* plain-mode bytes already in inbuf */

	/* decompressed bytes waiting for the CSV parser */
	unsigned char *outbuf;
	size_t		out_len;
	size_t		out_pos;
	bool		out_eof;
	uint64_t	bytes_out;		/* bytes fed to the parser, BOM included */
	bool		bom_checked;

	/* CSV */
	struct csv_parser csv;
	bool		csv_inited;
	uint64_t	line;			/* physical line of the next byte fed */
	uint64_t	row_line;		/* line where the current record starts */
	uint64_t	row_offset;
	uint64_t	line_offset;	/* offset of the current physical line (after a BOM) */
	int			rows_ended;		/* records ended in the current piece */
	int			last_term;
	bool		cr_pending;		/* record ended at CR at end of a piece */
	bool		finished;		/* csv_fini done */
	bool		no_fast_path;	/* BC_CUR_OPT_NO_FAST_PATH */
	uint32_t	span_start[BC_CUR_MAX_COLUMNS]; /* line splitter output */
	uint32_t	span_len[BC_CUR_MAX_COLUMNS];
	uint8_t		span_kind[BC_CUR_MAX_COLUMNS];
	char	   *scratch;		/* unescaped quoted field, OUT_BUF_SIZE */
	uint64_t   *specials;		/* split_line: bit per byte of the line that is
								 * a comma, quote or CR (SPECIAL_WORDS) */
	bool		piece_dirty;	/* current piece not pre-validated */
	bool		field_dirty;	/* current field touches such a piece */

	/* header */
	bool		in_header;
	int			ncols;
	int			colmap[BC_CUR_MAX_COLUMNS]; /* header position -> bc_cur_col or -1 */
	int			colpos[BC_COL__COUNT];	/* bc_cur_col -> header position or -1 */
	uint32_t	name_off[BC_CUR_MAX_COLUMNS];
	char	   *names;
	size_t		names_len;

	/* current record */
	int			field_idx;
	bool		row_ready;
	char	   *rowbuf;
	size_t		rowlen;
	size_t		rowcap;			/* grows on demand up to BC_CUR_MAX_ROW */
	uint32_t	f_off[BC_COL__COUNT];
	uint32_t	f_len[BC_COL__COUNT];
	bool		f_null[BC_COL__COUNT];
	uint64_t	row_number;

	bc_cur_status state;		/* sticky EOF or error */
	bc_cur_error err;
};

/* libcsv realloc that refuses to grow a field past the limit */
static void *
bounded_realloc(void *p, size_t n)
{
	if (n > BC_CUR_MAX_FIELD + 2)
		return NULL;
	return realloc(p, n);
}

/* libcsv space test: never trim, keep values byte for byte */
static int
never_space(unsigned char c)
{
	return 0;
}

/* copy a value into err->value, escaping non-printable bytes, cut to the limit */
static void
set_err_value(bc_cur_error *e, const char *v, size_t len)
{
	static const char xd[] = "0123456789abcdef";
	size_t		o = 0;

	if (len > BC_CUR_ERR_VALUE_MAX)
		len = BC_CUR_ERR_VALUE_MAX;
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) v[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			e->value[o++] = (char) c;
		else
		{
			e->value[o++] = '\\';
			e->value[o++] = 'x';
			e->value[o++] = xd[c >> 4];
			e->value[o++] = xd[c & 15];
		}
	}
	e->value[o] = '\0';
}

/* record an error (first one wins) */
static void
fail(bc_cur_reader *r, bc_cur_status st, uint64_t line, uint64_t offset, int colidx)
{
	bc_cur_error *e = &r->err;

	if (r->state != BC_CUR_OK)
		return;
	r->state = st;
	e->status = st;
	e->line = line;
	e->offset = offset;
	e->column_index = colidx;
	e->column[0] = '\0';
	e->value[0] = '\0';
	e->message = status_text[st].message;
	if (colidx >= 0 && colidx < r->ncols && !r->in_header)
		snprintf(e->column, sizeof(e->column), "%s", r->names + r->name_off[colidx]);
}

/* fail with a known column name (header errors) */
static void
fail_named(bc_cur_reader *r, bc_cur_status st, const char *name)
{
	fail(r, st, 1, 0, -1);
	if (r->state == st)
		snprintf(r->err.column, sizeof(r->err.column), "%s", name);
}

/*
 * Validate UTF-8 and absence of NUL; returns 0 if fine, else the status,
 * and the offset of the first bad byte in *bad.
 */
static bc_cur_status
check_text(const unsigned char *s, size_t len, size_t *bad)
{
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x80)
		{
			i++;
			continue;
		}
		if (c == 0)
		{
			*bad = i;
			return BC_CUR_ERR_NUL;
		}
		if (c < 0x80)
		{
			i++;
			continue;
		}
		else
		{
			int			n;
			uint32_t	cp;
			uint32_t	min;

			if (c >= 0xC2 && c <= 0xDF)
			{
				n = 1;
				cp = c & 0x1F;
				min = 0x80;
			}
			else if (c >= 0xE0 && c <= 0xEF)
			{
				n = 2;
				cp = c & 0x0F;
				min = 0x800;
			}
			else if (c >= 0xF0 && c <= 0xF4)
			{
				n = 3;
				cp = c & 0x07;
				min = 0x10000;
			}
			else
			{
				*bad = i;
				return BC_CUR_ERR_UTF8;
			}
			if (i + n >= len)
			{
				*bad = i;
				return BC_CUR_ERR_UTF8;
			}
			for (int k = 1; k <= n; k++)
			{
				unsigned char cc = s[i + k];

				if ((cc & 0xC0) != 0x80)
				{
					*bad = i;
					return BC_CUR_ERR_UTF8;
				}
				cp = (cp << 6) | (cc & 0x3F);
			}
			if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			{
				*bad = i;
				return BC_CUR_ERR_UTF8;
			}
			i += n + 1;
		}
	}
	return BC_CUR_OK;
}

/* libcsv field callback */
static void
on_field(void *s, size_t len, void *data)
{
	bc_cur_reader *r = data;
	int			idx = r->field_idx++;
	const unsigned char *v = s;
	size_t		bad;
	bc_cur_status st;

	if (r->state != BC_CUR_OK)
		return;
	if (r->row_ready)
	{
		/* a second record in one piece: only a bare CR can do that */
		fail(r, BC_CUR_ERR_BARE_CR, r->line, r->row_offset, -1);
		return;
	}
	if (v == NULL)
		len = 0;
	if (len > BC_CUR_MAX_FIELD)
	{
		fail(r, BC_CUR_ERR_FIELD_TOO_LONG, r->row_line, r->row_offset, idx);
		set_err_value(&r->err, s, len);
		return;
	}
	if (r->field_dirty && len > 0 && (st = check_text(v, len, &bad)) != BC_CUR_OK)
	{
		size_t		from = bad > 40 ? bad - 40 : 0;

		fail(r, st, r->row_line, r->row_offset, idx);
		set_err_value(&r->err, (const char *) v + from, len - from);
		return;
	}
	/* the next field starts in the current piece */
	r->field_dirty = r->piece_dirty;
	if (r->in_header)
	{
		int			c;

		if (idx >= BC_CUR_MAX_COLUMNS)
		{
			fail(r, BC_CUR_ERR_TOO_MANY_COLUMNS, 1, 0, -1);
			return;
		}
		r->ncols = idx + 1;
		if (len > BC_CUR_MAX_NAME)
			len = BC_CUR_MAX_NAME;
		if (r->names_len + len + 1 > NAMES_SIZE)
		{
			fail(r, BC_CUR_ERR_TOO_MANY_COLUMNS, 1, 0, -1);
			return;
		}
		r->name_off[idx] = (uint32_t) r->names_len;
		if (len > 0)
			memcpy(r->names + r->names_len, v, len);
		r->names[r->names_len + len] = '\0';
		r->names_len += len + 1;
		c = bc_cur_lookup_column((const char *) (v ? v : (const unsigned char *) ""), len);
		r->colmap[idx] = c;
		if (c >= 0)
		{
			if (r->colpos[c] >= 0)
			{
				fail_named(r, BC_CUR_ERR_DUPLICATE_COLUMN, bc_cur_columns[c].name);
				return;
			}
			r->colpos[c] = idx;
		}
		return;
	}
	if (idx < r->ncols && r->colmap[idx] >= 0)
	{
		int			c = r->colmap[idx];

		if (r->rowlen + len + 1 > r->rowcap)
		{
			size_t		need = r->rowlen + len + 1;
			size_t		ncap = r->rowcap * 2;
			char	   *nb;

			if (need > BC_CUR_MAX_ROW)
			{
				fail(r, BC_CUR_ERR_ROW_TOO_LONG, r->row_line, r->row_offset, idx);
				return;
			}
			while (ncap < need)
				ncap *= 2;
			if (ncap > BC_CUR_MAX_ROW)
				ncap = BC_CUR_MAX_ROW;
			nb = realloc(r->rowbuf, ncap);
			if (nb == NULL)
			{
				fail(r, BC_CUR_ERR_NOMEM, r->row_line, r->row_offset, idx);
				return;
			}
			r->rowbuf = nb;
			r->rowcap = ncap;
		}
		r->f_off[c] = (uint32_t) r->rowlen;
		r->f_len[c] = (uint32_t) len;
		r->f_null[c] = (v == NULL);
		if (len > 0)
			memcpy(r->rowbuf + r->rowlen, v, len);
		r->rowbuf[r->rowlen + len] = '\0';
		r->rowlen += len + 1;
	}
}

/* libcsv end-of-record callback */
static void
on_row(int c, void *data)
{
	bc_cur_reader *r = data;

	r->rows_ended++;
	r->last_term = c;
	if (r->state != BC_CUR_OK)
		return;
	if (r->row_ready)
	{
		fail(r, BC_CUR_ERR_BARE_CR, r->line, r->row_offset, -1);
		return;
	}
	if (!r->in_header && r->field_idx != r->ncols)
	{
		char		msg[80];

		fail(r, BC_CUR_ERR_RAGGED, r->row_line, r->row_offset, -1);
		snprintf(msg, sizeof(msg), "expected %d fields, found %d", r->ncols, r->field_idx);
		set_err_value(&r->err, msg, strlen(msg));
		return;
	}
	r->row_ready = true;
}

/*
 * An error of the source or of inflate, recorded where it happens and
 * raised (fail) by the parsing side: with read-ahead, the thread that
 * inflates does not touch r->state or r->err.
 */
typedef struct src_err
{
	bc_cur_status status;
	int			sys_errno;
	const char *detail;			/* a static text (zlib's message), or NULL */
} src_err;

/* raise e at the current line */
static void
raise_src_err(bc_cur_reader *r, const src_err *e)
{
	fail(r, e->status, r->line, 0, -1);
	if (r->state != e->status)
		return;
	if (e->sys_errno != 0)
		r->err.sys_errno = e->sys_errno;
	if (e->detail != NULL)
		set_err_value(&r->err, e->detail, strlen(e->detail));
}

/* read raw bytes from the source; returns count, 0 at end, -1 on error (e) */
static long
src_read(bc_cur_reader *r, unsigned char *buf, size_t cap, src_err *e)
{
	long		n = 0;

	if (r->src_eof)
		return 0;
	switch (r->kind)
	{
		case SRC_FILE:
		case SRC_FD:
			do
				n = read(r->fd, buf, cap);
			while (n < 0 && errno == EINTR);
			break;
		case SRC_MEMORY:
			n = (long) (r->mem_len - r->mem_pos < cap ? r->mem_len - r->mem_pos : cap);
			if (n > 0)
				memcpy(buf, r->mem + r->mem_pos, n);
			r->mem_pos += n;
			break;
		case SRC_CALLBACK:
			n = r->read_fn(r->read_ctx, buf, cap);
			break;
	}
	if (n < 0)
	{
		e->status = BC_CUR_ERR_IO;
		e->sys_errno = errno;
		e->detail = NULL;
		return -1;
	}
	if (n == 0)
		r->src_eof = true;
	else
	{
		r->bytes_in += n;
		if (r->want_sha)
			bc_sha256_update(&r->sha, buf, n);
	}
	return n;
}

/* src_read on the parsing side: errors raised at once */
static long
src_read_here(bc_cur_reader *r, unsigned char *buf, size_t cap)
{
	src_err		e;
	long		n = src_read(r, buf, cap, &e);

	if (n < 0)
		raise_src_err(r, &e);
	return n;
}

/*
 * Inflate more output into buf[*len..cap): returns once some came out
 * (or buf is full), or with *eof set at the end of the input; false on
 * error (e).
 */
static bool
z_more(bc_cur_reader *r, unsigned char *buf, size_t *len, size_t cap, bool *eof,
	   src_err *e)
{
	for (;;)
	{
		int			ret;
		size_t		before;

		if (r->zs.avail_in == 0 && !r->src_eof)
		{
			long		n = src_read(r, r->inbuf, IN_BUF_SIZE, e);

			if (n < 0)
				return false;
			r->zs.next_in = r->inbuf;
			r->zs.avail_in = (uInt) n;
		}
		if (r->z_member_end)
		{
			/* another member may follow; anything else is an error */
			if (r->zs.avail_in == 0 && r->src_eof)
			{
				*eof = true;
				return true;
			}
			if (r->zs.avail_in == 0)
				continue;
			if (inflateReset(&r->zs) != Z_OK)
			{
				*e = (src_err) {BC_CUR_ERR_GZIP_CORRUPT, 0, NULL};
				return false;
			}
			r->z_member_end = false;
		}
		if (r->zs.avail_in == 0 && r->src_eof)
		{
			*e = (src_err) {BC_CUR_ERR_GZIP_TRUNCATED, 0, NULL};
			return false;
		}
		before = *len;
		r->zs.next_out = buf + *len;
		r->zs.avail_out = (uInt) (cap - *len);
		ret = inflate(&r->zs, Z_NO_FLUSH);
		*len = cap - r->zs.avail_out;
		if (ret == Z_STREAM_END)
			r->z_member_end = true;
		else if (ret == Z_MEM_ERROR)
		{
			*e = (src_err) {BC_CUR_ERR_NOMEM, 0, NULL};
			return false;
		}
		else if (ret != Z_OK && ret != Z_BUF_ERROR)
		{
			*e = (src_err) {BC_CUR_ERR_GZIP_CORRUPT, 0, r->zs.msg};
			return false;
		}
		if (*len > before)
			return true;
		if (*len == cap)
			return true;
	}
}

/* inflate more output into outbuf[out_len..] on the parsing side; false on error */
static bool
inflate_more(bc_cur_reader *r)
{
	src_err		e;
	bool		eof = false;

	if (!z_more(r, r->outbuf, &r->out_len, OUT_BUF_SIZE, &eof, &e))
	{
		raise_src_err(r, &e);
		return false;
	}
	if (eof)
		r->out_eof = true;
	return true;
}

/* the read-ahead thread's piece: one z_more, as inflate_more would do it */
static void
ahead_fill(void *ctx, bc_ahead_piece *p, size_t cap)
{
	bc_cur_reader *r = ctx;
	src_err		e;
	bool		eof = false;

	if (!z_more(r, p->data, &p->len, cap, &eof, &e))
	{
		p->len = 0;
		p->status = (int) e.status;
		p->sys_errno = e.sys_errno;
		p->detail = e.detail;
		p->last = true;
	}
	else
		p->last = eof;
	p->counter = r->bytes_in;
}

/*
 * The next piece the thread inflated becomes outbuf; false on the error
 * it met there, raised now, at the line the parser reached (the line
 * inflate_more would have raised it at).
 */
static bool
take_piece(bc_cur_reader *r)
{
	bc_ahead_piece *p = bc_ahead_take(r->ahead);

	r->outbuf = p->data;
	r->out_len = p->len;
	r->ahead_bytes_in = p->counter;
	if (p->status != 0)
	{
		src_err		e = {(bc_cur_status) p->status, p->sys_errno, p->detail};

		raise_src_err(r, &e);
		return false;
	}
	if (p->last)
		r->out_eof = true;
	return true;
}

/*
 * Refill outbuf when it is used up.  Sets out_eof at the end of the
 * input.  false on error.  A gzip source that may be read ahead is
 * inflated by a thread from the first refill after the header on (the
 * reader's own buffer is kept for when it ends).
 */
static bool
fill_out(bc_cur_reader *r)
{
	r->out_pos = 0;
	r->out_len = 0;
	if (r->gzip)
	{
		if (r->ahead_ok && r->ahead == NULL)
		{
			r->ahead_ok = false;
			r->ahead_bytes_in = r->bytes_in;
			r->own_outbuf = r->outbuf;
			r->ahead = bc_ahead_start(ahead_fill, r, OUT_BUF_SIZE);
		}
		if (r->ahead != NULL)
			return take_piece(r);
		return inflate_more(r);
	}
	for (;;)
	{
		long		n = src_read_here(r, r->outbuf, OUT_BUF_SIZE);

		if (n < 0)
			return false;
		if (n == 0)
		{
			r->out_eof = true;
			return true;
		}
		r->out_len = n;
		return true;
	}
}

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
#define HASZERO(v)	(((v) - ONES) & ~(v) & HIGHS)

/*
 * Pre-scan a piece before libcsv sees it.
 *
 * *exact is set when libcsv's default space handling could change the
 * result: a space or tab outside quotes next to a field boundary (after a
 * delimiter, a closing quote, a CR or the piece start at a field start;
 * before a delimiter, CR, LF or the piece end).  Only then is the
 * never-trim space function installed, because an indirect call per byte
 * costs about a third of the parse time.  Elsewhere the two modes give
 * the same fields, byte for byte.
 *
 * *text_ok is set when the piece has no NUL and is valid UTF-8 as a
 * whole, so its fields need no further check (fields are split only at
 * ASCII bytes, which never occur inside a multibyte sequence).
 */
static void
scan_piece(const bc_cur_reader *r, const unsigned char *p, size_t n, bool *exact, bool *text_ok)
{
	int			pstate = r->csv.pstate;
	bool		start_inq = (pstate == 2 && r->csv.quoted);
	bool		need = (pstate == 3);
	bool		nonascii = false;
	bool		nul = false;
	size_t		i = 0;
	size_t		qpos = 0;		/* quotes counted in p[0..qpos) */
	bool		qinq = start_inq;	/* inside quotes at qpos */

	while (i < n)
	{
		unsigned char c;

		if (i + 8 <= n)
		{
			uint64_t	w;

			memcpy(&w, p + i, 8);
			if (((w & HIGHS) | HASZERO(w) | HASZERO(w ^ (ONES * ' ')) |
				 HASZERO(w ^ (ONES * '\t'))) == 0)
			{
				i += 8;
				continue;
			}
		}
		c = p[i];
		if ((c == ' ' || c == '\t') && !need)
		{
			/* only a space next to a boundary byte can matter */
			unsigned char prev = i > 0 ? p[i - 1] : (pstate == 2 ? 'x' : ',');
			unsigned char next = i + 1 < n ? p[i + 1] : '\n';

			if (prev == ',' || prev == '"' || prev == '\r' ||
				next == ',' || next == '\r' || next == '\n')
			{
				/* is it outside quotes?  count quotes up to here, lazily */
				while (qpos < i)
				{
					const unsigned char *q = memchr(p + qpos, '"', i - qpos);

					if (q == NULL)
					{
						qpos = i;
						break;
					}
					qinq = !qinq;
					qpos = (size_t) (q - p) + 1;
				}
				if (!qinq)
					need = true;
			}
		}
		else if (c == 0)
			nul = true;
		else if (c >= 0x80)
			nonascii = true;
		i++;
	}
	*exact = need;
	if (nul)
		*text_ok = false;
	else if (nonascii)
	{
		size_t		bad;

		*text_ok = (check_text(p, n, &bad) == BC_CUR_OK);
	}
	else
		*text_ok = true;
}

#define SPAN_UNQUOTED	0
#define SPAN_QUOTED		1
#define SPAN_ESCAPED	2		/* quoted, with doubled quotes inside */

/* true if p[0..n) has no NUL and is valid UTF-8 */
static bool
text_ok_fast(const unsigned char *p, size_t n)
{
	size_t		i = 0;
	size_t		bad;

	for (; i + 8 <= n; i += 8)
	{
		uint64_t	w;

		memcpy(&w, p + i, 8);
		if (((w & HIGHS) | HASZERO(w)) != 0)
			return check_text(p, n, &bad) == BC_CUR_OK;
	}
	for (; i < n; i++)
		if (p[i] == 0 || p[i] >= 0x80)
			return check_text(p, n, &bad) == BC_CUR_OK;
	return true;
}

/* a byte that ends an unquoted field or makes the line libcsv's */
#define IS_SPECIAL(c)	((c) == ',' || (c) == '"' || (c) == '\r')

/*
 * Mark the commas, quotes and CRs of p[0..end) in r->specials, one bit per
 * byte (bit b of word w is byte 64w + b), sixteen bytes at a time with
 * SSE2 where the compiler has it.
 */
static void
mark_specials(bc_cur_reader *r, const unsigned char *p, size_t end)
{
	uint64_t   *bits = r->specials;
	size_t		k = 0;

#ifdef __SSE2__
	const __m128i comma = _mm_set1_epi8(',');
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i cr = _mm_set1_epi8('\r');

	for (; k + 64 <= end; k += 64)
	{
		uint64_t	w = 0;

		for (int j = 0; j < 4; j++)
		{
			__m128i		v = _mm_loadu_si128((const __m128i *) (p + k + 16 * j));
			__m128i		m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, comma),
													  _mm_cmpeq_epi8(v, quote)),
										 _mm_cmpeq_epi8(v, cr));

			w |= (uint64_t) (uint16_t) _mm_movemask_epi8(m) << (16 * j);
		}
		bits[k / 64] = w;
	}
#endif
	for (; k < end; k += 64)
	{
		uint64_t	w = 0;
		size_t		lim = end - k < 64 ? end - k : 64;

		for (size_t b = 0; b < lim; b++)
			if (IS_SPECIAL(p[k + b]))
				w |= (uint64_t) 1 << b;
		bits[k / 64] = w;
	}
}

/* the first special byte at or after i (in the marked line), or end */
static inline size_t
next_special(const bc_cur_reader *r, size_t i, size_t end)
{
	size_t		word = i / 64;
	size_t		last = (end - 1) / 64;
	uint64_t	w;

	if (i >= end)
		return end;
	w = r->specials[word] & (~(uint64_t) 0 << (i % 64));
	while (w == 0)
	{
		if (++word > last)
			return end;
		w = r->specials[word];
	}
	return word * 64 + (size_t) __builtin_ctzll(w);
}

/*
 * Split one complete, ordinary record line without libcsv.
 *
 * Handles a line (ending in LF or CRLF, parser between records) whose
 * fields are unquoted without quote or CR bytes, or quoted with doubled
 * quotes inside and a delimiter or the line end right after the closing
 * quote, and that has exactly as many fields as the header.  That is the
 * RFC 4180 grammar libcsv implements in strict mode, without trimming, so
 * the fields are exactly those libcsv would give.  Anything else (blank
 * line, a record continuing on the next line, a stray quote, a bare CR,
 * a wrong field count) returns false before any field is delivered, and
 * the line goes to libcsv, which parses it or reports the error.
 * Returns true when the line was handled (the record may still have
 * failed a field check: see r->state).
 */
static bool
split_line(bc_cur_reader *r, const unsigned char *p, size_t n)
{
	size_t		end = n - 1;	/* the LF */
	int			term = '\n';
	size_t		i = 0;
	int			nf = 0;

	if (end > 0 && p[end - 1] == '\r')
	{
		end--;
		term = '\r';
	}
	if (end == 0)
		return false;
	mark_specials(r, p, end);
	for (;;)
	{
		if (nf >= r->ncols)
			return false;
		if (i < end && p[i] == '"')
		{
			size_t		j = i + 1;
			uint8_t		kind = SPAN_QUOTED;
			const unsigned char *q;

			for (;;)
			{
				q = memchr(p + j, '"', end - j);
				if (q == NULL)
					return false;	/* continues on the next line */
				if ((size_t) (q - p) + 1 < end && q[1] == '"')
				{
					kind = SPAN_ESCAPED;
					j = (size_t) (q - p) + 2;
					continue;
				}
				break;
			}
			r->span_start[nf] = (uint32_t) (i + 1);
			r->span_len[nf] = (uint32_t) ((size_t) (q - p) - i - 1);
			r->span_kind[nf] = kind;
			nf++;
			i = (size_t) (q - p) + 1;
			if (i == end)
				break;
			if (p[i] != ',')
				return false;
			i++;
		}
		else
		{
			size_t		j = next_special(r, i, end);

			if (j < end && p[j] != ',')
				return false;	/* a quote or CR inside an unquoted field */
			r->span_start[nf] = (uint32_t) i;
			r->span_len[nf] = (uint32_t) (j - i);
			r->span_kind[nf] = SPAN_UNQUOTED;
			nf++;
			if (j == end)
				break;
			i = j + 1;
		}
	}
	if (nf != r->ncols)
		return false;

	/* deliver, as libcsv would */
	for (int f = 0; f < nf && r->state == BC_CUR_OK; f++)
	{
		const unsigned char *v = p + r->span_start[f];
		size_t		len = r->span_len[f];

		if (r->colmap[f] < 0 && !r->piece_dirty && len <= BC_CUR_MAX_FIELD)
		{
			/* a column nobody reads, in clean text: on_field would only count it */
			r->field_idx++;
			r->field_dirty = false;
			continue;
		}
		if (r->span_kind[f] == SPAN_UNQUOTED && len == 0)
			on_field(NULL, 0, r);
		else if (r->span_kind[f] == SPAN_ESCAPED)
		{
			size_t		o = 0;
			size_t		k = 0;

			/* copy up to and with each quote, skip the second of the pair */
			while (k < len)
			{
				const unsigned char *q = memchr(v + k, '"', len - k);
				size_t		n = q ? (size_t) (q - (v + k)) + 1 : len - k;

				memcpy(r->scratch + o, v + k, n);
				o += n;
				k += n + (q != NULL);
			}
			on_field(r->scratch, o, r);
		}
		else
			on_field((void *) v, len, r);
	}
	on_row(term, r);
	return true;
}

/* feed one piece (at most one physical line) to libcsv; false on error */
static bool
feed(bc_cur_reader *r, const unsigned char *p, size_t n)
{
	bool		ends_line = (p[n - 1] == '\n');
	size_t		done;

	if (r->cr_pending)
	{
		r->cr_pending = false;
		if (p[0] != '\n')
		{
			fail(r, BC_CUR_ERR_BARE_CR, r->line, r->row_offset, -1);
			return false;
		}
	}
	if (r->csv.pstate == CSV_ROW_NOT_BEGUN && !r->row_ready)
	{
		/*
		 * The start of the line, not of this piece: libcsv skips a CR that
		 * begins a line without beginning a record, so how the line was cut
		 * into pieces must not move the record's offset
		 */
		r->row_line = r->line;
		r->row_offset = r->line_offset;
	}
	if (r->no_fast_path)
		r->piece_dirty = true;
	else if (ends_line && !r->in_header && r->csv.pstate == CSV_ROW_NOT_BEGUN &&
			 !r->row_ready && n <= OUT_BUF_SIZE)
	{
		/* an ordinary complete line: split it without libcsv if we can */
		r->piece_dirty = !text_ok_fast(p, n);
		if (r->piece_dirty)
			r->field_dirty = true;
		r->rows_ended = 0;
		if (split_line(r, p, n))
		{
			if (r->state != BC_CUR_OK)
				return false;
			r->bytes_out += n;
			r->line++;
			r->line_offset = r->bytes_out;
			return true;
		}
		{
			bool		exact;
			bool		text_ok;

			scan_piece(r, p, n, &exact, &text_ok);
			csv_set_space_func(&r->csv, exact ? never_space : NULL);
		}
	}
	else
	{
		bool		exact;
		bool		text_ok;

		scan_piece(r, p, n, &exact, &text_ok);
		r->piece_dirty = !text_ok;
		csv_set_space_func(&r->csv, exact ? never_space : NULL);
	}
	if (r->piece_dirty)
		r->field_dirty = true;
	r->rows_ended = 0;
	done = csv_parse(&r->csv, p, n, on_field, on_row, r);
	if (r->state != BC_CUR_OK)
		return false;
	if (done < n || csv_error(&r->csv) != CSV_SUCCESS)
	{
		int			ce = csv_error(&r->csv);

		if (r->rows_ended > 0 && r->last_term == '\r')
		{
			/* the parse went on past a CR that is not followed by LF */
			fail(r, BC_CUR_ERR_BARE_CR, r->line, r->row_offset, -1);
			return false;
		}
		if (ce == CSV_ENOMEM || ce == CSV_ETOOBIG)
		{
			if (r->csv.entry_size >= BC_CUR_MAX_FIELD)
				fail(r, BC_CUR_ERR_FIELD_TOO_LONG, r->row_line, r->row_offset, r->field_idx);
			else
				fail(r, BC_CUR_ERR_NOMEM, r->row_line, r->row_offset, r->field_idx);
			set_err_value(&r->err, (const char *) r->csv.entry_buf,
						  r->csv.entry_pos > BC_CUR_ERR_VALUE_MAX ? BC_CUR_ERR_VALUE_MAX : r->csv.entry_pos);
		}
		else
		{
			size_t		from = done > 60 ? done - 60 : 0;
			size_t		to = done + 20 < n ? done + 20 : n;

			fail(r, BC_CUR_ERR_CSV_SYNTAX, r->line, r->bytes_out + done, r->field_idx);
			set_err_value(&r->err, (const char *) p + from, to - from);
		}
		return false;
	}
	if (r->rows_ended == 1 && r->last_term == '\r')
	{
		/*
		 * Everything after the record's CR is outside any record, so it
		 * is the run of CRs at the end of the piece (then the LF, if the
		 * piece ends a line): exactly one CR is a line end, more is an
		 * error, and a CR at the end of a piece needs an LF next.
		 */
		size_t		e = ends_line ? n - 1 : n;
		size_t		k = 0;

		while (k < e && p[e - 1 - k] == '\r')
			k++;
		if (r->csv.pstate != CSV_ROW_NOT_BEGUN || k != 1)
		{
			fail(r, BC_CUR_ERR_BARE_CR, r->line, r->row_offset, -1);
			return false;
		}
		if (!ends_line)
			r->cr_pending = true;
	}
	r->bytes_out += n;
	if (ends_line)
	{
		r->line++;
		r->line_offset = r->bytes_out;
	}
	return true;
}

/* reset the per-record state before a new record */
static void
reset_record(bc_cur_reader *r)
{
	r->field_idx = 0;
	r->rowlen = 0;
	r->row_ready = false;
	for (int c = 0; c < BC_COL__COUNT; c++)
	{
		r->f_off[c] = 0;
		r->f_len[c] = 0;
		r->f_null[c] = true;
	}
}

/*
 * Run the parser until one record (header or data) is complete, or EOF.
 * Returns BC_CUR_ROW, BC_CUR_EOF or an error.
 */
static bc_cur_status
pump(bc_cur_reader *r)
{
	reset_record(r);
	/* a record ended by CR is complete only once the next byte is seen */
	while (!r->row_ready || r->cr_pending)
	{
		const unsigned char *p;
		const unsigned char *nl;
		size_t		avail;
		size_t		piece;

		if (r->out_pos >= r->out_len)
		{
			if (r->out_eof || !fill_out(r))
			{
				if (r->state != BC_CUR_OK)
					return r->state;
			}
			if (r->out_pos >= r->out_len && r->out_eof)
			{
				if (r->row_ready)
				{
					/* the input ends right after a CR */
					r->cr_pending = false;
					break;
				}
				if (!r->finished)
				{
					r->finished = true;
					if (csv_fini(&r->csv, on_field, on_row, r) != 0 && r->state == BC_CUR_OK)
						fail(r, BC_CUR_ERR_UNTERMINATED_QUOTE, r->row_line, r->row_offset, r->field_idx);
					if (r->state != BC_CUR_OK)
						return r->state;
					if (r->row_ready)
						break;
				}
				return BC_CUR_EOF;
			}
			continue;
		}
		p = r->outbuf + r->out_pos;
		avail = r->out_len - r->out_pos;
		if (!r->bom_checked)
		{
			/* need three bytes (or the end) to look for a BOM */
			if (avail < 3 && !r->out_eof)
			{
				if (r->out_pos > 0)
				{
					memmove(r->outbuf, p, avail);
					r->out_len = avail;
					r->out_pos = 0;
				}
				if (r->gzip)
				{
					if (!inflate_more(r))
						return r->state;
				}
				else
				{
					long		n = src_read_here(r, r->outbuf + r->out_len, OUT_BUF_SIZE - r->out_len);

					if (n < 0)
						return r->state;
					if (n == 0)
						r->out_eof = true;
					r->out_len += n;
				}
				continue;
			}
			r->bom_checked = true;
			if (avail >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
			{
				r->out_pos += 3;
				r->bytes_out += 3;
				r->line_offset = r->bytes_out;
				continue;
			}
		}
		nl = memchr(p, '\n', avail);
		piece = nl ? (size_t) (nl - p) + 1 : avail;
		r->out_pos += piece;
		if (!feed(r, p, piece))
			return r->state;
	}
	return BC_CUR_ROW;
}

/*
 * After a content error in a gzip file, inflate the rest of the stream
 * (discarding it) to see whether the stream itself is damaged: damaged
 * compressed data often decompresses to garbage that fails CSV or UTF-8
 * checks before the CRC is reached.  If so, the gzip error replaces the
 * content error, keeping its line, as the root cause.
 */
static void
prefer_gzip_error(bc_cur_reader *r)
{
	bc_cur_error saved = r->err;

	if (!r->gzip || r->state == BC_CUR_ERR_IO || r->state == BC_CUR_ERR_NOMEM ||
		r->state == BC_CUR_ERR_GZIP_CORRUPT || r->state == BC_CUR_ERR_GZIP_TRUNCATED)
		return;
	r->state = BC_CUR_OK;
	while (!r->out_eof)
	{
		if (!fill_out(r))
		{
			if (r->state == BC_CUR_ERR_GZIP_CORRUPT || r->state == BC_CUR_ERR_GZIP_TRUNCATED)
			{
				r->err.line = saved.line;
				r->err.offset = saved.offset;
				return;
			}
			break;
		}
	}
	r->err = saved;
	r->state = saved.status;
}

/* read and check the header; part of open */
static bc_cur_status
read_header(bc_cur_reader *r)
{
	bc_cur_status st;

	r->in_header = true;
	st = pump(r);
	if (st == BC_CUR_EOF)
	{
		fail(r, BC_CUR_ERR_EMPTY, 0, 0, -1);
		return r->state;
	}
	if (st != BC_CUR_ROW)
		return st;
	r->in_header = false;
	for (int c = 0; c < BC_COL__COUNT; c++)
	{
		if (bc_cur_columns[c].required && r->colpos[c] < 0)
		{
			fail_named(r, BC_CUR_ERR_MISSING_COLUMN, bc_cur_columns[c].name);
			return r->state;
		}
	}
	return BC_CUR_OK;
}

/* detect gzip from the first bytes and set up inflate */
static bc_cur_status
detect_format(bc_cur_reader *r, unsigned opts)
{
	size_t		have = 0;

	while (have < 2)
	{
		long		n = src_read_here(r, r->inbuf + have, IN_BUF_SIZE - have);

		if (n < 0)
			return r->state;
		if (n == 0)
			break;
		have += n;
	}
	if (have == 0)
	{
		fail(r, BC_CUR_ERR_EMPTY, 0, 0, -1);
		return r->state;
	}
	if (have >= 2 && r->inbuf[0] == 0x1f && r->inbuf[1] == 0x8b)
	{
		r->gzip = true;
		if (inflateInit2(&r->zs, 16 + MAX_WBITS) != Z_OK)
		{
			fail(r, BC_CUR_ERR_NOMEM, 0, 0, -1);
			return r->state;
		}
		r->z_inited = true;
		r->zs.next_in = r->inbuf;
		r->zs.avail_in = (uInt) have;
		return BC_CUR_OK;
	}
	if (opts & BC_CUR_OPT_EXPECT_GZIP)
	{
		fail(r, BC_CUR_ERR_NOT_GZIP, 0, 0, -1);
		set_err_value(&r->err, (const char *) r->inbuf, have > 16 ? 16 : have);
		return r->state;
	}
	memcpy(r->outbuf, r->inbuf, have);
	r->out_len = have;
	return BC_CUR_OK;
}

/* allocate a reader with its buffers; NULL if out of memory */
static bc_cur_reader *
reader_alloc(void)
{
	bc_cur_reader *r = calloc(1, sizeof(bc_cur_reader));

	if (r == NULL)
		return NULL;
	r->fd = -1;
	r->inbuf = malloc(IN_BUF_SIZE);
	r->outbuf = malloc(OUT_BUF_SIZE);
	r->names = malloc(NAMES_SIZE);
	r->scratch = malloc(OUT_BUF_SIZE);
	r->specials = malloc(SPECIAL_WORDS * sizeof(uint64_t));
	r->rowcap = 64 * 1024;
	r->rowbuf = malloc(r->rowcap);
	if (!r->inbuf || !r->outbuf || !r->names || !r->rowbuf || !r->scratch ||
		!r->specials)
	{
		bc_cur_close(r);
		return NULL;
	}
	r->line = 1;
	r->err.column_index = -1;
	r->err.message = status_text[BC_CUR_OK].message;
	for (int c = 0; c < BC_COL__COUNT; c++)
		r->colpos[c] = -1;
	return r;
}

/*
 * May a thread read the source?  Memory and regular files: a read there
 * returns.  Not a pipe or a socket (a read may wait for ever, and
 * bc_cur_close would wait for it), nor the caller's callback (it may not
 * be safe to call from another thread).
 */
static bool
source_is_local(const bc_cur_reader *r)
{
	struct stat st;

	if (r->kind == SRC_MEMORY)
		return true;
	if (r->kind == SRC_CALLBACK)
		return false;
	return fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode);
}

/* common second half of the open functions */
static bc_cur_status
open_common(bc_cur_reader *r, bc_cur_reader **out, unsigned opts, bc_cur_error *err)
{
	bc_cur_status st;

	r->want_sha = (opts & BC_CUR_OPT_SHA256) != 0;
	r->no_fast_path = (opts & BC_CUR_OPT_NO_FAST_PATH) != 0;
	if (r->want_sha)
		bc_sha256_init(&r->sha);
	if (csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0)
	{
		fail(r, BC_CUR_ERR_NOMEM, 0, 0, -1);
		st = r->state;
		goto bad;
	}
	r->csv_inited = true;
	csv_set_space_func(&r->csv, never_space);
	csv_set_realloc_func(&r->csv, bounded_realloc);
	csv_set_blk_size(&r->csv, 4096);
	st = detect_format(r, opts);
	if (st == BC_CUR_OK)
		st = read_header(r);
	if (st != BC_CUR_OK)
	{
		prefer_gzip_error(r);
		st = r->state;
		goto bad;
	}
	r->ahead_ok = r->gzip && !(opts & BC_CUR_OPT_NO_READ_AHEAD) && source_is_local(r);
	*out = r;
	if (err)
		*err = r->err;
	return BC_CUR_OK;
bad:
	if (err)
		*err = r->err;
	bc_cur_close(r);
	*out = NULL;
	return st;
}

/* open a file, or read the caller's descriptor fd when path is NULL */
static bc_cur_status
open_fd_or_file(bc_cur_reader **out, int fd, const char *path, const char *name,
				unsigned opts, bc_cur_error *err)
{
	bc_cur_reader *r = reader_alloc();
	size_t		nlen = strlen(name);

	*out = NULL;
	if (r == NULL)
	{
		if (err)
		{
			memset(err, 0, sizeof(*err));
			err->status = BC_CUR_ERR_NOMEM;
			err->column_index = -1;
			err->message = status_text[BC_CUR_ERR_NOMEM].message;
		}
		return BC_CUR_ERR_NOMEM;
	}
	if (nlen >= 3 && strcmp(name + nlen - 3, ".gz") == 0)
		opts |= BC_CUR_OPT_EXPECT_GZIP;
	if (path != NULL)
	{
		r->kind = SRC_FILE;
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	else
	{
		r->kind = SRC_FD;
		r->fd = lseek(fd, 0, SEEK_SET) == 0 ? fd : -1;
	}
	if (r->fd < 0)
	{
		int			e = errno;

		fail(r, BC_CUR_ERR_IO, 0, 0, -1);
		r->err.sys_errno = e;
		set_err_value(&r->err, name, nlen);
		if (err)
			*err = r->err;
		bc_cur_close(r);
		return BC_CUR_ERR_IO;
	}
	return open_common(r, out, opts, err);
}

/* open a file */
bc_cur_status
bc_cur_open_file(bc_cur_reader **out, const char *path, unsigned opts, bc_cur_error *err)
{
	return open_fd_or_file(out, -1, path, path, opts, err);
}

/* read an open descriptor from its start */
bc_cur_status
bc_cur_open_fd(bc_cur_reader **out, int fd, const char *name, unsigned opts,
			   bc_cur_error *err)
{
	return open_fd_or_file(out, fd, NULL, name, opts, err);
}

/* open over memory */
bc_cur_status
bc_cur_open_memory(bc_cur_reader **out, const void *buf, size_t len, unsigned opts,
				   bc_cur_error *err)
{
	bc_cur_reader *r = reader_alloc();

	*out = NULL;
	if (r == NULL)
	{
		if (err)
		{
			memset(err, 0, sizeof(*err));
			err->status = BC_CUR_ERR_NOMEM;
			err->column_index = -1;
			err->message = status_text[BC_CUR_ERR_NOMEM].message;
		}
		return BC_CUR_ERR_NOMEM;
	}
	r->kind = SRC_MEMORY;
	r->mem = buf;
	r->mem_len = len;
	return open_common(r, out, opts, err);
}

/* open over a read callback */
bc_cur_status
bc_cur_open_callback(bc_cur_reader **out, bc_cur_read_fn fn, void *ctx, unsigned opts,
					 bc_cur_error *err)
{
	bc_cur_reader *r = reader_alloc();

	*out = NULL;
	if (r == NULL)
	{
		if (err)
		{
			memset(err, 0, sizeof(*err));
			err->status = BC_CUR_ERR_NOMEM;
			err->column_index = -1;
			err->message = status_text[BC_CUR_ERR_NOMEM].message;
		}
		return BC_CUR_ERR_NOMEM;
	}
	r->kind = SRC_CALLBACK;
	r->read_fn = fn;
	r->read_ctx = ctx;
	return open_common(r, out, opts, err);
}

/* next data row */
bc_cur_status
bc_cur_next(bc_cur_reader *r, bc_cur_row *row)
{
	bc_cur_status st;

	if (r->state != BC_CUR_OK)
		return r->state;
	st = pump(r);
	if (st == BC_CUR_EOF)
	{
		r->state = BC_CUR_EOF;
		return st;
	}
	if (st != BC_CUR_ROW)
	{
		prefer_gzip_error(r);
		return r->state;
	}
	r->row_number++;
	row->line = r->row_line;
	row->offset = r->row_offset;
	row->row_number = r->row_number;
	for (int c = 0; c < BC_COL__COUNT; c++)
	{
		bc_cur_field *f = &row->f[c];

		f->present = r->colpos[c] >= 0;
		f->null = r->f_null[c];
		f->len = r->f_len[c];
		f->ptr = f->null ? "" : r->rowbuf + r->f_off[c];
	}
	return BC_CUR_ROW;
}

/* last error */
const bc_cur_error *
bc_cur_error_get(const bc_cur_reader *r)
{
	return &r->err;
}

/* is the known column in the header */
bool
bc_cur_has_column(const bc_cur_reader *r, bc_cur_col col)
{
	return col >= 0 && col < BC_COL__COUNT && r->colpos[col] >= 0;
}

/* header width */
int
bc_cur_ncolumns(const bc_cur_reader *r)
{
	return r->ncols;
}

/* header name of column i */
const char *
bc_cur_column_name(const bc_cur_reader *r, int i)
{
	if (i < 0 || i >= r->ncols)
		return NULL;
	return r->names + r->name_off[i];
}

/* compressed bytes consumed */
uint64_t
bc_cur_bytes_in(const bc_cur_reader *r)
{
	if (r->ahead != NULL)
		return r->ahead_bytes_in;
	return r->bytes_in;
}

/* uncompressed bytes parsed */
uint64_t
bc_cur_bytes_out(const bc_cur_reader *r)
{
	return r->bytes_out;
}

/* was the input gzip */
bool
bc_cur_is_gzip(const bc_cur_reader *r)
{
	return r->gzip;
}

/* sha256 of the raw input once everything has been read */
bool
bc_cur_sha256_hex(bc_cur_reader *r, char hex[65])
{
	bc_sha256_ctx copy;
	uint8_t		d[BC_SHA256_DIGEST_LEN];

	if (!r->want_sha || r->state != BC_CUR_EOF || !r->src_eof)
		return false;
	copy = r->sha;
	bc_sha256_final(&copy, d);
	bc_sha256_hex(d, hex);
	return true;
}

/* free everything */
void
bc_cur_close(bc_cur_reader *r)
{
	if (r == NULL)
		return;
	if (r->ahead != NULL)
	{
		bc_ahead_stop(r->ahead);
		r->ahead = NULL;
		r->outbuf = r->own_outbuf;
	}
	if (r->csv_inited)
		csv_free(&r->csv);
	if (r->z_inited)
		inflateEnd(&r->zs);
	if (r->kind == SRC_FILE && r->fd >= 0)
		close(r->fd);
	free(r->inbuf);
	free(r->outbuf);
	free(r->names);
	free(r->rowbuf);
	free(r->scratch);
	free(r->specials);
	free(r);
}

/* message for a status */
const char *
bc_cur_strerror(bc_cur_status st)
{
	if ((int) st < 0 || st >= BC_CUR__STATUS_COUNT)
		return "unknown status";
	return status_text[st].message;
}

/* stable short name of a status */
const char *
bc_cur_status_name(bc_cur_status st)
{
	if ((int) st < 0 || st >= BC_CUR__STATUS_COUNT)
		return "unknown";
	return status_text[st].name;
}

/* one-line error text */
char *
bc_cur_format_error(const bc_cur_error *e, char *buf, size_t cap)
{
	size_t		o;

	if (cap == 0)
		return buf;
	o = snprintf(buf, cap, "%s", e->message ? e->message : bc_cur_strerror(e->status));
	if (o < cap && e->line > 0)
		o += snprintf(buf + o, cap - o, " at line %llu", (unsigned long long) e->line);
	if (o < cap && e->column[0])
		o += snprintf(buf + o, cap - o, ", column \"%s\"", e->column);
	if (o < cap && e->value[0])
		o += snprintf(buf + o, cap - o, ": \"%s\"", e->value);
	if (o < cap && e->sys_errno)
		snprintf(buf + o, cap - o, " (%s)", strerror(e->sys_errno));
	return buf;
}

/* known column for a header name, ASCII case-insensitive */
int
bc_cur_lookup_column(const char *name, size_t len)
{
	for (int c = 0; c < BC_COL__COUNT; c++)
	{
		const char *k = bc_cur_columns[c].name;
		size_t		i;

		for (i = 0; i < len && k[i]; i++)
		{
			char		a = name[i];

			if (a >= 'A' && a <= 'Z')
				a += 'a' - 'A';
			if (a != k[i])
				break;
		}
		if (i == len && k[i] == '\0')
			return c;
	}
	return -1;
}
