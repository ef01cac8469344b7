/**
 * What a @polkadot/api client needs to talk to subtensor HEAD (and to the devnet, which mirrors
 * it): the transaction extensions that @polkadot/types does not know. Without them polkadot.js
 * encodes `ChargeTransactionPaymentWrapper` as empty and every signed transaction is invalid.
 * Pass as `ApiPromise.create({ provider, ...SUBTENSOR_API_OPTIONS })`.
 */

export interface SignedExtensionShape {
  readonly extrinsic: Readonly<Record<string, string>>;
  readonly payload: Readonly<Record<string, string>>;
}

/** subtensor-api.md §9: the HEAD extensions beyond polkadot.js's built-in list. */
export const SUBTENSOR_SIGNED_EXTENSIONS: Readonly<Record<string, SignedExtensionShape>> = {
  ChargeTransactionPaymentWrapper: { extrinsic: { tip: "Compact<Balance>" }, payload: {} },
  SudoTransactionExtension: { extrinsic: {}, payload: {} },
  CheckShieldedTxValidity: { extrinsic: {}, payload: {} },
  SubtensorTransactionExtension: { extrinsic: {}, payload: {} },
  DrandPriority: { extrinsic: {}, payload: {} },
  // Spec ≤ 233 names, zero-sized too: listed so the same options work against older chains.
  SubtensorSignedExtension: { extrinsic: {}, payload: {} },
  CommitmentsSignedExtension: { extrinsic: {}, payload: {} },
};

export const SUBTENSOR_API_OPTIONS = {
  signedExtensions: SUBTENSOR_SIGNED_EXTENSIONS,
  noInitWarn: true,
} as const;

/** Chain properties of subtensor (system_properties). */
export const SUBTENSOR_CHAIN_PROPERTIES = {
  ss58Format: 42,
  tokenDecimals: 9,
  tokenSymbol: "TAO",
} as const;

/** 1 TAO in rao. */
export const RAO_PER_TAO = 1_000_000_000n;
