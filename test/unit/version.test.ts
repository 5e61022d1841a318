import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LANFOLD_VERSION, PROTOCOL_VERSION } from '../../main/version.js';

describe('LANFOLD_VERSION', () => {
  it("equals package.json's version", () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    expect(LANFOLD_VERSION).toBe(pkg.version);
    expect(LANFOLD_VERSION).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
  });

  it('has a positive integer protocol version', () => {
    expect(Number.isInteger(PROTOCOL_VERSION) && PROTOCOL_VERSION > 0).toBe(true);
  });
});
