/*-------------------------------------------------------------------------
 *
 * quote.h
 *		A value from the input, fit for an error message or a log line:
 *		quoted, bounded and escaped.
 *
 * At most BC_QUOTE_MAX bytes of the value are shown (cut on a UTF-8
 * character boundary, followed by "..." and the value's full length);
 * a double quote and a backslash are escaped with a backslash; newline,
 * carriage return and tab as \n, \r, \t; every other control character,
 * DEL and every byte that is not part of valid UTF-8 as \xHH.  So a
 * message can neither grow with its input nor forge a log line.
 *
 * IDENTIFICATION
 *		src/core/quote.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_QUOTE_H
#define BC_QUOTE_H

#include <stddef.h>

/* bytes of a value shown at most */
#define BC_QUOTE_MAX	100
/* room for any result: every byte escaped as \xHH, quotes, "..." and a length */
#define BC_QUOTE_BUF	(BC_QUOTE_MAX * 4 + 48)

/* room for the quoted form of up to max bytes */
#define BC_QUOTE_ROOM(max)	((max) * 4 + 48)

/* the quoted form of s[0..len) into buf (BC_QUOTE_BUF bytes); returns buf */
extern char *bc_quote(char *buf, const char *s, size_t len);

/*
 * The same with another bound: at most max bytes of s shown (paths, which
 * are bounded by the file system, are quoted whole with BC_FS_PATH_MAX);
 * buf has BC_QUOTE_ROOM(max) bytes.
 */
extern char *bc_quote_max(char *buf, const char *s, size_t len, size_t max);

#endif							/* BC_QUOTE_H */
