/**
 * Vendor-Specific attributes of the gateways in the federation, as data.
 * Numbers match FreeRADIUS share/dictionary.{wispr,chillispot,microsoft,mikrotik};
 * the CoovaChilli extensions (10, 15-17, 21-25) match CoovaChilli's radius headers.
 * All four vendors use the RFC 2865 §5.26 one-octet type / one-octet length layout.
 */
import type { AttributeTuple } from './standard.js';

export const VENDOR = {
  Microsoft: 311, // RFC 2548
  WISPr: 14122, // Wi-Fi Alliance WISPr 1.0, Appendix D
  ChilliSpot: 14559, // ChilliSpot / CoovaChilli
  Mikrotik: 14988, // MikroTik RouterOS
} as const;

export type VendorName = keyof typeof VENDOR;

/** WISPr: bandwidths in bit/s; times as ISO 8601 text. */
export const WISPR_ATTRIBUTES = [
  ['WISPr-Location-ID', 1, 'string'],
  ['WISPr-Location-Name', 2, 'string'],
  ['WISPr-Logoff-URL', 3, 'string'],
  ['WISPr-Redirection-URL', 4, 'string'],
  ['WISPr-Bandwidth-Min-Up', 5, 'integer'],
  ['WISPr-Bandwidth-Min-Down', 6, 'integer'],
  ['WISPr-Bandwidth-Max-Up', 7, 'integer'],
  ['WISPr-Bandwidth-Max-Down', 8, 'integer'],
  ['WISPr-Session-Terminate-Time', 9, 'string'],
  ['WISPr-Session-Terminate-End-Of-Day', 10, 'string'],
  ['WISPr-Billing-Class-Of-Service', 11, 'string'],
] as const satisfies readonly AttributeTuple[];

/** ChilliSpot/CoovaChilli: Bandwidth-Max-* in kbit/s; octet limits split into octets + gigawords (2^32). */
export const CHILLISPOT_ATTRIBUTES = [
  ['ChilliSpot-Max-Input-Octets', 1, 'integer'],
  ['ChilliSpot-Max-Output-Octets', 2, 'integer'],
  ['ChilliSpot-Max-Total-Octets', 3, 'integer'],
  ['ChilliSpot-Bandwidth-Max-Up', 4, 'integer'],
  ['ChilliSpot-Bandwidth-Max-Down', 5, 'integer'],
  ['ChilliSpot-Config', 6, 'string'],
  ['ChilliSpot-Lang', 7, 'string'],
  ['ChilliSpot-Version', 8, 'string'],
  ['ChilliSpot-OriginalURL', 9, 'string'],
  ['ChilliSpot-Acct-View-Point', 10, 'integer'],
  ['ChilliSpot-Session-State', 15, 'integer'],
  ['ChilliSpot-Session-Id', 16, 'string'],
  ['ChilliSpot-AP-Session-Id', 17, 'string'],
  ['ChilliSpot-Max-Input-Gigawords', 21, 'integer'],
  ['ChilliSpot-Max-Output-Gigawords', 22, 'integer'],
  ['ChilliSpot-Max-Total-Gigawords', 23, 'integer'],
  ['ChilliSpot-VLAN-Id', 24, 'integer'],
  ['ChilliSpot-Location', 25, 'string'],
  ['ChilliSpot-UAM-Allowed', 100, 'string'],
  ['ChilliSpot-MAC-Allowed', 101, 'string'],
  ['ChilliSpot-Interval', 102, 'integer'],
] as const satisfies readonly AttributeTuple[];

/** Microsoft, RFC 2548 §2. */
export const MICROSOFT_ATTRIBUTES = [
  ['MS-CHAP-Response', 1, 'octets'],
  ['MS-CHAP-Error', 2, 'string'],
  ['MS-CHAP-CPW-1', 3, 'octets'],
  ['MS-CHAP-CPW-2', 4, 'octets'],
  ['MS-CHAP-LM-Enc-PW', 5, 'octets'],
  ['MS-CHAP-NT-Enc-PW', 6, 'octets'],
  ['MS-MPPE-Encryption-Policy', 7, 'integer'],
  ['MS-MPPE-Encryption-Types', 8, 'integer'],
  ['MS-RAS-Vendor', 9, 'integer'],
  ['MS-CHAP-Domain', 10, 'string'],
  ['MS-CHAP-Challenge', 11, 'octets'],
  ['MS-CHAP-MPPE-Keys', 12, 'octets', 'encrypt-user-password'],
  ['MS-BAP-Usage', 13, 'integer'],
  ['MS-Link-Utilization-Threshold', 14, 'integer'],
  ['MS-Link-Drop-Time-Limit', 15, 'integer'],
  ['MS-MPPE-Send-Key', 16, 'octets', 'encrypt-salt'],
  ['MS-MPPE-Recv-Key', 17, 'octets', 'encrypt-salt'],
  ['MS-RAS-Version', 18, 'string'],
  ['MS-Filter', 22, 'octets'],
  ['MS-Acct-Auth-Type', 23, 'integer'],
  ['MS-Acct-EAP-Type', 24, 'integer'],
  ['MS-CHAP2-Response', 25, 'octets'],
  ['MS-CHAP2-Success', 26, 'octets'],
  ['MS-CHAP2-CPW', 27, 'octets'],
  ['MS-Primary-DNS-Server', 28, 'ipaddr'],
  ['MS-Secondary-DNS-Server', 29, 'ipaddr'],
  ['MS-Primary-NBNS-Server', 30, 'ipaddr'],
  ['MS-Secondary-NBNS-Server', 31, 'ipaddr'],
] as const satisfies readonly AttributeTuple[];

