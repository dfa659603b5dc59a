/**
 * What municipal IT does to access points through the API: register,
 * change, remove, re-enrol; publish, roll back; set variables; rotate a
 * RADIUS secret. Each change renders the affected APs first (pure), then
 * makes ONE store call, which writes the change, the new versions and the
 * audit events in one transaction; then waiting agents are woken.
 */
import type { Tenant } from '../controller/domain/entities.js';
import type { FieldIssue } from '../controller/domain/validation.js';
import { AppError, E, validationError } from '../controller/errors.js';
import type { ConfigDraft, ConfigVersionSummary, Enrolment, ProvisionedAp, Published, SecretRotation, Variables } from '../controller/ports/provisioning.js';
import { newRadiusSecret, newToken, tokenDigest } from '../controller/security/tokens.js';
import type { ProvisioningDeps } from './deps.js';
import type { Publisher} from './publisher.js';
import { type TenantContext } from './publisher.js';
import { asInput, parseApInput, parsePatch, type ApInput } from './schemas.js';
import { partialVariablesSchema } from './render/variables.js';
import { issuesOf } from './render/issues.js';
import type { WriteLock } from './write-lock.js';

export const ENROLMENT_PREFIX = 'wfce';

export interface IssuedEnrolment {
  /** Shown once; only its sha256 is stored. */
  readonly token: string;
  readonly expiresAt: Date;
}

export interface RenderProblem {
  readonly apId: string;
  readonly issues: readonly FieldIssue[];
}

const bareMac = (mac: string): string => mac.replace(/:/g, '');

/** A stand-in for an AP not written yet: rendering reads its fields, never its id. */
function pending(tenant: Tenant, input: ApInput): ProvisionedAp {
  const at = new Date(0);
  return { ap: { id: 'pending', tenantId: tenant.id, ...input.ap, createdAt: at, updatedAt: at }, profile: input.profile };
}

export class AccessPointService {
  constructor(
    private readonly deps: ProvisioningDeps,
    private readonly publisher: Publisher,
    private readonly lock: WriteLock,
  ) {}

  private newEnrolment(): { token: string; enrolment: { tokenHash: string; expiresAt: Date } } {
    const token = newToken(ENROLMENT_PREFIX);
    const expiresAt = new Date(this.deps.clock.now().getTime() + this.deps.settings.enrolmentTtlSeconds * 1000);
    return { token, enrolment: { tokenHash: tokenDigest(token), expiresAt } };
  }

  private checkClient(ctx: TenantContext, input: ApInput): void {
    const id = input.profile.radiusClientId;
    if (id !== null && !ctx.clients.some((c) => c.id === id)) throw validationError([{ field: 'radiusClientId', message: 'not a RADIUS client of this municipality' }]);
  }

  /** Validates without writing: for imports' dry runs and the create path alike. */
  prepare(tenant: Tenant, body: unknown): ApInput {
    const input = parseApInput(body);
    const explicitNasId = typeof body === 'object' && body !== null && 'nasIdentifier' in body;
    // The RADIUS server finds an AP by NAS-Identifier: give each a stable one unless told otherwise.
    return explicitNasId ? input : { ...input, ap: { ...input.ap, nasIdentifier: `${tenant.slug}-${bareMac(input.ap.mac)}` } };
  }

  async create(
    tenant: Tenant,
    body: unknown,
    actor: string,
    reason = 'ap.create',
  ): Promise<{ provisioned: ProvisionedAp; enrolment: IssuedEnrolment; published: Published | null; renderIssues: readonly FieldIssue[] }> {
    const input = this.prepare(tenant, body);
    return this.lock.run(async () => {
      const ctx = await this.publisher.context(tenant);
      this.checkClient(ctx, input);
      const d = this.publisher.draft(ctx, pending(tenant, input), reason);
      const { token, enrolment } = this.newEnrolment();
      const r = await this.deps.provisioning.registry.create({ tenantId: tenant.id, ap: input.ap, profile: input.profile, enrolment, draft: d.ok ? d.draft : null, actor });
      if (r.published && d.ok) await this.publisher.announce(tenant, [r.published], [{ apId: r.provisioned.ap.id, draft: d.draft }]);
      return { provisioned: r.provisioned, enrolment: { token, expiresAt: enrolment.expiresAt }, published: r.published, renderIssues: d.ok ? [] : d.issues };
    });
  }

  async update(tenant: Tenant, id: string, body: unknown, actor: string): Promise<{ provisioned: ProvisionedAp; published: Published | null; renderIssues: readonly FieldIssue[] }> {
    return this.lock.run(async () => {
      const cur = await this.publisher.requireAp(tenant.id, id);
      const input = parsePatch(asInput(cur.ap, cur.profile), body);
      const ctx = await this.publisher.context(tenant);
      this.checkClient(ctx, input);
      const d = this.publisher.draft(ctx, { ap: { ...cur.ap, ...input.ap }, profile: input.profile }, 'ap.update');
      const r = await this.deps.provisioning.registry.update({ tenantId: tenant.id, id, ap: input.ap, profile: input.profile, draft: d.ok ? d.draft : null, actor });
      if (r.published && d.ok) await this.publisher.announce(tenant, [r.published], [{ apId: id, draft: d.draft }]);
      return { provisioned: r.provisioned, published: r.published, renderIssues: d.ok ? [] : d.issues };
    });
  }

