// One escape function for every page: templates are written with the `html` tag, which escapes
// each interpolated value unless it is already Html (built by this tag). So a template cannot
// forget to escape, and a value is never escaped twice.

/** Markup that is safe to insert as is: only `html` (and `raw` for fixed literals) make one. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text → HTML text, safe in element content and in quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function render(v: HtmlValue): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  // false/null/undefined render as nothing, so `${cond && html`…`}` reads naturally.
  if (v === null || v === undefined || v === false || v === true) return '';
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/** For literal markup written in this code base only (never for data). */
export const raw = (literal: string): Html => new Html(literal);
