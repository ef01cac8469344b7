/** Checks of admission settings, shared by the components so each refuses bad values the same way. */
import { AdmissionOptionError } from "./errors.js";

/** `value` if it is an integer ≥ `min`; otherwise an AdmissionOptionError naming the setting. */
export function requireInteger(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new AdmissionOptionError("BAD_ADMISSION_OPTION", `${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}

/** `value` if it is a finite number > 0; otherwise an AdmissionOptionError naming the setting. */
export function requirePositive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new AdmissionOptionError("BAD_ADMISSION_OPTION", `${name} must be a finite number > 0, got ${value}`);
  return value;
}