  async delete(tenant: Tenant, id: string, actor: string): Promise<void> {
    await this.lock.run(() => this.deps.provisioning.registry.delete({ tenantId: tenant.id, id, actor }));
  }

  async issueEnrolment(tenant: Tenant, id: string, actor: string): Promise<IssuedEnrolment & { enrolment: Enrolment }> {
    const { token, enrolment } = this.newEnrolment();
    const e = await this.deps.provisioning.enrolments.issue({ tenantId: tenant.id, apId: id, enrolment, actor });
    return { token, expiresAt: enrolment.expiresAt, enrolment: e };
  }

  /** Renders the given APs (all of the tenant's when null) from current settings; publishes what changed. */
  async republish(tenant: Tenant, ids: readonly string[] | null, actor: string, reason = 'republish'): Promise<{ published: Published[]; problems: RenderProblem[] }> {
    return this.lock.run(async () => {
      const all = await this.deps.provisioning.registry.list(tenant.id);
      const aps = ids === null ? all : all.filter((p) => ids.includes(p.ap.id));
      if (ids !== null && aps.length !== ids.length) throw new AppError(E.AP_NOT_FOUND, { ap: ids.find((i) => !aps.some((p) => p.ap.id === i)) ?? '' });
      const ctx = await this.publisher.context(tenant);
      const { drafts, problems } = this.publisher.drafts(ctx, aps, reason);
      const published = drafts.length ? await this.deps.provisioning.versions.publish({ tenantId: tenant.id, drafts, actor }) : [];
      await this.publisher.announce(tenant, published, drafts);
      return { published, problems };
    });
  }

  /** Republishes an old version's content as a new version (the next change re-renders from settings). */
  async rollback(tenant: Tenant, id: string, version: number, actor: string): Promise<{ published: ConfigVersionSummary | null }> {
    return this.lock.run(async () => {
      await this.publisher.requireAp(tenant.id, id);
      const old = await this.deps.provisioning.versions.get(tenant.id, id, version);
      if (!old) throw new AppError(E.CONFIG_VERSION_NOT_FOUND, { ap: id, version });
      const drafts = [{ apId: id, draft: { bundle: old.bundle, checksum: old.checksum, reason: `rollback:${version}`, secretDigest: old.secretDigest } }];
      const [published] = await this.deps.provisioning.versions.publish({ tenantId: tenant.id, drafts, actor });
      await this.publisher.announce(tenant, published ? [published] : [], drafts);
      return { published: published ?? null };
    });
  }

  /** Replaces a level's variables (null tenant: the federation's) and republishes every AP they reach. */
  async setVariables(tenant: Tenant | null, body: unknown, actor: string): Promise<{ variables: Variables; published: Published[]; problems: RenderProblem[] }> {
    const parsed = partialVariablesSchema.safeParse(body ?? undefined);
    if (!parsed.success) throw validationError(issuesOf(parsed.error));
    const variables = parsed.data as Variables;
    return this.lock.run(async () => {
      const tenants = tenant ? [tenant] : await this.deps.stores.tenants.list();
      const drafts: Array<{ apId: string; draft: ConfigDraft }> = [];
      const problems: RenderProblem[] = [];
      for (const t of tenants) {
        const ctx = await this.publisher.context(t, tenant ? { municipalityVariables: variables } : { federationVariables: variables });
        const out = this.publisher.drafts(ctx, await this.deps.provisioning.registry.list(t.id), 'variables');
        drafts.push(...out.drafts);
        problems.push(...out.problems);
      }
      const published = await this.deps.provisioning.variables.set({ tenantId: tenant?.id ?? null, variables, drafts, actor });
      const slugs = new Map(tenants.map((t) => [t.id, t]));
      for (const [tenantId, group] of groupBy(published, (v) => v.tenantId)) await this.publisher.announce(slugs.get(tenantId) ?? null, group, drafts);
      return { variables, published, problems };
    });
  }

  /** Starts rolling a new secret out to the APs of one RADIUS client; the old one stays valid meanwhile. */
  async startRotation(tenant: Tenant, clientId: string, actor: string): Promise<{ rotation: SecretRotation; newSecret: string; published: Published[]; problems: RenderProblem[] }> {
    return this.lock.run(async () => {
      const ctx = await this.publisher.context(tenant);
      const client = ctx.clients.find((c) => c.id === clientId);
      if (!client) throw new AppError(E.CLIENT_NOT_FOUND, { client: clientId });
      if (ctx.rotations.some((r) => r.clientId === clientId)) throw new AppError(E.ROTATION_IN_PROGRESS, { client: clientId });
      const users = (await this.deps.provisioning.registry.list(tenant.id)).filter((p) => this.publisher.clientOf(ctx, p)?.id === clientId);
      const secret = newRadiusSecret() + newRadiusSecret().slice(0, 8);
      const { drafts, problems } = this.publisher.drafts(ctx, users, 'rotation', { secret: { clientId, value: secret } });
      const r = await this.deps.provisioning.rotations.start({ tenantId: tenant.id, clientId, newSecret: secret, drafts, actor });
      await this.publisher.announce(tenant, r.published, drafts);
      return { rotation: r.rotation, newSecret: secret, published: r.published, problems };
    });
  }
}

function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const i of items) {
    const k = key(i);
    const list = m.get(k);
    if (list) list.push(i);
    else m.set(k, [i]);
  }
  return m;
}
