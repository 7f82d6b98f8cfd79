/*-------------------------------------------------------------------------
 *
 * copy_binary.h
 *		Values in PostgreSQL's binary COPY format, written without
 *		PostgreSQL: the loader's rows, already checked by the row
 *		transformation, as the send functions of date, int4, int8,
 *		timestamptz, numeric, text, jsonb and iam_arn would write them.
 *
 * Binary COPY spares the backend the parsing of every value (text line
 * splitting, timestamptz_in, numeric_in, int8in): the receive functions
 * only copy or check.  Each value is a big-endian int32 length (-1 for
 * NULL) and its bytes; a row starts with its int16 field count.
 *
 * The conversions reproduce the input functions exactly on what the
 * transformation accepts: a numeric has numeric_in's digits, weight and
 * display scale (so 1.50 stays 1.50 and 1.5e3 is 1500), a timestamp is
 * microseconds since 2000-01-01 00:00 UTC.
 *
 * IDENTIFICATION
 *		src/core/copy_binary.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_COPY_BINARY_H
#define BC_COPY_BINARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "decimal.h"

/* the 19-byte file header: signature, flags, header extension length */
#define BC_CB_HEADER_LEN 19
extern const char bc_cb_header[BC_CB_HEADER_LEN];

extern void bc_cb_i16(bc_buf *out, int16_t v);
extern void bc_cb_int4(bc_buf *out, int32_t v);
extern void bc_cb_int8(bc_buf *out, int64_t v);
extern void bc_cb_null(bc_buf *out);
/* text (or varchar) value: the bytes as they are */
extern void bc_cb_text(bc_buf *out, const char *s, size_t len);
/* a type whose binary form is a version byte 1 and its text (jsonb, iam_arn) */
extern void bc_cb_versioned_text(bc_buf *out, const char *s, size_t len);
/* date of a calendar day */
extern void bc_cb_date(bc_buf *out, int year, int month, int day);
/* date of a day counted from 2000-01-01 (PostgreSQL's form of a date) */
extern void bc_cb_date_days(bc_buf *out, int32_t pg_days);

/*
 * timestamptz from microseconds since 1970-01-01 00:00 UTC (the
 * bc_time_epoch_usec of a timestamp cur_time.c parsed)
 */
extern void bc_cb_timestamp(bc_buf *out, int64_t epoch_usec);

/*
 * numeric from a decimal text (bc_decimal_scan's grammar, as the row
 * transformation checked it), times 10^shift; false when the text is not
 * one.
 */
extern bool bc_cb_numeric(bc_buf *out, const char *s, size_t len, int shift);

/*
 * A numeric field for units * 10^-scale (0 <= scale <= 18), shown with
 * dscale fraction digits, straight from the integer: the same bytes as
 * bc_cb_numeric of its text with dscale fraction digits, without the text.
 * units must have no non-zero digit below 10^-dscale.
 */
extern void bc_cb_numeric_units(bc_buf *out, __int128 units, int scale, int dscale);

#endif							/* BC_COPY_BINARY_H */
