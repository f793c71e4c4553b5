-- Drives Neovim's built-in LSP client (0.7+: vim.lsp.start_client, vim.lsp.buf_request_sync)
-- against the torch-notes server and writes what it saw as JSON.
--
--   nvim --headless -u NONE -i NONE -n -l? (0.7 has no -l) -c "luafile nvim_lsp.lua"
--
-- Input (environment): TN_CMD (JSON list: the server command), TN_FILE (Python file to open),
-- TN_SETTINGS (JSON: the torchNotes settings), TN_HOVER (JSON [line, character], 0-based),
-- TN_LINE (0-based line where a statement can start, holding a snippet prefix), TN_ACTION (text
-- of the code action to run), TN_OUT (JSON output).
local function getenv_json(name, default)
  local raw = os.getenv(name)
  if raw == nil or raw == "" then
    return default
  end
  return vim.fn.json_decode(raw)
end

local out_path = assert(os.getenv("TN_OUT"), "TN_OUT")
local report = { nvim = tostring(vim.version().major) .. "." .. vim.version().minor .. "." .. vim.version().patch }

local function finish(code)
  vim.fn.writefile({ vim.fn.json_encode(report) }, out_path)
  vim.cmd((code == 0 and "qall!") or ("cquit " .. code))
end

local ok, err = pcall(function()
  local cmd = getenv_json("TN_CMD")
  local file = assert(os.getenv("TN_FILE"), "TN_FILE")
  local settings = getenv_json("TN_SETTINGS", vim.empty_dict())
  local hover_pos = getenv_json("TN_HOVER")
  local snippet_line = getenv_json("TN_LINE")

  local messages, logs = {}, {}
  report.messages = messages
  report.logs = logs
  local client_id = vim.lsp.start_client({
    name = "torch-notes",
    cmd = cmd,
    root_dir = vim.fn.fnamemodify(file, ":p:h"),
    settings = { torchNotes = settings },
    -- Neovim 0.7 advertises no workspace/configuration: push the settings, as nvim-lspconfig does.
    on_init = function(client)
      client.notify("workspace/didChangeConfiguration", { settings = client.config.settings })
    end,
    handlers = {
      ["window/showMessage"] = function(_, result)
        table.insert(messages, result.message)
      end,
      ["window/logMessage"] = function(_, result)
        table.insert(logs, result.message)
      end,
      ["workspace/configuration"] = function(err, result, ctx, config)
        local answer = vim.lsp.handlers["workspace/configuration"](err, result, ctx, config)
        table.insert(logs, "workspace/configuration -> " .. vim.fn.json_encode(answer))
        return answer
      end,
      ["client/registerCapability"] = function(err, result, ctx, config)
        table.insert(logs, "client/registerCapability " .. vim.fn.json_encode(result))
        return vim.lsp.handlers["client/registerCapability"](err, result, ctx, config)
      end,
    },
  })
  assert(client_id, "vim.lsp.start_client returned nil")

  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  -- -u NONE loads no filetype detection: didOpen's languageId is the buffer's filetype.
  vim.bo[bufnr].filetype = "python"
  vim.lsp.buf_attach_client(bufnr, client_id)
  local ready = vim.wait(20000, function()
    local c = vim.lsp.get_client_by_id(client_id)
    return c ~= nil and c.initialized
  end, 50)
  assert(ready, "the server did not initialize within 20 s")
  local client = vim.lsp.get_client_by_id(client_id)
  report.server = client.server_capabilities and true or false
  report.offset_encoding = client.offset_encoding

  local uri = vim.uri_from_bufnr(bufnr)
  local function request(method, params)
    local responses, req_err = vim.lsp.buf_request_sync(bufnr, method, params, 10000)
    assert(responses, method .. ": " .. tostring(req_err))
    local response = responses[client_id]
    assert(response, method .. ": no response from the server")
    assert(response.error == nil, method .. ": " .. vim.inspect(response.error))
    return response.result
  end

  -- The server pulls its settings (workspace/configuration) after `initialized`: wait until
  -- it reports them applied, so that the requests below see them.
  local want_language = settings.language or "en"
  if want_language == "auto" then
    want_language = "en"
  end
  report.settings_applied = vim.wait(10000, function()
    local info = request("workspace/executeCommand", { command = "torchNotes.serverInfo", arguments = {} })
    report.server_info = info
    return type(info) == "table" and info.language == want_language
  end, 100)

  -- 1. Hover.
  local hover = request("textDocument/hover", {
    textDocument = { uri = uri },
    position = { line = hover_pos[1], character = hover_pos[2] },
  })
  if hover == nil or hover == vim.NIL then
    report.hover = vim.NIL
  else
    local contents = hover.contents
    report.hover = type(contents) == "table" and (contents.value or vim.inspect(contents)) or tostring(contents)
    report.hover_range = hover.range
  end

  -- 2. Snippet completions at a statement start holding a prefix.
  local line_text = vim.api.nvim_buf_get_lines(bufnr, snippet_line, snippet_line + 1, false)[1]
  local completion = request("textDocument/completion", {
    textDocument = { uri = uri },
    position = { line = snippet_line, character = #line_text },
    context = { triggerKind = 1 },
  })
  local items = completion
  if type(completion) == "table" and completion.items then
    items = completion.items
  end
  report.completion = {}
  for _, item in ipairs(items or {}) do
    local text = item.insertText
    if item.textEdit then
      text = item.textEdit.newText
    end
    table.insert(report.completion, {
      label = item.label,
      kind = item.kind,
      insertTextFormat = item.insertTextFormat or vim.NIL,
      text = text or vim.NIL,
    })
  end

  -- 3. Code actions at the same line; run the first "Insert PyTorch snippet" one.
  local actions = request("textDocument/codeAction", {
    textDocument = { uri = uri },
    range = {
      start = { line = snippet_line, character = 0 },
      ["end"] = { line = snippet_line, character = #line_text },
    },
    context = { diagnostics = {} },
  })
  report.code_actions = {}
  local want_action = os.getenv("TN_ACTION") or "PyTorch snippet"
  local chosen
  for _, action in ipairs(actions or {}) do
    table.insert(report.code_actions, action.title)
    if chosen == nil and action.title:find(want_action, 1, true) then
      chosen = action
    end
  end
  if chosen then
    report.applied = chosen.title
    if chosen.edit then
      vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
    end
    local command = chosen.command
    if type(command) == "table" then
      -- The server applies its edit through workspace/applyEdit, which Neovim's default handler runs.
      request("workspace/executeCommand", { command = command.command, arguments = command.arguments })
    end
    vim.wait(200)
    report.buffer_after = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  end

  -- 4. A server command (the catalogue Neovim users may script against).
  local catalogue = request("workspace/executeCommand", { command = "torchNotes.listSnippets", arguments = {} })
  report.catalogue_size = type(catalogue) == "table" and #catalogue or 0

  vim.lsp.stop_client(client_id)
  report.stopped = vim.wait(5000, function()
    return vim.lsp.get_client_by_id(client_id) == nil
  end, 50)
end)

if not ok then
  report.error = tostring(err)
  finish(1)
else
  finish(0)
end
