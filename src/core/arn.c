/*-------------------------------------------------------------------------
 *
 * arn.c
 *		Parser and formatter of AWS IAM principal ARNs (see arn.h for the
 *		accepted forms and rules).
 *
 * One left-to-right pass over the input, no allocation, no copies: the
 * result holds offsets into the input.  Each rule failure reports the
 * byte where the failing part (or the offending byte) starts.
 *
 * IDENTIFICATION
 *		src/core/arn.c
 *
 *-------------------------------------------------------------------------
 */
#include "arn.h"

#include <string.h>

static const char *const partition_names[BC_ARN_NUM_PARTITIONS] = {
	"aws", "aws-cn", "aws-us-gov", "aws-iso",
	"aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"
};

#define NAME_CHARS "letters, digits and _+=,.@-"

static const char *const status_messages[] = {
	[BC_ARN_OK] = "",
	[BC_ARN_ERR_EMPTY] = "value is empty",
	[BC_ARN_ERR_PREFIX] = "value must start with \"arn:\"",
	[BC_ARN_ERR_PARTITION] = "partition must be one of aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc",
	[BC_ARN_ERR_SERVICE] = "service must be iam or sts",
	[BC_ARN_ERR_REGION] = "region must be empty in an iam or sts ARN",
	[BC_ARN_ERR_ACCOUNT] = "account id must be 12 digits",
	[BC_ARN_ERR_IAM_RESOURCE] = "resource must be user/NAME, role/NAME or root in an iam ARN",
	[BC_ARN_ERR_STS_RESOURCE] = "resource must be assumed-role/ROLE/SESSION or federated-user/NAME in an sts ARN",
	[BC_ARN_ERR_USER_NAME_CHAR] = "user name may contain only " NAME_CHARS,
	[BC_ARN_ERR_USER_NAME_LENGTH] = "user name must be 1 to 64 characters",
	[BC_ARN_ERR_ROLE_NAME_CHAR] = "role name may contain only " NAME_CHARS,
	[BC_ARN_ERR_ROLE_NAME_LENGTH] = "role name must be 1 to 64 characters",
	[BC_ARN_ERR_PATH_CHAR] = "path may contain only ASCII characters 0x21 to 0x7F",
	[BC_ARN_ERR_PATH_LENGTH] = "path must be at most 512 characters",
	[BC_ARN_ERR_PATH_EMPTY] = "path must be \"/\" or have characters between its first and last \"/\"",
	[BC_ARN_ERR_SESSION_MISSING] = "assumed-role ARN must end in /ROLE/SESSION",
	[BC_ARN_ERR_SESSION_CHAR] = "role session name may contain only " NAME_CHARS,
	[BC_ARN_ERR_SESSION_LENGTH] = "role session name must be 2 to 64 characters",
	[BC_ARN_ERR_FEDERATED_NAME_CHAR] = "federated user name may contain only " NAME_CHARS,
	[BC_ARN_ERR_FEDERATED_NAME_LENGTH] = "federated user name must be 2 to 32 characters",
	[BC_ARN_ERR_TOO_LONG] = "value is longer than 640 bytes",
};

/* a byte allowed in IAM names and session names: [\w+=,.@-] */
static const unsigned char name_char[256] = {
	['0'] = 1,['1'] = 1,['2'] = 1,['3'] = 1,['4'] = 1,
	['5'] = 1,['6'] = 1,['7'] = 1,['8'] = 1,['9'] = 1,
	['A'] = 1,['B'] = 1,['C'] = 1,['D'] = 1,['E'] = 1,['F'] = 1,['G'] = 1,
	['H'] = 1,['I'] = 1,['J'] = 1,['K'] = 1,['L'] = 1,['M'] = 1,['N'] = 1,
	['O'] = 1,['P'] = 1,['Q'] = 1,['R'] = 1,['S'] = 1,['T'] = 1,['U'] = 1,
	['V'] = 1,['W'] = 1,['X'] = 1,['Y'] = 1,['Z'] = 1,
	['a'] = 1,['b'] = 1,['c'] = 1,['d'] = 1,['e'] = 1,['f'] = 1,['g'] = 1,
	['h'] = 1,['i'] = 1,['j'] = 1,['k'] = 1,['l'] = 1,['m'] = 1,['n'] = 1,
	['o'] = 1,['p'] = 1,['q'] = 1,['r'] = 1,['s'] = 1,['t'] = 1,['u'] = 1,
	['v'] = 1,['w'] = 1,['x'] = 1,['y'] = 1,['z'] = 1,
	['_'] = 1,['+'] = 1,['='] = 1,[','] = 1,['.'] = 1,['@'] = 1,['-'] = 1,
};

