// Globs for policy matches: `*` is any run of characters (also none), `?` exactly one; everything
// else is literal. Case-insensitive, and the whole value must match ("staff" is not "*staff*").

export type Matcher = (value: string) => boolean;

export function compileGlob(pattern: string): Matcher {
  if (!/[*?]/.test(pattern)) {
    const lower = pattern.toLowerCase();
    return (v) => v.toLowerCase() === lower;
  }
  const source = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  const re = new RegExp(`^${source}$`, 'isu');
  return (v) => re.test(v);
}

/** Any of the globs matches the value. */
export function compileGlobs(patterns: readonly string[]): Matcher {
  const ms = patterns.map(compileGlob);
  return (v) => ms.some((m) => m(v));
}
