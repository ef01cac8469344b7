/**
 * The playground as a user meets it: `tensornode localnet` starts a validator whose gateway serves
 * the built page at `GET /`; in Chromium the user uploads a line of text rendered by the test (OCR)
 * or types 16 numbers (tiny), presses Send, and reads the miner's answer with its receipt verified
 * in the browser; the answer saved from the page verifies again with `tensornode receipt verify`,
 * on chain. Needs `npm run build` (the page is dist/web/playground).
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { encodeImageFile } from "../../subnets/ocr/image-file.js";
import { renderLine } from "../../subnets/ocr/render.js";
import { tinyReference } from "../../subnets/tiny/reference.js";
import { prng } from "../../src/util/prng.js";
import { VERIFIED } from "../../src/web/playground/receipt-summary.js";
import { artifactPath, collectPageProblems, launchChromium } from "../helpers/browser.js";
import { runCliCaptured as runCli } from "../helpers/cli.js";
import { startGatewayNet, type GatewayNet } from "../helpers/gateway.js";
import { processesMentioning } from "../helpers/processes.js";

/** The page has settled: answered, failed, or ready (at first, or again with the form's problems shown). */
const SETTLED = 'body:is([data-state="ready"], [data-state="answered"], [data-state="failed"])';

async function settled(page: Page, timeout?: number): Promise<string> {
  await page.locator(SETTLED).waitFor(timeout === undefined ? {} : { timeout });
  return (await page.locator("body").getAttribute("data-state")) ?? "";
}

/** Presses Send and waits for the page to show the answer (or fails with what the page says instead). */
async function sendForAnswer(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Send" }).click();
  assert.equal(await settled(page, 90_000), "answered", (await page.locator("#page-status").textContent()) ?? "");
}

/** Saves the answer from the page's link and checks it with `tensornode receipt verify` on chain. */
async function verifySavedAnswerOnChain(page: Page, net: GatewayNet, dir: string, env: Record<string, string>): Promise<void> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Save the answer" }).click()]);
  const file = join(dir, download.suggestedFilename());
  await download.saveAs(file);
  const r = await runCli(["receipt", "verify", file, "--chain", net.chain, "--netuid", "1", "--format", "json"], { env });
  assert.equal(r.code, 0, r.stderr || r.stdout);
  assert.equal((JSON.parse(r.stdout) as { valid: boolean }).valid, true);
}

function localnet(name: string, args: readonly string[]): { root: string; env: Record<string, string>; start(): Promise<GatewayNet>; stop(net?: GatewayNet): Promise<void> } {
  const root = mkdtempSync(join(tmpdir(), `tn-playground-${name}-`));
  const env = { TMPDIR: join(root, "tmp"), TENSORNODE_HOME: join(root, "home") };
  mkdirSync(env.TMPDIR);
  return {
    root,
    env,
    start: () => startGatewayNet(join(root, "net"), args, env),
    stop: async (net) => {
      await net?.proc.stop(15_000);
      for (const pid of processesMentioning(root)) process.kill(pid, "SIGKILL");
      rmSync(root, { recursive: true, force: true });
    },
  };
}

describe("the playground on an OCR localnet", { timeout: 600_000 }, () => {
  const fixture = localnet("ocr", ["--subnet", "ocr", "--miners", "1", "--validators", "1", "--seed", "7"]);
  let net: GatewayNet;
  let browser: Browser;

  before(async () => {
    [net, browser] = await Promise.all([fixture.start(), launchChromium()]);
  });

  after(async () => {
    await browser?.close();
    await fixture.stop(net);
  });

  it("reads an uploaded line image back as its text, with the receipt verified in the browser and the saved answer verified on chain", async () => {
    const text = "playground 2026";
    const png = Buffer.from(await encodeImageFile(renderLine(text, prng(7)), "png"));
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    page.setDefaultTimeout(30_000);
    const problems = collectPageProblems(page);
    await page.goto(`${net.url}/`);
    assert.equal(await settled(page), "ready", (await page.locator("#page-status").textContent()) ?? "");
    assert.equal(await page.getByLabel("Synapse").inputValue(), "recognize");
    await page.getByLabel("image").setInputFiles({ name: "line.png", mimeType: "image/png", buffer: png });
    await sendForAnswer(page);
    assert.equal(await page.locator('[data-output="text"]').textContent(), text);
    assert.equal(await page.locator(".receipt .verdict").textContent(), VERIFIED);
    assert.equal(await page.locator("[data-miner-hotkey]").textContent(), await net.address("miner1"));
    await page.screenshot({ path: artifactPath("playground-ocr.png"), fullPage: true });
    await verifySavedAnswerOnChain(page, net, fixture.root, fixture.env);
    assert.deepEqual(problems, []);
    await page.close();
  });
});

describe("the playground on a tiny localnet", { timeout: 600_000 }, () => {
  const fixture = localnet("tiny", ["--miners", "1", "--validators", "1", "--seed", "8"]);
  let net: GatewayNet;
  let browser: Browser;

  before(async () => {
    [net, browser] = await Promise.all([fixture.start(), launchChromium()]);
  });

  after(async () => {
    await browser?.close();
    await fixture.stop(net);
  });

  it("takes 16 numbers in its generated form and shows the model's exact output, the receipt verified", async () => {
    const random = prng(8);
    const input = Array.from({ length: 16 }, () => Math.floor(random() * 17) - 8);
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    page.setDefaultTimeout(30_000);
    const problems = collectPageProblems(page);
    await page.goto(`${net.url}/`);
    assert.equal(await settled(page), "ready", (await page.locator("#page-status").textContent()) ?? "");
    assert.equal(await page.getByLabel("Synapse").inputValue(), "infer");
    for (const [i, value] of input.entries()) await page.getByLabel(`input, item ${i}`, { exact: true }).fill(String(value));
    await sendForAnswer(page);
    assert.deepEqual(JSON.parse((await page.locator('[data-output="output"]').textContent()) ?? ""), [...tinyReference(input, 1)]);
    assert.equal(await page.locator(".receipt .verdict").textContent(), VERIFIED);
    await page.screenshot({ path: artifactPath("playground-tiny.png"), fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  });
});
