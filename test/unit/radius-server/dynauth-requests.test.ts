import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Mac } from '../../../controller/domain/mac.js';
import type { DynAuthTarget } from '../../../controller/ports/dynamic-authorization.js';
import {
  Code,
  ZERO_AUTHENTICATOR,
  attributeByType,
  buildAttributes,
  decodePacket,
  decodeValue,
  encodeResponse,
  splitVendorSpecific,
  verifyRequest,
  type Packet,
} from '../../../radius-server/codec/index.js';
import {
  bandwidthAttributes,
  changeAttributes,
  encodeDynAuthRequest,
  errorCauseOf,
  requestAttributes,
} from '../../../radius-server/dynauth/requests.js';

const secret = 'dynauth-unit-secret';

const TARGET: DynAuthTarget = {
  tenantId: 't-1',
  address: '127.0.0.1',
  port: 3799,
  secret,
  nasIp: '10.20.0.1',
  nasIdentifier: 'valence-mairie-ap1',
  acctSessionId: '5F3A00C1-00000001',
  username: 'alice@valence.example',
  callingStationId: '0a:1b:2c:3d:4e:5f' as Mac,
  framedIp: '10.1.0.23',
};

function packet(buf: Buffer): Packet {
  const r = decodePacket(buf);
  if (!r.ok) throw new Error(r.reason);
  return r.packet;
}

/** Attributes by name with decoded values, vendor attributes unpacked, in wire order. */
function named(p: Packet): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const a of p.attributes) {
    if (a.type === 26) {
      const vsa = splitVendorSpecific(a.value);
      if (!vsa.ok) throw new Error(vsa.reason);
      for (const s of vsa.subAttributes) {
        const def = attributeByType(s.type, vsa.vendorId)!;
        out.push([def.name, decodeValue(def, s.value)]);
      }
      continue;
    }
    const def = attributeByType(a.type)!;
    const v = decodeValue(def, a.value);
    out.push([def.name, def.name === 'Message-Authenticator' ? 'MA' : v instanceof Date ? v.getTime() / 1000 : v]);
  }
  return out;
}

