import type { DiffLine, Sym } from "./diff-lines.js";
import type { Style } from "./style.js";

/** Colours an action symbol as Terraform does: additions green, removals red, updates yellow. */
export function colorSym(sym: string, style: Style): string {
  switch (sym) {
    case "+":
      return style.green(sym);
    case "-":
      return style.red(sym);
    case "~":
      return style.yellow(sym);
    case "-/+":
      return style.red("-") + "/" + style.green("+");
    case "+/-":
      return style.green("+") + "/" + style.red("-");
    default:
      return sym;
  }
}

/** One diff line as text: 2 + 4·depth spaces, the symbol, then `key = text # comment`. */
export function renderLine(l: DiffLine, style: Style): string {
  const indent = " ".repeat(2 + 4 * l.depth);
  const sym: Sym = l.sym;
  const head = l.key !== undefined ? `${l.key} = ` : "";
  const comment = l.comment !== undefined ? " " + style.dim(`# ${l.comment}`) : "";
  const text = l.text.startsWith("# (") && l.sym === " " ? style.dim(l.text) : l.text;
  return `${indent}${colorSym(sym, style)} ${head}${text}${comment}`.trimEnd();
}

export function renderLines(lines: DiffLine[], style: Style): string[] {
  return lines.map((l) => renderLine(l, style));
}
