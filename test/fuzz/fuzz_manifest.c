/*-------------------------------------------------------------------------
 *
 * fuzz_manifest.c
 *		libFuzzer harness of the manifest parser (the only one: the loader,
 *		the worker and the client use it): whatever the input, a parsed
 *		manifest has safe local paths (under data/BILLING_PERIOD=, no "."
 *		or ".." segments), no local path twice, a bounded executionId
 *		without control characters, and is freed cleanly.  The seeds hold
 *		the shapes a lax reader got wrong: a key twice, a file twice (also
 *		relative and as an s3:// URL), a nested array and a string in
 *		place of the file list.
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
	for (int i = 0; i < m->nfiles; i++)
		for (int j = i + 1; j < m->nfiles; j++)
			if (strcmp(m->files[i].local, m->files[j].local) == 0)
				abort();
	if (strlen(m->execution_id) == 0 || strlen(m->execution_id) > BC_MANIFEST_MAX_EXECUTION_ID)
		abort();
	for (const char *c = m->execution_id; *c; c++)
		if ((unsigned char) *c < 0x20)
			abort();
	for (int i = 0; i < m->ncolumns; i++)
		if (m->column_names[i] == NULL)
			abort();
	bc_manifest_free(m);
	return 0;
}
