import { RandomPool } from './random-pool';

const ID_BYTES = 16;
const random = new RandomPool();

/** 128 random bits as 22 base64url characters (lot ids are stored in every event and state that names them). */
export const randomId = (): string => {
  const at = random.take(ID_BYTES);
  return random.bytes.toString('base64url', at, at + ID_BYTES);
};
