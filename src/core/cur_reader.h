/*-------------------------------------------------------------------------
 *
 * cur_reader.h
 *		Streaming reader of AWS CUR 2.0 CSV exports (gzip or plain CSV).
 *
 * The reader pulls bytes from a source (a file, an open descriptor, a
 * memory buffer or a caller-supplied read callback), inflates them with
 * zlib when they are gzip (detected by the magic bytes, several
 * concatenated members are allowed), splits them into CSV records with
 * libcsv (RFC 4180 quoting, quoted fields may hold commas, doubled quotes,
 * CR and LF), and maps the columns it knows by header NAME, in any order.
 * Unknown columns are ignored (but still validated); an optional column
 * missing from the header is reported as absent; a missing required
 * column is an error naming it.
 *
 * Ordinary record lines are split directly, other lines by libcsv, with
 * identical results (see cur_reader.c); BC_CUR_OPT_NO_FAST_PATH forces
 * libcsv for every line.
 *
 * Accepted: LF or CRLF line ends, a UTF-8 byte order mark before the
 * header (skipped), blank lines between records (skipped), header names
 * matched ASCII case-insensitively.  Rejected, each with its own status:
 * empty input (no header), input that is named *.gz but is not gzip,
 * truncated or corrupt gzip (including CRC/length mismatch), CSV syntax
 * errors (stray quote), an unterminated quoted field at end of input,
 * a bare CR used as a line end, NUL bytes, invalid UTF-8 (every field of
 * every column is checked), a field longer than BC_CUR_MAX_FIELD, rows
 * whose field count differs from the header's, duplicate known columns.
 *
 * Memory is bounded whatever the input size: fixed buffers allocated in
 * bc_cur_open_* (about 0.8 MiB with zlib's state), plus two buffers that grow on demand
 * (doubling, so a handful of times per file at most) up to fixed limits:
 * libcsv's field buffer up to BC_CUR_MAX_FIELD and the row buffer of
 * known columns up to BC_CUR_MAX_ROW.  All of it belongs to the reader
 * and is released by bc_cur_close.  Nothing is allocated per row or per
 * field.
 *
 * Rows returned before an error come from a file that is, as a whole,
 * bad: a corrupt gzip stream is only known to be corrupt when its CRC is
 * checked at the end.  Callers must treat an error as failing the file.
 * After a content error in gzip input the rest of the stream is inflated
 * and a gzip error, if found, is reported instead (the root cause).
 *
 * Line numbers and offsets are positions in the decompressed stream; the
 * offset counts a BOM, if present.  Row-level errors (ragged, NUL, UTF-8,
 * too long, unterminated quote) report the line where the row starts;
 * CSV syntax and bare-CR errors report the line of the offending byte;
 * gzip and read errors report the line reached when the error occurred.
 *
 * Values handed out in a bc_cur_row are NUL-terminated and stay valid
 * until the next bc_cur_next or bc_cur_close on the same reader.
 *
 * Not thread-safe per reader; separate readers are independent.
 *
 * IDENTIFICATION
 *		src/core/cur_reader.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_CUR_READER_H
#define BC_CUR_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* longest field accepted (bytes, after CSV unquoting) */
#define BC_CUR_MAX_FIELD		(1024 * 1024)
/* most bytes of known columns kept for one row */
#define BC_CUR_MAX_ROW			(4 * 1024 * 1024)
/* most columns in a header */
#define BC_CUR_MAX_COLUMNS		1024
/* longest header name kept */
#define BC_CUR_MAX_NAME			128
/* bad values quoted in errors are cut to this many bytes */
#define BC_CUR_ERR_VALUE_MAX	200

