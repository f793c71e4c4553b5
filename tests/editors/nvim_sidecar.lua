-- Neovim 0.7+ with jedi-language-server as the main Python server and, when TN_CMD is set,
-- torch-notes beside it (configured as docs/editors.md says: clientHints.pythonServer). Writes
-- what each server answered and Jedi's hover latency as JSON (TN_OUT).
--
-- Input (environment): TN_JEDI (JSON list: Jedi's command), TN_ENV (the Python environment Jedi
-- analyses), TN_CMD (JSON list: torch-notes' command, or empty), TN_FILE, TN_HOVER (JSON
-- [line, character]), TN_COMPLETIONS (JSON list of [line, character]), TN_EMPTY (an empty
-- line), TN_ROUNDS, TN_OUT.
local function getenv_json(name, default)
  local raw = os.getenv(name)
  if raw == nil or raw == "" then
    return default
  end
  return vim.fn.json_decode(raw)
end

local out_path = assert(os.getenv("TN_OUT"), "TN_OUT")
local report = {}

local function finish(code)
  vim.fn.writefile({ vim.fn.json_encode(report) }, out_path)
  vim.cmd((code == 0 and "qall!") or ("cquit " .. code))
end

local function ms_since(start)
  return (vim.loop.hrtime() - start) / 1e6
end

local function percentile(values, q)
  local sorted = vim.deepcopy(values)
  table.sort(sorted)
  return sorted[math.min(#sorted, math.floor(q / 100 * (#sorted - 1) + 0.5) + 1)]
end

local ok, err = pcall(function()
  local file = assert(os.getenv("TN_FILE"), "TN_FILE")
  local root = vim.fn.fnamemodify(file, ":p:h")
  local jedi = vim.lsp.start_client({
    name = "jedi",
    cmd = getenv_json("TN_JEDI"),
    root_dir = root,
    init_options = { workspace = { environmentPath = os.getenv("TN_ENV") } },
  })
  assert(jedi, "jedi did not start")
  local ours = nil
  local torch_notes_cmd = getenv_json("TN_CMD", nil)
  if torch_notes_cmd then
    ours = vim.lsp.start_client({
      name = "torch-notes",
      cmd = torch_notes_cmd,
      root_dir = root,
      -- Beside a main server: tell torch-notes, so that it leaves member completions to it.
      init_options = { clientHints = { pythonServer = "jedi" } },
      settings = { torchNotes = {} },
      on_init = function(client)
        client.notify("workspace/didChangeConfiguration", { settings = client.config.settings })
      end,
    })
    assert(ours, "torch-notes did not start")
  end

  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = "python"
  vim.lsp.buf_attach_client(bufnr, jedi)
  if ours then
    vim.lsp.buf_attach_client(bufnr, ours)
  end
  local ready = vim.wait(60000, function()
    for _, id in ipairs({ jedi, ours }) do
      local c = vim.lsp.get_client_by_id(id)
      if c == nil or not c.initialized then
        return false
      end
    end
    return true
  end, 50)
  assert(ready, "the servers did not initialize within 60 s")

  local uri = vim.uri_from_bufnr(bufnr)
  local hover_pos = getenv_json("TN_HOVER")
  local hover_params = { textDocument = { uri = uri }, position = { line = hover_pos[1], character = hover_pos[2] } }
  local jedi_client = vim.lsp.get_client_by_id(jedi)

  local function text_of(result)
    if result == nil or result == vim.NIL then
      return vim.NIL
    end
    local c = result.contents
    return type(c) == "table" and (c.value or vim.inspect(c)) or tostring(c)
  end
  local function all_servers(method, params)
    local responses = vim.lsp.buf_request_sync(bufnr, method, params, 180000) or {}
    local by_name = {}
    for id, response in pairs(responses) do
      by_name[vim.lsp.get_client_by_id(id).name] = response.result or vim.NIL
    end
    return by_name
  end

  -- Warm-up: Jedi infers torch on its first request.
  local start = vim.loop.hrtime()
  jedi_client.request_sync("textDocument/hover", hover_params, 180000, bufnr)
  report.jedi_first_hover_ms = ms_since(start)

  -- 1. Hover from every server.
  report.hovers = {}
  for name, result in pairs(all_servers("textDocument/hover", hover_params)) do
    report.hovers[name] = text_of(result)
  end

  -- 2. Jedi's hover latency on its own, and the time until every server answered.
  local rounds = tonumber(os.getenv("TN_ROUNDS") or "20")
  local alone, all = {}, {}
  for _ = 1, rounds do
    start = vim.loop.hrtime()
    jedi_client.request_sync("textDocument/hover", hover_params, 60000, bufnr)
    table.insert(alone, ms_since(start))
    start = vim.loop.hrtime()
    vim.lsp.buf_request_sync(bufnr, "textDocument/hover", hover_params, 60000)
    table.insert(all, ms_since(start))
  end
  report.jedi_hover_ms = { p50 = percentile(alone, 50), p90 = percentile(alone, 90), n = #alone }
  report.all_hover_ms = { p50 = percentile(all, 50), p90 = percentile(all, 90), n = #all }

  -- 3. Completion labels per server.
  report.completions = {}
  for _, at in ipairs(getenv_json("TN_COMPLETIONS")) do
    local params = { textDocument = { uri = uri }, position = { line = at[1], character = at[2] } }
    local labels = {}
    for name, result in pairs(all_servers("textDocument/completion", params)) do
      local items = result
      if type(result) == "table" and result.items then
        items = result.items
      end
      labels[name] = {}
      for _, item in ipairs(type(items) == "table" and items or {}) do
        table.insert(labels[name], item.label)
      end
    end
    table.insert(report.completions, { at = at, labels = labels })
  end

  -- 4. Code actions on an empty line, asked for automatically (a light-bulb plugin) and
  -- explicitly (the user: how snippets are inserted without a palette).
  local empty = tonumber(os.getenv("TN_EMPTY"))
  local range = { start = { line = empty, character = 0 }, ["end"] = { line = empty, character = 0 } }
  report.actions = {}
  for kind, trigger in pairs({ automatic = 2, invoked = 1 }) do
    local titles = {}
    local params = { textDocument = { uri = uri }, range = range, context = { diagnostics = {}, triggerKind = trigger } }
    for name, result in pairs(all_servers("textDocument/codeAction", params)) do
      titles[name] = {}
      for _, action in ipairs(type(result) == "table" and result or {}) do
        table.insert(titles[name], action.title)
      end
    end
    report.actions[kind] = titles
  end
end)

if not ok then
  report.error = tostring(err)
  finish(1)
else
  finish(0)
end
