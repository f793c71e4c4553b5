/**
 * Writing notes in VS Code, around the server's note-file features:
 *
 * - **Validation on save** needs an interpreter with torch: when
 *   `torchNotes.validation.python` is empty, the interpreter selected in the Python
 *   extension is offered to the server (in its `workspace/configuration` answers) once it
 *   is known to import torch.
 * - **"Write a note"** without a notes folder: the user picks one, it is written to
 *   `torchNotes.extraPaths`, and the note is written there.
 * - **"Preview card"** opens the card in VS Code's Markdown preview.
 *
 * All of it is language-client middleware (`authoringMiddleware`).
 */
import { execFile } from "node:child_process";
import * as vscode from "vscode";
import { DidChangeConfigurationNotification, type LanguageClient, type Middleware } from "vscode-languageclient/node";

import {
  EXTRA_PATHS,
  firstArgument,
  NEW_NOTE_COMMAND,
  needsFolder,
  PREVIEW_COMMAND,
  previewPage,
  TORCH_PROBE,
  withValidationPython,
} from "./noteAuthoring";
import { pythonExtensionInterpreter } from "./pythonExtension";
import { SECTION } from "./settings";

const PROBE_TIMEOUT_MS = 120_000;
/** Interpreter path → whether it imports torch (one probe per interpreter and session). */
const canImportTorch = new Map<string, Promise<boolean>>();

function probeTorch(python: string, log: vscode.LogOutputChannel): Promise<boolean> {
  let found = canImportTorch.get(python);
  if (!found) {
    found = new Promise((resolve) => {
      execFile(python, ["-c", TORCH_PROBE], { timeout: PROBE_TIMEOUT_MS, windowsHide: true }, (error, stdout) => {
        if (error) {
          log.info(`Validation on save: ${python} cannot import torch`);
          resolve(false);
        } else {
          log.info(`Validation on save: ${python} has torch ${String(stdout).trim()}`);
          resolve(true);
        }
      });
    });
    canImportTorch.set(python, found);
  }
  return found;
}

/** The Python extension's interpreter when it imports torch; probed in the background. */
function knownTorchInterpreter(
  log: vscode.LogOutputChannel,
  client: () => LanguageClient | undefined,
  state: { python?: string; known?: string },
): string | undefined {
  void pythonExtensionInterpreter().then(async (python) => {
    if (!python || state.python === python) {
      return;
    }
    state.python = python;
    if (await probeTorch(python, log)) {
      state.known = python;
      // The server asks for its settings again and now gets the interpreter.
      void client()?.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    }
  });
  return state.known;
}

async function pickNotesFolder(symbol: string): Promise<string | undefined> {
  const choose = "Choose a Folder…";
  const answer = await vscode.window.showInformationMessage(
    `To write a note for ${symbol}, choose a folder for your notes: it becomes torchNotes.extraPaths.`,
    choose,
  );
  if (answer !== choose) {
    return undefined;
  }
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: "Use for My Notes",
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  const folder = picked?.[0]?.fsPath;
  if (!folder) {
    return undefined;
  }
  const target = vscode.workspace.workspaceFolders?.length
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration(SECTION).update(EXTRA_PATHS, [folder], target);
  return folder;
}

export function authoringMiddleware(
  log: vscode.LogOutputChannel,
  client: () => LanguageClient | undefined,
): Middleware {
  const state: { python?: string; known?: string } = {};
  return {
    workspace: {
      configuration: async (params, token, next) => {
        const result = await next(params, token);
        if (!Array.isArray(result)) {
          return result;
        }
        const interpreter = knownTorchInterpreter(log, client, state);
        return result.map((value, i) =>
          params.items[i]?.section === SECTION ? withValidationPython(value, interpreter) : value,
        );
      },
    },
    executeCommand: async (command, args, next) => {
      if (command === NEW_NOTE_COMMAND) {
        const argument: Record<string, unknown> = { ...firstArgument(args), pickFolder: true };
        const result: unknown = await next(command, [argument, ...args.slice(1)]);
        if (!needsFolder(result)) {
          return result;
        }
        const folder = await pickNotesFolder(String(argument.symbol ?? "this name"));
        return folder ? next(command, [{ ...argument, dir: folder }]) : result;
      }
      if (command === PREVIEW_COMMAND) {
        const result: unknown = await next(command, [{ ...firstArgument(args), show: false }]);
        const page = previewPage(result);
        if (page) {
          await vscode.commands.executeCommand("markdown.showPreviewToSide", vscode.Uri.parse(page));
        }
        return result;
      }
      return next(command, args);
    },
  };
}
