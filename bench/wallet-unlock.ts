/**
 * `wallet-unlock`: opening a coldkey — Argon2i (opslimit 8, memlimit 512 MiB, btwallet's salt)
 * then the secretbox — with this project's code against native libsodium through Debian's
 * python3-nacl, the same parameters on the same keyfile (written by this project), in one run.
 * The Python side times itself in one long-lived process, so its start-up is not counted; each
 * round times both sides back to back, in alternating order, so that load from elsewhere falls on
 * both alike, and the ratio is given both of the medians and as the median of the rounds' ratios;
 * CPU time (user + system, all threads) is given too, the figure least moved by a busy machine.
 * hash-wasm's Argon2i (the fallback where sodium-native does not load) is timed after, fewer times.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { hashWasmArgon2i, loadArgon2i, type Argon2i } from "../src/wallet/argon2.js";
import { decryptKeyfileData, encryptKeyfileData, KEYFILE_ARGON2I, serializeKeyfileContents } from "../src/wallet/keyfile.js";
import { stopChild } from "../src/util/child-process.js";
import { median, type BenchLine } from "./harness.js";

const ROUNDS = 7;
const FALLBACK_RUNS = 3;
const PASSWORD = "correct horse battery staple";
const INSTALL_HINT = "python3-nacl not found: install it (Debian/Ubuntu: apt-get install -y python3-nacl) or point PYTHON at a python3 with PyNaCl";

/** Reads one JSON config line, then unlocks the keyfile once per further line, answering with its own timing. */
const PYTHON_UNLOCKER = `
import sys, json, time, hashlib
import nacl.pwhash, nacl.secret
cfg = json.loads(sys.stdin.readline())
data, password, salt = bytes.fromhex(cfg["keyfile"]), cfg["password"].encode(), bytes.fromhex(cfg["salt"])
print(json.dumps({"ready": True}), flush=True)
for _ in sys.stdin:
    t0, c0 = time.perf_counter(), time.process_time()
    key = nacl.pwhash.argon2i.kdf(cfg["length"], password, salt, opslimit=cfg["opslimit"], memlimit=cfg["memlimit"])
    plain = nacl.secret.SecretBox(key).decrypt(data[5:])
    ms, cpu_ms = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
    print(json.dumps({"ms": ms, "cpuMs": cpu_ms, "sha256": hashlib.sha256(plain).hexdigest()}), flush=True)
`;

/** $PYTHON if it imports PyNaCl; without $PYTHON, python3 on PATH or else Debian's /usr/bin/python3. */
export function findPythonNacl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = env.PYTHON ? [env.PYTHON] : ["python3", "/usr/bin/python3"];
  return candidates.find((python) => spawnSync(python, ["-c", "import nacl.pwhash, nacl.secret"], { stdio: "ignore", timeout: 30_000 }).status === 0);
}

/** Wall-clock and CPU time (user + system, all threads) of one unlock, and what it decrypted to. */
interface Timing {
  readonly ms: number;
  readonly cpuMs: number;
  readonly sha256: string;
}

interface NativeUnlocker {
  unlock(): Promise<Timing>;
  stop(): Promise<void>;
}

async function startNativeUnlocker(python: string, keyfile: Uint8Array): Promise<NativeUnlocker> {
  const child: ChildProcessWithoutNullStreams = spawn(python, ["-c", PYTHON_UNLOCKER], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const line = await lines.next();
    if (line.done) throw new Error(`the python3-nacl unlocker exited: ${stderr.trim()}`);
    return JSON.parse(line.value) as Record<string, unknown>;
  };
  const { salt, opslimit, memlimitBytes, length } = KEYFILE_ARGON2I;
  const config = { keyfile: Buffer.from(keyfile).toString("hex"), password: PASSWORD, salt: Buffer.from(salt).toString("hex"), opslimit, memlimit: memlimitBytes, length };
  child.stdin.write(`${JSON.stringify(config)}\n`);
  await next();
  return {
    async unlock() {
      child.stdin.write("go\n");
      const answer = await next();
      return { ms: Number(answer.ms), cpuMs: Number(answer.cpuMs), sha256: String(answer.sha256) };
    },
    async stop() {
      child.stdin.end();
      await stopChild(child, 5_000);
    },
  };
}

