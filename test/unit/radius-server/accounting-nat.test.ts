/**
 * The accounting processor fills the legal-log fields of its record: the
 * NAS's source address (where Disconnect/CoA must go, RFC 5176 §3) and the
 * NAT port blocks of RFC 8045 IP-Port-Range. A malformed NAT attribute
 * costs that mapping only, never the record.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStores } from '../../../controller/adapters/sqlite/index.js';
import { createMemorySharedState } from '../../../controller/adapters/memory/shared-state.js';
import type { AccountingRecord } from '../../../controller/domain/entities.js';
import { createLogger } from '../../../controller/log.js';
import { createMetrics } from '../../../controller/metrics.js';
import type { Stores } from '../../../controller/ports/stores.js';
import { seedDemo, type DemoSummary } from '../../../controller/services/demo.js';
import { buildAttributes, type AttributePairs } from '../../../radius-server/codec/attributes.js';
import { decodePacket, type Attribute, type Packet } from '../../../radius-server/codec/packet.js';
import { encodeAccountingRequest } from '../../../radius-server/codec/reply.js';
import { loadDirectory, type ClientContext, type Directory } from '../../../radius-server/directory.js';
import { createAccountingProcessor, type AccountingProcessor } from '../../../radius-server/process/accounting.js';
import type { GroupCommit } from '../../../radius-server/process/group-commit.js';
import { engineFixture, fastHasher, type EngineFixture } from './fixtures/engine.js';
import { accountingRequest } from './fixtures/packets.js';

/*
 * RFC 6929 §2.1 Extended-Type attribute 241.6 (RFC 8045 §3.1.2
 * IP-Port-Range) written out: Type f1, Length, Extended-Type 06, then
 * RFC 6929 §2.3 TLVs of 6 octets each (RFC 8045 §3.2):
 *   08 IP-Port-Alloc, 03 IP-Port-Ext-IPv4-Addr, 09 IP-Port-Range-Start,
 *   0a IP-Port-Range-End, 04 IP-Port-Int-IPv4-Addr.
 */
const tlv = (type: number, value: string) => `${type.toString(16).padStart(2, '0')} 06 ${value}`;
const u32 = (n: number) => n.toString(16).padStart(8, '0');
function ipPortRange(...tlvs: string[]): Attribute {
  const value = Buffer.from(('06 ' + tlvs.join(' ')).split(' ').join(''), 'hex');
  return { type: 241, value };
}
const ALLOC = tlv(8, u32(1));
const DEALLOC = tlv(8, u32(2));
const EXT = tlv(3, 'c6336407'); // 198.51.100.7
const INT = tlv(4, '0a000005'); // 10.0.0.5
const range = (start: number, end: number) => `${tlv(9, u32(start))} ${tlv(10, u32(end))}`;

const START: AttributePairs = { 'Acct-Status-Type': 1, 'Acct-Session-Id': 'nat-1', 'User-Name': 'alice', 'NAS-IP-Address': '192.0.2.10', 'Framed-IP-Address': '10.0.0.5' };

function packet(secret: string, pairs: AttributePairs, extra: Attribute[] = []): Packet {
  const d = decodePacket(encodeAccountingRequest({ identifier: 1, attributes: [...buildAttributes(pairs), ...extra], secret }));
  if (!d.ok) throw new Error(d.reason);
  return d.packet;
}

