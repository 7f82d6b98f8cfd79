/*-------------------------------------------------------------------------
 *
 * usage_type_int.h
 *		Internal helpers shared by the usage-type parser files; not part of
 *		the public core API.
 *
 * IDENTIFICATION
 *		src/core/usage_type_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_USAGE_TYPE_INT_H
#define BC_USAGE_TYPE_INT_H

#include "usage_type.h"

extern int	bc_ut_lower(int c);
extern bool bc_ut_ieq(const char *p, size_t len, const char *lit);
extern bool bc_ut_istarts(const char *p, size_t len, const char *lit);
extern bool bc_ut_is_ttl(const char *p, size_t len);
extern void bc_ut_set(bc_slice *sl, const char *p, size_t len);

/* Marketplace body after "MP:": "<REG>_<dimension>[-Units]" */
extern bool bc_ut_parse_marketplace(const char *p, size_t len, bc_usage_type *out);

#endif							/* BC_USAGE_TYPE_INT_H */
