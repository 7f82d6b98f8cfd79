/*-------------------------------------------------------------------------
 *
 * bedrock_line.c
 *		Is a CUR line item Amazon Bedrock spend?  And the model named by a
 *		Marketplace product name.
 *
 * Bedrock spend is spread over four first-party product codes and over
 * AWS Marketplace rows whose product code is opaque ("prod-...") but whose
 * product name ends in "(Amazon Bedrock Edition)".  Filtering on a single
 * product code under-counts.
 *
 * IDENTIFICATION
 *		src/core/bedrock_line.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "usage_type.h"

#define MP_SUFFIX "(Amazon Bedrock Edition)"
#define MP_SUFFIX_LEN (sizeof(MP_SUFFIX) - 1)

static const char *const bedrock_codes[] = {
	"AmazonBedrock",
	"AmazonBedrockService",
	"AmazonBedrockFoundationModels",
	"AmazonBedrockAgentCore",
};

/* does (p, len) equal the NUL-terminated string lit exactly? */
static bool
slice_is(const char *p, size_t len, const char *lit)
{
	size_t		n = strlen(lit);

	return p != NULL && len == n && memcmp(p, lit, n) == 0;
}

/* length of (p, len) without trailing blanks */
static size_t
rtrim_len(const char *p, size_t len)
{
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t' ||
					   p[len - 1] == '\r' || p[len - 1] == '\n'))
		len--;
	return len;
}

/* one of the four first-party Bedrock product codes? */
static bool
is_bedrock_product_code(const char *code, size_t len)
{
	size_t		i;

	for (i = 0; i < sizeof(bedrock_codes) / sizeof(bedrock_codes[0]); i++)
		if (slice_is(code, len, bedrock_codes[i]))
			return true;
	return false;
}

/* the model inside "<model> (Amazon Bedrock Edition)" */
bool
bc_marketplace_model(const char *product_name, size_t len, bc_slice *model)
{
	size_t		n;

	model->ptr = NULL;
	model->len = 0;
	if (product_name == NULL)
		return false;
	n = rtrim_len(product_name, len);
	if (n < MP_SUFFIX_LEN ||
		memcmp(product_name + n - MP_SUFFIX_LEN, MP_SUFFIX, MP_SUFFIX_LEN) != 0)
		return false;
	n -= MP_SUFFIX_LEN;
	n = rtrim_len(product_name, n);
	/* skip leading blanks */
	while (n > 0 && (*product_name == ' ' || *product_name == '\t'))
	{
		product_name++;
		n--;
	}
	model->ptr = n > 0 ? product_name : NULL;
	model->len = n;
	return true;
}

/* the model of a row: its usage type's, else its Bedrock Edition product name's */
bc_slice
bc_row_model(const bc_usage_type *u, const char *product_name, size_t len)
{
	bc_slice	m = u->model;

	if (m.len == 0 && product_name != NULL)
		(void) bc_marketplace_model(product_name, len, &m);
	return m;
}

/* Bedrock spend: first-party product code, or a Bedrock Edition Marketplace row */
bool
bc_is_bedrock_line(const char *product_code, size_t pclen,
				   const char *billing_entity, size_t belen,
				   const char *product_name, size_t pnlen)
{
	bc_slice	m;

	if (product_code != NULL && is_bedrock_product_code(product_code, pclen))
		return true;
	if (billing_entity == NULL ||
		!slice_is(billing_entity, rtrim_len(billing_entity, belen), "AWS Marketplace"))
		return false;
	return bc_marketplace_model(product_name, pnlen, &m);
}
