/**
 * The PostgreSQL schema, as an ordered list of migrations recorded in
 * `schema_migrations` (one row per applied version). Append, never edit a
 * released one. The numbering is this backend's own: SQLite's migrations 1
 * and 2 are both in version 1 here, which was written after them.
 *
 * Conventions: dates as `timestamptz`; JSON as `jsonb`; counters as `bigint`;
 * booleans as `boolean`. Every unique or foreign-key rule is named, because
 * stores map a violation to the catalog by that name (constraints.ts).
 * Columns that lists are ordered by, and that identify a row, use
 * COLLATE "C": byte order, as SQLite's BINARY, whatever the database's locale,
 * so every node and both backends list in one order. Usernames and e-mail
 * addresses are unique by lower(), which under "C" folds ASCII only, like
 * SQLite's NOCASE. CHECK constraints only for closed sets defined by a
 * protocol (RFC 2866 status types) or by structure, as in SQLite.
 */
import { AppError, E } from '../../errors.js';
import type { Pool } from 'pg';
import pg from 'pg';
import { checkSchemaName, transaction } from './database.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Runs with search_path set to the target schema: names stay unqualified. */
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE federation (
        id integer PRIMARY KEY CHECK (id = 1),
        name text NOT NULL,
        realm text NOT NULL
      );

      CREATE TABLE tenants (
        id text PRIMARY KEY,
        slug text COLLATE "C" NOT NULL CONSTRAINT tenants_slug_key UNIQUE,
        name text NOT NULL,
        insee_code text NOT NULL,
        branding jsonb NOT NULL,
        policy jsonb NOT NULL,
        wifi4eu jsonb,
        -- The captive portal's gateway settings (protocol, UAM secret, walled garden).
        portal jsonb,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );

      CREATE TABLE radius_clients (
        id text PRIMARY KEY,
        tenant_id text NOT NULL CONSTRAINT radius_clients_tenant_fkey REFERENCES tenants (id),
        name text COLLATE "C" NOT NULL,
        network text COLLATE "C" NOT NULL CONSTRAINT radius_clients_network_key UNIQUE,
        secret text NOT NULL,
        require_message_authenticator boolean NOT NULL,
        coa_port integer NOT NULL CHECK (coa_port BETWEEN 1 AND 65535),
        created_at timestamptz NOT NULL
      );
      CREATE INDEX radius_clients_by_tenant ON radius_clients (tenant_id, name, network);
      CREATE INDEX radius_clients_by_name ON radius_clients (name, network);

      CREATE TABLE identities (
        id text PRIMARY KEY,
        username text COLLATE "C" NOT NULL,
        email text COLLATE "C",
        password_hash text NOT NULL,
        verified boolean NOT NULL,
        verified_at timestamptz,
        locale text NOT NULL,
        disabled boolean NOT NULL,
        password_changed_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        last_seen_at timestamptz
      );
      CREATE UNIQUE INDEX identities_username_key ON identities (lower(username));
      -- NULLs are distinct: many identities may have no address.
      CREATE UNIQUE INDEX identities_email_key ON identities (lower(email));

      CREATE TABLE devices (
        id text PRIMARY KEY,
        identity_id text NOT NULL CONSTRAINT devices_identity_fkey REFERENCES identities (id) ON DELETE CASCADE,
        mac text COLLATE "C" NOT NULL CONSTRAINT devices_mac_key UNIQUE,
        label text,
        remembered_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX devices_by_identity ON devices (identity_id, remembered_at);

      CREATE TABLE access_points (
        id text PRIMARY KEY,
        tenant_id text NOT NULL CONSTRAINT access_points_tenant_fkey REFERENCES tenants (id),
        mac text COLLATE "C" NOT NULL CONSTRAINT access_points_mac_key UNIQUE,
        name text COLLATE "C" NOT NULL,
        model text,
        serial text,
        site text,
        latitude double precision,
        longitude double precision,
        placement text NOT NULL,
        nas_identifier text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX access_points_by_tenant ON access_points (tenant_id, name, mac);
      CREATE INDEX access_points_by_nas_identifier ON access_points (tenant_id, nas_identifier, name, mac)
        WHERE nas_identifier IS NOT NULL;

      -- One row per (tenant, NAS, Acct-Session-Id): the legal connection log.
      -- seq (insertion order) breaks ties between equal starts.
      CREATE TABLE sessions (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL CONSTRAINT sessions_id_key UNIQUE,
        tenant_id text NOT NULL CONSTRAINT sessions_tenant_fkey REFERENCES tenants (id),
        nas_ip text NOT NULL,
        acct_session_id text NOT NULL,
        nas_identifier text,
        identity_id text,
        username text NOT NULL,
        calling_station_id text,
        called_station_id text,
        ap_id text,
        framed_ip text,
        started_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        stopped_at timestamptz,
        session_time bigint NOT NULL CHECK (session_time >= 0),
        input_octets bigint NOT NULL CHECK (input_octets >= 0),
        output_octets bigint NOT NULL CHECK (output_octets >= 0),
        terminate_cause text,
        status text NOT NULL CHECK (status IN ('active', 'stopped')),
        CHECK ((status = 'active') = (stopped_at IS NULL)),
        CONSTRAINT sessions_key UNIQUE (tenant_id, nas_ip, acct_session_id)
      );
      -- Active sessions are few, so partial indexes on them are cheap to keep;
      -- queries must spell status = 'active' literally to use them.
      CREATE INDEX sessions_active_by_identity ON sessions (identity_id, started_at, seq) WHERE status = 'active';
      CREATE INDEX sessions_active_by_tenant ON sessions (tenant_id, started_at, seq) WHERE status = 'active';
      CREATE INDEX sessions_active_by_start ON sessions (started_at, seq) WHERE status = 'active';
      CREATE INDEX sessions_active_by_nas_ip ON sessions (tenant_id, nas_ip) WHERE status = 'active';
      CREATE INDEX sessions_active_by_nas_identifier ON sessions (tenant_id, nas_identifier) WHERE status = 'active';
      CREATE INDEX sessions_active_by_update ON sessions (updated_at) WHERE status = 'active';
      -- The whole log, newest first, per tenant, per identity, federation-wide.
      CREATE INDEX sessions_by_tenant ON sessions (tenant_id, started_at, seq);
      CREATE INDEX sessions_by_identity ON sessions (identity_id, started_at, seq);
      CREATE INDEX sessions_by_start ON sessions (started_at, seq);
      -- usageSince: what an identity used since a date.
      CREATE INDEX sessions_by_identity_stop ON sessions (identity_id, stopped_at);

      -- Every Accounting-Request the NAS was acknowledged for, append-only.
      CREATE TABLE accounting_records (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id text NOT NULL CONSTRAINT accounting_records_tenant_fkey REFERENCES tenants (id),
        status_type text NOT NULL CHECK (status_type IN ('start', 'interim', 'stop', 'accounting-on', 'accounting-off')),
        acct_session_id text NOT NULL,
        nas_ip text NOT NULL,
        nas_identifier text,
        username text NOT NULL,
        identity_id text,
        calling_station_id text,
        called_station_id text,
        ap_id text,
        framed_ip text,
        session_time bigint NOT NULL CHECK (session_time >= 0),
        input_octets bigint NOT NULL CHECK (input_octets >= 0),
        output_octets bigint NOT NULL CHECK (output_octets >= 0),
        terminate_cause text,
        event_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL
      );

      CREATE TABLE api_tokens (
        id text PRIMARY KEY,
        tenant_id text CONSTRAINT api_tokens_tenant_fkey REFERENCES tenants (id),
        name text COLLATE "C" NOT NULL,
        role text NOT NULL,
        token_hash text NOT NULL CONSTRAINT api_tokens_hash_key UNIQUE,
        created_at timestamptz NOT NULL,
        revoked_at timestamptz
      );
      CREATE INDEX api_tokens_by_tenant ON api_tokens (tenant_id, created_at);

      -- No foreign key on tenant_id: the audit trail outlives what it describes.
      CREATE TABLE audit_events (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL CONSTRAINT audit_events_id_key UNIQUE,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        tenant_id text,
        action text NOT NULL,
        target text NOT NULL,
        before_json jsonb,
        after_json jsonb
      );
      CREATE INDEX audit_events_by_at ON audit_events (at, seq);
      CREATE INDEX audit_events_by_tenant ON audit_events (tenant_id, at, seq);
    `,
  },
  {
    version: 2,
    name: 'legal connection log: NAS source address, NAT mappings, legal holds, erased-identity archive; inactivity notices',
    sql: `
      -- Where Disconnect/CoA go: the NAS's source address (RFC 5176 §3), NAS-IP-Address being private behind NAT.
      ALTER TABLE sessions ADD COLUMN nas_address text;
      ALTER TABLE accounting_records ADD COLUMN nas_address text;
      -- The purge walks ended sessions by end time, and accounting records by session key.
      CREATE INDEX sessions_stopped_by_stop ON sessions (stopped_at) WHERE status = 'stopped';
      CREATE INDEX sessions_by_framed_ip ON sessions (framed_ip, started_at) WHERE framed_ip IS NOT NULL;
      CREATE INDEX accounting_records_by_session ON accounting_records (tenant_id, nas_ip, acct_session_id);
      CREATE INDEX accounting_records_by_event ON accounting_records (event_at);

      -- NAT port blocks (RFC 8045 accounting, or a gateway's NAT log imported):
      -- who had public address P, ports [port_start, port_end], from started_at.
      CREATE TABLE nat_mappings (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL CONSTRAINT nat_mappings_id_key UNIQUE,
        tenant_id text NOT NULL CONSTRAINT nat_mappings_tenant_fkey REFERENCES tenants (id),
        session_id text,
        internal_ip text NOT NULL,
        public_ip text NOT NULL,
        port_start integer NOT NULL CHECK (port_start BETWEEN 0 AND 65535),
        port_end integer NOT NULL CHECK (port_end BETWEEN port_start AND 65535),
        started_at timestamptz NOT NULL,
        ended_at timestamptz,
        source text NOT NULL CHECK (source IN ('accounting', 'import')),
        CONSTRAINT nat_mappings_block_key UNIQUE (tenant_id, public_ip, port_start, started_at)
      );
      CREATE INDEX nat_mappings_by_public_ip ON nat_mappings (public_ip, started_at);
      CREATE INDEX nat_mappings_by_session ON nat_mappings (session_id) WHERE session_id IS NOT NULL;
      CREATE INDEX nat_mappings_unmatched_by_start ON nat_mappings (started_at) WHERE session_id IS NULL;

      -- Records named in a judicial request outlive the one-year purge until released.
      CREATE TABLE legal_holds (
        id text PRIMARY KEY,
        tenant_id text,
        reference text NOT NULL,
        reason text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL,
        released_at timestamptz,
        released_by text
      );
      CREATE INDEX legal_holds_by_tenant ON legal_holds (tenant_id, created_at);
      CREATE TABLE legal_hold_sessions (
        hold_id text NOT NULL CONSTRAINT legal_hold_sessions_hold_fkey REFERENCES legal_holds (id),
        session_id text NOT NULL,
        CONSTRAINT legal_hold_sessions_pkey PRIMARY KEY (hold_id, session_id)
      );
      CREATE INDEX legal_hold_sessions_by_session ON legal_hold_sessions (session_id);

      -- What an erased account leaves for the legal year (décret 2021-1362 art. 3).
      CREATE TABLE identity_archive (
        identity_id text PRIMARY KEY,
        username text NOT NULL,
        email text,
        created_at timestamptz NOT NULL,
        erased_at timestamptz NOT NULL,
        reason text NOT NULL CHECK (reason IN ('citizen', 'inactivity', 'operator'))
      );
      CREATE INDEX identity_archive_by_erased ON identity_archive (erased_at);
      -- Erasure pseudonymises an identity's raw accounting records: found by identity, not by a scan.
      CREATE INDEX accounting_records_by_identity ON accounting_records (identity_id) WHERE identity_id IS NOT NULL;

      -- GDPR storage limitation: when the inactivity notice went out.
      ALTER TABLE identities ADD COLUMN inactivity_notice_at timestamptz;
      CREATE INDEX identities_by_activity ON identities ((coalesce(last_seen_at, created_at))) WHERE inactivity_notice_at IS NULL;
      CREATE INDEX identities_noticed ON identities (inactivity_notice_at) WHERE inactivity_notice_at IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'provisioning: AP profiles, variables, config versions, enrolment, device credentials, agent state, secret rotations',
    sql: `
      -- How each AP is rendered; an AP registered without one (CLI) gets the defaults.
      CREATE TABLE ap_profiles (
        ap_id text PRIMARY KEY CONSTRAINT ap_profiles_ap_fkey REFERENCES access_points (id) ON DELETE CASCADE,
        tenant_id text NOT NULL,
        profile jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      );

      -- scope: '' for the federation, else a tenant id.
      CREATE TABLE provisioning_variables (
        scope text COLLATE "C" PRIMARY KEY,
        variables jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      );

      -- Every version ever published, newest = current; the row is the publish's audit record.
      CREATE TABLE config_versions (
        ap_id text NOT NULL CONSTRAINT config_versions_ap_fkey REFERENCES access_points (id) ON DELETE CASCADE,
        version integer NOT NULL CHECK (version >= 1),
        tenant_id text NOT NULL,
        checksum text NOT NULL,
        secret_digest text,
        bundle text NOT NULL,
        reason text NOT NULL,
        actor text NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT config_versions_pkey PRIMARY KEY (ap_id, version)
      );

      -- One row per AP: its current version and what its agent last said.
      -- Publishing locks it (FOR UPDATE): the per-AP serialisation point between nodes.
      CREATE TABLE agent_states (
        ap_id text PRIMARY KEY CONSTRAINT agent_states_ap_fkey REFERENCES access_points (id) ON DELETE CASCADE,
        tenant_id text NOT NULL,
        current_version integer,
        status text NOT NULL CHECK (status IN ('pending', 'applied', 'error')),
        applied_version integer,
        applied_at timestamptz,
        error_version integer,
        error_message text,
        error_at timestamptz,
        last_seen_at timestamptz,
        agent_info jsonb,
        enrolled_at timestamptz
      );
      CREATE INDEX agent_states_by_tenant ON agent_states (tenant_id);

      -- One-time enrolment tokens, by sha256; a used one stays to tell a replay from an unknown token.
      CREATE TABLE enrolments (
        token_hash text COLLATE "C" PRIMARY KEY,
        ap_id text NOT NULL CONSTRAINT enrolments_ap_fkey REFERENCES access_points (id) ON DELETE CASCADE,
        tenant_id text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      );
      CREATE INDEX enrolments_by_ap ON enrolments (ap_id);

      -- The device key (sha256) and client certificate an enrolment gave; re-enrolment replaces them.
      CREATE TABLE device_credentials (
        ap_id text PRIMARY KEY CONSTRAINT device_credentials_ap_fkey REFERENCES access_points (id) ON DELETE CASCADE,
        tenant_id text NOT NULL,
        key_hash text COLLATE "C" NOT NULL CONSTRAINT device_credentials_key_hash_key UNIQUE,
        certificate_serial text,
        certificate_not_after timestamptz,
        certificate_pem text,
        created_at timestamptz NOT NULL
      );

      CREATE TABLE secret_rotations (
        id text COLLATE "C" PRIMARY KEY,
        tenant_id text NOT NULL,
        client_id text NOT NULL CONSTRAINT secret_rotations_client_fkey REFERENCES radius_clients (id) ON DELETE CASCADE,
        new_secret text NOT NULL,
        secret_digest text NOT NULL,
        started_at timestamptz NOT NULL,
        completed_at timestamptz
      );
      -- One open rotation per client, whichever node starts it.
      CREATE UNIQUE INDEX secret_rotations_one_open ON secret_rotations (client_id) WHERE completed_at IS NULL;
      CREATE INDEX secret_rotations_by_tenant ON secret_rotations (tenant_id, started_at);

      -- APs a rotation still waits for.
      CREATE TABLE secret_rotation_aps (
        rotation_id text COLLATE "C" NOT NULL CONSTRAINT secret_rotation_aps_rotation_fkey REFERENCES secret_rotations (id) ON DELETE CASCADE,
        ap_id text COLLATE "C" NOT NULL CONSTRAINT secret_rotation_aps_ap_fkey REFERENCES access_points (id) ON DELETE CASCADE,
        CONSTRAINT secret_rotation_aps_pkey PRIMARY KEY (rotation_id, ap_id)
      );
      CREATE INDEX secret_rotation_aps_by_ap ON secret_rotation_aps (ap_id);
    `,
  },
  {
    version: 4,
    name: 'sessions: a key may come back after its session stopped (RFC 2866 §5.5); one active session per key',
    sql: `
      -- A NAS may reuse an Acct-Session-Id once its session stopped (many restart their counter
      -- on reboot): the key is unique among active sessions only. Accounting finds a key's
      -- latest session by the second index.
      ALTER TABLE sessions DROP CONSTRAINT sessions_key;
      CREATE UNIQUE INDEX sessions_active_key ON sessions (tenant_id, nas_ip, acct_session_id) WHERE status = 'active';
      CREATE INDEX sessions_by_key ON sessions (tenant_id, nas_ip, acct_session_id, started_at, seq);
    `,
  },
];

/** First key of the two-key advisory lock space: "WFC1". The second is the schema's hash. */
const MIGRATION_LOCK = 0x57464331;

/** The version recorded in the schema, 0 when it has none (or does not exist). */
export async function schemaVersion(pool: Pool, schema: string): Promise<number> {
  const s = pg.escapeIdentifier(checkSchemaName(schema));
  const { rows } = await pool.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [`${s}.schema_migrations`]);
  if (!rows[0]?.exists) return 0;
  const version = await pool.query<{ version: number }>(`SELECT COALESCE(MAX(version), 0) AS version FROM ${s}.schema_migrations`);
  return version.rows[0]?.version ?? 0;
}

