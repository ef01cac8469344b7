/**
 * Choosing where inference runs: `--device cuda` uses onnxruntime's CUDA provider when the installed
 * binary has it, and otherwise says so in one line and uses the CPU. The npm package ships CPU
 * binaries only; the CUDA provider library is present only where it was installed on purpose.
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";

export type Device = "cpu" | "cuda";

export interface DeviceChoice {
  readonly device: Device;
  /** Said once at start when the request could not be honoured. */
  readonly note?: string;
}

export interface CudaProbe {
  /** onnxruntime's own view: listSupportedBackends()'s cuda entry. */
  readonly backendBundled: boolean;
  /** Whether libonnxruntime_providers_cuda is beside the installed binding. */
  readonly providerLibrary: boolean;
}

/** Pure: the device to use for a request, given what the installation has. */
export function chooseDevice(requested: Device, probe: CudaProbe): DeviceChoice {
  if (requested === "cpu") return { device: "cpu" };
  if (probe.backendBundled || probe.providerLibrary) return { device: "cuda" };
  return { device: "cpu", note: "--device cuda: this onnxruntime-node has no CUDA provider (the npm package ships CPU binaries only); running on the CPU" };
}

/** Looks at the installed onnxruntime-node. */
export async function probeCuda(): Promise<CudaProbe> {
  const ort = (await import("onnxruntime-node")) as unknown as { listSupportedBackends?: () => { name: string; bundled: boolean }[] };
  const backendBundled = ort.listSupportedBackends?.().some((b) => b.name === "cuda" && b.bundled) ?? false;
  let providerLibrary = false;
  try {
    const binding = dirname(createRequire(import.meta.url).resolve("onnxruntime-node"));
    const bin = join(binding, "..", "bin");
    providerLibrary = existsSync(bin) && findFile(bin, /^libonnxruntime_providers_cuda\.(so|dll|dylib)/);
  } catch {
    providerLibrary = false;
  }
  return { backendBundled, providerLibrary };
}

function findFile(dir: string, pattern: RegExp): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && findFile(join(dir, entry.name), pattern)) return true;
    if (entry.isFile() && pattern.test(entry.name)) return true;
  }
  return false;
}
