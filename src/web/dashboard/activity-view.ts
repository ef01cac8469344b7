/** Registrations and deregistrations as the dashboard sees them happen, newest first. */
import type { Activity } from "../model/api.js";
import { shortKey } from "../model/format.js";
import { h, replaceChildren } from "../ui/dom.js";

export interface ActivityView {
  readonly element: HTMLElement;
  update(activity: readonly Activity[]): void;
}

export function activityView(): ActivityView {
  const list = h("ol", { id: "registrations", class: "activity", "aria-live": "polite" });
  const element = h("section", { class: "panel", "aria-labelledby": "registrations-title" }, h("h2", { id: "registrations-title" }, "Registrations and deregistrations"), list);
  return {
    element,
    update(activity) {
      const changes = activity.filter((a) => a.kind === "registered" || a.kind === "deregistered").slice(0, 50);
      replaceChildren(
        list,
        ...(changes.length === 0
          ? [h("li", { class: "hint" }, "None seen since the dashboard started following this subnet.")]
          : changes.map((a) => h("li", { "data-kind": a.kind, "data-uid": a.uid, "data-block": a.block, "data-hotkey": a.hotkey }, h("span", { class: `badge badge-${a.kind}` }, a.kind), ` block ${a.block}: uid ${a.uid} `, h("span", { class: "key", title: a.hotkey, "data-key": a.hotkey }, shortKey(a.hotkey))))),
      );
    },
  };
}
