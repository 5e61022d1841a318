/**
 * Imported first by the entry, before any schema is built: zod decides at schema creation
 * whether it may compile parsers with `new Function`, and the page's CSP forbids eval
 * (Chromium reports even a caught attempt as a violation). Jitless parsing is plenty fast
 * for the API's small answers.
 */
import { config } from 'zod';

config({ jitless: true });
