/*-------------------------------------------------------------------------
 *
 * jsonb_memo.h
 *		A binary COPY receive function for jsonb that keeps the values it
 *		made (jsonb_memo.c).
 *
 * IDENTIFICATION
 *		src/ext/jsonb_memo.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_JSONB_MEMO_H
#define BC_JSONB_MEMO_H

#include "postgres.h"

#include "commands/copy.h"
#include "utils/relcache.h"

/*
 * Put the remembering receive function in front of jsonb_recv for every
 * jsonb column of rel in the binary COPY cstate (right after
 * BeginCopyFrom); nothing for a text COPY, or before PostgreSQL 14.
 */
extern void bc_jsonb_memo_install(CopyFromState cstate, Relation rel);

#endif							/* BC_JSONB_MEMO_H */