/**
 * Brings the schema to the latest version in one transaction, under a
 * transaction-scoped advisory lock keyed by the schema: a second node
 * starting at the same moment waits, then finds nothing to do. A failing
 * migration leaves the schema as it was. Refuses a schema written by newer
 * code: running old code on it could silently lose what new columns mean.
 */
export async function migrate(pool: Pool, schema: string, migrations: readonly Migration[] = MIGRATIONS): Promise<{ from: number; to: number }> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration #${i} has version ${m.version}, expected ${i + 1}`);
  });
  const s = pg.escapeIdentifier(checkSchemaName(schema));
  const latest = migrations.length;
  return transaction(pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK, schema]);
    // Look before creating: CREATE … IF NOT EXISTS checks the CREATE privilege
    // first, and a node whose role may only read and write an up-to-date schema
    // must still start.
    const { rows: found } = await tx.query<{ schema: boolean; table: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS schema, to_regclass($2) IS NOT NULL AS table`,
      [schema, `${s}.schema_migrations`],
    );
    if (!found[0]?.schema) await tx.query(`CREATE SCHEMA ${s}`);
    if (!found[0]?.table) {
      await tx.query(
        `CREATE TABLE ${s}.schema_migrations (
           version integer PRIMARY KEY,
           name text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
    }
    const { rows } = await tx.query<{ version: number }>(`SELECT COALESCE(MAX(version), 0) AS version FROM ${s}.schema_migrations`);
    const from = rows[0]?.version ?? 0;
    if (from > latest) {
      throw new AppError(E.NOT_READY, {
        reason: `the database schema ${schema} is version ${from}, newer than this release supports (${latest}); upgrade wfc`,
      });
    }
    // SET LOCAL ends with the transaction: the pooled connection keeps its own search_path.
    await tx.query(`SET LOCAL search_path TO ${s}`);
    for (const m of migrations.slice(from)) {
      await tx.query(m.sql);
      await tx.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
    }
    return { from, to: Math.max(from, latest) };
  });
}
