/**
 * The schema, as an ordered list of migrations. Migration N brings the
 * database to `PRAGMA user_version = N`. Append, never edit a released one.
 *
 * Conventions: STRICT tables; dates as integer milliseconds since the epoch;
 * JSON documents as TEXT checked with json_valid(); booleans as 0/1. CHECK
 * constraints only for closed sets defined by a protocol (RFC 2866 status
 * types) or by structure (booleans, non-negative counters): domain sets
 * that may grow (locales, roles, placements) are validated by the domain so
 * adding a value needs no table rebuild.
 */
import type Database from 'better-sqlite3';
import { AppError, E } from '../../errors.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE federation (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        name TEXT NOT NULL,
        realm TEXT NOT NULL
      ) STRICT;

      CREATE TABLE tenants (
        id TEXT PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        insee_code TEXT NOT NULL,
        branding TEXT NOT NULL CHECK (json_valid(branding)),
        policy TEXT NOT NULL CHECK (json_valid(policy)),
        wifi4eu TEXT CHECK (wifi4eu IS NULL OR json_valid(wifi4eu)),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE radius_clients (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants (id),
        name TEXT NOT NULL,
        network TEXT NOT NULL UNIQUE,
        secret TEXT NOT NULL,
        require_message_authenticator INTEGER NOT NULL CHECK (require_message_authenticator IN (0, 1)),
        coa_port INTEGER NOT NULL CHECK (coa_port BETWEEN 1 AND 65535),
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX radius_clients_by_tenant ON radius_clients (tenant_id, name, network);

      CREATE TABLE identities (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        email TEXT UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        verified INTEGER NOT NULL CHECK (verified IN (0, 1)),
        verified_at INTEGER,
        locale TEXT NOT NULL,
        disabled INTEGER NOT NULL CHECK (disabled IN (0, 1)),
        password_changed_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_seen_at INTEGER
      ) STRICT;

      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        identity_id TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
        mac TEXT NOT NULL UNIQUE,
        label TEXT,
        remembered_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX devices_by_identity ON devices (identity_id, remembered_at);

      CREATE TABLE access_points (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants (id),
        mac TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        model TEXT,
        serial TEXT,
        site TEXT,
        latitude REAL,
        longitude REAL,
        placement TEXT NOT NULL,
        nas_identifier TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX access_points_by_tenant ON access_points (tenant_id, name, mac);
      CREATE INDEX access_points_by_nas_identifier ON access_points (tenant_id, nas_identifier, name, mac)
        WHERE nas_identifier IS NOT NULL;

      -- One row per (tenant, NAS, Acct-Session-Id): the legal connection log.
      -- seq keeps insertion order stable across VACUUM (ties in started_at).
      CREATE TABLE sessions (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        tenant_id TEXT NOT NULL REFERENCES tenants (id),
        nas_ip TEXT NOT NULL,
        acct_session_id TEXT NOT NULL,
        nas_identifier TEXT,
        identity_id TEXT,
        username TEXT NOT NULL,
        calling_station_id TEXT,
        called_station_id TEXT,
        ap_id TEXT,
        framed_ip TEXT,
        started_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        stopped_at INTEGER,
        session_time INTEGER NOT NULL CHECK (session_time >= 0),
        input_octets INTEGER NOT NULL CHECK (input_octets >= 0),
        output_octets INTEGER NOT NULL CHECK (output_octets >= 0),
        terminate_cause TEXT,
        status TEXT NOT NULL CHECK (status IN ('active', 'stopped')),
        CHECK ((status = 'active') = (stopped_at IS NULL)),
        UNIQUE (tenant_id, nas_ip, acct_session_id)
      ) STRICT;
      -- Active sessions are few, so partial indexes on them are cheap to keep;
      -- queries must spell status = 'active' literally to use them.
      CREATE INDEX sessions_active_by_identity ON sessions (identity_id, started_at) WHERE status = 'active';
      CREATE INDEX sessions_active_by_tenant ON sessions (tenant_id, started_at) WHERE status = 'active';
      CREATE INDEX sessions_active_by_start ON sessions (started_at) WHERE status = 'active';
      CREATE INDEX sessions_active_by_nas_ip ON sessions (tenant_id, nas_ip) WHERE status = 'active';
      CREATE INDEX sessions_active_by_nas_identifier ON sessions (tenant_id, nas_identifier) WHERE status = 'active';
      CREATE INDEX sessions_active_by_update ON sessions (updated_at) WHERE status = 'active';
      -- The whole log, newest first, per tenant, per identity, federation-wide.
      CREATE INDEX sessions_by_tenant ON sessions (tenant_id, started_at);
      CREATE INDEX sessions_by_identity ON sessions (identity_id, started_at);
      CREATE INDEX sessions_by_start ON sessions (started_at);
      -- usageSince: what an identity used since a date.
      CREATE INDEX sessions_by_identity_stop ON sessions (identity_id, stopped_at);

      -- Every Accounting-Request the NAS was acknowledged for, append-only.
      CREATE TABLE accounting_records (
        seq INTEGER PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants (id),
        status_type TEXT NOT NULL CHECK (status_type IN ('start', 'interim', 'stop', 'accounting-on', 'accounting-off')),
        acct_session_id TEXT NOT NULL,
        nas_ip TEXT NOT NULL,
        nas_identifier TEXT,
        username TEXT NOT NULL,
        identity_id TEXT,
        calling_station_id TEXT,
        called_station_id TEXT,
        ap_id TEXT,
        framed_ip TEXT,
        session_time INTEGER NOT NULL CHECK (session_time >= 0),
        input_octets INTEGER NOT NULL CHECK (input_octets >= 0),
        output_octets INTEGER NOT NULL CHECK (output_octets >= 0),
        terminate_cause TEXT,
        event_at INTEGER NOT NULL,
        received_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        tenant_id TEXT REFERENCES tenants (id),
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      ) STRICT;
      CREATE INDEX api_tokens_by_tenant ON api_tokens (tenant_id, created_at);

      -- No foreign key on tenant_id: the audit trail outlives what it describes.
      CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        tenant_id TEXT,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        before_json TEXT CHECK (before_json IS NULL OR json_valid(before_json)),
        after_json TEXT CHECK (after_json IS NULL OR json_valid(after_json))
      ) STRICT;
      CREATE INDEX audit_events_by_at ON audit_events (at);
      CREATE INDEX audit_events_by_tenant ON audit_events (tenant_id, at);
    `,
  },
  {
    version: 2,
    name: 'tenant portal settings',
    sql: `
      -- The captive portal's gateway settings (protocol, UAM secret, walled garden): one JSON document.
      ALTER TABLE tenants ADD COLUMN portal TEXT CHECK (portal IS NULL OR json_valid(portal));
    `,
  },
  {
    version: 3,
    name: 'provisioning: AP profiles, variables, config versions, enrolment, device credentials, agent state, secret rotations',
    sql: `
      -- How each AP is rendered; an AP registered without one (CLI) gets the defaults.
      CREATE TABLE ap_profiles (
        ap_id TEXT PRIMARY KEY REFERENCES access_points (id) ON DELETE CASCADE,
        tenant_id TEXT NOT NULL,
        profile TEXT NOT NULL CHECK (json_valid(profile)),
        updated_at INTEGER NOT NULL
      ) STRICT;

      -- scope: '' for the federation, else a tenant id.
      CREATE TABLE provisioning_variables (
        scope TEXT PRIMARY KEY,
        variables TEXT NOT NULL CHECK (json_valid(variables)),
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE config_versions (
        ap_id TEXT NOT NULL REFERENCES access_points (id) ON DELETE CASCADE,
        version INTEGER NOT NULL CHECK (version >= 1),
        tenant_id TEXT NOT NULL,
        checksum TEXT NOT NULL,
        secret_digest TEXT,
        bundle TEXT NOT NULL,
        reason TEXT NOT NULL,
        actor TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (ap_id, version)
      ) STRICT;

      -- One row per AP: its current version and what its agent last said.
      CREATE TABLE agent_states (
        ap_id TEXT PRIMARY KEY REFERENCES access_points (id) ON DELETE CASCADE,
        tenant_id TEXT NOT NULL,
        current_version INTEGER,
        status TEXT NOT NULL CHECK (status IN ('pending', 'applied', 'error')),
        applied_version INTEGER,
        applied_at INTEGER,
        error_version INTEGER,
        error_message TEXT,
        error_at INTEGER,
        last_seen_at INTEGER,
        agent_info TEXT CHECK (agent_info IS NULL OR json_valid(agent_info)),
        enrolled_at INTEGER
      ) STRICT;
      CREATE INDEX agent_states_by_tenant ON agent_states (tenant_id);

      -- One-time enrolment tokens, by sha256; a used one stays to tell a replay from an unknown token.
      CREATE TABLE enrolments (
        token_hash TEXT PRIMARY KEY,
        ap_id TEXT NOT NULL REFERENCES access_points (id) ON DELETE CASCADE,
        tenant_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      ) STRICT;
      CREATE INDEX enrolments_by_ap ON enrolments (ap_id);

      -- The device key (sha256) and client certificate an enrolment gave; re-enrolment replaces them.
      CREATE TABLE device_credentials (
        ap_id TEXT PRIMARY KEY REFERENCES access_points (id) ON DELETE CASCADE,
        tenant_id TEXT NOT NULL,
        key_hash TEXT NOT NULL UNIQUE,
        certificate_serial TEXT,
        certificate_not_after INTEGER,
        certificate_pem TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE secret_rotations (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        client_id TEXT NOT NULL REFERENCES radius_clients (id) ON DELETE CASCADE,
        new_secret TEXT NOT NULL,
        secret_digest TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        completed_at INTEGER
      ) STRICT;
      CREATE UNIQUE INDEX secret_rotations_one_open ON secret_rotations (client_id) WHERE completed_at IS NULL;
      CREATE INDEX secret_rotations_by_tenant ON secret_rotations (tenant_id, started_at);

      -- APs a rotation still waits for.
      CREATE TABLE secret_rotation_aps (
        rotation_id TEXT NOT NULL REFERENCES secret_rotations (id) ON DELETE CASCADE,
        ap_id TEXT NOT NULL REFERENCES access_points (id) ON DELETE CASCADE,
        PRIMARY KEY (rotation_id, ap_id)
      ) STRICT;
      CREATE INDEX secret_rotation_aps_by_ap ON secret_rotation_aps (ap_id);
    `,
  },
  {
    version: 4,
    name: 'legal connection log: NAS source address, NAT mappings, legal holds, erased-identity archive; inactivity notices',
    sql: `
      -- Where Disconnect/CoA go: the NAS's source address (RFC 5176 §3), NAS-IP-Address being private behind NAT.
      ALTER TABLE sessions ADD COLUMN nas_address TEXT;
      ALTER TABLE accounting_records ADD COLUMN nas_address TEXT;
      -- The purge walks ended sessions by end time, and accounting records by session key.
      CREATE INDEX sessions_stopped_by_stop ON sessions (stopped_at) WHERE status = 'stopped';
      CREATE INDEX sessions_by_framed_ip ON sessions (framed_ip, started_at) WHERE framed_ip IS NOT NULL;
      CREATE INDEX accounting_records_by_session ON accounting_records (tenant_id, nas_ip, acct_session_id);
      CREATE INDEX accounting_records_by_event ON accounting_records (event_at);

      -- NAT port blocks (RFC 8045 accounting, or a gateway's NAT log imported):
      -- who had public address P, ports [port_start, port_end], from started_at.
      CREATE TABLE nat_mappings (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        tenant_id TEXT NOT NULL REFERENCES tenants (id),
        session_id TEXT,
        internal_ip TEXT NOT NULL,
        public_ip TEXT NOT NULL,
        port_start INTEGER NOT NULL CHECK (port_start BETWEEN 0 AND 65535),
        port_end INTEGER NOT NULL CHECK (port_end BETWEEN port_start AND 65535),
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        source TEXT NOT NULL CHECK (source IN ('accounting', 'import')),
        UNIQUE (tenant_id, public_ip, port_start, started_at)
      ) STRICT;
      CREATE INDEX nat_mappings_by_public_ip ON nat_mappings (public_ip, started_at);
      CREATE INDEX nat_mappings_by_session ON nat_mappings (session_id) WHERE session_id IS NOT NULL;
      CREATE INDEX nat_mappings_unmatched_by_start ON nat_mappings (started_at) WHERE session_id IS NULL;

      -- Records named in a judicial request outlive the one-year purge until released.
      CREATE TABLE legal_holds (
        id TEXT PRIMARY KEY,
        tenant_id TEXT,
        reference TEXT NOT NULL,
        reason TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        released_at INTEGER,
        released_by TEXT
      ) STRICT;
      CREATE INDEX legal_holds_by_tenant ON legal_holds (tenant_id, created_at);
      CREATE TABLE legal_hold_sessions (
        hold_id TEXT NOT NULL REFERENCES legal_holds (id),
        session_id TEXT NOT NULL,
        PRIMARY KEY (hold_id, session_id)
      ) STRICT;
      CREATE INDEX legal_hold_sessions_by_session ON legal_hold_sessions (session_id);

      -- What an erased account leaves for the legal year (décret 2021-1362 art. 3).
      CREATE TABLE identity_archive (
        identity_id TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        email TEXT,
        created_at INTEGER NOT NULL,
        erased_at INTEGER NOT NULL,
        reason TEXT NOT NULL CHECK (reason IN ('citizen', 'inactivity', 'operator'))
      ) STRICT;
      CREATE INDEX identity_archive_by_erased ON identity_archive (erased_at);
      -- Erasure pseudonymises an identity's raw accounting records: found by identity, not by a scan.
      CREATE INDEX accounting_records_by_identity ON accounting_records (identity_id) WHERE identity_id IS NOT NULL;

      -- GDPR storage limitation: when the inactivity notice went out.
      ALTER TABLE identities ADD COLUMN inactivity_notice_at INTEGER;
      CREATE INDEX identities_by_activity ON identities (coalesce(last_seen_at, created_at)) WHERE inactivity_notice_at IS NULL;
      CREATE INDEX identities_noticed ON identities (inactivity_notice_at) WHERE inactivity_notice_at IS NOT NULL;
    `,
  },
  {
    version: 5,
    name: 'sessions: a key may come back after its session stopped (RFC 2866 §5.5); one active session per key',
    sql: `
      -- SQLite cannot drop an inline UNIQUE: the table is rebuilt (https://sqlite.org/lang_altertable.html,
      -- "Making Other Kinds Of Table Schema Changes"), inside the migration's transaction. No table
      -- references sessions by a foreign key, so the rebuild needs foreign keys neither off nor checked.
      CREATE TABLE sessions_v5 (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        tenant_id TEXT NOT NULL REFERENCES tenants (id),
        nas_ip TEXT NOT NULL,
        acct_session_id TEXT NOT NULL,
        nas_identifier TEXT,
        identity_id TEXT,
        username TEXT NOT NULL,
        calling_station_id TEXT,
        called_station_id TEXT,
        ap_id TEXT,
        framed_ip TEXT,
        started_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        stopped_at INTEGER,
        session_time INTEGER NOT NULL CHECK (session_time >= 0),
        input_octets INTEGER NOT NULL CHECK (input_octets >= 0),
        output_octets INTEGER NOT NULL CHECK (output_octets >= 0),
        terminate_cause TEXT,
        status TEXT NOT NULL CHECK (status IN ('active', 'stopped')),
        nas_address TEXT,
        CHECK ((status = 'active') = (stopped_at IS NULL))
      ) STRICT;
      INSERT INTO sessions_v5 (seq, id, tenant_id, nas_ip, acct_session_id, nas_identifier, identity_id, username,
        calling_station_id, called_station_id, ap_id, framed_ip, started_at, updated_at, stopped_at, session_time,
        input_octets, output_octets, terminate_cause, status, nas_address)
      SELECT seq, id, tenant_id, nas_ip, acct_session_id, nas_identifier, identity_id, username,
        calling_station_id, called_station_id, ap_id, framed_ip, started_at, updated_at, stopped_at, session_time,
        input_octets, output_octets, terminate_cause, status, nas_address
      FROM sessions;
      DROP TABLE sessions;
      ALTER TABLE sessions_v5 RENAME TO sessions;

      -- A NAS may reuse an Acct-Session-Id once its session stopped (many restart their counter
      -- on reboot): the key is unique among active sessions only. Accounting finds a key's
      -- latest session by the second index (rowid, i.e. seq, breaks ties in started_at).
      CREATE UNIQUE INDEX sessions_active_key ON sessions (tenant_id, nas_ip, acct_session_id) WHERE status = 'active';
      CREATE INDEX sessions_by_key ON sessions (tenant_id, nas_ip, acct_session_id, started_at);
      -- Every index migrations 1 and 4 made, as they were.
      CREATE INDEX sessions_active_by_identity ON sessions (identity_id, started_at) WHERE status = 'active';
      CREATE INDEX sessions_active_by_tenant ON sessions (tenant_id, started_at) WHERE status = 'active';
      CREATE INDEX sessions_active_by_start ON sessions (started_at) WHERE status = 'active';
      CREATE INDEX sessions_active_by_nas_ip ON sessions (tenant_id, nas_ip) WHERE status = 'active';
      CREATE INDEX sessions_active_by_nas_identifier ON sessions (tenant_id, nas_identifier) WHERE status = 'active';
      CREATE INDEX sessions_active_by_update ON sessions (updated_at) WHERE status = 'active';
      CREATE INDEX sessions_by_tenant ON sessions (tenant_id, started_at);
      CREATE INDEX sessions_by_identity ON sessions (identity_id, started_at);
      CREATE INDEX sessions_by_start ON sessions (started_at);
      CREATE INDEX sessions_by_identity_stop ON sessions (identity_id, stopped_at);
      CREATE INDEX sessions_stopped_by_stop ON sessions (stopped_at) WHERE status = 'stopped';
      CREATE INDEX sessions_by_framed_ip ON sessions (framed_ip, started_at) WHERE framed_ip IS NOT NULL;
    `,
  },
];

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database to the latest version in one IMMEDIATE transaction (a
 * second process opening the same file waits, then finds nothing to do).
 * Refuses a database written by newer code: running old code on a newer
 * schema could silently lose what the new columns mean.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration #${i} has version ${m.version}, expected ${i + 1}`);
  });
  const latest = migrations.length;
  const run = db.transaction(() => {
    const from = schemaVersion(db);
    if (from > latest) {
      throw new AppError(E.NOT_READY, {
        reason: `the database schema is version ${from}, newer than this release supports (${latest}); upgrade wfc`,
      });
    }
    for (const m of migrations.slice(from)) {
      db.exec(m.sql);
      // PRAGMA takes no bound parameters; the version is an integer from the list above.
      db.pragma(`user_version = ${m.version}`);
    }
    return { from, to: Math.max(from, latest) };
  });
  return run.immediate();
}
