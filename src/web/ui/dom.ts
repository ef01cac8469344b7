/**
 * Building the pages' DOM safely: text goes in as text (textContent), never as HTML, so a subnet's
 * name or a hotkey from the chain — attacker-controlled — can never become markup. Attributes are
 * set one by one (no `style`: the pages run under a CSP without inline styles; use classes).
 */

export type Child = Node | string | number | null | undefined | false;

export interface Attributes {
  readonly [name: string]: string | number | boolean | null | undefined;
}

/** An element with attributes (false/null/undefined ones left out) and children (strings as text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "style" || /^on/i.test(name)) throw new Error(`h(): the ${name} attribute is not allowed (CSP; use a class or addEventListener)`);
    element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, ...children);
  return element;
}

/** Appends children, strings as text nodes. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** Sets an element's text (as text). */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/** A message for the reader in place of content that could not be shown: never a blank page. */
export function notice(kind: "error" | "warning" | "info", title: string, detail?: string): HTMLElement {
  return h("div", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" }, h("p", { class: "notice-title" }, title), detail ? h("p", { class: "notice-detail" }, detail) : null);
}