/* the columns the loader reads; keep bc_cur_columns[] in the same order */
typedef enum bc_cur_col
{
	BC_COL_BILL_BILLING_ENTITY,
	BC_COL_BILL_PAYER_ACCOUNT_ID,
	BC_COL_BILL_PAYER_ACCOUNT_NAME,
	BC_COL_BILL_BILLING_PERIOD_START_DATE,
	BC_COL_BILL_BILLING_PERIOD_END_DATE,
	BC_COL_BILL_INVOICE_ID,
	BC_COL_BILL_BILL_TYPE,
	BC_COL_IDENTITY_LINE_ITEM_ID,
	BC_COL_IDENTITY_TIME_INTERVAL,
	BC_COL_LINE_ITEM_LINE_ITEM_TYPE,
	BC_COL_LINE_ITEM_USAGE_START_DATE,
	BC_COL_LINE_ITEM_USAGE_END_DATE,
	BC_COL_LINE_ITEM_USAGE_ACCOUNT_ID,
	BC_COL_LINE_ITEM_USAGE_ACCOUNT_NAME,
	BC_COL_LINE_ITEM_PRODUCT_CODE,
	BC_COL_LINE_ITEM_USAGE_TYPE,
	BC_COL_LINE_ITEM_OPERATION,
	BC_COL_LINE_ITEM_USAGE_AMOUNT,
	BC_COL_LINE_ITEM_UNBLENDED_COST,
	BC_COL_LINE_ITEM_NET_UNBLENDED_COST,
	BC_COL_LINE_ITEM_UNBLENDED_RATE,
	BC_COL_LINE_ITEM_NET_UNBLENDED_RATE,
	BC_COL_LINE_ITEM_BLENDED_COST,
	BC_COL_LINE_ITEM_CURRENCY_CODE,
	BC_COL_LINE_ITEM_IAM_PRINCIPAL,
	BC_COL_LINE_ITEM_USER_IDENTIFIER,
	BC_COL_LINE_ITEM_LINE_ITEM_DESCRIPTION,
	BC_COL_LINE_ITEM_RESOURCE_ID,
	BC_COL_LINE_ITEM_LEGAL_ENTITY,
	BC_COL_PRICING_UNIT,
	BC_COL_PRICING_PUBLIC_ON_DEMAND_COST,
	BC_COL_PRODUCT,
	BC_COL_PRODUCT_REGION_CODE,
	BC_COL_PRODUCT_SERVICECODE,
	BC_COL_TAGS,
	BC_COL_RESOURCE_TAGS,
	BC_COL_COST_CATEGORY,
	BC_COL_DISCOUNT,
	BC_COL__COUNT
} bc_cur_col;

/* static description of one known column */
typedef struct bc_cur_column_def
{
	const char *name;			/* header name, lower case */
	bool		required;		/* missing from the header -> error */
} bc_cur_column_def;

/* indexed by bc_cur_col */
extern const bc_cur_column_def bc_cur_columns[BC_COL__COUNT];

/* result of bc_cur_open_* and bc_cur_next */
typedef enum bc_cur_status
{
	BC_CUR_OK = 0,				/* open succeeded */
	BC_CUR_ROW,					/* bc_cur_next: a row was returned */
	BC_CUR_EOF,					/* bc_cur_next: no more rows */
	BC_CUR_ERR_IO,				/* read error (errno in error.sys_errno) */
	BC_CUR_ERR_NOMEM,			/* allocation failed in open */
	BC_CUR_ERR_EMPTY,			/* no header: empty file or empty gzip */
	BC_CUR_ERR_NOT_GZIP,		/* named *.gz but no gzip magic */
	BC_CUR_ERR_GZIP_TRUNCATED,	/* gzip stream ends early */
	BC_CUR_ERR_GZIP_CORRUPT,	/* gzip data/CRC/length error */
	BC_CUR_ERR_CSV_SYNTAX,		/* stray quote and similar */
	BC_CUR_ERR_UNTERMINATED_QUOTE,	/* input ends inside a quoted field */
	BC_CUR_ERR_BARE_CR,			/* CR not followed by LF ends a line */
	BC_CUR_ERR_NUL,				/* NUL byte in a field */
	BC_CUR_ERR_UTF8,			/* field is not valid UTF-8 */
	BC_CUR_ERR_FIELD_TOO_LONG,	/* field longer than BC_CUR_MAX_FIELD */
	BC_CUR_ERR_ROW_TOO_LONG,	/* known columns exceed BC_CUR_MAX_ROW */
	BC_CUR_ERR_RAGGED,			/* field count differs from the header */
	BC_CUR_ERR_MISSING_COLUMN,	/* required column absent from header */
	BC_CUR_ERR_DUPLICATE_COLUMN,	/* a known column appears twice */
	BC_CUR_ERR_TOO_MANY_COLUMNS,	/* header wider than BC_CUR_MAX_COLUMNS */
	BC_CUR_ERR_STATE,			/* API misuse: next after an error */
	BC_CUR__STATUS_COUNT
} bc_cur_status;

/*
 * Error details.  line is the 1-based physical line (header = 1): for
 * row-level errors the line where the row starts, for CSV syntax and
 * bare-CR errors the line of the offending byte, for gzip and read errors
 * the line reached.  offset is the byte offset in the uncompressed stream
 * (a BOM counts) of the row start, or of the offending byte for CSV
 * syntax errors.  Both are 0 for errors before any data (open, empty).
 * column is the header name of the offending field ("" if none); value
 * the bad value or its context, cut to BC_CUR_ERR_VALUE_MAX bytes, with
 * bytes that are not printable ASCII shown as \xHH.  message is static
 * English text.
 */
typedef struct bc_cur_error
{
	bc_cur_status status;
	uint64_t	line;
	uint64_t	offset;
	int			column_index;	/* 0-based header position, -1 if none */
	char		column[BC_CUR_MAX_NAME + 1];
	char		value[BC_CUR_ERR_VALUE_MAX * 4 + 1];
	const char *message;
	int			sys_errno;
} bc_cur_error;

