import { describe, expect, it } from 'vitest';
import { classifyFailure, describeServerFailure, isLocalAddress, type ServerTarget } from './failures.js';

const kafka: ServerTarget = {
  server: 'kafka',
  address: '127.0.0.1:19092',
  user: 'dragnet-admin',
  addressVariable: 'KAFKA_BROKERS',
  credentialVariables: 'KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD_FILE',
  caVariable: 'KAFKA_SSL_CA_FILE',
};
const elasticsearch: ServerTarget = {
  ...kafka,
  server: 'elasticsearch',
  address: 'https://es.example.org:9200',
  addressVariable: 'ELASTICSEARCH_URL',
  credentialVariables: 'ELASTICSEARCH_USERNAME / ELASTICSEARCH_PASSWORD_FILE',
  caVariable: 'ELASTICSEARCH_CA_FILE',
};

// Shaped as the drivers throw them (names, codes, causes), built by hand: no driver is imported.
const error = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name }, extra);

describe('classifyFailure', () => {
  it('finds a refused connection under kafkajs retry wrappers', () => {
    const refused = error('KafkaJSConnectionError', 'Connection error: connect ECONNREFUSED 127.0.0.1:1', {
      code: 'ECONNREFUSED',
    });
    const wrapped = error('KafkaJSNonRetriableError', 'Connection error', { originalError: refused });
    expect(classifyFailure(error('KafkaJSNumberOfRetriesExceeded', 'x', { cause: wrapped }))).toEqual({
      kind: 'unreachable',
      detail: 'ECONNREFUSED',
    });
  });

  it('reads credentials refused by each server', () => {
    expect(
      classifyFailure(error('KafkaJSSASLAuthenticationError', 'SASL SCRAM SHA512 authentication failed'))
        .kind,
    ).toBe('credentials');
    expect(
      classifyFailure(error('ResponseError', 'security_exception', { meta: { statusCode: 401 } })).kind,
    ).toBe('credentials');
    expect(
      classifyFailure(error('ReplyError', 'WRONGPASS invalid username-password pair or user is disabled.'))
        .kind,
    ).toBe('credentials');
  });

  it('tells a certificate problem, a dropped connection and anything else apart', () => {
    expect(
      classifyFailure(
        error('ConnectionError', 'self-signed', { cause: { code: 'SELF_SIGNED_CERT_IN_CHAIN' } }),
      ),
    ).toEqual({
      kind: 'tls',
      detail: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    expect(classifyFailure(error('KafkaJSConnectionClosedError', 'Closed connection')).kind).toBe('closed');
    expect(classifyFailure(error('ResponseError', 'index_not_found', { meta: { statusCode: 404 } }))).toEqual(
      {
        kind: 'other',
        detail: 'index_not_found',
      },
    );
  });

  it('stops on a cycle of causes', () => {
    const a: Record<string, unknown> = { name: 'A', message: 'a' };
    a.cause = a;
    expect(classifyFailure(a).kind).toBe('other');
  });
});

describe('describeServerFailure', () => {
  it('names the server, the address and the command that fixes a local stack that is down', () => {
    const line = describeServerFailure(kafka, error('KafkaJSConnectionError', 'x', { code: 'ECONNREFUSED' }));
    expect(line).toBe(
      'Kafka at 127.0.0.1:19092 is not reachable (ECONNREFUSED) — start the local stack with `pnpm stack:up` (or set KAFKA_BROKERS)',
    );
  });

  it('points a remote server at its variable, and refused credentials at the identity and its secret', () => {
    expect(
      describeServerFailure(elasticsearch, error('ConnectionError', 'getaddrinfo ENOTFOUND es.example.org')),
    ).toBe(
      'Elasticsearch at https://es.example.org:9200 is not reachable (ENOTFOUND) — check ELASTICSEARCH_URL and that the server is up',
    );
    expect(
      describeServerFailure(elasticsearch, error('ResponseError', 'x', { meta: { statusCode: 401 } })),
    ).toBe(
      'Elasticsearch at https://es.example.org:9200 refused the credentials of dragnet-admin — check ELASTICSEARCH_USERNAME / ELASTICSEARCH_PASSWORD_FILE',
    );
  });

  it('is one line whatever the message holds', () => {
    expect(describeServerFailure(kafka, error('Error', 'one\ntwo\r\n\u001b[31mthree'))).toBe(
      'Kafka at 127.0.0.1:19092: one two [31mthree',
    );
  });
});

describe('isLocalAddress', () => {
  it('is true only when every host is this machine', () => {
    expect(isLocalAddress('127.0.0.1:19092,localhost:19093')).toBe(true);
    expect(isLocalAddress('https://127.0.0.1:19200')).toBe(true);
    expect(isLocalAddress('127.0.0.1:19092,kafka-2:9092')).toBe(false);
    expect(isLocalAddress('https://es.example.org')).toBe(false);
  });
});