/* the static message of an error code */
const char *
bc_arn_status_message(bc_arn_status code)
{
	if ((size_t) code >= sizeof(status_messages) / sizeof(status_messages[0]))
		return "invalid ARN";
	return status_messages[code];
}

/* record a failure and return its code */
static bc_arn_status
fail(bc_arn_error *err, bc_arn_status code, size_t pos)
{
	if (err)
	{
		err->code = code;
		err->pos = pos;
		err->message = status_messages[code];
	}
	return code;
}

/* offset of the first byte in s[from..len) that is not a name char, or len */
static size_t
scan_name(const char *s, size_t from, size_t len)
{
	while (from < len && name_char[(unsigned char) s[from]])
		from++;
	return from;
}

/* does s[pos..len) start with the NUL-terminated word w? */
static bool
starts_with(const char *s, size_t pos, size_t len, const char *w)
{
	size_t		n = strlen(w);

	return len - pos >= n && memcmp(s + pos, w, n) == 0;
}

/* the partition named s[pos..end), or -1 */
static int
lookup_partition(const char *s, size_t pos, size_t end)
{
	for (int i = 0; i < BC_ARN_NUM_PARTITIONS; i++)
	{
		size_t		n = strlen(partition_names[i]);

		if (end - pos == n && memcmp(s + pos, partition_names[i], n) == 0)
			return i;
	}
	return -1;
}

/*
 * Check a name s[from..len) wholly: name characters only, length in
 * [minlen, maxlen].  Sets *out_off and *out_len on success.
 */
static bc_arn_status
check_name(const char *s, size_t from, size_t len, size_t minlen,
		   size_t maxlen, bc_arn_status char_err, bc_arn_status len_err,
		   bc_arn_error *err, size_t *out_off, size_t *out_len)
{
	size_t		stop = scan_name(s, from, len);

	if (stop < len)
		return fail(err, char_err, stop);
	if (len - from < minlen || len - from > maxlen)
		return fail(err, len_err, from);
	*out_off = from;
	*out_len = len - from;
	return BC_ARN_OK;
}

/*
 * user/[PATH/]NAME or role/[PATH/]NAME: from points just past "user" or
 * "role", at the path's leading "/".  The name is after the last "/".
 */
static bc_arn_status
parse_path_name(const char *s, size_t from, size_t len, bool is_user,
				bc_arn *out, bc_arn_error *err)
{
	size_t		last = len;

	while (last > from && s[last - 1] != '/')
		last--;
	last--;						/* the last "/", at or after from */

	if (last > from)
	{
		/* path "/" + inner + "/": inner is s[from+1 .. last) */
		size_t		inner = last - from - 1;

		if (inner == 0)
			return fail(err, BC_ARN_ERR_PATH_EMPTY, from);
		for (size_t i = from + 1; i < last; i++)
		{
			unsigned char c = (unsigned char) s[i];

			if (c < 0x21 || c > 0x7F)
				return fail(err, BC_ARN_ERR_PATH_CHAR, i);
		}
		if (inner + 2 > 512)
			return fail(err, BC_ARN_ERR_PATH_LENGTH, from);
		out->path_off = from + 1;
		out->path_len = inner;
	}
	else
	{
		out->path_off = from;
		out->path_len = 0;
	}
	return check_name(s, last + 1, len, 1, 64,
					  is_user ? BC_ARN_ERR_USER_NAME_CHAR : BC_ARN_ERR_ROLE_NAME_CHAR,
					  is_user ? BC_ARN_ERR_USER_NAME_LENGTH : BC_ARN_ERR_ROLE_NAME_LENGTH,
					  err, &out->name_off, &out->name_len);
}

/* assumed-role/ROLE/SESSION: from points just past "assumed-role/" */
static bc_arn_status
parse_assumed_role(const char *s, size_t from, size_t len, bc_arn *out,
				   bc_arn_error *err)
{
	size_t		stop = scan_name(s, from, len);
	bc_arn_status st;

	if (stop == len)
	{
		if (stop - from < 1 || stop - from > 64)
			return fail(err, BC_ARN_ERR_ROLE_NAME_LENGTH, from);
		return fail(err, BC_ARN_ERR_SESSION_MISSING, len);
	}
	if (s[stop] != '/')
		return fail(err, BC_ARN_ERR_ROLE_NAME_CHAR, stop);
	if (stop - from < 1 || stop - from > 64)
		return fail(err, BC_ARN_ERR_ROLE_NAME_LENGTH, from);
	out->name_off = from;
	out->name_len = stop - from;
	st = check_name(s, stop + 1, len, 2, 64, BC_ARN_ERR_SESSION_CHAR,
					BC_ARN_ERR_SESSION_LENGTH, err,
					&out->session_off, &out->session_len);
	return st;
}

