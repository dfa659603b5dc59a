/**
 * A calibration server: the least a Node RADIUS responder can do. It answers
 * every Access-Request and Status-Server with an empty Access-Accept and
 * every Accounting-Request with an Accounting-Response, signed with the
 * Response Authenticator only (RFC 2865 §3) — no decoding, no checks, no
 * Message-Authenticator. Its CPU per request is the floor set by Node, UDP
 * and this machine; everything our server spends above it is our code.
 *
 * Run as a child: WFC_BENCH_BARE_PORT=<port> WFC_BENCH_BARE_SECRET=<secret> node bare-responder.js
 */
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';

export function startBareResponder(port: number, secret: string): Promise<() => void> {
  const key = Buffer.from(secret, 'utf8');
  const socket = createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  socket.on('message', (msg, rinfo) => {
    if (msg.length < 20) return;
    const code = msg[0] === 4 ? 5 : 2;
    const reply = Buffer.allocUnsafe(20);
    reply[0] = code;
    reply[1] = msg[1]!;
    reply.writeUInt16BE(20, 2);
    msg.copy(reply, 4, 4, 20);
    // RFC 2865 §3: MD5(Code + Identifier + Length + Request Authenticator + Attributes + Secret).
    createHash('md5').update(reply).update(key).digest().copy(reply, 4);
    socket.send(reply, rinfo.port, rinfo.address);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve(() => socket.close()));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const port = Number(process.env.WFC_BENCH_BARE_PORT);
  const secret = process.env.WFC_BENCH_BARE_SECRET ?? '';
  if (!Number.isInteger(port) || port <= 0 || !secret) {
    console.error('set WFC_BENCH_BARE_PORT and WFC_BENCH_BARE_SECRET');
    process.exit(64);
  }
  const close = await startBareResponder(port, secret);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      close();
      process.exit(0);
    });
  }
}
