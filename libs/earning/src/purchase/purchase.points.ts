import { PurchaseCompleted } from '@tally/contracts';
import { Campaign, CampaignCombination, CurrencyRate, MULTIPLIER_SCALE, Program, scaledMultiplier } from '@tally/program';

/**
 * Purchase points in exact integer arithmetic (BigInt): multipliers are whole ten-thousandths, so
 * `floor(base * 1.15)` is never off by one through floating point.
 *
 * Campaigns: a campaign without categories applies to the whole order; one with categories applies to
 * the amount of the matching lines only (the rest of the order, including any amount not itemised in
 * `lines`, earns without it). The order's base points are shared out by amount, so with one campaign
 * over the whole order the result is exactly `floor(floor(amountMinor/100) * tier * campaign)`.
 * Several campaigns on the same amount combine as the program says: the best one, or all multiplied.
 */
const SCALE = BigInt(MULTIPLIER_SCALE);

export interface PurchasePoints {
  /** Before the per-event and daily caps. */
  points: number;
  /** The effective multiplier: tier times the amount-weighted campaign multiplier, to 4 decimals. */
  multiplier: number;
  /** Campaigns that raised some of the amount. */
  campaignIds: string[];
}

/** Part of an order that campaigns judge on its own: a line, or what the lines do not itemise. */
interface Portion {
  amountMinor: number;
  category?: string;
}

export const basePoints = (amountMinor: number, rate: CurrencyRate): bigint => (BigInt(amountMinor) * BigInt(rate.points)) / BigInt(rate.perMinorUnits);

/** Campaigns running at `occurredAt` (window [start, end)) that cover the purchase's store. */
export const campaignsFor = (program: Program, purchase: PurchaseCompleted): Campaign[] => {
  const at = Date.parse(purchase.occurredAt);
  return program.campaigns.filter(
    (campaign) =>
      Date.parse(campaign.start) <= at &&
      at < Date.parse(campaign.end) &&
      (campaign.storeIds === undefined || (purchase.storeId !== undefined && campaign.storeIds.includes(purchase.storeId))),
  );
};

const portionsOf = (purchase: PurchaseCompleted): Portion[] => {
  const lines = purchase.lines ?? [];
  const itemised = lines.reduce((sum, line) => sum + line.amountMinor, 0);
  const rest = Math.max(0, purchase.amountMinor - itemised);
  const portions: Portion[] = lines.map((line) => ({ amountMinor: line.amountMinor, ...(line.category !== undefined ? { category: line.category } : {}) }));
  return rest > 0 || portions.length === 0 ? [...portions, { amountMinor: rest }] : portions;
};

const appliesTo = (campaign: Campaign, portion: Portion): boolean =>
  campaign.categories === undefined || (portion.category !== undefined && campaign.categories.includes(portion.category));

/** The campaigns whose multiplier a portion gets. */
const chosenFor = (applicable: Campaign[], combination: CampaignCombination): Campaign[] => {
  switch (combination) {
    case 'multiply':
      return applicable;
    case 'best': {
      const best = applicable.reduce<Campaign | undefined>((top, c) => (top === undefined || c.multiplier > top.multiplier ? c : top), undefined);
      return best ? [best] : [];
    }
    default: {
      const unhandled: never = combination;
      throw new Error(`unhandled campaign combination ${String(unhandled)}`);
    }
  }
};

/** A portion's campaign multiplier as a numerator over SCALE^depth (depth = most campaigns any portion can get). */
const campaignNumerator = (chosen: Campaign[], depth: number): bigint =>
  chosen.reduce((product, c) => product * BigInt(scaledMultiplier(c.multiplier)), SCALE ** BigInt(depth - chosen.length));

/** `floor(a * b / c)` for whole numbers when `a * b` is exact in a double, else undefined. */
const wholeFloor = (a: number, b: number, c: number): number | undefined => {
  const product = a * b;
  if (!Number.isSafeInteger(product)) return undefined;
  // A quotient of doubles is rounded, so it can land on the next whole number: step back to the exact floor.
  const q = Math.floor(product / c);
  return q * c > product ? q - 1 : (q + 1) * c <= product ? q + 1 : q;
};

/**
 * Purchase points, the common case first: with no campaign running, every portion has the tier
 * multiplier alone, so the points are `floor(base * tier)` and the multiplier is the tier's,
 * which whole-number doubles give exactly (no BigInt: each BigInt step is an allocation, and this
 * runs for every purchase). Anything else, or numbers past 2^53, goes to `exactPurchasePoints`.
 */
export const purchasePoints = (program: Program, purchase: PurchaseCompleted, rate: CurrencyRate, tierMultiplier: number): PurchasePoints => {
  const campaigns = campaignsFor(program, purchase);
  if (campaigns.length === 0 && purchase.amountMinor > 0) {
    const tier = scaledMultiplier(tierMultiplier);
    const base = wholeFloor(purchase.amountMinor, rate.points, rate.perMinorUnits);
    const points = base === undefined ? undefined : wholeFloor(base, tier, MULTIPLIER_SCALE);
    if (points !== undefined) return { points, multiplier: tier / MULTIPLIER_SCALE, campaignIds: [] };
  }
  return exactPurchasePoints(program, purchase, rate, tierMultiplier, campaigns);
};

/** Purchase points in BigInt arithmetic, for every case (see the top of this file). */
export const exactPurchasePoints = (
  program: Program,
  purchase: PurchaseCompleted,
  rate: CurrencyRate,
  tierMultiplier: number,
  campaigns = campaignsFor(program, purchase),
): PurchasePoints => {
  const depth = Math.max(1, program.purchase.campaignCombination === 'multiply' ? campaigns.length : 1);
  const used = new Set<string>();
  let weight = 0n;
  let weighted = 0n;
  for (const portion of portionsOf(purchase)) {
    const chosen = chosenFor(
      campaigns.filter((c) => appliesTo(c, portion)),
      program.purchase.campaignCombination,
    );
    if (portion.amountMinor > 0) chosen.forEach((c) => used.add(c.id));
    weight += BigInt(portion.amountMinor);
    weighted += BigInt(portion.amountMinor) * campaignNumerator(chosen, depth);
  }
  if (weight === 0n) return { points: 0, multiplier: tierMultiplier, campaignIds: [] };
  const tier = BigInt(scaledMultiplier(tierMultiplier));
  const denominator = weight * SCALE * SCALE ** BigInt(depth);
  const points = (basePoints(purchase.amountMinor, rate) * tier * weighted) / denominator;
  const multiplier = Number((tier * weighted * SCALE) / denominator) / MULTIPLIER_SCALE;
  return { points: Number(points), multiplier, campaignIds: campaigns.filter((c) => used.has(c.id)).map((c) => c.id) };
};
