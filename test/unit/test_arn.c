/*-------------------------------------------------------------------------
 *
 * test_arn.c
 *		Unit tests of the IAM principal ARN parser, formatter, compact
 *		encoding and classifiers (src/core/arn*.c).
 *
 * IDENTIFICATION
 *		test/unit/test_arn.c
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include "arn.h"

static const char *const partitions[] = {
	"aws", "aws-cn", "aws-us-gov", "aws-iso",
	"aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"
};

/* parse s, expecting success */
static bc_arn_status
parse(const char *s, bc_arn *a)
{
	bc_arn_error err;

	return bc_arn_parse(s, strlen(s), a, &err);
}

/* parse s expecting failure; returns the error */
static bc_arn_error
parse_err(const char *s)
{
	bc_arn		a;
	bc_arn_error err = {0};

	if (bc_arn_parse(s, strlen(s), &a, &err) == BC_ARN_OK)
		err.code = BC_ARN_OK;
	return err;
}

/* format a (offsets into base) into a static buffer */
static const char *
fmt(const bc_arn *a, const char *base)
{
	static char buf[BC_ARN_MAX_TEXT_LEN + 1];

	bc_arn_format(a, base, buf, sizeof(buf));
	return buf;
}

/* parse, encode, decode, format: must reproduce s; returns 1 if it did */
static int
round_trips(const char *s)
{
	bc_arn		a,
				b;
	unsigned char enc[BC_ARN_MAX_ENCODED_LEN];
	size_t		n;

	if (parse(s, &a) != BC_ARN_OK)
		return 0;
	if (strcmp(fmt(&a, s), s) != 0)
		return 0;
	n = bc_arn_encode(&a, s, enc, sizeof(enc));
	if (n > sizeof(enc) || bc_arn_decode(enc, n, &b) != BC_ARN_OK)
		return 0;
	return strcmp(fmt(&b, (const char *) enc), s) == 0;
}

UNIT_TEST(arn_user_plain)
{
	const char *s = "arn:aws:iam::123456789012:user/alice";
	bc_arn		a;

	CHECK_INT_EQ(parse(s, &a), BC_ARN_OK);
	CHECK_INT_EQ(a.partition, BC_ARN_PART_AWS);
	CHECK_INT_EQ(a.service, BC_ARN_SVC_IAM);
	CHECK_INT_EQ(a.kind, BC_ARN_KIND_USER);
	CHECK_INT_EQ(a.account, 123456789012LL);
	CHECK_MEM_EQ(s + a.name_off, a.name_len, "alice");
	CHECK_INT_EQ(a.path_len, 0);
	CHECK_INT_EQ(a.session_len, 0);
	CHECK_STR_EQ(fmt(&a, s), s);
}

UNIT_TEST(arn_user_path)
{
	const char *s = "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob";
	bc_arn		a;

	CHECK_INT_EQ(parse(s, &a), BC_ARN_OK);
	CHECK_MEM_EQ(s + a.name_off, a.name_len, "Bob");
	CHECK_MEM_EQ(s + a.path_off, a.path_len, "division_abc/subdivision_xyz");
	CHECK_STR_EQ(fmt(&a, s), s);
}

UNIT_TEST(arn_role_root_sts)
{
	bc_arn		a;
	const char *r = "arn:aws-cn:iam::000000000001:role/service-role/App";
	const char *root = "arn:aws-eusc:iam::999999999999:root";
	const char *ar = "arn:aws-us-gov:sts::123456789012:assumed-role/Accounting-Role/Mary";
	const char *fu = "arn:aws-iso-b:sts::123456789012:federated-user/Bob";

	CHECK_INT_EQ(parse(r, &a), BC_ARN_OK);
	CHECK_INT_EQ(a.kind, BC_ARN_KIND_ROLE);
	CHECK_INT_EQ(a.partition, BC_ARN_PART_AWS_CN);
	CHECK_INT_EQ(a.account, 1);
	CHECK_MEM_EQ(r + a.path_off, a.path_len, "service-role");
	CHECK_MEM_EQ(r + a.name_off, a.name_len, "App");

	CHECK_INT_EQ(parse(root, &a), BC_ARN_OK);
	CHECK_INT_EQ(a.kind, BC_ARN_KIND_ROOT);
	CHECK_INT_EQ(a.partition, BC_ARN_PART_AWS_EUSC);
	CHECK_INT_EQ(a.account, 999999999999LL);
	CHECK_INT_EQ(a.name_len, 0);

	CHECK_INT_EQ(parse(ar, &a), BC_ARN_OK);
	CHECK_INT_EQ(a.kind, BC_ARN_KIND_ASSUMED_ROLE);
	CHECK_INT_EQ(a.service, BC_ARN_SVC_STS);
	CHECK_MEM_EQ(ar + a.name_off, a.name_len, "Accounting-Role");
	CHECK_MEM_EQ(ar + a.session_off, a.session_len, "Mary");

	CHECK_INT_EQ(parse(fu, &a), BC_ARN_OK);
	CHECK_INT_EQ(a.kind, BC_ARN_KIND_FEDERATED_USER);
	CHECK_INT_EQ(a.partition, BC_ARN_PART_AWS_ISO_B);
	CHECK_MEM_EQ(fu + a.name_off, a.name_len, "Bob");
}

