/*-------------------------------------------------------------------------
 *
 * quote.h
 *		A value as error messages show it: quoted, escaped, bounded.
 *
 * Error messages go to the client and to the server log.  A value echoed
 * whole lets one bad input fill the log (a 1 MB ARN is a 1 MB log line)
 * and forge log lines (a newline followed by a fake "LOG:" entry).  So
 * every message that shows a value shows it through bc_quote:
 *
 *		"arn:aws:iam::123456789012:user/a\nLOG:  x"
 *		"arn:aws:iam::123456789012:user/aaaaaaaaaa..."... (1048576 bytes)
 *
 * At most BC_QUOTE_SHOWN bytes of the value are shown, cut before a UTF-8
 * sequence that would not fit; a cut value is followed by "... (N bytes)",
 * N being its whole length.  Inside the double quotes, a backslash and a
 * double quote are escaped with a backslash; newline, carriage return and
 * tab as \n, \r and \t; every other control character (C0, DEL, and the
 * C1 controls and line and paragraph separators U+0080-U+009F, U+2028,
 * U+2029) and every byte that is not part of valid UTF-8 as \xHH.  The
 * result is therefore valid UTF-8, one line, and never longer than
 * BC_QUOTE_BUFSIZE - 1 bytes.
 *
 * Pure C: no PostgreSQL headers, no allocation.
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
#define BC_QUOTE_SHOWN 100

/*
 * Room for any result: two quotes, BC_QUOTE_SHOWN bytes escaped as \xHH
 * (4 characters each), the cut marker "... (N bytes)" with N up to 20
 * digits, and the NUL.
 */
#define BC_QUOTE_BUFSIZE (2 + 4 * BC_QUOTE_SHOWN + 32 + 1)

/*
 * Render s[0..len) (need not be NUL-terminated; may hold any byte) into
 * buf, NUL-terminated.  Returns the length written, without the NUL.
 */
extern size_t bc_quote(const char *s, size_t len, char buf[BC_QUOTE_BUFSIZE]);

/* room for bc_quote_n of at most shown bytes */
#define BC_QUOTE_ROOM(shown) (2 + 4 * (shown) + 32 + 1)

/*
 * The same, showing at most shown bytes, into buf of BC_QUOTE_ROOM(shown)
 * bytes.  Paths, which the file system bounds (BC_FS_PATH_MAX), are
 * quoted whole this way; values read from input use bc_quote.
 */
extern size_t bc_quote_n(const char *s, size_t len, size_t shown, char *buf);

#endif							/* BC_QUOTE_H */
