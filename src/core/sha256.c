/*-------------------------------------------------------------------------
 *
 * sha256.c
 *		SHA-256 per FIPS 180-4, written from the specification; whole
 *		blocks go to the SHA-NI block function (sha256_x86.c) when the CPU
 *		has it.
 *
 * IDENTIFICATION
 *		src/core/sha256.c
 *
 *-------------------------------------------------------------------------
 */
#include "sha256.h"

#include <string.h>

/* the round constants (also used by sha256_x86.c) */
const uint32_t bc_sha256_K[64] __attribute__((aligned(16))) = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

/* process one 64-byte block */
static void
sha256_block(bc_sha256_ctx *ctx, const uint8_t *p)
{
	uint32_t	w[64];
	uint32_t	a, b, c, d, e, f, g, h;

	for (int i = 0; i < 16; i++)
		w[i] = ((uint32_t) p[4 * i] << 24) | ((uint32_t) p[4 * i + 1] << 16) |
			((uint32_t) p[4 * i + 2] << 8) | (uint32_t) p[4 * i + 3];
	for (int i = 16; i < 64; i++)
	{
		uint32_t	s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t	s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = ctx->h[0];
	b = ctx->h[1];
	c = ctx->h[2];
	d = ctx->h[3];
	e = ctx->h[4];
	f = ctx->h[5];
	g = ctx->h[6];
	h = ctx->h[7];
	for (int i = 0; i < 64; i++)
	{
		uint32_t	S1 = ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25);
		uint32_t	ch = (e & f) ^ (~e & g);
		uint32_t	t1 = h + S1 + ch + bc_sha256_K[i] + w[i];
		uint32_t	S0 = ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22);
		uint32_t	maj = (a & b) ^ (a & c) ^ (b & c);
		uint32_t	t2 = S0 + maj;

		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	ctx->h[0] += a;
	ctx->h[1] += b;
	ctx->h[2] += c;
	ctx->h[3] += d;
	ctx->h[4] += e;
	ctx->h[5] += f;
	ctx->h[6] += g;
	ctx->h[7] += h;
}

/* start a new hash */
void
bc_sha256_init(bc_sha256_ctx *ctx)
{
	static const uint32_t H0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	memcpy(ctx->h, H0, sizeof(H0));
	ctx->nbytes = 0;
	ctx->buflen = 0;
	ctx->hw = bc_sha256_x86_available();
}

/* hash n whole blocks */
static void
sha256_blocks(bc_sha256_ctx *ctx, const uint8_t *p, size_t n)
{
	if (ctx->hw)
	{
		bc_sha256_x86_blocks(ctx->h, p, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		sha256_block(ctx, p + 64 * i);
}

/* hash len more bytes */
void
bc_sha256_update(bc_sha256_ctx *ctx, const void *data, size_t len)
{
	const uint8_t *p = data;

	ctx->nbytes += len;
	if (ctx->buflen > 0)
	{
		size_t		take = 64 - ctx->buflen;

		if (take > len)
			take = len;
		memcpy(ctx->buf + ctx->buflen, p, take);
		ctx->buflen += take;
		p += take;
		len -= take;
		if (ctx->buflen < 64)
			return;
		sha256_blocks(ctx, ctx->buf, 1);
		ctx->buflen = 0;
	}
	if (len >= 64)
	{
		sha256_blocks(ctx, p, len / 64);
		p += len - len % 64;
		len %= 64;
	}
	if (len > 0)
	{
		memcpy(ctx->buf, p, len);
		ctx->buflen = len;
	}
}

/* finish: padding, length, digest */
void
bc_sha256_final(bc_sha256_ctx *ctx, uint8_t out[BC_SHA256_DIGEST_LEN])
{
	uint64_t	bits = ctx->nbytes * 8;
	uint8_t		pad[72];
	size_t		padlen = (ctx->buflen < 56) ? 56 - ctx->buflen : 120 - ctx->buflen;

	memset(pad, 0, sizeof(pad));
	pad[0] = 0x80;
	for (int i = 0; i < 8; i++)
		pad[padlen + i] = (uint8_t) (bits >> (56 - 8 * i));
	bc_sha256_update(ctx, pad, padlen + 8);
	for (int i = 0; i < 8; i++)
	{
		out[4 * i] = (uint8_t) (ctx->h[i] >> 24);
		out[4 * i + 1] = (uint8_t) (ctx->h[i] >> 16);
		out[4 * i + 2] = (uint8_t) (ctx->h[i] >> 8);
		out[4 * i + 3] = (uint8_t) ctx->h[i];
	}
}

/* digest as hex */
void
bc_sha256_hex(const uint8_t digest[BC_SHA256_DIGEST_LEN], char hex[65])
{
	static const char xd[] = "0123456789abcdef";

	for (int i = 0; i < BC_SHA256_DIGEST_LEN; i++)
	{
		hex[2 * i] = xd[digest[i] >> 4];
		hex[2 * i + 1] = xd[digest[i] & 15];
	}
	hex[64] = '\0';
}

/* one-shot hex digest of a buffer */
void
bc_sha256_buffer_hex(const void *data, size_t len, char hex[65])
{
	bc_sha256_ctx ctx;
	uint8_t		d[BC_SHA256_DIGEST_LEN];

	bc_sha256_init(&ctx);
	bc_sha256_update(&ctx, data, len);
	bc_sha256_final(&ctx, d);
	bc_sha256_hex(d, hex);
}
