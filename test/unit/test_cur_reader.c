/*-------------------------------------------------------------------------
 *
 * test_cur_reader.c
 *		Unit tests of the streaming CUR reader: header mapping, CSV edge
 *		cases, gzip handling and every error status, on fixtures written
 *		at test time (plain CSV in memory, gzip files through zlib).
 *
 * IDENTIFICATION
 *		test/unit/test_cur_reader.c
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "unit.h"
#include "cur_reader.h"
#include "sha256.h"

/* the required columns, in a header line */
#define REQ_HDR "bill_payer_account_id,bill_billing_period_start_date,line_item_line_item_type," \
	"line_item_usage_start_date,line_item_usage_end_date,line_item_usage_account_id," \
	"line_item_product_code,line_item_usage_type,line_item_usage_amount,line_item_unblended_cost"
#define REQ_ROW "111122223333,2026-04-01T00:00:00Z,Usage,2026-04-01T00:00:00Z,2026-04-01T01:00:00Z," \
	"444455556666,AmazonBedrock,USE1-Claude4.6Sonnet-input-tokens,1500,0.0045"

/* open a memory reader, expecting success */
static bc_cur_reader *
open_mem(const char *s, int *unit_failed_)
{
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_status st = bc_cur_open_memory(&r, s, strlen(s), 0, &e);

	if (st != BC_CUR_OK)
	{
		char		buf[512];

		UNIT_FAIL("open failed: %s", bc_cur_format_error(&e, buf, sizeof(buf)));
	}
	return r;
}

/* open a memory reader expected to fail at open with a status */
static bc_cur_status
open_fail(const void *s, size_t len, bc_cur_error *e)
{
	bc_cur_reader *r = NULL;
	bc_cur_status st = bc_cur_open_memory(&r, s, len, 0, e);

	if (r)
		bc_cur_close(r);
	return st;
}

/* read rows until a non-row status; returns it; counts rows */
static bc_cur_status
drain(bc_cur_reader *r, long *nrows)
{
	bc_cur_row row;
	bc_cur_status st;

	*nrows = 0;
	while ((st = bc_cur_next(r, &row)) == BC_CUR_ROW)
		(*nrows)++;
	return st;
}

/* write bytes as a gzip file; returns the path (static buffer per call site) */
static void
write_gz(const char *path, const void *data, size_t len)
{
	gzFile		g = gzopen(path, "wb");

	if (len > 0)
		gzwrite(g, data, (unsigned) len);
	gzclose(g);
}

/* write raw bytes to a file */
static void
write_raw(const char *path, const void *data, size_t len)
{
	FILE	   *f = fopen(path, "wb");

	if (len > 0)
		fwrite(data, 1, len, f);
	fclose(f);
}

/* read a whole file into a malloc'd buffer */
static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	unsigned char *b;
	long		n;

	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc(n + 1);
	*len = fread(b, 1, n, f);
	fclose(f);
	return b;
}

/* a temp path unique to this process */
static const char *
tmp_path(char *buf, size_t cap, const char *suffix)
{
	snprintf(buf, cap, "/tmp/bc_unit_%d_%s", (int) getpid(), suffix);
	return buf;
}

UNIT_TEST(reader_basic_row)
{
	const char *csv = REQ_HDR "\n" REQ_ROW "\n";
	bc_cur_reader *r = open_mem(csv, unit_failed_);
	bc_cur_row row;

	if (!r)
		return;
	CHECK_INT_EQ(bc_cur_ncolumns(r), 10);
	CHECK(bc_cur_has_column(r, BC_COL_LINE_ITEM_USAGE_TYPE));
	CHECK(!bc_cur_has_column(r, BC_COL_LINE_ITEM_IAM_PRINCIPAL));
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_MEM_EQ(row.f[BC_COL_BILL_PAYER_ACCOUNT_ID].ptr, row.f[BC_COL_BILL_PAYER_ACCOUNT_ID].len, "111122223333");
	CHECK_MEM_EQ(row.f[BC_COL_LINE_ITEM_USAGE_TYPE].ptr, row.f[BC_COL_LINE_ITEM_USAGE_TYPE].len, "USE1-Claude4.6Sonnet-input-tokens");
	CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_UNBLENDED_COST].ptr, "0.0045");
	CHECK(row.f[BC_COL_LINE_ITEM_UNBLENDED_COST].present);
	CHECK(!row.f[BC_COL_LINE_ITEM_UNBLENDED_COST].null);
	CHECK(!row.f[BC_COL_LINE_ITEM_IAM_PRINCIPAL].present);
	CHECK(row.f[BC_COL_LINE_ITEM_IAM_PRINCIPAL].null);
	CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_IAM_PRINCIPAL].ptr, "");
	CHECK_INT_EQ(row.line, 2);
	CHECK_INT_EQ(row.offset, strlen(REQ_HDR) + 1);
	CHECK_INT_EQ(row.row_number, 1);
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_EOF);
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_EOF);
	CHECK_INT_EQ(bc_cur_bytes_in(r), strlen(csv));
	CHECK_INT_EQ(bc_cur_bytes_out(r), strlen(csv));
	CHECK(!bc_cur_is_gzip(r));
	bc_cur_close(r);
}

