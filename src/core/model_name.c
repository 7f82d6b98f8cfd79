/*-------------------------------------------------------------------------
 *
 * model_name.c
 *		Deterministic normalisation of a model name, the fallback of the
 *		canonical model key when the alias table has no entry.
 *
 * "Claude Sonnet 4.6 (Amazon Bedrock Edition)" -> "claude-sonnet-4.6",
 * "us.anthropic.claude-opus-4-8" -> "claude-opus-4-8",
 * "Llama4-Maverick-17B" -> "llama4-maverick-17b".
 * It does not reorder words: "Claude4.6Sonnet" and
 * "anthropic.claude-sonnet-4-6" become one key through the alias table.
 *
 * IDENTIFICATION
 *		src/core/model_name.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "ascii.h"
#include "usage_type.h"

#define MP_SUFFIX "(amazon bedrock edition)"
#define MP_SUFFIX_LEN (sizeof(MP_SUFFIX) - 1)

/* blank or line break? */
static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}


/* trim blanks at both ends */
static void
trim(const char **p, size_t *len)
{
	while (*len > 0 && is_blank((*p)[0]))
	{
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && is_blank((*p)[*len - 1]))
		(*len)--;
}

/* drop a trailing "(Amazon Bedrock Edition)", case-insensitively */
static void
strip_edition(const char *p, size_t *len)
{
	size_t		i;

	if (*len < MP_SUFFIX_LEN)
		return;
	for (i = 0; i < MP_SUFFIX_LEN; i++)
		if (bc_lower_ascii((unsigned char) p[*len - MP_SUFFIX_LEN + i]) != MP_SUFFIX[i])
			return;
	*len -= MP_SUFFIX_LEN;
	while (*len > 0 && is_blank(p[*len - 1]))
		(*len)--;
}

/* drop leading "vendor." / "geo." prefixes: a lowercase word, '.', then a letter */
static void
strip_prefixes(const char **p, size_t *len)
{
	int			rounds;

	for (rounds = 0; rounds < 3; rounds++)
	{
		size_t		i = 0;

		while (i < *len && (*p)[i] >= 'a' && (*p)[i] <= 'z')
			i++;
		if (i < 2 || i + 1 >= *len || (*p)[i] != '.' ||
			bc_lower_ascii((unsigned char) (*p)[i + 1]) < 'a' ||
			bc_lower_ascii((unsigned char) (*p)[i + 1]) > 'z')
			return;
		*p += i + 1;
		*len -= i + 1;
	}
}

/* normalise a model name into out (see usage_type.h) */
size_t
bc_model_normalize(const char *s, size_t len, char *out, size_t outsz)
{
	size_t		n = 0;
	size_t		i;
	bool		in_sep = false;

	if (s == NULL)
		len = 0;
	trim(&s, &len);
	strip_edition(s, &len);
	strip_prefixes(&s, &len);
	for (i = 0; i < len; i++)
	{
		char		c = s[i];

		if (c == ' ' || c == '_' || c == '-' || c == '\t')
		{
			in_sep = true;
			continue;
		}
		if (in_sep && n > 0)
		{
			if (n + 1 < outsz)
				out[n] = '-';
			n++;
		}
		in_sep = false;
		if (n + 1 < outsz)
			out[n] = (char) bc_lower_ascii((unsigned char) c);
		n++;
	}
	if (outsz > 0)
		out[n < outsz ? n : outsz - 1] = '\0';
	return n;
}
