/**
 * Bulk import from CSV with a per-row report, and the inventory export as
 * CSV and GeoJSON (RFC 7946) with the fields the WiFi4EU installation report
 * asks for each access point: identifier, MAC address, serial number,
 * manufacturer, model, indoor/outdoor, coordinates, location, SSID and
 * installation date, under the municipality's WiFi4EU network id.
 */
import type { Tenant } from '../controller/domain/entities.js';
import type { FieldIssue } from '../controller/domain/validation.js';
import { parseMac } from '../controller/domain/mac.js';
import { isAppError, validationError } from '../controller/errors.js';
import type { AgentState, ProvisionedAp } from '../controller/ports/provisioning.js';
import type { AccessPointService } from './access-points.js';
import { formatCsv, parseCsv } from './csv.js';
import type { ProvisioningDeps } from './deps.js';
import type { Publisher } from './publisher.js';

/** CSV column → API field. Headers are matched case-insensitively; camelCase is accepted too. */
const IMPORT_COLUMNS: Record<string, string> = {
  mac: 'mac',
  name: 'name',
  model: 'model',
  serial: 'serial',
  vendor: 'vendor',
  site: 'site',
  latitude: 'latitude',
  longitude: 'longitude',
  placement: 'placement',
  nas_identifier: 'nasIdentifier',
  nasidentifier: 'nasIdentifier',
  firmware: 'firmware',
  gateway: 'gateway',
  bands: 'bands',
};

export const MAX_IMPORT_ROWS = 5000;

export interface ImportRow {
  readonly line: number;
  readonly mac: string | null;
  readonly status: 'created' | 'valid' | 'error';
  readonly id: string | null;
  readonly enrolmentToken: string | null;
  readonly enrolmentExpiresAt: string | null;
  readonly errors: readonly FieldIssue[];
}

function rowBody(header: readonly string[], cells: readonly string[]): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  header.forEach((field, i) => {
    const raw = (cells[i] ?? '').trim();
    if (raw === '') return;
    if (field === 'latitude' || field === 'longitude') body[field] = /^-?\d+(?:\.\d+)?$/.test(raw) ? Number(raw) : raw;
    else if (field === 'bands') body[field] = raw.split(/[\s;|]+/).filter(Boolean);
    else body[field] = raw;
  });
  return body;
}

export async function importCsv(
  deps: ProvisioningDeps,
  service: AccessPointService,
  tenant: Tenant,
  text: string,
  opts: { dryRun: boolean; actor: string },
): Promise<{ created: number; failed: number; rows: ImportRow[] }> {
  const parsed = parseCsv(text);
  if (!parsed.ok) throw validationError([{ field: `line ${parsed.line}`, message: parsed.reason }]);
  const [head, ...data] = parsed.rows;
  if (!head) throw validationError([{ field: '(body)', message: 'an empty CSV: the first line names the columns' }]);
  const header: string[] = [];
  const issues: FieldIssue[] = [];
  for (const h of head) {
    const field = IMPORT_COLUMNS[h.trim().toLowerCase()];
    if (!field) issues.push({ field: `columns.${h.trim()}`, message: `unknown column; known: ${Object.keys(IMPORT_COLUMNS).filter((k) => k !== 'nasidentifier').join(', ')}` });
    else if (header.includes(field)) issues.push({ field: `columns.${h.trim()}`, message: 'column given twice' });
    header.push(field ?? '');
  }
  for (const required of ['mac', 'name']) if (!header.includes(required)) issues.push({ field: `columns.${required}`, message: 'required column missing' });
  if (data.length > MAX_IMPORT_ROWS) issues.push({ field: '(body)', message: `at most ${MAX_IMPORT_ROWS} rows per import` });
  if (issues.length) throw validationError(issues);

  const rows: ImportRow[] = [];
  const seen = new Map<string, number>();
  let line = 1;
  for (const cells of data) {
    line++;
    const body = rowBody(header, cells);
    const macText = typeof body.mac === 'string' ? body.mac : null;
    const mac = macText ? parseMac(macText) : null;
    const base = { line, mac: mac ?? macText, id: null, enrolmentToken: null, enrolmentExpiresAt: null };
    if (cells.length !== head.length) {
      rows.push({ ...base, status: 'error', errors: [{ field: '(row)', message: `${cells.length} cells for ${head.length} columns` }] });
      continue;
    }
    const dup = mac ? seen.get(mac) : undefined;
    if (mac && dup !== undefined) {
      rows.push({ ...base, status: 'error', errors: [{ field: 'mac', message: `the same MAC as line ${dup}` }] });
      continue;
    }
    if (mac) seen.set(mac, line);
    try {
      if (opts.dryRun) {
        const input = service.prepare(tenant, body);
        if (await deps.stores.accessPoints.findByMac(input.ap.mac)) throw validationError([{ field: 'mac', message: 'already registered in the federation' }]);
        rows.push({ ...base, status: 'valid', errors: [] });
      } else {
        // One transaction per row: a bad row leaves the others registered.
        const r = await service.create(tenant, body, opts.actor, 'import');
        rows.push({ ...base, status: 'created', id: r.provisioned.ap.id, enrolmentToken: r.enrolment.token, enrolmentExpiresAt: r.enrolment.expiresAt.toISOString(), errors: [] });
      }
    } catch (e) {
      if (!isAppError(e)) throw e;
      rows.push({ ...base, status: 'error', errors: e.fields.length ? e.fields : [{ field: e.code === 'WFC_AP_EXISTS' ? 'mac' : '(row)', message: e.message }] });
    }
  }
  return { created: rows.filter((r) => r.status === 'created').length, failed: rows.filter((r) => r.status === 'error').length, rows };
}