UNIT_TEST(reader_any_order_extra_columns)
{
	/* reversed order, unknown columns, upper case names, optional ones */
	const char *csv =
		"zzz_unknown,LINE_ITEM_UNBLENDED_COST,line_item_usage_amount,line_item_usage_type,line_item_product_code,"
		"line_item_usage_account_id,line_item_usage_end_date,line_item_usage_start_date,line_item_iam_principal,"
		"line_item_line_item_type,bill_billing_period_start_date,bill_payer_account_id,tags,another\n"
		"x,1.5,10,U,P,444455556666,E,S,arn:aws:iam::444455556666:role/r,Usage,B,111122223333,"
		"\"{\"\"iamPrincipal/team\"\":\"\"ml\"\"}\",y\n"
		"x,2,20,U2,P2,444455556666,E,S,,Tax,B,111122223333,{},y";	/* no final newline */
	bc_cur_reader *r = open_mem(csv, unit_failed_);
	bc_cur_row row;

	if (!r)
		return;
	CHECK_INT_EQ(bc_cur_ncolumns(r), 14);
	CHECK_STR_EQ(bc_cur_column_name(r, 0), "zzz_unknown");
	CHECK_STR_EQ(bc_cur_column_name(r, 1), "LINE_ITEM_UNBLENDED_COST");
	CHECK(bc_cur_column_name(r, 14) == NULL);
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_UNBLENDED_COST].ptr, "1.5");
	CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_USAGE_AMOUNT].ptr, "10");
	CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_IAM_PRINCIPAL].ptr, "arn:aws:iam::444455556666:role/r");
	CHECK_STR_EQ(row.f[BC_COL_TAGS].ptr, "{\"iamPrincipal/team\":\"ml\"}");
	CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_LINE_ITEM_TYPE].ptr, "Usage");
	CHECK(!row.f[BC_COL_PRODUCT].present);
	CHECK_INT_EQ(row.line, 2);
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_INT_EQ(row.line, 3);
	CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_LINE_ITEM_TYPE].ptr, "Tax");
	CHECK(row.f[BC_COL_LINE_ITEM_IAM_PRINCIPAL].present);
	CHECK(row.f[BC_COL_LINE_ITEM_IAM_PRINCIPAL].null);
	CHECK_INT_EQ(row.f[BC_COL_LINE_ITEM_IAM_PRINCIPAL].len, 0);
	CHECK_STR_EQ(row.f[BC_COL_TAGS].ptr, "{}");
	CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_UNBLENDED_COST].ptr, "2");
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_EOF);
	bc_cur_close(r);
}

UNIT_TEST(reader_empty_quoted_vs_null)
{
	const char *csv = REQ_HDR ",line_item_iam_principal,line_item_resource_id\n" REQ_ROW ",\"\",\n";
	bc_cur_reader *r = open_mem(csv, unit_failed_);
	bc_cur_row row;

	if (!r)
		return;
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK(!row.f[BC_COL_LINE_ITEM_IAM_PRINCIPAL].null);
	CHECK_INT_EQ(row.f[BC_COL_LINE_ITEM_IAM_PRINCIPAL].len, 0);
	CHECK(row.f[BC_COL_LINE_ITEM_RESOURCE_ID].null);
	CHECK(row.f[BC_COL_LINE_ITEM_RESOURCE_ID].present);
	bc_cur_close(r);
}

UNIT_TEST(reader_crlf_quoted_newlines_spaces)
{
	const char *csv =
		REQ_HDR ",line_item_line_item_description\r\n"
		REQ_ROW ",\"multi\r\nline, with \"\"quotes\"\"\nend\"\r\n"
		"\r\n"					/* blank line skipped */
		REQ_ROW ",  padded value  \r\n";
	bc_cur_reader *r = open_mem(csv, unit_failed_);
	bc_cur_row row;

	if (!r)
		return;
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_LINE_ITEM_DESCRIPTION].ptr, "multi\r\nline, with \"quotes\"\nend");
	CHECK_INT_EQ(row.line, 2);
	CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_UNBLENDED_COST].ptr, "0.0045");
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_INT_EQ(row.line, 6);
	CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_LINE_ITEM_DESCRIPTION].ptr, "  padded value  ");
	CHECK_INT_EQ(row.offset, strstr(csv, "\r\n\r\n") + 4 - csv);
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_EOF);
	bc_cur_close(r);
}

UNIT_TEST(reader_bom_skipped)
{
	const char *csv = "\xEF\xBB\xBF" REQ_HDR "\n" REQ_ROW "\n";
	bc_cur_reader *r = open_mem(csv, unit_failed_);
	bc_cur_row row;

	if (!r)
		return;
	CHECK_STR_EQ(bc_cur_column_name(r, 0), "bill_payer_account_id");
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_INT_EQ(row.line, 2);
	CHECK_INT_EQ(row.offset, 3 + strlen(REQ_HDR) + 1);
	CHECK_STR_EQ(row.f[BC_COL_BILL_PAYER_ACCOUNT_ID].ptr, "111122223333");
	bc_cur_close(r);
}

UNIT_TEST(reader_missing_required_column)
{
	const char *csv = "bill_payer_account_id,bill_billing_period_start_date\n1,2\n";
	bc_cur_error e;

	CHECK_INT_EQ(open_fail(csv, strlen(csv), &e), BC_CUR_ERR_MISSING_COLUMN);
	CHECK_STR_EQ(e.column, "line_item_line_item_type");
	CHECK_INT_EQ(e.line, 1);
}

UNIT_TEST(reader_duplicate_column)
{
	const char *csv = REQ_HDR ",tags,TAGS\n";
	bc_cur_error e;

	CHECK_INT_EQ(open_fail(csv, strlen(csv), &e), BC_CUR_ERR_DUPLICATE_COLUMN);
	CHECK_STR_EQ(e.column, "tags");
}

UNIT_TEST(reader_header_only_and_empty)
{
	const char *csv = REQ_HDR "\n";
	bc_cur_reader *r = open_mem(csv, unit_failed_);
	bc_cur_error e;
	long		n;

	if (r)
	{
		CHECK_INT_EQ(drain(r, &n), BC_CUR_EOF);
		CHECK_INT_EQ(n, 0);
		bc_cur_close(r);
	}
	CHECK_INT_EQ(open_fail("", 0, &e), BC_CUR_ERR_EMPTY);
	CHECK_STR_EQ(e.message, "input is empty: no CSV header");
	CHECK_INT_EQ(open_fail("\n\r\n\n", 4, &e), BC_CUR_ERR_EMPTY);
	CHECK_INT_EQ(open_fail("\xEF\xBB\xBF", 3, &e), BC_CUR_ERR_EMPTY);
}

