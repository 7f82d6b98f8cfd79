/*-------------------------------------------------------------------------
 *
 * main.c
 *		Runner for the core unit tests: runs every registered test, prints
 *		each failure, and ends with the plain line "N passed, N failed".
 *
 * An optional argument restricts the run to tests whose name contains it.
 *
 * IDENTIFICATION
 *		test/unit/main.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>

#include "unit.h"

#define MAX_TESTS 1024

static struct
{
	const char *name;
	unit_fn		fn;
}			tests[MAX_TESTS];
static int	ntests;

/* called from each test's constructor */
void
unit_register(const char *name, unit_fn fn)
{
	if (ntests >= MAX_TESTS)
	{
		fprintf(stderr, "too many unit tests\n");
		exit(2);
	}
	tests[ntests].name = name;
	tests[ntests].fn = fn;
	ntests++;
}

/* order tests by name so the output is stable whatever the link order */
static int
cmp_tests(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

int
main(int argc, char **argv)
{
	int			passed = 0;
	int			failed = 0;

	qsort(tests, ntests, sizeof(tests[0]), cmp_tests);
	for (int i = 0; i < ntests; i++)
	{
		int			nfail = 0;

		if (argc > 1 && strstr(tests[i].name, argv[1]) == NULL)
			continue;
		tests[i].fn(&nfail);
		if (nfail == 0)
			passed++;
		else
		{
			failed++;
			fprintf(stderr, "FAIL %s (%d checks)\n", tests[i].name, nfail);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 && passed > 0 ? 0 : 1;
}
