/** The Electron main process entry (package.json "main"): runs the desktop app. */
import { runApp } from './app.js';

void runApp();
