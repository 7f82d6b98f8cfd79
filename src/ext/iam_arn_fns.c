/*-------------------------------------------------------------------------
 *
 * iam_arn_fns.c
 *		Accessors, classifiers and rollups of iam_arn.
 *
 * Each function decodes the compact datum (a few dozen bytes, no text
 * re-parse of the ARN) and returns one part.  A part the principal kind
 * does not have is NULL, never an empty string.
 *
 * IDENTIFICATION
 *		src/ext/iam_arn_fns.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "utils/builtins.h"

#include "iam_arn.h"

PG_FUNCTION_INFO_V1(iam_arn_partition);
PG_FUNCTION_INFO_V1(iam_arn_service);
PG_FUNCTION_INFO_V1(iam_arn_account_id);
PG_FUNCTION_INFO_V1(iam_arn_principal_type);
PG_FUNCTION_INFO_V1(iam_arn_principal_name);
PG_FUNCTION_INFO_V1(iam_arn_path);
PG_FUNCTION_INFO_V1(iam_arn_role_name);
PG_FUNCTION_INFO_V1(iam_arn_session_name);
PG_FUNCTION_INFO_V1(iam_arn_role_arn);
PG_FUNCTION_INFO_V1(iam_arn_person);
PG_FUNCTION_INFO_V1(iam_arn_identity_kind);
PG_FUNCTION_INFO_V1(iam_arn_is_sso_session);
PG_FUNCTION_INFO_V1(iam_arn_sso_permission_set);
PG_FUNCTION_INFO_V1(iam_arn_is_bedrock_api_key);

/* decode argument 0; the payload pointer goes to *base */
static void
GetArn(FunctionCallInfo fcinfo, bc_arn *a, const char **base)
{
	struct varlena *v = PG_GETARG_IAM_ARN_PP(0);

	bc_iam_arn_decode(v, a);
	*base = (const char *) IAM_ARN_DATA(v);
}

/* a text datum from len bytes at p */
static Datum
TextDatum(const char *p, size_t len)
{
	return PointerGetDatum(cstring_to_text_with_len(p, (int) len));
}

/* partition: aws, aws-cn, ... */
Datum
iam_arn_partition(PG_FUNCTION_ARGS)
{
	bc_arn		a;
	const char *base;

	GetArn(fcinfo, &a, &base);
	PG_RETURN_TEXT_P(cstring_to_text(bc_arn_partition_name(a.partition)));
}

/* service: iam or sts */
Datum
iam_arn_service(PG_FUNCTION_ARGS)
{
	bc_arn		a;
	const char *base;

	GetArn(fcinfo, &a, &base);
	PG_RETURN_TEXT_P(cstring_to_text(bc_arn_service_name(a.service)));
}

/* account id: 12 digits, leading zeros kept */
Datum
iam_arn_account_id(PG_FUNCTION_ARGS)
{
	bc_arn		a;
	const char *base;
	char		buf[13];

	GetArn(fcinfo, &a, &base);
	bc_arn_format_account(a.account, buf);
	PG_RETURN_DATUM(TextDatum(buf, 12));
}

/* principal type: user, role, root, assumed-role, federated-user */
Datum
iam_arn_principal_type(PG_FUNCTION_ARGS)
{
	bc_arn		a;
	const char *base;

	GetArn(fcinfo, &a, &base);
	PG_RETURN_TEXT_P(cstring_to_text(bc_arn_kind_name(a.kind)));
}

/*
 * principal name: the last part of the ARN: user, role or federated user
 * name, the session name of an assumed role; NULL for root
 */
Datum
iam_arn_principal_name(PG_FUNCTION_ARGS)
{
	bc_arn		a;
	const char *base;

	GetArn(fcinfo, &a, &base);
	if (a.kind == BC_ARN_KIND_ROOT)
		PG_RETURN_NULL();
	if (a.kind == BC_ARN_KIND_ASSUMED_ROLE)
		PG_RETURN_DATUM(TextDatum(base + a.session_off, a.session_len));
	PG_RETURN_DATUM(TextDatum(base + a.name_off, a.name_len));
}

