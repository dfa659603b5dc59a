import type { Tenant } from '../../domain/entities.js';
import { AppError, E } from '../../errors.js';
import type { NewTenant, TenantStore } from '../../ports/stores.js';
import type { TenantRow as Row } from '../rows.js';
import { ms, toTenant, type SqliteColumns } from './columns.js';
import { uniqueViolation } from './constraints.js';
import type { SqliteDatabase } from './database.js';
import type { SqliteDeps } from './deps.js';
import { applyTenantPatch } from '../entity-rules.js';

type TenantRow = Row<SqliteColumns>;

const COLUMNS = 'id, slug, name, insee_code, branding, policy, wifi4eu, portal, created_at, updated_at';

function toRow(t: Tenant): TenantRow {
  return {
    id: t.id,
    slug: t.slug,
    name: t.name,
    insee_code: t.inseeCode,
    branding: JSON.stringify(t.branding),
    policy: JSON.stringify(t.policy),
    wifi4eu: t.wifi4eu === null ? null : JSON.stringify(t.wifi4eu),
    portal: t.portal === null ? null : JSON.stringify(t.portal),
    created_at: ms(t.createdAt),
    updated_at: ms(t.updatedAt),
  };
}

/** Lists are ordered by slug. */
export function createSqliteTenantStore(db: SqliteDatabase, deps: SqliteDeps): TenantStore {
  const insert = db.prepare<[TenantRow]>(
    `INSERT INTO tenants (${COLUMNS}) VALUES (@id, @slug, @name, @insee_code, @branding, @policy, @wifi4eu, @portal, @created_at, @updated_at)`,
  );
  const byId = db.prepare<[string], TenantRow>(`SELECT ${COLUMNS} FROM tenants WHERE id = ?`);
  const bySlug = db.prepare<[string], TenantRow>(`SELECT ${COLUMNS} FROM tenants WHERE slug = ?`);
  const all = db.prepare<[], TenantRow>(`SELECT ${COLUMNS} FROM tenants ORDER BY slug`);
  const replace = db.prepare<[TenantRow]>(
    `UPDATE tenants SET name = @name, insee_code = @insee_code, branding = @branding, policy = @policy,
       wifi4eu = @wifi4eu, portal = @portal, updated_at = @updated_at WHERE id = @id`,
  );
  const update = db.transaction((id: string, patch: Partial<Omit<NewTenant, 'slug'>>): Tenant => {
    const row = byId.get(id);
    if (!row) throw new AppError(E.TENANT_NOT_FOUND, { tenant: id });
    const cur = toTenant(row);
    const next = applyTenantPatch(cur, patch, deps.clock.now());
    replace.run(toRow(next));
    return next;
  });

  return {
    async create(t) {
      const now = deps.clock.now();
      const tenant: Tenant = { id: deps.newId(), ...pickNewTenant(t), createdAt: now, updatedAt: now };
      try {
        insert.run(toRow(tenant));
      } catch (e) {
        if (uniqueViolation(e) === 'tenants.slug') throw new AppError(E.TENANT_EXISTS, { slug: t.slug });
        throw e;
      }
      return tenant;
    },
    async get(id) {
      const row = byId.get(id);
      return row ? toTenant(row) : null;
    },
    async getBySlug(slug) {
      const row = bySlug.get(slug);
      return row ? toTenant(row) : null;
    },
    async list() {
      return all.all().map(toTenant);
    },
    async update(id, patch) {
      return update.immediate(id, patch);
    },
  };
}

/** Only the port's fields: callers may pass a wider object. */
function pickNewTenant(t: NewTenant): Omit<Tenant, 'id' | 'createdAt' | 'updatedAt'> {
  return { slug: t.slug, name: t.name, inseeCode: t.inseeCode, branding: t.branding, policy: t.policy, wifi4eu: t.wifi4eu, portal: t.portal ?? null };
}
