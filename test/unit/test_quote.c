/*-------------------------------------------------------------------------
 *
 * test_quote.c
 *		Values quoted for messages: bounded, escaped, cut on a character.
 *
 * IDENTIFICATION
 *		test/unit/test_quote.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>

#include "unit.h"
#include "quote.h"

UNIT_TEST(quote_values)
{
	char		b[BC_QUOTE_BUF];
	char	   *big;

	CHECK_STR_EQ(bc_quote(b, "plain", 5), "\"plain\"");
	CHECK_STR_EQ(bc_quote(b, "a\"b\\c", 5), "\"a\\\"b\\\\c\"");
	CHECK_STR_EQ(bc_quote(b, "l1\nFATAL: x\r\t", 13), "\"l1\\nFATAL: x\\r\\t\"");
	CHECK_STR_EQ(bc_quote(b, "\x01\x7f\xff", 3), "\"\\x01\\x7f\\xff\"");
	CHECK_STR_EQ(bc_quote(b, "caf\xc3\xa9", 5), "\"caf\xc3\xa9\"");
	CHECK_STR_EQ(bc_quote(b, "a\0b", 3), "\"a\\x00b\"");
	CHECK_STR_EQ(bc_quote(b, "", 0), "\"\"");
	/* a megabyte shows as its first 100 bytes and its length */
	big = malloc(1 << 20);
	memset(big, 'x', 1 << 20);
	bc_quote(b, big, 1 << 20);
	CHECK_INT_EQ(strlen(b), 100 + 2 + strlen("... (1048576 bytes)"));
	CHECK(strstr(b, "\"... (1048576 bytes)") != NULL);
	/* cut on a character boundary: 99 x then a 2-byte character */
	memcpy(big + 99, "\xc3\xa9", 2);
	bc_quote(b, big, 200);
	CHECK(strstr(b, "x\"... (200 bytes)") != NULL);
	/* every byte escaped still fits */
	memset(big, 1, 200);
	bc_quote(b, big, 200);
	CHECK_INT_EQ(strlen(b), 100 * 4 + 2 + strlen("... (200 bytes)"));
	free(big);
}
