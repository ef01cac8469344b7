/**
 * The playground page in Chromium, served by the gateway's real HTTP layer (its static files, keys
 * and errors) in front of a backend that answers as miners do, with receipts signed by test keys:
 * forms made from JSON Schemas, the exact bytes sent, the answer, the miner, the receipt checked in
 * the browser, and every error shown as the gateway's message. The page is built with the shared
 * build script, as `npm run build` builds it.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { buildPage } from "../../../scripts/build-web.js";
import { encodeImageFile } from "../../../subnets/ocr/image-file.js";
import { renderLine } from "../../../subnets/ocr/render.js";
import { checkAnswer } from "../../../src/p2p/protocol/answer-check.js";
import { prng } from "../../../src/util/prng.js";
import { sr25519Ready, type Sr25519Signer } from "../../../src/util/sr25519.js";
import { formatApiKeysFile, generateApiKey } from "../../../src/validator/gateway/api-keys.js";
import { GatewayError, type GatewayAnswer, type GatewayBackend, type SynapseInfo } from "../../../src/validator/gateway/contract.js";
import { startGatewayServer, type GatewayServer } from "../../../src/validator/gateway/http-server.js";
import { imageTypeOf } from "../../../src/web/playground/image-data.js";
import { VERIFIED } from "../../../src/web/playground/receipt-summary.js";
import { artifactPath, collectPageProblems, launchChromium } from "../../helpers/browser.js";
import { signedReceipt, signerOf } from "../../helpers/signed-answers.js";

const SYNAPSES: readonly SynapseInfo[] = [
  {
    name: "shout",
    description: "says the text back in capitals",
    timeoutMs: 1_000,
    input: { type: "object", required: ["text"], properties: { text: { type: "string", title: "Text", maxLength: 100 } }, additionalProperties: false },
    output: { type: "object", properties: { text: { type: "string" } } },
    example: { text: "hello" },
    maxBodyBytes: 4_096,
  },
  {
    name: "shapes",
    description: "says back every kind of input",
    timeoutMs: 1_000,
    input: {
      type: "object",
      required: ["scale", "row", "mode"],
      properties: {
        scale: { type: "number", minimum: 0, maximum: 1 },
        row: { type: "array", minItems: 4, maxItems: 4, items: { type: "integer", minimum: -8, maximum: 8 } },
        loud: { type: "boolean" },
        mode: { enum: ["fast", "good"] },
        extra: { type: "object", description: "anything else, as JSON" },
      },
    },
    output: { type: "object" },
    example: { scale: 0.5, row: [1, 2, 3, 4], mode: "fast" },
    maxBodyBytes: 4_096,
  },
  {
    name: "look",
    description: "tells what image it was sent",
    timeoutMs: 1_000,
    input: { type: "object", required: ["image"], properties: { image: { type: "string", contentEncoding: "base64", contentMediaType: "image/*" } } },
    output: { type: "object" },
    example: {},
    maxBodyBytes: 64 * 1024,
  },
];

function outputOf(synapse: string, input: Record<string, unknown>): unknown {
  switch (synapse) {
    case "shout":
      return { text: String(input.text).toUpperCase() };
    case "look": {
      const bytes = Buffer.from(String(input.image), "base64");
      return { bytes: bytes.length, type: imageTypeOf(bytes) ?? "unknown" };
    }
    default:
      return { echo: input };
  }
}

/** Answers as miners uid 10, 11, 12 would, each receipt signed over the exact body received. */
class SigningBackend implements GatewayBackend {
  readonly received: { synapse: string; body: Uint8Array }[] = [];
  /** What the next calls do: answer honestly, show another output than the one signed, or fail. */
  behaviour: "honest" | "show-another-output" | GatewayError = "honest";

  constructor(
    private readonly validator: Sr25519Signer,
    private readonly minerSigners: readonly Sr25519Signer[],
  ) {}

  synapses(): readonly SynapseInfo[] {
    return SYNAPSES;
  }

