import { Chalk, type ChalkInstance } from "chalk";

/** The colours views use. With `color` false every function returns its input unchanged. */
export interface Style {
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

/** A chalk instance of our own: the global one guesses from the environment, views must not. */
export function makeStyle(color: boolean): Style {
  const c: ChalkInstance = new Chalk({ level: color ? 1 : 0 });
  return {
    green: (s) => c.green(s),
    yellow: (s) => c.yellow(s),
    red: (s) => c.red(s),
    cyan: (s) => c.cyan(s),
    bold: (s) => c.bold(s),
    dim: (s) => c.dim(s),
  };
}
