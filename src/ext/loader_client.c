/*-------------------------------------------------------------------------
 *
 * loader_client.c
 *		The server side of bedrock-cost-load: deliveries read, checked and
 *		transformed by the client, committed through the loader's ledger
 *		and swap.
 *
 * The client runs one transaction per delivery:
 *
 *	BEGIN;
 *	SELECT * FROM bedrock_cost.client_begin_delivery(delivery);	-- table, or noop
 *	COPY bedrock_cost.line_items_l<load_id> (...) FROM STDIN;
 *	SELECT * FROM bedrock_cost.client_finish_delivery(load_id, delivery);
 *	COMMIT;
 *
 * begin takes the loader's per-period lock, recognises a delivery loaded
 * before (same key: noop, recorded) and otherwise creates the delivery's
 * fresh table; finish checks that the table holds exactly the Bedrock rows
 * and totals the client counted, records the ledger (loads, load_files,
 * load_totals, load_errors, usage_types) and swaps the table in with the
 * loader's _swap_in.  A client that dies or disconnects before COMMIT
 * leaves nothing behind: the transaction (table, ledger rows) rolls back.
 * client_fail_delivery records, in a transaction of its own, a delivery
 * the client found bad, as load_export records its failures.
 *
 * The delivery is described by one jsonb object:
 *	{"export", "billing_period", "source" ("export"|"file"), "manifest_path",
 *	 "execution_id", "files": [{"path", "size", "sha256", "rows_read",
 *	 "rows_loaded"}], "rows_read", "rows_loaded", "rows_rejected",
 *	 "rows_other", "bytes_read", "totals": [{"line_item_type", "is_bedrock",
 *	 "rows", "rejected_rows", "unblended_cost", "net_unblended_cost",
 *	 "rejected_unblended_cost"}],
 *	 "usage_types": [...], "usage_products": [...] (pairs, "" for none),
 *	 "rejects": [{"file", "line", "column", "value",
 *	 "reason", "raw"}]}
 * with costs as strings (exact decimals).
 *
 * Every statement goes through the loader's functions (loader.h); the DDL
 * runs as the owner of bedrock_cost.line_items, as in load_export.
 *
 * IDENTIFICATION
 *		src/ext/loader_client.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/date.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "cur_transform.h"
#include "export_fs.h"
#include "guc.h"
#include "loader.h"
#include "manifest.h"
#include "quote.h"

PG_FUNCTION_INFO_V1(bedrock_cost_client_begin);
PG_FUNCTION_INFO_V1(bedrock_cost_client_finish);
PG_FUNCTION_INFO_V1(bedrock_cost_client_fail);

/* ---------------------------------------------------------------------- */
/* jsonb access */

/* the value of key in an object container, or NULL when absent or null */
static JsonbValue *
jget(JsonbContainer *c, const char *key)
{
	JsonbValue	k;
	JsonbValue *v;

	k.type = jbvString;
	k.val.string.val = unconstify(char *, key);
	k.val.string.len = strlen(key);
	v = findJsonbValueFromContainer(c, JB_FOBJECT, &k);
	if (v == NULL || v->type == jbvNull)
		return NULL;
	return v;
}

/* a string member, or NULL; an error when of another type */
static char *
jtext(JsonbContainer *c, const char *key)
{
	JsonbValue *v = jget(c, key);

	if (v == NULL)
		return NULL;
	if (v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("delivery member \"%s\" must be a string", key)));
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* a required string member */
static char *
jtext_req(JsonbContainer *c, const char *key)
{
	char	   *s = jtext(c, key);

	if (s == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("delivery member \"%s\" is missing", key)));
	return s;
}

/* an integer member (0 when absent) */
static int64
jint8(JsonbContainer *c, const char *key)
{
	JsonbValue *v = jget(c, key);

	if (v == NULL)
		return 0;
	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("delivery member \"%s\" must be a number", key)));
	return DatumGetInt64(DirectFunctionCall1(numeric_int8,
											 NumericGetDatum(v->val.numeric)));
}

