import { ledgerCheckArgs } from './migrate-check';

describe('ledgerCheckArgs (which command lines the fast migrate --check answers)', () => {
  it('takes migrate --check with or without --json, in any order', () => {
    expect(ledgerCheckArgs(['migrate', '--check'])).toEqual({ json: false });
    expect(ledgerCheckArgs(['migrate', '--check', '--json'])).toEqual({ json: true });
    expect(ledgerCheckArgs(['migrate', '--json', '--check'])).toEqual({ json: true });
  });

  it('leaves everything else to nest-commander', () => {
    for (const args of [
      [],
      ['migrate'],
      ['migrate', '--json'],
      ['migrate', '--check', '--tenant', 'acme'],
      ['migrate', '--check', '--help'],
      ['migrate', '--check', '--dry-run'],
      ['migrate', '--check', 'extra'],
      ['migrate', '--check=yes'],
      ['list', '--check'],
      ['--check', 'migrate'],
    ]) {
      expect(ledgerCheckArgs(args)).toBeUndefined();
    }
  });
});
