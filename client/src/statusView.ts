/**
 * What the language status item shows: the server's state, the notes and snippets
 * loaded, broken note files and the interpreter. Plain text (a codicon in front): the
 * status item shows no Markdown. No `vscode` import: unit-tested under Node.
 */
import type { ServerInfo } from "./catalogue";
import type { Translate } from "./l10n";

export type ServerState = "starting" | "running" | "stopped" | "failed";

export interface StatusModel {
  state: ServerState;
  /** The server's counts; only while it runs. */
  info: ServerInfo | undefined;
  /** `Python 3.12.1 (/usr/bin/python3)` once an interpreter was chosen, else `""`. */
  interpreter: string;
  /** Why the server is not running (the start error), shown first. */
  detail?: string;
}

export interface StatusView {
  text: string;
  busy: boolean;
  /** Shown with error severity. */
  error: boolean;
  detail: string;
}

/** Text of the language status item, in the note language (`t`). */
export function statusText(state: ServerState, info: ServerInfo | undefined, t: Translate): string {
  switch (state) {
    case "starting":
      return `$(sync~spin) ${t("PyTorch Notes starting")}`;
    case "stopped":
      return `$(circle-slash) ${t("PyTorch Notes stopped")}`;
    case "failed":
      return `$(error) ${t("PyTorch Notes not running")}`;
    case "running": {
      const n = info?.notes;
      if (n === undefined) {
        return "$(book) PyTorch Notes";
      }
      return `$(book) ${n === 1 ? t("1 PyTorch note") : t("{0} PyTorch notes", n)}`;
    }
  }
}

/** The status item's detail line: the error, the snippets, broken notes, the interpreter. */
export function statusDetail(model: StatusModel, t: Translate): string {
  const parts: string[] = [];
  if (model.detail) {
    parts.push(model.detail);
  }
  if (model.info?.snippets !== undefined) {
    parts.push(t("{0} snippets", model.info.snippets));
  }
  if (model.info?.errors) {
    parts.push(t("{0} broken notes", model.info.errors));
  }
  if (model.interpreter && model.state !== "failed") {
    parts.push(model.interpreter);
  }
  return parts.join(" · ");
}

export function statusView(model: StatusModel, t: Translate): StatusView {
  return {
    text: statusText(model.state, model.info, t),
    busy: model.state === "starting",
    error: model.state === "failed",
    detail: statusDetail(model, t),
  };
}
