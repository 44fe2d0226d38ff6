import type { DependencyContainer } from "tsyringe";
import type { Token } from "@clipjob/core";

/** Resolves a typed token, keeping its type (tsyringe's symbol tokens are untyped). */
export function resolveToken<T>(container: DependencyContainer, token: Token<T>): T {
  return container.resolve<T>(token.key);
}
