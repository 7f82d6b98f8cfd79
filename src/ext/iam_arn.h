/*-------------------------------------------------------------------------
 *
 * iam_arn.h
 *		The iam_arn datum: a varlena whose payload is the compact encoding
 *		of src/core/arn.h (codes, 40-bit account, name bytes).
 *
 * The payload is read through PG_DETOAST_DATUM_PACKED and VARDATA_ANY:
 * it is a byte string with no alignment needs, so short (1-byte) headers
 * are used on disk and never expanded.
 *
 * IDENTIFICATION
 *		src/ext/iam_arn.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_IAM_ARN_H
#define BC_IAM_ARN_H

#include "arn.h"

#define DatumGetIamArnPP(d)		((struct varlena *) PG_DETOAST_DATUM_PACKED(d))
#define PG_GETARG_IAM_ARN_PP(n)	DatumGetIamArnPP(PG_GETARG_DATUM(n))
#define IAM_ARN_DATA(v)			((const unsigned char *) VARDATA_ANY(v))
#define IAM_ARN_LEN(v)			((size_t) VARSIZE_ANY_EXHDR(v))

/* decode a datum's payload into *a (offsets into IAM_ARN_DATA), or error */
extern void bc_iam_arn_decode(struct varlena *v, bc_arn *a);

/* a new iam_arn datum from a parsed ARN whose offsets point into base */
extern struct varlena *bc_iam_arn_make(const bc_arn *a, const char *base);

/* the canonical text of a datum, palloc'd, NUL-terminated; *len if wanted */
extern char *bc_iam_arn_to_cstring(struct varlena *v, size_t *len);

#endif							/* BC_IAM_ARN_H */
