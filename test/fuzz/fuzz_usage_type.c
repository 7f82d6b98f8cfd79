/*-------------------------------------------------------------------------
 *
 * fuzz_usage_type.c
 *		libFuzzer harness of the usage-type parser, the pricing-unit
 *		scaler, the line classifier and the model-name normaliser.
 *
 * Properties checked on every input: no crash or sanitizer report; every
 * slice of the parse lies inside the input; a recognized parse has a token
 * kind, a tier and a routing; an unrecognized one has none of them and no
 * model; names of all enum values exist.  The input is copied into a
 * buffer of exactly its size (no NUL), so any overread is an ASan error.
 *
 * IDENTIFICATION
 *		test/fuzz/fuzz_usage_type.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "usage_type.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort unless the slice is absent or inside [s, s + n) */
static void
check_slice(bc_slice sl, const char *s, size_t n)
{
	if (sl.len == 0)
		return;
	if (sl.ptr == NULL || sl.ptr < s || sl.ptr + sl.len > s + n)
		abort();
}

/* one fuzz input: parse it every way and check the properties above */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *s = malloc(size ? size : 1);
	bc_usage_type u;
	int64_t		scale;
	bool		tok;
	char		norm[32];
	size_t		half = size / 2;

	memcpy(s, data, size);
	bc_usage_type_parse(s, size, &u);
	check_slice(u.region_code, s, size);
	check_slice(u.body, s, size);
	check_slice(u.model, s, size);
	check_slice(u.dimension, s, size);
	check_slice(u.detail, s, size);
	check_slice(u.cache_ttl, s, size);
	if (u.recognized)
	{
		if (bc_token_kind_name(u.token_kind) == NULL ||
			bc_tier_name(u.tier) == NULL || bc_routing_name(u.routing) == NULL)
			abort();
	}
	else if (u.token_kind != BC_KIND_NONE || u.tier != BC_TIER_NONE ||
			 u.routing != BC_ROUTING_NONE || u.model.len != 0)
		abort();
	if (u.region_code.len > 0 &&
		u.region != bc_region_name(u.region_code.ptr, u.region_code.len))
		abort();

	/* split the input in two for the two-argument functions */
	(void) bc_pricing_unit_scale(s, half, s + half, size - half, &scale, &tok);
	if (scale < 1)
		abort();
	(void) bc_is_bedrock_line(s, half, s + half, size - half, s, size);
	if (bc_model_normalize(s, size, norm, sizeof(norm)) < strlen(norm))
		abort();
	free(s);
	return 0;
}
