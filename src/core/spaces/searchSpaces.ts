// Every search space's sampling and formatting interface by name (the samplers behind shot choice and the
// histograms of spaces too large to enumerate).
import { SearchSpace } from './space';
import { nasBench201Space } from './nasbench201';
import { fbnetSpace } from './fbnet';
import { ofaSpace } from './ofa';
import { hatSpace } from './hat';

export const SEARCH_SPACES: Readonly<Record<string, SearchSpace<unknown>>> = {
  nasbench201: nasBench201Space as SearchSpace<unknown>,
  fbnet: fbnetSpace as SearchSpace<unknown>,
  ofa: ofaSpace as SearchSpace<unknown>,
  hat: hatSpace as SearchSpace<unknown>,
};
