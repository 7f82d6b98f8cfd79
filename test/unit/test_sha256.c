/*-------------------------------------------------------------------------
 *
 * test_sha256.c
 *		SHA-256 against the FIPS 180-4 / NIST example vectors, and
 *		streaming in odd-sized pieces giving the same digest; the SHA-NI
 *		block function (when the CPU has it) against the portable one.
 *
 * IDENTIFICATION
 *		test/unit/test_sha256.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>

#include "unit.h"
#include "sha256.h"

UNIT_TEST(sha256_vectors)
{
	char		hex[65];

	bc_sha256_buffer_hex("", 0, hex);
	CHECK_STR_EQ(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	bc_sha256_buffer_hex("abc", 3, hex);
	CHECK_STR_EQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	bc_sha256_buffer_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	CHECK_STR_EQ(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	{
		const char *s = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

		bc_sha256_buffer_hex(s, strlen(s), hex);
		CHECK_STR_EQ(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	}
	bc_sha256_buffer_hex("The quick brown fox jumps over the lazy dog", 43, hex);
	CHECK_STR_EQ(hex, "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
}

UNIT_TEST(sha256_million_a_streamed)
{
	/* one million 'a', fed in pieces of varying size */
	char	   *buf = malloc(1000000);
	bc_sha256_ctx ctx;
	uint8_t		d[32];
	char		hex[65];
	size_t		pos = 0;
	size_t		step = 1;

	memset(buf, 'a', 1000000);
	bc_sha256_init(&ctx);
	while (pos < 1000000)
	{
		size_t		n = step < 1000000 - pos ? step : 1000000 - pos;

		bc_sha256_update(&ctx, buf + pos, n);
		pos += n;
		step = (step * 7 + 3) % 1000;
	}
	bc_sha256_final(&ctx, d);
	bc_sha256_hex(d, hex);
	CHECK_STR_EQ(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	bc_sha256_buffer_hex(buf, 1000000, hex);
	CHECK_STR_EQ(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* padding boundaries, digests from coreutils sha256sum */
	bc_sha256_buffer_hex(buf, 55, hex);
	CHECK_STR_EQ(hex, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	bc_sha256_buffer_hex(buf, 56, hex);
	CHECK_STR_EQ(hex, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	bc_sha256_buffer_hex(buf, 64, hex);
	CHECK_STR_EQ(hex, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
	bc_sha256_buffer_hex(buf, 119, hex);
	CHECK_STR_EQ(hex, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb");
	bc_sha256_buffer_hex(buf, 120, hex);
	CHECK_STR_EQ(hex, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c");
	/* lengths around the padding boundary agree with streaming byte by byte */
	for (size_t len = 50; len < 130; len++)
	{
		char		h1[65];
		char		h2[65];

		bc_sha256_buffer_hex(buf, len, h1);
		bc_sha256_init(&ctx);
		for (size_t i = 0; i < len; i++)
			bc_sha256_update(&ctx, buf + i, 1);
		bc_sha256_final(&ctx, d);
		bc_sha256_hex(d, h2);
		CHECK_STR_EQ(h1, h2);
	}
	free(buf);
}

/* digest of buf[0..len) fed in pieces of 1..199 bytes, hw or portable */
static void
digest_pieces(const uint8_t *buf, size_t len, bool hw, char hex[65])
{
	bc_sha256_ctx ctx;
	uint8_t		d[32];
	size_t		pos = 0;
	size_t		step = 5;

	bc_sha256_init(&ctx);
	ctx.hw = ctx.hw && hw;
	while (pos < len)
	{
		size_t		n = step < len - pos ? step : len - pos;

		bc_sha256_update(&ctx, buf + pos, n);
		pos += n;
		step = (step * 13 + 7) % 199 + 1;
	}
	bc_sha256_final(&ctx, d);
	bc_sha256_hex(d, hex);
}

UNIT_TEST(sha256_hw_matches_portable)
{
	/* every length 0..600 and some long ones, pseudo-random bytes */
	size_t		max = 70000;
	uint8_t    *buf = malloc(max);
	uint32_t	x = 12345;
	int			differ = 0;
	size_t		lens[] = {1000, 4096, 65535, 65536, 65537, 70000};
	char		a[65],
				b[65];

	for (size_t i = 0; i < max; i++)
	{
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t) (x >> 16);
	}
	for (size_t len = 0; len <= 600; len++)
	{
		digest_pieces(buf, len, true, a);
		digest_pieces(buf, len, false, b);
		differ += strcmp(a, b) != 0;
	}
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
	{
		digest_pieces(buf, lens[i], true, a);
		digest_pieces(buf, lens[i], false, b);
		differ += strcmp(a, b) != 0;
	}
	CHECK_INT_EQ(differ, 0);
	/* the portable function alone against a known digest (sha256sum) */
	digest_pieces((const uint8_t *) "abc", 3, false, a);
	CHECK_STR_EQ(a, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	free(buf);
}
