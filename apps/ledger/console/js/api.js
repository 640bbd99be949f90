// The console's only way to the ledger: its HTTP API with the bearer token kept for this tab.
const KEY = 'tally.token';

export const getToken = () => sessionStorage.getItem(KEY);
export const setToken = (token) => sessionStorage.setItem(KEY, token);
export const clearToken = () => sessionStorage.removeItem(KEY);

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export const api = async (path, { method = 'GET', body, token = getToken() } = {}) => {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
};

/**
 * What the token may do, asked of the API itself: a store token gets its store back from the
 * overview and no liability; ops is told apart from read by an ops-only list.
 */
export const whoAmI = async (token) => {
  const overview = await api('/analytics/overview', { token });
  if (overview.liability === null) return { kind: 'store', storeId: overview.storeId };
  try {
    await api('/ops/parked?limit=1', { token });
    return { kind: 'ops' };
  } catch (error) {
    if (error.status === 403) return { kind: 'read' };
    throw error;
  }
};
