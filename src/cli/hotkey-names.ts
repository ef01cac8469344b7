/**
 * The names local wallets give to hotkey addresses, so that chain listings can say "owner/validator"
 * instead of an SS58 address alone. A hotkey that cannot be read without a password is left out.
 */
import type { WalletStore } from "../wallet/wallet.js";

export interface HotkeyName {
  readonly wallet: string;
  readonly hotkeyName: string;
  readonly hotkey: string;
}

/** Every readable hotkey of every local wallet (or of `only`), by address; the first wallet found wins. */
export async function localHotkeys(store: WalletStore, only?: string): Promise<Map<string, HotkeyName>> {
  const names = new Map<string, HotkeyName>();
  for (const wallet of await store.list()) {
    if (only !== undefined && wallet.name !== only) continue;
    for (const hotkeyName of wallet.hotkeys) {
      try {
        const { address } = await store.loadHotkey(wallet.name, hotkeyName);
        if (!names.has(address)) names.set(address, { wallet: wallet.name, hotkeyName, hotkey: address });
      } catch {
        // an encrypted or damaged hotkey: listed without a name
      }
    }
  }
  return names;
}