/* one field of a row */
typedef struct bc_cur_field
{
	const char *ptr;			/* NUL-terminated; "" when null or absent */
	uint32_t	len;
	bool		present;		/* the column exists in the header */
	bool		null;			/* empty unquoted field, or column absent */
} bc_cur_field;

/* one data row */
typedef struct bc_cur_row
{
	bc_cur_field f[BC_COL__COUNT];	/* indexed by bc_cur_col */
	uint64_t	line;			/* physical line where the row starts */
	uint64_t	offset;			/* byte offset of that line, uncompressed */
	uint64_t	row_number;		/* 1-based data row count */
} bc_cur_row;

/* read callback: fill buf with up to cap bytes; return count, 0 at end, -1 on error (set errno) */
typedef long (*bc_cur_read_fn) (void *ctx, void *buf, size_t cap);

/* options for bc_cur_open_* */
#define BC_CUR_OPT_SHA256		0x01	/* hash the raw (compressed) input */
#define BC_CUR_OPT_EXPECT_GZIP	0x02	/* input must be gzip */
#define BC_CUR_OPT_NO_FAST_PATH	0x04	/* testing: every line through libcsv, exact mode */
#define BC_CUR_OPT_NO_READ_AHEAD 0x08	/* inflate on the caller's thread only */

typedef struct bc_cur_reader bc_cur_reader;

/*
 * Open a file.  A name ending in ".gz" implies BC_CUR_OPT_EXPECT_GZIP.
 * Reads the header before returning.  On success returns BC_CUR_OK and
 * sets *out; otherwise returns the error status, fills *err (may be
 * NULL) and sets *out to NULL.  The caller owns *out; free it with
 * bc_cur_close.
 */
extern bc_cur_status bc_cur_open_file(bc_cur_reader **out, const char *path,
									  unsigned opts, bc_cur_error *err);

/*
 * Read a descriptor the caller opened, from its start (offset 0), as
 * bc_cur_open_file reads a file; name (a ".gz" name implies
 * BC_CUR_OPT_EXPECT_GZIP) is quoted in errors.  The reader does not close
 * fd.
 */
extern bc_cur_status bc_cur_open_fd(bc_cur_reader **out, int fd, const char *name,
									unsigned opts, bc_cur_error *err);

/* open over a memory buffer (not copied: it must outlive the reader) */
extern bc_cur_status bc_cur_open_memory(bc_cur_reader **out, const void *buf,
										size_t len, unsigned opts,
										bc_cur_error *err);

/* open over a read callback (ctx is passed through, not owned) */
extern bc_cur_status bc_cur_open_callback(bc_cur_reader **out,
										  bc_cur_read_fn fn, void *ctx,
										  unsigned opts, bc_cur_error *err);

/*
 * Read the next data row.  Returns BC_CUR_ROW (row filled), BC_CUR_EOF,
 * or an error status (details from bc_cur_error_get).  After an error or
 * EOF, further calls return the same status.
 */
extern bc_cur_status bc_cur_next(bc_cur_reader *r, bc_cur_row *row);

/* details of the last error (status BC_CUR_OK if none) */
extern const bc_cur_error *bc_cur_error_get(const bc_cur_reader *r);

/* true when the known column is in the header */
extern bool bc_cur_has_column(const bc_cur_reader *r, bc_cur_col col);

/* number of header columns, and the name of the i-th (0-based) */
extern int	bc_cur_ncolumns(const bc_cur_reader *r);
extern const char *bc_cur_column_name(const bc_cur_reader *r, int i);

/* raw (compressed) bytes consumed so far, for progress */
extern uint64_t bc_cur_bytes_in(const bc_cur_reader *r);

/* uncompressed bytes handed to the CSV parser so far */
extern uint64_t bc_cur_bytes_out(const bc_cur_reader *r);

/* true if the input was gzip */
extern bool bc_cur_is_gzip(const bc_cur_reader *r);

/*
 * SHA-256 of the raw input, as 64 lower-case hex digits plus NUL, into
 * hex[65].  Only with BC_CUR_OPT_SHA256 and after bc_cur_next returned
 * BC_CUR_EOF; returns false otherwise.
 */
extern bool bc_cur_sha256_hex(bc_cur_reader *r, char hex[65]);

/* release the reader and everything it owns; NULL is fine */
extern void bc_cur_close(bc_cur_reader *r);

/* static lower-case message for a status */
extern const char *bc_cur_strerror(bc_cur_status st);

/* short stable name for a status, e.g. "gzip_truncated" */
extern const char *bc_cur_status_name(bc_cur_status st);

/*
 * Format err as one line "message at line N, column "x": value "v"" into
 * buf (always NUL-terminated); returns buf.
 */
extern char *bc_cur_format_error(const bc_cur_error *err, char *buf, size_t cap);

/* known column index for a header name (case-insensitive), or -1 */
extern int	bc_cur_lookup_column(const char *name, size_t len);

#endif							/* BC_CUR_READER_H */
