/**
 * The answer in the page: the output, the miner that answered (uid, and its hotkey in full, to
 * copy), the latency, and the receipt's check once it is done; or the gateway's error message.
 * Everything a gateway or miner sent is set as text.
 */
import { h, replaceChildren, type Child } from "../ui/dom.js";
import type { GatewayFailure, SynapseAnswer } from "./gateway-client.js";
import type { ReceiptLine, ReceiptSummary } from "./receipt-summary.js";

export interface AnswerView {
  /** Shows the receipts' check (until then the page says it is checking). */
  showReceipts(summary: ReceiptSummary): void;
  /** The receipts could not be checked at all (the browser's crypto failed to start). */
  showUncheckable(reason: string): void;
}

const ms = (value: number): string => `${value.toLocaleString("en", { maximumFractionDigits: 1 })} ms`;

function outputValue(value: unknown): HTMLElement {
  if (typeof value === "string") return h("span", { class: "text-output" }, value);
  return h("pre", { class: "json-output" }, Array.isArray(value) ? JSON.stringify(value) : JSON.stringify(value, null, 2));
}

/** An object's properties one by one (so a text reads as text); anything else as JSON. */
function outputBlock(output: unknown): HTMLElement {
  if (typeof output === "object" && output !== null && !Array.isArray(output)) {
    const rows = Object.entries(output).flatMap(([name, value]) => [h("dt", {}, name), h("dd", { "data-output": name }, outputValue(value))]);
    return h("dl", { class: "output" }, ...rows);
  }
  return h("div", { class: "output", "data-output": "" }, outputValue(output));
}

function copyButton(code: HTMLElement, status: HTMLElement): HTMLButtonElement {
  const button = h("button", { type: "button", class: "secondary" }, "Copy");
  button.addEventListener("click", () => {
    const text = code.textContent ?? "";
    const selectIt = (): void => {
      const range = document.createRange();
      range.selectNodeContents(code);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      status.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
    };
    // The clipboard API exists only in secure contexts (https, or loopback): elsewhere, select the text.
    if (!navigator.clipboard) return selectIt();
    navigator.clipboard.writeText(text).then(() => (status.textContent = "Copied."), selectIt);
  });
  return button;
}

function hotkeyBlock(hotkey: string, label: string): HTMLElement {
  const code = h("code", { class: "hotkey", "data-miner-hotkey": "", title: hotkey }, hotkey);
  const status = h("span", { class: "copy-status", role: "status" });
  return h("span", { class: "hotkey-row", "aria-label": label }, code, " ", copyButton(code, status), " ", status);
}

function receiptLine(line: ReceiptLine, index: number): HTMLElement {
  return h(
    "li",
    { class: line.verified ? "verified" : "not-verified", "data-receipt": index },
    h("span", { class: "who" }, `miner uid ${line.uid ?? "?"}`, line.latencyMs === undefined ? "" : `, ${ms(line.latencyMs)}`),
    " ",
    h("code", { class: "hotkey", title: line.hotkey }, line.hotkey || "(no hotkey named)"),
    h("span", { class: "verdict" }, line.text),
  );
}

export function renderFailure(container: HTMLElement, failure: GatewayFailure | { readonly message: string }, hint?: Child): void {
  const detail = "code" in failure ? `${failure.code}${failure.status > 0 ? `, HTTP ${failure.status}` : ""}` : undefined;
  replaceChildren(
    container,
    h("h2", { tabindex: -1 }, "Not answered"),
    h("p", { class: "error", role: "alert", "data-error": "code" in failure ? failure.code : "" }, failure.message),
    detail ? h("p", { class: "error-code" }, detail) : null,
    hint ? h("p", { class: "hint" }, hint) : null,
  );
  container.hidden = false;
}

export interface AnswerContext {
  readonly answer: SynapseAnswer;
  /** A download of the saved answer, for `tensornode receipt verify`. */
  readonly savedUrl: string;
  readonly savedName: string;
}

export function renderAnswer(container: HTMLElement, { answer, savedUrl, savedName }: AnswerContext): AnswerView {
  const verdict = h("p", { class: "verdict", role: "status" }, "Checking the receipt in your browser…");
  const others = h("ul", { class: "receipts", hidden: true });
  const receipt = h(
    "section",
    { class: "receipt", "data-verified": "pending", "aria-labelledby": "receipt-heading" },
    h("h3", { id: "receipt-heading" }, "Receipt"),
    verdict,
    others,
    h(
      "p",
      { class: "hint" },
      "Checked here against the exact bytes this page sent: the request the miner answered carries their hash, and the miner signed its answer to that request in full. " +
        "Whether this hotkey holds this uid on the subnet is on chain: save the answer and run ",
      h("code", {}, `tensornode receipt verify ${savedName} --chain … --netuid …`),
      ".",
    ),
    h("p", {}, h("a", { href: savedUrl, download: savedName, class: "button secondary" }, "Save the answer")),
  );
  replaceChildren(
    container,
    h("h2", { tabindex: -1 }, "Answer"),
    h("section", { class: "answer-output", "aria-labelledby": "output-heading" }, h("h3", { id: "output-heading" }, "Output"), outputBlock(answer.output)),
    h(
      "section",
      { class: "miner", "aria-labelledby": "miner-heading" },
      h("h3", { id: "miner-heading" }, "Miner"),
      h(
        "dl",
        {},
        h("dt", {}, "uid"),
        h("dd", { "data-miner-uid": "" }, String(answer.miner.uid)),
        h("dt", {}, "hotkey"),
        h("dd", {}, hotkeyBlock(answer.miner.hotkey, "the miner's hotkey")),
        h("dt", {}, "latency"),
        h("dd", { "data-latency": "" }, `${ms(answer.latencyMs)} at the miner, as the validator measured it; ${ms(answer.roundTripMs)} from this page and back`),
      ),
    ),
    receipt,
    h("details", {}, h("summary", {}, "The answer as JSON"), h("pre", { class: "json-output" }, JSON.stringify(answer.answer, null, 2))),
  );
  container.hidden = false;
  return {
    showReceipts: (summary) => {
      receipt.dataset.verified = String(summary.verified);
      const [own, ...rest] = summary.lines;
      verdict.textContent = own?.text ?? "not verified: the answer carries no receipt";
      verdict.className = `verdict ${own?.verified ? "verified" : "not-verified"}`;
      replaceChildren(others, ...rest.map((line, i) => receiptLine(line, i + 1)));
      if (rest.length > 0) others.before(h("p", {}, `The other ${rest.length === 1 ? "receipt" : `${rest.length} receipts`} of this request:`));
      others.hidden = rest.length === 0;
    },
    showUncheckable: (reason) => {
      receipt.dataset.verified = "false";
      verdict.textContent = `not verified: ${reason}`;
      verdict.className = "verdict not-verified";
    },
  };
}
