// Which errors are "a dependency is away" (503 + Retry-After) and which stay what they were.
import { describe, expect, it } from '@jest/globals';
import { DatabaseError } from 'pg';
import { TEMPORARILY_UNAVAILABLE, dependencyProblem, unavailableDependency } from './dependency-errors.js';
import { ProblemError, toProblem } from './problem.js';

function pgError(code: string): DatabaseError {
  const error = new DatabaseError('server said no', 0, 'error');
  error.code = code;
  error.severity = 'FATAL';
  return error;
}

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });
}

function named(name: string, message = 'failed'): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('unavailableDependency', () => {
  it.each([
    ['connection refused', socketError('ECONNREFUSED')],
    ['connection reset', socketError('ECONNRESET')],
    ['pg: connection terminated', new Error('Connection terminated unexpectedly')],
    ['pg: connect timeout', new Error('Connection terminated due to connection timeout')],
    ['pg-pool: no free connection in time', new Error('timeout exceeded when trying to connect')],
    ['pg: frozen server', new Error('Query read timeout')],
    ['57P01 admin shutdown', pgError('57P01')],
    ['57P03 cannot connect now', pgError('57P03')],
    ['53300 too many connections', pgError('53300')],
    ['57014 statement timeout', pgError('57014')],
    ['08006 connection failure', pgError('08006')],
    ['40001 serialization failure', pgError('40001')],
    [
      'a connect to every address of a name',
      Object.assign(new AggregateError([socketError('ECONNREFUSED'), socketError('ECONNREFUSED')]), { code: 'ECONNREFUSED' }),
    ],
    ['wrapped in a cause', new Error('store read failed', { cause: socketError('ECONNRESET') })],
  ])('%s is the database', (_what, error) => {
    expect(unavailableDependency(error)).toBe('database');
  });

  it.each([
    ['ioredis: connection closed', new Error('Connection is closed.')],
    [
      'ioredis: retries exhausted',
      named(
        'MaxRetriesPerRequestError',
        'Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option for details.',
      ),
    ],
    ['ioredis: command timeout', new Error('Command timed out')],
  ])('%s is the cache', (_what, error) => {
    expect(unavailableDependency(error)).toBe('cache');
  });

  it.each([['KafkaJSConnectionError'], ['KafkaJSRequestTimeoutError'], ['KafkaJSNumberOfRetriesExceeded']])('%s is messaging', (name) => {
    expect(unavailableDependency(named(name))).toBe('messaging');
  });

  it.each([
    ['a unique violation', pgError('23505')],
    ['a syntax error', pgError('42601')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a string', 'boom'],
    ['null', null],
  ])('%s is no dependency failure', (_what, error) => {
    expect(unavailableDependency(error)).toBeUndefined();
  });

  it('stops on a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(unavailableDependency(a)).toBeUndefined();
  });
});

describe('dependencyProblem', () => {
  it('when PostgreSQL refuses, then 503 temporarily-unavailable with Retry-After and no driver detail', () => {
    const problem = dependencyProblem(socketError('ECONNREFUSED'));
    expect(problem).toBeInstanceOf(ProblemError);
    expect(problem?.status).toBe(503);
    expect(problem?.type).toBe(TEMPORARILY_UNAVAILABLE);
    expect(problem?.headers['Retry-After']).toBe('5');
    const body = problem?.toBody('/x');
    expect(body).toMatchObject({ status: 503, dependency: 'database' });
    expect(JSON.stringify(body)).not.toContain('127.0.0.1');
  });

  it('when the KMS cannot be asked (even over a refused socket), then 503 naming the KMS, with Retry-After', () => {
    const error = new Error('the KMS did not answer', { cause: socketError('ECONNREFUSED') });
    error.name = 'KmsUnavailableError';
    const problem = dependencyProblem(error);
    expect(problem?.status).toBe(503);
    expect(problem?.headers['Retry-After']).toBe('5');
    expect(problem?.toBody('/x')).toMatchObject({ dependency: 'kms' });
  });

  it('leaves problems and other errors alone (they stay 4xx or 500)', () => {
    expect(dependencyProblem(new ProblemError(409, 'taken'))).toBeUndefined();
    const bug = new Error('bug');
    expect(dependencyProblem(bug)).toBeUndefined();
    expect(toProblem(bug).status).toBe(500);
  });
});