/* a boolean member (false when absent) */
static bool
jbool(JsonbContainer *c, const char *key)
{
	JsonbValue *v = jget(c, key);

	return v != NULL && v->type == jbvBool && v->val.boolean;
}

/* an array member's container, or NULL when absent */
static JsonbContainer *
jarray(JsonbContainer *c, const char *key)
{
	JsonbValue *v = jget(c, key);

	if (v == NULL)
		return NULL;
	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("delivery member \"%s\" must be an array", key)));
	return v->val.binary.data;
}

/* element i of an array, as an object container */
static JsonbContainer *
jelem_object(JsonbContainer *arr, int i, const char *what)
{
	JsonbValue *v = getIthJsonbValueFromContainer(arr, i);

	if (v == NULL || v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("every element of \"%s\" must be an object", what)));
	return v->val.binary.data;
}

/* a value from the client, quoted for a message: bounded and escaped */
static char *
qv(const char *v)
{
	char		buf[BC_QUOTE_BUFSIZE];

	bc_quote(v, strlen(v), buf);
	return pstrdup(buf);
}

/* a path from the client: absolute, at most BC_FS_PATH_MAX bytes, no control character */
static void
check_path(const char *what, const char *path)
{
	char		canon[BC_FS_PATH_MAX + 1];

	if (strlen(path) > BC_FS_PATH_MAX || bc_fs_canonical(path, canon) != BC_FS_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s %s is not an absolute path without \"..\" or control characters",
						what, qv(path))));
}

/* ---------------------------------------------------------------------- */
/* the delivery */

/* the BcDelivery a client described (files with path, size, sha256, counts) */
static BcDelivery *
delivery_of(Jsonb *jb)
{
	JsonbContainer *c = &jb->root;
	BcDelivery *d = palloc0(sizeof(BcDelivery));
	JsonbContainer *files;
	char	   *source;
	char	   *period;
	char	   *delivered;

	if (!JB_ROOT_IS_OBJECT(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a delivery must be a JSON object")));
	d->export_path = jtext_req(c, "export");
	check_path("export", d->export_path);
	source = jtext_req(c, "source");
	if (strcmp(source, "export") != 0 && strcmp(source, "file") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("delivery source must be \"export\" or \"file\", not %s", qv(source))));
	d->from_manifest = (strcmp(source, "export") == 0);
	d->manifest_path = jtext(c, "manifest_path");
	if (d->manifest_path)
		check_path("manifest", d->manifest_path);
	d->execution_id = jtext(c, "execution_id");
	if (d->execution_id != NULL)
	{
		size_t		n = strlen(d->execution_id);
		bool		ok = n > 0 && n <= BC_MANIFEST_MAX_EXECUTION_ID;

		for (size_t i = 0; ok && i < n; i++)
			ok = (unsigned char) d->execution_id[i] >= 0x20 && d->execution_id[i] != 0x7f;
		if (!ok)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("execution_id %s is empty, longer than %d bytes or holds control characters",
							qv(d->execution_id), BC_MANIFEST_MAX_EXECUTION_ID)));
	}
	period = jtext(c, "billing_period");
	if (period != NULL)
	{
		d->period = DatumGetDateADT(DirectFunctionCall1(date_in, CStringGetDatum(period)));
		d->period_known = true;
	}
	delivered = jtext(c, "delivered_at");
	if (delivered != NULL)
	{
		d->delivered_at = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
																  CStringGetDatum(delivered),
																  ObjectIdGetDatum(InvalidOid),
																  Int32GetDatum(-1)));
		d->delivered_known = true;
	}
	d->loaded_via = "client";
	d->caller = GetUserId();
	d->complete = jbool(c, "complete");
	files = jarray(c, "files");
	d->nfiles = files ? JsonContainerSize(files) : 0;
	d->files = palloc0(sizeof(BcLoadFile) * Max(d->nfiles, 1));
	for (int i = 0; i < d->nfiles; i++)
	{
		JsonbContainer *f = jelem_object(files, i, "files");
		char	   *sha = jtext(f, "sha256");

		d->files[i].path = jtext(f, "path");
		if (d->files[i].path)
			check_path("file", d->files[i].path);
		d->files[i].size = jint8(f, "size");
		d->files[i].fd = -1;
		if (sha != NULL)
		{
			if (strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("file sha256 %s is not 64 lower-case hex digits", qv(sha))));
			memcpy(d->files[i].sha256, sha, 65);
		}
		d->files[i].rows_read = jint8(f, "rows_read");
		d->files[i].rows_loaded = jint8(f, "rows_loaded");
	}
	return d;
}

