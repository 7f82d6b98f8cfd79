/*-------------------------------------------------------------------------
 *
 * unit.h
 *		A tiny self-registering unit-test framework for the pure-C core.
 *
 * Each test file declares tests with UNIT_TEST(name) { ... } and checks
 * with the CHECK_* macros.  Tests register themselves through a
 * constructor, so adding a file to test/unit/ is enough: main.c never
 * changes.  The run ends with the plain line "N passed, N failed".
 *
 * IDENTIFICATION
 *		test/unit/unit.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_UNIT_H
#define BC_UNIT_H

#include <stdio.h>
#include <string.h>

typedef void (*unit_fn) (int *failed);

extern void unit_register(const char *name, unit_fn fn);

#define UNIT_TEST(name) \
	static void unit_##name(int *unit_failed_); \
	__attribute__((constructor)) static void unit_reg_##name(void) \
	{ unit_register(#name, unit_##name); } \
	static void unit_##name(int *unit_failed_)

#define UNIT_FAIL(...) \
	do { fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__); \
		 fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); \
		 (*unit_failed_)++; } while (0)

#define CHECK(cond) \
	do { if (!(cond)) UNIT_FAIL("CHECK(%s) failed", #cond); } while (0)

#define CHECK_INT_EQ(a, b) \
	do { long long a_ = (long long) (a), b_ = (long long) (b); \
		 if (a_ != b_) UNIT_FAIL("%s == %lld, expected %lld", #a, a_, b_); } while (0)

#define CHECK_STR_EQ(a, b) \
	do { const char *a_ = (a), *b_ = (b); \
		 if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) \
			 UNIT_FAIL("%s == \"%s\", expected \"%s\"", #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } while (0)

/* compare a (pointer, length) pair with a NUL-terminated string */
#define CHECK_MEM_EQ(p, len, s) \
	do { const char *p_ = (p), *s_ = (s); size_t l_ = (size_t) (len); \
		 if (p_ == NULL || l_ != strlen(s_) || memcmp(p_, s_, l_) != 0) \
			 UNIT_FAIL("%s == \"%.*s\", expected \"%s\"", #p, (int) (p_ ? l_ : 6), p_ ? p_ : "(null)", s_); } while (0)

#endif							/* BC_UNIT_H */
