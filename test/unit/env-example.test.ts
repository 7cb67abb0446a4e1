import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigFields, loadConfig } from '../../shared/config.js';

/** `KEY=value` lines of .env.example; commented-out settings (`# KEY=`) have no default. */
function readEnvExample(): Map<string, string | undefined> {
  const entries = new Map<string, string | undefined>();
  for (const line of readFileSync('.env.example', 'utf8').split('\n')) {
    const set = /^([A-Z_]+)=(.*)$/.exec(line);
    const unset = /^# ([A-Z_]+)=$/.exec(line);
    if (set) entries.set(set[1]!, set[2]);
    else if (unset) entries.set(unset[1]!, undefined);
  }
  return entries;
}

describe('.env.example', () => {
  const example = readEnvExample();

  it('lists every setting of the config schema, and nothing else', () => {
    expect([...example.keys()].sort()).toEqual(Object.keys(ConfigFields.shape).sort());
  });

  it("gives each setting the schema's own default", () => {
    const defaults = loadConfig({}) as Record<string, unknown>;
    for (const [key, value] of example) {
      if (value === undefined) continue;
      expect(String(defaults[key]), key).toBe(value);
    }
  });

  it('is itself a valid configuration', () => {
    const env = Object.fromEntries([...example].filter((entry): entry is [string, string] => entry[1] !== undefined));
    expect(() => loadConfig(env)).not.toThrow();
  });
});