UNIT_TEST(reader_ragged)
{
	const char *csv = REQ_HDR "\n" REQ_ROW "\n" REQ_ROW ",extra\n";
	bc_cur_reader *r = open_mem(csv, unit_failed_);
	bc_cur_row row;
	const bc_cur_error *e;
	char		buf[512];

	if (!r)
		return;
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ERR_RAGGED);
	e = bc_cur_error_get(r);
	CHECK_INT_EQ(e->line, 3);
	CHECK_STR_EQ(e->value, "expected 10 fields, found 11");
	CHECK_STR_EQ(bc_cur_format_error(e, buf, sizeof(buf)),
				 "row has a different number of fields than the header at line 3: \"expected 10 fields, found 11\"");
	/* sticky */
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ERR_RAGGED);
	bc_cur_close(r);

	r = open_mem(REQ_HDR "\na,b\n", unit_failed_);
	if (!r)
		return;
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ERR_RAGGED);
	CHECK_INT_EQ(bc_cur_error_get(r)->line, 2);
	CHECK_STR_EQ(bc_cur_error_get(r)->value, "expected 10 fields, found 2");
	bc_cur_close(r);
}

UNIT_TEST(reader_csv_syntax_errors)
{
	bc_cur_reader *r;
	bc_cur_row row;
	const bc_cur_error *e;

	/* stray quote inside an unquoted field, on line 3 */
	r = open_mem(REQ_HDR "\n" REQ_ROW "\n" "a,b\"c,d\n", unit_failed_);
	if (!r)
		return;
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ERR_CSV_SYNTAX);
	e = bc_cur_error_get(r);
	CHECK_INT_EQ(e->line, 3);
	CHECK_STR_EQ(e->column, "bill_billing_period_start_date");
	bc_cur_close(r);

	/* text after a closing quote */
	r = open_mem(REQ_HDR "\n\"a\"x,b\n", unit_failed_);
	if (!r)
		return;
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ERR_CSV_SYNTAX);
	CHECK_INT_EQ(bc_cur_error_get(r)->line, 2);
	bc_cur_close(r);

	/* unterminated quote at end of input; error names the row start */
	r = open_mem(REQ_HDR "\n" REQ_ROW "\n\"abc\nmore\n", unit_failed_);
	if (!r)
		return;
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ERR_UNTERMINATED_QUOTE);
	CHECK_INT_EQ(bc_cur_error_get(r)->line, 3);
	bc_cur_close(r);
}

UNIT_TEST(reader_bare_cr)
{
	bc_cur_reader *r;
	bc_cur_row row;

	r = open_mem(REQ_HDR "\n" REQ_ROW "\r" REQ_ROW "\n", unit_failed_);
	if (!r)
		return;
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ERR_BARE_CR);
	CHECK_INT_EQ(bc_cur_error_get(r)->line, 2);
	bc_cur_close(r);

	/* CR-only file: the header itself */
	{
		bc_cur_error e;
		const char *s = REQ_HDR "\r" REQ_ROW "\r";

		CHECK_INT_EQ(open_fail(s, strlen(s), &e), BC_CUR_ERR_BARE_CR);
	}
	/* CR CR LF: the second CR is not a line end */
	r = open_mem(REQ_HDR "\n" REQ_ROW "\r\r\n" REQ_ROW "\n", unit_failed_);
	if (!r)
		return;
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ERR_BARE_CR);
	CHECK_INT_EQ(bc_cur_error_get(r)->line, 2);
	bc_cur_close(r);
	{
		bc_cur_error e;
		const char *s = REQ_HDR "\r\r\n" REQ_ROW "\n";

		CHECK_INT_EQ(open_fail(s, strlen(s), &e), BC_CUR_ERR_BARE_CR);
	}
	/* a final CR without LF at end of input is accepted */
	r = open_mem(REQ_HDR "\n" REQ_ROW "\r", unit_failed_);
	if (!r)
		return;
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_EOF);
	bc_cur_close(r);
}

UNIT_TEST(reader_nul_and_utf8)
{
	static const char s1[] = REQ_HDR "\n111122223333,2026\0-04,Usage,S,E,A,P,U,1,2\n";
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_row row;

	CHECK_INT_EQ(bc_cur_open_memory(&r, s1, sizeof(s1) - 1, 0, &e), BC_CUR_OK);
	if (!r)
		return;
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ERR_NUL);
	CHECK_INT_EQ(bc_cur_error_get(r)->line, 2);
	CHECK_STR_EQ(bc_cur_error_get(r)->column, "bill_billing_period_start_date");
	CHECK_STR_EQ(bc_cur_error_get(r)->value, "2026\\x00-04");
	bc_cur_close(r);

	/* invalid UTF-8 in an unknown column is still an error */
	r = open_mem(REQ_HDR ",other\n" REQ_ROW ",caf\xC3\n", unit_failed_);
	if (!r)
		return;
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ERR_UTF8);
	CHECK_STR_EQ(bc_cur_error_get(r)->column, "other");
	CHECK_STR_EQ(bc_cur_error_get(r)->value, "caf\\xc3");
	bc_cur_close(r);

	/* overlong encoding, surrogate, too-large code point */
	{
		const char *bad[] = {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82", "\xFF", "\x80"};

		for (int i = 0; i < 6; i++)
		{
			char		buf[1024];

			snprintf(buf, sizeof(buf), REQ_HDR ",other\n" REQ_ROW ",x%sy\n", bad[i]);
			r = open_mem(buf, unit_failed_);
			if (!r)
				return;
			CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ERR_UTF8);
			bc_cur_close(r);
		}
	}
	/* valid multibyte text passes */
	r = open_mem(REQ_HDR ",line_item_line_item_description\n" REQ_ROW ",\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"\n", unit_failed_);
	if (!r)
		return;
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_LINE_ITEM_DESCRIPTION].ptr, "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
	bc_cur_close(r);
}

