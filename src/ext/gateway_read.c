/*-------------------------------------------------------------------------
 *
 * gateway_read.c
 *		Reading a gateway's request log with the rights of the role that
 *		registered it.
 *
 * A gateway log is any relation its registrant may read: a table, a view
 * (whose functions run as whoever reads it), a foreign table (whose
 * connection uses the reader's user mapping), a column of a type of the
 * registrant's (whose cast runs the registrant's function).  Reading it as
 * the extension's owner, a superuser, would run the registrant's code with
 * the owner's rights.  So the query runs as the registrant, switched to by
 * bc_role_enter (privilege.c): search_path pg_catalog, pg_temp and a
 * security-restricted operation, as REFRESH MATERIALIZED VIEW reads a
 * view for its owner.  The query casts every column to a built-in type, so
 * what comes back is plain data; it is copied into the caller's
 * tuplestore before the switch back, and nothing of the registrant's runs
 * after it.
 *
 * The query text is built in SQL by bedrock_cost._gateway_query_sql (the
 * relation's name quoted, every operator, type and function qualified);
 * the relation, its format and its registrant come from
 * bedrock_cost._gateway_relation, which also checks that the registrant
 * may still read it.  Both run as the caller.
 *
 * IDENTIFICATION
 *		src/ext/gateway_read.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "privilege.h"

/* rows fetched from the log's cursor at a time */
#define BC_GATEWAY_FETCH 10000

/* what _gateway_relation says of a gateway, copied out of SPI */
typedef struct BcGatewayQuery
{
	char	   *sql;			/* the query, taking the period as $1 */
	Oid			registrant;		/* who registered the gateway */
} BcGatewayQuery;

PG_FUNCTION_INFO_V1(bc_gateway_read);

/* the query and registrant of a gateway, looked up as the caller */
static BcGatewayQuery
gateway_query(text *gateway, text *mode)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2] = {PointerGetDatum(gateway), PointerGetDatum(mode)};
	MemoryContext outer = CurrentMemoryContext;
	BcGatewayQuery q;
	char	   *role;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT bedrock_cost._gateway_query_sql(r.log_format, r.rel, $2), "
							  "r.registered_by::pg_catalog.text "
							  "FROM bedrock_cost._gateway_relation($1) AS r",
							  2, types, values, NULL, true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "bedrock_cost._gateway_relation returned no row");
	q.sql = MemoryContextStrdup(outer, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	role = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	q.registrant = get_role_oid(role, false);
	SPI_finish();
	return q;
}

/* the query's columns must be those the caller's column list declares */
static void
check_columns(TupleDesc got, TupleDesc want)
{
	if (got->natts != want->natts)
		elog(ERROR, "the gateway log query returns %d columns, not %d", got->natts, want->natts);
	for (int i = 0; i < got->natts; i++)
	{
		Oid			g = TupleDescAttr(got, i)->atttypid;
		Oid			w = TupleDescAttr(want, i)->atttypid;

		if (g != w)
			elog(ERROR, "column %d of the gateway log query is of type %s, not %s",
				 i + 1, format_type_be(g), format_type_be(w));
	}
}

/* run the query as its registrant, every row into the caller's tuplestore */
static void
read_as_registrant(const BcGatewayQuery *q, Datum period, bool period_null,
				   ReturnSetInfo *rsinfo)
{
	BcOwnerScope scope;
	Oid			types[1] = {DATEOID};
	Portal		portal;
	bool		checked = false;

	bc_role_enter(&scope, q->registrant);
	portal = SPI_cursor_open_with_args(NULL, q->sql, 1, types, &period,
									   period_null ? "n" : " ", true, 0);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, BC_GATEWAY_FETCH);
		if (SPI_processed == 0)
			break;
		if (!checked)
			check_columns(SPI_tuptable->tupdesc, rsinfo->setDesc);
		checked = true;
		for (uint64 i = 0; i < SPI_processed; i++)
			tuplestore_puttuple(rsinfo->setResult, SPI_tuptable->vals[i]);
		SPI_freetuptable(SPI_tuptable);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);
	bc_owner_leave(&scope);
}

/*
 * bedrock_cost._gateway_read(gateway text, period date, mode text) RETURNS
 * SETOF record: the request log of a gateway read as its registrant, in
 * mode rows (gateway_log's columns), per_day (_gateway_usage's) or probe
 * (no row: the columns are there), of one billing period (NULL: all).
 */
Datum
bc_gateway_read(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	BcGatewayQuery q;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("gateway and mode must not be null")));
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	q = gateway_query(PG_GETARG_TEXT_PP(0), PG_GETARG_TEXT_PP(2));
	/* never more than the caller could do as that role itself */
	if (!has_privs_of_role(GetUserId(), q.registrant))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to read a gateway log as role %s",
						GetUserNameFromId(q.registrant, false))));
	read_as_registrant(&q, PG_GETARG_DATUM(1), PG_ARGISNULL(1), rsinfo);
	return (Datum) 0;
}
