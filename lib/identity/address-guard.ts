// Where credvend may connect to fetch an OIDC issuer's discovery document and keys (issue 17). An
// issuer is a DNS name a tenant admin chose; the name is checked when registered (oidc-rules.ts), but
// what it resolves to can change at any time (DNS rebinding). So the address is checked when the
// connection is made, by the lookup the socket itself uses: the address checked is the address
// connected to. Refused: everything that is not a public unicast address — loopback, private,
// carrier-grade NAT, link-local (the instance metadata service, 169.254.169.254 and fd00:ec2::254),
// unique-local, multicast, documentation and benchmark ranges, and IPv6 forms that embed an IPv4
// address (mapped, NAT64, 6to4, Teredo). Loopback is allowed only on the local stages, for the local
// OIDC issuer.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** IANA special-purpose ranges (RFC 6890 and successors) credvend never fetches from. */
const NOT_PUBLIC_V4: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const NOT_PUBLIC_V6: [string, number][] = [
  ['::', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
];

const notPublic = new BlockList();
for (const [net, prefix] of NOT_PUBLIC_V4) notPublic.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of NOT_PUBLIC_V6) notPublic.addSubnet(net, prefix, 'ipv6');
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

export interface AddressRules {
  /** Local stages only: loopback addresses (the local OIDC issuer). */
  allowLoopback?: boolean;
  /** Local stages only: fixed answers for names (like /etc/hosts), so tests can make a name resolve inward. */
  localHosts?: Record<string, string>;
}

/** Why credvend must not connect to `address`, or undefined for a public unicast address. */
export function addressProblem(address: string, rules: AddressRules = {}): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  // BlockList matches IPv4-mapped IPv6 (::ffff:a.b.c.d) against the IPv4 ranges too (so ::ffff:0:0/96
  // is not listed: it would match every IPv4 address).
  if (loopback.check(address, type)) return rules.allowLoopback ? undefined : 'a loopback address';
  if (notPublic.check(address, type)) return 'an address that is not public';
  return undefined;
}

export class AddressRefusedError extends Error {
  override name = 'AddressRefusedError';
}

/**
 * A `lookup` for http(s).request: resolves like the system does (or from `localHosts` on the local
 * stages), and fails the connection unless every address the name has is allowed, so a name with one
 * public and one internal address is refused whichever would be tried first.
 */
export function guardedLookup(rules: AddressRules = {}): LookupFunction {
  return (hostname, options, callback) => {
    const answer = (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', undefined);
      const refused = addresses.map((a) => [a, addressProblem(a.address, rules)] as const).find(([, problem]) => problem);
      if (refused || addresses.length === 0) {
        const why = refused ? `${hostname} resolves to ${refused[1]}` : `${hostname} has no address`;
        return callback(new AddressRefusedError(why), '', undefined);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0] as LookupAddress;
      callback(null, first.address, first.family);
    };
    const fixed = rules.localHosts?.[hostname];
    if (fixed !== undefined) return answer(null, [{ address: fixed, family: isIP(fixed) === 6 ? 6 : 4 }]);
    dnsLookup(hostname, { all: true, family: options.family }, (err, addresses) => answer(err, addresses ?? []));
  };
}

/** `OIDC_LOCAL_HOSTS` (`name=address,…`) as a record, names lowercased; addresses are checked when used. */
export function parseLocalHosts(raw: string | undefined): Record<string, string> | undefined {
  if (!raw) return undefined;
  const hosts: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    const [name = '', address = ''] = pair.split('=').map((s) => s.trim());
    if (name && address) hosts[name.toLowerCase()] = address;
  }
  return hosts;
}
