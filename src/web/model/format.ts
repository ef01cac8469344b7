/** How the pages write numbers and keys. Pure. */

const RAO = 1_000_000_000n;

/** Rao (decimal string) as α or τ with `digits` decimals, truncated, thousands grouped: "1 234.5678". */
export function formatAmount(rao: string, digits = 4): string {
  let value: bigint;
  try {
    value = BigInt(rao);
  } catch {
    return "—";
  }
  const negative = value < 0n;
  if (negative) value = -value;
  const whole = (value / RAO).toString().replace(/\B(?=(\d{3})+(?!\d))/g, " ");
  const fraction = (value % RAO).toString().padStart(9, "0").slice(0, digits);
  return `${negative ? "-" : ""}${whole}${digits > 0 ? `.${fraction}` : ""}`;
}

/** A u16 fraction (÷ 65535) as a percentage with two decimals: "37.59%". */
export function formatFraction(u16: number): string {
  return `${((u16 / 65535) * 100).toFixed(2)}%`;
}

/** A hotkey shortened for the screen ("5FHneW…94ty"); the page keeps the whole key beside it. */
export function shortKey(ss58: string): string {
  return ss58.length <= 12 ? ss58 : `${ss58.slice(0, 6)}…${ss58.slice(-4)}`;
}

/** A price in rao of τ per α as "0.0123 τ/α"; "—" when there is none. */
export function formatPrice(rao: string | null): string {
  return rao === null ? "—" : `${formatAmount(rao, 4)} τ/α`;
}

/** A share (0..1) as a percentage; "—" when there is none. */
export function formatShare(share: number | null): string {
  return share === null ? "—" : `${(share * 100).toFixed(2)}%`;
}

/** "3 s ago", "5 min ago", "never". */
export function formatAge(sinceMs: number | null, nowMs: number): string {
  if (sinceMs === null) return "never";
  const s = Math.max(0, Math.round((nowMs - sinceMs) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

/** A rate per second with sensible precision; "—" before there is one. */
export function formatRate(perSecond: number | null): string {
  if (perSecond === null) return "—";
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond >= 10 ? perSecond.toFixed(1) : perSecond.toFixed(2);
}