/*
 * A total sent by the client: checked to be a decimal and written as the
 * loader writes its own sums (bc_xsum_text of the core: exact, trailing
 * fraction zeros trimmed).
 */
static char *
decimal_total(const char *txt, const char *what)
{
	bc_xsum		sum;
	bc_buf		b;
	char	   *out;

	bc_xsum_init(&sum);
	if (txt == NULL || !bc_xsum_add(&sum, txt, strlen(txt)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("total %s %s is not a decimal number", what, qv(txt ? txt : ""))));
	bc_buf_init(&b);
	bc_xsum_text(&sum, &b);
	if (b.nomem)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	out = pnstrdup(b.data ? b.data : "0", b.len);
	bc_buf_free(&b);
	bc_xsum_free(&sum);
	return out;
}

/* an array member of strings as a List of char * (NIL when absent) */
static List *
string_list(JsonbContainer *c, const char *key)
{
	JsonbContainer *arr = jarray(c, key);
	List	   *l = NIL;

	for (int i = 0; arr != NULL && i < (int) JsonContainerSize(arr); i++)
	{
		JsonbValue *v = getIthJsonbValueFromContainer(arr, i);

		if (v == NULL || v->type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("every element of \"%s\" must be a string", key)));
		l = lappend(l, pnstrdup(v->val.string.val, v->val.string.len));
	}
	return l;
}

/* the BcLoadStats a client described (counts, totals, rejects, usage types) */
static BcLoadStats *
stats_of(Jsonb *jb)
{
	JsonbContainer *c = &jb->root;
	BcLoadStats *st = palloc0(sizeof(BcLoadStats));
	JsonbContainer *arr;

	st->cxt = CurrentMemoryContext;
	st->rows_read = jint8(c, "rows_read");
	st->rows_loaded = jint8(c, "rows_loaded");
	st->rows_rejected = jint8(c, "rows_rejected");
	st->rows_other = jint8(c, "rows_other");
	st->bytes_read = jint8(c, "bytes_read");
	if ((arr = jarray(c, "totals")) != NULL)
	{
		for (int i = 0; i < (int) JsonContainerSize(arr); i++)
		{
			JsonbContainer *t = jelem_object(arr, i, "totals");
			BcTotal    *tot = palloc0(sizeof(BcTotal));
			char	   *net = jtext(t, "net_unblended_cost");
			char	   *rejected = jtext(t, "rejected_unblended_cost");

			tot->line_item_type = jtext_req(t, "line_item_type");
			tot->is_bedrock = jbool(t, "is_bedrock");
			tot->rows = jint8(t, "rows");
			tot->rejected_rows = jint8(t, "rejected_rows");
			tot->unblended = decimal_total(jtext_req(t, "unblended_cost"), "unblended_cost");
			if (net != NULL)
			{
				tot->net = decimal_total(net, "net_unblended_cost");
				tot->net_present = true;
			}
			if (rejected != NULL)
				tot->rejected = decimal_total(rejected, "rejected_unblended_cost");
			st->totals = lappend(st->totals, tot);
		}
	}
	st->usage_types = string_list(c, "usage_types");
	st->usage_products = string_list(c, "usage_products");
	if (list_length(st->usage_types) != list_length(st->usage_products))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"usage_types\" and \"usage_products\" must have the same length")));
	if ((arr = jarray(c, "rejects")) != NULL)
	{
		for (int i = 0; i < (int) JsonContainerSize(arr); i++)
		{
			JsonbContainer *r = jelem_object(arr, i, "rejects");
			BcRowError *e = palloc0(sizeof(BcRowError));

			e->file = jtext(r, "file");
			e->line = jint8(r, "line");
			e->column = jtext(r, "column");
			e->value = jtext(r, "value");
			e->reason = jtext(r, "reason");
			e->raw = jtext(r, "raw");
			st->rejects = lappend(st->rejects, e);
		}
	}
	return st;
}

