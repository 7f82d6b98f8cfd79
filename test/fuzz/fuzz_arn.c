/*-------------------------------------------------------------------------
 *
 * fuzz_arn.c
 *		libFuzzer harness of the IAM principal ARN parser and encoding.
 *
 * For every input: parsing must not crash or read outside the input
 * (ASan); a reported error must carry a position within the input and
 * its code's message.  An accepted input must survive parse -> format ->
 * parse unchanged (the text form is canonical, so format must reproduce
 * the input byte for byte), and parse -> encode -> decode -> format must
 * give the same text.  The classifiers run on every accepted input.
 * Any input is also fed to both decoders as a raw datum payload: the
 * structural one must never read outside it, and whatever the validating
 * one accepts must format to a valid ARN that encodes back to exactly
 * those bytes.
 *
 * IDENTIFICATION
 *		test/fuzz/fuzz_arn.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "arn.h"

int			LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* the input parses and round-trips, or the error is well-formed */
static void
check_text(const char *s, size_t size)
{
	bc_arn		a,
				b;
	bc_arn_error err;
	char		text[BC_ARN_MAX_TEXT_LEN + 1];
	unsigned char enc[BC_ARN_MAX_ENCODED_LEN];
	size_t		n,
				off,
				len;

	if (bc_arn_parse(s, size, &a, &err) != BC_ARN_OK)
	{
		if (err.pos > size || err.code == BC_ARN_OK ||
			err.message != bc_arn_status_message(err.code) || err.message[0] == '\0')
			abort();
		if (bc_arn_is_valid(s, size))
			abort();
		return;
	}
	n = bc_arn_format(&a, s, text, sizeof(text));
	if (n != size || memcmp(text, s, size) != 0)
		abort();
	if (bc_arn_parse(text, n, &b, NULL) != BC_ARN_OK ||
		b.partition != a.partition || b.kind != a.kind || b.account != a.account)
		abort();

	n = bc_arn_encode(&a, s, enc, sizeof(enc));
	if (n > sizeof(enc) || bc_arn_decode(enc, n, &b) != BC_ARN_OK)
		abort();
	n = bc_arn_format(&b, (const char *) enc, text, sizeof(text));
	if (n != size || memcmp(text, s, size) != 0)
		abort();

	(void) bc_arn_identity_name(bc_arn_identity(&a, s));
	if (bc_arn_sso_permission_set(&a, s, &off, &len) &&
		(off + len > size || len == 0))
		abort();
}

/* whatever the decoder accepts is a valid ARN that re-encodes identically */
static void
check_payload(const unsigned char *data, size_t size)
{
	bc_arn		a,
				b;
	char		text[BC_ARN_MAX_TEXT_LEN + 1];
	unsigned char enc[BC_ARN_MAX_ENCODED_LEN];
	size_t		n;

	/* the structural decoder must stay inside the buffer whatever it gets */
	if (bc_arn_decode_trusted(data, size, &a) == BC_ARN_OK)
	{
		n = bc_arn_format(&a, (const char *) data, text, sizeof(text));
		(void) bc_arn_identity(&a, (const char *) data);
	}
	if (bc_arn_decode(data, size, &a) != BC_ARN_OK)
		return;
	if (bc_arn_decode_trusted(data, size, &b) != BC_ARN_OK ||
		b.name_len != a.name_len || b.path_len != a.path_len ||
		b.session_len != a.session_len)
		abort();
	n = bc_arn_format(&a, (const char *) data, text, sizeof(text));
	if (n > BC_ARN_MAX_TEXT_LEN || bc_arn_parse(text, n, &b, NULL) != BC_ARN_OK)
		abort();
	n = bc_arn_encode(&b, text, enc, sizeof(enc));
	if (n != size || memcmp(enc, data, size) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	/* a heap copy of exactly size bytes, so ASan catches any over-read */
	char	   *s = malloc(size ? size : 1);

	memcpy(s, data, size);
	check_text(s, size);
	free(s);
	check_payload(data, size);
	return 0;
}
