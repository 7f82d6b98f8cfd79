/*-------------------------------------------------------------------------
 *
 * buf.h
 *		A growable byte buffer (COPY rows, JSON, decimal texts), without
 *		PostgreSQL.
 *
 * An allocation failure sets nomem and makes every later append a no-op,
 * so a caller checks once, after a run of appends.
 *
 * IDENTIFICATION
 *		src/core/buf.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_BUF_H
#define BC_BUF_H

#include <stdbool.h>
#include <stddef.h>

/* a growable byte buffer (COPY text, JSON) */
typedef struct bc_buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
	bool		nomem;
} bc_buf;

extern void bc_buf_init(bc_buf *b);
extern void bc_buf_free(bc_buf *b);
extern void bc_buf_reset(bc_buf *b);
extern void bc_buf_put(bc_buf *b, const char *s, size_t len);
extern void bc_buf_puts(bc_buf *b, const char *s);
extern void bc_buf_putc(bc_buf *b, char c);
extern void bc_buf_printf(bc_buf *b, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
/* append s as a JSON string literal (quotes included), escaped like escape_json */
extern void bc_buf_put_json_string(bc_buf *b, const char *s, size_t len);

#endif							/* BC_BUF_H */