export interface InventoryItem {
  readonly p: ProvisionedAp;
  readonly state: AgentState | null;
  readonly online: boolean;
  readonly lastSeenAt: Date | null;
}

const EXPORT_COLUMNS = [
  'wifi4eu_network_id',
  'municipality',
  'insee_code',
  'access_point_id',
  'name',
  'mac_address',
  'serial_number',
  'manufacturer',
  'model',
  'indoor_outdoor',
  'latitude',
  'longitude',
  'location',
  'ssids',
  'installation_date',
  'online',
  'last_seen',
  'config_version',
  'config_status',
] as const;

function record(tenant: Tenant, publisher: Publisher, ctx: Awaited<ReturnType<Publisher['context']>>, i: InventoryItem) {
  const r = publisher.render(ctx, i.p);
  const ssids = r.ok ? [...new Set(r.model.ssids.map((s) => s.ssid))].join(';') : '';
  const { ap, profile } = i.p;
  return {
    wifi4eu_network_id: tenant.wifi4eu?.networkId ?? null,
    municipality: tenant.name,
    insee_code: tenant.inseeCode,
    access_point_id: ap.nasIdentifier ?? ap.id,
    name: ap.name,
    mac_address: ap.mac,
    serial_number: ap.serial,
    manufacturer: profile.vendor,
    model: ap.model,
    indoor_outdoor: ap.placement,
    latitude: ap.latitude,
    longitude: ap.longitude,
    location: ap.site,
    ssids,
    installation_date: ap.createdAt.toISOString().slice(0, 10),
    online: i.online ? 'yes' : 'no',
    last_seen: i.lastSeenAt?.toISOString() ?? null,
    config_version: i.state?.currentVersion ?? null,
    config_status: i.state?.status ?? 'pending',
  };
}

export async function exportInventory(publisher: Publisher, tenant: Tenant, items: readonly InventoryItem[], format: 'csv' | 'geojson'): Promise<string> {
  const ctx = await publisher.context(tenant);
  const records = items.map((i) => record(tenant, publisher, ctx, i));
  if (format === 'csv') return formatCsv(EXPORT_COLUMNS, records.map((r) => EXPORT_COLUMNS.map((c) => r[c])));
  return (
    JSON.stringify(
      {
        type: 'FeatureCollection',
        features: records.map((r, n) => ({
          type: 'Feature',
          id: items[n]!.p.ap.id,
          // RFC 7946 §3.1.1: longitude first; an AP without coordinates has no geometry (§3.2).
          geometry: r.latitude !== null && r.longitude !== null ? { type: 'Point', coordinates: [r.longitude, r.latitude] } : null,
          properties: r,
        })),
      },
      null,
      2,
    ) + '\n'
  );
}
