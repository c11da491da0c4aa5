import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { I18nRoot } from './i18n/I18nRoot.js';
import { station } from './station.js';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  const api = station();
  createRoot(root).render(
    <StrictMode>
      <I18nRoot api={api}>
        <App api={api} />
      </I18nRoot>
    </StrictMode>,
  );
}