UNIT_TEST(reader_field_too_long)
{
	size_t		big = BC_CUR_MAX_FIELD + 10;
	size_t		hl = strlen(REQ_HDR ",other\n" REQ_ROW ",");
	char	   *s = malloc(hl + big + 2);
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_row row;

	memcpy(s, REQ_HDR ",other\n" REQ_ROW ",", hl);
	memset(s + hl, 'x', big);
	s[hl + big] = '\n';
	CHECK_INT_EQ(bc_cur_open_memory(&r, s, hl + big + 1, 0, &e), BC_CUR_OK);
	if (r)
	{
		CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ERR_FIELD_TOO_LONG);
		CHECK_STR_EQ(bc_cur_error_get(r)->column, "other");
		CHECK_INT_EQ(bc_cur_error_get(r)->line, 2);
		CHECK_STR_EQ(bc_cur_error_get(r)->message, "field too long");
		CHECK_INT_EQ(strlen(bc_cur_error_get(r)->value), BC_CUR_ERR_VALUE_MAX);
		bc_cur_close(r);
	}
	/* exactly the maximum is fine, in a quoted known column */
	hl = strlen(REQ_HDR ",tags\n" REQ_ROW ",");
	memcpy(s, REQ_HDR ",tags\n" REQ_ROW ",", hl);
	s[hl] = '"';
	memset(s + hl + 1, 'y', BC_CUR_MAX_FIELD);
	s[hl + 1 + BC_CUR_MAX_FIELD] = '"';
	CHECK_INT_EQ(bc_cur_open_memory(&r, s, hl + BC_CUR_MAX_FIELD + 2, 0, &e), BC_CUR_OK);
	if (r)
	{
		CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
		CHECK_INT_EQ(row.f[BC_COL_TAGS].len, BC_CUR_MAX_FIELD);
		CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_EOF);
		bc_cur_close(r);
	}
	/* one more byte is too long */
	s[hl + 1 + BC_CUR_MAX_FIELD] = 'y';
	s[hl + 2 + BC_CUR_MAX_FIELD] = '"';
	CHECK_INT_EQ(bc_cur_open_memory(&r, s, hl + BC_CUR_MAX_FIELD + 3, 0, &e), BC_CUR_OK);
	if (r)
	{
		CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ERR_FIELD_TOO_LONG);
		CHECK_STR_EQ(bc_cur_error_get(r)->column, "tags");
		bc_cur_close(r);
	}
	free(s);
}

UNIT_TEST(reader_gzip_file_and_sha)
{
	char		path[256];
	const char *csv = REQ_HDR "\r\n" REQ_ROW "\r\n" REQ_ROW "\r\n";
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_row row;
	char		hex[65];
	char		want[65];
	unsigned char *raw;
	size_t		rawlen;

	tmp_path(path, sizeof(path), "basic.csv.gz");
	write_gz(path, csv, strlen(csv));
	raw = slurp(path, &rawlen);
	bc_sha256_buffer_hex(raw, rawlen, want);
	CHECK_INT_EQ(bc_cur_open_file(&r, path, BC_CUR_OPT_SHA256, &e), BC_CUR_OK);
	if (r)
	{
		CHECK(bc_cur_is_gzip(r));
		CHECK(!bc_cur_sha256_hex(r, hex));
		CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
		CHECK_INT_EQ(row.line, 2);
		CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_UNBLENDED_COST].ptr, "0.0045");
		CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
		CHECK_INT_EQ(row.line, 3);
		CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_EOF);
		CHECK_INT_EQ(bc_cur_bytes_in(r), rawlen);
		CHECK_INT_EQ(bc_cur_bytes_out(r), strlen(csv));
		CHECK(bc_cur_sha256_hex(r, hex));
		CHECK_STR_EQ(hex, want);
		bc_cur_close(r);
	}
	/* the same bytes from memory */
	CHECK_INT_EQ(bc_cur_open_memory(&r, raw, rawlen, 0, &e), BC_CUR_OK);
	if (r)
	{
		long		n;

		CHECK(bc_cur_is_gzip(r));
		CHECK_INT_EQ(drain(r, &n), BC_CUR_EOF);
		CHECK_INT_EQ(n, 2);
		bc_cur_close(r);
	}
	free(raw);
	unlink(path);
}

