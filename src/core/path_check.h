/*-------------------------------------------------------------------------
 *
 * path_check.h
 *		The path rules shared by the server loader, the worker and
 *		bedrock-cost-load: no ".." component, and "inside a folder" on
 *		resolved paths.
 *
 * IDENTIFICATION
 *		src/core/path_check.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_PATH_CHECK_H
#define BC_PATH_CHECK_H

#include <stdbool.h>

/* true when path has a ".." component */
extern bool bc_path_has_dotdot(const char *path);

/* true when resolved is dir or inside it (both already resolved) */
extern bool bc_path_inside(const char *resolved, const char *dir);

#endif							/* BC_PATH_CHECK_H */
