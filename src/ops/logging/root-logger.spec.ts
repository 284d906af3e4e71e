import { validateEnvironment } from '../../config/environment-variables';
import { createRootLogger, logFormatOf } from './root-logger';

describe('root logger', () => {
  it('defaults to pretty on a terminal and JSON otherwise; LOG_FORMAT decides when set', () => {
    expect(logFormatOf(validateEnvironment({}), true)).toBe('pretty');
    expect(logFormatOf(validateEnvironment({}), false)).toBe('json');
    expect(logFormatOf(validateEnvironment({ LOG_FORMAT: 'json' }), true)).toBe('json');
    expect(logFormatOf(validateEnvironment({ LOG_FORMAT: 'pretty' }), false)).toBe('pretty');
  });

  it('follows LOG_LEVEL with Nest level names (log = info, verbose = trace)', () => {
    const lines: string[] = [];
    const logger = createRootLogger(validateEnvironment({ LOG_LEVEL: 'warn' }), { write: (line: string) => void lines.push(line) });
    logger.info('hidden');
    logger.warn('shown');
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(['shown']);
    expect(createRootLogger(validateEnvironment({ LOG_LEVEL: 'log' }), { write: () => undefined }).level).toBe('info');
    expect(createRootLogger(validateEnvironment({ LOG_LEVEL: 'verbose' }), { write: () => undefined }).level).toBe('trace');
  });

  it('censors credential headers if a request object is ever logged', () => {
    const lines: string[] = [];
    const logger = createRootLogger(validateEnvironment({}), { write: (line: string) => void lines.push(line) });
    logger.info({ req: { headers: { 'x-api-key': 'tnt_secret', authorization: 'Bearer b', 'x-admin-key': 'a', accept: '*/*' } } }, 'r');
    expect(JSON.parse(lines[0]).req.headers).toEqual({ 'x-api-key': '[redacted]', authorization: '[redacted]', 'x-admin-key': '[redacted]', accept: '*/*' });
  });
});
