/**
 * Patches hnswlib-wasm's Emscripten glue (`hnswlib-wasm/dist/hnswlib-<hash>.js`) so that it
 *
 * 1. runs under the extension's CSP (`script-src 'self' 'wasm-unsafe-eval'`): embind builds its
 *    invokers with `new Function(...)` (via `newFunc(Function, …)`), which is an EvalError there.
 *    Both generators — `craftInvokerFunction` (every bound function/method/constructor) and
 *    `__emval_get_method_caller` (C++ calling JS, e.g. the search filter callback) — are replaced
 *    by closure-based equivalents, as Emscripten itself does with `-sDYNAMIC_EXECUTION=0`;
 * 2. loads in Node (the benchmark, unit tests): the web-only build throws "not compiled for this
 *    environment" when neither `window` nor `importScripts` exists. It only ever fetches its
 *    embedded data: URI, which Node 20 handles;
 * 3. exposes `Module.FS`, so the adapter can move index bytes in and out of MEMFS itself (Engram
 *    persists them in its own Dexie table, never through the library's IDBFS).
 *
 * Pure and strict: when an expected snippet is missing (e.g. after a package upgrade) it throws, so
 * the build fails loudly instead of shipping an eval-using or broken glue.
 */

const ENV_CHECK_START = "if (!(typeof window == 'object' || typeof importScripts == 'function')) throw new Error('not compiled for this environment";

const CRAFT_INVOKER_START = 'function craftInvokerFunction(humanName, argTypes, classType, cppInvokerFunc, cppTargetFunc, isAsync) {';
const CRAFT_INVOKER_END = 'return newFunc(Function, args1).apply(null, args2);';

const METHOD_CALLER_START = 'function __emval_get_method_caller(argCount, argTypes) {';
const METHOD_CALLER_END = 'return returnId;';
const METHOD_CALLER_EVAL = 'newFunc(Function, params).apply(null, args)';

const EXPORT_ANCHOR = 'unexportedSymbols.forEach(unexportedRuntimeSymbol);';

/** Marker left in the patched glue, so double patching is detected and skipped. */
export const HNSWLIB_PATCH_MARKER = '/* engram: hnswlib glue patched (CSP-safe embind, node, FS) */';

const CRAFT_INVOKER_SAFE = `function craftInvokerFunction(humanName, argTypes, classType, cppInvokerFunc, cppTargetFunc, isAsync) {
      // engram: closure-based invoker (no eval), equivalent to the generated code.
      var argCount = argTypes.length;
      if (argCount < 2) {
        throwBindingError("argTypes array size mismatch! Must at least get return value and 'this' types!");
      }
      assert(!isAsync, 'Async bindings are only supported with JSPI.');
      var isClassMethodFunc = (argTypes[1] !== null && classType !== null);
      var needsDestructorStack = false;
      for (var i = 1; i < argTypes.length; ++i) {
        if (argTypes[i] !== null && argTypes[i].destructorFunction === undefined) {
          needsDestructorStack = true;
          break;
        }
      }
      var returns = (argTypes[0].name !== "void");
      var expectedArgCount = argCount - 2;
      var argDtors = [];
      if (!needsDestructorStack) {
        for (var j = isClassMethodFunc ? 1 : 2; j < argTypes.length; ++j) {
          if (argTypes[j].destructorFunction !== null) argDtors.push(j);
        }
      }
      return createNamedFunction(humanName, function() {
        if (arguments.length !== expectedArgCount) {
          throwBindingError('function ' + humanName + ' called with ' + arguments.length + ' arguments, expected ' + expectedArgCount + ' args!');
        }
        var destructors = needsDestructorStack ? [] : null;
        var invokerArgs = [cppTargetFunc];
        var thisWired;
        if (isClassMethodFunc) {
          thisWired = argTypes[1].toWireType(destructors, this);
          invokerArgs.push(thisWired);
        }
        for (var a = 0; a < expectedArgCount; ++a) {
          invokerArgs.push(argTypes[a + 2].toWireType(destructors, arguments[a]));
        }
        var rv = cppInvokerFunc.apply(null, invokerArgs);
        if (needsDestructorStack) {
          runDestructors(destructors);
        } else {
          for (var d = 0; d < argDtors.length; ++d) {
            var t = argDtors[d];
            // invokerArgs[0] is the target; then thisWired (class methods), then the arguments.
            argTypes[t].destructorFunction(t === 1 ? thisWired : invokerArgs[t - 2 + (isClassMethodFunc ? 2 : 1)]);
          }
        }
        if (returns) {
          return argTypes[0].fromWireType(rv);
        }
      });
    }`;