/** MikroTik RouterOS (hotspot and wireless). Rate limits are RouterOS rate strings. */
export const MIKROTIK_ATTRIBUTES = [
  ['Mikrotik-Recv-Limit', 1, 'integer'],
  ['Mikrotik-Xmit-Limit', 2, 'integer'],
  ['Mikrotik-Group', 3, 'string'],
  ['Mikrotik-Wireless-Forward', 4, 'integer'],
  ['Mikrotik-Wireless-Skip-Dot1x', 5, 'integer'],
  ['Mikrotik-Wireless-Enc-Algo', 6, 'integer'],
  ['Mikrotik-Wireless-Enc-Key', 7, 'string'],
  ['Mikrotik-Rate-Limit', 8, 'string'],
  ['Mikrotik-Realm', 9, 'string'],
  ['Mikrotik-Host-IP', 10, 'ipaddr'],
  ['Mikrotik-Mark-Id', 11, 'string'],
  ['Mikrotik-Advertise-URL', 12, 'string'],
  ['Mikrotik-Advertise-Interval', 13, 'integer'],
  ['Mikrotik-Recv-Limit-Gigawords', 14, 'integer'],
  ['Mikrotik-Xmit-Limit-Gigawords', 15, 'integer'],
  ['Mikrotik-Wireless-PSK', 16, 'string'],
  ['Mikrotik-Total-Limit', 17, 'integer'],
  ['Mikrotik-Total-Limit-Gigawords', 18, 'integer'],
  ['Mikrotik-Address-List', 19, 'string'],
  ['Mikrotik-Wireless-MPKey', 20, 'string'],
  ['Mikrotik-Wireless-Comment', 21, 'string'],
  ['Mikrotik-Delegated-IPv6-Pool', 22, 'string'],
  ['Mikrotik-DHCP-Option-Set', 23, 'string'],
  ['Mikrotik-DHCP-Option-Param-STR1', 24, 'string'],
  ['Mikrotik-DHCP-Option-Param-STR2', 25, 'string'],
  ['Mikrotik-Wireless-VLANID', 26, 'integer'],
  ['Mikrotik-Wireless-VLANID-Type', 27, 'integer'],
  ['Mikrotik-Wireless-Minsignal', 28, 'string'],
  ['Mikrotik-Wireless-Maxsignal', 29, 'string'],
] as const satisfies readonly AttributeTuple[];

export const VENDOR_ATTRIBUTES = {
  [VENDOR.Microsoft]: MICROSOFT_ATTRIBUTES,
  [VENDOR.WISPr]: WISPR_ATTRIBUTES,
  [VENDOR.ChilliSpot]: CHILLISPOT_ATTRIBUTES,
  [VENDOR.Mikrotik]: MIKROTIK_ATTRIBUTES,
} as const;

export const VENDOR_VALUES = {
  'MS-MPPE-Encryption-Policy': { 'Encryption-Allowed': 1, 'Encryption-Required': 2 },
  'MS-MPPE-Encryption-Types': { 'RC4-40bit-Allowed': 1, 'RC4-128bit-Allowed': 2, 'RC4-40or128-bit-Allowed': 6 },
  'MS-BAP-Usage': { 'Not-Allowed': 0, Allowed: 1, Required: 2 },
  'MS-Acct-Auth-Type': { PAP: 1, CHAP: 2, 'MS-CHAP-1': 3, 'MS-CHAP-2': 4, EAP: 5 },
  'MS-Acct-EAP-Type': { MD5: 4, OTP: 5, 'Generic-Token-Card': 6, TLS: 13 },
  'Mikrotik-Wireless-Enc-Algo': { 'No-encryption': 0, '40-bit-WEP': 1, '104-bit-WEP': 2, 'AES-CCM': 3, TKIP: 4 },
} as const satisfies Record<string, Record<string, number>>;
