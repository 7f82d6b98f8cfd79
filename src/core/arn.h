/*-------------------------------------------------------------------------
 *
 * arn.h
 *		Parser, formatter and compact encoding of AWS IAM principal ARNs,
 *		the values of CUR 2.0's line_item_iam_principal column.
 *
 * Pure C: no PostgreSQL headers, no allocation, no error policy.  Every
 * function works on caller-owned memory and returns a status; the caller
 * decides what a failure means (ereport in the backend, a reject counter
 * in the loader, a message in the CLI).  The API below is stable: the
 * loader and the CLI validate line_item_iam_principal with bc_arn_parse.
 *
 * Accepted forms, in every partition P (aws, aws-cn, aws-us-gov, aws-iso,
 * aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc), ACCT exactly 12 digits:
 *
 *		arn:P:iam::ACCT:user/[PATH/]NAME
 *		arn:P:iam::ACCT:role/[PATH/]NAME
 *		arn:P:iam::ACCT:root
 *		arn:P:sts::ACCT:assumed-role/ROLE/SESSION
 *		arn:P:sts::ACCT:federated-user/NAME
 *
 * Rules (AWS IAM/STS API patterns and quotas):
 *		user and role names, assumed-role role names: [A-Za-z0-9_+=,.@-], 1-64
 *		role session names: same characters, 2-64
 *		federated user names (GetFederationToken Name): same characters, 2-32
 *		paths: "/" or "/" + one or more bytes 0x21-0x7F + "/", at most 512
 * Everything is case-sensitive and exact: no surrounding whitespace, no
 * region, lower-case "arn", partition, service and resource type.  So the
 * accepted text is already canonical and bc_arn_format reproduces it
 * byte for byte.
 *
 * Typical use:
 *
 *		bc_arn		a;
 *		bc_arn_error err;
 *
 *		if (bc_arn_parse(s, len, &a, &err) != BC_ARN_OK)
 *			printf("invalid ARN at byte %zu: %s\n", err.pos, err.message);
 *		else
 *			name = s + a.name_off;		(a.name_len bytes)
 *
 * IDENTIFICATION
 *		src/core/arn.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_ARN_H
#define BC_ARN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* longest accepted text: "arn:aws-us-gov:iam::123456789012:user" + 512 + 64 */
#define BC_ARN_MAX_TEXT_LEN 640

/* longest compact encoding (see bc_arn_encode) */
#define BC_ARN_MAX_ENCODED_LEN 600

/* largest account id (12 digits) */
#define BC_ARN_MAX_ACCOUNT UINT64_C(999999999999)

/* partitions; the codes are stored, never renumber */
typedef enum bc_arn_partition
{
	BC_ARN_PART_AWS = 0,
	BC_ARN_PART_AWS_CN = 1,
	BC_ARN_PART_AWS_US_GOV = 2,
	BC_ARN_PART_AWS_ISO = 3,
	BC_ARN_PART_AWS_ISO_B = 4,
	BC_ARN_PART_AWS_ISO_E = 5,
	BC_ARN_PART_AWS_ISO_F = 6,
	BC_ARN_PART_AWS_EUSC = 7
} bc_arn_partition;

#define BC_ARN_NUM_PARTITIONS 8

/* services that issue principal ARNs */
typedef enum bc_arn_service
{
	BC_ARN_SVC_IAM = 1,
	BC_ARN_SVC_STS = 2
} bc_arn_service;

/* principal kinds; the codes are stored, never renumber */
typedef enum bc_arn_kind
{
	BC_ARN_KIND_USER = 1,		/* iam user/[PATH/]NAME */
	BC_ARN_KIND_ROLE = 2,		/* iam role/[PATH/]NAME */
	BC_ARN_KIND_ROOT = 3,		/* iam root */
	BC_ARN_KIND_ASSUMED_ROLE = 4,	/* sts assumed-role/ROLE/SESSION */
	BC_ARN_KIND_FEDERATED_USER = 5	/* sts federated-user/NAME */
} bc_arn_kind;

