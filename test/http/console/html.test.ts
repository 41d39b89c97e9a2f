import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from '../../../src/http/console/html.js';
import { memberPage } from '../../../src/http/console/pages/member.js';
import { NOW, decision, record } from './fixtures.js';

describe('html escaping', () => {
  it('escapes the five HTML metacharacters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('escapes every interpolated value once, and leaves Html alone', () => {
    const name = '<script>alert(1)</script>@x';
    const inner = html`<b>${name}</b>`;
    expect(html`<p title="${name}">${inner}</p>`.text).toBe(
      '<p title="&lt;script&gt;alert(1)&lt;/script&gt;@x"><b>&lt;script&gt;alert(1)&lt;/script&gt;@x</b></p>',
    );
    expect(html`${[name, raw('<br>'), 3, null, undefined, false]}`.text).toBe('&lt;script&gt;alert(1)&lt;/script&gt;@x<br>3');
  });

  it('renders a hostile member and identity escaped on the member page', () => {
    const evil = '<script>alert(1)</script>@x';
    const page = memberPage(
      {
        member: evil,
        now: NOW,
        certificates: [record({ serial: '5000', member: evil })],
        decisions: [decision({ member: evil, serial: '5000', outerIdentity: '<img src=x onerror=alert(2)>@x' })],
        ctx: { records: [record({ serial: '5000', member: evil })], realms: ['jaist.ac.jp'] },
        ringCapacity: 10_000,
        sessions: null,
        notice: null,
      },
      { operator: '<b>op</b>', csrf: 'c', viaBearer: false },
    ).text;
    expect(page).not.toMatch(/<script>alert|<img src=x|<b>op/);
    expect(page).toContain('<h1>&lt;script&gt;alert(1)&lt;/script&gt;@x</h1>');
    expect(page).toContain('&lt;img src=x onerror=alert(2)&gt;@x');
    expect(page).toContain('&lt;b&gt;op&lt;/b&gt;');
  });
});
