// The legacy (pre-`pm`) sandbox of Newman (postman-sandbox's postman-legacy-interface): the `postman`
// object, the response/request globals and the `environment`/`globals` objects, which `postman.*`
// keeps in step. Runs inside QuickJS.

/** postman.set*Variable stores a value's toString() (so 5 reads back as "5"), except false and nullish. */
function legacyValue(value) {
  // postman-sandbox's test is `(value === false || value) && typeof (value && value.toString) === "function"`.
  if (value && typeof value.toString === "function") return value.toString();
  return value;
}

/** Body fields as `{ key: value }`, repeated keys collected into arrays, disabled fields skipped. */
function fieldsObject(fields) {
  const out = {};
  for (const f of fields) {
    if (f.disabled) continue;
    if (Object.hasOwn(out, f.key)) out[f.key] = [].concat(out[f.key], f.value);
    else out[f.key] = f.value;
  }
  return out;
}

function legacyData(body) {
  if (!body || body.isEmpty()) return {};
  if (body.mode === "raw") return body.raw ?? {};
  if (body.mode === "urlencoded") return fieldsObject(body.urlencoded.all());
  if (body.mode === "formdata") return fieldsObject(body.formdata.all());
  if (body.mode === "file") return body.file?.content ?? {};
  return {};
}

/**
 * Builds the lazy loaders of the legacy globals. `api` carries the script's pieces: the scopes, the
 * request/response getters, pm.cookies, setNextRequest, the info block and requireModule.
 */
export function legacyLoaders(api) {
  const { envScope, globalsScope, requestOf, responseOf, cookies, info, isTest, requireModule } = api;
  let environment;
  let globals;
  const envObject = () => {
    environment ??= envScope.toObject();
    return environment;
  };
  const globalsObject = () => {
    globals ??= globalsScope.toObject();
    return globals;
  };
  const setIn = (scope, object) => (key, value) => {
    const v = legacyValue(value);
    object()[key] = v;
    return scope.set(key, v);
  };
  const clearIn = (scope, object) => (key) => {
    if (key) delete object()[key];
    return scope.unset(key);
  };
  const clearAllIn = (scope, object) => () => {
    const o = object();
    for (const k of Object.keys(o)) delete o[k];
    return scope.clear();
  };
  const postman = {
    setEnvironmentVariable: setIn(envScope, envObject),
    getEnvironmentVariable: (k) => envScope.get(k),
    clearEnvironmentVariable: clearIn(envScope, envObject),
    clearEnvironmentVariables: clearAllIn(envScope, envObject),
    setGlobalVariable: setIn(globalsScope, globalsObject),
    getGlobalVariable: (k) => globalsScope.get(k),
    clearGlobalVariable: clearIn(globalsScope, globalsObject),
    clearGlobalVariables: clearAllIn(globalsScope, globalsObject),
    setNextRequest: api.setNextRequest,
  };
  if (isTest) {
    postman.getResponseCookie = (name) => cookies.one(String(name));
    postman.getResponseHeader = (name) => responseOf()?.headers.one(name)?.value;
  }
  const responseGlobals = isTest
    ? {
        responseBody: () => responseOf().text(),
        responseCode: () => responseOf().details(),
        responseHeaders: () => {
          const out = {};
          for (const h of responseOf().headers.all()) out[h.key] = h.value;
          return out;
        },
        responseTime: () => responseOf().responseTime,
        responseCookies: () => cookies,
      }
    : {};
  return {
    postman: () => postman,
    environment: envObject,
    globals: globalsObject,
    request: () => {
      const request = requestOf();
      return {
        id: info.requestId,
        name: info.requestName,
        description: undefined, // the engine does not pass request descriptions to scripts
        headers: request.headers.toObject(true, false, true),
        method: request.method,
        url: request.url.toString(),
        data: legacyData(request.body),
      };
    },
    iteration: () => info.iteration,
    ...responseGlobals,
    xml2Json: () => (xml) => {
      // postman-sandbox's options; a parse error leaves the result undefined.
      let result;
      requireModule("xml2js").parseString(
        xml,
        { explicitArray: false, async: false, trim: true, mergeAttrs: false },
        (_err, r) => {
          result = r;
        },
      );
      return result;
    },
  };
}
