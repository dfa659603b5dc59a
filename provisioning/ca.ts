/**
 * The federation's certificate authority for access points (node-forge):
 * created on first start in `<dataDir>/ca/` (key file mode 0600, never
 * logged, never served), it signs each enrolled agent's client certificate,
 * which later authenticates the gateway over RadSec (RFC 6614 §2.3).
 *
 * A device certificate's subject is set by the CA, never taken from the
 * request: CN = the AP's MAC, OU = the municipality, O = the federation,
 * extended key usage clientAuth only (RFC 5280 §4.2.1.12).
 */
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface IssuedCertificate {
  readonly certificatePem: string;
  readonly serial: string;
  readonly notAfter: Date;
  /** Only when the CA generated the key pair (the device had no CSR to send). */
  readonly privateKeyPem: string | null;
}

export interface CertificateSubject {
  readonly commonName: string;
  readonly organizationalUnit: string;
}

export type CsrResult = { readonly ok: true; readonly cert: IssuedCertificate } | { readonly ok: false; readonly reason: string };

export interface FederationCa {
  readonly certificatePem: string;
  /** Signs the public key of a PKCS #10 request (RFC 2986) after checking its self-signature. */
  signCsr(csrPem: string, subject: CertificateSubject, now: Date): CsrResult;
  /** Generates the key pair as well: for agents without a way to make a CSR. */
  issueWithKey(subject: CertificateSubject, now: Date): IssuedCertificate;
}

export interface CaOptions {
  /** Shown in the CA's subject and as O= of device certificates. */
  readonly organization: string;
  readonly deviceDays: number;
  readonly clock?: { now(): Date };
  /** RSA modulus of the CA key; tests may use a smaller one. */
  readonly caBits?: number;
  readonly deviceBits?: number;
}

const KEY_FILE = 'ca-key.pem';
const CERT_FILE = 'ca-cert.pem';

/** A positive 128-bit serial (RFC 5280 §4.1.2.2: unique, at most 20 octets, positive). */
function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f | 0x01;
  return b.toString('hex');
}

function rsaPem(bits: number): { publicKeyPem: string; privateKeyPem: string } {
  // Node's native generator: forge's pure-JS one takes seconds.
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function createCaFiles(dir: string, opts: CaOptions): void {
  const { publicKeyPem, privateKeyPem } = rsaPem(opts.caBits ?? 3072);
  const now = opts.clock?.now() ?? new Date();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(now.getTime() - 5 * 60_000);
  cert.validity.notAfter = new Date(now.getTime() + 20 * 365 * 86_400_000);
  const subject = [
    { name: 'commonName', value: `${opts.organization} access point CA` },
    { name: 'organizationName', value: opts.organization },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Written under temporary names, then renamed: a crash never leaves half a CA.
  const keyTmp = join(dir, `${KEY_FILE}.tmp`);
  const certTmp = join(dir, `${CERT_FILE}.tmp`);
  writeFileSync(keyTmp, privateKeyPem, { mode: 0o600 });
  chmodSync(keyTmp, 0o600);
  writeFileSync(certTmp, forge.pki.certificateToPem(cert), { mode: 0o644 });
  renameSync(certTmp, join(dir, CERT_FILE));
  renameSync(keyTmp, join(dir, KEY_FILE));
}

/** Opens the CA in `dir`, creating it on first use. */
export function openFederationCa(dir: string, opts: CaOptions): FederationCa {
  if (!existsSync(join(dir, KEY_FILE)) || !existsSync(join(dir, CERT_FILE))) createCaFiles(dir, opts);
  const keyPem = readFileSync(join(dir, KEY_FILE), 'utf8');
  const certificatePem = readFileSync(join(dir, CERT_FILE), 'utf8');
  const caKey = forge.pki.privateKeyFromPem(keyPem);
  const caCert = forge.pki.certificateFromPem(certificatePem);
  // RFC 5280 §4.2.1.1: the authority key identifier is the CA's subject key identifier, as bytes.
  const caKeyId = caCert.generateSubjectKeyIdentifier().getBytes();

  const issue = (publicKey: forge.pki.PublicKey, subject: CertificateSubject, now: Date): Omit<IssuedCertificate, 'privateKeyPem'> => {
    const cert = forge.pki.createCertificate();
    cert.publicKey = publicKey;
    cert.serialNumber = serial();
    cert.validity.notBefore = new Date(now.getTime() - 5 * 60_000);
    cert.validity.notAfter = new Date(now.getTime() + opts.deviceDays * 86_400_000);
    cert.setSubject([
      { name: 'commonName', value: subject.commonName },
      { name: 'organizationalUnitName', value: subject.organizationalUnit },
      { name: 'organizationName', value: opts.organization },
    ]);
    cert.setIssuer(caCert.subject.attributes);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
      { name: 'subjectKeyIdentifier' },
      { name: 'authorityKeyIdentifier', keyIdentifier: caKeyId },
    ]);
    cert.sign(caKey, forge.md.sha256.create());
    const pem = forge.pki.certificateToPem(cert);
    return { certificatePem: pem, serial: new X509Certificate(pem).serialNumber.toLowerCase(), notAfter: cert.validity.notAfter };
  };

  return {
    certificatePem,
    signCsr(csrPem, subject, now) {
      let csr: forge.pki.CertificateSigningRequest;
      try {
        csr = forge.pki.certificationRequestFromPem(csrPem);
      } catch {
        return { ok: false, reason: 'not a PEM certificate request with an RSA key' };
      }
      if (!csr.publicKey) return { ok: false, reason: 'the request has no public key' };
      try {
        if (!csr.verify()) return { ok: false, reason: 'the request is not signed by its own key' };
      } catch {
        return { ok: false, reason: 'the request is not signed by its own key' };
      }
      const bits = (csr.publicKey as forge.pki.rsa.PublicKey).n?.bitLength?.() ?? 0;
      if (bits < 2048) return { ok: false, reason: 'the RSA key must have at least 2048 bits' };
      return { ok: true, cert: { ...issue(csr.publicKey, subject, now), privateKeyPem: null } };
    },
    issueWithKey(subject, now) {
      const { publicKeyPem, privateKeyPem } = rsaPem(opts.deviceBits ?? 2048);
      return { ...issue(forge.pki.publicKeyFromPem(publicKeyPem), subject, now), privateKeyPem };
    },
  };
}
