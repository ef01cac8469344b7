/**
 * The epoch clock: the block, where it stands in the epoch, when the next epoch runs, and each
 * weight commit waiting on chain (with the epoch it may be revealed in) — and the commits and
 * reveals the dashboard saw, from the activity.
 */
import type { Activity, EpochClock } from "../model/api.js";
import { shortKey } from "../model/format.js";
import { h, replaceChildren, setText } from "../ui/dom.js";

export interface ClockView {
  readonly element: HTMLElement;
  update(clock: EpochClock, activity: readonly Activity[]): void;
}

const key = (ss58: string): HTMLElement => h("span", { class: "key", title: ss58, "data-key": ss58 }, shortKey(ss58));

export function clockView(): ClockView {
  const line = h("p", { class: "clock-line" });
  const progress = h("progress", { id: "epoch-progress", max: 1, value: 0 });
  const label = h("label", { for: "epoch-progress" }, "Blocks into the epoch");
  const commits = h("div", { class: "table-wrap" });
  const seen = h("div", { class: "table-wrap" });
  const element = h(
    "section",
    { id: "clock", class: "panel", "aria-labelledby": "clock-title" },
    h("h2", { id: "clock-title" }, "Epoch clock"),
    line,
    h("div", { class: "progress-row" }, label, progress),
    h("h3", {}, "Weight commits waiting to be revealed"),
    commits,
    h("h3", {}, "Commits and reveals seen"),
    seen,
  );
  return {
    element,
    update(clock, activity) {
      const span = Math.max(1, clock.nextEpochBlock - clock.lastEpochBlock);
      const into = Math.min(span, Math.max(0, clock.block - clock.lastEpochBlock));
      const left = Math.max(0, clock.nextEpochBlock - clock.block);
      element.dataset.block = String(clock.block);
      element.dataset.epoch = String(clock.epoch);
      element.dataset.nextEpochBlock = String(clock.nextEpochBlock);
      setText(line, `Block ${clock.block} · epoch ${clock.epoch} (tempo ${clock.tempo}) · next epoch at block ${clock.nextEpochBlock}, in ${left} blocks · commit-reveal ${clock.commitReveal ? `on (reveal ${clock.revealPeriodEpochs} epoch${clock.revealPeriodEpochs === 1 ? "" : "s"} after the commit)` : "off"}`);
      progress.max = span;
      progress.value = into;
      progress.textContent = `${into} of ${span}`;
      replaceChildren(
        commits,
        clock.commits.length === 0
          ? h("p", { class: "hint" }, clock.commitReveal ? "None on chain now." : "Commit-reveal is off on this subnet: validators set weights directly.")
          : h(
              "table",
              { class: "data compact", id: "commits" },
              h("thead", {}, h("tr", {}, ...["uid", "hotkey", "committed at block", "in epoch", "revealable in epoch", "hash"].map((c) => h("th", { scope: "col" }, c)))),
              h("tbody", {}, ...clock.commits.map((c) => h("tr", { "data-hotkey": c.hotkey, "data-block": c.block }, h("td", { class: "num" }, c.uid === null ? "—" : String(c.uid)), h("td", {}, key(c.hotkey)), h("td", { class: "num" }, String(c.block)), h("td", { class: "num" }, String(c.epoch)), h("td", { class: "num" }, String(c.epoch + clock.revealPeriodEpochs)), h("td", {}, h("code", { title: c.hash }, `${c.hash.slice(0, 10)}…`))))),
            ),
      );
      const weightsSeen = activity.filter((a) => a.kind === "committed" || a.kind === "revealed" || a.kind === "expired" || a.kind === "weights").slice(0, 12);
      replaceChildren(
        seen,
        weightsSeen.length === 0
          ? h("p", { class: "hint" }, "Nothing seen yet since the dashboard started following this subnet.")
          : h("ul", { class: "seen" }, ...weightsSeen.map((a) => h("li", { "data-kind": a.kind, "data-block": a.block }, `block ${a.block}: uid ${a.uid} `, key(a.hotkey), ` ${a.kind === "weights" ? "set weights" : a.kind}`))),
      );
    },
  };
}
