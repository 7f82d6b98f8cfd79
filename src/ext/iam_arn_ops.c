/*-------------------------------------------------------------------------
 *
 * iam_arn_ops.c
 *		Comparison, hashing and sort support of iam_arn: the btree and
 *		hash operator classes.
 *
 * Order is memcmp of the compact encodings, shorter first on a common
 * prefix: partition (in code order aws, aws-cn, aws-us-gov, aws-iso,
 * aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc), then account id as a
 * number, then kind (user, role, root, assumed-role, federated-user),
 * then the name (role name for assumed-role) bytewise, then the path or
 * session name bytewise.  Equality is byte equality of the encoding,
 * which is why btequalimage (btree deduplication) is declared, and why
 * hashing the payload bytes agrees with equality.  None of these
 * functions can raise an error on a valid datum.
 *
 * IDENTIFICATION
 *		src/ext/iam_arn_ops.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "common/hashfn.h"
#include "utils/sortsupport.h"

#include "iam_arn.h"

PG_FUNCTION_INFO_V1(iam_arn_cmp);
PG_FUNCTION_INFO_V1(iam_arn_eq);
PG_FUNCTION_INFO_V1(iam_arn_ne);
PG_FUNCTION_INFO_V1(iam_arn_lt);
PG_FUNCTION_INFO_V1(iam_arn_le);
PG_FUNCTION_INFO_V1(iam_arn_gt);
PG_FUNCTION_INFO_V1(iam_arn_ge);
PG_FUNCTION_INFO_V1(iam_arn_hash);
PG_FUNCTION_INFO_V1(iam_arn_hash_extended);
PG_FUNCTION_INFO_V1(iam_arn_sortsupport);
PG_FUNCTION_INFO_V1(iam_arn_smaller);
PG_FUNCTION_INFO_V1(iam_arn_larger);

/* three-way comparison of two datums' payloads */
static int
CompareIamArn(struct varlena *a, struct varlena *b)
{
	size_t		la = IAM_ARN_LEN(a);
	size_t		lb = IAM_ARN_LEN(b);
	int			c = memcmp(IAM_ARN_DATA(a), IAM_ARN_DATA(b), Min(la, lb));

	if (c != 0)
		return c;
	return (la > lb) - (la < lb);
}

/* compare two arguments of a SQL call, freeing detoasted copies */
static int
CompareArgs(FunctionCallInfo fcinfo)
{
	struct varlena *a = PG_GETARG_IAM_ARN_PP(0);
	struct varlena *b = PG_GETARG_IAM_ARN_PP(1);
	int			c = CompareIamArn(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	return c;
}

/* btree support 1: three-way comparison */
Datum
iam_arn_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(CompareArgs(fcinfo));
}

/* = operator: equal lengths and bytes */
Datum
iam_arn_eq(PG_FUNCTION_ARGS)
{
	struct varlena *a = PG_GETARG_IAM_ARN_PP(0);
	struct varlena *b = PG_GETARG_IAM_ARN_PP(1);
	bool		eq = IAM_ARN_LEN(a) == IAM_ARN_LEN(b) &&
		memcmp(IAM_ARN_DATA(a), IAM_ARN_DATA(b), IAM_ARN_LEN(a)) == 0;

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_BOOL(eq);
}

/* <> operator */
Datum
iam_arn_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!DatumGetBool(iam_arn_eq(fcinfo)));
}

/* < operator */
Datum
iam_arn_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(CompareArgs(fcinfo) < 0);
}

/* <= operator */
Datum
iam_arn_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(CompareArgs(fcinfo) <= 0);
}

/* > operator */
Datum
iam_arn_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(CompareArgs(fcinfo) > 0);
}

/* >= operator */
Datum
iam_arn_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(CompareArgs(fcinfo) >= 0);
}

/* hash support 1: 32-bit hash of the payload bytes */
Datum
iam_arn_hash(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_GETARG_IAM_ARN_PP(0);
	Datum		h = hash_any(IAM_ARN_DATA(v), (int) IAM_ARN_LEN(v));

	PG_FREE_IF_COPY(v, 0);
	return h;
}

/* hash support 2: seeded 64-bit hash of the payload bytes */
Datum
iam_arn_hash_extended(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_GETARG_IAM_ARN_PP(0);
	Datum		h = hash_any_extended(IAM_ARN_DATA(v), (int) IAM_ARN_LEN(v),
									  PG_GETARG_INT64(1));

	PG_FREE_IF_COPY(v, 0);
	return h;
}

/* sort comparator without the fmgr call overhead */
static int
iam_arn_fastcmp(Datum x, Datum y, SortSupport ssup)
{
	struct varlena *a = DatumGetIamArnPP(x);
	struct varlena *b = DatumGetIamArnPP(y);
	int			c = CompareIamArn(a, b);

	if ((Pointer) a != DatumGetPointer(x))
		pfree(a);
	if ((Pointer) b != DatumGetPointer(y))
		pfree(b);
	return c;
}

/* btree support 2: sort support */
Datum
iam_arn_sortsupport(PG_FUNCTION_ARGS)
{
	SortSupport ssup = (SortSupport) PG_GETARG_POINTER(0);

	ssup->comparator = iam_arn_fastcmp;
	PG_RETURN_VOID();
}

/* min() transition: the smaller argument */
Datum
iam_arn_smaller(PG_FUNCTION_ARGS)
{
	Datum		a = PG_GETARG_DATUM(0);
	Datum		b = PG_GETARG_DATUM(1);

	PG_RETURN_DATUM(CompareIamArn(DatumGetIamArnPP(a), DatumGetIamArnPP(b)) <= 0 ? a : b);
}

/* max() transition: the larger argument */
Datum
iam_arn_larger(PG_FUNCTION_ARGS)
{
	Datum		a = PG_GETARG_DATUM(0);
	Datum		b = PG_GETARG_DATUM(1);

	PG_RETURN_DATUM(CompareIamArn(DatumGetIamArnPP(a), DatumGetIamArnPP(b)) >= 0 ? a : b);
}
