/**
 * A topic bound to the type of its payload: producing or consuming through a `Topic<T>` makes the
 * wrong payload a compile error. `name` is the contract name; deployments may add a namespace
 * prefix (tests do, to isolate runs), so physical names come from `physicalTopicName`.
 */
export interface Topic<TPayload> {
  readonly name: string;
  /** Phantom field: carries the payload type, never set at runtime. */
  readonly __payload?: TPayload;
}

export const defineTopic = <TPayload>(name: string): Topic<TPayload> => ({ name });

export const physicalTopicName = (topic: Topic<unknown>, namespace = ''): string => `${namespace}${topic.name}`;
