import type { JsonSchema } from '#contracts';

/**
 * A JSON Schema of the contract (written once, for AsyncAPI 3) as an OpenAPI 3.0 schema, so
 * the REST document reuses it instead of a second description: `type: [T, 'null']` becomes
 * `type: T, nullable: true` and `const: v` becomes `enum: [v]`, in every subschema.
 */
export function toOpenApi30(schema: JsonSchema): JsonSchema {
  const converted: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === 'type' && Array.isArray(value)) {
      const types = value.filter((type) => type !== 'null');
      if (types.length !== 1) throw new Error(`OpenAPI 3.0 has no type ${JSON.stringify(value)}`);
      converted.type = types[0];
      if (types.length < value.length) converted.nullable = true;
    } else if (keyword === 'const') {
      converted.enum = [value];
    } else if (keyword === 'properties') {
      converted.properties = Object.fromEntries(
        Object.entries(value as Record<string, JsonSchema>).map(([name, sub]) => [name, toOpenApi30(sub)]),
      );
    } else if (SUBSCHEMA_LISTS.has(keyword)) {
      converted[keyword] = (value as JsonSchema[]).map(toOpenApi30);
    } else if (SUBSCHEMAS.has(keyword) && typeof value === 'object' && value !== null) {
      converted[keyword] = toOpenApi30(value as JsonSchema);
    } else {
      converted[keyword] = value;
    }
  }
  return converted;
}

const SUBSCHEMA_LISTS = new Set(['oneOf', 'anyOf', 'allOf']);
const SUBSCHEMAS = new Set(['items', 'additionalProperties', 'not']);
