/** The module worker's entry: it hosts one node for the page that started it. */
import { exposeHost } from './host.ts';

exposeHost();