/* the name of a client delivery's table */
static char *
table_name(int64 load_id)
{
	return psprintf("line_items_l" INT64_FORMAT, load_id);
}

/* ---------------------------------------------------------------------- */
/* deliveries begun and not yet finished */

/*
 * The deliveries client_begin_delivery created tables for in this
 * transaction, until client_finish_delivery swaps them in.  A transaction
 * that would commit one unfinished is refused at pre-commit: its table, on
 * which the caller may INSERT, never outlives the transaction.
 */
typedef struct Pending
{
	int64		load_id;
	SubTransactionId subid;
} Pending;

static List *pending = NIL;		/* of Pending *, in TopTransactionContext */
static bool callbacks_registered = false;

/* the transaction ends: refuse a commit with an unfinished delivery */
static void
pending_xact_cb(XactEvent event, void *arg)
{
	if (pending == NIL)
		return;
	if (event == XACT_EVENT_PRE_COMMIT || event == XACT_EVENT_PARALLEL_PRE_COMMIT ||
		event == XACT_EVENT_PRE_PREPARE)
	{
		Pending    *p = linitial(pending);

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("delivery %lld was begun with bedrock_cost.client_begin_delivery() but not finished",
						(long long) p->load_id),
				 errhint("Call bedrock_cost.client_finish_delivery() before COMMIT, or roll back.")));
	}
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_PREPARE)
		pending = NIL;			/* the list lived in TopTransactionContext */
}

/* a subtransaction ends: what it began goes with it, or to its parent */
static void
pending_subxact_cb(SubXactEvent event, SubTransactionId mySubid,
				   SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	foreach(lc, pending)
	{
		Pending    *p = lfirst(lc);

		if (p->subid != mySubid)
			continue;
		if (event == SUBXACT_EVENT_ABORT_SUB)
			pending = foreach_delete_current(pending, lc);
		else if (event == SUBXACT_EVENT_COMMIT_SUB)
			p->subid = parentSubid;
	}
}

/* remember a delivery begun in this transaction */
static void
pending_add(int64 load_id)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	Pending    *p = palloc(sizeof(Pending));

	if (!callbacks_registered)
	{
		RegisterXactCallback(pending_xact_cb, NULL);
		RegisterSubXactCallback(pending_subxact_cb, NULL);
		callbacks_registered = true;
	}
	p->load_id = load_id;
	p->subid = GetCurrentSubTransactionId();
	pending = lappend(pending, p);
	MemoryContextSwitchTo(old);
}

/* whether load_id was begun in this transaction; forget it when found */
static bool
pending_take(int64 load_id)
{
	ListCell   *lc;

	foreach(lc, pending)
	{
		if (((Pending *) lfirst(lc))->load_id == load_id)
		{
			pending = foreach_delete_current(pending, lc);
			return true;
		}
	}
	return false;
}

/* ---------------------------------------------------------------------- */
/* the rules of client deliveries */

/*
 * A client delivery may not replace one the server loaded from its own
 * files (which a client's declared totals cannot outweigh), unless a
 * superuser set bedrock_cost.client_replaces_server_loads.
 */
static void
check_may_replace(BcDelivery *d, BcLook *look)
{
	if (look->current_id > 0 && look->current_by_server && !bc_client_replaces_server_loads)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("billing period %s of export %s was loaded by the server from its own files (load %lld); a delivery sent by bedrock-cost-load cannot replace it",
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d->period))),
						qv(d->export_path), (long long) look->current_id),
				 errhint("A superuser may allow it with SET bedrock_cost.client_replaces_server_loads = on.")));
}

