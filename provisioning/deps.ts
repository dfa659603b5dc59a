/** What the provisioning part needs from the composition root. */
import type { Logger } from '../controller/log.js';
import type { Metrics } from '../controller/metrics.js';
import type { Clock } from '../controller/ports/clock.js';
import type { ConfigNotifier } from '../controller/ports/config-notifications.js';
import type { ProvisioningStore } from '../controller/ports/provisioning.js';
import type { Stores } from '../controller/ports/stores.js';
import type { FederationCa } from './ca.js';
import type { RadiusServer } from './render/pipeline.js';

export interface ProvisioningSettings {
  /** The federation's RADIUS nodes, primary first, as every AP lists them. */
  readonly radiusServers: readonly RadiusServer[];
  /** WFC_PORTAL_PUBLIC_URL: default of the portalUrl variable. */
  readonly portalBaseUrl: string | null;
  readonly enrolmentTtlSeconds: number;
  /** Longest `?wait=` a poll may ask for. */
  readonly maxWaitSeconds: number;
  /** An AP is online while it was seen this recently. */
  readonly onlineAfterSeconds: number;
  readonly certificateDays: number;
  /** How often heartbeats are written and gauges refreshed. */
  readonly flushIntervalMs: number;
}

export interface ProvisioningDeps {
  readonly stores: Stores;
  readonly provisioning: ProvisioningStore;
  readonly notifier: ConfigNotifier;
  /** The federation CA; null disables client certificates. */
  readonly ca: FederationCa | null;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly clock: Clock;
  readonly settings: ProvisioningSettings;
}