UNIT_TEST(arn_every_form_every_partition_round_trips)
{
	static const char *const forms[] = {
		"iam::123456789012:user/alice",
		"iam::123456789012:user/a/b/c/alice",
		"iam::123456789012:role/R",
		"iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_admin_11213697b25fc954",
		"iam::000000000000:root",
		"sts::123456789012:assumed-role/AWSReservedSSO_AdministratorAccess_8219a806ceb01083/Rob.Kenis@axxes.com",
		"sts::123456789012:federated-user/Bo",
		"iam::123456789012:user///x",
		"iam::123456789012:user/p:*?!~\x7f/x",
	};
	char		buf[800];

	for (size_t p = 0; p < sizeof(partitions) / sizeof(partitions[0]); p++)
		for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++)
		{
			snprintf(buf, sizeof(buf), "arn:%s:%s", partitions[p], forms[f]);
			if (!round_trips(buf))
				UNIT_FAIL("no round trip: %s", buf);
		}
}

UNIT_TEST(arn_limits)
{
	char		buf[1200];
	char		name64[65],
				name65[66],
				path[600];
	bc_arn		a;

	memset(name64, 'n', 64);
	name64[64] = '\0';
	memset(name65, 'n', 65);
	name65[65] = '\0';

	snprintf(buf, sizeof(buf), "arn:aws:iam::123456789012:user/%s", name64);
	CHECK(round_trips(buf));
	snprintf(buf, sizeof(buf), "arn:aws:iam::123456789012:user/%s", name65);
	CHECK_INT_EQ(parse_err(buf).code, BC_ARN_ERR_USER_NAME_LENGTH);
	snprintf(buf, sizeof(buf), "arn:aws:iam::123456789012:role/%s", name65);
	CHECK_INT_EQ(parse_err(buf).code, BC_ARN_ERR_ROLE_NAME_LENGTH);
	snprintf(buf, sizeof(buf), "arn:aws:sts::123456789012:assumed-role/%s/%s", name64, name64);
	CHECK(round_trips(buf));
	snprintf(buf, sizeof(buf), "arn:aws:sts::123456789012:assumed-role/%s/s", name64);
	CHECK_INT_EQ(parse_err(buf).code, BC_ARN_ERR_SESSION_LENGTH);
	snprintf(buf, sizeof(buf), "arn:aws:sts::123456789012:assumed-role/r/%s", name65);
	CHECK_INT_EQ(parse_err(buf).code, BC_ARN_ERR_SESSION_LENGTH);
	snprintf(buf, sizeof(buf), "arn:aws:sts::123456789012:assumed-role/%s/ss", name65);
	CHECK_INT_EQ(parse_err(buf).code, BC_ARN_ERR_ROLE_NAME_LENGTH);
	CHECK(round_trips("arn:aws:sts::123456789012:federated-user/ab"));
	CHECK_INT_EQ(parse_err("arn:aws:sts::123456789012:federated-user/a").code,
				 BC_ARN_ERR_FEDERATED_NAME_LENGTH);
	CHECK(round_trips("arn:aws:sts::123456789012:federated-user/abcdefghijabcdefghijabcdefghij12"));
	CHECK_INT_EQ(parse_err("arn:aws:sts::123456789012:federated-user/abcdefghijabcdefghijabcdefghij123").code,
				 BC_ARN_ERR_FEDERATED_NAME_LENGTH);

	/* path of exactly 512 (510 inner) passes, 513 fails */
	memset(path, 'p', 510);
	path[510] = '\0';
	snprintf(buf, sizeof(buf), "arn:aws-us-gov:iam::123456789012:user/%s/%s", path, name64);
	CHECK(round_trips(buf));
	CHECK_INT_EQ(parse(buf, &a), BC_ARN_OK);
	CHECK_INT_EQ(a.path_len, 510);
	path[510] = 'p';
	path[511] = '\0';
	snprintf(buf, sizeof(buf), "arn:aws:iam::123456789012:user/%s/n", path);
	CHECK_INT_EQ(parse_err(buf).code, BC_ARN_ERR_PATH_LENGTH);
}

