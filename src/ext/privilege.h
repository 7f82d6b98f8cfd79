/*-------------------------------------------------------------------------
 *
 * privilege.h
 *		Who may load, and the one way the extension's C code runs SQL as
 *		another role (privilege.c).
 *
 * IDENTIFICATION
 *		src/ext/privilege.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef BC_PRIVILEGE_H
#define BC_PRIVILEGE_H

/* the search_path every SQL text of the extension's C code runs under */
#define BC_SAFE_SEARCH_PATH "pg_catalog, pg_temp"

/* a switch to another role: pinned search_path, security-restricted, SPI connected */
typedef struct BcOwnerScope
{
	Oid			caller;			/* the user who called */
	Oid			save_userid;
	int			save_sec;
	int			save_nestlevel;
	bool		entered;
} BcOwnerScope;

extern void bc_check_caller(void);
extern Oid	bc_line_items_owner(void);
extern void bc_require_read_committed(const char *what);
extern void bc_role_enter(BcOwnerScope *scope, Oid role);
extern void bc_owner_enter(BcOwnerScope *scope);
extern void bc_owner_leave(BcOwnerScope *scope);

#endif							/* BC_PRIVILEGE_H */
