/**
 * Writes the tiny subnet's generated ONNX model (subnets/tiny/build-model.ts) to a file:
 *
 *     node --import tsx scripts/generate-tiny-model.ts [out]   (default subnets/tiny/models/tiny-mlp.onnx)
 *
 * Run by `npm run models` (and so by `npm ci` and `npm test`); prints the file's sha256.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildTinyModel, sha256Hex } from "../subnets/tiny/build-model.js";
import { TINY_MODEL_DEFAULT_PATH } from "../subnets/tiny/model.js";

export { buildTinyModel, sha256Hex };

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const repoRoot = fileURLToPath(new URL("..", import.meta.url));
  const arg = process.argv[2];
  const out = arg !== undefined ? resolve(arg) : resolve(repoRoot, TINY_MODEL_DEFAULT_PATH);
  const bytes = buildTinyModel();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, bytes);
  console.log(`${sha256Hex(bytes)}  ${out} (${bytes.length} bytes)`);
}