/* every file of a client delivery comes with its sha256 */
static void
require_sha256(BcDelivery *d)
{
	for (int i = 0; i < d->nfiles; i++)
		if (d->files[i].sha256[0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("file %s has no sha256", qv(d->files[i].path ? d->files[i].path : ""))));
}

/* GRANT (or REVOKE) INSERT on the delivery table to the caller, not a superuser */
static void
grant_insert(int64 load_id, Oid caller, bool grant)
{
	Oid			argtypes[3] = {INT8OID, OIDOID, BOOLOID};
	Datum		args[3];

	if (superuser_arg(caller))
		return;
	args[0] = Int64GetDatum(load_id);
	args[1] = ObjectIdGetDatum(caller);
	args[2] = BoolGetDatum(grant);
	if (SPI_execute_with_args("SELECT bedrock_cost._grant_load_table($1, $2, $3)",
							  3, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not change the privileges on the delivery table of load %lld",
			 (long long) load_id);
}

/* ---------------------------------------------------------------------- */
/* entry points */

/*
 * bedrock_cost.client_begin_delivery(delivery jsonb): lock the period,
 * look at the ledger (noop when the same delivery is current, stale when
 * older than the current one, duplicate when current under another
 * export; refused when the server loaded the period from its own files),
 * or create the delivery's fresh table on which the caller may INSERT
 * until client_finish_delivery.  Returns (load_id, export_id, status
 * 'loading'|'noop'|'stale'|'duplicate', staging, same_as,
 * max_rejected_rows).
 */
Datum
bedrock_cost_client_begin(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb;
	BcDelivery *d;
	BcLoadStats *stats;
	TupleDesc	desc;
	Datum		values[6];
	bool		nulls[6] = {0};
	int64		load_id;
	int64		same = -1;
	const char *status = "loading";
	char	   *table = NULL;
	BcOwnerScope scope = {0};
	BcLook		look;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("delivery must not be null")));
	jb = PG_GETARG_JSONB_P(0);

	bc_check_caller();
	PreventCommandIfReadOnly("bedrock_cost.client_begin_delivery()");
	RequireTransactionBlock(true, "bedrock_cost.client_begin_delivery()");
	bc_require_read_committed("bedrock_cost.client_begin_delivery()");
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	desc = BlessTupleDesc(desc);

	d = delivery_of(jb);
	if (!d->period_known)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("delivery member \"billing_period\" is missing")));
	require_sha256(d);
	stats = palloc0(sizeof(BcLoadStats));
	stats->cxt = CurrentMemoryContext;

	bc_owner_enter(&scope);
	d->export_id = bc_ledger_export_id(d->export_path);
	load_id = bc_ledger_next_id();
	bc_ledger_lock_period(d);
	bc_ledger_look(d, &look);
	bc_load_key(d, stats->delivery_key);
	status = bc_decide(d, &look, stats->delivery_key, false, &same);
	if (status != NULL)
		bc_ledger_record(d, load_id, status, same, stats);
	else
	{
		check_may_replace(d, &look);
		status = "loading";
		table = bc_ledger_create_table(d, load_id);
		/* the caller streams the rows: let it insert, nothing more, until finish */
		grant_insert(load_id, scope.caller, true);
		pending_add(load_id);
	}
	bc_owner_leave(&scope);

	values[0] = Int64GetDatum(load_id);
	values[1] = Int32GetDatum(d->export_id);
	values[2] = CStringGetTextDatum(status);
	if (table)
		values[3] = CStringGetTextDatum(table);
	else
		nulls[3] = true;
	if (same > 0)
		values[4] = Int64GetDatum(same);
	else
		nulls[4] = true;
	values[5] = Int32GetDatum(bc_max_rejected_rows);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/*
 * bedrock_cost.client_finish_delivery(load_id bigint, delivery jsonb):
 * the delivery begun in this transaction: take back the INSERT grant,
 * count the table and check it against the declared totals, summarise
 * it (the server's own sums, never the client's), record the ledger (rows
 * counted by the server, file totals marked declared), swap the delivery
 * in.
 */
