/*-------------------------------------------------------------------------
 *
 * privilege.c
 *		Who may load, and the one way the extension's C code runs SQL as
 *		another role (the owner of bedrock_cost.line_items, a registrant).
 *
 * A load's DDL (creating the delivery table, the partition swap) and its
 * ledger writes need the rights of the extension's owner, which the
 * caller (a member of bedrock_cost_admin) does not have; a gateway's
 * request log is read with the rights of the role that registered it
 * (gateway_read.c).  The switch happens here and nowhere else (load_export,
 * load_file and the client API go through bc_owner_enter, the gateway
 * reader through bc_role_enter), and it is made safe the way
 * PostgreSQL makes maintenance commands safe (RestrictSearchPath and the
 * SECURITY_RESTRICTED_OPERATION of VACUUM, REINDEX, REFRESH):
 *
 *	- a new GUC nest level with search_path = pg_catalog, pg_temp, so no
 *	  object of the caller's schemas (or of pg_temp: it comes last, and no
 *	  function or operator is ever looked up there) is found by name;
 *	- SECURITY_RESTRICTED_OPERATION, so nothing run meanwhile can change
 *	  the role, create temporary objects or leave state behind;
 *	- every SQL text run inside names every table, function, operator and
 *	  type with its schema (see loader_ledger.c and loader_client.c).
 *
 * An error inside unwinds all of it: a (sub)transaction abort restores the
 * user, the security context and the GUC nest level.
 *
 * IDENTIFICATION
 *		src/ext/privilege.c
 *
 *-------------------------------------------------------------------------
 */
#include "compat.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "privilege.h"

/* superuser or bedrock_cost_admin, else an error (the load functions and the client API) */
void
bc_check_caller(void)
{
	Oid			admin = get_role_oid("bedrock_cost_admin", true);

	if (superuser())
		return;
	if (OidIsValid(admin) && has_privs_of_role(GetUserId(), admin))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to load CUR exports"),
			 errdetail("Only superusers and members of bedrock_cost_admin may load.")));
}

/* the owner of bedrock_cost.line_items, who runs the DDL of a load */
Oid
bc_line_items_owner(void)
{
	Oid			nsp = get_namespace_oid("bedrock_cost", false);
	Oid			rel = get_relname_relid("line_items", nsp);
	HeapTuple	tup;
	Oid			owner;

	if (!OidIsValid(rel))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation bedrock_cost.line_items does not exist"),
				 errhint("Run CREATE EXTENSION bedrock_cost.")));
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", rel);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * Loads decide from the ledger after waiting for a period's lock, with a
 * snapshot taken then: a transaction snapshot, taken before, would hide
 * what another load committed meanwhile.
 */
void
bc_require_read_committed(const char *what)
{
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("%s must run at the READ COMMITTED isolation level", what),
				 errdetail("A load reads the ledger after it waited for its billing period's lock; a transaction snapshot would hide loads committed meanwhile.")));
}

/*
 * Act as role: pinned search_path, security-restricted, SPI connected.
 * scope->caller keeps who called.  The one user switch of the extension's
 * SQL-running C code (the loader as the owner, a gateway log's reader as
 * its registrant).
 */
void
bc_role_enter(BcOwnerScope *scope, Oid role)
{
	GetUserIdAndSecContext(&scope->save_userid, &scope->save_sec);
	scope->caller = scope->save_userid;
	scope->save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", BC_SAFE_SEARCH_PATH,
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	SetUserIdAndSecContext(role, scope->save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	scope->entered = true;
}

/* act as the owner of line_items (bc_role_enter) */
void
bc_owner_enter(BcOwnerScope *scope)
{
	bc_role_enter(scope, bc_line_items_owner());
}

/* back to the caller (after bc_role_enter, without an error between) */
void
bc_owner_leave(BcOwnerScope *scope)
{
	if (!scope->entered)
		return;
	SPI_finish();
	SetUserIdAndSecContext(scope->save_userid, scope->save_sec);
	AtEOXact_GUC(true, scope->save_nestlevel);
	scope->entered = false;
}
