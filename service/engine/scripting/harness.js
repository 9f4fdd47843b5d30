// The JavaScript side of Alur's script sandbox (service/engine/scripting). Loaded into every fresh V8
// isolate before a model's script runs; the isolate is thrown away afterwards, so nothing here needs resetting.
//
// Only JSON crosses: the host sends the variables and the answers of the facade's read methods (with the
// paths of the values that are dates), the script runs, and __alurRun answers one JSON text: the script's
// last value and the facade's write calls in order, each encoded the same way. Host functions are not
// callable synchronously in this engine, so the facade here is a model of the host's: reads answer from
// the snapshot (updated by the script's own writes), writes are recorded and replayed by the host after
// the script ends, through its allow-list.
"use strict";
(function (global) {
  const freeze = Object.freeze, keys = Object.keys, getProto = Object.getPrototypeOf;
  const isArray = Array.isArray, stringify = JSON.stringify, parse = JSON.parse;
  const DateCtor = Date, isFiniteNumber = Number.isFinite, ObjProto = Object.prototype;
  const dateTime = Date.prototype.getTime, toIso = Date.prototype.toISOString;
  const hasOwn = (o, k) => ObjProto.hasOwnProperty.call(o, k);
  const MAX_DEPTH = 64;

  class Refused extends Error {}

  function describe(value) {
    if (value === null) return "null";
    if (typeof value !== "object") return typeof value;
    const proto = getProto(value);
    const ctor = proto && hasOwn(proto, "constructor") ? proto.constructor : null;
    return ctor && typeof ctor.name === "string" && ctor.name ? ctor.name : "object";
  }

  // A script value -> a JSON-able value plus the paths of its dates (ISO texts in the JSON).
  function encode(value, where, dates, maxBytes) {
    const seen = new Set();
    let budget = maxBytes;
    function spend(n) {
      budget -= n;
      if (budget < 0) throw new Refused(`${where} is larger than ${maxBytes} bytes`);
    }
    function walk(v, path, depth) {
      if (depth > MAX_DEPTH) throw new Refused(`${where} is nested deeper than ${MAX_DEPTH} levels`);
      if (v === undefined || v === null) { spend(4); return null; }
      switch (typeof v) {
        case "boolean": spend(5); return v;
        case "string": spend(v.length + 2); return v;
        case "number":
          if (!isFiniteNumber(v)) throw new Refused(`${where}${show(path)} is ${v}: a number must be finite`);
          spend(8); return v;
        case "bigint":
          throw new Refused(`${where}${show(path)} is a BigInt, which a process cannot hold; use a Number`);
        case "function":
          throw new Refused(`${where}${show(path)} is a function, which a process cannot hold`);
        case "symbol":
          throw new Refused(`${where}${show(path)} is a Symbol, which a process cannot hold`);
      }
      if (v instanceof DateCtor) {
        const ms = dateTime.call(v);
        if (!isFiniteNumber(ms)) throw new Refused(`${where}${show(path)} is an invalid Date`);
        dates.push(path.slice());
        spend(30);
        return toIso.call(v);
      }
      if (seen.has(v)) throw new Refused(`${where}${show(path)} refers to itself (a cyclic object)`);
      seen.add(v);
      let out;
      if (isArray(v)) {
        spend(2 + v.length);
        out = [];
        for (let i = 0; i < v.length; i++) {
          path.push(i); out.push(walk(v[i], path, depth + 1)); path.pop();
        }
      } else {
        const proto = getProto(v);
        if (proto !== ObjProto && proto !== null) {
          throw new Refused(`${where}${show(path)} is a ${describe(v)}, which a process cannot hold ` +
                            "(plain objects, arrays, texts, numbers, booleans, dates and null only)");
        }
        out = {};
        for (const k of keys(v)) {
          spend(k.length + 3);
          path.push(k); out[k] = walk(v[k], path, depth + 1); path.pop();
        }
      }
      seen.delete(v);
      return out;
    }
    return walk(value, [], 0);
  }

  function show(path) {
    return path.length ? " at " + path.map((p) => typeof p === "number" ? `[${p}]` : `.${p}`).join("") : "";
  }

  // Host values -> script values: the ISO texts at the given paths become Dates.
  function revive(value, dates) {
    for (const path of dates || []) {
      if (!path.length) { value = new DateCtor(value); continue; }
      let holder = value;
      for (let i = 0; i < path.length - 1; i++) holder = holder[path[i]];
      const last = path[path.length - 1];
      holder[last] = new DateCtor(holder[last]);
    }
    return value;
  }

  // Camunda's TypedValue (facade.TypedValue / FileValue): the value with its type name.
  function typed(v) {
    if (v === undefined || v === null) return null;
    let type = "Object";
    if (typeof v === "boolean") type = "Boolean";
    else if (typeof v === "number") type = Number.isInteger(v) ? "Long" : "Double";
    else if (typeof v === "string") type = "String";
    else if (v instanceof DateCtor) type = "Date";
    else if (typeof v === "object" && typeof v.alurFile === "string") {
      return freeze({ getValue: () => v, getType: () => "File", value: v, type: "File",
                      getFilename: () => v.filename === undefined ? null : v.filename,
                      getMimeType: () => v.mimeType === undefined ? null : v.mimeType,
                      getEncoding: () => v.encoding === undefined ? null : v.encoding });
    } else if (typeof v === "object") type = "Json";
    return freeze({ getValue: () => v, getType: () => type, value: v, type });
  }

  function facades(input, ops) {
    const vars = {};
    for (const name of keys(input.variables)) vars[name] = input.variables[name];
    const locals = new Set(input.locals || []);
    const reads = input.reads || {};
    const record = (target, method, args) => { ops.push([target, method, args]); };
    const name = (n) => {
      if (typeof n !== "string" || !n) throw new TypeError(`a variable name must be a non-empty text, not ${n}`);
      return n;
    };

    const execution = {
      getVariable: (n) => vars[name(n)] === undefined ? null : vars[n],
      getVariableTyped: (n) => typed(vars[name(n)]),
      getVariables: () => Object.assign({}, vars),
      getVariableLocal: (n) => locals.has(name(n)) && vars[n] !== undefined ? vars[n] : null,
      getVariablesLocal: () => { const o = {}; for (const n of locals) if (n in vars) o[n] = vars[n]; return o; },
      getVariableNames: () => keys(vars),
      getVariableNamesLocal: () => [...locals].filter((n) => n in vars),
      hasVariable: (n) => hasOwn(vars, name(n)),
      hasVariables: () => keys(vars).length > 0,
      hasVariableLocal: (n) => locals.has(name(n)) && hasOwn(vars, n),
      setVariable: (n, v) => { vars[name(n)] = v; record("execution", "setVariable", [n, v]); },
      setVariables: (m) => {
        if (m === null || typeof m !== "object") throw new TypeError("setVariables takes an object of names to values");
        for (const n of keys(m)) execution.setVariable(n, m[n]);
      },
      setVariableLocal: (n, v) => { vars[name(n)] = v; locals.add(n); record("execution", "setVariableLocal", [n, v]); },
      removeVariable: (n) => { delete vars[name(n)]; locals.delete(n); record("execution", "removeVariable", [n]); },
      removeVariableLocal: (n) => {
        if (locals.has(name(n))) { delete vars[n]; locals.delete(n); }
        record("execution", "removeVariableLocal", [n]);
      },
    };
    for (const method of keys(reads.execution || {})) execution[method] = () => reads.execution[method];
    execution.getProcessBusinessKey = execution.getBusinessKey;

    if (!input.task) return { execution: freeze(execution), task: undefined };

    const t = reads.task || {};
    const field = (getter, setter) => (v) => { t[getter] = v === undefined ? null : v; record("task", setter, [v]); };
    const task = {
      getExecution: () => execution,
      setName: field("getName", "setName"),
      setDescription: field("getDescription", "setDescription"),
      setAssignee: field("getAssignee", "setAssignee"),
      setOwner: field("getOwner", "setOwner"),
      setPriority: field("getPriority", "setPriority"),
      setDueDate: field("getDueDate", "setDueDate"),
      setFollowUpDate: field("getFollowUpDate", "setFollowUpDate"),
      addCandidateUser: (u) => { candidate("userId", u, true); record("task", "addCandidateUser", [u]); },
      addCandidateGroup: (g) => { candidate("groupId", g, true); record("task", "addCandidateGroup", [g]); },
      addCandidateUsers: (us) => { for (const u of us) candidate("userId", u, true); record("task", "addCandidateUsers", [us]); },
      addCandidateGroups: (gs) => { for (const g of gs) candidate("groupId", g, true); record("task", "addCandidateGroups", [gs]); },
      deleteCandidateUser: (u) => { candidate("userId", u, false); record("task", "deleteCandidateUser", [u]); },
      deleteCandidateGroup: (g) => { candidate("groupId", g, false); record("task", "deleteCandidateGroup", [g]); },
    };
    function candidate(kind, id, add) {
      const list = (t.getCandidates || []).filter((c) => c[kind] !== id);
      if (add) list.push({ type: "candidate", [kind]: id });
      t.getCandidates = list;
    }
    for (const method of keys(t)) if (!(method in task)) task[method] = () => t[method];
    for (const method of ["getVariable", "getVariables", "getVariableLocal", "hasVariable", "setVariable",
                          "setVariables", "setVariableLocal", "removeVariable"]) task[method] = execution[method];
    return { execution: freeze(execution), task: freeze(task) };
  }

  // The single entry point the host calls: inputJson as described above; answers one JSON text.
  function run(source, inputJson) {
    const input = parse(inputJson);
    revive(input.variables, input.variableDates);
    if (input.reads) {
      revive(input.reads, input.readDates);
    }
    const ops = [];
    const { execution, task } = facades(input, ops);
    const define = (n, v) => Object.defineProperty(global, n, { value: v, writable: true, configurable: true });
    define("execution", execution);
    if (task) define("task", task);
    // Camunda binds every variable as a global name; a copy: assigning it changes nothing in the process.
    for (const n of keys(input.variables)) {
      if (n !== "execution" && n !== "task" && !(n in global) && /^[A-Za-z_$][\w$]*$/.test(n)) {
        define(n, input.variables[n]);
      }
    }
    let value;
    try {
      value = (0, eval)(source);        // indirect eval: global scope, the last statement's value
    } catch (e) {
      return stringify({ ok: false, kind: "error", message: errorText(e) });
    }
    if (value !== null && (typeof value === "object" || typeof value === "function") &&
        typeof value.then === "function") {
      return stringify({ ok: false, kind: "result", message: "the script returned a Promise; asynchronous " +
                        "scripts are not supported (no event loop runs after the script)" });
    }
    try {
      const dates = [];
      const result = encode(value, "the script's result", dates, input.maxBytes);
      const encodedOps = [];
      let left = input.maxBytes;
      for (const [target, method, args] of ops) {
        const argDates = [];
        const encodedArgs = encode(args, `${target}.${method}(...)`, argDates, left);
        left -= stringify(encodedArgs).length;
        encodedOps.push([target, method, encodedArgs, argDates]);
      }
      const text = stringify({ ok: true, result, dates, ops: encodedOps });
      if (text.length > input.maxBytes) {
        throw new Refused(`the script's result and variables are larger than ${input.maxBytes} bytes`);
      }
      return text;
    } catch (e) {
      const refused = e instanceof Refused;
      const message = refused ? e.message.slice(0, MAX_MESSAGE) : errorText(e);
      return stringify({ ok: false, kind: refused ? "result" : "error", message });
    }
  }

  // Parse without running: the script is prefixed by a throw on its first line, so V8 reports any syntax
  // error of the whole text before running the throw, and nothing of the script ever runs.
  function check(source) {
    const marker = {};
    global.__alurMarker = marker;
    try {
      (0, eval)("throw __alurMarker;" + source);
    } catch (e) {
      if (e === marker) return stringify({ ok: true });
      return stringify({ ok: false, kind: "syntax", message: errorText(e) });
    }
    return stringify({ ok: false, kind: "syntax", message: "the script could not be checked" });
  }

  const MAX_MESSAGE = 2000;

  function errorText(e) {
    try {
      if (e instanceof Error) return `${e.name}: ${e.message}`.slice(0, MAX_MESSAGE);
      return "uncaught " + (typeof e === "string" ? stringify(e.slice(0, 500)) : String(e).slice(0, 500));
    } catch (_) {
      return "uncaught exception";
    }
  }

  Object.defineProperty(global, "__alurRun", { value: run });
  Object.defineProperty(global, "__alurCheck", { value: check });
})(globalThis);
