/**
 * What the language status item shows: the server's state, the notes and snippets
 * loaded, broken note files and the interpreter. No `vscode` import: unit-tested under Node.
 */
import type { Lang, ServerInfo } from "./catalogue";

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

/** Text of the language status item. */
export function statusText(state: ServerState, info: ServerInfo | undefined, lang: Lang): string {
  switch (state) {
    case "starting":
      return lang === "zh" ? "$(sync~spin) PyTorch Notes 启动中" : "$(sync~spin) PyTorch Notes starting";
    case "stopped":
      return lang === "zh" ? "$(circle-slash) PyTorch Notes 已停止" : "$(circle-slash) PyTorch Notes stopped";
    case "failed":
      return lang === "zh" ? "$(error) PyTorch Notes 未运行" : "$(error) PyTorch Notes not running";
    case "running": {
      const n = info?.notes;
      if (n === undefined) {
        return "$(book) PyTorch Notes";
      }
      return lang === "zh" ? `$(book) ${n} 条 PyTorch 笔记` : `$(book) ${n} PyTorch note${n === 1 ? "" : "s"}`;
    }
  }
}

/** The status item's detail line: the error, the snippets, broken notes, the interpreter. */
export function statusDetail(model: StatusModel, lang: Lang): string {
  const parts: string[] = [];
  if (model.detail) {
    parts.push(model.detail);
  }
  if (model.info?.snippets !== undefined) {
    parts.push(lang === "zh" ? `${model.info.snippets} 个代码片段` : `${model.info.snippets} snippets`);
  }
  if (model.info?.errors) {
    parts.push(lang === "zh" ? `${model.info.errors} 个笔记错误` : `${model.info.errors} broken notes`);
  }
  if (model.interpreter && model.state !== "failed") {
    parts.push(model.interpreter);
  }
  return parts.join(" · ");
}

export function statusView(model: StatusModel, lang: Lang): StatusView {
  return {
    text: statusText(model.state, model.info, lang),
    busy: model.state === "starting",
    error: model.state === "failed",
    detail: statusDetail(model, lang),
  };
}
