/**
 * `npm run reliability [-- name…]`: the reliability checks (../shared/design/RELIABILITY.md), each
 * bounded in time and on loopback only, one line per check with its figures and whether its rule
 * held. Exit 1 when a rule did not hold. Not part of `npm test` (a few minutes here, every check
 * but `e2e-under-load`, which runs only when named: the built e2e suite 3 times under a CPU hog).
 */
import { fuzzDevnet, fuzzFrames, fuzzParsers, type CheckLine } from "./fuzz-checks.js";
import { daemonCrashes, devnetCrashes } from "./crash-checks.js";
import { fuzzGateway } from "./gateway-checks.js";
import { securityChecks } from "./security-checks.js";
import { gossipSoak, querySoak } from "./soak-checks.js";
import { stopTimes } from "./stop-checks.js";
import { e2eUnderLoad } from "./suite-checks.js";

const CHECKS: Record<string, () => Promise<CheckLine[]>> = {
  "fuzz-frames": () => fuzzFrames(100_000),
  "fuzz-parsers": () => fuzzParsers(20_000),
  "fuzz-devnet": () => fuzzDevnet(50_000, 10_000),
  "fuzz-gateway": () => fuzzGateway({ slowSeconds: 8 }),
  security: () => securityChecks(200),
  "crash-devnet": async () => [await devnetCrashes(10)],
  "crash-daemons": () => daemonCrashes(6, 4),
  "soak-queries": async () => [await querySoak(60)],
  "soak-gossip": async () => [await gossipSoak(50, 6)],
  "stop-times": () => stopTimes(5, 255),
  "e2e-under-load": async () => [await e2eUnderLoad(Number(process.env.TENSORNODE_E2E_RUNS ?? 3))],
};

/** Run only when named: the e2e suite three times over is most of an hour here. */
const ON_REQUEST = new Set(["e2e-under-load"]);

const format = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 2 : 0));

async function main(names: string[]): Promise<number> {
  const selected = names.length > 0 ? names : Object.keys(CHECKS).filter((name) => !ON_REQUEST.has(name));
  const unknown = selected.filter((name) => !(name in CHECKS));
  if (unknown.length > 0) {
    process.stderr.write(`error: unknown check ${unknown.join(", ")} (known: ${Object.keys(CHECKS).join(", ")})\n`);
    return 2;
  }
  process.stdout.write(`# node ${process.version}; seeded, so a run is repeatable\n`);
  let failed = 0;
  for (const name of selected) {
    for (const check of await CHECKS[name]!()) {
      const figures = Object.entries(check.figures).map(([k, v]) => `${k}=${format(v)}`).join(" ");
      process.stdout.write(`${check.holds ? "HOLDS" : "FAILS"} ${check.name}: ${figures} (rule: ${check.rule})\n`);
      for (const note of check.notes ?? []) process.stdout.write(`      ${note}\n`);
      if (!check.holds) failed += 1;
    }
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
