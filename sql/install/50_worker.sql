/*
 * 50_worker.sql: registered exports, the worker's per-export and
 * per-delivery state, the status view and the SQL entry points of the
 * ingest background worker (src/ext/worker_launcher.c, worker_poll.c).
 */

CREATE TABLE bedrock_cost.export_state (
  export_id integer PRIMARY KEY
    REFERENCES bedrock_cost.exports (export_id) ON DELETE CASCADE,
  last_poll timestamptz,
  last_success timestamptz,
  scan_failures integer NOT NULL DEFAULT 0,
  scan_next_attempt timestamptz,
  last_error text,
  last_error_at timestamptz
);
COMMENT ON TABLE bedrock_cost.export_state IS
  'per-export state of the background worker: polls, successes and folder-level failures';
COMMENT ON COLUMN bedrock_cost.export_state.export_id IS 'the export (bedrock_cost.exports)';
COMMENT ON COLUMN bedrock_cost.export_state.last_poll IS 'when the export folder was last scanned';
COMMENT ON COLUMN bedrock_cost.export_state.last_success IS 'when a delivery of this export was last loaded';
COMMENT ON COLUMN bedrock_cost.export_state.scan_failures IS
  'consecutive failures to scan the export folder itself (missing, unreadable, outside the root)';
COMMENT ON COLUMN bedrock_cost.export_state.scan_next_attempt IS
  'after a scan failure, the folder is not scanned again before this time (exponential backoff)';
COMMENT ON COLUMN bedrock_cost.export_state.last_error IS 'last error of this export (scan or load)';
COMMENT ON COLUMN bedrock_cost.export_state.last_error_at IS 'when last_error happened';

CREATE TABLE bedrock_cost.export_deliveries (
  export_id integer NOT NULL
    REFERENCES bedrock_cost.exports (export_id) ON DELETE CASCADE,
  manifest text NOT NULL,
  billing_period date NOT NULL,
  execution_id text,
  fingerprint text NOT NULL,
  first_seen timestamptz NOT NULL,
  status text NOT NULL
    CONSTRAINT export_deliveries_status_check
    CHECK (status IN ('incomplete', 'settling', 'loaded', 'failed')),
  detail text,
  failures integer NOT NULL DEFAULT 0,
  next_attempt timestamptz,
  last_error text,
  last_attempt timestamptz,
  loaded_at timestamptz,
  load_id bigint,
  rows_loaded bigint,
  loading_since timestamptz,
  loading_pid integer,
  PRIMARY KEY (export_id, manifest)
);
COMMENT ON TABLE bedrock_cost.export_deliveries IS
  'deliveries (one manifest each, per billing period) the worker has seen in each export folder';
COMMENT ON COLUMN bedrock_cost.export_deliveries.export_id IS 'the export (bedrock_cost.exports)';
COMMENT ON COLUMN bedrock_cost.export_deliveries.manifest IS
  'manifest file, relative to the export folder (metadata/BILLING_PERIOD=YYYY-MM/...-Manifest.json)';
COMMENT ON COLUMN bedrock_cost.export_deliveries.billing_period IS
  'billing period (first day of the month) from the BILLING_PERIOD=YYYY-MM folder';
COMMENT ON COLUMN bedrock_cost.export_deliveries.execution_id IS 'executionId of the manifest';
COMMENT ON COLUMN bedrock_cost.export_deliveries.fingerprint IS
  'hash of the size and modification time of the manifest and every file it lists';
COMMENT ON COLUMN bedrock_cost.export_deliveries.first_seen IS
  'when the worker first saw this fingerprint; a delivery is loaded once its fingerprint is unchanged on a later poll';
COMMENT ON COLUMN bedrock_cost.export_deliveries.status IS
  'incomplete (a listed file is missing), settling (complete, waiting one poll for files to stop changing), loaded, failed';