async function timeOurs(keyfile: Uint8Array, argon2i: Argon2i): Promise<Timing> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const plaintext = await decryptKeyfileData(keyfile, PASSWORD, "coldkey", { argon2i });
  const cpu = process.cpuUsage(c0);
  const ms = performance.now() - t0;
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, sha256: createHash("sha256").update(plaintext).digest("hex") };
}

export async function benchWalletUnlock(): Promise<BenchLine[]> {
  const ours = loadArgon2i();
  const contents = serializeKeyfileContents({
    accountId: "0x625e25364c7b68e0a83065ccb40afed43f8fe933e669b24f3d69a57eddb3b715",
    publicKey: "0x625e25364c7b68e0a83065ccb40afed43f8fe933e669b24f3d69a57eddb3b715",
    ss58Address: "5EHgWw2Af1pnoc7f1A8bfmM97W3DAYW8xr82RfhLL9oAabAe",
    secretPhrase: "legal winner thank year wave sausage worth useful legal winner thank yellow",
  });
  const keyfile = await encryptKeyfileData(contents, PASSWORD, undefined, { argon2i: ours });
  const expected = createHash("sha256").update(contents).digest("hex");
  const checked = (side: string, result: Timing): Timing => {
    if (result.sha256 !== expected) throw new Error(`wallet-unlock: ${side} opened the keyfile to different contents`);
    return result;
  };
  const runOurs = async (argon2i: Argon2i): Promise<Timing> => checked(argon2i.backend, await timeOurs(keyfile, argon2i));
  const python = findPythonNacl();
  const native = python ? await startNativeUnlocker(python, keyfile) : undefined;
  const oursRuns: Timing[] = [];
  const nativeRuns: Timing[] = [];
  try {
    // Round 0 warms both sides up and is not counted; odd rounds run the native side first.
    for (let round = 0; round <= ROUNDS; round++) {
      const runNative = async (): Promise<Timing | undefined> => (native ? checked("python3-nacl", await native.unlock()) : undefined);
      let o: Timing;
      let n: Timing | undefined;
      if (round % 2 === 1) {
        n = await runNative();
        o = await runOurs(ours);
      } else {
        o = await runOurs(ours);
        n = await runNative();
      }
      if (round === 0) continue;
      oursRuns.push(o);
      if (n) nativeRuns.push(n);
    }
  } finally {
    await native?.stop();
  }
  const fallback = hashWasmArgon2i();
  const fallbackMs: number[] = [];
  for (let run = 0; run < FALLBACK_RUNS; run++) fallbackMs.push((await runOurs(fallback)).ms);
  const oursMs = oursRuns.map((r) => r.ms);
  const nativeMs = nativeRuns.map((r) => r.ms);
  const label = "argon2i t=8 m=512MiB + secretbox";
  const backend = `${ours.backend}${ours.fallbackReason ? `: ${ours.fallbackReason}` : ""}`;
  if (!native) {
    return [
      { name: `wallet-unlock ours (${backend}), ${label}, median of ${ROUNDS} — native baseline skipped: ${INSTALL_HINT}`, figures: { ours_ms: median(oursMs), ours_min_ms: Math.min(...oursMs) } },
      { name: `wallet-unlock fallback (hash-wasm), median of ${FALLBACK_RUNS}`, figures: { fallback_ms: median(fallbackMs), to_ours: median(fallbackMs) / median(oursMs) } },
    ];
  }
  return [
    {
      name: `wallet-unlock ours (${backend}) vs native libsodium (python3-nacl), ${label}, medians of ${ROUNDS} rounds`,
      figures: {
        ours_ms: median(oursMs),
        native_ms: median(nativeMs),
        ratio: median(oursMs) / median(nativeMs),
        round_ratio: median(oursRuns.map((o, i) => o.ms / nativeRuns[i]!.ms)),
        ours_min_ms: Math.min(...oursMs),
        native_min_ms: Math.min(...nativeMs),
        ours_cpu_ms: median(oursRuns.map((r) => r.cpuMs)),
        native_cpu_ms: median(nativeRuns.map((r) => r.cpuMs)),
        cpu_ratio: median(oursRuns.map((r) => r.cpuMs)) / median(nativeRuns.map((r) => r.cpuMs)),
      },
      goal: "ratio ≤ 1.2",
    },
    {
      name: `wallet-unlock fallback (hash-wasm, where sodium-native does not load) vs native libsodium, median of ${FALLBACK_RUNS}`,
      figures: { fallback_ms: median(fallbackMs), ratio: median(fallbackMs) / median(nativeMs) },
    },
  ];
}
