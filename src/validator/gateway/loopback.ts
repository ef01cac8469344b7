/**
 * Loopback addresses and names: a gateway without keys may only listen on one, and on one it refuses
 * requests whose Host header names anything else (a DNS-rebinding page in the user's browser sends
 * its own host name).
 */
import { isIPv4, isIPv6 } from "node:net";

/** Whether `host` (a listen address or a name) is loopback: localhost, 127.0.0.0/8, ::1 (bracketed or not). */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  if (name === "localhost") return true;
  if (isIPv4(name)) return name.startsWith("127.");
  const bare = name.startsWith("[") && name.endsWith("]") ? name.slice(1, -1) : name;
  if (!isIPv6(bare)) return false;
  if (bare === "::1" || bare === "0:0:0:0:0:0:0:1") return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  return mapped !== null && isIPv4(mapped[1]!) && mapped[1]!.startsWith("127.");
}

/** Whether a Host header names a loopback host, with any port: `localhost`, `127.0.0.1:8080`, `[::1]:8080`. */
export function isLoopbackHostHeader(header: string | undefined): boolean {
  if (header === undefined) return false;
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(header.trim());
  if (!match) return false;
  const name = match[1]!;
  // A bare IPv6 address is written in brackets in a Host header; the bracket-less form cannot appear.
  return (name.startsWith("[") || !name.includes(":")) && isLoopbackHost(name);
}
