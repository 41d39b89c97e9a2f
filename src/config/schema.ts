// A small typed schema: each node validates one value and reports problems by key path, so a bad
// config names the key and what is wrong instead of failing somewhere later. Kept in-house because
// the whole config is a few dozen keys and a JSON-schema engine would be our largest dependency.

export interface Problem {
  path: string;
  message: string;
}

export class Ctx {
  readonly problems: Problem[] = [];
  readonly warnings: string[] = [];
  constructor(readonly baseDir: string) {}
  fail(path: string, message: string): undefined {
    this.problems.push({ path: path || '(top level)', message });
    return undefined;
  }
}

/** Returns the parsed value, or undefined after recording a problem. */
export type Schema<T> = (value: unknown, path: string, ctx: Ctx) => T | undefined;

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : `${typeof v} ${JSON.stringify(v)}`;

export const str = (opts: { nonEmpty?: boolean; pattern?: RegExp; hint?: string } = {}): Schema<string> =>
  (v, path, ctx) => {
    if (typeof v !== 'string') return ctx.fail(path, `must be a string, got ${describe(v)}`);
    if (opts.nonEmpty !== false && v.length === 0) return ctx.fail(path, 'must not be empty');
    if (opts.pattern && !opts.pattern.test(v)) return ctx.fail(path, `${JSON.stringify(v)} is not ${opts.hint ?? `of the form ${opts.pattern}`}`);
    return v;
  };

export const int = (min: number, max: number): Schema<number> => (v, path, ctx) => {
  if (typeof v !== 'number' || !Number.isInteger(v)) return ctx.fail(path, `must be a whole number, got ${describe(v)}`);
  if (v < min || v > max) return ctx.fail(path, `must be between ${min} and ${max}, got ${v}`);
  return v;
};

export const bool: Schema<boolean> = (v, path, ctx) =>
  typeof v === 'boolean' ? v : ctx.fail(path, `must be true or false, got ${describe(v)}`);

export const oneOf = <T extends string>(...values: T[]): Schema<T> => (v, path, ctx) =>
  typeof v === 'string' && (values as string[]).includes(v)
    ? (v as T)
    : ctx.fail(path, `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}, got ${describe(v)}`);

export const list = <T>(item: Schema<T>, opts: { min?: number; max?: number } = {}): Schema<T[]> => (v, path, ctx) => {
  if (!Array.isArray(v)) return ctx.fail(path, `must be a list, got ${describe(v)}`);
  if (opts.min !== undefined && v.length < opts.min) return ctx.fail(path, `needs at least ${opts.min} entr${opts.min === 1 ? 'y' : 'ies'}`);
  if (opts.max !== undefined && v.length > opts.max) return ctx.fail(path, `allows at most ${opts.max} entries`);
  const out: T[] = [];
  let ok = true;
  v.forEach((x, i) => {
    const r = item(x, `${path}[${i}]`, ctx);
    if (r === undefined) ok = false;
    else out.push(r);
  });
  return ok ? out : undefined;
};

/** A value that may be absent: `dflt` stands in for it. */
export interface Opt<T> {
  optional: true;
  schema: Schema<T>;
  /** Raw input, parsed like a configured value. */
  dflt: unknown;
}
export const opt = <T>(schema: Schema<T>, dflt?: unknown): Opt<T> => ({ optional: true, schema, dflt });

type Field = Schema<unknown> | Opt<unknown>;
type Out<F> = F extends Opt<infer T> ? T : F extends Schema<infer T> ? T : never;
type Shape = Record<string, Field>;
export type Parsed<S extends Shape> = { [K in keyof S]: Out<S[K]> };

/** A mapping with known keys; unknown keys are errors (a typo must not silently do nothing). */
export const obj = <S extends Shape>(shape: S): Schema<Parsed<S>> => (v, path, ctx) => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return ctx.fail(path, `must be a mapping, got ${describe(v)}`);
  const input = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  let ok = true;
  for (const key of Object.keys(input)) {
    if (!(key in shape)) {
      ctx.fail(join(path, key), `unknown key (known keys here: ${Object.keys(shape).join(', ')})`);
      ok = false;
    }
  }
  for (const [key, field] of Object.entries(shape)) {
    const p = join(path, key);
    const raw = input[key];
    if (isOpt(field)) {
      if (raw === undefined || raw === null) {
        // Defaults go through the schema too, so a defaulted mapping gets its own defaults.
        out[key] = field.dflt === undefined ? undefined : field.schema(field.dflt, p, ctx);
        continue;
      }
      const r = field.schema(raw, p, ctx);
      if (r === undefined) ok = false;
      out[key] = r;
    } else {
      if (raw === undefined) {
        ctx.fail(p, 'is required');
        ok = false;
        continue;
      }
      const r = field(raw, p, ctx);
      if (r === undefined) ok = false;
      out[key] = r;
    }
  }
  return ok ? (out as Parsed<S>) : undefined;
};

/** Post-check or convert a parsed value; `fn` returns a message string to reject. */
export const refine = <T, U>(schema: Schema<T>, fn: (v: T) => U | { error: string }): Schema<U> => (v, path, ctx) => {
  const r = schema(v, path, ctx);
  if (r === undefined) return undefined;
  const u = fn(r);
  if (u !== null && typeof u === 'object' && 'error' in (u as object) && Object.keys(u as object).length === 1) {
    return ctx.fail(path, (u as { error: string }).error);
  }
  return u as U;
};

const isOpt = (f: Field): f is Opt<unknown> => typeof f === 'object' && f !== null && (f as Opt<unknown>).optional === true;
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
