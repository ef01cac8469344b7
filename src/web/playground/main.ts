/**
 * The playground page, served by a validator's gateway at `GET /`: pick a synapse, give its input,
 * send it, and see the output, the miner that answered, the latency and the receipt, checked here
 * with src/p2p/protocol/answer-check.ts against the exact bytes this page sent.
 *
 * `document.body.dataset.state` says where the page is, for people's tools and the browser tests:
 * loading → ready → sending → checking → answered, or failed (with a message in the page).
 */
import "./style.css";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { checkAnswer } from "../../p2p/protocol/answer-check.js";
import { h, replaceChildren } from "../ui/dom.js";
import { byId } from "./element-ids.js";
import { initialValuesOf, readInput } from "./form-input.js";
import { renderForm, type FormView } from "./form-view.js";
import { callSynapse, fetchSynapses, type Synapse } from "./gateway-client.js";
import { summarizeReceipts } from "./receipt-summary.js";
import { encodeRequest, MAX_REDUNDANCY } from "./request-body.js";
import { renderAnswer, renderFailure } from "./result-view.js";
import { savedAnswerJson } from "./saved-answer.js";
import { formFieldsOf, type FormField } from "./schema-fields.js";

type PageState = "loading" | "ready" | "sending" | "checking" | "answered" | "failed";

/** The API key stays in this tab (sessionStorage): never in localStorage, a cookie or the URL. */
const API_KEY_ITEM = "tensornode.playground.apiKey";

const page = {
  status: byId("page-status", HTMLParagraphElement),
  form: byId("request-form", HTMLFormElement),
  synapse: byId("synapse", HTMLSelectElement),
  description: byId("synapse-description", HTMLParagraphElement),
  fields: byId("input-fields", HTMLDivElement),
  useExample: byId("use-example", HTMLButtonElement),
  apiKey: byId("api-key", HTMLInputElement),
  redundancy: byId("redundancy", HTMLSelectElement),
  send: byId("send", HTMLButtonElement),
  result: byId("result", HTMLElement),
};

// Started at once: the signature check's WebAssembly loads while the user fills the form.
const cryptoReady: Promise<boolean> = cryptoWaitReady();
// The gateway's API beside the page, also when a reverse proxy serves both under a path prefix.
const baseUrl = new URL(".", window.location.href).href.replace(/\/$/, "");

let synapses: readonly Synapse[] = [];
/** The synapse shown, with its form. */
let shown: { readonly synapse: Synapse; readonly fields: readonly FormField[]; readonly form: FormView } | undefined;
let savedUrl: string | undefined;

function setState(state: PageState, message?: string): void {
  document.body.dataset.state = state;
  if (message !== undefined) page.status.textContent = message;
  page.send.disabled = state === "sending" || state === "checking" || state === "loading";
}

function current(): Synapse | undefined {
  return synapses.find((s) => s.name === page.synapse.value);
}

function showSynapse(synapse: Synapse): void {
  page.description.textContent = synapse.description || "No description.";
  const fields = formFieldsOf(synapse.input);
  const form = renderForm(fields, initialValuesOf(fields, synapse.example));
  shown = { synapse, fields, form };
  replaceChildren(page.fields, form.element);
  page.useExample.hidden = synapse.example === undefined;
  // A redundancy rides in the input object; an input of another shape asks one miner.
  const objectInput = fields[0]?.name !== "";
  for (const option of page.redundancy.options) option.disabled = !objectInput && option.value !== "1";
  if (!objectInput) page.redundancy.value = "1";
  page.result.hidden = true;
}

