// Turns the one schema (schema.ts) into the two checked-in artefacts: the CRD manifest and types.ts.
// Pure string builders; generate-crd.ts writes the files and generate.test.ts fails when they drift.
import * as yaml from 'js-yaml';
import { API_VERSION, CRD_NAME, GROUP, KIND, LIST_KIND, PLURAL, SHORT_NAMES, SINGULAR, VERSION } from './group.js';
import { typeNameOf, type Schema } from './openapi.js';
import { kycPlatformSchema, printerColumns } from './schema.js';

export const CRD_PATH = 'crds/kycplatform.yaml';
export const TYPES_PATH = 'operator/src/api/types.ts';

export function crdObject(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: CRD_NAME,
      labels: { 'app.kubernetes.io/name': 'kyc-operator', 'app.kubernetes.io/part-of': 'kyc-platform' },
    },
    spec: {
      group: GROUP,
      names: { kind: KIND, listKind: LIST_KIND, plural: PLURAL, singular: SINGULAR, shortNames: [...SHORT_NAMES], categories: ['kyc'] },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: printerColumns.map((c) => ({ ...c })),
          // JSON round trip: plain data only (drops the type-name marks, which live outside the objects).
          schema: { openAPIV3Schema: JSON.parse(JSON.stringify(kycPlatformSchema)) as unknown },
        },
      ],
    },
  };
}

export function crdYaml(): string {
  const header = '# Generated from operator/src/api/schema.ts by `make crds` (operator/src/api/generate-crd.ts). Do not edit.\n';
  return header + yaml.dump(crdObject(), { noRefs: true, lineWidth: 120, quoteStyle: 'double' });
}

// ---------------------------------------------------------------------------------------------------
// TypeScript types

interface Emitter {
  declarations: Map<string, string>;
  order: string[];
}

function docComment(schema: Schema, indent: string): string {
  const lines = [schema.description];
  if (schema.default !== undefined) lines.push(`@default ${JSON.stringify(schema.default)}`);
  const text = lines.join('\n').replace(/\*\//g, '*\\/');
  const body = text.split('\n');
  if (body.length === 1) return `${indent}/** ${body[0]} */\n`;
  return `${indent}/**\n${body.map((l) => `${indent} * ${l}`).join('\n')}\n${indent} */\n`;
}

function literal(value: string | number): string {
  return typeof value === 'string' ? `'${value.replace(/'/g, "\\'")}'` : String(value);
}

function typeOf(schema: Schema, out: Emitter, indent: string, isRoot = false): string {
  const name = typeNameOf(schema);
  if (name !== undefined && !isRoot) {
    if (!out.declarations.has(name)) {
      out.declarations.set(name, ''); // reserve: stops recursion and fixes the order of first use
      out.order.push(name);
      out.declarations.set(name, declaration(name, schema, out));
    }
    return name;
  }
  if (schema['x-kubernetes-int-or-string']) return 'string | number';
  if (schema.enum) return schema.enum.map(literal).join(' | ');
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      if (!schema.items) return 'unknown[]';
      return `${wrap(typeOf(schema.items, out, indent))}[]`;
    case 'object':
    default:
      if (schema.properties) return objectBody(schema, out, indent);
      if (schema.additionalProperties) return `Record<string, ${typeOf(schema.additionalProperties, out, indent)}>`;
      return 'Record<string, unknown>';
  }
}

function wrap(type: string): string {
  return /[|&]/.test(type) ? `(${type})` : type;
}

function objectBody(schema: Schema, out: Emitter, indent: string): string {
  const inner = `${indent}  `;
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([key, child]) => {
    const optional = required.has(key) ? '' : '?';
    return `${docComment(child, inner)}${inner}${key}${optional}: ${typeOf(child, out, inner)};\n`;
  });
  if (schema['x-kubernetes-preserve-unknown-fields']) fields.push(`${inner}[k: string]: unknown;\n`);
  return `{\n${fields.join('')}${indent}}`;
}

function declaration(name: string, schema: Schema, out: Emitter): string {
  const type = typeOf(schema, out, '', true);
  const doc = docComment(schema, '');
  return type.startsWith('{') ? `${doc}export interface ${name} ${type}\n` : `${doc}export type ${name} = ${type};\n`;
}

export function typesSource(): string {
  const out: Emitter = { declarations: new Map(), order: [] };
  const spec = kycPlatformSchema.properties?.spec;
  const status = kycPlatformSchema.properties?.status;
  if (!spec || !status) throw new Error('kycPlatformSchema lacks spec or status');
  typeOf(spec, out, '');
  typeOf(status, out, '');
  const generated = out.order.map((n) => out.declarations.get(n) ?? '').join('\n');
  return `// Generated from operator/src/api/schema.ts by \`make crds\` (operator/src/api/generate-crd.ts). Do not edit.
export { COMPONENTS, type ComponentName } from './components.js';

/** Object metadata as the operator reads it (a subset of metav1.ObjectMeta). */
export interface KycPlatformMetadata {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  finalizers?: string[];
}

${docComment(kycPlatformSchema, '')}export interface KycPlatform {
  apiVersion: '${API_VERSION}';
  kind: '${KIND}';
  metadata: KycPlatformMetadata;
  spec: KycPlatformSpec;
  status?: KycPlatformStatus;
}

${generated}`;
}