UNIT_TEST(arn_errors)
{
	static const struct
	{
		const char *in;
		bc_arn_status code;
		size_t		pos;
	}			cases[] = {
		{"", BC_ARN_ERR_EMPTY, 0},
		{"ARN:aws:iam::123456789012:root", BC_ARN_ERR_PREFIX, 0},
		{" arn:aws:iam::123456789012:root", BC_ARN_ERR_PREFIX, 0},
		{"arn:", BC_ARN_ERR_PARTITION, 4},
		{"arn:aws", BC_ARN_ERR_PARTITION, 4},
		{"arn:aws-xx:iam::123456789012:root", BC_ARN_ERR_PARTITION, 4},
		{"arn:AWS:iam::123456789012:root", BC_ARN_ERR_PARTITION, 4},
		{"arn:aws:s3::123456789012:root", BC_ARN_ERR_SERVICE, 8},
		{"arn:aws:IAM::123456789012:root", BC_ARN_ERR_SERVICE, 8},
		{"arn:aws:iam:us-east-1:123456789012:root", BC_ARN_ERR_REGION, 12},
		{"arn:aws:iam", BC_ARN_ERR_SERVICE, 8},
		{"arn:aws:iam:", BC_ARN_ERR_REGION, 12},
		{"arn:aws:iam::12345678901:root", BC_ARN_ERR_ACCOUNT, 13},
		{"arn:aws:iam::1234567890123:root", BC_ARN_ERR_ACCOUNT, 13},
		{"arn:aws:iam::12345678901a:root", BC_ARN_ERR_ACCOUNT, 13},
		{"arn:aws:iam::123456789012", BC_ARN_ERR_IAM_RESOURCE, 25},
		{"arn:aws:sts::123456789012", BC_ARN_ERR_STS_RESOURCE, 25},
		{"arn:aws:iam::123456789012:", BC_ARN_ERR_IAM_RESOURCE, 26},
		{"arn:aws:iam::123456789012:root ", BC_ARN_ERR_IAM_RESOURCE, 26},
		{"arn:aws:iam::123456789012:group/g", BC_ARN_ERR_IAM_RESOURCE, 26},
		{"arn:aws:iam::123456789012:assumed-role/r/s", BC_ARN_ERR_IAM_RESOURCE, 26},
		{"arn:aws:sts::123456789012:user/u", BC_ARN_ERR_STS_RESOURCE, 26},
		{"arn:aws:iam::123456789012:user/", BC_ARN_ERR_USER_NAME_LENGTH, 31},
		{"arn:aws:iam::123456789012:user/a b", BC_ARN_ERR_USER_NAME_CHAR, 32},
		{"arn:aws:iam::123456789012:user/p/", BC_ARN_ERR_USER_NAME_LENGTH, 33},
		{"arn:aws:iam::123456789012:user//x", BC_ARN_ERR_PATH_EMPTY, 30},
		{"arn:aws:iam::123456789012:user/a b/x", BC_ARN_ERR_PATH_CHAR, 32},
		{"arn:aws:iam::123456789012:role/r*", BC_ARN_ERR_ROLE_NAME_CHAR, 32},
		{"arn:aws:iam::123456789012:role/", BC_ARN_ERR_ROLE_NAME_LENGTH, 31},
		{"arn:aws:sts::123456789012:assumed-role/r", BC_ARN_ERR_SESSION_MISSING, 40},
		{"arn:aws:sts::123456789012:assumed-role/", BC_ARN_ERR_ROLE_NAME_LENGTH, 39},
		{"arn:aws:sts::123456789012:assumed-role//ss", BC_ARN_ERR_ROLE_NAME_LENGTH, 39},
		{"arn:aws:sts::123456789012:assumed-role/r#/ss", BC_ARN_ERR_ROLE_NAME_CHAR, 40},
		{"arn:aws:sts::123456789012:assumed-role/r/", BC_ARN_ERR_SESSION_LENGTH, 41},
		{"arn:aws:sts::123456789012:assumed-role/r/s", BC_ARN_ERR_SESSION_LENGTH, 41},
		{"arn:aws:sts::123456789012:assumed-role/r/s/t", BC_ARN_ERR_SESSION_CHAR, 42},
		{"arn:aws:sts::123456789012:federated-user/b b", BC_ARN_ERR_FEDERATED_NAME_CHAR, 42},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		bc_arn_error e = parse_err(cases[i].in);

		if (e.code != cases[i].code || e.pos != cases[i].pos)
			UNIT_FAIL("\"%s\": code %d at %zu, expected %d at %zu", cases[i].in,
					  (int) e.code, e.pos, (int) cases[i].code, cases[i].pos);
		else if (e.message == NULL || strcmp(e.message, bc_arn_status_message(e.code)) != 0)
			UNIT_FAIL("\"%s\": message mismatch", cases[i].in);
	}
	CHECK_STR_EQ(parse_err("arn:aws:iam::1:root").message, "account id must be 12 digits");
}