/* path of a user or role, "/" when none; NULL for other kinds */
Datum
iam_arn_path(PG_FUNCTION_ARGS)
{
	bc_arn		a;
	const char *base;
	text	   *t;

	GetArn(fcinfo, &a, &base);
	if (a.kind != BC_ARN_KIND_USER && a.kind != BC_ARN_KIND_ROLE)
		PG_RETURN_NULL();
	if (a.path_len == 0)
		PG_RETURN_TEXT_P(cstring_to_text("/"));
	t = (text *) palloc(VARHDRSZ + a.path_len + 2);
	SET_VARSIZE(t, VARHDRSZ + a.path_len + 2);
	VARDATA(t)[0] = '/';
	memcpy(VARDATA(t) + 1, base + a.path_off, a.path_len);
	VARDATA(t)[a.path_len + 1] = '/';
	PG_RETURN_TEXT_P(t);
}

/* role name of a role or an assumed-role session; NULL otherwise */
Datum
iam_arn_role_name(PG_FUNCTION_ARGS)
{
	bc_arn		a;
	const char *base;

	GetArn(fcinfo, &a, &base);
	if (a.kind != BC_ARN_KIND_ROLE && a.kind != BC_ARN_KIND_ASSUMED_ROLE)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(TextDatum(base + a.name_off, a.name_len));
}

/* session name of an assumed-role session; NULL otherwise */
Datum
iam_arn_session_name(PG_FUNCTION_ARGS)
{
	bc_arn		a;
	const char *base;

	GetArn(fcinfo, &a, &base);
	if (a.kind != BC_ARN_KIND_ASSUMED_ROLE)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(TextDatum(base + a.session_off, a.session_len));
}

/*
 * The role a principal rolls up to: an assumed-role session becomes
 * arn:P:iam::ACCT:role/ROLE (without a path: STS drops it, so it is
 * unknown), a role is itself; NULL for users, root and federated users.
 */
Datum
iam_arn_role_arn(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_GETARG_IAM_ARN_PP(0);
	bc_arn		a;
	const char *base = (const char *) IAM_ARN_DATA(v);

	bc_iam_arn_decode(v, &a);
	if (a.kind == BC_ARN_KIND_ROLE)
		PG_RETURN_POINTER(v);
	if (a.kind != BC_ARN_KIND_ASSUMED_ROLE)
		PG_RETURN_NULL();
	a.kind = BC_ARN_KIND_ROLE;
	a.service = BC_ARN_SVC_IAM;
	a.path_len = 0;
	a.session_len = 0;
	PG_RETURN_POINTER(bc_iam_arn_make(&a, base));
}

/*
 * The person or session behind a principal: the session name of an
 * assumed role (for SSO the Identity Center user name or e-mail, for
 * SAML/OIDC federation the session the IdP set), a federated user's
 * name, an IAM user's name; NULL for roles and root.
 */
Datum
iam_arn_person(PG_FUNCTION_ARGS)
{
	bc_arn		a;
	const char *base;

	GetArn(fcinfo, &a, &base);
	switch (a.kind)
	{
		case BC_ARN_KIND_ASSUMED_ROLE:
			PG_RETURN_DATUM(TextDatum(base + a.session_off, a.session_len));
		case BC_ARN_KIND_USER:
		case BC_ARN_KIND_FEDERATED_USER:
			PG_RETURN_DATUM(TextDatum(base + a.name_off, a.name_len));
		default:
			PG_RETURN_NULL();
	}
}

/* identity kind: sso_session, bedrock_api_key, iam_user, ... */
Datum
iam_arn_identity_kind(PG_FUNCTION_ARGS)
{
	bc_arn		a;
	const char *base;

	GetArn(fcinfo, &a, &base);
	PG_RETURN_TEXT_P(cstring_to_text(bc_arn_identity_name(bc_arn_identity(&a, base))));
}

/* is this an IAM Identity Center (SSO) session? */
Datum
iam_arn_is_sso_session(PG_FUNCTION_ARGS)
{
	bc_arn		a;
	const char *base;

	GetArn(fcinfo, &a, &base);
	PG_RETURN_BOOL(bc_arn_identity(&a, base) == BC_ARN_ID_SSO_SESSION);
}

/* the Identity Center permission set of an SSO session or role, or NULL */
Datum
iam_arn_sso_permission_set(PG_FUNCTION_ARGS)
{
	bc_arn		a;
	const char *base;
	size_t		off,
				len;

	GetArn(fcinfo, &a, &base);
	if (!bc_arn_sso_permission_set(&a, base, &off, &len))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(TextDatum(base + off, len));
}

/* is this a Bedrock API-key user (BedrockAPIKey-...)? */
Datum
iam_arn_is_bedrock_api_key(PG_FUNCTION_ARGS)
{
	bc_arn		a;
	const char *base;

	GetArn(fcinfo, &a, &base);
	PG_RETURN_BOOL(bc_arn_is_bedrock_api_key(&a, base));
}
