/*-------------------------------------------------------------------------
 *
 * compat.h
 *		Every PostgreSQL-version difference bedrock_cost cares about, in one
 *		place, so the rest of the extension glue reads as one version.
 *
 * Supported: PostgreSQL 13 to 17.  Built and tested on 15.
 *
 * IDENTIFICATION
 *		src/ext/compat.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_COMPAT_H
#define BC_COMPAT_H

#include "postgres.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "utils/guc.h"

#if PG_VERSION_NUM < 130000
#error "bedrock_cost needs PostgreSQL 13 or later"
#endif

/* varatt.h was split out of postgres.h in 16 */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/*
 * the progress-reporting functions, and the backend status entry that
 * holds them, moved from pgstat.h to their own headers in 14
 */
#if PG_VERSION_NUM >= 140000
#include "utils/backend_progress.h"
#include "utils/backend_status.h"
#else
#include "pgstat.h"
#endif

/*
 * COPY progress (PROGRESS_COMMAND_COPY, pg_stat_progress_copy) arrived in
 * 14.  A load keeps its figures in COPY's progress slots; before 14 its
 * entry has no command, so nothing shows it (bedrock_cost.load_progress
 * needs 14).
 */
#if PG_VERSION_NUM >= 140000
#include "commands/progress.h"
#define BC_PROGRESS_COMMAND PROGRESS_COMMAND_COPY
#define BC_PROGRESS_COPY_TUPLES PROGRESS_COPY_TUPLES_PROCESSED
#else
#define BC_PROGRESS_COMMAND PROGRESS_COMMAND_INVALID
#define BC_PROGRESS_COPY_TUPLES 4
#endif

/* MarkGUCPrefixReserved arrived in 15; before that, EmitWarningsOnPlaceholders */
#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix) EmitWarningsOnPlaceholders(prefix)
#endif

/*
 * InitMaterializedSRF (a materialize-mode set-returning function's
 * tuplestore and descriptor, set up in one call) arrived in 15; before that,
 * the same steps by hand, as core's funcapi.c does them.
 */
#if PG_VERSION_NUM < 150000
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/tuplestore.h"
#define MAT_SRF_USE_EXPECTED_DESC	0x01
#define MAT_SRF_BLESS				0x02
static inline void
InitMaterializedSRF(FunctionCallInfo fcinfo, bits32 flags)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext old;
	TupleDesc	tupdesc;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (!(rsinfo->allowedModes & SFRM_Materialize) ||
		((flags & MAT_SRF_USE_EXPECTED_DESC) != 0 && rsinfo->expectedDesc == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("materialize mode required, but it is not allowed in this context")));
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	if ((flags & MAT_SRF_USE_EXPECTED_DESC) != 0)
		tupdesc = CreateTupleDescCopy(rsinfo->expectedDesc);
	else if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("return type must be a row type")));
	if ((flags & MAT_SRF_BLESS) != 0)
		BlessTupleDesc(tupdesc);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tuplestore_begin_heap((rsinfo->allowedModes & SFRM_Materialize_Random) != 0,
											  false, work_mem);
	rsinfo->setDesc = tupdesc;
	MemoryContextSwitchTo(old);
}
#endif

/* soft input errors (ereturn / escontext) arrived in 16 */
#if PG_VERSION_NUM >= 160000
#include "nodes/miscnodes.h"
#define BC_HAVE_SOFT_ERRORS 1
#define BC_ERRCONTEXT(fcinfo) ((fcinfo)->context)
#else
#define BC_HAVE_SOFT_ERRORS 0
#define BC_ERRCONTEXT(fcinfo) ((Node *) NULL)
#define ereturn(context, dummy_value, ...) \
	do { ereport(ERROR, __VA_ARGS__); return dummy_value; } while (0)
#endif

/* custom wait events for extensions arrived in 17 */
#if PG_VERSION_NUM >= 170000
#define BC_WAIT_EVENT(name) WaitEventExtensionNew(name)
#else
#define BC_WAIT_EVENT(name) PG_WAIT_EXTENSION
#endif

/*
 * int64_div_fast_to_numeric (a numeric from an integer and a power of ten,
 * with that display scale) arrived in 14; before that, numeric_in of text
 */
#if PG_VERSION_NUM >= 140000
#define BC_HAVE_INT64_DIV_FAST_TO_NUMERIC 1
#endif

/* the relation's first storage subtransaction: relfilenode, relfilelocator in 16 */
#if PG_VERSION_NUM >= 160000
#define BC_REL_FIRST_FILENODE_SUBID(rel) ((rel)->rd_firstRelfilelocatorSubid)
#else
#define BC_REL_FIRST_FILENODE_SUBID(rel) ((rel)->rd_firstRelfilenodeSubid)
#endif

/*
 * a COPY's state, its receive functions among it, became reachable from
 * outside copy.c in 14 (commands/copyfrom_internal.h: jsonb_memo.c)
 */
#if PG_VERSION_NUM >= 140000
#define BC_HAVE_COPY_INTERNALS 1
#endif

/* BeginCopyFrom gained the whereClause-free 8-argument form in 14 */
#if PG_VERSION_NUM >= 140000
#define BC_BeginCopyFrom(pstate, rel, where, filename, is_program, cb, attnames, options) \
	BeginCopyFrom((pstate), (rel), (where), (filename), (is_program), (cb), (attnames), (options))
#else
#define BC_BeginCopyFrom(pstate, rel, where, filename, is_program, cb, attnames, options) \
	BeginCopyFrom((pstate), (rel), (filename), (is_program), (cb), (attnames), (options))
#endif

/*
 * Permission checks: in 16 the required permissions moved from the range
 * table entry to RTEPermissionInfo, and ExecCheckRTPerms became
 * ExecCheckPermissions.  Both structs name the fields alike.
 */
#if PG_VERSION_NUM >= 160000
typedef RTEPermissionInfo BcPermInfo;
#define BC_PERMINFO(nsitem) ((nsitem)->p_perminfo)
#define BC_ExecCheckPermissions(pstate, ereport_on_violation) \
	ExecCheckPermissions((pstate)->p_rtable, (pstate)->p_rteperminfos, (ereport_on_violation))
#else
typedef RangeTblEntry BcPermInfo;
#define BC_PERMINFO(nsitem) ((nsitem)->p_rte)
#define BC_ExecCheckPermissions(pstate, ereport_on_violation) \
	ExecCheckRTPerms((pstate)->p_rtable, (ereport_on_violation))
#endif

#endif							/* BC_COMPAT_H */
