/**
 * Just enough JSON Schema (2020-12) to check responses against the OpenAPI
 * document: $ref, type (with "null"), const, enum, anyOf, properties,
 * required, additionalProperties, items, minimum, maximum, pattern,
 * minLength. Unknown keywords are ignored, as a validator must.
 */
type Schema = Record<string, unknown>;

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function resolve(root: Schema, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  let cur: unknown = root;
  for (const part of ref.slice(2).split('/')) cur = (cur as Record<string, unknown>)[part];
  if (!cur) throw new Error(`dangling $ref ${ref}`);
  return cur as Schema;
}

export function validateSchema(schema: Schema, value: unknown, root: Schema, path = '$'): string[] {
  if (typeof schema.$ref === 'string') return validateSchema(resolve(root, schema.$ref), value, root, path);
  const errors: string[] = [];
  if (Array.isArray(schema.anyOf)) {
    const results = (schema.anyOf as Schema[]).map((s) => validateSchema(s, value, root, path));
    if (!results.some((r) => r.length === 0)) errors.push(`${path}: matches no alternative (${results.map((r) => r[0]).join(' | ')})`);
  }
  if ('const' in schema && value !== schema.const) errors.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    const t = typeOf(value);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) {
      errors.push(`${path}: expected ${types.join('|')}, got ${t}`);
      return errors;
    }
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${path}: below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${path}: above ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${path}: does not match ${schema.pattern}`);
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`);
  }
  if (typeOf(value) === 'object') {
    const o = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in o)) errors.push(`${path}: missing ${r}`);
    for (const [k, v] of Object.entries(o)) {
      if (props[k]) errors.push(...validateSchema(props[k], v, root, `${path}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property ${k}`);
      else if (typeof schema.additionalProperties === 'object') errors.push(...validateSchema(schema.additionalProperties as Schema, v, root, `${path}.${k}`));
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => errors.push(...validateSchema(schema.items as Schema, v, root, `${path}[${i}]`)));
  return errors;
}

/** `METHOD /path/{param}` for every route an express router registers, as the OpenAPI document names them. */
export function routesOf(router: unknown): string[] {
  const stack = (router as { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> }).stack;
  return stack.filter((l) => l.route).flatMap((l) => Object.keys(l.route!.methods).map((m) => `${m.toUpperCase()} ${l.route!.path.replace(/:(\w+)/g, '{$1}')}`));
}

/** `METHOD /path` for every operation of an OpenAPI document. */
export function documentedRoutes(doc: unknown): string[] {
  return Object.entries((doc as { paths: Record<string, Record<string, unknown>> }).paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
}
