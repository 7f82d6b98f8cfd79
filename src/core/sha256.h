/*-------------------------------------------------------------------------
 *
 * sha256.h
 *		Small self-contained SHA-256 (FIPS 180-4), so the core needs no
 *		crypto library.  Streaming: init, update any number of times, final.
 *
 * IDENTIFICATION
 *		src/core/sha256.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_SHA256_H
#define BC_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BC_SHA256_DIGEST_LEN 32

typedef struct bc_sha256_ctx
{
	uint32_t	h[8];
	uint64_t	nbytes;			/* total bytes hashed */
	uint8_t		buf[64];		/* pending partial block */
	size_t		buflen;
	bool		hw;				/* blocks by bc_sha256_x86_blocks (SHA-NI) */
} bc_sha256_ctx;

/* the 64 round constants, 16-byte aligned */
extern const uint32_t bc_sha256_K[64];

/* sha256_x86.c: the SHA-NI block function, when the CPU has it */
extern bool bc_sha256_x86_available(void);
extern void bc_sha256_x86_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks);

/*
 * Start a new hash (with the SHA-NI block function when the CPU has it;
 * clearing ctx->hw right after forces the portable one, for tests).
 */
extern void bc_sha256_init(bc_sha256_ctx *ctx);

/* hash len more bytes */
extern void bc_sha256_update(bc_sha256_ctx *ctx, const void *data, size_t len);

/* finish: write the 32-byte digest; ctx must be re-initialised to reuse */
extern void bc_sha256_final(bc_sha256_ctx *ctx, uint8_t out[BC_SHA256_DIGEST_LEN]);

/* digest as 64 lower-case hex digits plus NUL */
extern void bc_sha256_hex(const uint8_t digest[BC_SHA256_DIGEST_LEN], char hex[65]);

/* one-shot helper: hex digest of a buffer */
extern void bc_sha256_buffer_hex(const void *data, size_t len, char hex[65]);

#endif							/* BC_SHA256_H */