describe('Disconnect-Request contents (RFC 5176 §3)', () => {
  it('names the NAS, then the session, then the time, with Message-Authenticator first', () => {
    const p = packet(encodeDynAuthRequest({ kind: 'disconnect', target: TARGET, identifier: 7, eventTimestamp: 1_750_000_000 }));
    expect(p.code).toBe(Code.DisconnectRequest);
    expect(p.identifier).toBe(7);
    expect(named(p)).toEqual([
      ['Message-Authenticator', 'MA'],
      ['NAS-IP-Address', '10.20.0.1'],
      ['NAS-Identifier', 'valence-mairie-ap1'],
      ['Acct-Session-Id', '5F3A00C1-00000001'],
      ['User-Name', 'alice@valence.example'],
      // RFC 3580 §3.21: dashed upper-case, as the gateways send it.
      ['Calling-Station-Id', '0A-1B-2C-3D-4E-5F'],
      ['Framed-IP-Address', '10.1.0.23'],
      ['Event-Timestamp', 1_750_000_000],
    ]);
  });

  it('sends only what is known; an IPv6 NAS gets NAS-IPv6-Address, an IPv4-mapped one NAS-IP-Address', () => {
    const bare = { ...TARGET, nasIp: null, nasIdentifier: null, username: null, callingStationId: null, framedIp: null };
    expect(named(packet(encodeDynAuthRequest({ kind: 'disconnect', target: bare, identifier: 1, eventTimestamp: 5 })))).toEqual([
      ['Message-Authenticator', 'MA'],
      ['Acct-Session-Id', '5F3A00C1-00000001'],
      ['Event-Timestamp', 5],
    ]);
    const v6 = named(packet(encodeDynAuthRequest({ kind: 'disconnect', target: { ...TARGET, nasIp: '2001:db8::1', framedIp: '2001:db8::99' }, identifier: 1, eventTimestamp: 5 })));
    expect(v6.filter(([n]) => n.startsWith('NAS-IP'))).toEqual([['NAS-IPv6-Address', '2001:db8::1']]);
    // Framed-IP-Address is IPv4 only (RFC 2865 §5.8).
    expect(v6.some(([n]) => n === 'Framed-IP-Address')).toBe(false);
    const mapped = named(packet(encodeDynAuthRequest({ kind: 'disconnect', target: { ...TARGET, nasIp: '::ffff:10.20.0.9' }, identifier: 1, eventTimestamp: 5 })));
    expect(mapped.filter(([n]) => n.startsWith('NAS-IP'))).toEqual([['NAS-IP-Address', '10.20.0.9']]);
  });

  it('carries no authorization attribute even when a change is passed (RFC 5176 §3.6: Session-Timeout 0 in a Disconnect-Request)', () => {
    const attrs = requestAttributes({ kind: 'disconnect', target: TARGET, change: { sessionTimeoutSeconds: 60 }, identifier: 1, eventTimestamp: 5 });
    expect(attrs.map((a) => a.type)).not.toContain(27);
    expect(attrs.map((a) => a.type)).not.toContain(26);
  });

  it('never carries Error-Cause (RFC 5176 §3.5: responses only)', () => {
    const attrs = requestAttributes({ kind: 'coa', target: TARGET, change: { sessionTimeoutSeconds: 60 }, identifier: 1, eventTimestamp: 5 });
    expect(attrs.map((a) => a.type)).not.toContain(101);
  });

  it('refuses a target without Acct-Session-Id and a NAS address that is not an IP', () => {
    expect(() => encodeDynAuthRequest({ kind: 'disconnect', target: { ...TARGET, acctSessionId: '' }, identifier: 1, eventTimestamp: 5 })).toThrow(RangeError);
    expect(() => encodeDynAuthRequest({ kind: 'disconnect', target: { ...TARGET, nasIp: 'nas.example' }, identifier: 1, eventTimestamp: 5 })).toThrow(RangeError);
  });
});

describe('signing (RFC 5176 §2.3, §3.4; RFC 3579 §3.2)', () => {
  const bytes = encodeDynAuthRequest({ kind: 'coa', target: TARGET, change: { sessionTimeoutSeconds: 1800 }, identifier: 200, eventTimestamp: 1_750_000_000 });

  it('computes Message-Authenticator over the packet with a zero Authenticator, then the Request Authenticator over the result', () => {
    // Independent of the codec: node:crypto over the bytes as received.
    expect(bytes[20]).toBe(80);
    expect(bytes[21]).toBe(18);
    const work = Buffer.from(bytes);
    ZERO_AUTHENTICATOR.copy(work, 4);
    expect(createHash('md5').update(work).update(secret).digest().equals(bytes.subarray(4, 20))).toBe(true);
    work.fill(0, 22, 38);
    expect(createHmac('md5', secret).update(work).digest().equals(bytes.subarray(22, 38))).toBe(true);
  });

  it('verifies as a NAS verifies it, and fails with another secret', () => {
    expect(verifyRequest(packet(bytes), secret, { requireMessageAuthenticator: true })).toEqual({ ok: true });
    expect(verifyRequest(packet(bytes), 'other', { requireMessageAuthenticator: true }).ok).toBe(false);
  });

  it('is deterministic: same inputs, same bytes (what makes a retransmission identical)', () => {
    const again = encodeDynAuthRequest({ kind: 'coa', target: TARGET, change: { sessionTimeoutSeconds: 1800 }, identifier: 200, eventTimestamp: 1_750_000_000 });
    expect(again.equals(bytes)).toBe(true);
  });
});