COMMENT ON COLUMN bedrock_cost.export_deliveries.detail IS 'why the delivery is incomplete';
COMMENT ON COLUMN bedrock_cost.export_deliveries.failures IS 'consecutive failed load attempts of this fingerprint';
COMMENT ON COLUMN bedrock_cost.export_deliveries.next_attempt IS 'a failed delivery is retried at or after this time';
COMMENT ON COLUMN bedrock_cost.export_deliveries.last_error IS 'error of the last failed attempt';
COMMENT ON COLUMN bedrock_cost.export_deliveries.last_attempt IS 'when a load of this delivery was last attempted';
COMMENT ON COLUMN bedrock_cost.export_deliveries.loaded_at IS 'when this fingerprint was loaded';
COMMENT ON COLUMN bedrock_cost.export_deliveries.load_id IS 'the ledger row (bedrock_cost.loads) of the load, or of the earlier load when the loader found it already loaded';
COMMENT ON COLUMN bedrock_cost.export_deliveries.rows_loaded IS 'rows the load stored in line_items';
COMMENT ON COLUMN bedrock_cost.export_deliveries.loading_since IS
  'set (committed) just before a load starts, cleared when its outcome is recorded; a marker whose process is gone means the load was interrupted (crash, kill, shutdown): that counts as a failed attempt';
COMMENT ON COLUMN bedrock_cost.export_deliveries.loading_pid IS 'process that set loading_since';

-- the state tables are the worker's; users read them through export_status
REVOKE ALL ON bedrock_cost.export_state, bedrock_cost.export_deliveries FROM PUBLIC;

-- dumped by pg_dump with the ledger (see 40_loader.sql)
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.export_state', '');
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.export_deliveries', '');

CREATE FUNCTION bedrock_cost.export_abspath(path text)
RETURNS text
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'bedrock_cost_export_abspath';
COMMENT ON FUNCTION bedrock_cost.export_abspath(text) IS
  'the absolute, symlink-free path of an export folder given relative to bedrock_cost.export_root or absolute under it; refuses paths (and symbolic links) leading outside the root';

CREATE FUNCTION bedrock_cost.add_export(name text, path text)
RETURNS bedrock_cost.exports
LANGUAGE plpgsql STRICT VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  p text := bedrock_cost.export_abspath(path);
  r bedrock_cost.exports;
BEGIN
  IF EXISTS (SELECT 1 FROM bedrock_cost.exports e WHERE e.export_name = name) THEN
    RAISE EXCEPTION 'export "%" already exists', name
      USING ERRCODE = 'duplicate_object';
  END IF;
  SELECT * INTO r FROM bedrock_cost.exports e WHERE e.path = p FOR UPDATE;
  IF FOUND AND r.export_name IS NOT NULL THEN
    RAISE EXCEPTION 'export folder "%" is already registered as "%"', p, r.export_name
      USING ERRCODE = 'duplicate_object';
  ELSIF FOUND THEN
    -- a folder loaded by hand before: keep its export_id and ledger
    UPDATE bedrock_cost.exports e SET export_name = name, paused = false,
           registered_at = pg_catalog.now()
     WHERE e.export_id = r.export_id RETURNING * INTO r;
  ELSE
    INSERT INTO bedrock_cost.exports (path, export_name, registered_at)
    VALUES (p, name, pg_catalog.now()) RETURNING * INTO r;
  END IF;
  INSERT INTO bedrock_cost.export_state (export_id) VALUES (r.export_id)
  ON CONFLICT (export_id) DO NOTHING;
  RETURN r;
END
$$;
COMMENT ON FUNCTION bedrock_cost.add_export(text, text) IS
  'registers an export folder (relative to bedrock_cost.export_root, or absolute under it) for the background worker';

CREATE FUNCTION bedrock_cost.remove_export(name text)
RETURNS boolean
LANGUAGE plpgsql STRICT VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  id integer;
BEGIN
  -- wait for a poll of this export in progress (see resume_export)
  PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('bedrock_cost export'), e.export_id)
     FROM bedrock_cost.exports e WHERE e.export_name = name;
  UPDATE bedrock_cost.exports e SET export_name = NULL, paused = false, registered_at = NULL
   WHERE e.export_name = name RETURNING e.export_id INTO id;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  DELETE FROM bedrock_cost.export_state s WHERE s.export_id = id;
  DELETE FROM bedrock_cost.export_deliveries d WHERE d.export_id = id;
  RETURN true;
