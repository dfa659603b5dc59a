/**
 * Gateway adapters, pure: the encodings checked against values computed the
 * way CoovaChilli's reference (doc/hotspotlogin.cgi, `chilli_response`),
 * openNDS's FAS scripts and MikroTik's md5.js compute them.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PortalSettings } from '../../../controller/domain/entities.js';
import { isLocalHost, isLocalIp, localHttpUrl, originalUrl, parseHostPort } from '../../../captive-portal/nas/address.js';
import { coovaChilli, uamChapResponse, uamChallenge, uamPapDecode, uamPapPassword, uamUrlChecksum } from '../../../captive-portal/nas/coovachilli.js';
import { decodeOctalEscapes, genericLogin, mikrotikChapPassword } from '../../../captive-portal/nas/generic-login.js';
import { detectGateway, parseGatewayRequest } from '../../../captive-portal/nas/index.js';
import { decodeFas, openNds, openNdsRhid } from '../../../captive-portal/nas/opennds.js';
import type { CoovaChilliContext, GenericContext, OpenNdsContext } from '../../../captive-portal/nas/types.js';

const md5 = (...b: Buffer[]) => b.reduce((h, x) => h.update(x), createHash('md5')).digest();
const chilli = (over: Partial<PortalSettings> = {}): PortalSettings => ({ gateway: 'coovachilli', uamSecret: 'testing123', uamAuth: 'pap', fasKey: null, walledGarden: [], ...over });
const CHAL = 'c0ffee00112233445566778899aabbcc';

describe('CoovaChilli UAM encodings', () => {
  it('challenge\' = MD5(challenge bytes || uamsecret), or the challenge itself without a secret', () => {
    expect(uamChallenge(CHAL, 'testing123')).toEqual(md5(Buffer.from(CHAL, 'hex'), Buffer.from('testing123')));
    expect(uamChallenge(CHAL, null)).toEqual(Buffer.from(CHAL, 'hex'));
  });

  it('PAP: hex(password XOR challenge\'), the 16-byte key repeated, as hotspotlogin.cgi and redir.c do', () => {
    const key = uamChallenge(CHAL, 'testing123');
    const pw = 'wfct_abcdefghijklmnopqrstuv'; // 27 bytes: crosses the 16-byte boundary
    const expected = Buffer.from([...Buffer.from(pw)].map((b, i) => b ^ key[i % 16]!)).toString('hex');
    expect(uamPapPassword(pw, CHAL, 'testing123')).toBe(expected);
    expect(uamPapDecode(expected, CHAL, 'testing123')).toBe(pw);
    // A 16-byte password gives exactly unpack("H32", $password ^ $newchal) of the Perl reference.
    const sixteen = 'sixteen-bytes-pw';
    expect(uamPapPassword(sixteen, CHAL, 'testing123')).toBe(Buffer.from([...Buffer.from(sixteen)].map((b, i) => b ^ key[i]!)).toString('hex'));
  });

  it('CHAP: md5_hex("\\0" . password . challenge\')', () => {
    expect(uamChapResponse('wfct_token', CHAL, 'testing123')).toBe(md5(Buffer.from([0]), Buffer.from('wfct_token'), uamChallenge(CHAL, 'testing123')).toString('hex'));
  });

  it('md: upper-case MD5(url || uamsecret), redir_md_param', () => {
    const url = 'http://portal.example/t/valence/?res=notyet&uamip=10.1.0.1&uamport=3990';
    expect(uamUrlChecksum(url, 's3cr3t')).toBe(md5(Buffer.from(url), Buffer.from('s3cr3t')).toString('hex').toUpperCase());
  });

  const request = (params: Record<string, string>, secret: string | null, base = 'http://portal.example/t/valence/') => {
    const raw = new URLSearchParams(params).toString();
    const rawQuery = secret ? `${raw}&md=${uamUrlChecksum(`${base}?${raw}`, secret)}` : raw;
    const query = Object.fromEntries(new URLSearchParams(rawQuery));
    return { query, rawQuery, urlBases: ['http://other.example/t/valence/', base] };
  };
  const params = { res: 'notyet', uamip: '192.168.182.1', uamport: '3990', challenge: CHAL, mac: 'AA-BB-CC-00-11-22', called: '00-11-22-33-44-55', nasid: 'nas01', userurl: 'http://example.com/' };

  it('parses a signed redirect, on any of the URLs the gateway may have used', () => {
    const r = coovaChilli.parse(request(params, 'testing123'), chilli());
    expect(r).toMatchObject({ ok: true, event: 'login', ctx: { type: 'coovachilli', mac: 'aa:bb:cc:00:11:22', uamip: '192.168.182.1', uamport: 3990, challenge: CHAL, authenticated: true, userUrl: 'http://example.com/', nasId: 'nas01', called: '00-11-22-33-44-55' } });
  });

  it('refuses a redirect signed with another secret, or unsigned when a secret is set', () => {
    expect(coovaChilli.parse(request(params, 'other-secret'), chilli())).toEqual({ ok: false, reason: 'md-invalid' });
    expect(coovaChilli.parse(request(params, null), chilli())).toEqual({ ok: false, reason: 'md-missing' });
  });

  it('without a secret, accepts unsigned parameters but never calls them authenticated', () => {
    const r = coovaChilli.parse(request(params, null), chilli({ uamSecret: null }));
    expect(r).toMatchObject({ ok: true, ctx: { authenticated: false } });
  });

  it('drops a userurl that is not plain http(s)', () => {
    const r = coovaChilli.parse(request({ ...params, userurl: 'javascript:alert(1)' }, 'testing123'), chilli());
    expect(r).toMatchObject({ ok: true, ctx: { userUrl: null } });
  });

  it('hands off to http://uamip:uamport/logon with PAP or CHAP, keeping userurl', () => {
    const r = coovaChilli.parse(request(params, 'testing123'), chilli());
    const ctx = (r as { ctx: CoovaChilliContext }).ctx;
    const pap = coovaChilli.handoff(ctx, chilli(), { username: 'alice', token: 'wfct_x' });
    expect(pap).toEqual({ kind: 'redirect', url: `http://192.168.182.1:3990/logon?username=alice&password=${uamPapPassword('wfct_x', CHAL, 'testing123')}&userurl=http%3A%2F%2Fexample.com%2F` });
    const chap = coovaChilli.handoff(ctx, chilli({ uamAuth: 'chap' }), { username: 'alice', token: 'wfct_x' });
    expect(chap).toEqual({ kind: 'redirect', url: `http://192.168.182.1:3990/logon?username=alice&response=${uamChapResponse('wfct_x', CHAL, 'testing123')}&userurl=http%3A%2F%2Fexample.com%2F` });
    expect(coovaChilli.logoutUrl(ctx)).toBe('http://192.168.182.1:3990/logoff');
  });
});

describe('openNDS FAS', () => {
  const hid = 'f'.repeat(64);
  const fas = Buffer.from(`clientip=192.168.8.20, clientmac=aa:bb:cc:00:11:33, client_type=cpd_can, gatewayname=Mairie%20de%20Nyons, version=10.2.0, hid=${hid}, gatewayaddress=192.168.8.1:2050, gatewaymac=00:11:22:33:44:66, authdir=opennds_auth, originurl=http%3A%2F%2Fexample.com%2F, clientif=br-lan`).toString('base64');

  it('decodes the level-1 fas parameter', () => {
    expect(decodeFas(fas)).toMatchObject({ hid, clientmac: 'aa:bb:cc:00:11:33', gatewayname: 'Mairie de Nyons', gatewayaddress: '192.168.8.1:2050', originurl: 'http://example.com/' });
    expect(decodeFas('%%%')).toBeNull();
    expect(decodeFas(Buffer.from('nothing useful').toString('base64'))).toBeNull();
  });

  it('rhid = sha256(hid || faskey), revealed only in the hand-off', () => {
    const settings = chilli({ gateway: 'opennds', uamSecret: null, fasKey: 'key123' });
    const r = openNds.parse({ query: { fas }, rawQuery: '', urlBases: [] }, settings);
    expect(r).toMatchObject({ ok: true, ctx: { authUrl: 'http://192.168.8.1:2050/opennds_auth/', hid, tok: null, authenticated: false } });
    const rhid = createHash('sha256').update(hid + 'key123').digest('hex');
    expect(openNdsRhid(hid, 'key123')).toBe(rhid);
    expect(JSON.stringify(r)).not.toContain(rhid);
    const h = openNds.handoff((r as { ctx: OpenNdsContext }).ctx, settings, { username: 'alice', token: 'unused' });
    expect(h).toEqual({ kind: 'redirect', url: `http://192.168.8.1:2050/opennds_auth/?tok=${rhid}&redir=http%3A%2F%2Fexample.com%2F` });
  });

  it('refuses fas without a faskey, level 0 with one, public gateway addresses', () => {
    const noKey = chilli({ gateway: 'opennds', uamSecret: null });
    expect(openNds.parse({ query: { fas }, rawQuery: '', urlBases: [] }, noKey)).toEqual({ ok: false, reason: 'not-configured' });
    const withKey = chilli({ gateway: 'opennds', uamSecret: null, fasKey: 'k' });
    expect(openNds.parse({ query: { tok: 'abcd1234', authaction: 'http://192.168.8.1:2050/opennds_auth/', clientmac: 'aa:bb:cc:00:11:33' }, rawQuery: '', urlBases: [] }, withKey)).toEqual({ ok: false, reason: 'fas-invalid' });
    const pub = Buffer.from(`clientmac=aa:bb:cc:00:11:33, hid=${hid}, gatewayaddress=203.0.113.1:2050`).toString('base64');
    expect(openNds.parse({ query: { fas: pub }, rawQuery: '', urlBases: [] }, withKey)).toEqual({ ok: false, reason: 'bad-address' });
  });
});

describe('generic RADIUS login (MikroTik)', () => {
  it('decodes MikroTik octal escapes', () => {
    expect(decodeOctalEscapes('\\001')).toEqual(Buffer.from([1]));
    expect(decodeOctalEscapes('\\123\\045\\377ab')).toEqual(Buffer.from([0o123, 0o45, 0o377, 0x61, 0x62]));
    expect(decodeOctalEscapes('\\9')).toBeNull();
  });

  it('CHAP password = hexMD5(chap-id || password || chap-challenge), as md5.js does', () => {
    expect(mikrotikChapPassword('wfct_t', '01', 'aabb')).toBe(md5(Buffer.from([1]), Buffer.from('wfct_t'), Buffer.from([0xaa, 0xbb])).toString('hex'));
  });

  it('a form post of username and token to the gateway login URL', () => {
    const settings = chilli({ gateway: 'generic', uamSecret: null });
    const r = genericLogin.parse({ query: { 'link-login-only': 'http://10.5.50.1/login?x=1', mac: 'AA:BB:CC:00:11:44', 'link-orig': 'http://example.com/' }, rawQuery: '', urlBases: [] }, settings);
    expect(r).toMatchObject({ ok: true, ctx: { loginUrl: 'http://10.5.50.1/login', chapId: null } });
    const h = genericLogin.handoff((r as { ctx: GenericContext }).ctx, settings, { username: 'alice', token: 'wfct_t' });
    expect(h).toEqual({ kind: 'form', action: 'http://10.5.50.1/login', fields: [['username', 'alice'], ['password', 'wfct_t'], ['dst', 'http://example.com/'], ['popup', 'false']] });
    expect(genericLogin.parse({ query: { 'link-login-only': 'https://evil.example/login', mac: 'AA:BB:CC:00:11:44' }, rawQuery: '', urlBases: [] }, settings)).toEqual({ ok: false, reason: 'bad-address' });
    expect(genericLogin.parse({ query: { 'link-login-only': 'http://hotspot.lan/login', mac: 'AA:BB:CC:00:11:44' }, rawQuery: '', urlBases: [] }, settings)).toMatchObject({ ok: true });
  });
});

describe('choosing an adapter', () => {
  it('by the parameters present; null without any', () => {
    expect(detectGateway({ res: 'notyet', uamip: '10.0.0.1' })).toBe('coovachilli');
    expect(detectGateway({ fas: 'abc' })).toBe('opennds');
    expect(detectGateway({ 'link-login-only': 'x' })).toBe('generic');
    expect(detectGateway({ lang: 'en' })).toBeNull();
    expect(parseGatewayRequest({ query: { lang: 'en' }, rawQuery: 'lang=en', urlBases: [] }, chilli())).toBeNull();
    expect(parseGatewayRequest({ query: { res: 'notyet', uamip: '10.0.0.1' }, rawQuery: '', urlBases: [] }, null)).toEqual({ ok: false, reason: 'not-configured', type: 'coovachilli' });
  });
});

describe('addresses the portal may send a browser to', () => {
  it.each([
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.32.0.1', false],
    ['192.168.182.1', true],
    ['100.64.0.1', true],
    ['127.0.0.1', true],
    ['169.254.1.1', true],
    ['8.8.8.8', false],
    ['::1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['2001:db8::1', false],
    ['not-an-ip', false],
  ])('%s local: %s', (ip, local) => expect(isLocalIp(ip)).toBe(local));

  it('host names only in local namespaces', () => {
    expect(isLocalHost('hotspot.lan')).toBe(true);
    expect(isLocalHost('gw.home.arpa')).toBe(true);
    expect(isLocalHost('router.local')).toBe(true);
    expect(isLocalHost('evil.example')).toBe(false);
    expect(isLocalHost('[fd00::1]')).toBe(true);
    expect(localHttpUrl('http://user:pw@10.0.0.1/')).toBeNull();
    expect(localHttpUrl('ftp://10.0.0.1/')).toBeNull();
    expect(parseHostPort('10.0.0.1:2050')).toEqual({ host: '10.0.0.1', port: 2050 });
    expect(parseHostPort('[fd00::1]:80')).toEqual({ host: '[fd00::1]', port: 80 });
    expect(parseHostPort('10.0.0.1:99999')).toBeNull();
    expect(originalUrl('https://example.org/a?b=c')).toBe('https://example.org/a?b=c');
    expect(originalUrl('data:text/html,hi')).toBeNull();
    expect(originalUrl('x'.repeat(2000))).toBeNull();
  });
});