async function send(): Promise<void> {
  if (!shown) return;
  const { synapse, fields, form } = shown;
  form.clearProblems();
  delete document.body.dataset.verified;
  setState("sending", `Sending to ${synapse.name}…`);
  const read = readInput(fields, await form.values());
  if (!read.ok) {
    setState("ready", `The input has ${read.problems.length === 1 ? "a problem" : `${read.problems.length} problems`}: ${read.problems[0]!.message}`);
    form.showProblems(read.problems);
    return;
  }
  const encoded = encodeRequest(read.input, Number(page.redundancy.value), synapse.maxBodyBytes);
  if (!encoded.ok) return fail({ message: encoded.message });
  const outcome = await callSynapse((url, init) => fetch(url, init), baseUrl, synapse.name, encoded.body, page.apiKey.value.trim(), () => performance.now());
  if (!outcome.ok) {
    const needsKey = outcome.failure.code === "UNAUTHORIZED" || outcome.failure.code === "FORBIDDEN";
    fail(outcome.failure, needsKey ? "This gateway asks for an API key: enter one under “Request options”." : undefined);
    if (needsKey) page.apiKey.focus();
    return;
  }
  if (savedUrl) URL.revokeObjectURL(savedUrl);
  savedUrl = URL.createObjectURL(new Blob([savedAnswerJson(synapse.name, `${baseUrl}/v1/synapses/${synapse.name}`, encoded.body, outcome.value.answer)], { type: "application/json" }));
  const view = renderAnswer(page.result, { answer: outcome.value, savedUrl, savedName: `${synapse.name}-answer.json` });
  setState("checking", `Answered by miner uid ${outcome.value.miner.uid}; checking its receipt…`);
  if (!(await cryptoReady)) {
    view.showUncheckable("this browser could not start the signature check (WebAssembly is blocked or missing)");
    document.body.dataset.verified = "false";
    setState("answered", `Answered by miner uid ${outcome.value.miner.uid}; its receipt could not be checked.`);
    return;
  }
  const summary = summarizeReceipts(checkAnswer(outcome.value.answer, encoded.body));
  view.showReceipts(summary);
  document.body.dataset.verified = String(summary.verified);
  setState("answered", `Answered by miner uid ${outcome.value.miner.uid}; ${summary.verified ? "receipt verified" : "the receipt does NOT verify"}.`);
  page.result.querySelector("h2")?.focus();
}

function fail(failure: Parameters<typeof renderFailure>[1], hint?: string): void {
  renderFailure(page.result, failure, hint);
  setState("failed", `Not answered: ${failure.message}`);
  page.result.querySelector("h2")?.focus();
}

async function start(): Promise<void> {
  page.apiKey.value = sessionStorage.getItem(API_KEY_ITEM) ?? "";
  page.apiKey.addEventListener("input", () => sessionStorage.setItem(API_KEY_ITEM, page.apiKey.value));
  for (let k = 1; k <= MAX_REDUNDANCY; k++) page.redundancy.append(h("option", { value: k }, k === 1 ? "1 miner" : `${k} miners (every receipt checked)`));
  const listed = await fetchSynapses((url, init) => fetch(url, init), baseUrl);
  if (!listed.ok) {
    renderFailure(page.result, listed.failure);
    setState("failed", `The synapses could not be listed: ${listed.failure.message}`);
    return;
  }
  synapses = listed.value;
  if (synapses.length === 0) {
    setState("failed", "This gateway offers no synapse to users.");
    return;
  }
  replaceChildren(page.synapse, ...synapses.map((s) => h("option", { value: s.name }, s.name)));
  const wanted = decodeURIComponent(window.location.hash.slice(1));
  if (synapses.some((s) => s.name === wanted)) page.synapse.value = wanted;
  page.synapse.addEventListener("change", () => {
    const synapse = current();
    if (synapse) showSynapse(synapse);
    history.replaceState(null, "", `#${encodeURIComponent(page.synapse.value)}`);
  });
  page.useExample.addEventListener("click", () => {
    if (shown) shown.form.fill(initialValuesOf(shown.fields, shown.synapse.example));
  });
  page.form.addEventListener("submit", (event) => {
    event.preventDefault();
    send().catch(broken);
  });
  showSynapse(current() ?? synapses[0]!);
  page.form.hidden = false;
  setState("ready", `${synapses.length === 1 ? "One synapse" : `${synapses.length} synapses`} offered. Fill in the input and send it.`);
}

/** A bug in the page: said in the page, never a blank or silently stuck one. */
function broken(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  renderFailure(page.result, { message: `the page failed: ${message}` });
  setState("failed", `The page failed: ${message}`);
}

window.addEventListener("unhandledrejection", (event) => broken(event.reason));
window.addEventListener("error", (event) => broken(event.error ?? event.message));
start().catch(broken);
