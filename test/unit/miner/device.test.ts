import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chooseDevice, probeCuda } from "../../../src/miner/device.js";

describe("choosing the inference device", () => {
  it("uses CUDA only when the installed onnxruntime has its provider, and otherwise says so and uses the CPU", () => {
    assert.deepEqual(chooseDevice("cpu", { backendBundled: true, providerLibrary: true }), { device: "cpu" });
    assert.deepEqual(chooseDevice("cuda", { backendBundled: false, providerLibrary: true }), { device: "cuda" });
    const fallback = chooseDevice("cuda", { backendBundled: false, providerLibrary: false });
    assert.equal(fallback.device, "cpu");
    assert.match(fallback.note!, /^--device cuda: this onnxruntime-node has no CUDA provider .*; running on the CPU$/);
  });

  it("finds no CUDA provider in the npm package's CPU binaries here", async () => {
    const probe = await probeCuda();
    assert.equal(probe.backendBundled, false);
    assert.equal(probe.providerLibrary, false);
    assert.equal(chooseDevice("cuda", probe).device, "cpu");
  });
});
