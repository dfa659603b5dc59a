/**
 * What every contract suite shares: how a backend is handed in, a clock the
 * suites drive, sample inputs and an assertion for catalog errors. Nothing
 * here knows which backend runs: suites go through the ports only.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import type { AccountingRecord } from '../../controller/domain/entities.js';
import { parseMac, type Mac } from '../../controller/domain/mac.js';
import { DEFAULT_POLICY } from '../../controller/domain/policy.js';
import { AppError, type ErrorDef } from '../../controller/errors.js';
import type { Clock } from '../../controller/ports/clock.js';
import type { NewAccessPoint, NewIdentity, NewTenant, Stores } from '../../controller/ports/stores.js';

export interface StoresFixture {
  readonly stores: Stores;
  /** Closes the stores and removes what the fixture created (files, schemas). */
  cleanup(): Promise<void>;
}

export interface FixtureDeps {
  /** The adapter must take every "now" (createdAt, updatedAt, rememberedAt...) from this clock. */
  readonly clock: Clock;
}

/** Makes an empty backend. Called before every test. */
export type MakeStores = (deps: FixtureDeps) => Promise<StoresFixture>;

export const T0 = new Date('2025-03-01T08:00:00.000Z');
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export class ManualClock implements Clock {
  private t: number;
  constructor(start: Date = T0) {
    this.t = start.getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): Date {
    this.t += ms;
    return this.now();
  }
}

export interface StoresContext {
  readonly stores: Stores;
  readonly clock: ManualClock;
}

/** A fresh backend and clock for each test of the calling describe block. */
export function useStores(make: MakeStores): StoresContext {
  let fixture: StoresFixture | undefined;
  const ctx = { stores: undefined as unknown as Stores, clock: new ManualClock() };
  beforeEach(async () => {
    ctx.clock = new ManualClock();
    fixture = await make({ clock: ctx.clock });
    ctx.stores = fixture.stores;
  });
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });
  return ctx;
}

/** Awaits a rejection with the catalog entry `def` and, when given, these params. */
export async function expectAppError(p: Promise<unknown>, def: ErrorDef, params?: Record<string, string | number>): Promise<AppError> {
  const outcome = await p.then(
    (v: unknown) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  if (outcome.ok) throw new Error(`expected ${def.code}, but it resolved`);
  expect(outcome.e).toBeInstanceOf(AppError);
  const err = outcome.e as AppError;
  expect(err.code).toBe(def.code);
  if (params) expect(err.params).toEqual(params);
  return err;
}

export async function expectRejects(p: Promise<unknown>): Promise<void> {
  await expect(p).rejects.toBeDefined();
}

export function mac(s: string): Mac {
  const m = parseMac(s);
  if (!m) throw new Error(`test fixture: bad MAC ${s}`);
  return m;
}

export function newTenant(slug: string, over: Partial<NewTenant> = {}): NewTenant {
  return {
    slug,
    name: `Commune ${slug}`,
    inseeCode: '35238',
    branding: { displayName: `Wi-Fi ${slug}`, primaryColor: '#0055a4', logoUrl: null },
    policy: DEFAULT_POLICY,
    wifi4eu: null,
    ...over,
  };
}

export function newIdentity(username: string, over: Partial<NewIdentity> = {}): NewIdentity {
  return {
    username,
    email: `${username}@example.org`,
    passwordHash: `$argon2id$v=19$m=65536,t=3,p=4$${username}$hash`,
    locale: 'fr',
    verified: false,
    ...over,
  };
}

export function newAp(macText: string, over: Partial<NewAccessPoint> = {}): NewAccessPoint {
  return {
    mac: mac(macText),
    name: `AP ${macText}`,
    model: null,
    serial: null,
    site: null,
    latitude: null,
    longitude: null,
    placement: 'indoor',
    nasIdentifier: null,
    ...over,
  };
}

/** An Accounting-Request as the RADIUS server would hand it over. */
export function acct(over: Partial<AccountingRecord> & Pick<AccountingRecord, 'tenantId' | 'statusType'>): AccountingRecord {
  const eventAt = over.eventAt ?? T0;
  return {
    acctSessionId: 'sess-1',
    nasIp: '192.0.2.10',
    nasAddress: null,
    nasIdentifier: null,
    username: 'alice',
    identityId: null,
    callingStationId: mac('02-00-00-00-00-01'),
    calledStationId: 'AA-BB-CC-00-00-01:Wifi-Region',
    apId: null,
    framedIp: '10.0.0.2',
    sessionTime: 0,
    inputOctets: 0,
    outputOctets: 0,
    terminateCause: null,
    eventAt,
    receivedAt: eventAt,
    natMappings: [],
    ...over,
  };
}

export const at = (offsetMs: number): Date => new Date(T0.getTime() + offsetMs);
