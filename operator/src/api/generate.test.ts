import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import * as yaml from 'js-yaml';
import { DOCS_PATH, apiReference } from './docs.js';
import { CRD_PATH, TYPES_PATH, crdObject, crdYaml, typesSource } from './generate.js';
import type { Schema } from './openapi.js';
import { kycPlatformSchema } from './schema.js';

// jest runs from the repository root (jest.config.js), where both generated files live.
const checkedIn = (path: string) => readFileSync(path, 'utf8');

function* nodes(schema: Schema, path: string): Generator<[string, Schema]> {
  yield [path, schema];
  for (const [key, child] of Object.entries(schema.properties ?? {})) yield* nodes(child, `${path}.${key}`);
  if (schema.items) yield* nodes(schema.items, `${path}[]`);
  if (schema.additionalProperties) yield* nodes(schema.additionalProperties, `${path}{}`);
}

describe('generated artefacts', () => {
  it('crds/kycplatform.yaml matches the schema (run `make crds` after changing schema.ts)', () => {
    expect(checkedIn(CRD_PATH)).toBe(crdYaml());
  });

  it('operator/src/api/types.ts matches the schema (run `make crds` after changing schema.ts)', () => {
    expect(checkedIn(TYPES_PATH)).toBe(typesSource());
  });

  it('docs/api.md matches the schema (run `make crds` after changing schema.ts)', () => {
    expect(checkedIn(DOCS_PATH)).toBe(apiReference());
  });

  it('the checked-in CRD parses back to the generated object', () => {
    expect(yaml.load(checkedIn(CRD_PATH))).toEqual(crdObject());
  });
});

describe('schema', () => {
  it('describes every field (kubectl explain is the documentation)', () => {
    const missing = [...nodes(kycPlatformSchema, 'KycPlatform')]
      .filter(([path, s]) => path !== 'KycPlatform.metadata' && !s.description?.trim())
      .map(([path]) => path);
    expect(missing).toEqual([]);
  });

  it('gives every node a type, as a structural schema requires (int-or-string excepted)', () => {
    const untyped = [...nodes(kycPlatformSchema, 'KycPlatform')]
      .filter(([, s]) => s.type === undefined && !s['x-kubernetes-int-or-string'])
      .map(([path]) => path);
    expect(untyped).toEqual([]);
  });

  it('bounds every string that a CEL rule reads, so the API server can estimate rule cost', () => {
    const unbounded = [...nodes(kycPlatformSchema, 'KycPlatform')]
      .filter(([, s]) => s.type === 'string' && s.enum === undefined && s['x-kubernetes-validations'] && s.maxLength === undefined)
      .map(([path]) => path);
    expect(unbounded).toEqual([]);
  });

  it("gives a component the platform's custom metrics and fallback field for field, without the components lists", () => {
    const spec = kycPlatformSchema.properties?.spec?.properties;
    const platformWide = spec?.autoscaling?.properties;
    const component = spec?.components?.properties?.kyc?.properties?.autoscaling?.properties;
    const withoutComponents = (metric: Schema | undefined) => {
      const { components, ...properties } = metric?.properties ?? {};
      expect(components).toBeDefined();
      return { ...metric, properties, description: undefined };
    };
    for (const name of ['requestRate', 'latency', 'queueLag']) {
      const own = component?.metrics?.properties?.[name];
      expect(own?.properties?.components).toBeUndefined();
      expect({ ...own, description: undefined }).toEqual(withoutComponents(platformWide?.metrics?.properties?.[name]));
    }
    expect(component?.fallback?.properties).toEqual(platformWide?.fallback?.properties);
  });

  it('types.ts declares the interfaces the runtime imports', () => {
    const source = typesSource();
    for (const name of ['KycPlatform', 'KycPlatformSpec', 'KycPlatformStatus', 'ComponentSpec', 'Condition', 'ComponentStatus']) {
      expect(source).toMatch(new RegExp(`export interface ${name} `));
    }
    expect(source).toContain("export { COMPONENTS, type ComponentName } from './components.js';");
  });
});
