import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * SSRF guard of webhook URLs: an endpoint may only be reached at public unicast addresses — not
 * private, loopback, link-local (cloud metadata at 169.254.169.254), unique-local, carrier-grade NAT,
 * multicast, unspecified, documentation, benchmarking, or IPv6 forms embedding one of those
 * (IPv4-mapped, NAT64, 6to4, Teredo) — unless the host or the address is on the allowlist
 * (LEDGER_WEBHOOK_ALLOWLIST: host names, IP addresses or CIDRs).
 *
 * audit-api checks a URL when it is registered; the notifier checks again when it connects, through
 * {@link WebhookAddressGuard.lookup}, on the address the connection actually uses (DNS can change
 * between the two, and a name can resolve differently on each lookup).
 */

export type AddressProblemCode = 'invalid_url' | 'https_required' | 'credentials_in_url' | 'forbidden_address' | 'unresolvable_host';

export interface AddressProblem {
  code: AddressProblemCode;
  message: string;
}

export interface WebhookAddressPolicy {
  /** Host names, IP addresses or CIDRs reachable even though they are not public. */
  allowlist: string[];
  requireHttps: boolean;
}

/** The error a refused connection fails with. */
export class ForbiddenAddressError extends Error {
  override name = 'ForbiddenAddressError';
  readonly code = 'ERR_WEBHOOK_ADDRESS_FORBIDDEN';
}

type Resolver = (hostname: string) => Promise<string[]>;

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses: LookupAddress[]) => (err ? reject(err) : resolve(addresses.map((a) => a.address)))),
  );

export class WebhookAddressGuard {
  private readonly hosts = new Set<string>();
  private readonly ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];

  constructor(
    private readonly policy: WebhookAddressPolicy,
    private readonly resolver: Resolver = systemResolver,
  ) {
    for (const raw of policy.allowlist) {
      const entry = raw.trim().toLowerCase().replace(/^\[|\]$/g, '');
      if (!entry) continue;
      if (entry.includes('/') && ipaddr.isValidCIDR(entry)) this.ranges.push(normalizeRange(ipaddr.parseCIDR(entry)));
      else if (ipaddr.isValid(entry)) {
        const addr = normalize(ipaddr.parse(entry));
        this.ranges.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
      } else this.hosts.add(entry.replace(/\.$/, ''));
    }
  }

  /** Why the URL's form is refused (scheme, credentials), without resolving it. */
  checkForm(url: string): AddressProblem | undefined {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return { code: 'invalid_url', message: 'must be an absolute http:// or https:// URL' };
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return { code: 'invalid_url', message: 'must be an http:// or https:// URL' };
    if (this.policy.requireHttps && u.protocol !== 'https:') return { code: 'https_required', message: 'must be an https:// URL' };
    if (u.username || u.password) return { code: 'credentials_in_url', message: 'must not carry credentials (user:password@)' };
    return undefined;
  }

  /** Whether a connection to `address` (resolved from `hostname`) is allowed. */
  isAllowed(hostname: string, address: string): boolean {
    if (this.hosts.has(hostOf(hostname))) return true;
    if (!ipaddr.isValid(address)) return false;
    const addr = normalize(ipaddr.parse(address));
    if (this.ranges.some(([range, bits]) => range.kind() === addr.kind() && addr.match(range, bits))) return true;
    return addr.range() === 'unicast';
  }

  /** Checks the URL's form and every address its host resolves to now. */
  async check(url: string): Promise<AddressProblem | undefined> {
    const form = this.checkForm(url);
    if (form) return form;
    const host = hostOf(new URL(url).hostname);
    let addresses: string[];
    if (isIP(host)) addresses = [host];
    else if (this.hosts.has(host)) return undefined;
    else {
      try {
        addresses = await this.resolver(host);
      } catch {
        return { code: 'unresolvable_host', message: `host ${host} does not resolve` };
      }
    }
    const refused = addresses.find((a) => !this.isAllowed(host, a));
    if (refused !== undefined) return { code: 'forbidden_address', message: `resolves to ${refused}, a ${describe(refused)} address; webhooks may only reach public addresses unless allowlisted` };
    if (!addresses.length) return { code: 'unresolvable_host', message: `host ${host} does not resolve` };
    return undefined;
  }

  /**
   * A `lookup` for node:http/https requests: resolves like the system resolver and fails the
   * connection when any address of the host is refused (so a name cannot mix a public and a
   * private address and have the connection pick the private one).
   */
  readonly lookup = (hostname: string, options: { all?: boolean; family?: number } | number, callback: (...args: unknown[]) => void): void => {
    const opts = typeof options === 'number' ? { family: options } : options;
    this.resolver(hostname).then(
      (all) => {
        const addresses = all.filter((a) => !opts.family || isIP(a) === opts.family);
        const refused = addresses.find((a) => !this.isAllowed(hostname, a));
        if (refused !== undefined) return callback(new ForbiddenAddressError(`${hostname} resolves to ${refused}, a ${describe(refused)} address that webhooks may not reach`));
        if (!addresses.length) return callback(Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND' }));
        if (opts.all) return callback(null, addresses.map((address) => ({ address, family: isIP(address) })));
        callback(null, addresses[0], isIP(addresses[0]));
      },
      (err) => callback(err),
    );
  };
}

/** `[::1]` → `::1`; lower case without a trailing dot. */
function hostOf(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

/** IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry. */
function normalize(addr: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}

function normalizeRange([addr, bits]: [ipaddr.IPv4 | ipaddr.IPv6, number]): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
  return [addr, bits];
}

function describe(address: string): string {
  if (!ipaddr.isValid(address)) return 'malformed';
  const range = normalize(ipaddr.parse(address)).range();
  return range.replace(/([A-Z])/g, ' $1').toLowerCase();
}
