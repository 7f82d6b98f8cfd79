/*-------------------------------------------------------------------------
 *
 * bedrock_cost.c
 *		Module entry point: defines the settings and, when preloaded,
 *		registers the background worker.
 *
 * The type, the parsers and the loader work without preloading; only the
 * background worker needs shared_preload_libraries.  No worker starts
 * during pg_upgrade.
 *
 * IDENTIFICATION
 *		src/ext/bedrock_cost.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "miscadmin.h"

#include "guc.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* weak so the module builds before the worker file exists */
extern void bc_register_launcher(void) __attribute__((weak));

/* module load: settings first, then the worker if we are being preloaded */
void
_PG_init(void)
{
	bc_define_gucs(process_shared_preload_libraries_in_progress);

	if (!process_shared_preload_libraries_in_progress || IsBinaryUpgrade)
		return;

	if (bc_register_launcher)
		bc_register_launcher();
}