  async call(synapse: string, body: Uint8Array): Promise<GatewayAnswer> {
    this.received.push({ synapse, body });
    if (this.behaviour instanceof GatewayError) throw this.behaviour;
    const { redundancy = 1, ...input } = JSON.parse(Buffer.from(body).toString("utf8")) as Record<string, unknown>;
    const output = outputOf(synapse, input);
    const receipts = this.minerSigners.slice(0, Number(redundancy)).map((miner, i) => signedReceipt(this.validator, miner, 10 + i, body, output));
    const shown = this.behaviour === "show-another-output" ? { text: "SOMETHING ELSE" } : output;
    return { output: shown, ...receipts[0]!, ...(receipts.length > 1 ? { receipts } : {}) };
  }

  miners(): unknown {
    return [];
  }

  async attribution(): Promise<unknown> {
    return {};
  }
}

/** The page has settled: answered, failed, or ready (at first, or again with the form's problems shown). */
const SETTLED = 'body:is([data-state="ready"], [data-state="answered"], [data-state="failed"])';

async function settled(page: Page): Promise<string> {
  await page.locator(SETTLED).waitFor();
  return (await page.locator("body").getAttribute("data-state")) ?? "";
}

/** Presses Send and waits until the page has settled. */
async function send(page: Page): Promise<string> {
  await page.getByRole("button", { name: "Send" }).click();
  return settled(page);
}

/** What the page's status line says. */
const statusLine = async (page: Page): Promise<string> => (await page.locator("#page-status").textContent()) ?? "";

/** The focused element's aria-label, or its id. */
const focused = (page: Page): Promise<unknown> => page.evaluate('document.activeElement?.getAttribute("aria-label") || document.activeElement?.id');

async function open(context: BrowserContext, url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems = collectPageProblems(page);
  await page.goto(url);
  await settled(page);
  return { page, problems };
}

const lastBody = (backend: SigningBackend): unknown => JSON.parse(Buffer.from(backend.received.at(-1)!.body).toString("utf8"));