describe('accounting processor: NAS address and RFC 8045 NAT port blocks', () => {
  let stores: Stores;
  let demo: DemoSummary;
  let directory: Directory;
  let ctx: ClientContext;
  let processAccounting: AccountingProcessor;
  const records: AccountingRecord[] = [];
  const logLines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    stores = openSqliteStores({ memory: true });
    demo = await seedDemo(stores, fastHasher, { dataDir: mkdtempSync(join(tmpdir(), 'wfc-acct-nat-')), authPort: 1812, acctPort: 1813 });
    directory = await loadDirectory(stores);
    ctx = directory.lookup('127.0.0.1')!;
    const commit: GroupCommit<AccountingRecord> = {
      add: async (r) => {
        records.push(r);
      },
      drain: async () => {},
      pending: 0,
    };
    const log = createLogger({ level: 'debug' }, { write: (s: string) => void logLines.push(JSON.parse(s) as Record<string, unknown>) });
    processAccounting = createAccountingProcessor({
      stores,
      directory,
      live: createMemorySharedState().liveSessions,
      commit,
      clock: { now: () => new Date('2025-03-01T10:00:00Z') },
      metrics: createMetrics({ defaultMetrics: false }),
      log,
    });
  });
  afterAll(() => stores.close());

  const last = () => records[records.length - 1]!;

  it('a Start with IP-Port-Range (allocation) gives the NAT mapping and the source address', async () => {
    const p = packet(demo.radius.secret, START, [ipPortRange(ALLOC, EXT, range(40000, 40999), INT)]);
    expect(await processAccounting(ctx, p, '::ffff:203.0.113.9')).toEqual({ outcome: 'recorded' });
    expect(last()).toMatchObject({
      statusType: 'start',
      acctSessionId: 'nat-1',
      nasIp: '192.0.2.10',
      // The packet's source, not NAS-IP-Address; a dual-stack socket's IPv4-mapped form unmapped.
      nasAddress: '203.0.113.9',
      framedIp: '10.0.0.5',
      natMappings: [{ publicIp: '198.51.100.7', portStart: 40000, portEnd: 40999, internalIp: '10.0.0.5' }],
    });
  });

  it('without IP-Port-Int-IPv4-Addr the mapping is for the session Framed-IP-Address (internalIp null)', async () => {
    await processAccounting(ctx, packet(demo.radius.secret, { ...START, 'Acct-Session-Id': 'nat-2' }, [ipPortRange(ALLOC, EXT, range(1024, 2047))]), '127.0.0.1');
    expect(last().natMappings).toEqual([{ publicIp: '198.51.100.7', portStart: 1024, portEnd: 2047, internalIp: null }]);
    expect(last().nasAddress).toBe('127.0.0.1');
  });

  it('several blocks in one request are all kept, in wire order', async () => {
    await processAccounting(ctx, packet(demo.radius.secret, { ...START, 'Acct-Session-Id': 'nat-3' }, [ipPortRange(ALLOC, EXT, range(1024, 1535)), ipPortRange(ALLOC, tlv(3, 'c6336408'), range(1536, 2047))]), '127.0.0.1');
    expect(last().natMappings.map((m) => `${m.publicIp}:${m.portStart}-${m.portEnd}`)).toEqual(['198.51.100.7:1024-1535', '198.51.100.8:1536-2047']);
  });

  it('a malformed IP-Port-Range is skipped and logged at debug; the record and the good block are kept', async () => {
    logLines.length = 0;
    const broken = ipPortRange(ALLOC, EXT, range(40000, 40999));
    const truncated: Attribute = { type: 241, value: broken.value.subarray(0, broken.value.length - 2) }; // last TLV cut short
    const p = packet(demo.radius.secret, { ...START, 'Acct-Session-Id': 'nat-4' }, [truncated, ipPortRange(ALLOC, EXT, range(5000, 5999))]);
    expect(await processAccounting(ctx, p, '127.0.0.1')).toEqual({ outcome: 'recorded' });
    expect(last().acctSessionId).toBe('nat-4');
    expect(last().natMappings).toEqual([{ publicIp: '198.51.100.7', portStart: 5000, portEnd: 5999, internalIp: null }]);
    expect(logLines).toContainEqual(expect.objectContaining({ level: 'debug', reason: 'tlv-truncated', tenant: ctx.tenant.slug }));
  });

  it.each([
    ['IP-Port-Alloc 0 (Reserved)', [tlv(8, u32(0)), EXT, range(1, 2)], 'port-alloc-invalid'],
    ['a range that ends before it starts', [ALLOC, EXT, range(3000, 2000)], 'port-range-invalid'],
    ['no public address', [ALLOC, range(3000, 3999)], 'external-address-missing'],
    ['no port range', [ALLOC, EXT], 'port-range-missing'],
  ])('%s: no mapping, the record stored (%s)', async (_name, tlvs, reason) => {
    logLines.length = 0;
    expect(await processAccounting(ctx, packet(demo.radius.secret, { ...START, 'Acct-Session-Id': 'nat-5' }, [ipPortRange(...tlvs)]), '127.0.0.1')).toEqual({ outcome: 'recorded' });
    expect(last()).toMatchObject({ acctSessionId: 'nat-5', natMappings: [] });
    expect(logLines).toContainEqual(expect.objectContaining({ level: 'debug', reason }));
  });

  it('a deallocation is not a mapping (the session Stop ends the block) and is not reported as malformed', async () => {
    logLines.length = 0;
    await processAccounting(ctx, packet(demo.radius.secret, { ...START, 'Acct-Status-Type': 2, 'Acct-Session-Id': 'nat-1' }, [ipPortRange(DEALLOC, EXT, range(40000, 40999), INT)]), '127.0.0.1');
    expect(last()).toMatchObject({ statusType: 'stop', natMappings: [] });
    expect(logLines.filter((l) => l.level === 'debug')).toEqual([]);
  });

  it('a request without IP-Port-Range gets one shared empty list (nothing allocated on the hot path)', async () => {
    await processAccounting(ctx, packet(demo.radius.secret, { ...START, 'Acct-Session-Id': 'nat-6' }), '127.0.0.1');
    const a = last().natMappings;
    await processAccounting(ctx, packet(demo.radius.secret, { ...START, 'Acct-Session-Id': 'nat-7', 'Acct-Status-Type': 3 }), '127.0.0.1');
    expect(a).toEqual([]);
    expect(last().natMappings).toBe(a);
  });
});

describe('the engine hands the processor the datagram source as nasAddress', () => {
  let f: EngineFixture;
  beforeAll(async () => {
    f = await engineFixture();
  });
  afterAll(() => f.close());

  it('records nasAddress and natMappings through engine.handle', async () => {
    const batches: AccountingRecord[] = [];
    const original = f.stores.accounting.record.bind(f.stores.accounting);
    f.stores.accounting.record = async (batch) => {
      batches.push(...batch);
      return original(batch);
    };
    const secret = f.demo.radius.secret;
    const req = encodeAccountingRequest({ identifier: 9, attributes: [...buildAttributes({ ...START, 'Acct-Session-Id': 'engine-nat' }), ipPortRange(ALLOC, EXT, range(40000, 40999), INT)], secret });
    const res = await f.server.engine.handle(req, { address: '::ffff:127.0.0.1', port: 40000 }, 'acct');
    expect(res.kind).toBe('reply');
    expect(batches.find((r) => r.acctSessionId === 'engine-nat')).toMatchObject({
      nasIp: '192.0.2.10',
      nasAddress: '127.0.0.1',
      natMappings: [{ publicIp: '198.51.100.7', portStart: 40000, portEnd: 40999, internalIp: '10.0.0.5' }],
    });
    // The same request without the attribute still works as before.
    expect((await f.server.engine.handle(accountingRequest(secret, { ...START, 'Acct-Session-Id': 'engine-plain' }), { address: '127.0.0.1', port: 40001 }, 'acct')).kind).toBe('reply');
    expect(batches.find((r) => r.acctSessionId === 'engine-plain')).toMatchObject({ nasAddress: '127.0.0.1', natMappings: [] });
  });
});
