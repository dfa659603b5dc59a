/** Loads the data files of test/vectors/radius/. */
import { readFileSync } from 'node:fs';

const dir = new URL('../../../vectors/radius/', import.meta.url);

export function loadVectors<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as T;
}

/** Hex as printed in RFCs (spaces allowed) to bytes. */
export function hex(s: string): Buffer {
  return Buffer.from(s.split(' ').join(''), 'hex');
}

export interface PacketVector {
  id: string;
  spec: string;
  hex: string;
  code: number;
  identifier: number;
  authenticator: string;
  attributes: [number, string][];
  values: Record<string, string | number>;
  userPassword?: string;
  request?: string;
}

export interface PacketVectors {
  secret: string;
  vectors: PacketVector[];
}

export interface MalformedCase {
  name: string;
  hex: string;
  padTo?: number;
  reason: string;
}

export interface CryptoVectors {
  secret: string;
  requestAuthenticator: string;
  userPassword: { name: string; password: string; hidden: string }[];
  chap: { name: string; ident: number; password: string; challenge: string; chapPassword: string; viaAttribute: boolean }[];
  tunnelPassword: { name: string; password: string; tag: number; salt: string; value: string }[];
  mppeKey: { name: string; key: string; salt: string; value: string }[];
}

export interface Rfc5176Vectors {
  disconnect: { identifier: number; secret: string; hex: string; messageAuthenticator: string; requestAuthenticator: string; ackHex: string };
  coa: { identifier: number; hex: string; nakHex: string };
}

/** Deterministic PRNG (mulberry32) so property tests replay. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
