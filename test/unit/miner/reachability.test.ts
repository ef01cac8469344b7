import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { detectedIp, reachabilityWarning } from "../../../src/miner/daemon.js";
import { MINER_OPTIONS } from "../../../src/cli/commands/miner.js";

const flagsOf = (text: string): string[] => [...text.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!);
const optionFlags = new Set(Object.keys(MINER_OPTIONS).map((name) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)));

describe("a miner validators cannot reach", () => {
  it("finds this machine's address among the node's multiaddrs, loopback left out", () => {
    assert.equal(detectedIp(["/ip4/127.0.0.1/tcp/8091/p2p/12D3", "/ip4/10.1.2.3/tcp/8091/p2p/12D3"]), "10.1.2.3");
    assert.equal(detectedIp(["/ip4/127.0.0.1/tcp/8091/p2p/12D3"]), undefined);
  });

  it("on 0.0.0.0 with no --external-ip: says what to set, with the address it detected", () => {
    const warning = reachabilityWarning("0.0.0.0", undefined, ["/ip4/127.0.0.1/tcp/1/p2p/x", "/ip4/192.168.1.20/tcp/1/p2p/x"])!;
    assert.match(warning, /--external-ip 192\.168\.1\.20/);
    assert.ok(!warning.includes("\n"));
    assert.match(reachabilityWarning("0.0.0.0", undefined, [])!, /set --external-ip/);
  });

  it("on 127.0.0.1: says subtensor refuses it and what to use instead", () => {
    assert.match(reachabilityWarning("127.0.0.1", undefined, [])!, /--host 127\.0\.0\.2/);
  });

  it("says nothing when the announced address is reachable", () => {
    assert.equal(reachabilityWarning("0.0.0.0", "203.0.113.7", []), undefined);
    assert.equal(reachabilityWarning("127.0.0.2", undefined, []), undefined);
  });

  it("names only flags the miner has", () => {
    for (const text of [reachabilityWarning("0.0.0.0", undefined, ["/ip4/10.0.0.1/tcp/1"])!, reachabilityWarning("127.0.0.1", undefined, [])!])
      for (const flag of flagsOf(text)) assert.ok(optionFlags.has(flag), `--${flag} is not a miner option`);
  });
});
