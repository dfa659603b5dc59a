import type { Tenant } from '../../domain/entities.js';
import { AppError, E } from '../../errors.js';
import type { NewTenant, TenantStore } from '../../ports/stores.js';
import type { TenantRow as Row } from '../rows.js';
import { json, storable, toTenant, type PgColumns } from './columns.js';
import { uniqueViolation } from './constraints.js';
import type { PgDatabase } from './database.js';
import type { PgDeps } from './deps.js';
import { applyTenantPatch } from '../entity-rules.js';

type TenantRow = Row<PgColumns>;

const COLUMNS = 'id, slug, name, insee_code, branding, policy, wifi4eu, portal, created_at, updated_at';

/** Bind values in COLUMNS order; JSON goes as text and is cast to jsonb by the statement. */
function values(t: Tenant): unknown[] {
  return [t.id, t.slug, t.name, t.inseeCode, json(t.branding), json(t.policy), json(t.wifi4eu), json(t.portal), t.createdAt, t.updatedAt];
}

/** Lists are ordered by slug (byte order). */
export function createPgTenantStore(db: PgDatabase, deps: PgDeps): TenantStore {
  const tenants = db.table('tenants');
  const insert = `INSERT INTO ${tenants} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8::jsonb, $9, $10)`;
  const replace = `UPDATE ${tenants} SET name = $2, insee_code = $3, branding = $4::jsonb, policy = $5::jsonb,
    wifi4eu = $6::jsonb, portal = $7::jsonb, updated_at = $8 WHERE id = $1`;

  const one = async (where: string, value: string): Promise<Tenant | null> => {
    if (!storable(value)) return null;
    const { rows } = await db.query<TenantRow>(`SELECT ${COLUMNS} FROM ${tenants} WHERE ${where} = $1`, [value]);
    return rows[0] ? toTenant(rows[0]) : null;
  };

  return {
    async create(t) {
      const now = deps.clock.now();
      const tenant: Tenant = { id: deps.newId(), ...pickNewTenant(t), createdAt: now, updatedAt: now };
      try {
        await db.query(insert, values(tenant));
      } catch (e) {
        if (uniqueViolation(e) === 'tenants_slug_key') throw new AppError(E.TENANT_EXISTS, { slug: t.slug });
        throw e;
      }
      return tenant;
    },
    get: (id) => one('id', id),
    getBySlug: (slug) => one('slug', slug),
    async list() {
      const { rows } = await db.query<TenantRow>(`SELECT ${COLUMNS} FROM ${tenants} ORDER BY slug`);
      return rows.map(toTenant);
    },
    async update(id, patch) {
      if (!storable(id)) throw new AppError(E.TENANT_NOT_FOUND, { tenant: id });
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<TenantRow>(`SELECT ${COLUMNS} FROM ${tenants} WHERE id = $1 FOR UPDATE`, [id]);
        if (!rows[0]) throw new AppError(E.TENANT_NOT_FOUND, { tenant: id });
        const cur = toTenant(rows[0]);
        const next = applyTenantPatch(cur, patch, deps.clock.now());
        await tx.query(replace, [
          next.id,
          next.name,
          next.inseeCode,
          json(next.branding),
          json(next.policy),
          json(next.wifi4eu),
          json(next.portal),
          next.updatedAt,
        ]);
        return next;
      });
    },
  };
}

/** Only the port's fields: callers may pass a wider object. */
function pickNewTenant(t: NewTenant): Omit<Tenant, 'id' | 'createdAt' | 'updatedAt'> {
  return { slug: t.slug, name: t.name, inseeCode: t.inseeCode, branding: t.branding, policy: t.policy, wifi4eu: t.wifi4eu, portal: t.portal ?? null };
}
