/** The "Models on this server" controls: the listing in a select, its status line, and the token field. */
import { listServerModels, megabytes, type ServerListing, type ServerModel } from './server-models.js';
import { $, setStatus } from './view.js';

/** The inference token typed into the page ('' when none); sent to the model API and the compare call. */
export const serverToken = (): string => $<HTMLInputElement>('server-token').value.trim();

/** Lists the server's models into the select; returns the listing for the page state. */
export async function refreshServerModels(base: URL): Promise<ServerListing> {
  setStatus('server-models-status', 'Looking for the models on this server…');
  const listing = await listServerModels(base, serverToken());
  const select = $<HTMLSelectElement>('server-models');
  const models = listing.available ? listing.models : [];
  select.replaceChildren(...models.map((m, i) => new Option(describeModel(m), String(i))));
  select.disabled = models.length === 0;
  $<HTMLButtonElement>('load-server-model').disabled = models.length === 0;
  if (!listing.available) setStatus('server-models-status', listing.reason);
  else if (models.length === 0) setStatus('server-models-status', 'The server serves no model that is ready.');
  else setStatus('server-models-status', `${models.length} model(s) on this server.`);
  return listing;
}

function describeModel(model: ServerModel): string {
  const variants = model.variants.map((v) => `${v.variant} ${megabytes(v.model.bytes)}`).join(', ');
  return `${model.name} v${model.version}${model.task ? ` (${model.task})` : ''}: ${variants}`;
}