const METHOD_CALLER_SAFE = `function __emval_get_method_caller(argCount, argTypes) {
      // engram: closure-based method caller (no eval), equivalent to the generated code.
      var types = emval_lookupTypes(argCount, argTypes);
      var retType = types[0];
      var signatureName = retType.name + "_$" + types.slice(1).map(function (t) { return t.name; }).join("_") + "$";
      var returnId = emval_registeredMethods[signatureName];
      if (returnId !== undefined) {
        return returnId;
      }
      var invokerFunction = createNamedFunction("methodCaller_" + signatureName, function(handle, name, destructors, args) {
        var argN = new Array(argCount - 1);
        var offset = 0;
        for (var i = 0; i < argCount - 1; ++i) {
          argN[i] = types[i + 1].readValueFromPointer(args + offset);
          offset += types[i + 1]['argPackAdvance'];
        }
        var rv = handle[name].apply(handle, argN);
        for (var j = 0; j < argCount - 1; ++j) {
          if (types[j + 1]['deleteObject']) {
            types[j + 1].deleteObject(argN[j]);
          }
        }
        if (!retType.isVoid) {
          return retType.toWireType(destructors, rv);
        }
      });
      returnId = emval_addMethodCaller(invokerFunction);
      emval_registeredMethods[signatureName] = returnId;
      return returnId;
    }`;

function fail(what: string): never {
  throw new Error(
    `patchHnswlibGlue: expected snippet not found (${what}). hnswlib-wasm's glue changed: review scripts/hnswlib/patch-glue.ts before upgrading.`,
  );
}

function indexOnce(code: string, snippet: string, what: string, from = 0): number {
  const at = code.indexOf(snippet, from);
  if (at < 0) fail(what);
  if (code.indexOf(snippet, at + snippet.length) >= 0) fail(`${what} (found more than once)`);
  return at;
}

/**
 * Replaces the function starting at `start` and ending at the first `endSnippet` (after
 * `mustContain`, when given) followed by its closing brace.
 */
function replaceFunction(code: string, start: string, endSnippet: string, replacement: string, what: string, mustContain?: string): string {
  const begin = indexOnce(code, start, `${what}: start`);
  let searchFrom = begin;
  if (mustContain !== undefined) {
    // The end snippet is the first one after `mustContain` (e.g. an early `return` comes before it).
    searchFrom = code.indexOf(mustContain, begin);
    const nextFunction = code.indexOf('\n  function ', begin + start.length);
    if (searchFrom < 0 || (nextFunction >= 0 && searchFrom > nextFunction)) fail(`${what}: ${mustContain}`);
  }
  const endAt = code.indexOf(endSnippet, searchFrom);
  if (endAt < 0) fail(`${what}: end`);
  const brace = code.indexOf('}', endAt + endSnippet.length);
  if (brace < 0 || code.slice(endAt + endSnippet.length, brace).trim() !== '') fail(`${what}: closing brace`);
  return code.slice(0, begin) + replacement + code.slice(brace + 1);
}

export function patchHnswlibGlue(code: string): string {
  if (code.includes(HNSWLIB_PATCH_MARKER)) return code;

  // 1. Environment check: drop the throw (the statement ends with `');` on the same line).
  const envAt = indexOnce(code, ENV_CHECK_START, 'environment check');
  const envEnd = code.indexOf("');", envAt);
  const eol = code.indexOf('\n', envAt);
  if (envEnd < 0 || (eol >= 0 && envEnd > eol)) fail('environment check: end of statement');
  let out = code.slice(0, envAt) + '/* engram: environment check removed (runs in Node too) */' + code.slice(envEnd + 3);

  // 2. embind invokers without eval.
  out = replaceFunction(out, CRAFT_INVOKER_START, CRAFT_INVOKER_END, CRAFT_INVOKER_SAFE, 'craftInvokerFunction');
  out = replaceFunction(out, METHOD_CALLER_START, METHOD_CALLER_END, METHOD_CALLER_SAFE, '__emval_get_method_caller', METHOD_CALLER_EVAL);

  // 3. Export FS (before the "was not exported" getters are installed).
  const anchorAt = indexOnce(out, EXPORT_ANCHOR, 'unexported symbols');
  out = out.slice(0, anchorAt) + "Module['FS'] = FS;\n" + out.slice(anchorAt);

  if (/newFunc\(\s*Function/.test(out) || /new Function\s*\(/.test(out)) {
    fail('no remaining `new Function` after patching');
  }
  return `${HNSWLIB_PATCH_MARKER}\n${out}`;
}
