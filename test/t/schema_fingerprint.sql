-- schema_fingerprint.sql: the bedrock_cost extension's schema as sorted lines
-- of text, one per object or property, with no OID in them, so that two
-- databases' fingerprints are equal exactly when the extension's objects
-- are: every member (pg_depend 'e'), and for member relations their kind,
-- options, ACL, comment, row security, partitioning, columns in order
-- (name, type, NOT NULL, default, identity, generated, ACL, comment,
-- statistics target), indexes, constraints, triggers, policies and view
-- definitions; for member functions their definition, ACL and comment; for
-- other members their comment; the schema's ACL; the tables pg_dump dumps
-- (extconfig and their conditions).  Used by 071_upgrade.pl to compare an
-- updated database with a fresh install.
WITH ext AS (
	SELECT x.oid, x.extconfig, x.extcondition FROM pg_catalog.pg_extension AS x
	 WHERE x.extname = 'bedrock_cost'
), members AS (
	SELECT d.classid, d.objid FROM pg_catalog.pg_depend AS d, ext
	 WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
	   AND d.refobjid = ext.oid AND d.deptype = 'e'
), rels AS (
	SELECT c.* FROM members AS m JOIN pg_catalog.pg_class AS c
	  ON m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND c.oid = m.objid
), procs AS (
	SELECT p.* FROM members AS m JOIN pg_catalog.pg_proc AS p
	  ON m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.oid = m.objid
)
-- (one line per row: the newlines of a definition are written as \n)
SELECT pg_catalog.replace(line, E'\n', '\n') FROM (
	SELECT 'member ' || pg_catalog.pg_describe_object(m.classid, m.objid, 0)
		   || ' comment ' || coalesce(pg_catalog.obj_description(m.objid,
				(SELECT c.relname FROM pg_catalog.pg_class AS c WHERE c.oid = m.classid)), '-') AS line
	  FROM members AS m
	UNION ALL
	SELECT 'schema ' || n.nspname || ' acl ' || coalesce(n.nspacl::text, '-')
		   || ' comment ' || coalesce(pg_catalog.obj_description(n.oid, 'pg_namespace'), '-')
	  FROM pg_catalog.pg_namespace AS n WHERE n.nspname = 'bedrock_cost'
	UNION ALL
	SELECT 'dumped ' || t.cfg::pg_catalog.regclass::text || ' where ' || coalesce(t.cond, '-')
	  FROM ext, LATERAL ROWS FROM (pg_catalog.unnest(ext.extconfig), pg_catalog.unnest(ext.extcondition)) AS t(cfg, cond)
	UNION ALL
	SELECT 'rel ' || c.oid::pg_catalog.regclass::text || ' kind ' || c.relkind::text
		   || ' persistence ' || c.relpersistence::text
		   || ' options ' || coalesce(pg_catalog.array_to_string(c.reloptions, ','), '-')
		   || ' acl ' || coalesce(c.relacl::text, '-')
		   || ' rls ' || c.relrowsecurity || '/' || c.relforcerowsecurity
		   || ' partkey ' || coalesce(pg_catalog.pg_get_partkeydef(c.oid), '-')
		   || ' view ' || CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) ELSE '-' END
		   || ' comment ' || coalesce(pg_catalog.obj_description(c.oid, 'pg_class'), '-')
	  FROM rels AS c
	UNION ALL
	SELECT 'column ' || c.oid::pg_catalog.regclass::text || ' '
		   || pg_catalog.row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum) || ' ' || a.attname
		   || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)
		   || ' notnull ' || a.attnotnull
		   || ' default ' || coalesce(pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), '-')
		   || ' identity ' || a.attidentity::text || ' generated ' || a.attgenerated::text
		   || ' collation ' || coalesce((SELECT co.collname FROM pg_catalog.pg_collation AS co
										 WHERE co.oid = a.attcollation), '-')
		   || ' statistics ' || a.attstattarget
		   || ' acl ' || coalesce(a.attacl::text, '-')
		   || ' comment ' || coalesce(pg_catalog.col_description(c.oid, a.attnum), '-')
	  FROM rels AS c
	  JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	  LEFT JOIN pg_catalog.pg_attrdef AS ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
	UNION ALL
	SELECT 'index ' || c.oid::pg_catalog.regclass::text || ' ' || pg_catalog.pg_get_indexdef(i.indexrelid)
		   || ' comment ' || coalesce(pg_catalog.obj_description(i.indexrelid, 'pg_class'), '-')
	  FROM rels AS c JOIN pg_catalog.pg_index AS i ON i.indrelid = c.oid
	UNION ALL
	SELECT 'constraint ' || c.oid::pg_catalog.regclass::text || ' ' || k.conname || ' '
		   || pg_catalog.pg_get_constraintdef(k.oid)
	  FROM rels AS c JOIN pg_catalog.pg_constraint AS k ON k.conrelid = c.oid
	UNION ALL
	SELECT 'trigger ' || pg_catalog.pg_get_triggerdef(t.oid) || ' enabled ' || t.tgenabled::text
	  FROM rels AS c JOIN pg_catalog.pg_trigger AS t ON t.tgrelid = c.oid AND NOT t.tgisinternal
	UNION ALL
	SELECT 'policy ' || c.oid::pg_catalog.regclass::text || ' ' || p.polname || ' ' || p.polcmd::text
		   || ' permissive ' || p.polpermissive
		   || ' roles ' || (SELECT pg_catalog.string_agg(CASE WHEN r = 0 THEN 'public' ELSE r::pg_catalog.regrole::text END,
														 ',' ORDER BY 1)
						   FROM pg_catalog.unnest(p.polroles) AS r)
		   || ' using ' || coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '-')
		   || ' check ' || coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '-')
	  FROM rels AS c JOIN pg_catalog.pg_policy AS p ON p.polrelid = c.oid
	UNION ALL
	SELECT 'function ' || p.oid::pg_catalog.regprocedure::text
		   || ' acl ' || coalesce(p.proacl::text, '-')
		   || ' definition ' || CASE WHEN p.prokind = 'a'
			   THEN (SELECT 'aggregate ' || g.aggtransfn::text || ' ' || g.aggfinalfn::text || ' '
							|| g.aggtranstype::pg_catalog.regtype::text || ' ' || g.aggtransspace || ' ' || g.aggcombinefn::text
							|| ' ' || g.aggserialfn::text || ' ' || g.aggdeserialfn::text
					   FROM pg_catalog.pg_aggregate AS g WHERE g.aggfnoid = p.oid)
			   ELSE pg_catalog.pg_get_functiondef(p.oid) END
	  FROM procs AS p
) AS f
ORDER BY line COLLATE "C";
