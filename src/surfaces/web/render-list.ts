import type { InvalidFile } from "../../commands/run-command.ts";
import type { StatusMessage } from "../../core/messages/status-message.ts";
import { statusPageUrl } from "../../core/messages/status-page-url.ts";
import { type Html, html } from "./html.ts";
import { healthBadge, phaseText } from "./render-layout.ts";

/** The list: every rollout the viewer may read, grouped by repository. */

function nextGate(status: StatusMessage): Html | string {
  const gate = status.gate;
  if (status.phase === "complete") return "complete";
  if (gate?.nextPercent === undefined) return "—";
  if (gate.open) return html`to ${gate.nextPercent}%: <strong>open</strong>`;
  const failing = gate.checks.filter((c) => !c.pass).map((c) => c.name);
  return html`to ${gate.nextPercent}%: closed <span class="muted">(${failing.join(", ")})</span>`;
}

function row(status: StatusMessage): Html {
  const href = statusPageUrl("", status.repo, status.rollout);
  return html`<tr data-rollout="${status.repo}:${status.rollout}">
    <th scope="row"><a href="${href}">${status.rollout}</a></th>
    <td class="num" data-label="Percent"><span class="percent">${status.percent}%</span>
      <progress max="100" value="${status.percent}" aria-label="${status.rollout} at ${status.percent}%"></progress></td>
    <td data-label="Phase">${phaseText(status.phase)}</td>
    <td data-label="Health">${healthBadge(status.health.status)}</td>
    <td data-label="In stage">${status.timeInStage ?? "—"}</td>
    <td data-label="Next gate">${nextGate(status)}</td>
  </tr>`;
}

export function renderList(rollouts: readonly StatusMessage[], invalid: readonly InvalidFile[]): Html {
  const byRepo = new Map<string, StatusMessage[]>();
  for (const r of rollouts) byRepo.set(r.repo, [...(byRepo.get(r.repo) ?? []), r]);
  const repos = [...new Set([...byRepo.keys(), ...invalid.map((f) => f.repo)])].sort();
  if (repos.length === 0) {
    return html`<p class="empty">No rollouts you may see. Rollouts are the files in
      <code>.github/rollouts/</code> of the repositories this bot serves; you see a repository's with read access to it.</p>`;
  }
  return html`${repos.map((repo) => {
    const rows = byRepo.get(repo) ?? [];
    const broken = invalid.filter((f) => f.repo === repo);
    return html`<section class="repo" aria-labelledby="repo-${repo}">
      <h2 id="repo-${repo}">${repo}</h2>
      ${
        rows.length > 0
          ? html`<div class="scroll"><table class="rollouts">
              <caption class="sr-only">Rollouts of ${repo}</caption>
              <thead><tr><th scope="col">Rollout</th><th scope="col">Percent</th><th scope="col">Phase</th>
                <th scope="col">Health</th><th scope="col">In stage</th><th scope="col">Next gate</th></tr></thead>
              <tbody>${rows.map(row)}</tbody>
            </table></div>`
          : ""
      }
      ${broken.map(
        (f) => html`<p class="invalid"><span aria-hidden="true">⚠</span> <code>${f.path}</code> is invalid:
          ${f.diagnostics[0] ? `line ${f.diagnostics[0].line}: ${f.diagnostics[0].message}` : "see the config check"}</p>`,
      )}
    </section>`;
  })}`;
}
