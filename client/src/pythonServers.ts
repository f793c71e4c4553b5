/**
 * Which other Python language server the editor runs beside ours, from the installed
 * extensions and `python.languageServer`. The server leaves member completions to it
 * (`torchNotes.completion.members: auto`). No `vscode` import: unit-tested under Node.
 */

export const PYTHON_EXTENSION = "ms-python.python";
export const PYLANCE = "ms-python.vscode-pylance";

/** Extensions that run a Python language server of their own, and its name. */
export const STANDALONE_SERVERS: readonly (readonly [string, string])[] = [
  ["detachhead.basedpyright", "basedpyright"],
  ["ms-pyright.pyright", "Pyright"],
  ["meta.pyrefly", "Pyrefly"],
  ["astral-sh.ty", "ty"],
];

/**
 * The main Python server's name, or `null` when there is none.
 *
 * @param installed ids of the installed (enabled) extensions, in any case
 * @param languageServer `python.languageServer` (the Python extension's choice)
 */
export function mainPythonServer(installed: Iterable<string>, languageServer: string | undefined): string | null {
  const ids = new Set([...installed].map((id) => id.toLowerCase()));
  if (ids.has(PYTHON_EXTENSION)) {
    // The Python extension: "Default" is Pylance where it is installed, else Jedi.
    switch ((languageServer ?? "Default").toLowerCase()) {
      case "none":
        break;
      case "jedi":
        return "Jedi";
      case "pylance":
        return "Pylance";
      default:
        return ids.has(PYLANCE) ? "Pylance" : "Jedi";
    }
  }
  for (const [id, name] of STANDALONE_SERVERS) {
    if (ids.has(id)) {
      return name;
    }
  }
  return null;
}