/*
 * A parsed ARN: codes plus (offset, length) pairs into the text it was
 * parsed from (or, after bc_arn_decode, into the encoded bytes).  A part
 * that the kind does not have has length 0.
 *
 *	name		user name, role name, federated user name; for assumed-role
 *				the ROLE name (the session is separate); empty for root
 *	path_inner	user/role path WITHOUT its leading and trailing "/": length 0
 *				means the path "/" (no path in the ARN); "a/b" means "/a/b/"
 *	session		assumed-role session name
 */
typedef struct bc_arn
{
	bc_arn_partition partition;
	bc_arn_service service;
	bc_arn_kind kind;
	uint64_t	account;		/* 0 .. 999999999999 */
	size_t		name_off;
	size_t		name_len;
	size_t		path_off;
	size_t		path_len;		/* length of path_inner */
	size_t		session_off;
	size_t		session_len;
} bc_arn;

/* error codes of bc_arn_parse; stable, new ones are only appended */
typedef enum bc_arn_status
{
	BC_ARN_OK = 0,
	BC_ARN_ERR_EMPTY,			/* empty input */
	BC_ARN_ERR_PREFIX,			/* not "arn:" */
	BC_ARN_ERR_PARTITION,		/* unknown partition */
	BC_ARN_ERR_SERVICE,			/* service not iam or sts */
	BC_ARN_ERR_REGION,			/* region not empty */
	BC_ARN_ERR_ACCOUNT,			/* account not 12 digits */
	BC_ARN_ERR_IAM_RESOURCE,	/* iam resource not user/, role/, root */
	BC_ARN_ERR_STS_RESOURCE,	/* sts resource not assumed-role/, federated-user/ */
	BC_ARN_ERR_USER_NAME_CHAR,
	BC_ARN_ERR_USER_NAME_LENGTH,
	BC_ARN_ERR_ROLE_NAME_CHAR,
	BC_ARN_ERR_ROLE_NAME_LENGTH,
	BC_ARN_ERR_PATH_CHAR,
	BC_ARN_ERR_PATH_LENGTH,
	BC_ARN_ERR_PATH_EMPTY,		/* "//": path "/" + nothing + "/" */
	BC_ARN_ERR_SESSION_MISSING, /* assumed-role/ROLE without /SESSION */
	BC_ARN_ERR_SESSION_CHAR,
	BC_ARN_ERR_SESSION_LENGTH,
	BC_ARN_ERR_FEDERATED_NAME_CHAR,
	BC_ARN_ERR_FEDERATED_NAME_LENGTH,
	BC_ARN_ERR_TOO_LONG			/* longer than BC_ARN_MAX_TEXT_LEN */
} bc_arn_status;

/*
 * Why a parse failed: the code, the 0-based byte offset where the failing
 * part (or the offending byte) starts, and a static, lower-case message
 * without a trailing period naming the part and the rule, e.g.
 * "account id must be 12 digits".  Never free the message.
 */
typedef struct bc_arn_error
{
	bc_arn_status code;
	size_t		pos;
	const char *message;
} bc_arn_error;

/*
 * Parse s[0..len) (need not be NUL-terminated; a NUL byte is simply an
 * invalid character).  Returns BC_ARN_OK and fills *out, or an error code
 * and fills *err (err may be NULL).  *out is undefined on failure.
 */
extern bc_arn_status bc_arn_parse(const char *s, size_t len, bc_arn *out,
								  bc_arn_error *err);

/* true when s[0..len) is a valid principal ARN */
extern bool bc_arn_is_valid(const char *s, size_t len);

/* the static message of an error code ("" for BC_ARN_OK) */
extern const char *bc_arn_status_message(bc_arn_status code);

/*
 * Write the canonical text of a (whose offsets point into base) into
 * buf[0..cap), NUL-terminated when it fits.  Returns the text length
 * (without the NUL), like snprintf: the output was cut if the result
 * is >= cap.  BC_ARN_MAX_TEXT_LEN + 1 bytes always suffice.
 */
extern size_t bc_arn_format(const bc_arn *a, const char *base, char *buf,
							size_t cap);

/* the 12-digit account id with leading zeros, in buf[0..13) */
extern void bc_arn_format_account(uint64_t account, char buf[13]);

