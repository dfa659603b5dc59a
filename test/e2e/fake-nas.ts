/**
 * A NAS's Dynamic Authorization server (RFC 5176) on 127.0.0.1 UDP, for
 * end-to-end tests of Disconnect and CoA: it checks each request's
 * authenticator and Message-Authenticator with the shared secret, records
 * it, and answers as `decide` says: ACK, NAK with an Error-Cause, or
 * nothing (the request times out). Replies are built with the product's
 * codec, so a byte the client does not verify would fail the test.
 */
import { createSocket, type Socket } from 'node:dgram';
import { buildAttributes, getString } from '../../radius-server/codec/attributes.js';
import { Code } from '../../radius-server/codec/codes.js';
import { decodePacket, type Packet } from '../../radius-server/codec/packet.js';
import { encodeResponse } from '../../radius-server/codec/reply.js';
import { verifyRequest } from '../../radius-server/codec/verify.js';

export type NasAnswer = { readonly reply: 'ack' } | { readonly reply: 'nak'; readonly errorCause: number } | { readonly reply: 'silent' };

export interface FakeNas {
  readonly port: number;
  /** Requests that verified, in arrival order (retransmissions included). */
  readonly received: Packet[];
  /** Datagrams that did not decode or verify. */
  readonly rejected: number;
  /** What to answer a request; by default ACK. */
  decide: (request: Packet, acctSessionId: string | undefined) => NasAnswer;
  close(): Promise<void>;
}

export async function startFakeNas(secret: string): Promise<FakeNas> {
  const socket: Socket = createSocket('udp4');
  let rejected = 0;
  const nas: FakeNas = {
    port: 0,
    received: [],
    get rejected() {
      return rejected;
    },
    decide: () => ({ reply: 'ack' }),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (msg, rinfo) => {
    const decoded = decodePacket(msg);
    if (!decoded.ok || (decoded.packet.code !== Code.DisconnectRequest && decoded.packet.code !== Code.CoaRequest) || !verifyRequest(decoded.packet, secret, { requireMessageAuthenticator: true }).ok) {
      rejected++;
      return;
    }
    const request = decoded.packet;
    nas.received.push(request);
    const answer = nas.decide(request, getString(request, 'Acct-Session-Id'));
    if (answer.reply === 'silent') return;
    const disconnect = request.code === Code.DisconnectRequest;
    const code = answer.reply === 'ack' ? (disconnect ? Code.DisconnectAck : Code.CoaAck) : disconnect ? Code.DisconnectNak : Code.CoaNak;
    const attributes = answer.reply === 'nak' ? buildAttributes([['Error-Cause', answer.errorCause]]) : [];
    socket.send(encodeResponse({ request, code, attributes, secret, messageAuthenticator: true }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  Object.defineProperty(nas, 'port', { value: socket.address().port });
  return nas;
}
