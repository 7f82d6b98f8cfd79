/*-------------------------------------------------------------------------
 *
 * arn_classify.c
 *		Identity kinds of IAM principal ARNs that chargeback cares about:
 *		IAM Identity Center (SSO) sessions, Bedrock API-key users, and the
 *		plain IAM kinds.
 *
 * IAM Identity Center provisions roles named
 * AWSReservedSSO_<PermissionSet>_<16 hex digits> (under the path
 * /aws-reserved/sso.amazonaws.com/[region/]); a session of one is an SSO
 * sign-in, and its session name is the Identity Center user name, often
 * an e-mail.  A long-term Bedrock API key is a service-specific credential
 * of an IAM user named BedrockAPIKey-<suffix>.
 *
 * IDENTIFICATION
 *		src/core/arn_classify.c
 *
 *-------------------------------------------------------------------------
 */
#include "arn.h"

#include <string.h>

#define SSO_PREFIX "AWSReservedSSO_"
#define SSO_PREFIX_LEN (sizeof(SSO_PREFIX) - 1)
#define SSO_SUFFIX_LEN 17		/* "_" + 16 hex digits */
#define API_KEY_PREFIX "BedrockAPIKey-"
#define API_KEY_PREFIX_LEN (sizeof(API_KEY_PREFIX) - 1)

/* is c a hexadecimal digit? */
static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		(c >= 'A' && c <= 'F');
}

/* locate the permission set in an AWSReservedSSO_ role name; see arn.h */
bool
bc_arn_sso_permission_set(const bc_arn *a, const char *base, size_t *off,
						  size_t *len)
{
	const char *n = base + a->name_off;
	size_t		nlen = a->name_len;
	const char *tail;

	if (a->kind != BC_ARN_KIND_ROLE && a->kind != BC_ARN_KIND_ASSUMED_ROLE)
		return false;
	if (nlen < SSO_PREFIX_LEN + 1 + SSO_SUFFIX_LEN ||
		memcmp(n, SSO_PREFIX, SSO_PREFIX_LEN) != 0)
		return false;
	tail = n + nlen - SSO_SUFFIX_LEN;
	if (tail[0] != '_')
		return false;
	for (int i = 1; i < SSO_SUFFIX_LEN; i++)
		if (!is_hex(tail[i]))
			return false;
	*off = a->name_off + SSO_PREFIX_LEN;
	*len = nlen - SSO_PREFIX_LEN - SSO_SUFFIX_LEN;
	return true;
}

/* an IAM user named BedrockAPIKey-...? */
bool
bc_arn_is_bedrock_api_key(const bc_arn *a, const char *base)
{
	return a->kind == BC_ARN_KIND_USER &&
		a->name_len > API_KEY_PREFIX_LEN &&
		memcmp(base + a->name_off, API_KEY_PREFIX, API_KEY_PREFIX_LEN) == 0;
}

/* classify; see arn.h */
bc_arn_identity_kind
bc_arn_identity(const bc_arn *a, const char *base)
{
	size_t		off,
				len;

	switch (a->kind)
	{
		case BC_ARN_KIND_ASSUMED_ROLE:
			if (bc_arn_sso_permission_set(a, base, &off, &len))
				return BC_ARN_ID_SSO_SESSION;
			return BC_ARN_ID_ROLE_SESSION;
		case BC_ARN_KIND_USER:
			if (bc_arn_is_bedrock_api_key(a, base))
				return BC_ARN_ID_BEDROCK_API_KEY;
			return BC_ARN_ID_IAM_USER;
		case BC_ARN_KIND_FEDERATED_USER:
			return BC_ARN_ID_FEDERATED_USER;
		case BC_ARN_KIND_ROLE:
			return BC_ARN_ID_IAM_ROLE;
		case BC_ARN_KIND_ROOT:
			return BC_ARN_ID_ROOT;
	}
	return BC_ARN_ID_ROOT;
}

/* the label of an identity kind */
const char *
bc_arn_identity_name(bc_arn_identity_kind k)
{
	switch (k)
	{
		case BC_ARN_ID_SSO_SESSION:
			return "sso_session";
		case BC_ARN_ID_BEDROCK_API_KEY:
			return "bedrock_api_key";
		case BC_ARN_ID_IAM_USER:
			return "iam_user";
		case BC_ARN_ID_ROLE_SESSION:
			return "role_session";
		case BC_ARN_ID_FEDERATED_USER:
			return "federated_user";
		case BC_ARN_ID_IAM_ROLE:
			return "iam_role";
		case BC_ARN_ID_ROOT:
			return "root";
	}
	return NULL;
}
