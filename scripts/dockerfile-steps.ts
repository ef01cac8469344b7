/**
 * Runs the Dockerfile's steps without Docker (there is no Docker engine on the development machines),
 * to prove they work: every stage gets a folder of its own standing in for its filesystem, COPY
 * copies from the project (or from an earlier stage's folder), ENV/ARG/WORKDIR apply to the RUN
 * steps, which run with this machine's shell and Node standing in for the base image's. Steps that
 * would change this machine (useradd) are skipped, and said so. At the end the image's entrypoint
 * runs from the final stage's folder: `--help`, and `sim epoch` on the shipped example.
 *
 *   node --import tsx scripts/dockerfile-steps.ts [--keep] [--build-arg NAME=VALUE …]
 *
 * Exit 0 when every step and the entrypoint worked; 1 otherwise.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

interface Stage {
  readonly name: string;
  readonly base: string;
  readonly dir: string;
  workdir: string;
  readonly env: Record<string, string>;
  entrypoint?: string[];
  cmd?: string[];
}

function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => vars[(a ?? b)!] ?? whole);
}

function main(argv: string[]): number {
  const keep = argv.includes("--keep");
  const buildArgs: Record<string, string> = {};
  argv.forEach((a, i) => {
    if (a === "--build-arg") {
      const [k, ...v] = (argv[i + 1] ?? "").split("=");
      buildArgs[k!] = v.join("=");
    }
  });
  const work = mkdtempSync(join(tmpdir(), "tensornode-dockerfile-"));
  const lines = readFileSync(join(root, "Dockerfile"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  const say = (text: string): void => void process.stdout.write(`${text}\n`);
  try {
    for (const line of lines) {
      const [instruction, ...rest] = line.split(/\s+/);
      const args = rest.join(" ");
      const started = Date.now();
      switch (instruction) {
        case "ARG": {
          const [name, value = ""] = args.split("=");
          const resolved = buildArgs[name!] ?? value;
          if (stage) stage.env[name!] = resolved;
          else globalArgs[name!] = resolved;
          break;
        }
        case "FROM": {
          const [image, , name] = args.split(/\s+/);
          const base = expand(image!, globalArgs);
          stage = { name: name ?? String(stages.length), base, dir: join(work, `stage-${stages.length}`), workdir: "/", env: {} };
          mkdirSync(stage.dir, { recursive: true });
          stages.push(stage);
          say(`FROM ${base} (stage ${stage.name}; this machine's Node ${process.version} stands in for it)`);
          break;
        }
        case "WORKDIR":
          stage!.workdir = args;
          mkdirSync(join(stage!.dir, args), { recursive: true });
          break;
        case "ENV": {
          const [name, ...value] = args.split("=");
          stage!.env[name!] = expand(value.join("="), stage!.env);
          break;
        }
        case "COPY": {
          const parts = args.split(/\s+/);
          const from = parts[0]!.startsWith("--from=") ? parts.shift()!.slice("--from=".length) : undefined;
          const dest = parts.pop()!;
          const source = from === undefined ? root : stages.find((s) => s.name === from)!.dir;
          const target = isAbsolute(dest) ? join(stage!.dir, dest) : join(stage!.dir, stage!.workdir, dest);
          for (const src of parts) {
            let path = from === undefined ? join(source, src) : join(source, src);
            // A file of the earlier stage's base image (its Node): this machine's stands in for it.
            if (!existsSync(path) && src === "/usr/local/bin/node") path = process.execPath;
            if (!existsSync(path)) throw new Error(`COPY: ${src} does not exist${from ? ` in stage ${from}` : ""}`);
            const into = dest.endsWith("/") || parts.length > 1 ? join(target, src.split("/").filter(Boolean).pop()!) : target;
            mkdirSync(dirname(into), { recursive: true });
            cpSync(path, into, { recursive: true, dereference: false });
          }
          say(`COPY ${args}`);
          break;
        }
        case "RUN": {
          if (/^useradd\b/.test(args)) {
            say(`RUN ${args}  — skipped: it would add a user to this machine (the image runs as that user, uid 10001)`);
            break;
          }
          const cwd = join(stage!.dir, stage!.workdir);
          const result = spawnSync("sh", ["-c", args], { cwd, env: { ...process.env, ...stage!.env }, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
          if (result.status !== 0) throw new Error(`RUN ${args} failed (exit ${result.status}):\n${(result.stdout + result.stderr).slice(-4000)}`);
          say(`RUN ${args}  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
          break;
        }
        case "ENTRYPOINT":
          stage!.entrypoint = JSON.parse(args) as string[];
          break;
        case "CMD":
          stage!.cmd = JSON.parse(args) as string[];
          break;
        case "USER":
        case "EXPOSE":
          say(`${instruction} ${args}`);
          break;
        default:
          throw new Error(`the Dockerfile uses ${instruction}, which this script does not know`);
      }
    }
    const final = stages[stages.length - 1]!;
    const [command, ...fixed] = final.entrypoint ?? [];
    if (command !== "node") throw new Error(`the entrypoint is ${JSON.stringify(final.entrypoint)}, expected node …`);
    const cwd = join(final.dir, final.workdir);
    for (const args of [final.cmd ?? [], ["sim", "epoch", "config/examples/epoch-example.json"]]) {
      const out = execFileSync(process.execPath, [...fixed, ...args], { cwd, env: { ...process.env, ...final.env, TENSORNODE_HOME: join(work, "home") }, encoding: "utf8" });
      say(`ENTRYPOINT ${[...fixed, ...args].join(" ")}: ok (${out.split("\n")[0]})`);
    }
    say(`the Dockerfile's steps work${keep ? `; stages kept in ${work}` : ""}`);
    return 0;
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return 1;
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = main(process.argv.slice(2));
