/** Loads ../shared/reference/yuma-vectors.json (beside the project root) with exact integers. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseLosslessJson } from "../../src/util/lossless-json.js";

export interface YumaVector {
  readonly name: string;
  readonly hyperparams: Record<string, unknown>;
  readonly inputs: unknown;
  readonly expected: unknown;
  readonly tolerance: unknown;
  readonly emulator_exact?: unknown;
}

export const YUMA_VECTORS_PATH = fileURLToPath(new URL("../../../shared/reference/yuma-vectors.json", import.meta.url));

export function loadYumaVectors(): { meta: Record<string, unknown>; vectors: YumaVector[] } {
  return parseLosslessJson(readFileSync(YUMA_VECTORS_PATH, "utf8")) as unknown as {
    meta: Record<string, unknown>;
    vectors: YumaVector[];
  };
}
