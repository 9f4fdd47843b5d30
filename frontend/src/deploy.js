// Posts an edited resource to the page's deploy URL and shows the outcome (errors name the elements).
export async function deployFromEditor(root, xml) {
  const status = root.querySelector('[data-status]');
  const body = new FormData();
  body.append('resource', new Blob([xml], { type: 'application/xml' }), root.dataset.resourceName);
  body.append('csrf_token', root.dataset.csrfToken || '');
  status.textContent = root.dataset.msgDeploying || '...';
  status.className = 'status';
  const button = root.querySelector('[data-deploy]');
  if (button) button.disabled = true;
  let response;
  try {
    response = await fetch(root.dataset.deployUrl, { method: 'POST', body, credentials: 'same-origin' });
  } catch (err) {
    status.textContent = String(err);
    status.className = 'status error';
    if (button) button.disabled = false;
    return;
  }
  if (button) button.disabled = false;
  const payload = await response.json().catch(() => ({ message: response.statusText }));
  status.textContent = payload.message;
  status.className = response.ok ? 'status ok' : 'status error';
  root.dispatchEvent(new CustomEvent('alur:deployed', { detail: { ok: response.ok, payload } }));
}

// A model that cannot be opened says so where the deploy status would appear.
export function showLoadError(root, err) {
  const status = root.querySelector('[data-status]');
  status.textContent = `${root.dataset.msgLoadError || 'Error:'} ${err && err.message ? err.message : err}`;
  status.className = 'status error';
  const button = root.querySelector('[data-deploy]');
  if (button) button.disabled = true;
}
