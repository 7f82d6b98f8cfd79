/*-------------------------------------------------------------------------
 *
 * loader_verify.c
 *		Before a delivery is swapped in, the server counts what its table
 *		holds and checks it against what was read.
 *
 * Per line item type, the rows of the delivery table and their exact
 * unblended cost (bedrock_cost._count_load_table, one scan of the table)
 * must equal the Bedrock totals of the delivery: those the transformation
 * counted while the rows streamed through it (load_export, load_file, the
 * worker), or those the client declared (bedrock-cost-load).  So rows that
 * a COPY did not store where it said (a BEFORE trigger that drops or
 * changes them, a table that sends its rows elsewhere) fail the delivery
 * instead of leaving a month short while the ledger calls it loaded.
 *
 * IDENTIFICATION
 *		src/ext/loader_verify.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "loader.h"
#include "quote.h"

/* the Bedrock total of a line item type, NULL when there is none */
static BcTotal *
bedrock_total(BcLoadStats *stats, const char *type)
{
	ListCell   *lc;

	foreach(lc, stats->totals)
	{
		BcTotal    *t = lfirst(lc);

		if (t->is_bedrock && strcmp(t->line_item_type, type) == 0)
			return t;
	}
	return NULL;
}

/* two exact decimal texts are the same number */
static bool
same_number(const char *a, const char *b)
{
	Datum		x = DirectFunctionCall3(numeric_in, CStringGetDatum(a),
									   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	Datum		y = DirectFunctionCall3(numeric_in, CStringGetDatum(b),
									   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));

	return DatumGetBool(DirectFunctionCall2(numeric_eq, x, y));
}

/* the stored rows of delivery load_id do not match: raise it */
static void
mismatch(int64 load_id, bool client, const char *detail)
{
	if (client)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("delivery %lld: the rows received do not match the totals sent",
						(long long) load_id),
				 errdetail("%s", detail)));
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("delivery %lld: the rows stored do not match the rows read",
					(long long) load_id),
			 errdetail("%s", detail),
			 errhint("Something changed or dropped rows on their way into bedrock_cost.line_items_l%lld (a trigger, a rule, a distributed table?); nothing was swapped in.",
					 (long long) load_id)));
}

/*
 * Count the table of delivery load_id and check it against the Bedrock
 * totals of stats (with SPI connected): each stored line item type has a
 * total with the same rows and unblended cost, every total with rows is
 * stored, and the rows add up to stats->rows_loaded.  client: the totals
 * are the client's declaration; the ledger then keeps the server's count.
 */
void
bc_verify_stored(int64 load_id, BcLoadStats *stats, bool client)
{
	Oid			argtype = INT8OID;
	Datum		arg = Int64GetDatum(load_id);
	int64		stored = 0;
	int			matched = 0;
	int			expected = 0;
	ListCell   *lc;

	if (SPI_execute_with_args("SELECT c.line_item_type, c.line_items, c.unblended_cost::pg_catalog.text "
							  "FROM bedrock_cost._count_load_table($1) AS c",
							  1, &argtype, &arg, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not count the delivery table of load %lld", (long long) load_id);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		char	   *type = SPI_getvalue(tup, td, 1);
		int64		n = DatumGetInt64(SPI_getbinval(tup, td, 2, &(bool) {false}));
		char	   *sum = SPI_getvalue(tup, td, 3);
		BcTotal    *t = bedrock_total(stats, type);
		char		quoted[BC_QUOTE_BUFSIZE];

		stored += n;
		(void) bc_quote(type, strlen(type), quoted);
		if (t == NULL || t->rows != n || !same_number(sum, t->unblended))
			mismatch(load_id, client,
					 psprintf("Line item type %s: %lld rows, unblended cost %s stored; %s %lld rows, %s.",
							  quoted, (long long) n, sum, client ? "sent" : "read",
							  (long long) (t ? t->rows : 0), t ? t->unblended : "0"));
		matched++;
	}
	foreach(lc, stats->totals)
		expected += ((BcTotal *) lfirst(lc))->is_bedrock && ((BcTotal *) lfirst(lc))->rows > 0;
	if (matched != expected || stored != stats->rows_loaded)
		mismatch(load_id, client,
				 psprintf("%lld rows stored in %d line item types; %s %lld rows in %d.",
						  (long long) stored, matched, client ? "sent" : "read",
						  (long long) stats->rows_loaded, expected));
	if (client)
	{
		stats->rows_loaded = stored;
		stats->declared = true;
	}
}
