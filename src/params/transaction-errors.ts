/**
 * subtensor HEAD's `InvalidTransaction::Custom(n)` codes (common/src/transaction_error.rs): what a
 * node's pool answers when SubtensorTransactionExtension refuses a transaction, with what to do.
 */
export interface CustomTransactionError {
  readonly name: string;
  readonly meaning: string;
}

export const SUBTENSOR_CUSTOM_ERRORS: Readonly<Record<number, CustomTransactionError>> = {
  0: { name: "ColdkeyInSwapSchedule", meaning: "the coldkey has announced a swap; only swap calls are allowed until it completes" },
  1: { name: "StakeAmountTooLow", meaning: "the stake is below the minimum (to set weights: the subnet's stake threshold)" },
  2: { name: "BalanceTooLow", meaning: "the balance is too low" },
  3: { name: "SubnetNotExists", meaning: "the subnet does not exist" },
  4: { name: "HotkeyAccountDoesntExist", meaning: "the hotkey has no owner on chain" },
  5: { name: "NotEnoughStakeToWithdraw", meaning: "there is not that much stake to withdraw" },
  6: { name: "RateLimitExceeded", meaning: "rate limited: wait for the subnet's rate limit (weights, commits, or network registration) to pass" },
  7: { name: "InsufficientLiquidity", meaning: "the subnet's pool has too little liquidity" },
  8: { name: "SlippageTooHigh", meaning: "the price moved beyond the limit" },
  9: { name: "TransferDisallowed", meaning: "transfers are disabled on this subnet" },
  10: { name: "HotKeyNotRegisteredInNetwork", meaning: "the hotkey is not registered on the subnet" },
  11: { name: "InvalidIpAddress", meaning: "the IP address is refused (0, 127.0.0.1, ::1 or a broadcast address)" },
  12: { name: "ServingRateLimitExceeded", meaning: "the axon was served too recently (serving rate limit)" },
  13: { name: "InvalidPort", meaning: "the port must not be 0" },
  14: { name: "ZeroMaxAmount", meaning: "the maximum amount is zero" },
  15: { name: "InvalidRevealRound", meaning: "the timelock reveal round is in the past" },
  16: { name: "CommitNotFound", meaning: "no weight commit matches this reveal (wrong salt, values or version key?)" },
  17: { name: "CommitBlockNotInRevealRange", meaning: "the reveal is outside its epoch: reveal exactly RevealPeriodEpochs epochs after the commit" },
  18: { name: "InputLengthsUnequal", meaning: "the batch's lists have different lengths" },
  19: { name: "UidNotFound", meaning: "the hotkey is not registered on the subnet" },
  20: { name: "EvmKeyAssociateRateLimitExceeded", meaning: "EVM key association is rate limited" },
  21: { name: "ColdkeySwapDisputed", meaning: "the coldkey's swap is disputed" },
  22: { name: "InvalidRealAccount", meaning: "the proxied account is invalid" },
  23: { name: "FailedShieldedTxParsing", meaning: "the shielded transaction could not be parsed" },
  24: { name: "InvalidShieldedTxPubKeyHash", meaning: "the shielded transaction's key hash is invalid" },
  25: { name: "NonAssociatedColdKey", meaning: "the hotkey belongs to another coldkey" },
  26: { name: "DelegateTakeTooLow", meaning: "the delegate take is below the minimum" },
  27: { name: "DelegateTakeTooHigh", meaning: "the delegate take is above the maximum" },
  255: { name: "BadRequest", meaning: "the chain refused the call's arguments (for example an invalid IP type, commit-reveal disabled, or no validator permit)" },
};