UNIT_TEST(reader_gzip_errors)
{
	char		path[256];
	char		path2[256];
	const char *csv = REQ_HDR "\n" REQ_ROW "\n" REQ_ROW "\n";
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_row row;
	unsigned char *raw;
	size_t		rawlen;
	long		n;

	tmp_path(path, sizeof(path), "err.csv.gz");
	tmp_path(path2, sizeof(path2), "err2.csv.gz");
	write_gz(path, csv, strlen(csv));
	raw = slurp(path, &rawlen);

	/* truncated: drop the trailer and some data */
	write_raw(path2, raw, rawlen - 12);
	r = NULL;
	{
		bc_cur_status st = bc_cur_open_file(&r, path2, 0, &e);

		if (st == BC_CUR_OK)
		{
			st = drain(r, &n);
			bc_cur_close(r);
		}
		CHECK_INT_EQ(st, BC_CUR_ERR_GZIP_TRUNCATED);
	}
	/* only the trailer missing: data complete but CRC/length absent */
	write_raw(path2, raw, rawlen - 4);
	{
		bc_cur_status st = bc_cur_open_file(&r, path2, 0, &e);

		if (st == BC_CUR_OK)
		{
			st = drain(r, &n);
			bc_cur_close(r);
		}
		CHECK_INT_EQ(st, BC_CUR_ERR_GZIP_TRUNCATED);
	}
	/* corrupt CRC */
	raw[rawlen - 6] ^= 0x55;
	write_raw(path2, raw, rawlen);
	{
		bc_cur_status st = bc_cur_open_file(&r, path2, 0, &e);

		if (st == BC_CUR_OK)
		{
			st = drain(r, &n);
			e = *bc_cur_error_get(r);
			bc_cur_close(r);
		}
		CHECK_INT_EQ(st, BC_CUR_ERR_GZIP_CORRUPT);
		CHECK_STR_EQ(e.value, "incorrect data check");
	}
	raw[rawlen - 6] ^= 0x55;
	/* corrupt deflate data right after the 10-byte header */
	raw[10] = 0xff;
	raw[11] = 0xff;
	write_raw(path2, raw, rawlen);
	CHECK_INT_EQ(bc_cur_open_file(&r, path2, 0, &e), BC_CUR_ERR_GZIP_CORRUPT);
	/* not gzip, but named .gz */
	write_raw(path2, csv, strlen(csv));
	CHECK_INT_EQ(bc_cur_open_file(&r, path2, 0, &e), BC_CUR_ERR_NOT_GZIP);
	CHECK(r == NULL);
	/* empty gzip file (0 bytes) and gzip of nothing */
	write_raw(path2, "", 0);
	CHECK_INT_EQ(bc_cur_open_file(&r, path2, 0, &e), BC_CUR_ERR_EMPTY);
	write_gz(path2, "", 0);
	CHECK_INT_EQ(bc_cur_open_file(&r, path2, 0, &e), BC_CUR_ERR_EMPTY);
	/* missing file */
	CHECK_INT_EQ(bc_cur_open_file(&r, "/nonexistent/x.csv.gz", 0, &e), BC_CUR_ERR_IO);
	CHECK_INT_EQ(e.sys_errno, ENOENT);
	/* trailing garbage after a complete member */
	free(raw);
	write_gz(path, csv, strlen(csv));
	raw = slurp(path, &rawlen);
	raw = realloc(raw, rawlen + 5);
	memcpy(raw + rawlen, "junk!", 5);
	write_raw(path2, raw, rawlen + 5);
	{
		bc_cur_status st = bc_cur_open_file(&r, path2, 0, &e);

		if (st == BC_CUR_OK)
		{
			st = drain(r, &n);
			bc_cur_close(r);
		}
		CHECK_INT_EQ(st, BC_CUR_ERR_GZIP_CORRUPT);
	}
	/* two concatenated members are one stream */
	memcpy(raw + rawlen, raw, 0);
	{
		unsigned char *two = malloc(rawlen * 2);
		bc_cur_status st;

		memcpy(two, raw, rawlen);
		/* second member: rows only */
		write_gz(path2, REQ_ROW "\n", strlen(REQ_ROW "\n"));
		{
			size_t		l2;
			unsigned char *m2 = slurp(path2, &l2);

			two = realloc(two, rawlen + l2);
			memcpy(two + rawlen, m2, l2);
			free(m2);
			st = bc_cur_open_memory(&r, two, rawlen + l2, 0, &e);
			CHECK_INT_EQ(st, BC_CUR_OK);
			if (st == BC_CUR_OK)
			{
				CHECK_INT_EQ(drain(r, &n), BC_CUR_EOF);
				CHECK_INT_EQ(n, 3);
				bc_cur_close(r);
			}
		}
		free(two);
	}
	(void) row;
	free(raw);
	unlink(path);
	unlink(path2);
}

UNIT_TEST(reader_plain_csv_file)
{
	char		path[256];
	const char *csv = REQ_HDR "\n" REQ_ROW "\n";
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	long		n;

	tmp_path(path, sizeof(path), "plain.csv");
	write_raw(path, csv, strlen(csv));
	CHECK_INT_EQ(bc_cur_open_file(&r, path, BC_CUR_OPT_SHA256, &e), BC_CUR_OK);
	if (r)
	{
		char		hex[65];
		char		want[65];

		CHECK(!bc_cur_is_gzip(r));
		CHECK_INT_EQ(drain(r, &n), BC_CUR_EOF);
		CHECK_INT_EQ(n, 1);
		bc_sha256_buffer_hex(csv, strlen(csv), want);
		CHECK(bc_cur_sha256_hex(r, hex));
		CHECK_STR_EQ(hex, want);
		bc_cur_close(r);
	}
	/* forcing gzip on a plain file */
	CHECK_INT_EQ(bc_cur_open_file(&r, path, BC_CUR_OPT_EXPECT_GZIP, &e), BC_CUR_ERR_NOT_GZIP);
	unlink(path);
}

/* a callback source that returns one byte at a time */
typedef struct trickle
{
	const char *s;
	size_t		len;
	size_t		pos;
} trickle;

static long
trickle_read(void *ctx, void *buf, size_t cap)
{
	trickle    *t = ctx;

	if (t->pos >= t->len)
		return 0;
	((char *) buf)[0] = t->s[t->pos++];
	return 1;
}

static long
failing_read(void *ctx, void *buf, size_t cap)
{
	errno = EIO;
	return -1;
}

UNIT_TEST(reader_callback_trickle)
{
	const char *csv = "\xEF\xBB\xBF" REQ_HDR ",line_item_line_item_description\r\n"
		REQ_ROW ",\"a\r\nb\"\r\n" REQ_ROW ",c\r\n";
	trickle		t = {csv, strlen(csv), 0};
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_row row;

	CHECK_INT_EQ(bc_cur_open_callback(&r, trickle_read, &t, 0, &e), BC_CUR_OK);
	if (!r)
		return;
	CHECK_STR_EQ(bc_cur_column_name(r, 0), "bill_payer_account_id");
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_LINE_ITEM_DESCRIPTION].ptr, "a\r\nb");
	CHECK_INT_EQ(row.line, 2);
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_INT_EQ(row.line, 4);
	CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_LINE_ITEM_DESCRIPTION].ptr, "c");
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_EOF);
	bc_cur_close(r);

	/* a bare CR split across reads is still caught */
	{
		const char *s = REQ_HDR "\n" REQ_ROW "\rx\n";
		trickle		t2 = {s, strlen(s), 0};

		CHECK_INT_EQ(bc_cur_open_callback(&r, trickle_read, &t2, 0, &e), BC_CUR_OK);
		if (r)
		{
			CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ERR_BARE_CR);
			bc_cur_close(r);
		}
	}
	CHECK_INT_EQ(bc_cur_open_callback(&r, failing_read, NULL, 0, &e), BC_CUR_ERR_IO);
	CHECK_INT_EQ(e.sys_errno, EIO);
}

