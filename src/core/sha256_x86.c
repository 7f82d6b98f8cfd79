/*-------------------------------------------------------------------------
 *
 * sha256_x86.c
 *		SHA-256 block function with the x86 SHA extensions (SHA-NI), used
 *		by sha256.c when the CPU has them.
 *
 * Loading hashes every compressed byte it reads (to prove the file did
 * not change during the load); the portable block function costs about
 * 5 ns a byte, the SHA instructions under 1.  The state is kept as the
 * instructions want it (ABEF / CDGH); each group of four rounds adds the
 * constants to four message words, runs two sha256rnds2, and extends the
 * message schedule with sha256msg1 / sha256msg2, as in Intel's
 * description of the extensions.  Built only for x86-64 with GCC or
 * Clang; elsewhere bc_sha256_x86_available() is false.
 *
 * IDENTIFICATION
 *		src/core/sha256_x86.c
 *
 *-------------------------------------------------------------------------
 */
#include "sha256.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#include <cpuid.h>
#include <immintrin.h>


/* whether the CPU has SHA-NI, SSE4.1 and SSSE3 */
bool
bc_sha256_x86_available(void)
{
	unsigned	a,
				b,
				c,
				d;

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return false;
	if (!(c & bit_SSE4_1) || !(c & bit_SSSE3))
		return false;
	if (__get_cpuid_max(0, NULL) < 7)
		return false;
	__cpuid_count(7, 0, a, b, c, d);
	return (b & (1u << 29)) != 0;	/* CPUID.(EAX=7,ECX=0):EBX.SHA */
}

/* hash nblocks 64-byte blocks at p into h */
__attribute__((target("sha,sse4.1,ssse3")))
void
bc_sha256_x86_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i		state0,
				state1,
				tmp;

	/* h[0..7] = A..H into ABEF and CDGH */
	tmp = _mm_loadu_si128((const __m128i *) &h[0]);
	state1 = _mm_loadu_si128((const __m128i *) &h[4]);
	tmp = _mm_shuffle_epi32(tmp, 0xB1);
	state1 = _mm_shuffle_epi32(state1, 0x1B);
	state0 = _mm_alignr_epi8(tmp, state1, 8);
	state1 = _mm_blend_epi16(state1, tmp, 0xF0);

	while (nblocks-- > 0)
	{
		__m128i		abef = state0;
		__m128i		cdgh = state1;
		__m128i		w[4];

		for (int g = 0; g < 16; g++)
		{
			__m128i		msg;

			if (g < 4)
				w[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 16 * g)), bswap);
			msg = _mm_add_epi32(w[g & 3], _mm_load_si128((const __m128i *) &bc_sha256_K[4 * g]));
			state1 = _mm_sha256rnds2_epu32(state1, state0, msg);
			if (g >= 3 && g <= 14)
			{
				/* finish the words of the next group */
				tmp = _mm_alignr_epi8(w[g & 3], w[(g - 1) & 3], 4);
				w[(g + 1) & 3] = _mm_add_epi32(w[(g + 1) & 3], tmp);
				w[(g + 1) & 3] = _mm_sha256msg2_epu32(w[(g + 1) & 3], w[g & 3]);
			}
			msg = _mm_shuffle_epi32(msg, 0x0E);
			state0 = _mm_sha256rnds2_epu32(state0, state1, msg);
			if (g >= 1 && g <= 12)
				w[(g - 1) & 3] = _mm_sha256msg1_epu32(w[(g - 1) & 3], w[g & 3]);
		}
		state0 = _mm_add_epi32(state0, abef);
		state1 = _mm_add_epi32(state1, cdgh);
		p += 64;
	}

	/* back to A..H */
	tmp = _mm_shuffle_epi32(state0, 0x1B);
	state1 = _mm_shuffle_epi32(state1, 0xB1);
	state0 = _mm_blend_epi16(tmp, state1, 0xF0);
	state1 = _mm_alignr_epi8(state1, tmp, 8);
	_mm_storeu_si128((__m128i *) &h[0], state0);
	_mm_storeu_si128((__m128i *) &h[4], state1);
}

#else							/* not x86-64 with GCC or Clang */

bool
bc_sha256_x86_available(void)
{
	return false;
}

void
bc_sha256_x86_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	(void) h;
	(void) p;
	(void) nblocks;
}

#endif
