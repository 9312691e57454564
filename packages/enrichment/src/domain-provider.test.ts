import { describe, expect, it } from 'vitest';
import { createDomainProvider, domainFacts } from './domain-provider.js';
import { buildContext } from './indicator-context.js';

const provider = createDomainProvider();

describe('domainFacts', () => {
  it('splits registrable domain, suffix and subdomain', () => {
    expect(domainFacts('a.b.example.co.uk')).toEqual({
      registrableDomain: 'example.co.uk',
      publicSuffix: 'co.uk',
      subdomain: 'a.b',
      subdomainDepth: 2,
      idn: false,
    });
    expect(domainFacts('example.com').subdomainDepth).toBe(0);
  });

  it('treats private PSL suffixes as suffixes', () => {
    expect(domainFacts('evil.github.io')).toMatchObject({
      registrableDomain: 'evil.github.io',
      publicSuffix: 'github.io',
    });
  });

  it('flags punycode labels', () => {
    expect(domainFacts('xn--80ak6aa92e.com').idn).toBe(true);
    expect(domainFacts('www.xn--bcher-kva.example').idn).toBe(true);
    expect(domainFacts('xnexample.com').idn).toBe(false);
  });
});

describe('domain provider', () => {
  it('fills ECS url.* and dragnet.* for a domain', () => {
    expect(provider.enrich(buildContext('domain', 'mail.google.com'))).toEqual({
      url: {
        domain: 'mail.google.com',
        registered_domain: 'google.com',
        top_level_domain: 'com',
        subdomain: 'mail',
      },
      dragnet: { registrable_domain: 'google.com', public_suffix: 'com', subdomain_depth: 1, idn: false },
    });
  });

  it('adds scheme, port and path for URLs', () => {
    expect(provider.enrich(buildContext('url', 'https://login.example.co.uk:8443/a/b?q=1'))).toEqual({
      url: {
        domain: 'login.example.co.uk',
        registered_domain: 'example.co.uk',
        top_level_domain: 'co.uk',
        subdomain: 'login',
        scheme: 'https',
        port: 8443,
        path: '/a/b',
      },
      dragnet: {
        registrable_domain: 'example.co.uk',
        public_suffix: 'co.uk',
        subdomain_depth: 1,
        idn: false,
        host_is_ip: false,
      },
    });
    expect(provider.enrich(buildContext('url', 'http://example.com/')).url?.port).toBe(80);
  });

  it('marks IP-host URLs and gives no domain facts', () => {
    expect(provider.enrich(buildContext('url', 'http://192.0.2.1:8080/x'))).toEqual({
      url: { domain: '192.0.2.1', scheme: 'http', port: 8080, path: '/x' },
      dragnet: { host_is_ip: true },
    });
  });

  it('gives the domain of an e-mail outside url.*', () => {
    expect(provider.enrich(buildContext('email', 'ceo@corp.example.org'))).toEqual({
      dragnet: {
        email_domain: 'corp.example.org',
        registrable_domain: 'example.org',
        public_suffix: 'org',
        subdomain_depth: 1,
        idn: false,
      },
    });
  });

  it('ignores hashes and IPs', () => {
    expect(provider.enrich(buildContext('md5', 'd41d8cd98f00b204e9800998ecf8427e'))).toEqual({});
    expect(provider.enrich(buildContext('ipv4', '8.8.8.8'))).toEqual({});
  });
});
