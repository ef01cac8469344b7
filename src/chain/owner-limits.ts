/**
 * Which owner calls subtensor HEAD rate-limits, under which `Hyperparameter` key: an owner changes
 * each at most once per OwnerHyperparamRateLimit × tempo blocks (LastRateLimitedBlock
 * `OwnerHyperparamUpdate(netuid, key)`), and no owner change lands in the AdminFreezeWindow blocks
 * before an epoch. Keyed by AdminUtils call name (pallets/admin-utils on HEAD).
 */
export const OWNER_RATE_LIMIT_KEYS: Readonly<Record<string, string>> = {
  sudo_set_serving_rate_limit: "ServingRateLimit",
  sudo_set_max_difficulty: "MaxDifficulty",
  sudo_set_adjustment_alpha: "AdjustmentAlpha",
  sudo_set_immunity_period: "ImmunityPeriod",
  sudo_set_min_allowed_weights: "MinAllowedWeights",
  sudo_set_rho: "Rho",
  sudo_set_activity_cutoff: "ActivityCutoff",
  sudo_set_min_burn: "MinBurn",
  sudo_set_max_burn: "MaxBurn",
  sudo_set_bonds_moving_average: "BondsMovingAverage",
  sudo_set_bonds_penalty: "BondsPenalty",
  sudo_set_commit_reveal_weights_enabled: "CommitRevealEnabled",
  sudo_set_liquid_alpha_enabled: "LiquidAlphaEnabled",
  sudo_set_alpha_values: "AlphaValues",
  sudo_set_commit_reveal_weights_interval: "WeightCommitInterval",
  sudo_set_toggle_transfer: "TransferEnabled",
  sudo_set_alpha_sigmoid_steepness: "AlphaSigmoidSteepness",
  sudo_set_yuma3_enabled: "Yuma3Enabled",
  sudo_set_bonds_reset_enabled: "BondsResetEnabled",
  sudo_set_owner_immune_neuron_limit: "ImmuneNeuronLimit",
  sudo_set_recycle_or_burn: "RecycleOrBurn",
  sudo_set_max_allowed_uids: "MaxAllowedUids",
  sudo_set_burn_half_life: "BurnHalfLife",
  sudo_set_burn_increase_mult: "BurnIncreaseMult",
};
