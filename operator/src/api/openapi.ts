// The subset of the OpenAPI v3 schema language that a CRD's structural schema uses, plus a way to give a
// sub-schema a TypeScript name. The schema in schema.ts is the single source: the CRD YAML and types.ts are
// both generated from it (generate.ts), and a unit test fails when either checked-in file drifts.

export interface ValidationRule {
  /** A CEL expression evaluated with `self` bound to the value the rule sits on. */
  rule: string;
  /** A fixed message shown when the rule is false. */
  message?: string;
  /** A CEL expression that builds the message (used when the value helps the reader). */
  messageExpression?: string;
  /** Where the error is reported, relative to the rule's node, e.g. `.minReplicas`. */
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description: string;
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema;
  enum?: readonly (string | number)[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  nullable?: boolean;
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-preserve-unknown-fields'?: true;
  'x-kubernetes-embedded-resource'?: true;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: ValidationRule[];
}

const typeNames = new WeakMap<Schema, string>();

/** Marks a sub-schema so the type generator emits it as a named, exported TypeScript type. */
export function named<S extends Schema>(typeName: string, schema: S): S {
  typeNames.set(schema, typeName);
  return schema;
}

export function typeNameOf(schema: Schema): string | undefined {
  return typeNames.get(schema);
}
