/*-------------------------------------------------------------------------
 *
 * loader_copy_into.c
 *		One COPY FROM a data source callback into a table of the
 *		bedrock_cost schema: the way every loader write reaches a table.
 *
 * The delivery's line items (loader_copy.c) are written by bc_copy_into:
 * PostgreSQL's COPY machinery (BeginCopyFrom, CopyFrom) fed by the
 * caller's data_source callback, in binary format or as UTF-8 text, with
 * the checks DoCopy makes before a COPY FROM (INSERT privilege on the
 * columns, no row-level security, not read only, not in parallel mode) and
 * the jsonb receive function that parses each distinct tags map once
 * (jsonb_memo.c).  A table Citus distributes gets the same rows through
 * loader_citus.c.  The summaries' tuples are formed from the core's sums
 * directly (loader_summary_insert.c), into a table opened and checked here
 * the same way (bc_open_for_insert).
 *
 * IDENTIFICATION
 *		src/ext/loader_copy_into.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "access/table.h"
#include "commands/copy.h"
#include "executor/executor.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_relation.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "guc.h"
#include "jsonb_memo.h"
#include "loader.h"

/* a comma-separated column list (the core's) as a list of names */
static List *
copy_column_names(const char *columns, int ncolumns)
{
	List	   *names = NIL;
	char	   *cols = pstrdup(columns);
	char	   *save = NULL;

	for (char *tok = strtok_r(cols, ", ", &save); tok != NULL;
		 tok = strtok_r(NULL, ", ", &save))
		names = lappend(names, makeString(tok));
	if (list_length(names) != ncolumns)
		elog(ERROR, "bedrock_cost: %d COPY columns, expected %d",
			 list_length(names), ncolumns);
	return names;
}

/* the checks DoCopy makes before a COPY FROM, which CopyFrom does not */
static void
check_copy_allowed(ParseState *pstate, ParseNamespaceItem *nsitem,
				   Relation rel, List *attnames)
{
	BcPermInfo *perm = BC_PERMINFO(nsitem);
	TupleDesc	desc = RelationGetDescr(rel);
	ListCell   *lc;

	perm->requiredPerms = ACL_INSERT;
	foreach(lc, attnames)
	{
		const char *name = strVal(lfirst(lc));

		for (int i = 0; i < desc->natts; i++)
		{
			if (strcmp(NameStr(TupleDescAttr(desc, i)->attname), name) == 0)
				perm->insertedCols = bms_add_member(perm->insertedCols,
												   i + 1 - FirstLowInvalidHeapAttributeNumber);
		}
	}
	BC_ExecCheckPermissions(pstate, true);
	if (check_enable_rls(RelationGetRelid(rel), InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY FROM not supported with row-level security")));
	PreventCommandIfReadOnly("COPY FROM");
	PreventCommandIfParallelMode("COPY FROM");
}

/*
 * Open bedrock_cost.<table> to write rows of the given columns (the core's
 * comma-separated list) into it, with the checks DoCopy makes before a
 * COPY FROM; the parse state (for COPY) and the column names in *pstate
 * and *attnames.  Close it with table_close(rel, NoLock).
 */
Relation
bc_open_for_insert(const char *table, const char *columns, int ncolumns,
				   ParseState **pstate, List **attnames)
{
	Relation	rel;
	ParseNamespaceItem *nsitem;

	rel = table_openrv(makeRangeVar("bedrock_cost", pstrdup(table), -1), RowExclusiveLock);
	*pstate = make_parsestate(NULL);
	nsitem = addRangeTableEntryForRelation(*pstate, rel, RowExclusiveLock, NULL, false, false);
	*attnames = copy_column_names(columns, ncolumns);
	check_copy_allowed(*pstate, nsitem, rel, *attnames);
	return rel;
}

/*
 * Whether the rows can go to COPY in binary format.  The receive functions
 * of text, jsonb and iam_arn take their bytes in the client encoding
 * (pq_getmsgtext), while the files are UTF-8: binary needs a UTF-8
 * database and a UTF-8 (or SQL_ASCII, as in a background worker) client
 * encoding.  Otherwise the text format with COPY's ENCODING 'UTF8' is used.
 */
bool
bc_copy_binary_possible(void)
{
	int			client = pg_get_client_encoding();

	return GetDatabaseEncoding() == PG_UTF8 &&
		(client == PG_UTF8 || client == PG_SQL_ASCII);
}

/*
 * COPY FROM data_source into bedrock_cost.<table> (columns: the core's
 * comma-separated list), in binary format or as UTF-8 text, with the
 * checks DoCopy would make, shown in load_progress as phase of delivery d.
 * A Citus distributed table gets the same rows through loader_citus.c.
 * Returns the rows stored.
 */
uint64
bc_copy_into(const char *table, const char *columns, int ncolumns, bool binary,
			 int (*data_source) (void *outbuf, int minread, int maxread),
			 const BcDelivery *d, int64 load_id, int phase)
{
	Relation	rel;
	ParseState *pstate;
	List	   *attnames;
	List	   *options;
	CopyFromState cstate;
	uint64		rows;

	rel = bc_open_for_insert(table, columns, ncolumns, &pstate, &attnames);
	if (binary)
		options = list_make1(makeDefElem("format", (Node *) makeString("binary"), -1));
	else
		options = list_make2(makeDefElem("format", (Node *) makeString("text"), -1),
							 makeDefElem("encoding", (Node *) makeString("UTF8"), -1));
	/* bc_debug_plain_copy: the silent-loss test of test/citus/run.sh */
	if (!bc_debug_plain_copy && bc_citus_distributed(rel))
		rows = bc_citus_copy(rel, attnames, options, data_source, d, load_id, phase);
	else
	{
		cstate = BC_BeginCopyFrom(pstate, rel, NULL, NULL, false, data_source,
								  attnames, options);
		/* the tags maps repeat: each distinct one parsed once */
		bc_jsonb_memo_install(cstate, rel);
		bc_progress_in_copy(d, load_id, phase);
		rows = CopyFrom(cstate);
		EndCopyFrom(cstate);
	}
	table_close(rel, NoLock);
	return rows;
}
