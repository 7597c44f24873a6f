import { toOpenApi30 } from './openapi-30-schema.js';

describe('toOpenApi30', () => {
  it('turns nullable type lists and const into their OpenAPI 3.0 forms, in every subschema', () => {
    const schema = {
      oneOf: [
        {
          type: 'object',
          properties: {
            type: { const: 'tool.started' },
            // A property named like a keyword is a property, not a keyword.
            const: { type: ['integer', 'null'], minimum: 0 },
            tags: { type: 'array', items: { type: ['string', 'null'] } },
            input: {},
          },
          required: ['type'],
          additionalProperties: false,
        },
      ],
    };
    expect(toOpenApi30(schema)).toEqual({
      oneOf: [
        {
          type: 'object',
          properties: {
            type: { enum: ['tool.started'] },
            const: { type: 'integer', nullable: true, minimum: 0 },
            tags: { type: 'array', items: { type: 'string', nullable: true } },
            input: {},
          },
          required: ['type'],
          additionalProperties: false,
        },
      ],
    });
  });

  it('keeps a plain single type and refuses a union OpenAPI 3.0 cannot say', () => {
    expect(toOpenApi30({ type: ['object', 'null'] })).toEqual({ type: 'object', nullable: true });
    expect(toOpenApi30({ type: 'string', format: 'uuid' })).toEqual({ type: 'string', format: 'uuid' });
    expect(() => toOpenApi30({ type: ['string', 'integer'] })).toThrow(/no type/);
  });
});