UNIT_TEST(arn_nul_and_length)
{
	bc_arn		a;
	char		big[700];

	CHECK_INT_EQ(bc_arn_parse("arn:aws:iam::123456789012:user/a\0b", 34, &a, NULL),
				 BC_ARN_ERR_USER_NAME_CHAR);
	/* not NUL-terminated: only len bytes are read */
	CHECK_INT_EQ(bc_arn_parse("arn:aws:iam::123456789012:rootXYZ", 30, &a, NULL), BC_ARN_OK);
	memset(big, 'a', sizeof(big));
	CHECK_INT_EQ(bc_arn_parse(big, sizeof(big), &a, NULL), BC_ARN_ERR_TOO_LONG);
	CHECK(bc_arn_is_valid("arn:aws:iam::123456789012:root", 30));
	CHECK(!bc_arn_is_valid("arn:aws:iam::123456789012:roo", 29));
}

UNIT_TEST(arn_format_truncates)
{
	const char *s = "arn:aws:iam::123456789012:user/alice";
	bc_arn		a;
	char		small[10];

	CHECK_INT_EQ(parse(s, &a), BC_ARN_OK);
	CHECK_INT_EQ(bc_arn_format(&a, s, small, sizeof(small)), strlen(s));
	CHECK_STR_EQ(small, "arn:aws:i");
	CHECK_INT_EQ(bc_arn_format(&a, s, NULL, 0), strlen(s));
}

UNIT_TEST(arn_encoding_order)
{
	/* each is < the next in encoded (memcmp, then length) order */
	static const char *const ordered[] = {
		"arn:aws:iam::000000000002:user/zed",
		"arn:aws:iam::123456789012:user/bob",
		"arn:aws:iam::123456789012:user/bob2",
		"arn:aws:iam::123456789012:user/a/bob3",
		"arn:aws:iam::123456789012:role/a",
		"arn:aws:iam::123456789012:root",
		"arn:aws:sts::123456789012:assumed-role/R/ab",
		"arn:aws:sts::123456789012:assumed-role/R/ac",
		"arn:aws:sts::123456789012:assumed-role/R2/aa",
		"arn:aws:sts::123456789012:federated-user/aa",
		"arn:aws:iam::999999999999:root",
		"arn:aws-cn:iam::000000000000:root",
		"arn:aws-eusc:iam::000000000000:root",
	};
	unsigned char prev[BC_ARN_MAX_ENCODED_LEN],
				cur[BC_ARN_MAX_ENCODED_LEN];
	size_t		plen = 0;

	for (size_t i = 0; i < sizeof(ordered) / sizeof(ordered[0]); i++)
	{
		bc_arn		a;
		size_t		n;

		CHECK_INT_EQ(parse(ordered[i], &a), BC_ARN_OK);
		n = bc_arn_encode(&a, ordered[i], cur, sizeof(cur));
		if (i > 0)
		{
			size_t		m = n < plen ? n : plen;
			int			c = memcmp(prev, cur, m);

			if (c > 0 || (c == 0 && plen >= n))
				UNIT_FAIL("%s not after %s", ordered[i], ordered[i - 1]);
		}
		memcpy(prev, cur, n);
		plen = n;
	}
}