/* "aws", "aws-cn", ...; NULL for an unknown code */
extern const char *bc_arn_partition_name(bc_arn_partition p);

/* "iam" or "sts"; NULL for an unknown code */
extern const char *bc_arn_service_name(bc_arn_service s);

/* "user", "role", "root", "assumed-role", "federated-user"; NULL if unknown */
extern const char *bc_arn_kind_name(bc_arn_kind k);

/* ---- classifiers ---------------------------------------------------- */

/* identity kinds users charge back by (see bc_arn_identity) */
typedef enum bc_arn_identity_kind
{
	BC_ARN_ID_SSO_SESSION = 1,	/* assumed-role of AWSReservedSSO_<set>_<hex16> */
	BC_ARN_ID_BEDROCK_API_KEY,	/* user named BedrockAPIKey-... */
	BC_ARN_ID_IAM_USER,			/* any other IAM user */
	BC_ARN_ID_ROLE_SESSION,		/* any other assumed-role session */
	BC_ARN_ID_FEDERATED_USER,	/* sts federated-user */
	BC_ARN_ID_IAM_ROLE,			/* iam role ARN */
	BC_ARN_ID_ROOT				/* account root */
} bc_arn_identity_kind;

/* classify a parsed ARN (offsets into base) */
extern bc_arn_identity_kind bc_arn_identity(const bc_arn *a, const char *base);

/* "sso_session", "bedrock_api_key", "iam_user", ...; NULL if unknown */
extern const char *bc_arn_identity_name(bc_arn_identity_kind k);

/*
 * IAM Identity Center: true when the role (assumed-role ROLE, or a role
 * ARN's name) is AWSReservedSSO_<PermissionSet>_<16 hex digits>; then
 * *off and *len locate the permission set name (offsets into base).
 */
extern bool bc_arn_sso_permission_set(const bc_arn *a, const char *base,
									  size_t *off, size_t *len);

/* true when a is an IAM user whose name starts with "BedrockAPIKey-" */
extern bool bc_arn_is_bedrock_api_key(const bc_arn *a, const char *base);

/* ---- compact encoding (the iam_arn datum payload) --------------------- */

/*
 * Encoding, version 1 (bytes; compare with memcmp, then shorter first):
 *
 *	[0]		0x10 | partition
 *	[1..5]	account id, 40-bit big-endian (999999999999 < 2^40)
 *	[6]		service << 4 | kind
 *	then	user, role:			NAME 0x00 PATH_INNER
 *			assumed-role:		ROLE 0x00 SESSION
 *			federated-user:		NAME
 *			root:				nothing
 *
 * Names never contain 0x00 or "/", so memcmp order is: partition code,
 * account, kind, name, then path or session, each bytewise.  Equal ARNs
 * have equal encodings and vice versa.
 */
#define BC_ARN_ENC_VERSION 1
#define BC_ARN_ENC_HEADER_LEN 7

/*
 * Encode a (offsets into base) into buf[0..cap).  Returns the encoded
 * length; nothing is written past cap, and the output is complete only
 * if the result is <= cap.  BC_ARN_MAX_ENCODED_LEN bytes always suffice.
 */
extern size_t bc_arn_encode(const bc_arn *a, const char *base,
							unsigned char *buf, size_t cap);

/*
 * Decode buf[0..len) into *out, with offsets into buf.  Checks the
 * version and structure and re-validates every part with the parser's
 * rules; returns BC_ARN_OK or an error code (BC_ARN_ERR_PREFIX for a bad
 * header or structure).
 */
extern bc_arn_status bc_arn_decode(const unsigned char *buf, size_t len,
								   bc_arn *out);

/*
 * Decode an encoding that bc_arn_encode produced (a stored datum): checks
 * the version, codes and structure, so every offset stays inside buf, but
 * does not re-check the characters and lengths of the parts.  About 30
 * times cheaper than bc_arn_decode; use it on the read path.
 */
extern bc_arn_status bc_arn_decode_trusted(const unsigned char *buf, size_t len,
										   bc_arn *out);

#endif							/* BC_ARN_H */
