import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openFederationCa } from '../../../provisioning/ca.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'wfc-ca-'));
  dirs.push(d);
  return join(d, 'ca');
};
const opts = { organization: 'Wi-Fi public Test', deviceDays: 30, caBits: 2048 };

describe('federation CA', () => {
  it('is created on first use with a private key only its owner can read, and reused afterwards', () => {
    const dir = tmp();
    const ca = openFederationCa(dir, opts);
    expect(statSync(join(dir, 'ca-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const cert = new X509Certificate(ca.certificatePem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toContain('CN=Wi-Fi public Test access point CA');
    expect(cert.verify(cert.publicKey)).toBe(true);
    const again = openFederationCa(dir, opts);
    expect(again.certificatePem).toBe(ca.certificatePem);
    expect(readFileSync(join(dir, 'ca-cert.pem'), 'utf8')).toBe(ca.certificatePem);
  });

  it('issues client certificates it signed, for the subject it decides, valid for deviceDays', () => {
    const ca = openFederationCa(tmp(), opts);
    const now = new Date('2026-01-01T00:00:00Z');
    const issued = ca.issueWithKey({ commonName: 'aa:bb:cc:00:00:01', organizationalUnit: 'rennes' }, now);
    const cert = new X509Certificate(issued.certificatePem);
    const caCert = new X509Certificate(ca.certificatePem);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.subject.split('\n')).toEqual(['CN=aa:bb:cc:00:00:01', 'OU=rennes', 'O=Wi-Fi public Test']);
    expect(new Date(cert.validTo).getTime()).toBe(now.getTime() + 30 * 86_400_000);
    expect(issued.notAfter.getTime()).toBe(now.getTime() + 30 * 86_400_000);
    expect(issued.serial).toBe(cert.serialNumber.toLowerCase());
    expect(issued.privateKeyPem).toMatch(/BEGIN PRIVATE KEY/);
    const other = ca.issueWithKey({ commonName: 'x', organizationalUnit: 'y' }, now);
    expect(other.serial).not.toBe(issued.serial);
  });

  it('refuses CSRs that are not PEM requests', () => {
    const ca = openFederationCa(tmp(), opts);
    expect(ca.signCsr('hello', { commonName: 'x', organizationalUnit: 'y' }, new Date())).toEqual({ ok: false, reason: 'not a PEM certificate request with an RSA key' });
  });
});
