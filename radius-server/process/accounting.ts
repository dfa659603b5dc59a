/**
 * Accounting-Request processing (RFC 2866). The record is made durable
 * (group commit) before the engine may answer: no Accounting-Response for a
 * record that is not stored, so the NAS retries (RFC 2866 §4.1). Live
 * sessions are updated after the durable write, best effort: the durable
 * store is the truth, the live set a fast index of it.
 */
import type { AccountingRecord, AcctStatusType, NatMappingReport } from '../../controller/domain/entities.js';
import { parseCalledStationId, parseMac } from '../../controller/domain/mac.js';
import { findByLogin } from '../../controller/services/identities.js';
import type { Clock } from '../../controller/ports/clock.js';
import type { LiveSessionStore } from '../../controller/ports/live-sessions.js';
import type { Stores } from '../../controller/ports/stores.js';
import type { Logger } from '../../controller/log.js';
import { children, type Metrics } from '../../controller/metrics.js';
import { decodeIpaddr, decodeIpv6addr, getAttribute, getInteger, getString } from '../codec/attributes.js';
import { valueName } from '../codec/dictionary.js';
import { ipPortRanges } from '../codec/ip-port.js';
import type { Packet } from '../codec/packet.js';
import type { ClientContext, Directory } from '../directory.js';
import type { GroupCommit } from './group-commit.js';
import { CLASS_PREFIX } from './access.js';

export type AccountingOutcome = { readonly outcome: 'recorded' } | { readonly outcome: 'not-recorded'; readonly reason: AccountingDrop };
export type AccountingDrop = 'acct-session-id-missing' | 'status-type-missing' | 'store-failed';

const STATUS: ReadonlyMap<number, AcctStatusType> = new Map([
  [1, 'start'],
  [2, 'stop'],
  [3, 'interim'],
  [7, 'accounting-on'],
  [8, 'accounting-off'],
]);

export interface AccountingDeps {
  readonly stores: Stores;
  readonly directory: Directory;
  readonly live: LiveSessionStore;
  readonly commit: GroupCommit<AccountingRecord>;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly log: Logger;
}

const GIGA = 2 ** 32;

const NO_MAPPINGS: readonly NatMappingReport[] = Object.freeze([]);

/** Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d; the NAS's address is a.b.c.d. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && address.indexOf('.') !== -1 ? address.slice(7) : address;
}

export function createAccountingProcessor(deps: AccountingDeps) {
  const { stores, metrics } = deps;
  const acctCounter = children(metrics.radius.accountingRequests);

  async function identityOf(packet: Packet, username: string): Promise<string | null> {
    for (const a of packet.attributes) {
      // RFC 2865 §5.25: the NAS echoes the Class we sent in the Access-Accept.
      if (a.type === 25 && a.value.length > CLASS_PREFIX.length && a.value.toString('latin1', 0, CLASS_PREFIX.length) === CLASS_PREFIX) {
        return a.value.toString('latin1', CLASS_PREFIX.length);
      }
    }
    if (!username) return null;
    const mac = parseMac(username);
    if (mac) return (await stores.devices.findActiveByMac(mac, deps.clock.now()))?.identityId ?? null;
    return (await findByLogin(stores, deps.directory.federation, username))?.id ?? null;
  }

  return async function processAccounting(ctx: ClientContext, packet: Packet, peerAddress: string): Promise<AccountingOutcome> {
    const statusCode = getInteger(packet, 'Acct-Status-Type');
    if (statusCode === undefined) return { outcome: 'not-recorded', reason: 'status-type-missing' };
    const statusType = STATUS.get(statusCode);
    const label = statusType ?? valueName('Acct-Status-Type', statusCode) ?? 'other';
    if (!statusType) {
      // Tunnel and Failed records (RFC 2867, RFC 2866 §5.1 value 15) carry no session of ours.
      acctCounter(ctx.tenant.slug, label).inc();
      return { outcome: 'recorded' };
    }
    const acctSessionId = getString(packet, 'Acct-Session-Id') ?? '';
    // RFC 2866 §5.5: Acct-Session-Id MUST be present in every Accounting-Request but On/Off ones carry no session.
    if (!acctSessionId && statusType !== 'accounting-on' && statusType !== 'accounting-off') return { outcome: 'not-recorded', reason: 'acct-session-id-missing' };

    const now = deps.clock.now();
    const nasIpRaw = getAttribute(packet, 'NAS-IP-Address');
    const nasIp6Raw = getAttribute(packet, 'NAS-IPv6-Address');
    const nasIp = (nasIpRaw && decodeIpaddr(nasIpRaw)) || (nasIp6Raw && decodeIpv6addr(nasIp6Raw)) || peerAddress;
    const username = getString(packet, 'User-Name') ?? '';
    const calling = getString(packet, 'Calling-Station-Id');
    const called = getString(packet, 'Called-Station-Id') ?? null;
    const apMac = called ? parseCalledStationId(called).mac : null;
    const ap = await deps.directory.accessPoint(ctx.tenant.id, apMac, null);
    const framedRaw = getAttribute(packet, 'Framed-IP-Address');
    const eventTs = getAttribute(packet, 'Event-Timestamp');
    const delay = getInteger(packet, 'Acct-Delay-Time') ?? 0;
    const cause = getInteger(packet, 'Acct-Terminate-Cause');

    const record: AccountingRecord = {
      tenantId: ctx.tenant.id,
      statusType,
      acctSessionId,
      nasIp,
      // RFC 5176 §3: Disconnect/CoA go to where the NAS sends from, which NAT may make differ from NAS-IP-Address.
      nasAddress: unmapped(peerAddress),
      nasIdentifier: getString(packet, 'NAS-Identifier') ?? null,
      username,
      identityId: await identityOf(packet, username),
      callingStationId: calling ? parseMac(calling) : null,
      calledStationId: called,
      apId: ap?.id ?? null,
      framedIp: (framedRaw && decodeIpaddr(framedRaw)) || null,
      sessionTime: getInteger(packet, 'Acct-Session-Time') ?? 0,
      inputOctets: (getInteger(packet, 'Acct-Input-Octets') ?? 0) + (getInteger(packet, 'Acct-Input-Gigawords') ?? 0) * GIGA,
      outputOctets: (getInteger(packet, 'Acct-Output-Octets') ?? 0) + (getInteger(packet, 'Acct-Output-Gigawords') ?? 0) * GIGA,
      terminateCause: cause === undefined ? null : (valueName('Acct-Terminate-Cause', cause) ?? String(cause)),
      // RFC 2869 §5.3 Event-Timestamp, else receipt time less Acct-Delay-Time (RFC 2866 §5.2).
      eventAt: eventTs && eventTs.length === 4 ? new Date(eventTs.readUInt32BE(0) * 1000) : new Date(now.getTime() - delay * 1000),
      receivedAt: now,
      natMappings: natMappingsOf(packet, ctx),
    };

    try {
      await deps.commit.add(record);
    } catch (err) {
      deps.log.error({ err, tenant: ctx.tenant.slug }, 'accounting record not stored: no response, the NAS will retry');
      return { outcome: 'not-recorded', reason: 'store-failed' };
    }
    acctCounter(ctx.tenant.slug, label).inc();
    // Awaited so that a login right after this Start sees the session (Simultaneous-Use).
    await updateLive(record).catch((err: unknown) => deps.log.warn({ err, tenant: ctx.tenant.slug }, 'live session update failed; the durable record is kept'));
    return { outcome: 'recorded' };
  };

  /**
   * RFC 8045 IP-Port-Range allocations: the public address and port block
   * the gateway's NAT gave the session, for the legal connection log (CPCE
   * L34-1, décret 2021-1362 art. 5). A malformed or incomplete one is
   * skipped, never the record. Deallocations are not read: a block lives as
   * long as its session, whose Stop ends it.
   */
  function natMappingsOf(packet: Packet, ctx: ClientContext): readonly NatMappingReport[] {
    const ranges = ipPortRanges(packet.attributes);
    if (ranges.length === 0) return NO_MAPPINGS;
    const out: NatMappingReport[] = [];
    for (const r of ranges) {
      if (!r.ok) {
        deps.log.debug({ tenant: ctx.tenant.slug, nas: ctx.client.name, reason: r.reason }, 'IP-Port-Range skipped: malformed (RFC 6929, RFC 8045)');
        continue;
      }
      const p = r.range;
      if (p.alloc !== 'allocation') continue;
      if (p.externalIpv4 === null || p.portStart === null || p.portEnd === null) {
        deps.log.debug({ tenant: ctx.tenant.slug, nas: ctx.client.name, reason: p.externalIpv4 === null ? 'external-address-missing' : 'port-range-missing' }, 'IP-Port-Range skipped: an allocation the legal log cannot use');
        continue;
      }
      out.push({ publicIp: p.externalIpv4, portStart: p.portStart, portEnd: p.portEnd, internalIp: p.internalIpv4 ?? p.internalIpv6 });
    }
    return out.length === 0 ? NO_MAPPINGS : out;
  }

  async function updateLive(r: AccountingRecord): Promise<void> {
    const key = { tenantId: r.tenantId, nasIp: r.nasIp, acctSessionId: r.acctSessionId };
    switch (r.statusType) {
      case 'accounting-on':
      case 'accounting-off':
        await deps.live.closeByNas(r.tenantId, r.nasIp);
        return;
      case 'stop':
        await deps.live.stop(key);
        return;
      case 'interim':
        if (await deps.live.touch(key, { updatedAt: r.eventAt, sessionTime: r.sessionTime, inputOctets: r.inputOctets, outputOctets: r.outputOctets, framedIp: r.framedIp })) return;
        break;
      case 'start':
        break;
    }
    const tenant = deps.directory.tenant(r.tenantId);
    await deps.live.start({
      ...key,
      identityId: r.identityId,
      username: r.username,
      callingStationId: r.callingStationId,
      apId: r.apId,
      framedIp: r.framedIp,
      startedAt: new Date(r.eventAt.getTime() - r.sessionTime * 1000),
      updatedAt: r.eventAt,
      sessionTime: r.sessionTime,
      inputOctets: r.inputOctets,
      outputOctets: r.outputOctets,
      interimInterval: tenant?.policy.interimInterval ?? 600,
    });
  }
}

export type AccountingProcessor = ReturnType<typeof createAccountingProcessor>;
