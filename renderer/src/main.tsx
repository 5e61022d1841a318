/**
 * The renderer's entry: takes the access token from the address (or this tab's storage),
 * connects the one API client to the daemon that served this page, and draws the window.
 * The same code runs in the Electron window and in a browser.
 */
import './lib/zod-jitless';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { LanfoldClient } from '../../main/api/client';
import { ConnectionProvider, createConnection } from './api/connection';
import { AnnouncerProvider } from './app/Announcer';
import { App } from './app/App';
import { SignedOut } from './app/SignedOut';
import { takeToken } from './lib/auth';
import './styles/theme.css';
import './styles/base.css';
import './styles/controls.css';
import './styles/feedback.css';
import './styles/screens.css';
import './styles/folders.css';
import './styles/history.css';

const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('index.html has no #root');
const root = createRoot(rootElement);
const token = takeToken();

if (token === undefined) {
  root.render(
    <StrictMode>
      <SignedOut refused={false} />
    </StrictMode>,
  );
} else {
  const client = new LanfoldClient({ baseUrl: window.location.origin, token });
  const connection = createConnection(client);
  root.render(
    <StrictMode>
      <ConnectionProvider connection={connection}>
        <AnnouncerProvider>
          <App />
        </AnnouncerProvider>
      </ConnectionProvider>
    </StrictMode>,
  );
}
