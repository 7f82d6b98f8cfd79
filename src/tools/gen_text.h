/*-------------------------------------------------------------------------
 *
 * gen_text.h
 *		Growable byte buffer and CSV / JSON escaping for the CUR generator.
 *
 * IDENTIFICATION
 *		src/tools/gen_text.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_GEN_TEXT_H
#define BC_GEN_TEXT_H

#include <stddef.h>

/* a growable byte buffer; aborts the program when memory runs out */
typedef struct bc_gen_buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} bc_gen_buf;

extern void bc_gen_buf_reserve(bc_gen_buf *b, size_t extra);
extern void bc_gen_buf_put(bc_gen_buf *b, const char *s, size_t n);
extern void bc_gen_buf_puts(bc_gen_buf *b, const char *s);
extern void bc_gen_buf_putc(bc_gen_buf *b, char c);
extern void bc_gen_buf_printf(bc_gen_buf *b, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
extern void bc_gen_buf_free(bc_gen_buf *b);

/*
 * Append one CSV field (RFC 4180): quoted, with inner quotes doubled, when
 * it holds a comma, a quote, CR or LF, or when force_quote is set.
 */
extern void bc_gen_csv_field(bc_gen_buf *b, const char *s, size_t n, int force_quote);

/* append s as the inside of a JSON string (quotes, backslash, controls escaped) */
extern void bc_gen_json_escape(bc_gen_buf *b, const char *s);

#endif							/* BC_GEN_TEXT_H */