describe('CoA-Request change (RFC 5176 §3.6)', () => {
  it('carries Session-Timeout and bandwidth in the Access-Accept vendor attributes and units', () => {
    const p = packet(
      encodeDynAuthRequest({ kind: 'coa', target: TARGET, change: { sessionTimeoutSeconds: 900, uploadBps: 1_000_000, downloadBps: 4_000_000 }, identifier: 9, eventTimestamp: 77 }),
    );
    expect(p.code).toBe(Code.CoaRequest);
    const attrs = named(p);
    const change = attrs.slice(attrs.findIndex(([n]) => n === 'Framed-IP-Address') + 1);
    expect(change).toEqual([
      ['Session-Timeout', 900],
      ['WISPr-Bandwidth-Max-Up', 1_000_000],
      ['WISPr-Bandwidth-Max-Down', 4_000_000],
      ['ChilliSpot-Bandwidth-Max-Up', 1000],
      ['ChilliSpot-Bandwidth-Max-Down', 4000],
      ['Mikrotik-Rate-Limit', '1000k/4000k'],
      ['Event-Timestamp', 77],
    ]);
  });

  it('matches the Access-Accept encoding for the default policy (2 Mbit/s up, 10 Mbit/s down)', () => {
    const ours = buildAttributes(bandwidthAttributes(2_000_000, 10_000_000));
    const accept = buildAttributes({
      'WISPr-Bandwidth-Max-Up': 2_000_000,
      'WISPr-Bandwidth-Max-Down': 10_000_000,
      'ChilliSpot-Bandwidth-Max-Up': 2000,
      'ChilliSpot-Bandwidth-Max-Down': 10000,
      'Mikrotik-Rate-Limit': '2000k/10000k',
    });
    expect(ours).toEqual(accept);
  });

  it('changes one direction alone without touching the other; Mikrotik-Rate-Limit needs both', () => {
    expect(changeAttributes({ downloadBps: 500 }).map(([n, v]) => [n, v])).toEqual([
      ['WISPr-Bandwidth-Max-Down', 500],
      // Never 0: CoovaChilli and RouterOS read 0 as "no limit".
      ['ChilliSpot-Bandwidth-Max-Down', 1],
    ]);
  });

  it('refuses an empty change and out-of-range values (caller bugs)', () => {
    expect(() => changeAttributes({})).toThrow(/must change something/);
    expect(() => changeAttributes({ sessionTimeoutSeconds: 0 })).toThrow(RangeError);
    expect(() => changeAttributes({ uploadBps: -1 })).toThrow(RangeError);
    expect(() => changeAttributes({ downloadBps: 1.5 })).toThrow(RangeError);
    expect(() => requestAttributes({ kind: 'coa', target: TARGET, identifier: 1, eventTimestamp: 1 })).toThrow(/needs a change/);
  });
});

describe('Error-Cause (RFC 5176 §3.5)', () => {
  const request = packet(encodeDynAuthRequest({ kind: 'disconnect', target: TARGET, identifier: 3, eventTimestamp: 1 }));
  it('reads the number and its registered name', () => {
    const nak = packet(encodeResponse({ request, code: Code.DisconnectNak, attributes: buildAttributes({ 'Error-Cause': 503 }), secret }));
    expect(errorCauseOf(nak)).toEqual({ errorCause: 503, errorCauseName: 'Session-Context-Not-Found' });
    const other = packet(encodeResponse({ request, code: Code.DisconnectNak, attributes: buildAttributes({ 'Error-Cause': 'NAS-Identification-Mismatch' }), secret }));
    expect(errorCauseOf(other)).toEqual({ errorCause: 403, errorCauseName: 'NAS-Identification-Mismatch' });
  });
  it('keeps an unregistered number without a name, and nulls when absent', () => {
    const nak = packet(encodeResponse({ request, code: Code.DisconnectNak, attributes: buildAttributes({ 'Error-Cause': 599 }), secret }));
    expect(errorCauseOf(nak)).toEqual({ errorCause: 599, errorCauseName: null });
    const ack = packet(encodeResponse({ request, code: Code.DisconnectAck, attributes: [], secret }));
    expect(errorCauseOf(ack)).toEqual({ errorCause: null, errorCauseName: null });
  });
});
