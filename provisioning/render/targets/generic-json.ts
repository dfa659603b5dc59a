/**
 * Any other firmware: the neutral model itself as canonical JSON (keys
 * sorted at every level, two-space indent), for a vendor agent to map.
 */
import type { BundleFile } from '../bundle.js';
import type { NeutralModel } from '../model.js';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

export function renderGenericJson(m: NeutralModel): BundleFile[] {
  return [{ path: 'etc/wfc/config.json', content: canonicalJson(m) + '\n' }];
}
