/*-------------------------------------------------------------------------
 *
 * iam_arn.c
 *		Input, output, binary send/receive and text casts of the iam_arn
 *		type, and the non-throwing validity checks.
 *
 * Parsing and the datum layout live in the pure-C core (src/core/arn.h);
 * this file maps core errors to PostgreSQL errors, showing the input
 * through bc_quote (bounded and escaped).  Input reports softly
 * on PostgreSQL 16+ (pg_input_is_valid, COPY ... ON_ERROR), through the
 * ereturn shim of compat.h on older servers.  The binary form is a
 * version byte (1) followed by the canonical text, re-validated on
 * receive exactly like text input.
 *
 * IDENTIFICATION
 *		src/ext/iam_arn.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include <ctype.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "iam_arn.h"
#include "quote.h"

#define IAM_ARN_SEND_VERSION 1

PG_FUNCTION_INFO_V1(iam_arn_in);
PG_FUNCTION_INFO_V1(iam_arn_out);
PG_FUNCTION_INFO_V1(iam_arn_recv);
PG_FUNCTION_INFO_V1(iam_arn_send);
PG_FUNCTION_INFO_V1(iam_arn_from_text);
PG_FUNCTION_INFO_V1(iam_arn_to_text);
PG_FUNCTION_INFO_V1(iam_arn_is_valid);
PG_FUNCTION_INFO_V1(iam_arn_error);

/*
 * The errdetail sentence of a parse error: the core's message with an
 * upper-case first letter and the 1-based byte position.
 */
static char *
ErrorDetail(const bc_arn_error *err)
{
	char	   *msg = psprintf("%s (at byte %zu).", err->message, err->pos + 1);

	msg[0] = (char) toupper((unsigned char) msg[0]);
	return msg;
}

/* a new iam_arn datum from a parsed ARN whose offsets point into base */
struct varlena *
bc_iam_arn_make(const bc_arn *a, const char *base)
{
	unsigned char enc[BC_ARN_MAX_ENCODED_LEN];
	size_t		n = bc_arn_encode(a, base, enc, sizeof(enc));
	struct varlena *v;

	if (n > sizeof(enc))
		elog(ERROR, "iam_arn encoding of %zu bytes exceeds the maximum", n);
	v = (struct varlena *) palloc(VARHDRSZ + n);
	SET_VARSIZE(v, VARHDRSZ + n);
	memcpy(VARDATA(v), enc, n);
	return v;
}

/*
 * Decode a datum's payload, raising an error on a structurally corrupt
 * value.  Every way into a datum (input, receive, the text cast) validated
 * it, so only the structure is checked here: offsets always stay inside
 * the datum.
 */
void
bc_iam_arn_decode(struct varlena *v, bc_arn *a)
{
	bc_arn_status st = bc_arn_decode_trusted(IAM_ARN_DATA(v), IAM_ARN_LEN(v), a);

	if (st != BC_ARN_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("corrupt iam_arn value"),
				 errdetail("%s.", bc_arn_status_message(st))));
}

/* the canonical text of a datum, palloc'd */
char *
bc_iam_arn_to_cstring(struct varlena *v, size_t *len)
{
	bc_arn		a;
	char		buf[BC_ARN_MAX_TEXT_LEN + 1];
	size_t		n;

	bc_iam_arn_decode(v, &a);
	n = bc_arn_format(&a, (const char *) IAM_ARN_DATA(v), buf, sizeof(buf));
	if (n >= sizeof(buf))
		elog(ERROR, "iam_arn text of %zu bytes exceeds the maximum", n);
	if (len)
		*len = n;
	return pnstrdup(buf, n);
}

/*
 * Parse s[0..len) into a datum.  On failure report errcode with the
 * standard message, the input shown quoted, escaped and bounded
 * (bc_quote), softly through escontext when there is one; returns NULL
 * then.
 */
static struct varlena *
ParseIamArn(const char *s, size_t len, int errcode_, Node *escontext)
{
	bc_arn		a;
	bc_arn_error err;
	char		shown[BC_QUOTE_BUFSIZE];

	if (bc_arn_parse(s, len, &a, &err) != BC_ARN_OK)
	{
		bc_quote(s, len, shown);
		ereturn(escontext, NULL,
				(errcode(errcode_),
				 errmsg("invalid input syntax for type %s: %s",
						"iam_arn", shown),
				 errdetail_internal("%s", ErrorDetail(&err))));
	}
	return bc_iam_arn_make(&a, s);
}

/* text input: the exact ARN, no surrounding whitespace */
Datum
iam_arn_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	struct varlena *v;

	v = ParseIamArn(str, strlen(str), ERRCODE_INVALID_TEXT_REPRESENTATION,
					BC_ERRCONTEXT(fcinfo));
	if (v == NULL)
		PG_RETURN_DATUM((Datum) 0); /* soft error, reported in escontext */
	PG_RETURN_POINTER(v);
}

/* text output: the canonical (and original) text */
Datum
iam_arn_out(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_GETARG_IAM_ARN_PP(0);

	PG_RETURN_CSTRING(bc_iam_arn_to_cstring(v, NULL));
}

/* binary input: version byte 1, then the text, validated like input */
Datum
iam_arn_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version = pq_getmsgbyte(buf);
	char	   *str;
	int			nbytes;

	if (version != IAM_ARN_SEND_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported binary format version %d for type %s",
						version, "iam_arn"),
				 errdetail("Only version %d is known.", IAM_ARN_SEND_VERSION)));
	str = pq_getmsgtext(buf, buf->len - buf->cursor, &nbytes);
	PG_RETURN_POINTER(ParseIamArn(str, (size_t) nbytes,
								  ERRCODE_INVALID_BINARY_REPRESENTATION, NULL));
}

/* binary output: version byte 1, then the canonical text */
Datum
iam_arn_send(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_GETARG_IAM_ARN_PP(0);
	size_t		len;
	char	   *str = bc_iam_arn_to_cstring(v, &len);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, IAM_ARN_SEND_VERSION);
	pq_sendtext(&buf, str, (int) len);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* cast text -> iam_arn, without a detour through a C string */
Datum
iam_arn_from_text(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	const char *s = VARDATA_ANY(t);
	size_t		len = VARSIZE_ANY_EXHDR(t);
	bc_arn		a;

	if (bc_arn_parse(s, len, &a, NULL) == BC_ARN_OK)
		PG_RETURN_POINTER(bc_iam_arn_make(&a, s));
	/* the slow path only builds the message */
	PG_RETURN_POINTER(ParseIamArn(s, len, ERRCODE_INVALID_TEXT_REPRESENTATION,
								  NULL));
}

/* cast iam_arn -> text */
Datum
iam_arn_to_text(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_GETARG_IAM_ARN_PP(0);
	size_t		len;
	char	   *str = bc_iam_arn_to_cstring(v, &len);

	PG_RETURN_TEXT_P(cstring_to_text_with_len(str, (int) len));
}

/* is the text a valid iam_arn?  Never raises an error */
Datum
iam_arn_is_valid(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_BOOL(bc_arn_is_valid(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
}

/* why the text is not a valid iam_arn (the errdetail), or NULL if it is */
Datum
iam_arn_error(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	bc_arn		a;
	bc_arn_error err;

	if (bc_arn_parse(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &a, &err) == BC_ARN_OK)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(ErrorDetail(&err)));
}
