/** Time as a port, so retention, expiry and reaping are testable. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
