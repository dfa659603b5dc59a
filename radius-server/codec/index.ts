/**
 * The RADIUS packet layer: a socket-free codec (see docs/adr/0003-radius-packet-layer.md).
 */
export * from './codes.js';
export * from './packet.js';
export * from './dictionary.js';
export * from './attributes.js';
export * from './crypto.js';
export * from './verify.js';
export * from './reply.js';
export * from './extended.js';
export * from './ip-port.js';
