/**
 * The input form in the page: one labelled control per field of schema-fields.ts, each with its
 * schema's description as a hint and a place for its problem, read and filled as form-input.ts
 * values. An image is read with FileReader when chosen; reading the values waits for it.
 */
import { append, h } from "../ui/dom.js";
import { uniqueId } from "./element-ids.js";
import type { FieldProblem, FieldValue, FormValues } from "./form-input.js";
import { base64OfDataUrl, imageTypeOf } from "./image-data.js";
import type { FormField, ImageField, ListField, NumberField, Scalar, ScalarField } from "./schema-fields.js";

export interface FormView {
  readonly element: HTMLElement;
  /** The values, once every file being read is in. */
  values(): Promise<FormValues>;
  fill(values: Readonly<Record<string, FieldValue>>): void;
  /** Shows each field's problems beside it and moves the focus to the first. */
  showProblems(problems: readonly FieldProblem[]): void;
  clearProblems(): void;
}

interface Control {
  readonly element: HTMLElement;
  get(): FieldValue | Promise<FieldValue>;
  set(value: FieldValue): void;
  /** Marks the control (or one item of a list) invalid, or valid again with undefined. */
  mark(problems: readonly FieldProblem[]): void;
  focus(problem: FieldProblem): void;
}

/** Whether a text field gets a multi-line box: long or unbounded text. */
const LONG_TEXT = 120;

function hint(field: FormField): { element: HTMLElement | undefined; id: string | undefined } {
  if (field.description === "") return { element: undefined, id: undefined };
  const id = uniqueId("hint");
  return { element: h("p", { class: "hint", id }, field.description), id };
}

function problemSlot(): { element: HTMLParagraphElement; id: string } {
  const id = uniqueId("problem");
  return { element: h("p", { class: "problem", id, hidden: true }), id };
}

function describedBy(...ids: readonly (string | undefined)[]): string | undefined {
  const joined = ids.filter((id) => id !== undefined).join(" ");
  return joined === "" ? undefined : joined;
}

function showProblem(slot: HTMLParagraphElement, problems: readonly FieldProblem[]): void {
  slot.replaceChildren(...problems.map((p) => h("span", {}, p.message)));
  slot.hidden = problems.length === 0;
}

function optionLabel(option: Scalar): string {
  return typeof option === "string" ? option : JSON.stringify(option);
}

/** The bare input of one scalar (a field's, or one item's of a list). */
function scalarInput(field: ScalarField, id: string, attrs: Readonly<Record<string, string | undefined>>): HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement {
  switch (field.kind) {
    case "choice": {
      const select = h("select", { id, ...attrs, required: field.required });
      if (!field.required) select.append(h("option", { value: "" }, "—"));
      field.options.forEach((option, i) => select.append(h("option", { value: String(i) }, optionLabel(option))));
      return select;
    }
    case "number":
      return h("input", { id, type: "number", step: field.integer ? 1 : "any", ...numberBounds(field), ...attrs, required: field.required });
    case "boolean":
      return h("input", { id, type: "checkbox", ...attrs });
    case "text":
      return field.maxLength !== undefined && field.maxLength <= LONG_TEXT
        ? h("input", { id, type: "text", maxlength: field.maxLength, ...attrs, required: field.required, spellcheck: "false" })
        : h("textarea", { id, rows: 3, ...attrs, required: field.required, spellcheck: "false" });
  }
}

function numberBounds(field: NumberField): Record<string, number | undefined> {
  return { min: field.minimum, max: field.maximum };
}

function scalarControl(field: ScalarField): Control {
  const id = uniqueId("field");
  const note = hint(field);
  const slot = problemSlot();
  const input = scalarInput(field, id, { "aria-describedby": describedBy(note.id, slot.id) });
  const label = h("label", { for: id }, field.label, field.required ? "" : h("span", { class: "optional" }, " (optional)"));
  const element = field.kind === "boolean" ? h("div", { class: "field checkbox" }, input, label, note.element, slot.element) : h("div", { class: "field" }, label, input, note.element, slot.element);
  return {
    element,
    get: () => (input instanceof HTMLInputElement && input.type === "checkbox" ? input.checked : input.value),
    set: (value) => {
      if (input instanceof HTMLInputElement && input.type === "checkbox") input.checked = value === true;
      else input.value = typeof value === "string" ? value : "";
    },
    mark: (problems) => {
      input.setAttribute("aria-invalid", String(problems.length > 0));
      showProblem(slot.element, problems);
    },
    focus: () => input.focus(),
  };
}

