/**
 * From stored settings to configuration drafts: gathers what the render
 * pipeline needs (federation, municipality, variables, the RADIUS client's
 * secret, or the new one while a rotation rolls it out), renders, and
 * after a publish tells every node so waiting agents wake up.
 */
import type { RadiusClient, Tenant } from '../controller/domain/entities.js';
import type { FieldIssue } from '../controller/domain/validation.js';
import { AppError, E } from '../controller/errors.js';
import type { ConfigDraft, ConfigVersion, Firmware, ProvisionedAp, Published, SecretRotation, Variables } from '../controller/ports/provisioning.js';
import type { ProvisioningDeps } from './deps.js';
import { render, type RenderInput, type RenderResult } from './render/pipeline.js';

/** What is shared by every AP of one municipality when rendering them together. */
export interface TenantContext {
  readonly tenant: Tenant;
  readonly federation: { readonly name: string; readonly realm: string };
  readonly variables: { readonly federation: Variables; readonly municipality: Variables };
  readonly clients: readonly RadiusClient[];
  readonly rotations: readonly SecretRotation[];
}

export interface Overrides {
  readonly federationVariables?: Variables;
  readonly municipalityVariables?: Variables;
  /** Render with this secret for this client (a rotation being started). */
  readonly secret?: { readonly clientId: string; readonly value: string };
}

export type DraftOutcome = { readonly ok: true; readonly draft: ConfigDraft } | { readonly ok: false; readonly issues: FieldIssue[] };

/** The reason label of the metrics: bounded, unlike `rollback:3`. */
export const reasonKind = (reason: string): string => reason.split(':')[0]!;

export class Publisher {
  constructor(private readonly deps: ProvisioningDeps) {}

  async context(tenant: Tenant, over: Overrides = {}): Promise<TenantContext> {
    const { stores, provisioning } = this.deps;
    const federation = (await stores.federation.get()) ?? { name: 'Wi-Fi federation', realm: 'invalid' };
    return {
      tenant,
      federation,
      variables: {
        federation: over.federationVariables ?? (await provisioning.variables.get(null)),
        municipality: over.municipalityVariables ?? (await provisioning.variables.get(tenant.id)),
      },
      clients: await stores.clients.list(tenant.id),
      rotations: await provisioning.rotations.open(tenant.id),
    };
  }

  /** The client whose secret the AP uses: its own choice, else the municipality's first by name. */
  clientOf(ctx: TenantContext, p: ProvisionedAp): RadiusClient | null {
    if (p.profile.radiusClientId !== null) return ctx.clients.find((c) => c.id === p.profile.radiusClientId) ?? null;
    return ctx.clients[0] ?? null;
  }

  /**
   * The municipality-level render inputs of a context, built once: every AP
   * of a batch then passes the same objects, which lets the pipeline reuse
   * the part of the model they determine.
   */
  private readonly parts = new WeakMap<TenantContext, Pick<RenderInput, 'federation' | 'tenant' | 'variables'>>();

  private partsOf(ctx: TenantContext): Pick<RenderInput, 'federation' | 'tenant' | 'variables'> {
    let p = this.parts.get(ctx);
    if (!p) {
      const t = ctx.tenant;
      p = {
        federation: { name: ctx.federation.name, realm: ctx.federation.realm },
        tenant: {
          slug: t.slug,
          name: t.name,
          inseeCode: t.inseeCode,
          displayName: t.branding.displayName,
          policy: t.policy,
          portal: t.portal ?? null,
          wifi4eu: t.wifi4eu !== null,
        },
        variables: ctx.variables,
      };
      this.parts.set(ctx, p);
    }
    return p;
  }

  input(ctx: TenantContext, p: ProvisionedAp, over: Overrides = {}): RenderInput {
    const client = this.clientOf(ctx, p);
    let secret: string | null = client?.secret ?? null;
    if (client) {
      const rotating = ctx.rotations.find((r) => r.clientId === client.id);
      if (rotating) secret = rotating.newSecret;
      if (over.secret?.clientId === client.id) secret = over.secret.value;
    }
    const shared = this.partsOf(ctx);
    return {
      federation: shared.federation,
      tenant: shared.tenant,
      ap: {
        mac: p.ap.mac,
        name: p.ap.name,
        site: p.ap.site,
        placement: p.ap.placement,
        latitude: p.ap.latitude,
        longitude: p.ap.longitude,
        nasIdentifier: p.ap.nasIdentifier,
      },
      profile: p.profile,
      radius: { servers: this.deps.settings.radiusServers, secret },
      variables: shared.variables,
      portalBaseUrl: this.deps.settings.portalBaseUrl,
    };
  }

  render(ctx: TenantContext, p: ProvisionedAp, over: Overrides = {}, firmware?: Firmware): RenderResult {
    return render(this.input(ctx, p, over), firmware);
  }

  draft(ctx: TenantContext, p: ProvisionedAp, reason: string, over: Overrides = {}): DraftOutcome {
    const r = this.render(ctx, p, over);
    if (!r.ok) return r;
    return { ok: true, draft: { bundle: r.bundle, checksum: r.checksum, reason, secretDigest: r.secretDigest } };
  }

  /** Drafts for a set of APs, and the issues of those that cannot be rendered. */
  drafts(ctx: TenantContext, aps: readonly ProvisionedAp[], reason: string, over: Overrides = {}) {
    const drafts: Array<{ apId: string; draft: ConfigDraft }> = [];
    const problems: Array<{ apId: string; issues: FieldIssue[] }> = [];
    for (const p of aps) {
      const d = this.draft(ctx, p, reason, over);
      if (d.ok) drafts.push({ apId: p.ap.id, draft: d.draft });
      else problems.push({ apId: p.ap.id, issues: d.issues });
    }
    return { drafts, problems };
  }

  /** Given the versions this node just published, with their bundles (the runtime hands them to the agent service). */
  onPublished: ((versions: ConfigVersion[]) => void) | null = null;

  /** Counts, then tells every node: agents long-polling for these APs answer now. */
  async announce(tenant: Pick<Tenant, 'slug'> | null, published: readonly Published[], drafts: ReadonlyArray<{ readonly apId: string; readonly draft: ConfigDraft }> = []): Promise<void> {
    if (!published.length) return;
    if (this.onPublished && drafts.length) {
      const byAp = new Map(drafts.map((d) => [d.apId, d.draft]));
      const held: ConfigVersion[] = [];
      for (const v of published) {
        const d = byAp.get(v.apId);
        if (d && d.checksum === v.checksum) held.push({ ...v, bundle: d.bundle, secretDigest: d.secretDigest });
      }
      this.onPublished(held);
    }
    for (const v of published) this.deps.metrics.provisioning.versionsPublished.inc({ tenant: tenant?.slug ?? 'unknown', reason: reasonKind(v.reason) });
    try {
      await this.deps.notifier.publish(published.map((v) => ({ tenantId: v.tenantId, apId: v.apId, version: v.version, checksum: v.checksum })));
    } catch (err) {
      // The versions are durable; agents find them at their next poll.
      this.deps.log.warn({ err }, 'config-change notification failed');
    }
  }

  /** AP_NOT_FOUND when the AP is not the tenant's. */
  async requireAp(tenantId: string, id: string): Promise<ProvisionedAp> {
    const p = await this.deps.provisioning.registry.get(tenantId, id);
    if (!p) throw new AppError(E.AP_NOT_FOUND, { ap: id });
    return p;
  }
}