Datum
bedrock_cost_client_finish(PG_FUNCTION_ARGS)
{
	int64		load_id;
	Jsonb	   *jb;
	BcDelivery *d;
	BcLoadStats *stats;
	char	   *table;
	char	   *error;
	BcOwnerScope scope = {0};
	BcLook		look;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", PG_ARGISNULL(0) ? "load_id" : "delivery")));
	load_id = PG_GETARG_INT64(0);
	jb = PG_GETARG_JSONB_P(1);
	table = table_name(load_id);

	bc_check_caller();
	PreventCommandIfReadOnly("bedrock_cost.client_finish_delivery()");
	RequireTransactionBlock(true, "bedrock_cost.client_finish_delivery()");
	bc_require_read_committed("bedrock_cost.client_finish_delivery()");
	if (!pending_take(load_id))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("delivery %lld was not begun in this transaction: call bedrock_cost.client_begin_delivery first, in the same transaction",
						(long long) load_id)));
	d = delivery_of(jb);
	stats = stats_of(jb);
	if (!d->period_known)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("delivery member \"billing_period\" is missing")));
	require_sha256(d);

	bc_owner_enter(&scope);
	grant_insert(load_id, scope.caller, false);
	d->export_id = bc_ledger_export_id(d->export_path);
	bc_ledger_lock_period(d);
	bc_ledger_look(d, &look);
	check_may_replace(d, &look);
	bc_verify_stored(load_id, stats, true);
	bc_load_key(d, stats->delivery_key);
	/* the chargeback summary, computed by the server from the rows it counted */
	bc_summary_store_stored(d, load_id, stats);
	bc_ledger_loaded(d, load_id, table, stats);
	if (!d->from_manifest && d->complete)
		bc_ledger_audit("load_single_file", psprintf("load " INT64_FORMAT, load_id),
						psprintf("{\"load_id\": " INT64_FORMAT ", \"complete\": true, \"via\": \"client\"}",
								 load_id));
	error = bc_swap_in_retrying(load_id, CurrentMemoryContext);
	if (error != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("%s", error)));
	bc_owner_leave(&scope);
	PG_RETURN_TEXT_P(cstring_to_text("done"));
}

/*
 * bedrock_cost.client_fail_delivery(delivery jsonb, message text, at
 * jsonb): record a delivery the client could not load (ledger row
 * 'failed', its files, rejects so far, and the error with its file, line
 * and column).  Returns the new load_id.
 */
Datum
bedrock_cost_client_fail(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb;
	char	   *message;
	BcDelivery *d;
	BcLoadStats *stats;
	BcRowError	where = {0};
	int64		load_id;
	BcOwnerScope scope = {0};

	/* not STRICT (error_at may be NULL): check the other two */
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", PG_ARGISNULL(0) ? "delivery" : "error")));
	jb = PG_GETARG_JSONB_P(0);
	message = text_to_cstring(PG_GETARG_TEXT_PP(1));

	bc_check_caller();
	PreventCommandIfReadOnly("bedrock_cost.client_fail_delivery()");
	d = delivery_of(jb);
	stats = stats_of(jb);
	if (!PG_ARGISNULL(2))
	{
		Jsonb	   *at = PG_GETARG_JSONB_P(2);

		if (!JB_ROOT_IS_OBJECT(at))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the error position must be a JSON object")));
		where.file = jtext(&at->root, "file");
		where.line = jint8(&at->root, "line");
		where.column = jtext(&at->root, "column");
		where.value = jtext(&at->root, "value");
		where.raw = jtext(&at->root, "raw");
	}
	stats->declared = true;
	bc_owner_enter(&scope);
	d->export_id = bc_ledger_export_id(d->export_path);
	load_id = bc_ledger_next_id();
	bc_ledger_failed(d, load_id, stats, message, &where);
	bc_owner_leave(&scope);
	PG_RETURN_INT64(load_id);
}
