import { getDomain } from 'tldts';

/**
 * The site a cookieless event came from, as PostHog's `extractRootDomain`:
 * the registrable domain (eTLD+1, public-suffix aware) of `$host` or a URL,
 * keeping the port; IP addresses as they are (IPv6 in brackets, normalised);
 * `localhost` as `127.0.0.1`.
 */
export function rootDomainOf(input: string): string {
  if (!input) return input;
  let text = input;
  if (isBareIPv6(text)) text = `[${text}]`;
  if (!text.includes('://')) text = `http://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return input;
  }
  const hostname = url.hostname;
  let domain = hostname.startsWith('[') ? hostname : (getDomain(hostname) ?? hostname);
  if (domain === 'localhost') domain = '127.0.0.1';
  return url.port ? `${domain}:${url.port}` : domain;
}

/** An IPv6 address without brackets (several colons, only hex digits, colons and dots). */
const isBareIPv6 = (text: string) => /^[0-9a-fA-F:.]+$/.test(text) && (text.match(/:/g)?.length ?? 0) >= 2;
