/*-------------------------------------------------------------------------
 *
 * arn_codec.c
 *		Compact encoding of a parsed IAM principal ARN: the payload of the
 *		iam_arn datum (layout in arn.h).
 *
 * The encoding keeps the codes and the account as bytes and the variable
 * parts verbatim, so that memcmp of two encodings gives a meaningful order
 * and equality is byte equality.  Decoding re-checks every rule, so a
 * corrupt datum is reported instead of producing a wrong ARN.
 *
 * IDENTIFICATION
 *		src/core/arn_codec.c
 *
 *-------------------------------------------------------------------------
 */
#include "arn.h"

#include <string.h>

/* append n bytes to buf[*len..cap), counting past cap */
static void
put(unsigned char *buf, size_t cap, size_t *len, const void *p, size_t n)
{
	if (*len < cap)
		memcpy(buf + *len, p, (cap - *len < n) ? cap - *len : n);
	*len += n;
}

/* encode; see arn.h */
size_t
bc_arn_encode(const bc_arn *a, const char *base, unsigned char *buf,
			  size_t cap)
{
	unsigned char hdr[BC_ARN_ENC_HEADER_LEN];
	size_t		len = 0;

	hdr[0] = (unsigned char) ((BC_ARN_ENC_VERSION << 4) | (a->partition & 0x0F));
	for (int i = 0; i < 5; i++)
		hdr[1 + i] = (unsigned char) (a->account >> (8 * (4 - i)));
	hdr[6] = (unsigned char) ((a->service << 4) | a->kind);
	put(buf, cap, &len, hdr, sizeof(hdr));

	switch (a->kind)
	{
		case BC_ARN_KIND_USER:
		case BC_ARN_KIND_ROLE:
			put(buf, cap, &len, base + a->name_off, a->name_len);
			put(buf, cap, &len, "", 1);
			put(buf, cap, &len, base + a->path_off, a->path_len);
			break;
		case BC_ARN_KIND_ASSUMED_ROLE:
			put(buf, cap, &len, base + a->name_off, a->name_len);
			put(buf, cap, &len, "", 1);
			put(buf, cap, &len, base + a->session_off, a->session_len);
			break;
		case BC_ARN_KIND_FEDERATED_USER:
			put(buf, cap, &len, base + a->name_off, a->name_len);
			break;
		case BC_ARN_KIND_ROOT:
			break;
	}
	return len;
}

/* the service that issues principals of kind k, or 0 for an unknown kind */
static int
service_of_kind(int k)
{
	switch (k)
	{
		case BC_ARN_KIND_USER:
		case BC_ARN_KIND_ROLE:
		case BC_ARN_KIND_ROOT:
			return BC_ARN_SVC_IAM;
		case BC_ARN_KIND_ASSUMED_ROLE:
		case BC_ARN_KIND_FEDERATED_USER:
			return BC_ARN_SVC_STS;
	}
	return 0;
}

/*
 * Re-validate the decoded parts by formatting them as text and parsing
 * that: one set of rules, in the parser, for input and decoding alike.
 */
static bc_arn_status
revalidate(const bc_arn *a, const unsigned char *buf)
{
	char		text[BC_ARN_MAX_TEXT_LEN + 1];
	size_t		n = bc_arn_format(a, (const char *) buf, text, sizeof(text));
	bc_arn		check;
	bc_arn_status st;

	if (n > BC_ARN_MAX_TEXT_LEN)
		return BC_ARN_ERR_TOO_LONG;
	st = bc_arn_parse(text, n, &check, NULL);
	if (st != BC_ARN_OK)
		return st;
	/* a "/" smuggled into a name would re-parse into different parts */
	if (check.kind != a->kind || check.name_len != a->name_len ||
		check.path_len != a->path_len || check.session_len != a->session_len)
		return BC_ARN_ERR_PREFIX;
	return BC_ARN_OK;
}

/* split an encoding into its parts: structure and codes only */
static bc_arn_status
decode_parts(const unsigned char *buf, size_t len, bc_arn *out)
{
	const unsigned char *sep;
	size_t		body = BC_ARN_ENC_HEADER_LEN;

	if (len < BC_ARN_ENC_HEADER_LEN || len > BC_ARN_MAX_ENCODED_LEN ||
		(buf[0] >> 4) != BC_ARN_ENC_VERSION ||
		(buf[0] & 0x0F) >= BC_ARN_NUM_PARTITIONS ||
		service_of_kind(buf[6] & 0x0F) != (buf[6] >> 4))
		return BC_ARN_ERR_PREFIX;

	memset(out, 0, sizeof(*out));
	out->partition = (bc_arn_partition) (buf[0] & 0x0F);
	for (int i = 0; i < 5; i++)
		out->account = (out->account << 8) | buf[1 + i];
	if (out->account > BC_ARN_MAX_ACCOUNT)
		return BC_ARN_ERR_ACCOUNT;
	out->service = (bc_arn_service) (buf[6] >> 4);
	out->kind = (bc_arn_kind) (buf[6] & 0x0F);
	out->name_off = out->path_off = out->session_off = body;

	switch (out->kind)
	{
		case BC_ARN_KIND_ROOT:
			if (len != body)
				return BC_ARN_ERR_IAM_RESOURCE;
			break;
		case BC_ARN_KIND_FEDERATED_USER:
			out->name_len = len - body;
			break;
		default:
			sep = memchr(buf + body, 0, len - body);
			if (sep == NULL)
				return BC_ARN_ERR_PREFIX;
			out->name_len = (size_t) (sep - buf) - body;
			if (out->kind == BC_ARN_KIND_ASSUMED_ROLE)
			{
				out->session_off = (size_t) (sep - buf) + 1;
				out->session_len = len - out->session_off;
			}
			else
			{
				out->path_off = (size_t) (sep - buf) + 1;
				out->path_len = len - out->path_off;
			}
			break;
	}
	return BC_ARN_OK;
}

/* decode and re-validate; see arn.h */
bc_arn_status
bc_arn_decode(const unsigned char *buf, size_t len, bc_arn *out)
{
	bc_arn_status st = decode_parts(buf, len, out);

	if (st != BC_ARN_OK)
		return st;
	return revalidate(out, buf);
}

/* decode, checking structure only; see arn.h */
bc_arn_status
bc_arn_decode_trusted(const unsigned char *buf, size_t len, bc_arn *out)
{
	return decode_parts(buf, len, out);
}