UNIT_TEST(reader_offset_after_leading_cr)
{
	/*
	 * A line that begins with a CR libcsv skips: the record's offset is
	 * the line's, whether the line came in one piece or byte by byte
	 */
	const char *s = REQ_HDR "\n" REQ_ROW "\n\r" REQ_ROW "\r\n";
	uint64_t	want = strlen(REQ_HDR "\n" REQ_ROW "\n");
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_row	row;

	for (int how = 0; how < 2; how++)
	{
		trickle		t = {s, strlen(s), 0};

		if (how == 0)
			CHECK_INT_EQ(bc_cur_open_memory(&r, s, strlen(s), 0, &e), BC_CUR_OK);
		else
			CHECK_INT_EQ(bc_cur_open_callback(&r, trickle_read, &t, 0, &e), BC_CUR_OK);
		if (!r)
			return;
		CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
		CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
		CHECK_INT_EQ(row.line, 3);
		CHECK_INT_EQ((long long) row.offset, (long long) want);
		CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_EOF);
		bc_cur_close(r);
	}
}

UNIT_TEST(reader_many_rows_gzip_lines)
{
	/* 20000 rows across many buffers: line numbers and count stay exact */
	char		path[256];
	gzFile		g;
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_row row;
	long		n = 0;
	bool		ok = true;

	tmp_path(path, sizeof(path), "many.csv.gz");
	g = gzopen(path, "wb");
	gzprintf(g, "%s,line_item_line_item_description\n", REQ_HDR);
	for (int i = 0; i < 20000; i++)
	{
		if (i % 100 == 7)
			gzprintf(g, "%s,\"two\nlines %d\"\n", REQ_ROW, i);
		else
			gzprintf(g, "%s,row %d\n", REQ_ROW, i);
	}
	gzclose(g);
	CHECK_INT_EQ(bc_cur_open_file(&r, path, 0, &e), BC_CUR_OK);
	if (!r)
		return;
	{
		uint64_t	expect_line = 2;

		while (bc_cur_next(r, &row) == BC_CUR_ROW)
		{
			char		want[64];

			if (row.line != expect_line)
				ok = false;
			snprintf(want, sizeof(want), (n % 100 == 7) ? "two\nlines %ld" : "row %ld", n);
			if (strcmp(row.f[BC_COL_LINE_ITEM_LINE_ITEM_DESCRIPTION].ptr, want) != 0)
				ok = false;
			expect_line += (n % 100 == 7) ? 2 : 1;
			n++;
		}
	}
	CHECK(ok);
	CHECK_INT_EQ(n, 20000);
	CHECK_INT_EQ(bc_cur_error_get(r)->status, BC_CUR_OK);
	bc_cur_close(r);
	unlink(path);
}

UNIT_TEST(reader_status_names)
{
	CHECK_STR_EQ(bc_cur_status_name(BC_CUR_ERR_GZIP_TRUNCATED), "gzip_truncated");
	CHECK_STR_EQ(bc_cur_strerror(BC_CUR_ERR_FIELD_TOO_LONG), "field too long");
	CHECK_STR_EQ(bc_cur_status_name((bc_cur_status) 999), "unknown");
	for (int s = 0; s < BC_CUR__STATUS_COUNT; s++)
		CHECK(bc_cur_status_name((bc_cur_status) s) != NULL && bc_cur_strerror((bc_cur_status) s) != NULL);
	CHECK_INT_EQ(bc_cur_lookup_column("Tags", 4), BC_COL_TAGS);
	CHECK_INT_EQ(bc_cur_lookup_column("tag", 3), -1);
	CHECK_INT_EQ(bc_cur_lookup_column("tagsx", 5), -1);
}

/* dump every row (mapped fields, line, null flags) and the final status */
static char *
dump_rows(const char *s, size_t len, unsigned opts, bool trickled)
{
	size_t		cap = 1 << 16;
	size_t		o = 0;
	char	   *out = malloc(cap);
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_row row;
	bc_cur_status st;
	trickle		t = {s, len, 0};

	out[0] = '\0';
	st = trickled ? bc_cur_open_callback(&r, trickle_read, &t, opts, &e)
		: bc_cur_open_memory(&r, s, len, opts, &e);
	if (st == BC_CUR_OK)
	{
		while ((st = bc_cur_next(r, &row)) == BC_CUR_ROW && o < cap - 4096)
		{
			o += snprintf(out + o, cap - o, "L%llu:", (unsigned long long) row.line);
			for (int c = 0; c < BC_COL__COUNT; c++)
				if (row.f[c].present)
					o += snprintf(out + o, cap - o, "[%s%s]", row.f[c].null ? "N" : "", row.f[c].ptr);
			out[o++] = '\n';
		}
		e = *bc_cur_error_get(r);
		bc_cur_close(r);
	}
	snprintf(out + o, cap - o, "status %s line %llu col %s", bc_cur_status_name(st),
			 (unsigned long long) e.line, e.column);
	return out;
}

