/*-------------------------------------------------------------------------
 *
 * test_quote.c
 *		Unit tests of bc_quote, the rendering of values in error messages:
 *		quotes, escapes, the 100-byte bound cut on a UTF-8 boundary, the
 *		cut marker, invalid UTF-8, and the worst-case length.
 *
 * IDENTIFICATION
 *		test/unit/test_quote.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdlib.h>

#include "unit.h"
#include "quote.h"

/* bc_quote of a NUL-terminated string, checked against its return value */
static const char *
q(const char *s, size_t len, char *buf, int *unit_failed_)
{
	size_t		n = bc_quote(s, len, buf);

	CHECK_INT_EQ(n, strlen(buf));
	return buf;
}

/* bc_quote of a string literal, which may hold NUL bytes */
#define QS(lit) q((lit), sizeof(lit) - 1, buf, unit_failed_)

UNIT_TEST(quote_plain)
{
	char		buf[BC_QUOTE_BUFSIZE];

	CHECK_STR_EQ(QS(""), "\"\"");
	CHECK_STR_EQ(QS("arn:aws:iam::123456789012:root"),
				 "\"arn:aws:iam::123456789012:root\"");
	/* only len bytes are read */
	CHECK_STR_EQ(q("abcdef", 3, buf, unit_failed_), "\"abc\"");
	/* valid UTF-8 is kept */
	CHECK_STR_EQ(QS("user/b\xc3\xb8" "b \xe2\x82\xac \xf0\x9f\x98\x80"),
				 "\"user/b\xc3\xb8" "b \xe2\x82\xac \xf0\x9f\x98\x80\"");
}

UNIT_TEST(quote_escapes)
{
	char		buf[BC_QUOTE_BUFSIZE];

	CHECK_STR_EQ(QS("a\"b\\c"), "\"a\\\"b\\\\c\"");
	CHECK_STR_EQ(QS("a\nLOG:  forged"), "\"a\\nLOG:  forged\"");
	CHECK_STR_EQ(QS("\r\t"), "\"\\r\\t\"");
	CHECK_STR_EQ(QS("\x01\x1b[31m\x7f"), "\"\\x01\\x1b[31m\\x7f\"");
	/* a NUL byte inside the value */
	CHECK_STR_EQ(QS("a\0b"), "\"a\\x00b\"");
	/* C1 controls (NEL), line and paragraph separators */
	CHECK_STR_EQ(QS("a\xc2\x85" "b\xe2\x80\xa8" "c\xe2\x80\xa9"),
				 "\"a\\xc2\\x85b\\xe2\\x80\\xa8c\\xe2\\x80\\xa9\"");
	/* U+00A0 is no control: kept */
	CHECK_STR_EQ(QS("\xc2\xa0"), "\"\xc2\xa0\"");
}

UNIT_TEST(quote_invalid_utf8)
{
	char		buf[BC_QUOTE_BUFSIZE];

	/* stray continuation, impossible bytes, overlong, surrogate, > U+10FFFF */
	CHECK_STR_EQ(QS("a\x80z"), "\"a\\x80z\"");
	CHECK_STR_EQ(QS("\xff\xfe\xc0\xaf"), "\"\\xff\\xfe\\xc0\\xaf\"");
	CHECK_STR_EQ(QS("\xe0\x80\xaf"), "\"\\xe0\\x80\\xaf\"");
	CHECK_STR_EQ(QS("\xed\xa0\x80"), "\"\\xed\\xa0\\x80\"");
	CHECK_STR_EQ(QS("\xf4\x90\x80\x80"), "\"\\xf4\\x90\\x80\\x80\"");
	/* a sequence cut short by the end of the value */
	CHECK_STR_EQ(QS("ab\xe2\x82"), "\"ab\\xe2\\x82\"");
	/* a lead byte followed by ASCII */
	CHECK_STR_EQ(QS("\xc3("), "\"\\xc3(\"");
}

UNIT_TEST(quote_bound)
{
	char		buf[BC_QUOTE_BUFSIZE];
	char		expect[BC_QUOTE_BUFSIZE];
	char		v[256];

	/* exactly 100 bytes: shown whole, no marker */
	memset(v, 'a', sizeof(v));
	snprintf(expect, sizeof(expect), "\"%.100s\"", v);
	CHECK_STR_EQ(q(v, 100, buf, unit_failed_), expect);
	/* 101 bytes: 100 shown, then the marker with the whole length */
	snprintf(expect, sizeof(expect), "\"%.100s\"... (101 bytes)", v);
	CHECK_STR_EQ(q(v, 101, buf, unit_failed_), expect);
	/* 99 bytes then a 2-byte character: the cut does not split it */
	memcpy(v + 99, "\xc3\xa9", 2);
	snprintf(expect, sizeof(expect), "\"%.99s\"... (101 bytes)", v);
	CHECK_STR_EQ(q(v, 101, buf, unit_failed_), expect);
	/* 98 bytes then a 4-byte character */
	memset(v, 'a', sizeof(v));
	memcpy(v + 98, "\xf0\x9f\x98\x80", 4);
	snprintf(expect, sizeof(expect), "\"%.98s\"... (102 bytes)", v);
	CHECK_STR_EQ(q(v, 102, buf, unit_failed_), expect);
	/* the 2-byte character fits when it ends at byte 100 */
	memset(v, 'a', sizeof(v));
	memcpy(v + 98, "\xc3\xa9", 2);
	snprintf(expect, sizeof(expect), "\"%.100s\"... (101 bytes)", v);
	CHECK_STR_EQ(q(v, 101, buf, unit_failed_), expect);
}

UNIT_TEST(quote_one_megabyte)
{
	size_t		len = 1024 * 1024;
	char	   *v = malloc(len);
	char		buf[BC_QUOTE_BUFSIZE];
	char		expect[BC_QUOTE_BUFSIZE];

	CHECK(v != NULL);
	if (v == NULL)
		return;
	memset(v, 'x', len);
	memcpy(v, "arn:aws:iam::123456789012:user/", 31);
	snprintf(expect, sizeof(expect), "\"%.100s\"... (1048576 bytes)", v);
	CHECK_STR_EQ(q(v, len, buf, unit_failed_), expect);
	free(v);
}

UNIT_TEST(quote_worst_case)
{
	char		buf[BC_QUOTE_BUFSIZE];
	char		tail[64];
	char		v[BC_QUOTE_SHOWN + 1];
	size_t		n;

	/*
	 * every byte shown as \xHH, then the marker with the longest length (only
	 * the bytes shown and the next one are read)
	 */
	memset(v, 0x01, sizeof(v));
	snprintf(tail, sizeof(tail), "\"... (%zu bytes)", (size_t) SIZE_MAX);
	n = bc_quote(v, SIZE_MAX, buf);
	CHECK_INT_EQ(n, strlen(buf));
	CHECK_INT_EQ(n, 1 + 4 * BC_QUOTE_SHOWN + strlen(tail));
	CHECK(n < BC_QUOTE_BUFSIZE);
	CHECK(strncmp(buf, "\"\\x01\\x01", 9) == 0);
	CHECK(strcmp(buf + n - strlen(tail), tail) == 0);
}
