/*-------------------------------------------------------------------------
 *
 * pricing_unit.c
 *		Normalise a CUR pricing unit to a token scale.
 *
 * line_item_usage_amount is expressed in pricing_unit units: "1K tokens"
 * (first-party), "1M tokens" (Marketplace and newer SKUs), "Units" (older
 * Marketplace dimensions, whose line item description says
 * "...|Million Input Tokens" or "...|thousand Cache Read Input Tokens"),
 * and non-token units (image, seconds, hour, 1M TPM Hour, ...).
 *
 * IDENTIFICATION
 *		src/core/pricing_unit.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "ascii.h"
#include "usage_type.h"

/* units that count something other than tokens, compared case-insensitively */
static const char *const non_token_units[] = {
	"image", "images", "second", "seconds", "video", "videos",
	"images processed", "search units", "search unit", "requests", "request",
	"hour", "hours", "hrs", "1m tpm hour", "custom model unit per min",
	"model/month", "gb-mo", "gb-month", "minute", "minutes", "pages",
	"documents", "audio minutes",
};

/* words in a Marketplace description that mean the "Units" are not tokens */
static const char *const non_token_words[] = {
	"image", "search", "second", "request", "hour", "tpm", "model unit",
	"minute", "page", "document",
};


/* case-insensitive search of the lowercase literal lit in (p, len) */
static bool
icontains(const char *p, size_t len, const char *lit)
{
	size_t		n = strlen(lit);
	size_t		i,
				j;

	if (p == NULL || n > len)
		return false;
	for (i = 0; i + n <= len; i++)
	{
		for (j = 0; j < n; j++)
			if (bc_lower_ascii((unsigned char) p[i + j]) != lit[j])
				break;
		if (j == n)
			return true;
	}
	return false;
}

/* trim blanks at both ends of (*p, *len) */
static void
trim(const char **p, size_t *len)
{
	while (*len > 0 && ((*p)[0] == ' ' || (*p)[0] == '\t'))
	{
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && ((*p)[*len - 1] == ' ' || (*p)[*len - 1] == '\t' ||
						(*p)[*len - 1] == '\r' || (*p)[*len - 1] == '\n'))
		(*len)--;
}

/*
 * "[N][K|M|B][ ]token[s]" -> scale N x multiplier; false when the unit is
 * not of that shape or the scale would overflow.
 */
static bool
parse_token_unit(const char *p, size_t len, int64_t *scale)
{
	size_t		i = 0;
	int64_t		n = 0;
	int64_t		mult = 1;
	bool		digits = false;

	while (i < len && p[i] >= '0' && p[i] <= '9')
	{
		if (n > (INT64_C(1) << 40))
			return false;
		n = n * 10 + (p[i] - '0');
		digits = true;
		i++;
	}
	if (digits && n == 0)
		return false;
	if (i < len)
	{
		int			c = bc_lower_ascii((unsigned char) p[i]);

		if (c == 'k' || c == 'm' || c == 'b')
		{
			/* a multiplier letter only when a blank or "token" follows */
			if (i + 1 < len && (p[i + 1] == ' ' ||
								bc_lower_ascii((unsigned char) p[i + 1]) == 't'))
			{
				mult = c == 'k' ? 1000 : c == 'm' ? 1000000 : 1000000000;
				i++;
			}
		}
	}
	while (i < len && p[i] == ' ')
		i++;
	if (!bc_ieq_lit(p + i, len - i, "tokens") && !bc_ieq_lit(p + i, len - i, "token"))
		return false;
	*scale = (digits ? n : 1) * mult;
	return true;
}

/* scale of Marketplace "Units" from the line item description */
static int
units_scale(const char *d, size_t dlen, int64_t *scale, bool *is_tokens)
{
	size_t		i;

	if (d != NULL && icontains(d, dlen, "token"))
	{
		*is_tokens = true;
		if (icontains(d, dlen, "million"))
			*scale = 1000000;
		else if (icontains(d, dlen, "thousand"))
			*scale = 1000;
		else
		{
			*scale = 1000000;
			return BC_UNIT_ASSUMED;
		}
		return BC_UNIT_OK;
	}
	for (i = 0; d != NULL && i < sizeof(non_token_words) / sizeof(non_token_words[0]); i++)
	{
		if (icontains(d, dlen, non_token_words[i]))
		{
			*scale = 1;
			*is_tokens = false;
			return BC_UNIT_OK;
		}
	}
	*is_tokens = true;
	if (d != NULL && icontains(d, dlen, "thousand"))
		*scale = 1000;
	else
		*scale = 1000000;
	return BC_UNIT_ASSUMED;
}

/* token scale of a pricing unit (see usage_type.h) */
int
bc_pricing_unit_scale(const char *unit, size_t ulen,
					  const char *description, size_t dlen,
					  int64_t *scale, bool *is_tokens)
{
	size_t		i;

	*scale = 1;
	*is_tokens = false;
	if (unit == NULL)
		return BC_UNIT_UNKNOWN;
	trim(&unit, &ulen);
	if (description != NULL)
		trim(&description, &dlen);

	if (parse_token_unit(unit, ulen, scale))
	{
		*is_tokens = true;
		return BC_UNIT_OK;
	}
	if (bc_ieq_lit(unit, ulen, "units") || bc_ieq_lit(unit, ulen, "unit"))
		return units_scale(description, dlen, scale, is_tokens);
	for (i = 0; i < sizeof(non_token_units) / sizeof(non_token_units[0]); i++)
		if (bc_ieq_lit(unit, ulen, non_token_units[i]))
			return BC_UNIT_OK;
	return BC_UNIT_UNKNOWN;
}
