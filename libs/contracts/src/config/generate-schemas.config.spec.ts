import { generateSchemasMode } from './generate-schemas.config';

describe(generateSchemasMode.name, () => {
  it('should write when run locally without flags', () => {
    expect(generateSchemasMode([], {})).toBe('write');
    expect(generateSchemasMode([], { CI: 'false' })).toBe('write');
  });

  it('should only check when CI is set or --check is given', () => {
    expect(generateSchemasMode([], { CI: 'true' })).toBe('check');
    expect(generateSchemasMode([], { CI: '1' })).toBe('check');
    expect(generateSchemasMode(['--check'], {})).toBe('check');
  });

  it('should write when --write is given, even in CI', () => {
    expect(generateSchemasMode(['--write'], { CI: 'true' })).toBe('write');
  });
});
