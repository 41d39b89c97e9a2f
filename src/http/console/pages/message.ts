import { type Html, html } from '../html.js';
import { type Viewer, page } from '../layout.js';

/** A page that only says something: not found, refused, nothing to show. */
export function messagePage(title: string, viewer: Viewer | null, text: string, search = ''): Html {
  return page(title, viewer, html`<h1>${title}</h1><section class="card"><p>${text}</p><p><a href="/console">Back to the overview</a></p></section>`, search);
}
