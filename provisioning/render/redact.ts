/**
 * Bundles carry the RADIUS secret, the UAM secret and the FAS key: the
 * agent needs them, people reading versions and diffs through the API do
 * not. Redaction is by key name, per format, so it also covers versions
 * rendered with secrets that have since been rotated away.
 */
export const REDACTED = '********';

const UCI_SECRET = /^(\s*option\s+(?:auth_secret|acct_secret|radiussecret|uamsecret|faskey|key)\s+).*$/;
const HOSTAPD_SECRET = /^((?:auth_server_shared_secret|acct_server_shared_secret|radius_das_client|wpa_passphrase)=).*$/;
const JSON_SECRET = /^(\s*"(?:secret|uamSecret|fasKey)":\s*)"(?:[^"\\]|\\.)*"(,?)$/;

export function redactLine(line: string): string {
  let m = UCI_SECRET.exec(line);
  if (m) return `${m[1]}'${REDACTED}'`;
  m = HOSTAPD_SECRET.exec(line);
  if (m) return `${m[1]}${REDACTED}`;
  m = JSON_SECRET.exec(line);
  if (m) return `${m[1]}"${REDACTED}"${m[2]}`;
  return line;
}

export function redactText(text: string): string {
  return text.split('\n').map(redactLine).join('\n');
}
