/*-------------------------------------------------------------------------
 *
 * fuzz_manifest.c
 *		libFuzzer harness of the manifest parser: whatever the input, a
 *		parsed manifest has safe local paths (under data/BILLING_PERIOD=,
 *		no "." or ".." segments) and is freed cleanly.
 *
 * IDENTIFICATION
 *		test/fuzz/fuzz_manifest.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bc_manifest *m = NULL;
	bc_manifest_error e;

	if (bc_manifest_parse((const char *) data, size, &m, &e) != BC_MANIFEST_OK)
	{
		if (m != NULL || e.message == NULL)
			abort();
		return 0;
	}
	for (int i = 0; i < m->nfiles; i++)
	{
		const char *l = m->files[i].local;

		if (strncmp(l, "data/BILLING_PERIOD=", 20) != 0 || strstr(l, "/../") || strstr(l, "/./") ||
			strstr(l, "//") || strncmp(l + 20, m->billing_period, 7) != 0)
			abort();
	}
	for (int i = 0; i < m->ncolumns; i++)
		if (m->column_names[i] == NULL)
			abort();
	bc_manifest_free(m);
	return 0;
}
