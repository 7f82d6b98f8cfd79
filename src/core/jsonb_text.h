/*-------------------------------------------------------------------------
 *
 * jsonb_text.h
 *		The text PostgreSQL's jsonb output gives a CUR map column, computed
 *		without PostgreSQL: a summary can group maps by this text where SQL
 *		groups them as jsonb.
 *
 * jsonb keeps one value per key (the last one of the text), orders the
 * keys shorter first and then bytewise, and prints the pairs as
 * {"key": "value", ...} with strings escaped as escape_json does.  For a
 * map whose values are strings, true, false or null, two maps are equal
 * jsonb values exactly when their texts here are equal bytes.
 *
 * A number is refused (BC_JSONB_TEXT_NUMBER): jsonb reads it as numeric,
 * which holds "1.0" equal to "1" and prints it its own way, so its text
 * is not a key; the caller groups such maps another way.
 *
 * IDENTIFICATION
 *		src/core/jsonb_text.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_JSONB_TEXT_H
#define BC_JSONB_TEXT_H

#include <stddef.h>

#include "buf.h"

typedef enum bc_jsonb_text_status
{
	BC_JSONB_TEXT_OK = 0,
	BC_JSONB_TEXT_NUMBER,		/* a value is a number */
	BC_JSONB_TEXT_INVALID,		/* not a CUR map (bc_json_map_validate) */
	BC_JSONB_TEXT_NOMEM			/* an allocation failed */
} bc_jsonb_text_status;

/*
 * Append to out the jsonb text of the CUR map s[0..len) (empty text: the
 * empty map, "{}").  On any status but BC_JSONB_TEXT_OK, out holds what
 * it held before.
 */
extern bc_jsonb_text_status bc_jsonb_map_text(const char *s, size_t len, bc_buf *out);

#endif							/* BC_JSONB_TEXT_H */
