/** The page's elements by id: those index.html holds, and unique ids for the controls it makes. */

/** The element with this id, which the page's index.html must have. */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`the page has no ${type.name} #${id}`);
  return element;
}

let made = 0;
/** An id unique in the page, for a label's `for` and `aria-describedby`. */
export function uniqueId(prefix: string): string {
  made += 1;
  return `${prefix}-${made}`;
}
