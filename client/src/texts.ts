/** The client's texts in the note language: VS Code's `l10n` where it serves that language. */
import * as vscode from "vscode";

import zhBundle from "../../l10n/bundle.l10n.zh-cn.json";
import type { Lang } from "./catalogue";
import { displayServes, english, type Translate, translator } from "./l10n";

const zh = translator(zhBundle);
const vscodeL10n: Translate = (message, ...args) => vscode.l10n.t(message, ...args);

/** How to translate a message into `lang`. */
export function textsFor(lang: Lang): Translate {
  if (displayServes(lang, vscode.env.language)) {
    return vscodeL10n;
  }
  return lang === "zh" ? zh : english;
}
