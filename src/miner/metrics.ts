/**
 * The miner's /metrics (Prometheus text format) and /healthz, on their own HTTP port (default
 * loopback only): registration, requests answered, refused by reason, expired, inference queue.
 */
import { createServer, type Server } from "node:http";
import type { MinerStatus } from "./daemon.js";

export interface MetricsSource {
  statuses(): readonly MinerStatus[];
  inferenceQueued(): number;
  inferenceWorkers(): number;
}

const escape = (value: string): string => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/** The Prometheus exposition of the miner's state. */
export function renderMetrics(source: MetricsSource): string {
  const lines: string[] = [];
  const metric = (name: string, type: "gauge" | "counter", help: string, samples: [labels: Record<string, string>, value: number][]): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const text = Object.entries(labels)
        .map(([k, v]) => `${k}="${escape(v)}"`)
        .join(",");
      lines.push(`${name}${text ? `{${text}}` : ""} ${value}`);
    }
  };
  const statuses = source.statuses();
  metric("tensornode_miner_registered", "gauge", "1 when the hotkey is registered on the subnet", statuses.map((s) => [{ hotkey: s.hotkey }, s.registered ? 1 : 0]));
  metric("tensornode_miner_uid", "gauge", "the hotkey's uid (-1 when not registered)", statuses.map((s) => [{ hotkey: s.hotkey }, s.uid ?? -1]));
  metric("tensornode_miner_metagraph_block", "gauge", "block of the metagraph in use", statuses.map((s) => [{ hotkey: s.hotkey }, s.metagraphBlock]));
  const serving = statuses.filter((s) => s.serving);
  metric("tensornode_miner_requests_total", "counter", "requests by outcome", serving.flatMap((s) => (["answered", "failed", "expired"] as const).map((outcome): [Record<string, string>, number] => [{ hotkey: s.hotkey, outcome }, s.serving![outcome]])));
  metric("tensornode_miner_refused_total", "counter", "requests refused, by reason", serving.flatMap((s) => Object.entries(s.serving!.refused).map(([reason, n]): [Record<string, string>, number] => [{ hotkey: s.hotkey, reason }, n])));
  metric("tensornode_miner_bad_frames_total", "counter", "undecodable frames received", serving.map((s) => [{ hotkey: s.hotkey }, s.serving!.badFrames]));
  metric("tensornode_miner_running", "gauge", "requests running or waiting for a place", serving.map((s) => [{ hotkey: s.hotkey }, s.serving!.running + s.serving!.queued]));
  metric("tensornode_inference_queued", "gauge", "inference runs waiting or running", [[{}, source.inferenceQueued()]]);
  metric("tensornode_inference_workers", "gauge", "inference worker threads", [[{}, source.inferenceWorkers()]]);
  return `${lines.join("\n")}\n`;
}

/** Serves /metrics and /healthz; resolves with the server once listening. */
export async function startMetricsServer(source: MetricsSource, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url === "/metrics") {
      response.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(renderMetrics(source));
    } else if (request.url === "/healthz") {
      const statuses = source.statuses();
      const healthy = statuses.length > 0 && statuses.every((s) => s.serving !== undefined);
      response.writeHead(healthy ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify({ status: healthy ? "ok" : "starting", hotkeys: statuses.map((s) => ({ hotkey: s.hotkey, registered: s.registered, uid: s.uid ?? null, peerId: s.peerId ?? null })) }));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