function listControl(field: ListField): Control {
  const note = hint(field);
  const slot = problemSlot();
  const inputs = Array.from({ length: field.length }, (_, i) => {
    const id = uniqueId("item");
    // The visible label is the item's index; the accessible name says whose item it is.
    const input = scalarInput(field.item, id, { "aria-label": `${field.label}, item ${i}`, "aria-describedby": describedBy(note.id, slot.id) });
    return { input, element: h("div", { class: "item" }, h("label", { for: id }, String(i)), input) };
  });
  const element = h(
    "fieldset",
    { class: "field list" },
    h("legend", {}, field.label, field.required ? "" : h("span", { class: "optional" }, " (optional)")),
    note.element,
    h("div", { class: "items" }, ...inputs.map((i) => i.element)),
    slot.element,
  );
  return {
    element,
    get: () => inputs.map(({ input }) => input.value),
    set: (value) => inputs.forEach(({ input }, i) => (input.value = Array.isArray(value) ? (value[i] ?? "") : "")),
    mark: (problems) => {
      inputs.forEach(({ input }, i) => input.setAttribute("aria-invalid", String(problems.some((p) => p.index === i || p.index === undefined))));
      showProblem(slot.element, problems);
    },
    focus: (problem) => inputs[problem.index ?? 0]?.input.focus(),
  };
}

function bytesOfBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function imageControl(field: ImageField): Control {
  const id = uniqueId("field");
  const note = hint(field);
  const slot = problemSlot();
  const chosen = h("p", { class: "chosen", "aria-live": "polite" });
  const preview = h("img", { class: "preview", alt: "", hidden: true });
  const input = h("input", { id, type: "file", accept: field.accept, "aria-describedby": describedBy(note.id, slot.id) });
  let base64 = "";
  let reading: Promise<void> = Promise.resolve();
  let previewUrl: string | undefined;

  const showPreview = (blob: Blob | undefined, caption: string, alt: string): void => {
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = blob ? URL.createObjectURL(blob) : undefined;
    preview.hidden = previewUrl === undefined;
    if (previewUrl) preview.src = previewUrl;
    else preview.removeAttribute("src");
    preview.alt = alt;
    chosen.textContent = caption;
  };

  const setBase64 = (value: string, caption: string): void => {
    base64 = value;
    if (value === "") return showPreview(undefined, "No image chosen.", "");
    let bytes: Uint8Array;
    try {
      bytes = bytesOfBase64(value);
    } catch {
      return showPreview(undefined, caption, "");
    }
    const type = imageTypeOf(bytes);
    showPreview(type ? new Blob([bytes as Uint8Array<ArrayBuffer>], { type }) : undefined, caption, "the image that will be sent");
  };

  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (!file) return;
    reading = new Promise<void>((resolve) => {
      const reader = new FileReader();
      reader.addEventListener("load", () => {
        try {
          base64 = base64OfDataUrl(String(reader.result));
          showPreview(file, `${file.name} (${file.size.toLocaleString("en")} bytes)`, `${file.name}, the image that will be sent`);
          showProblem(slot.element, []);
        } catch (error) {
          base64 = "";
          showProblem(slot.element, [{ field: field.name, message: `${file.name}: ${(error as Error).message}` }]);
        }
        resolve();
      });
      reader.addEventListener("error", () => {
        base64 = "";
        showProblem(slot.element, [{ field: field.name, message: `${file.name} could not be read (${reader.error?.message ?? "unknown error"})` }]);
        resolve();
      });
      reader.readAsDataURL(file);
    });
  });

  const element = h(
    "div",
    { class: "field image" },
    h("label", { for: id }, field.label, field.required ? "" : h("span", { class: "optional" }, " (optional)")),
    input,
    note.element,
    chosen,
    preview,
    slot.element,
  );
  return {
    element,
    get: async () => {
      await reading;
      return base64;
    },
    set: (value) => {
      input.value = "";
      setBase64(typeof value === "string" ? value : "", "The synapse's example image.");
    },
    mark: (problems) => {
      input.setAttribute("aria-invalid", String(problems.length > 0));
      showProblem(slot.element, problems);
    },
    focus: () => input.focus(),
  };
}

function jsonControl(field: FormField): Control {
  return scalarControl({ ...field, kind: "text", label: field.label, required: field.required });
}

function controlOf(field: FormField): Control {
  switch (field.kind) {
    case "image":
      return imageControl(field);
    case "list":
      return listControl(field);
    case "json":
      return jsonControl(field);
    default:
      return scalarControl(field);
  }
}

export function renderForm(fields: readonly FormField[], initial: Readonly<Record<string, FieldValue>>): FormView {
  const controls = new Map(fields.map((field) => [field.name, controlOf(field)] as const));
  const element = h("div", { class: "fields" });
  append(element, ...[...controls.values()].map((c) => c.element));
  const view: FormView = {
    element,
    values: async () => Object.fromEntries(await Promise.all([...controls].map(async ([name, control]) => [name, await control.get()] as const))),
    fill: (values) => {
      for (const [name, control] of controls) control.set(values[name] ?? "");
    },
    showProblems: (problems) => {
      for (const [name, control] of controls) control.mark(problems.filter((p) => p.field === name));
      const first = problems[0];
      if (first) controls.get(first.field)?.focus(first);
    },
    clearProblems: () => {
      for (const control of controls.values()) control.mark([]);
    },
  };
  view.fill(initial);
  return view;
}
