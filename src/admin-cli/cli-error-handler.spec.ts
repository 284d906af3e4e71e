import { InvalidInputError } from '../common/domain-errors';
import { COMMIT_UNCONFIRMED_MESSAGE, markCommitUnconfirmed } from '../database/postgres-errors';
import { commanderExitCode, handleCommandError } from './cli-error-handler';

describe('handleCommandError', () => {
  let written: string[];
  let write: jest.SpyInstance;
  const previousExitCode = process.exitCode;
  beforeEach(() => {
    written = [];
    write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    process.exitCode = 0;
  });
  afterEach(() => {
    write.mockRestore();
    process.exitCode = previousExitCode;
  });

  it('a usage error from commander (its exit code 1) exits 2 and prints nothing (commander already has)', () => {
    const usage = Object.assign(new Error('missing argument'), { code: 'commander.missingArgument', exitCode: 1 });
    expect(commanderExitCode(usage)).toBe(2);
    handleCommandError(usage);
    expect(process.exitCode).toBe(2);
    expect(written).toEqual([]);
  });

  it('--help and --version exit 0, and an error that is not commander\'s has no commander exit code', () => {
    expect(commanderExitCode(Object.assign(new Error('(outputHelp)'), { code: 'commander.helpDisplayed', exitCode: 0 }))).toBe(0);
    expect(commanderExitCode(Object.assign(new Error('1.0.0'), { code: 'commander.version', exitCode: 0 }))).toBe(0);
    expect(commanderExitCode(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBeUndefined();
  });

  it('exits 2 with the message alone for bad input', () => {
    handleCommandError(new InvalidInputError('slug must be a string'));
    expect(process.exitCode).toBe(2);
    expect(written).toEqual(['error: slug must be a string\n']);
  });

  it('says a change may have been saved when its COMMIT got no answer, instead of only that the connection failed', () => {
    const unconfirmed = new Error('Query read timeout');
    markCommitUnconfirmed(unconfirmed);
    handleCommandError(unconfirmed);
    expect(process.exitCode).toBe(1);
    expect(written).toEqual([`error: ${COMMIT_UNCONFIRMED_MESSAGE}: Query read timeout\n`]);
  });

  it('tells to run init-db when the registry tables are missing, instead of a stack trace', () => {
    const missing = Object.assign(new Error('relation "shared.tenants" does not exist'), { code: '42P01' });
    handleCommandError(missing);
    expect(process.exitCode).toBe(1);
    expect(written.join('')).toMatch(/^error: the database has no tenant registry yet: run `init-db`/);
    expect(written.join('')).not.toMatch(/\n\s+at /);
  });

  it.each([
    ['refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), 'connect ECONNREFUSED 127.0.0.1:5432'],
    // Node's connect to several addresses of one name: an AggregateError with an empty message.
    [
      'refused on every address',
      Object.assign(new AggregateError([new Error('connect ECONNREFUSED ::1:5432')], ''), { code: 'ECONNREFUSED' }),
      'connect ECONNREFUSED ::1:5432',
    ],
    ['unknown host', Object.assign(new Error('getaddrinfo ENOTFOUND db.invalid'), { code: 'ENOTFOUND' }), 'getaddrinfo ENOTFOUND db.invalid'],
    ['wrong password', Object.assign(new Error('password authentication failed for user "app"'), { code: '28P01' }), 'password authentication failed for user "app"'],
    ['lost mid-command', new Error('Connection terminated unexpectedly'), 'Connection terminated unexpectedly'],
  ])('a connection failure (%s) is one line naming it, exit 1', (_name, error, reason) => {
    handleCommandError(error);
    expect(process.exitCode).toBe(1);
    expect(written).toEqual([`error: the database connection failed: ${reason}\n`]);
  });

  it('a statement timeout is no connection failure', () => {
    handleCommandError(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }));
    expect(written.join('')).not.toContain('connection failed');
  });

  it('prints the stack of an unexpected error and exits 1', () => {
    handleCommandError(new TypeError('boom'));
    expect(process.exitCode).toBe(1);
    expect(written.join('')).toMatch(/^error: TypeError: boom\n\s+at /);
  });
});