UNIT_TEST(arn_encoding_compact)
{
	const char *s = "arn:aws:sts::123456789012:assumed-role/BedrockRole/user-1@acme.org";
	bc_arn		a;
	unsigned char enc[BC_ARN_MAX_ENCODED_LEN];

	CHECK_INT_EQ(parse(s, &a), BC_ARN_OK);
	CHECK_INT_EQ(bc_arn_encode(&a, s, enc, sizeof(enc)), 7 + 11 + 1 + 15);
	CHECK_INT_EQ(enc[0], 0x10);
	CHECK_INT_EQ(enc[6], 0x24);
}

UNIT_TEST(arn_decode_rejects_corruption)
{
	const char *s = "arn:aws:iam::123456789012:user/p/bob";
	bc_arn		a,
				b;
	unsigned char enc[BC_ARN_MAX_ENCODED_LEN];
	size_t		n;

	CHECK_INT_EQ(parse(s, &a), BC_ARN_OK);
	n = bc_arn_encode(&a, s, enc, sizeof(enc));
	CHECK_INT_EQ(bc_arn_decode(enc, n, &b), BC_ARN_OK);
	CHECK(bc_arn_decode(enc, 6, &b) != BC_ARN_OK);
	enc[0] = 0x20;
	CHECK(bc_arn_decode(enc, n, &b) != BC_ARN_OK);
	enc[0] = 0x18;				/* partition 8 */
	CHECK(bc_arn_decode(enc, n, &b) != BC_ARN_OK);
	enc[0] = 0x10;
	enc[6] = 0x21;				/* sts user */
	CHECK(bc_arn_decode(enc, n, &b) != BC_ARN_OK);
	enc[6] = 0x11;
	enc[7] = '/';				/* "/" inside the name */
	CHECK(bc_arn_decode(enc, n, &b) != BC_ARN_OK);
	enc[7] = 'b';
	enc[1] = 0xFF;				/* account > 12 digits */
	CHECK(bc_arn_decode(enc, n, &b) != BC_ARN_OK);
	enc[1] = 0x1C;
	CHECK_INT_EQ(bc_arn_decode(enc, n, &b), BC_ARN_OK);
	CHECK_STR_EQ(fmt(&b, (const char *) enc), s);
}