END
$$;
COMMENT ON FUNCTION bedrock_cost.remove_export(text) IS
  'stops the worker following an export and forgets its worker state; loaded data and the load ledger stay; false when no such export';

CREATE FUNCTION bedrock_cost.pause_export(name text)
RETURNS boolean
LANGUAGE sql STRICT VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
  -- wait for a poll of this export in progress (see resume_export)
  SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('bedrock_cost export'), e.export_id)
    FROM bedrock_cost.exports e WHERE e.export_name = name;
  WITH u AS (UPDATE bedrock_cost.exports e SET paused = true
             WHERE e.export_name = name RETURNING 1)
  SELECT count(*) > 0 FROM u
$$;
COMMENT ON FUNCTION bedrock_cost.pause_export(text) IS
  'stops the worker from scanning and loading an export (waiting for a poll of it in progress); false when no such export';

CREATE FUNCTION bedrock_cost.resume_export(name text)
RETURNS boolean
LANGUAGE sql STRICT VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
  -- take the export's poll lock first, as the worker does, so this waits
  -- for a poll (and its load) in progress instead of locking rows in the
  -- other order than the worker and deadlocking with it
  SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('bedrock_cost export'), e.export_id)
    FROM bedrock_cost.exports e WHERE e.export_name = name;
  WITH u AS (UPDATE bedrock_cost.exports e SET paused = false
             WHERE e.export_name = name RETURNING e.export_id),
       s AS (UPDATE bedrock_cost.export_state st SET scan_next_attempt = NULL
             WHERE st.export_id IN (SELECT export_id FROM u)),
       d AS (UPDATE bedrock_cost.export_deliveries dl SET next_attempt = NULL
             WHERE dl.export_id IN (SELECT export_id FROM u) AND dl.status = 'failed')
  SELECT count(*) > 0 FROM u
$$;
COMMENT ON FUNCTION bedrock_cost.resume_export(text) IS
  'resumes a paused export and clears its retry backoff, so the next poll retries failed deliveries (waiting for a poll of it in progress); false when no such export';

CREATE FUNCTION bedrock_cost.poll_now()
RETURNS integer
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'bedrock_cost_poll_now';
COMMENT ON FUNCTION bedrock_cost.poll_now() IS
  'runs one poll of every registered export in the calling session, as the background worker does; returns the number of deliveries loaded';

REVOKE ALL ON FUNCTION bedrock_cost.export_abspath(text), bedrock_cost.add_export(text, text),
  bedrock_cost.remove_export(text), bedrock_cost.pause_export(text),
  bedrock_cost.resume_export(text), bedrock_cost.poll_now() FROM PUBLIC;

-- the stale-load fix the launcher runs at start: the ledger is written by the
-- loader only, so the worker role gets this function, not UPDATE on loads
CREATE FUNCTION bedrock_cost._fix_stale_loads()
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  WITH f AS (
    UPDATE bedrock_cost.loads l SET status = 'failed', finished_at = pg_catalog.clock_timestamp(),
           error = 'interrupted: the loading process ended before its transaction committed'
     WHERE l.status OPERATOR(pg_catalog.=) 'running'
    RETURNING 1)
  SELECT pg_catalog.count(*) FROM f
$$;
COMMENT ON FUNCTION bedrock_cost._fix_stale_loads() IS
  'internal: marks failed the ledger rows a crashed or killed loader left ''running'' (the loader writes ''running'' only inside its transaction, so no live load is touched); run by the background worker when it starts; returns how many (EXECUTE: bedrock_cost_worker)';
REVOKE ALL ON FUNCTION bedrock_cost._fix_stale_loads() FROM PUBLIC;

