import type { DecisionRecord } from '../../obs/decision-ring.js';
import { type Html, html } from './html.js';
import { certHref, memberHref, timeEl } from './layout.js';
import { type ReasonContext, reasonText } from './reason-text.js';

export function decisionsTable(decisions: readonly DecisionRecord[], ctx: ReasonContext, showMember = false): Html {
  const rows = decisions.map(
    (d) => html`<tr>
<td class="when">${timeEl(d.time)}</td>
${showMember && html`<td>${d.member ? html`<a href="${memberHref(d.member)}">${d.member}</a>` : html`<span class="muted">${d.outerIdentity ?? 'unknown'}</span>`}</td>`}
<td><span class="badge ${d.result}">${d.result === 'accept' ? 'accepted' : 'refused'}</span></td>
<td class="why">${reasonText(d, ctx)}<div class="small muted mono">${d.reason}${d.serial && html` · certificate <a href="${certHref(d.serial)}">${d.serial}</a>`}${
      !showMember && d.outerIdentity && html` · identity ${d.outerIdentity}`
    }</div></td>
<td>${d.client}<div class="small muted mono">${d.nas}</div></td>
<td class="mono mac">${d.callingStationId ?? html`<span class="muted">—</span>`}</td>
</tr>`,
  );
  return html`<div class="table-wrap"><table class="${showMember ? 'with-member' : 'decisions'}">
<thead><tr><th>Time</th>${showMember && html`<th>Member</th>`}<th>Result</th><th>Why</th><th>Access point / NAS</th><th>MAC</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}
