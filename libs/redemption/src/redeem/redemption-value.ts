import { RedemptionRate } from '../redemption.rules';

/** The money value of points at the program rate, in whole minor units (rounded down: never over-credit). */
export const valueMinorOf = (points: number, rate: RedemptionRate): number => Math.floor((points * rate.valueMinor) / rate.points);
