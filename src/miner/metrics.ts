/**
 * The miner's /metrics (Prometheus text format) and /healthz, on their own HTTP port (default
 * loopback only): registration, requests answered, refused by reason, expired, inference queue.
 */
import type { Server } from "node:http";
import { Exposition, json, prometheus, startStatusServer, type Sample } from "../util/status-server.js";
import { rpcMetrics, type RpcCounts } from "../chain/rpc-counter.js";
import type { MinerStatus } from "./daemon.js";

export interface MetricsSource {
  statuses(): readonly MinerStatus[];
  inferenceQueued(): number;
  inferenceWorkers(): number;
  /** The chain connection's requests and blocks followed (no such lines without it). */
  chainRpc?(): RpcCounts;
}

/** The Prometheus exposition of the miner's state. */
export function renderMetrics(source: MetricsSource): string {
  const out = new Exposition();
  const metric = out.metric.bind(out);
  const statuses = source.statuses();
  metric("tensornode_miner_registered", "gauge", "1 when the hotkey is registered on the subnet", statuses.map((s) => [{ hotkey: s.hotkey }, s.registered ? 1 : 0]));
  metric("tensornode_miner_uid", "gauge", "the hotkey's uid (-1 when not registered)", statuses.map((s) => [{ hotkey: s.hotkey }, s.uid ?? -1]));
  metric("tensornode_miner_metagraph_block", "gauge", "block of the metagraph in use", statuses.map((s) => [{ hotkey: s.hotkey }, s.metagraphBlock]));
  const serving = statuses.filter((s) => s.serving);
  metric("tensornode_miner_requests_total", "counter", "requests by outcome", serving.flatMap((s) => (["answered", "failed", "expired"] as const).map((outcome): Sample => [{ hotkey: s.hotkey, outcome }, s.serving![outcome]])));
  metric("tensornode_miner_refused_total", "counter", "requests refused, by reason", serving.flatMap((s) => Object.entries(s.serving!.refused).map(([reason, n]): Sample => [{ hotkey: s.hotkey, reason }, n])));
  metric("tensornode_miner_bad_frames_total", "counter", "undecodable frames received", serving.map((s) => [{ hotkey: s.hotkey }, s.serving!.badFrames]));
  metric("tensornode_miner_running", "gauge", "requests running or waiting for a place", serving.map((s) => [{ hotkey: s.hotkey }, s.serving!.running + s.serving!.queued]));
  metric("tensornode_inference_queued", "gauge", "inference runs waiting or running", [[{}, source.inferenceQueued()]]);
  metric("tensornode_inference_workers", "gauge", "inference worker threads", [[{}, source.inferenceWorkers()]]);
  rpcMetrics(out, source.chainRpc?.());
  return out.text();
}

/** Serves /metrics and /healthz; resolves with the server once listening. */
export function startMetricsServer(source: MetricsSource, host: string, port: number): Promise<Server> {
  return startStatusServer(
    (path) => {
      if (path === "/metrics") return prometheus(renderMetrics(source));
      if (path !== "/healthz") return undefined;
      const statuses = source.statuses();
      const healthy = statuses.length > 0 && statuses.every((s) => s.serving !== undefined);
      return json(healthy ? 200 : 503, { status: healthy ? "ok" : "starting", hotkeys: statuses.map((s) => ({ hotkey: s.hotkey, registered: s.registered, uid: s.uid ?? null, peerId: s.peerId ?? null })) });
    },
    host,
    port,
  );
}