CREATE VIEW bedrock_cost.export_status AS
SELECT e.export_name,
       e.export_id,
       e.path,
       e.paused,
       s.last_poll,
       s.last_success,
       ld.billing_period AS last_loaded_period,
       ld.execution_id AS last_loaded_execution_id,
       ld.loaded_at AS last_loaded_at,
       COALESCE(pd.waiting, 0)::integer AS pending_deliveries,
       pd.loading_since,
       CASE WHEN pd.oldest IS NULL THEN interval '0' ELSE now() - pd.oldest END AS lag,
       (s.scan_failures + COALESCE(fd.failures, 0))::integer AS failures,
       COALESCE(fd.failed, 0)::integer AS failed_deliveries,
       CASE WHEN s.scan_next_attempt IS NULL THEN fd.next_attempt
            WHEN fd.next_attempt IS NULL THEN s.scan_next_attempt
            ELSE least(s.scan_next_attempt, fd.next_attempt) END AS next_attempt,
       s.last_error,
       s.last_error_at
FROM bedrock_cost.exports e
LEFT JOIN bedrock_cost.export_state s USING (export_id)
LEFT JOIN LATERAL (
  SELECT d.billing_period, d.execution_id, d.loaded_at
  FROM bedrock_cost.export_deliveries d
  WHERE d.export_id = e.export_id AND d.loaded_at IS NOT NULL
  ORDER BY d.loaded_at DESC, d.billing_period DESC
  LIMIT 1) ld ON true
LEFT JOIN LATERAL (
  SELECT count(*) AS waiting, min(d.first_seen) AS oldest, min(d.loading_since) AS loading_since
  FROM bedrock_cost.export_deliveries d
  WHERE d.export_id = e.export_id AND d.status <> 'loaded') pd ON true
LEFT JOIN LATERAL (
  SELECT count(*) AS failed, sum(d.failures) AS failures, min(d.next_attempt) AS next_attempt
  FROM bedrock_cost.export_deliveries d
  WHERE d.export_id = e.export_id AND d.status = 'failed') fd ON true
WHERE e.export_name IS NOT NULL;
COMMENT ON VIEW bedrock_cost.export_status IS
  'one row per export registered with add_export: last poll, last delivery loaded, lag, failures, next retry, last error';
COMMENT ON COLUMN bedrock_cost.export_status.export_name IS 'the export';
COMMENT ON COLUMN bedrock_cost.export_status.export_id IS 'the export in bedrock_cost.exports and the load ledger';
COMMENT ON COLUMN bedrock_cost.export_status.path IS 'absolute path of the export folder';
COMMENT ON COLUMN bedrock_cost.export_status.paused IS 'true when paused with pause_export()';
COMMENT ON COLUMN bedrock_cost.export_status.last_poll IS 'when the folder was last scanned';
COMMENT ON COLUMN bedrock_cost.export_status.last_success IS 'when a delivery was last loaded';
COMMENT ON COLUMN bedrock_cost.export_status.last_loaded_period IS 'billing period of the delivery loaded last';
COMMENT ON COLUMN bedrock_cost.export_status.last_loaded_execution_id IS 'manifest executionId of the delivery loaded last';
COMMENT ON COLUMN bedrock_cost.export_status.last_loaded_at IS 'when that delivery was loaded';
COMMENT ON COLUMN bedrock_cost.export_status.pending_deliveries IS
  'deliveries seen on disk but not loaded yet (incomplete, settling or failed)';
COMMENT ON COLUMN bedrock_cost.export_status.loading_since IS
  'when the load running now started (NULL when none is running)';
COMMENT ON COLUMN bedrock_cost.export_status.lag IS
  'how long the oldest pending delivery has been waiting; 0 when every delivery on disk is loaded';
COMMENT ON COLUMN bedrock_cost.export_status.failures IS
  'consecutive failed attempts (folder scans plus loads of currently failing deliveries)';
COMMENT ON COLUMN bedrock_cost.export_status.failed_deliveries IS 'deliveries whose last load attempt failed';
COMMENT ON COLUMN bedrock_cost.export_status.next_attempt IS 'earliest retry of a failure (exponential backoff)';
COMMENT ON COLUMN bedrock_cost.export_status.last_error IS 'last error (scan or load) of this export';
COMMENT ON COLUMN bedrock_cost.export_status.last_error_at IS 'when last_error happened';
