// A small zod 3 → JSON Schema (2020-12, as used by OpenAPI 3.1) converter for the request schemas the
// services validate with, so the public document cannot drift from them. Covers the zod types those
// schemas use (object, string, number, boolean, enum, array, optional, default, effects); anything
// else is an error at build time rather than a silently wrong schema.
import { z } from 'zod';
import type { ZodTypeAny } from 'zod';

export type JsonSchema = Record<string, unknown>;

/** Whether a property built from this schema may be left out (optional or defaulted). */
function isOptional(schema: ZodTypeAny): boolean {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) return true;
  if (schema instanceof z.ZodEffects) return isOptional(schema.innerType() as ZodTypeAny);
  return false;
}

export function zodToJsonSchema(schema: ZodTypeAny): JsonSchema {
  if (schema instanceof z.ZodObject) {
    const shape = schema.shape as Record<string, ZodTypeAny>;
    const properties = Object.fromEntries(Object.entries(shape).map(([key, value]) => [key, zodToJsonSchema(value)]));
    const required = Object.entries(shape)
      .filter(([, value]) => !isOptional(value))
      .map(([key]) => key);
    return {
      type: 'object',
      ...(required.length > 0 && { required }),
      properties,
      ...(schema._def.unknownKeys === 'strict' && { additionalProperties: false }),
    };
  }
  if (schema instanceof z.ZodOptional) return zodToJsonSchema(schema.unwrap() as ZodTypeAny);
  if (schema instanceof z.ZodDefault) return { ...zodToJsonSchema(schema.removeDefault() as ZodTypeAny), default: schema._def.defaultValue() as unknown };
  if (schema instanceof z.ZodEffects) return zodToJsonSchema(schema.innerType() as ZodTypeAny);
  if (schema instanceof z.ZodString) {
    const out: JsonSchema = { type: 'string' };
    for (const check of schema._def.checks) {
      if (check.kind === 'min') out.minLength = check.value;
      else if (check.kind === 'max') out.maxLength = check.value;
      else if (check.kind === 'email') out.format = 'email';
      else if (check.kind === 'uuid') out.format = 'uuid';
      else if (check.kind === 'regex') out.pattern = check.regex.source;
    }
    return out;
  }
  if (schema instanceof z.ZodNumber) {
    const out: JsonSchema = { type: 'number' };
    for (const check of schema._def.checks) {
      if (check.kind === 'int') out.type = 'integer';
      else if (check.kind === 'min') out[check.inclusive ? 'minimum' : 'exclusiveMinimum'] = check.value;
      else if (check.kind === 'max') out[check.inclusive ? 'maximum' : 'exclusiveMaximum'] = check.value;
    }
    return out;
  }
  if (schema instanceof z.ZodBoolean) return { type: 'boolean' };
  if (schema instanceof z.ZodEnum) return { type: 'string', enum: [...(schema.options as string[])] };
  if (schema instanceof z.ZodArray) {
    const def = schema._def;
    return {
      type: 'array',
      items: zodToJsonSchema(def.type as ZodTypeAny),
      ...(def.minLength && { minItems: def.minLength.value }),
      ...(def.maxLength && { maxItems: def.maxLength.value }),
    };
  }
  throw new Error(`zodToJsonSchema: unsupported zod type ${schema.constructor.name}`);
}

/** Query parameters (OpenAPI `in: query`) from a zod object of query fields. */
export function zodToQueryParameters(schema: z.AnyZodObject): JsonSchema[] {
  const shape = schema.shape as Record<string, ZodTypeAny>;
  return Object.entries(shape).map(([name, value]) => ({ name, in: 'query', required: !isOptional(value), schema: zodToJsonSchema(value) }));
}