describe("the playground page in Chromium, in front of a gateway", { timeout: 120_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), "tn-playground-"));
  const pageDir = join(root, "playground");
  let browser: Browser;
  let backend: SigningBackend;
  let gateway: GatewayServer;
  let keyed: GatewayServer;
  const apiKey = generateApiKey({ name: "alice" });

  before(async () => {
    await sr25519Ready();
    await buildPage({ name: "playground", dir: fileURLToPath(new URL("../../../src/web/playground", import.meta.url)) }, pageDir);
    backend = new SigningBackend(signerOf(1), [signerOf(2), signerOf(3), signerOf(4)]);
    gateway = await startGatewayServer({ backend, host: "127.0.0.1", port: 0, staticDir: pageDir });
    const keysFile = join(root, "keys.json");
    writeFileSync(keysFile, formatApiKeysFile([apiKey.entry]));
    chmodSync(keysFile, 0o600);
    keyed = await startGatewayServer({ backend, host: "127.0.0.1", port: 0, staticDir: pageDir, keysFile });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await gateway?.close();
    await keyed?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("sends a text, and shows the output, the miner (uid and whole hotkey, copyable), the latency and the receipt verified in the browser", async () => {
    const context = await browser.newContext();
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const { page, problems } = await open(context, `${gateway.url}/`);
    await page.getByLabel("Synapse").selectOption("shout");
    await page.getByLabel("Text").fill("a <b>bold</b> move");
    assert.equal(await send(page), "answered", await statusLine(page));
    assert.deepEqual(lastBody(backend), { text: "a <b>bold</b> move" });
    assert.equal(await page.locator('[data-output="text"]').textContent(), "A <B>BOLD</B> MOVE", "shown as text, never as markup");
    assert.equal(await page.locator("[data-output] b").count(), 0);
    assert.equal(await page.locator("[data-miner-uid]").textContent(), "10");
    const hotkey = signedReceipt(signerOf(1), signerOf(2), 10, new Uint8Array(), {}).miner.hotkey;
    assert.equal(await page.locator("[data-miner-hotkey]").textContent(), hotkey);
    assert.match((await page.locator("[data-latency]").textContent()) ?? "", /^12\.5 ms at the miner, as the validator measured it; [\d.,]+ ms from this page and back$/);
    assert.equal(await page.locator(".receipt .verdict").textContent(), VERIFIED);
    assert.equal(await page.locator(".receipt").getAttribute("data-verified"), "true");
    await page.getByRole("button", { name: "Copy" }).click();
    assert.equal(await page.evaluate("navigator.clipboard.readText()"), hotkey);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Save the answer" }).click()]);
    const saved = JSON.parse(readFileSync((await download.path())!, "utf8")) as { synapse: string; url: string; body: string; answer: unknown };
    assert.equal(saved.synapse, "shout");
    assert.equal(saved.url, `${gateway.url}/v1/synapses/shout`);
    assert.deepEqual(Buffer.from(saved.body, "base64"), Buffer.from(backend.received.at(-1)!.body), "the exact bytes sent");
    assert.equal(checkAnswer(saved.answer, Buffer.from(saved.body, "base64")).valid, true);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("makes a form from a JSON Schema: a bounded number, a row of integers, a checkbox, a choice and JSON, read back as the input sent", async () => {
    const context = await browser.newContext();
    const { page, problems } = await open(context, `${gateway.url}/#shapes`);
    assert.equal(await page.getByLabel("Synapse").inputValue(), "shapes", "the synapse named in the URL's fragment");
    assert.equal(await page.getByLabel("scale").inputValue(), "0.5", "the form starts from the synapse's example");
    await page.getByLabel("scale").fill("0.25");
    for (const [i, value] of ["-8", "0", "7", "8"].entries()) await page.getByLabel(`row, item ${i}`, { exact: true }).fill(value);
    await page.getByLabel("loud").check();
    await page.getByLabel("mode").selectOption({ label: "good" });
    await page.getByLabel("extra").fill('{"deep": [1, {"x": null}]}');
    assert.equal(await send(page), "answered", await statusLine(page));
    const input = { scale: 0.25, row: [-8, 0, 7, 8], loud: true, mode: "good", extra: { deep: [1, { x: null }] } };
    assert.deepEqual(lastBody(backend), input);
    assert.deepEqual(JSON.parse((await page.locator('[data-output="echo"]').textContent()) ?? ""), input);
    assert.equal(await page.locator(".receipt").getAttribute("data-verified"), "true");
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("shows each problem of the form beside its field, focuses the first, and sends nothing", async () => {
    const context = await browser.newContext();
    const { page } = await open(context, `${gateway.url}/#shapes`);
    const before = backend.received.length;
    await page.getByLabel("row, item 2").fill("9");
    await page.getByLabel("extra").fill("{oops");
    assert.equal(await send(page), "ready");
    assert.equal(backend.received.length, before, "nothing sent");
    assert.equal(await page.getByLabel("row, item 2").getAttribute("aria-invalid"), "true");
    assert.equal(await page.getByLabel("row, item 1").getAttribute("aria-invalid"), "false");
    assert.match((await page.locator(".field.list .problem").textContent()) ?? "", /^row\[2\]: must be an integer from -8 to 8$/);
    assert.match((await page.getByLabel("extra").locator("xpath=..").locator(".problem").textContent()) ?? "", /^extra: is not JSON/);
    assert.equal(await focused(page), "row, item 2");
    assert.match((await page.locator("#page-status").textContent()) ?? "", /^The input has 2 problems: row\[2\]/);
    await context.close();
  });

  it("uploads an image, shows it, and sends its base64 without the data: prefix", async () => {
    const context = await browser.newContext();
    const { page, problems } = await open(context, `${gateway.url}/#look`);
    const png = Buffer.from(await encodeImageFile(renderLine("look at me", prng(3)), "png"));
    await page.getByLabel("image").setInputFiles({ name: "line.png", mimeType: "image/png", buffer: png });
    await page.locator("img.preview:not([hidden])").waitFor();
    assert.equal(await send(page), "answered", await statusLine(page));
    assert.deepEqual(lastBody(backend), { image: png.toString("base64") });
    assert.equal(await page.locator('[data-output="type"]').textContent(), "image/png");
    assert.equal(await page.locator(".receipt").getAttribute("data-verified"), "true");
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("asks several miners and checks every receipt; an output other than the one signed is caught", async () => {
    const context = await browser.newContext();
    const { page } = await open(context, `${gateway.url}/#shout`);
    await page.getByLabel("Miners asked").selectOption("3");
    assert.equal(await send(page), "answered");
    assert.deepEqual(lastBody(backend), { text: "hello", redundancy: 3 });
    assert.deepEqual(await page.locator(".receipts li").evaluateAll((items) => items.map((li) => [li.getAttribute("class"), li.querySelector(".verdict")?.textContent])), [
      ["verified", VERIFIED],
      ["verified", VERIFIED],
    ]);
    await page.getByLabel("Miners asked").selectOption("1");
    backend.behaviour = "show-another-output";
    try {
      assert.equal(await send(page), "answered");
    } finally {
      backend.behaviour = "honest";
    }
    assert.equal(await page.locator(".receipt .verdict").textContent(), "not verified: the output shown is not the output the miner signed");
    assert.equal(await page.locator(".receipt").getAttribute("data-verified"), "false");
    await context.close();
  });

  it("shows the gateway's own message for each error, never a blank page", async () => {
    const context = await browser.newContext();
    const { page } = await open(context, `${gateway.url}/#shout`);
    for (const error of [new GatewayError("NO_MINER", 503, "no miner can answer shout now; try again in a few seconds", 5_000), new GatewayError("BAD_INPUT", 400, "text: must be shorter")]) {
      backend.behaviour = error;
      try {
        assert.equal(await send(page), "failed");
      } finally {
        backend.behaviour = "honest";
      }
      assert.equal(await page.locator("[data-error]").textContent(), error.message);
      assert.equal(await page.locator("[data-error]").getAttribute("data-error"), error.code);
      assert.equal(await page.locator(".error-code").textContent(), `${error.code}, HTTP ${error.status}`);
    }
    await context.close();
  });

  it("on a keyed gateway: without a key the page says so and goes to the key field; with one the request passes, the key kept in this tab only", async () => {
    const context = await browser.newContext();
    const { page } = await open(context, `${keyed.url}/#shout`);
    assert.equal(await send(page), "failed");
    assert.equal(await page.locator("[data-error]").getAttribute("data-error"), "UNAUTHORIZED");
    assert.equal(await focused(page), "api-key");
    await page.keyboard.type(apiKey.key);
    assert.equal(await send(page), "answered", await statusLine(page));
    assert.equal(await page.evaluate('sessionStorage.getItem("tensornode.playground.apiKey")'), apiKey.key);
    assert.equal(await page.evaluate("localStorage.length"), 0);
    await page.reload();
    await settled(page);
    assert.equal(await page.getByLabel(/API key/).inputValue(), apiKey.key, "kept across a reload of the tab");
    await context.close();
  });

  it("says why when the synapses cannot be listed", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.route("**/v1/synapses", (route) => route.fulfill({ status: 502, contentType: "text/html", body: "<html>bad gateway</html>" }));
    await page.goto(`${gateway.url}/`);
    assert.equal(await settled(page), "failed");
    assert.equal(await page.locator("#page-status").textContent(), "The synapses could not be listed: the gateway answered HTTP 502 without an error message");
    assert.equal(await page.locator("#request-form").isHidden(), true);
    await context.close();
  });

  it("works from the keyboard alone, labels every control, and fits a phone's width", async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const { page, problems } = await open(context, `${gateway.url}/#shapes`);
    const unlabelled = await page.evaluate(
      '[...document.querySelectorAll("input, select, textarea, button")].filter((el) => !(el.labels?.length || el.getAttribute("aria-label") || (el.tagName === "BUTTON" && el.textContent.trim()))).map((el) => el.outerHTML)',
    );
    assert.deepEqual(unlabelled, []);
    const tabTo = async (target: string): Promise<void> => {
      for (let tabs = 0; tabs < 30 && (await focused(page)) !== target; tabs++) await page.keyboard.press("Tab");
      assert.equal(await focused(page), target, `${target} is reached with Tab`);
    };
    await tabTo("synapse");
    await page.keyboard.press("ArrowUp"); // from shapes to shout, the synapse before it
    assert.equal(await page.getByLabel("Synapse").inputValue(), "shout");
    const text = await page.getByLabel("Text").getAttribute("id");
    await tabTo(text!);
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type("typed");
    await tabTo("send");
    await page.keyboard.press("Enter");
    assert.equal(await settled(page), "answered");
    assert.equal(await page.locator('[data-output="text"]').textContent(), "TYPED");
    assert.equal(await page.locator(".receipt").getAttribute("data-verified"), "true");
    assert.equal(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), true, "nothing overflows sideways");
    await page.screenshot({ path: artifactPath("playground-phone.png"), fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  });
});
