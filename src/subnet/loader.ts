/**
 * Finding and loading a subnet plugin: its folder (by name under the plugin roots, or a path), its
 * manifest (checked), its model files (present, and matching their sha256 when given — from the
 * plugin folder or from an installed npm package, never downloaded) and its miner and validator
 * modules. Every failure names the file and the problem.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseManifest, PluginError } from "./manifest.js";
import type { MinerModule, PublicModule, SubnetManifest, ValidatorModule } from "./plugin.js";

export interface LoadedPlugin {
  readonly dir: string;
  readonly manifest: SubnetManifest;
  /** Absolute model file paths by model name. */
  readonly modelFiles: ReadonlyMap<string, string>;
  loadMiner(): Promise<MinerModule>;
  loadValidator(): Promise<ValidatorModule>;
  /** The public interface's module, or undefined when the manifest declares none (nothing offered to users). */
  loadApi(): Promise<PublicModule | undefined>;
}

/** The project's root (where subnets/ and node_modules/ are), from src/subnet or dist/src/subnet. */
export function projectRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const up = here.split(sep).includes("dist") ? "../../.." : "../..";
  return resolve(here, up);
}

/** Where plugins are looked for by name: the project's subnets/, then TENSORNODE_HOME/subnets. */
export function pluginRoots(env: Readonly<Record<string, string | undefined>>): string[] {
  const roots = [join(projectRoot(), "subnets")];
  if (env.TENSORNODE_HOME) roots.push(join(env.TENSORNODE_HOME, "subnets"));
  return roots;
}

function findPluginDir(nameOrPath: string, roots: readonly string[], cwd: string): string {
  if (nameOrPath.includes("/") || nameOrPath.includes(sep) || nameOrPath.startsWith(".")) {
    const dir = resolve(cwd, nameOrPath);
    if (!existsSync(join(dir, "manifest.json"))) throw new PluginError("PLUGIN_NOT_FOUND", `${dir}: no manifest.json there; a plugin folder holds manifest.json, its miner and validator modules and its models`);
    return dir;
  }
  for (const root of roots) if (existsSync(join(root, nameOrPath, "manifest.json"))) return join(root, nameOrPath);
  throw new PluginError("PLUGIN_NOT_FOUND", `no subnet plugin "${nameOrPath}" in ${roots.join(" or ")}; give a plugin's name or its folder`);
}

/** `node_modules/<package>` seen from `from` or any folder above it. */
function findPackage(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

async function sha256(path: string): Promise<string> {
  return createHash("sha256").update(await readFile(path)).digest("hex");
}

async function resolveModels(manifest: SubnetManifest, dir: string, manifestFile: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const [name, spec] of Object.entries(manifest.models)) {
    let path: string;
    if ("file" in spec.source) {
      path = join(dir, spec.source.file);
    } else {
      const pkg = findPackage(spec.source.package, dir) ?? findPackage(spec.source.package, projectRoot());
      if (!pkg) throw new PluginError("PLUGIN_MODEL", `${manifestFile}: models.${name}: the npm package ${spec.source.package} is not installed (run npm ci)`);
      path = join(pkg, spec.source.path);
    }
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) throw new PluginError("PLUGIN_MODEL", `${manifestFile}: models.${name}: the model file ${path} is missing${"file" in spec.source ? "" : ` from ${spec.source.package}`}`);
    if (spec.sha256 !== undefined) {
      const actual = await sha256(path);
      if (actual !== spec.sha256) throw new PluginError("PLUGIN_MODEL", `${manifestFile}: models.${name}: ${path} has sha256 ${actual}, not the manifest's ${spec.sha256}`);
    }
    files.set(name, path);
  }
  return files;
}

/** The module file for `./miner`: its .js beside the manifest, else its .ts or its compiled twin under dist/. */
function moduleFile(dir: string, module: string): string | undefined {
  const base = join(dir, module);
  const insideProject = !relative(projectRoot(), base).startsWith("..");
  const twin = insideProject ? [`${join(projectRoot(), "dist", relative(projectRoot(), base))}.js`] : [];
  // Running from the sources (under tsx) the plugin's .ts is the truth; running built, its compiled twin.
  const fromSources = import.meta.url.endsWith(".ts");
  const candidates = fromSources ? [`${base}.js`, `${base}.ts`, ...twin] : [`${base}.js`, ...twin, `${base}.ts`];
  return candidates.find((candidate) => existsSync(candidate));
}

async function importModule<T>(dir: string, module: string, exportName: string, manifestFile: string, key: string): Promise<T> {
  const file = moduleFile(dir, module);
  if (!file) throw new PluginError("PLUGIN_MODULE", `${manifestFile}: ${key}: no module ${module}(.js|.ts) in ${dir}`);
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const hint = file.endsWith(".ts") ? " (a TypeScript plugin needs the build: npm run build)" : "";
    throw new PluginError("PLUGIN_MODULE", `${file}: cannot be loaded: ${(error as Error).message.split("\n")[0]}${hint}`);
  }
  if (typeof loaded[exportName] !== "function") throw new PluginError("PLUGIN_MODULE", `${file}: does not export a function ${exportName}`);
  return loaded as T;
}

export async function loadPlugin(nameOrPath: string, options: { roots: readonly string[]; cwd?: string }): Promise<LoadedPlugin> {
  const dir = findPluginDir(nameOrPath, options.roots, options.cwd ?? process.cwd());
  const manifestFile = join(dir, "manifest.json");
  let json: unknown;
  try {
    json = JSON.parse(await readFile(manifestFile, "utf8"));
  } catch (error) {
    throw new PluginError("PLUGIN_MANIFEST", `${manifestFile}: not valid JSON (${(error as Error).message})`);
  }
  const manifest = parseManifest(json, manifestFile);
  const modelFiles = await resolveModels(manifest, dir, manifestFile);
  return {
    dir,
    manifest,
    modelFiles,
    loadMiner: () => importModule<MinerModule>(dir, manifest.miner, "createMiner", manifestFile, "miner"),
    loadValidator: () => importModule<ValidatorModule>(dir, manifest.validator, "createValidator", manifestFile, "validator"),
    loadApi: async () => (manifest.api === undefined ? undefined : importModule<PublicModule>(dir, manifest.api, "createPublicApi", manifestFile, "api")),
  };
}