UNIT_TEST(arn_classify)
{
	static const struct
	{
		const char *in;
		bc_arn_identity_kind kind;
		const char *permset;
	}			cases[] = {
		{"arn:aws:sts::040506089782:assumed-role/AWSReservedSSO_AdministratorAccess_8219a806ceb01083/Rob.Kenis@axxes.com",
		BC_ARN_ID_SSO_SESSION, "AdministratorAccess"},
		{"arn:aws:sts::511825856493:assumed-role/AWSReservedSSO_TF4-AuditReadOnlyAndAnalyze_2b03e7d876722882/ty.dinh",
		BC_ARN_ID_SSO_SESSION, "TF4-AuditReadOnlyAndAnalyze"},
		{"arn:aws:sts::511825856493:assumed-role/AWSReservedSSO_AD_EKS_Dev_E62CAC11786225D8/x@y.z",
		BC_ARN_ID_SSO_SESSION, "AD_EKS_Dev"},
		{"arn:aws:iam::511825856493:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AD-EKS-Dev_e62cac11786225d8",
		BC_ARN_ID_IAM_ROLE, "AD-EKS-Dev"},
		{"arn:aws:sts::511825856493:assumed-role/AWSReservedSSO__8219a806ceb01083/x@y.z",
		BC_ARN_ID_ROLE_SESSION, NULL},
		{"arn:aws:sts::511825856493:assumed-role/AWSReservedSSO_Admin_8219a806ceb0108g/x@y.z",
		BC_ARN_ID_ROLE_SESSION, NULL},
		{"arn:aws:sts::511825856493:assumed-role/AWSReservedSSO_Admin_8219a806ceb010/x@y.z",
		BC_ARN_ID_ROLE_SESSION, NULL},
		{"arn:aws:sts::123456789012:assumed-role/BedrockRole/gw-user-1", BC_ARN_ID_ROLE_SESSION, NULL},
		{"arn:aws:iam::123456789012:user/BedrockAPIKey-234s", BC_ARN_ID_BEDROCK_API_KEY, NULL},
		{"arn:aws:iam::123456789012:user/BedrockAPIKey-", BC_ARN_ID_IAM_USER, NULL},
		{"arn:aws:iam::123456789012:user/bedrockapikey-x", BC_ARN_ID_IAM_USER, NULL},
		{"arn:aws:iam::123456789012:user/alice", BC_ARN_ID_IAM_USER, NULL},
		{"arn:aws:sts::123456789012:federated-user/Bob", BC_ARN_ID_FEDERATED_USER, NULL},
		{"arn:aws:iam::123456789012:role/R", BC_ARN_ID_IAM_ROLE, NULL},
		{"arn:aws:iam::123456789012:root", BC_ARN_ID_ROOT, NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		bc_arn		a;
		size_t		off = 0,
					len = 0;
		bool		sso;

		CHECK_INT_EQ(parse(cases[i].in, &a), BC_ARN_OK);
		if (bc_arn_identity(&a, cases[i].in) != cases[i].kind)
			UNIT_FAIL("%s: kind %s", cases[i].in,
					  bc_arn_identity_name(bc_arn_identity(&a, cases[i].in)));
		sso = bc_arn_sso_permission_set(&a, cases[i].in, &off, &len);
		if (cases[i].permset == NULL)
			CHECK(!sso);
		else
		{
			CHECK(sso);
			CHECK_MEM_EQ(cases[i].in + off, len, cases[i].permset);
		}
	}
	CHECK_STR_EQ(bc_arn_identity_name(BC_ARN_ID_SSO_SESSION), "sso_session");
	CHECK_STR_EQ(bc_arn_kind_name(BC_ARN_KIND_FEDERATED_USER), "federated-user");
	CHECK_STR_EQ(bc_arn_partition_name(BC_ARN_PART_AWS_ISO_F), "aws-iso-f");
	CHECK(bc_arn_partition_name((bc_arn_partition) 8) == NULL);
}

UNIT_TEST(arn_account_format)
{
	char		buf[13];

	bc_arn_format_account(1, buf);
	CHECK_STR_EQ(buf, "000000000001");
	bc_arn_format_account(999999999999ULL, buf);
	CHECK_STR_EQ(buf, "999999999999");
}

UNIT_TEST(arn_decode_trusted_checks_structure_only)
{
	const char *s = "arn:aws:sts::123456789012:assumed-role/Role/sess";
	bc_arn		a,
				b;
	unsigned char enc[BC_ARN_MAX_ENCODED_LEN];
	size_t		n;

	CHECK_INT_EQ(parse(s, &a), BC_ARN_OK);
	n = bc_arn_encode(&a, s, enc, sizeof(enc));
	CHECK_INT_EQ(bc_arn_decode_trusted(enc, n, &b), BC_ARN_OK);
	CHECK_STR_EQ(fmt(&b, (const char *) enc), s);
	CHECK_INT_EQ(b.session_len, 4);
	/* a bad character passes the structural check, not the full one */
	enc[8] = ' ';
	CHECK_INT_EQ(bc_arn_decode_trusted(enc, n, &b), BC_ARN_OK);
	CHECK(bc_arn_decode(enc, n, &b) != BC_ARN_OK);
	/* structure: missing separator, bad codes, short header */
	enc[7 + 4] = 'x';
	CHECK(bc_arn_decode_trusted(enc, n, &b) != BC_ARN_OK);
	enc[7 + 4] = 0;
	enc[6] = 0x14;
	CHECK(bc_arn_decode_trusted(enc, n, &b) != BC_ARN_OK);
	enc[6] = 0x24;
	CHECK(bc_arn_decode_trusted(enc, 5, &b) != BC_ARN_OK);
	enc[0] = 0x1F;
	CHECK(bc_arn_decode_trusted(enc, n, &b) != BC_ARN_OK);
}
