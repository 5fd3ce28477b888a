/**
 * A JSON Schema checker for the subset docs/openapi.json uses: `$ref` to
 * `#/components/schemas/…`, type (one or a list), const, enum, properties,
 * required, additionalProperties (boolean or schema), items, min/maxItems,
 * min/maxLength, pattern, minimum/maximum, oneOf, anyOf. Any other keyword
 * is refused, so the document cannot drift into what this does not check.
 */
type Schema = Record<string, unknown>;

const KNOWN = new Set([
  '$ref', 'type', 'const', 'enum', 'properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems',
  'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'oneOf', 'anyOf', 'description', 'default',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Problems of `value` against `schema`, each with its JSON path; empty when it is valid. */
export function validate(value: unknown, schema: Schema, root: Schema, path = '$'): string[] {
  const unknown = Object.keys(schema).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) return [`${path}: the schema uses ${unknown.join(', ')}, which this checker does not know`];
  if (typeof schema['$ref'] === 'string') {
    const name = /^#\/components\/schemas\/(.+)$/.exec(schema['$ref'])?.[1];
    const target = name ? ((root['components'] as { schemas: Record<string, Schema> }).schemas[name]) : undefined;
    return target ? validate(value, target, root, path) : [`${path}: unresolved ${schema['$ref']}`];
  }
  const problems: string[] = [];
  const actual = typeOf(value);
  if (schema['type'] !== undefined) {
    const types = ([] as unknown[]).concat(schema['type']);
    if (!types.some((type) => type === actual || (type === 'number' && actual === 'integer'))) return [`${path}: ${actual}, not ${types.join(' or ')}`];
  }
  if ('const' in schema && JSON.stringify(value) !== JSON.stringify(schema['const'])) problems.push(`${path}: not ${JSON.stringify(schema['const'])}`);
  if (Array.isArray(schema['enum']) && !schema['enum'].some((option) => JSON.stringify(option) === JSON.stringify(value))) problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema['enum'])}`);
  if (typeof value === 'string') {
    if (typeof schema['minLength'] === 'number' && [...value].length < schema['minLength']) problems.push(`${path}: shorter than ${schema['minLength']}`);
    if (typeof schema['maxLength'] === 'number' && [...value].length > schema['maxLength']) problems.push(`${path}: longer than ${schema['maxLength']}`);
    if (typeof schema['pattern'] === 'string' && !new RegExp(schema['pattern'], 'u').test(value)) problems.push(`${path}: does not match ${schema['pattern']}`);
  }
  if (typeof value === 'number') {
    if (typeof schema['minimum'] === 'number' && value < schema['minimum']) problems.push(`${path}: below ${schema['minimum']}`);
    if (typeof schema['maximum'] === 'number' && value > schema['maximum']) problems.push(`${path}: above ${schema['maximum']}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema['minItems'] === 'number' && value.length < schema['minItems']) problems.push(`${path}: fewer than ${schema['minItems']} items`);
    if (typeof schema['maxItems'] === 'number' && value.length > schema['maxItems']) problems.push(`${path}: more than ${schema['maxItems']} items`);
    if (schema['items']) value.forEach((item, index) => problems.push(...validate(item, schema['items'] as Schema, root, `${path}[${index}]`)));
  }
  if (actual === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
    for (const key of (schema['required'] ?? []) as string[]) if (!Object.hasOwn(object, key)) problems.push(`${path}: "${key}" is missing`);
    for (const [key, item] of Object.entries(object)) {
      if (Object.hasOwn(properties, key)) problems.push(...validate(item, properties[key]!, root, `${path}.${key}`));
      else if (schema['additionalProperties'] === false) problems.push(`${path}: "${key}" is not allowed`);
      else if (typeof schema['additionalProperties'] === 'object') problems.push(...validate(item, schema['additionalProperties'] as Schema, root, `${path}.${key}`));
    }
  }
  if (Array.isArray(schema['oneOf'])) {
    const matching = (schema['oneOf'] as Schema[]).filter((option) => validate(value, option, root, path).length === 0).length;
    if (matching !== 1) problems.push(`${path}: matches ${matching} of oneOf's ${schema['oneOf'].length} schemas, not exactly one`);
  }
  if (Array.isArray(schema['anyOf']) && !(schema['anyOf'] as Schema[]).some((option) => validate(value, option, root, path).length === 0)) {
    problems.push(`${path}: matches none of anyOf`);
  }
  return problems;
}