UNIT_TEST(reader_fast_path_equivalence)
{
	/* spaces and tabs at every kind of field boundary, quoted and not */
	static const char *bodies[] = {
		" lead,trail ,\tboth\t,\" q \",in side,\"a, b\",{}\n",
		"x,y,z,\"q\" ,w,v,u\n",
		"x,y,z, \"q\",w,v,u\n",
		"x,y,z,\"q\"\t,w,v,u\r\n",
		"   \n",
		"x,y,z,\"multi\n line \",w ,v,u\n",
		"x,y,z,\"multi\n\" ,w,v,u\n",
		"x,y,z,\"a\"\" b\",w,v,u\n",
		"x,y,z,\"a \"\"b\"\" \", w,v,u \r\n",
		"x,y,z,\"Amazon Web Services, Inc.\",w,\"{\"\"k\"\":\"\"v w\"\"}\",u\n",
		"x,y,z,caf\xC3\xA9 ,w,v,u\n",
		"x,y,z,\xC3,w,v,u\n",
		"x,y,z,a\tb,w,v,u\n",
		"x,y,z,a,w,v,u ",
		"x,y,z,a,w,v,\" u\" ",
		"x,y,z,\"unterminated\n",
	};
	const char *hdr = "bill_payer_account_id,bill_billing_period_start_date,line_item_line_item_type,"
		"line_item_line_item_description,line_item_usage_start_date,tags,other_col,"
		"line_item_usage_end_date,line_item_usage_account_id,line_item_product_code,line_item_usage_type,"
		"line_item_usage_amount,line_item_unblended_cost\n";

	for (size_t b = 0; b < sizeof(bodies) / sizeof(bodies[0]); b++)
	{
		char		buf[1024];
		size_t		len;
		char	   *fast;
		char	   *slow;
		char	   *tfast;
		char	   *tslow;
		const char *body = bodies[b];
		char		full_body[512];

		/* pad each body line with the six trailing required columns */
		{
			size_t		o = 0;

			for (const char *q = body; *q; q++)
			{
				if (*q == '\n' && (q == body || q[-1] != '\r') && o > 0 && full_body[o - 1] != '"' && strstr(body, "multi") == NULL)
					o += snprintf(full_body + o, sizeof(full_body) - o, ",e,a,p,t,1,2");
				else if (*q == '\r')
					o += snprintf(full_body + o, sizeof(full_body) - o, ",e,a,p,t,1,2");
				full_body[o++] = *q;
			}
			full_body[o] = '\0';
		}
		len = snprintf(buf, sizeof(buf), "%s%s%s", hdr, full_body, full_body);
		fast = dump_rows(buf, len, 0, false);
		slow = dump_rows(buf, len, BC_CUR_OPT_NO_FAST_PATH, false);
		tfast = dump_rows(buf, len, 0, true);
		tslow = dump_rows(buf, len, BC_CUR_OPT_NO_FAST_PATH, true);
		if (getenv("BC_DUMP"))
			fprintf(stderr, "body %zu:\n%s\n", b, fast);
		if (strcmp(fast, slow) != 0 || strcmp(fast, tfast) != 0 || strcmp(fast, tslow) != 0)
			UNIT_FAIL("body %zu differs:\nfast:  %s\nslow:  %s\ntfast: %s\ntslow: %s", b, fast, slow, tfast, tslow);
		free(fast);
		free(slow);
		free(tfast);
		free(tslow);
	}
}

UNIT_TEST(reader_spaces_kept_exactly)
{
	const char *csv = REQ_HDR ",line_item_line_item_description,line_item_usage_account_name\n"
		REQ_ROW ", lead and trail ,\t\"not quoted\" \n";
	bc_cur_reader *r = open_mem(csv, unit_failed_);
	bc_cur_row row;

	if (!r)
		return;
	/* a quote inside an unquoted field is a strict CSV error */
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ERR_CSV_SYNTAX);
	bc_cur_close(r);
	r = open_mem(REQ_HDR ",line_item_line_item_description,line_item_usage_account_name\n"
				 REQ_ROW ", lead and trail ,\tMy Account \n", unit_failed_);
	if (!r)
		return;
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_LINE_ITEM_DESCRIPTION].ptr, " lead and trail ");
	CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_USAGE_ACCOUNT_NAME].ptr, "\tMy Account ");
	bc_cur_close(r);
}

UNIT_TEST(reader_row_too_long)
{
	/* five known columns of 1 MiB each exceed BC_CUR_MAX_ROW (4 MiB) */
	const char *extra = ",tags,product,resource_tags,cost_category,discount\n";
	size_t		hl = strlen(REQ_HDR) + strlen(extra) + strlen(REQ_ROW);
	size_t		total = hl + 5 * (BC_CUR_MAX_FIELD + 1) + 1;
	char	   *s = malloc(total + 1);
	size_t		o = 0;
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	bc_cur_row row;

	o += sprintf(s + o, "%s%s%s", REQ_HDR, extra, REQ_ROW);
	for (int i = 0; i < 5; i++)
	{
		s[o++] = ',';
		memset(s + o, 'a' + i, BC_CUR_MAX_FIELD);
		o += BC_CUR_MAX_FIELD;
	}
	s[o++] = '\n';
	CHECK_INT_EQ(bc_cur_open_memory(&r, s, o, 0, &e), BC_CUR_OK);
	if (r)
	{
		CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ERR_ROW_TOO_LONG);
		CHECK_STR_EQ(bc_cur_error_get(r)->column, "cost_category");
		CHECK_INT_EQ(bc_cur_error_get(r)->line, 2);
		bc_cur_close(r);
	}
	/* three full-size fields and a small one fit; values survive the buffer growth */
	o = 0;
	o += sprintf(s + o, "%s,tags,product,resource_tags,cost_category\n%s", REQ_HDR, REQ_ROW);
	for (int i = 0; i < 4; i++)
	{
		size_t		n = i < 3 ? BC_CUR_MAX_FIELD : 1000;

		s[o++] = ',';
		memset(s + o, 'a' + i, n);
		o += n;
	}
	s[o++] = '\n';
	CHECK_INT_EQ(bc_cur_open_memory(&r, s, o, 0, &e), BC_CUR_OK);
	if (r && bc_cur_next(r, &row) != BC_CUR_ROW)
		UNIT_FAIL("row expected: %s", bc_cur_error_get(r)->message);
	else if (r)
	{
		CHECK_INT_EQ(row.f[BC_COL_TAGS].len, BC_CUR_MAX_FIELD);
		CHECK(row.f[BC_COL_TAGS].ptr[0] == 'a' && row.f[BC_COL_TAGS].ptr[BC_CUR_MAX_FIELD - 1] == 'a');
		CHECK_INT_EQ(row.f[BC_COL_RESOURCE_TAGS].len, BC_CUR_MAX_FIELD);
		CHECK(row.f[BC_COL_RESOURCE_TAGS].ptr[17] == 'c');
		CHECK_INT_EQ(row.f[BC_COL_COST_CATEGORY].len, 1000);
		CHECK(row.f[BC_COL_COST_CATEGORY].ptr[999] == 'd');
		CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_UNBLENDED_COST].ptr, "0.0045");
	}
	bc_cur_close(r);
	free(s);
}