/* the resource of an iam ARN, from pos */
static bc_arn_status
parse_iam_resource(const char *s, size_t pos, size_t len, bc_arn *out,
				   bc_arn_error *err)
{
	if (len - pos == 4 && memcmp(s + pos, "root", 4) == 0)
	{
		out->kind = BC_ARN_KIND_ROOT;
		out->name_off = out->path_off = out->session_off = pos + 4;
		return BC_ARN_OK;
	}
	if (starts_with(s, pos, len, "user/"))
	{
		out->kind = BC_ARN_KIND_USER;
		return parse_path_name(s, pos + 4, len, true, out, err);
	}
	if (starts_with(s, pos, len, "role/"))
	{
		out->kind = BC_ARN_KIND_ROLE;
		return parse_path_name(s, pos + 4, len, false, out, err);
	}
	return fail(err, BC_ARN_ERR_IAM_RESOURCE, pos);
}

/* the resource of an sts ARN, from pos */
static bc_arn_status
parse_sts_resource(const char *s, size_t pos, size_t len, bc_arn *out,
				   bc_arn_error *err)
{
	if (starts_with(s, pos, len, "assumed-role/"))
	{
		out->kind = BC_ARN_KIND_ASSUMED_ROLE;
		return parse_assumed_role(s, pos + 13, len, out, err);
	}
	if (starts_with(s, pos, len, "federated-user/"))
	{
		out->kind = BC_ARN_KIND_FEDERATED_USER;
		return check_name(s, pos + 15, len, 2, 32,
						  BC_ARN_ERR_FEDERATED_NAME_CHAR,
						  BC_ARN_ERR_FEDERATED_NAME_LENGTH, err,
						  &out->name_off, &out->name_len);
	}
	return fail(err, BC_ARN_ERR_STS_RESOURCE, pos);
}

/* "iam:" or "sts:" at pos; returns the position after the colon */
static bc_arn_status
parse_service(const char *s, size_t pos, size_t len, bc_arn *out,
			  bc_arn_error *err)
{
	if (starts_with(s, pos, len, "iam:"))
		out->service = BC_ARN_SVC_IAM;
	else if (starts_with(s, pos, len, "sts:"))
		out->service = BC_ARN_SVC_STS;
	else
		return fail(err, BC_ARN_ERR_SERVICE, pos);
	return BC_ARN_OK;
}

/*
 * 12 digits then ":" at pos.  Twelve digits at the very end of the input
 * are a valid account with the resource missing.
 */
static bc_arn_status
parse_account(const char *s, size_t pos, size_t len, bc_arn *out,
			  bc_arn_error *err)
{
	uint64_t	acct = 0;
	size_t		i = pos;

	while (i < len && i - pos < 13 && s[i] >= '0' && s[i] <= '9')
		acct = acct * 10 + (uint64_t) (s[i++] - '0');
	if (i - pos != 12 || (i < len && s[i] != ':'))
		return fail(err, BC_ARN_ERR_ACCOUNT, pos);
	if (i == len)
		return fail(err, out->service == BC_ARN_SVC_IAM ?
					BC_ARN_ERR_IAM_RESOURCE : BC_ARN_ERR_STS_RESOURCE, len);
	out->account = acct;
	return BC_ARN_OK;
}

/* parse a principal ARN; see arn.h */
bc_arn_status
bc_arn_parse(const char *s, size_t len, bc_arn *out, bc_arn_error *err)
{
	const char *colon;
	size_t		pos;
	int			part;
	bc_arn_status st;

	if (len == 0)
		return fail(err, BC_ARN_ERR_EMPTY, 0);
	if (len > BC_ARN_MAX_TEXT_LEN)
		return fail(err, BC_ARN_ERR_TOO_LONG, BC_ARN_MAX_TEXT_LEN);
	if (!starts_with(s, 0, len, "arn:"))
		return fail(err, BC_ARN_ERR_PREFIX, 0);
	memset(out, 0, sizeof(*out));

	colon = memchr(s + 4, ':', len - 4);
	part = colon ? lookup_partition(s, 4, (size_t) (colon - s)) : -1;
	if (part < 0)
		return fail(err, BC_ARN_ERR_PARTITION, 4);
	out->partition = (bc_arn_partition) part;
	pos = (size_t) (colon - s) + 1;

	if ((st = parse_service(s, pos, len, out, err)) != BC_ARN_OK)
		return st;
	pos += 4;
	if (pos >= len || s[pos] != ':')
		return fail(err, BC_ARN_ERR_REGION, pos);
	pos++;
	if ((st = parse_account(s, pos, len, out, err)) != BC_ARN_OK)
		return st;
	pos += 13;

	if (out->service == BC_ARN_SVC_IAM)
		return parse_iam_resource(s, pos, len, out, err);
	return parse_sts_resource(s, pos, len, out, err);
}

/* true when s[0..len) is a valid principal ARN */
bool
bc_arn_is_valid(const char *s, size_t len)
{
	bc_arn		a;

	return bc_arn_parse(s, len, &a, NULL) == BC_ARN_OK;
}

/* "aws", "aws-cn", ... */
const char *
bc_arn_partition_name(bc_arn_partition p)
{
	if ((unsigned) p >= BC_ARN_NUM_PARTITIONS)
		return NULL;
	return partition_names[p];
}

/* "iam" or "sts" */
const char *
bc_arn_service_name(bc_arn_service s)
{
	switch (s)
	{
		case BC_ARN_SVC_IAM:
			return "iam";
		case BC_ARN_SVC_STS:
			return "sts";
	}
	return NULL;
}

/* "user", "role", "root", "assumed-role", "federated-user" */
const char *
bc_arn_kind_name(bc_arn_kind k)
{
	switch (k)
	{
		case BC_ARN_KIND_USER:
			return "user";
		case BC_ARN_KIND_ROLE:
			return "role";
		case BC_ARN_KIND_ROOT:
			return "root";
		case BC_ARN_KIND_ASSUMED_ROLE:
			return "assumed-role";
		case BC_ARN_KIND_FEDERATED_USER:
			return "federated-user";
	}
	return NULL;
}

/* the 12-digit account id with leading zeros */
void
bc_arn_format_account(uint64_t account, char buf[13])
{
	for (int i = 11; i >= 0; i--)
	{
		buf[i] = (char) ('0' + account % 10);
		account /= 10;
	}
	buf[12] = '\0';
}

/* append n bytes to buf[*len..cap), counting past cap */
static void
put(char *buf, size_t cap, size_t *len, const char *p, size_t n)
{
	if (*len < cap)
		memcpy(buf + *len, p, (cap - *len < n) ? cap - *len : n);
	*len += n;
}

/* append a NUL-terminated string */
static void
puts_(char *buf, size_t cap, size_t *len, const char *p)
{
	put(buf, cap, len, p, strlen(p));
}

/* write the canonical text; see arn.h */
size_t
bc_arn_format(const bc_arn *a, const char *base, char *buf, size_t cap)
{
	size_t		len = 0;
	char		acct[13];
	const char *part = bc_arn_partition_name(a->partition);
	const char *svc = bc_arn_service_name(a->service);
	const char *kind = bc_arn_kind_name(a->kind);

	bc_arn_format_account(a->account, acct);
	puts_(buf, cap, &len, "arn:");
	puts_(buf, cap, &len, part ? part : "?");
	put(buf, cap, &len, ":", 1);
	puts_(buf, cap, &len, svc ? svc : "?");
	put(buf, cap, &len, "::", 2);
	puts_(buf, cap, &len, acct);
	put(buf, cap, &len, ":", 1);
	puts_(buf, cap, &len, kind ? kind : "?");
	if (a->kind != BC_ARN_KIND_ROOT)
		put(buf, cap, &len, "/", 1);
	if (a->path_len > 0)
	{
		put(buf, cap, &len, base + a->path_off, a->path_len);
		put(buf, cap, &len, "/", 1);
	}
	put(buf, cap, &len, base + a->name_off, a->name_len);
	if (a->kind == BC_ARN_KIND_ASSUMED_ROLE)
	{
		put(buf, cap, &len, "/", 1);
		put(buf, cap, &len, base + a->session_off, a->session_len);
	}
	if (cap > 0)
		buf[len < cap ? len : cap - 1] = '\0';
	return len;
}