UNIT_TEST(reader_line_splitter_equivalence)
{
	/* the last two fields of a row, in forms the line splitter takes or hands to libcsv */
	static const char *tails[] = {
		"a,b\n", "\"a\",\"b\"\n", "\"\",\"\"\n", ",\n", "\"a\"\"\",\"\"\"\"\n", "\"x\"\"y\"\"z\",w\r\n",
		"\"a\rb\",c\n", "a\rb,c\n", "a,b,c\n", "a\n", "\"a\" ,b\n", "\"a\"b,c\n", "a\"b,c\n",
		"\"a,b\",\"c\nd\"\n", "\"\"\"\",\n", ",\"\"\r\n", "\"a\",\r\n", "\"caf\xC3\xA9\",\xC3\n",
		"\"a\"\"\r\n", " a , b \n", "\"a\",\"b\"\"\"\"c\"\n", "x,\"unterminated\n",
	};
	const char *hdr = REQ_HDR ",line_item_line_item_description,tags\n";

	for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++)
	{
		char		buf[2048];
		size_t		len = snprintf(buf, sizeof(buf), "%s%s,%s%s,%s", hdr, REQ_ROW, tails[t], REQ_ROW, tails[t]);
		char	   *fast = dump_rows(buf, len, 0, false);
		char	   *slow = dump_rows(buf, len, BC_CUR_OPT_NO_FAST_PATH, false);
		char	   *tfast = dump_rows(buf, len, 0, true);

		if (strcmp(fast, slow) != 0 || strcmp(fast, tfast) != 0)
			UNIT_FAIL("tail %zu differs:\nfast:  %s\nslow:  %s\ntfast: %s", t, fast, slow, tfast);
		free(fast);
		free(slow);
		free(tfast);
	}
}

UNIT_TEST(reader_line_splitter_values)
{
	const char *csv = REQ_HDR ",line_item_line_item_description,tags\n"
		REQ_ROW ",\"a\"\"b\",\"\"\r\n"
		REQ_ROW ",,\"{\"\"k\"\":\"\"v\"\"}\"\n"
		REQ_ROW ",\"\"\"\",x\n";
	bc_cur_reader *r = open_mem(csv, unit_failed_);
	bc_cur_row row;

	if (!r)
		return;
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_LINE_ITEM_DESCRIPTION].ptr, "a\"b");
	CHECK(!row.f[BC_COL_TAGS].null);
	CHECK_INT_EQ(row.f[BC_COL_TAGS].len, 0);
	CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_UNBLENDED_COST].ptr, "0.0045");
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK(row.f[BC_COL_LINE_ITEM_LINE_ITEM_DESCRIPTION].null);
	CHECK_STR_EQ(row.f[BC_COL_TAGS].ptr, "{\"k\":\"v\"}");
	CHECK_INT_EQ(row.line, 3);
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_ROW);
	CHECK_STR_EQ(row.f[BC_COL_LINE_ITEM_LINE_ITEM_DESCRIPTION].ptr, "\"");
	CHECK_STR_EQ(row.f[BC_COL_TAGS].ptr, "x");
	CHECK_INT_EQ(bc_cur_next(r, &row), BC_CUR_EOF);
	bc_cur_close(r);
}

UNIT_TEST(reader_gzip_damage_is_the_root_cause)
{
	/* stored (level 0) gzip: a damaged byte shows up verbatim in the CSV */
	char		path[256];
	gzFile		g;
	unsigned char *raw;
	size_t		rawlen;
	unsigned char *hit;
	bc_cur_reader *r = NULL;
	bc_cur_error e;
	long		n;

	tmp_path(path, sizeof(path), "stored.csv.gz");
	g = gzopen(path, "wb0");
	gzprintf(g, "%s\n", REQ_HDR);
	for (int i = 0; i < 5000; i++)
		gzprintf(g, "%s\n", REQ_ROW);
	gzclose(g);
	raw = slurp(path, &rawlen);
	/* turn one "Usage" into "Us\"ge" in the 10th row: a CSV error, and a CRC error */
	hit = raw;
	for (int i = 0; i < 10 && hit; i++)
		hit = memmem(hit + 1, rawlen - (size_t) (hit + 1 - raw), ",Usage,", 7);
	CHECK(hit != NULL);
	if (hit == NULL)
	{
		free(raw);
		return;
	}
	hit[3] = '"';
	CHECK_INT_EQ(bc_cur_open_memory(&r, raw, rawlen, 0, &e), BC_CUR_OK);
	if (r)
	{
		CHECK_INT_EQ(drain(r, &n), BC_CUR_ERR_GZIP_CORRUPT);
		CHECK_INT_EQ(n, 9);
		CHECK_INT_EQ(bc_cur_error_get(r)->line, 11);
		CHECK_STR_EQ(bc_cur_error_get(r)->value, "incorrect data check");
		bc_cur_close(r);
	}
	/* a small file is inflated, CRC included, before any row is returned */
	{
		size_t		small = 0;
		unsigned char *s2;

		g = gzopen(path, "wb0");
		gzprintf(g, "%s\n", REQ_HDR);
		for (int i = 0; i < 50; i++)
			gzprintf(g, "%s\n", REQ_ROW);
		gzclose(g);
		s2 = slurp(path, &small);
		hit = memmem(s2, small, ",Usage,", 7);
		hit[3] = '"';
		CHECK_INT_EQ(bc_cur_open_memory(&r, s2, small, 0, &e), BC_CUR_ERR_GZIP_CORRUPT);
		free(s2);
	}
	/* the same damage in a plain file is a CSV error */
	{
		char	   *plain = malloc(8192);
		size_t		o = 0;

		o += sprintf(plain + o, "%s\n", REQ_HDR);
		for (int i = 0; i < 50; i++)
			o += sprintf(plain + o, "%s\n", REQ_ROW);
		hit = (unsigned char *) plain;
		for (int i = 0; i < 10; i++)
			hit = (unsigned char *) strstr((char *) hit + 1, ",Usage,");
		hit[3] = '"';
		CHECK_INT_EQ(bc_cur_open_memory(&r, plain, o, 0, &e), BC_CUR_OK);
		if (r)
		{
			CHECK_INT_EQ(drain(r, &n), BC_CUR_ERR_CSV_SYNTAX);
			CHECK_INT_EQ(bc_cur_error_get(r)->line, 11);
			bc_cur_close(r);
		}
		free(plain);
	}
	free(raw);
	unlink(path);
}
